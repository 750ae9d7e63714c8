/**
 * Cluster PKI: the Kubernetes, front-proxy and etcd CAs and the service-account key pair, made
 * once by @pulumi/tls and kept (as secrets) in the stack state, plus the bootstrap token. Every
 * control plane receives the same CA files before kubeadm runs, so joins need no `--upload-certs`
 * and there is no two-hour window in which the certificates sit in the cluster.
 *
 * CAs are valid for 10 years and never renewed by a plan; with `protect`, a plan that would
 * replace one fails instead. Leaf certificates made here (external etcd) are renewed by
 * `pulumi up` in their last 30 days.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { childName } from "../naming";
import { ENCRYPTION_CONFIG, ETCD_PKI_DIR, TOKEN_FILE } from "../render/paths";
import { renderEncryptionConfig } from "../render/hardening";
import type { NodeFile } from "../render/script";
import { discoveryHash } from "./hash";
import { controlPlaneSecretPaths, stagedPki } from "./paths";

export { discoveryHash } from "./hash";

const CA_HOURS = 10 * 365 * 24;
const LEAF_HOURS = 365 * 24;
const LEAF_EARLY_RENEWAL_HOURS = 30 * 24;

interface EtcdMemberIdentity {
    readonly name: string;
    readonly address: string;
}

export interface ClusterPkiArgs {
    /** Cluster name (prefix of child names). */
    readonly cluster: string;
    /** External etcd members that need server/peer certificates; empty for stacked etcd. */
    readonly externalEtcdMembers: readonly EtcdMemberIdentity[];
    /** Protect the CAs from replacement and deletion (`pulumi state unprotect` to destroy). */
    readonly protectCAs: boolean;
    /**
     * Also issue a break-glass admin client certificate (group `system:masters`, one year,
     * renewed by `pulumi up` in its last 30 days), for platforms that cannot read admin.conf back.
     * @default false
     */
    readonly adminCredentials?: boolean;
}

/** A client certificate and its key (PEM). Secret. */
export interface ClientCredentials {
    readonly certPem: pulumi.Output<string>;
    readonly keyPem: pulumi.Output<string>;
}

interface Ca {
    readonly key: tls.PrivateKey;
    readonly cert: tls.SelfSignedCert;
}

type Files = pulumi.Output<NodeFile[]>;

export class ClusterPki extends pulumi.ComponentResource {
    /** `sha256:<hex>` of the cluster CA's public key, for `caCertHashes`. Not secret. */
    readonly discoveryHash: pulumi.Output<string>;
    /** Cluster CA certificate (PEM). */
    readonly caCertPem: pulumi.Output<string>;
    /** Bootstrap token `<id>.<secret>`. Secret. */
    readonly token: pulumi.Output<string>;
    /** Root-only files every control plane receives. Secret. */
    readonly controlPlaneFiles: Files;
    /** Root-only files every worker receives. Secret. */
    readonly workerFiles: Files;
    /** Root-only files per external etcd member, by member name. Secret. */
    readonly etcdMemberFiles: ReadonlyMap<string, Files>;
    /** Break-glass admin credentials, when asked for. Secret. */
    readonly admin?: ClientCredentials;
    /** Paths of the secret files a control plane must hold before kubeadm runs (public list). */
    readonly controlPlaneSecretPaths: readonly string[];

