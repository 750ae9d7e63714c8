/**
 * Real kubeadm judges every kubeadm.yaml the shipped self-managed stacks render: the kubeadm of
 * each stack's own Kubernetes release, built from source by the lab toolchain (`npm run -s
 * lab:build`; missing toolchain fails the suite with that command, it never skips).
 *
 * 1. `kubeadm config validate` on every node's config, placeholders filled as a node fills them.
 * 2. For every init config, in a scratch root (`--rootfs`, so nothing touches this machine's
 *    /etc/kubernetes): `init phase certs all`, `kubeconfig all`, `control-plane all` (and `etcd
 *    local` when stacked) with the CA files we pre-place, then: kubeadm used our CAs (the files
 *    are unchanged and sign the apiserver certificate), the apiserver certificate carries every
 *    name and address of our certSANs, and the static pod manifests carry the flags we set.
 */
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { kubeadmBinary } from "../../lab/toolchain";
import { needTool, synthStack } from "../synth-cli";

/** Self-managed stacks (clouds included: their kubeadm configs are the same documents). */
const STACKS = ["dev", "onprem-external-etcd", "lab", "lab-external-etcd", "aws", "gcp", "azure"];
const TOKEN = "abcdef.0123456789abcdef";

interface Doc {
    readonly kind: string;
    [k: string]: unknown;
}

function docs(text: string): Doc[] {
    return parseAllDocuments(text).map((d) => d.toJS() as Doc);
}

function kubeadmFiles(dir: string): string[] {
    const nodes = path.join(dir, "nodes");
    return fs.readdirSync(nodes).map((n) => path.join(nodes, n, "kubeadm.yaml")).filter((f) => fs.existsSync(f));
}

/** What a node does before kubeadm reads the file: the secret values in place of the placeholders. */
function filled(text: string): string {
    const hash = `sha256:${"0".repeat(64)}`;
    return text.replace(/@@BOOTSTRAP_TOKEN@@/g, TOKEN).replace(/@@DISCOVERY_HASH@@/g, hash);
}

function versionOf(file: string): string {
    const cc = docs(fs.readFileSync(file, "utf8")).find((d) => d.kind === "ClusterConfiguration");
    if (cc) return String(cc.kubernetesVersion).replace(/^v/, "");
    // Joins carry no ClusterConfiguration: the init config of the same stack names the release.
    const init = kubeadmFiles(path.dirname(path.dirname(path.dirname(file)))).map((f) => docs(fs.readFileSync(f, "utf8"))).flat().find((d) => d.kind === "ClusterConfiguration");
    if (init) return String(init.kubernetesVersion).replace(/^v/, "");
    throw new Error(`no Kubernetes version for ${file}`);
}

function openssl(args: string[], input?: string): string {
    return execFileSync("openssl", args, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
}

/** A CA key + self-signed certificate, as @pulumi/tls makes ours (RSA 2048). */
function makeCa(dir: string, name: string, cn: string): void {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path.join(dir, `${name}.key`), "-out", path.join(dir, `${name}.crt`), "-days", "3650", "-subj", `/CN=${cn}`, "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature,keyEncipherment"]);
}

const sha = (f: string) => crypto.createHash("sha256").update(fs.readFileSync(f)).digest("hex");

function argsOf(manifest: string): string[] {
    const pod = docs(fs.readFileSync(manifest, "utf8"))[0] as unknown as { spec: { containers: { command: string[] }[] } };
    return pod.spec.containers[0].command;
}