    constructor(name: string, args: ClusterPkiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hacluster:pki:ClusterPki", name, {}, opts);
        const parent = { parent: this };
        const caOpts = { parent: this, protect: args.protectCAs };
        const n = (...parts: string[]) => childName(name, ...parts);

        const ca = (id: string, commonName: string): Ca => {
            const key = new tls.PrivateKey(n(id, "key"), { algorithm: "RSA", rsaBits: 2048 }, caOpts);
            const cert = new tls.SelfSignedCert(
                n(id, "cert"),
                {
                    privateKeyPem: key.privateKeyPem,
                    subject: { commonName },
                    isCaCertificate: true,
                    validityPeriodHours: CA_HOURS,
                    earlyRenewalHours: 0,
                    allowedUses: ["cert_signing", "crl_signing", "digital_signature", "key_encipherment"],
                },
                caOpts,
            );
            return { key, cert };
        };
        const kubernetesCa = ca("ca", "kubernetes");
        const frontProxyCa = ca("front-proxy-ca", "front-proxy-ca");
        const etcdCa = ca("etcd-ca", "etcd-ca");
        const serviceAccount = new tls.PrivateKey(n("sa", "key"), { algorithm: "RSA", rsaBits: 2048 }, caOpts);

        // kubeadm token format: [a-z0-9]{6}.[a-z0-9]{16}
        const tokenId = new random.RandomString(n("token", "id"), { length: 6, special: false, upper: false }, parent);
        const tokenSecret = new random.RandomPassword(n("token", "secret"), { length: 16, special: false, upper: false }, parent);
        this.token = pulumi.secret(pulumi.interpolate`${tokenId.result}.${tokenSecret.result}`);

        this.caCertPem = kubernetesCa.cert.certPem;
        // The CA key's public half is the certificate's SubjectPublicKeyInfo: same hash, known before the cert.
        this.discoveryHash = kubernetesCa.key.publicKeyPem.apply(discoveryHash);

        const leaf = (id: string, key: tls.PrivateKey, commonName: string, uses: string[], ips: string[], dns: string[], signer: Ca = etcdCa, organization?: string) => {
            const csr = new tls.CertRequest(
                n(id, "csr"),
                { privateKeyPem: key.privateKeyPem, subject: { commonName, ...(organization ? { organization } : {}) }, ipAddresses: ips, dnsNames: dns },
                parent,
            );
            return new tls.LocallySignedCert(
                n(id, "cert"),
                {
                    certRequestPem: csr.certRequestPem,
                    caPrivateKeyPem: signer.key.privateKeyPem,
                    caCertPem: signer.cert.certPem,
                    validityPeriodHours: LEAF_HOURS,
                    earlyRenewalHours: LEAF_EARLY_RENEWAL_HOURS,
                    allowedUses: uses,
                },
                parent,
            );
        };

        // The key that seals Secrets in etcd: same on every control plane, never rotated by a plan.
        const encryptionKey = new random.RandomBytes(n("encryption-key"), { length: 32 }, caOpts);
        const cpFiles: pulumi.Output<NodeFile>[] = [
            file(ENCRYPTION_CONFIG, encryptionKey.base64.apply(renderEncryptionConfig)),
            file(stagedPki("ca.crt"), kubernetesCa.cert.certPem, "0644"),
            file(stagedPki("ca.key"), kubernetesCa.key.privateKeyPem),
            file(stagedPki("front-proxy-ca.crt"), frontProxyCa.cert.certPem, "0644"),
            file(stagedPki("front-proxy-ca.key"), frontProxyCa.key.privateKeyPem),
            file(stagedPki("sa.key"), serviceAccount.privateKeyPem),
            file(stagedPki("sa.pub"), serviceAccount.publicKeyPem, "0644"),
            file(stagedPki("etcd/ca.crt"), etcdCa.cert.certPem, "0644"),
            file(TOKEN_FILE, this.token),
        ];
        const members = new Map<string, Files>();
        if (args.externalEtcdMembers.length === 0) {
            // Stacked: kubeadm signs each member's etcd certificates with the shared etcd CA.
            cpFiles.push(file(stagedPki("etcd/ca.key"), etcdCa.key.privateKeyPem));
        } else {
            const clientKey = new tls.PrivateKey(n("apiserver-etcd-client", "key"), { algorithm: "RSA", rsaBits: 2048 }, parent);
            const clientCert = leaf("apiserver-etcd-client", clientKey, "kube-apiserver-etcd-client", ["client_auth", "digital_signature", "key_encipherment"], [], []);
            cpFiles.push(
                file(stagedPki("apiserver-etcd-client.crt"), clientCert.certPem, "0644"),
                file(stagedPki("apiserver-etcd-client.key"), clientKey.privateKeyPem),
            );
            for (const m of args.externalEtcdMembers) {
                const key = new tls.PrivateKey(n("etcd", m.name, "key"), { algorithm: "RSA", rsaBits: 2048 }, parent);
                // One certificate serves the member as server, as peer and as client (health checks).
                const cert = leaf(
                    `etcd-${m.name}`,
                    key,
                    m.name,
                    ["server_auth", "client_auth", "digital_signature", "key_encipherment"],
                    [m.address, "127.0.0.1"],
                    [m.name, "localhost"],
                );
                members.set(
                    m.name,
                    collect([
                        file(`${ETCD_PKI_DIR}/ca.crt`, etcdCa.cert.certPem, "0644"),
                        file(`${ETCD_PKI_DIR}/server.crt`, cert.certPem, "0644"),
                        file(`${ETCD_PKI_DIR}/server.key`, key.privateKeyPem),
                        file(`${ETCD_PKI_DIR}/peer.crt`, cert.certPem, "0644"),
                        file(`${ETCD_PKI_DIR}/peer.key`, key.privateKeyPem),
                    ]),
                );
            }
        }
        if (args.adminCredentials) {
            const key = new tls.PrivateKey(n("admin", "key"), { algorithm: "RSA", rsaBits: 2048 }, parent);
            const cert = leaf("admin", key, "hacluster-admin", ["client_auth", "digital_signature", "key_encipherment"], [], [], kubernetesCa, "system:masters");
            this.admin = { certPem: cert.certPem, keyPem: pulumi.secret(key.privateKeyPem) };
        }
        this.controlPlaneFiles = collect(cpFiles);
        this.controlPlaneSecretPaths = controlPlaneSecretPaths(args.externalEtcdMembers.length === 0 ? "stacked" : "external");
        this.workerFiles = collect([file(TOKEN_FILE, this.token)]);
        this.etcdMemberFiles = members;
        this.registerOutputs({ discoveryHash: this.discoveryHash, caCertPem: this.caCertPem });
    }
}

function file(path: string, content: pulumi.Input<string>, mode = "0600"): pulumi.Output<NodeFile> {
    return pulumi.output(content).apply((c) => ({ path, content: c, mode }));
}

function collect(files: pulumi.Output<NodeFile>[]): Files {
    return pulumi.secret(pulumi.all(files));
}