describe("integration: real kubeadm validates and phases every rendered kubeadm config", function () {
    this.timeout(900_000);
    const tmp = fs.mkdtempSync(path.join(tmpdir(), "hacluster-kubeadm-"));

    before(() => {
        needTool("openssl", "openssl");
        if (process.getuid?.() !== 0) assert.fail("kubeadm --rootfs chroots into a scratch root: run as root (CI does)");
        for (const s of STACKS) synthStack(s, path.join(tmp, s));
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    for (const stack of STACKS) {
        it(`${stack}: kubeadm config validate accepts every node's kubeadm.yaml`, () => {
            const files = kubeadmFiles(path.join(tmp, stack));
            assert.ok(files.length > 0, `${stack} rendered no kubeadm.yaml`);
            for (const f of files) {
                const version = versionOf(f);
                const copy = `${f}.filled`;
                fs.writeFileSync(copy, filled(fs.readFileSync(f, "utf8")));
                const r = spawnSync(kubeadmBinary(version), ["config", "validate", "--config", copy], { encoding: "utf8" });
                assert.equal(r.status, 0, `kubeadm v${version} config validate refused ${path.relative(tmp, f)}:\n${r.stderr}${r.stdout}`);
            }
        });

        it(`${stack}: kubeadm init phases use our CAs, our SANs and our flags`, () => {
            const init = kubeadmFiles(path.join(tmp, stack)).filter((f) => docs(fs.readFileSync(f, "utf8")).some((d) => d.kind === "InitConfiguration"));
            assert.equal(init.length, 1, `${stack}: exactly one node runs kubeadm init`);
            const file = init[0];
            const all = docs(fs.readFileSync(file, "utf8"));
            const cc = all.find((d) => d.kind === "ClusterConfiguration")! as Doc & { apiServer: { certSANs: string[] }; etcd: { local?: unknown; external?: unknown } };
            const root = path.join(tmp, `${stack}-root`);
            const pki = path.join(root, "etc/kubernetes/pki");
            // The files our secrets step delivers (components/pki), made the same way.
            makeCa(pki, "ca", "kubernetes");
            makeCa(pki, "front-proxy-ca", "front-proxy-ca");
            makeCa(pki, "etcd/ca", "etcd-ca");
            openssl(["genrsa", "-out", path.join(pki, "sa.key"), "2048"]);
            openssl(["rsa", "-in", path.join(pki, "sa.key"), "-pubout", "-out", path.join(pki, "sa.pub")]);
            if (cc.etcd.external) {
                openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", path.join(pki, "apiserver-etcd-client.key"), "-out", path.join(root, "client.csr"), "-subj", "/CN=kube-apiserver-etcd-client"]);
                openssl(["x509", "-req", "-in", path.join(root, "client.csr"), "-CA", path.join(pki, "etcd/ca.crt"), "-CAkey", path.join(pki, "etcd/ca.key"), "-out", path.join(pki, "apiserver-etcd-client.crt"), "-days", "365"]);
            }
            const before = Object.fromEntries(["ca.crt", "ca.key", "front-proxy-ca.crt", "etcd/ca.crt", "sa.key"].map((f) => [f, sha(path.join(pki, f))]));
            const config = path.join(root, "kubeadm.yaml");
            fs.writeFileSync(config, filled(fs.readFileSync(file, "utf8")));
            const kubeadm = kubeadmBinary(versionOf(file));
            const phases = [["certs", "all"], ["kubeconfig", "all"], ["control-plane", "all"], ...(cc.etcd.local ? [["etcd", "local"]] : [])];
            for (const p of phases) {
                const r = spawnSync(kubeadm, ["init", "phase", ...p, "--config", "/kubeadm.yaml", "--rootfs", root], { encoding: "utf8" });
                assert.equal(r.status, 0, `${stack}: kubeadm init phase ${p.join(" ")} failed:\n${r.stderr}${r.stdout}`);
            }
            for (const [f, h] of Object.entries(before)) assert.equal(sha(path.join(pki, f)), h, `${stack}: kubeadm replaced our ${f}`);
            openssl(["verify", "-CAfile", path.join(pki, "ca.crt"), path.join(pki, "apiserver.crt")]);
            const text = openssl(["x509", "-in", path.join(pki, "apiserver.crt"), "-noout", "-ext", "subjectAltName"]);
            for (const san of cc.apiServer.certSANs) {
                const want = /^\d+\.\d+\.\d+\.\d+$/.test(san) ? `IP Address:${san}` : `DNS:${san}`;
                assert.ok(text.includes(want), `${stack}: the apiserver certificate lacks ${want}:\n${text}`);
            }
            const apiserver = argsOf(path.join(root, "etc/kubernetes/manifests/kube-apiserver.yaml"));
            for (const flag of ["--authorization-mode=Node,RBAC", "--audit-policy-file=/etc/kubernetes/audit/policy.yaml", "--encryption-provider-config=/etc/kubernetes/enc/encryption-config.yaml", "--profiling=false", "--kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt"]) {
                assert.ok(apiserver.includes(flag), `${stack}: kube-apiserver lacks ${flag}: ${apiserver.join(" ")}`);
            }
            const imageRepo = (cc as Doc & { imageRepository?: string }).imageRepository;
            if (imageRepo) {
                const image = (docs(fs.readFileSync(path.join(root, "etc/kubernetes/manifests/kube-apiserver.yaml"), "utf8"))[0] as unknown as { spec: { containers: { image: string }[] } }).spec.containers[0].image;
                assert.ok(image.startsWith(`${imageRepo}/`), `${stack}: kube-apiserver image ${image} is not from the mirror ${imageRepo}`);
            }
            for (const c of ["kube-controller-manager", "kube-scheduler"]) {
                assert.ok(argsOf(path.join(root, `etc/kubernetes/manifests/${c}.yaml`)).includes("--profiling=false"), `${stack}: ${c} lacks --profiling=false`);
            }
        });
    }
});
