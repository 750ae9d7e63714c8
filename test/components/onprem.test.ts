import { strict as assert } from "node:assert";
import { loadSpec } from "../../config";
import type { OnPremCluster as OnPremClusterT } from "../../components/onprem";
import { scriptNode } from "../../components/render/script";
import { merge, seeds, seedsCluster, seedsWith, host } from "../unit/fixtures";
import { FAKE_ADMIN_CONF, isSecret, mock, mockRecordingProtect, plain, resolve, settle, type Recorded, onPremSpec } from "./harness";

type Ctor = typeof OnPremClusterT;

async function build(cfg = seeds(), extra: { sshPrivateKey?: string } = { }, opts: { firstPreview?: boolean } = {}) {
    const mocks = mock({}, [], opts);
    // Imported after setMocks, as the SDK's testing guide asks.
    const { OnPremCluster } = (await import("../../components/onprem")) as { OnPremCluster: Ctor };
    const { spec } = loadSpec(cfg, { stack: "dev" });
    const cluster = new OnPremCluster(spec.name, { spec: onPremSpec(spec), sshAgentSocket: "/run/user/1000/ssh-agent.sock", ...extra });
    await resolve(cluster.endpoint);
    if (!opts.firstPreview) await resolve(cluster.kubeconfig);
    // In a preview, registrations wait on unknown outputs a few more turns.
    for (let i = 0; i < (opts.firstPreview ? 20 : 1); i++) await settle();
    return { cluster, resources: mocks.resources };
}

const byName = (rs: readonly Recorded[]) => new Map(rs.map((r) => [r.name, r]));
const commands = (rs: readonly Recorded[]) => rs.filter((r) => r.type === "command:remote:Command");

describe("components: on-prem cluster (mocked)", function () {
    this.timeout(60000);

    it("registers the seeds' cluster: PKI, LB hosts, control planes, workers, kubeconfig", async () => {
        const { resources } = await build();
        const counts: Record<string, number> = {};
        for (const r of resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
        assert.deepEqual(counts, {
            "hacluster:onprem:Cluster": 1,
            "hacluster:pki:ClusterPki": 1,
            "tls:index/privateKey:PrivateKey": 4,
            "tls:index/selfSignedCert:SelfSignedCert": 3,
            "random:index/randomString:RandomString": 1,
            "random:index/randomBytes:RandomBytes": 1,
            "random:index/randomPassword:RandomPassword": 2,
            // 2 LB hosts x (secrets, bootstrap) + first CP x 2 + 2 joining CPs x 4 + 2 workers x 4 + kubeconfig
            "command:remote:Command": 4 + 2 + 8 + 8 + 1,
        });
        for (const r of resources) assert.ok(r.name === "dev" || r.name.startsWith("dev-"), `${r.name} is not named after the cluster`);
        const names = commands(resources).map((r) => r.name);
        for (const n of ["dev-lb-a-bootstrap", "dev-master1-bootstrap", "dev-master2-token", "dev-master3-member", "dev-worker2-bootstrap", "dev-kubeconfig"]) {
            assert.ok(names.includes(n), `missing ${n}`);
        }
    });

    it("a new stack's first preview shows every node script: none depends on a key, certificate or random value", async () => {
        // Found by the real engine (test/engine): join scripts held the CA's discovery hash, an
        // output of the CA key, so `pulumi preview` of a new stack showed them as unknown.
        for (const cfg of [seeds(), seedsWith({ etcd: { topology: "external", hosts: [host("etcd1", "211.183.3.21", "rack-a"), host("etcd2", "211.183.3.22", "rack-b"), host("etcd3", "211.183.3.23", "rack-c")] } })]) {
            const { resources } = await build(cfg, {}, { firstPreview: true });
            const boots = commands(resources).filter((r) => r.name.endsWith("-bootstrap"));
            assert.ok(boots.length >= 7, `${boots.length} bootstrap steps`);
            for (const b of boots) assert.equal(typeof plain(b.inputs.stdin), "string", `${b.name}: the script is unknown in a first preview`);
            // The hash travels with the joining nodes' secrets instead, and their kubeadm config says where it goes.
            const join = String(plain(byName(resources).get("dev-worker1-bootstrap")!.inputs.stdin));
            assert.match(join, /@@DISCOVERY_HASH@@/);
            assert.match(join, /\/etc\/hacluster\/secrets\/discovery-hash/);
        }
    });

    it("endpoint.haproxy.maxConnections reaches haproxy.cfg's maxconn on both LB hosts (default 10000)", async () => {
        const low = byName((await build(seedsWith({ endpoint: { haproxy: { maxConnections: 8000 } } }))).resources);
        const dflt = byName((await build()).resources);
        for (const lb of ["lb-a", "lb-b"]) {
            assert.match(String(plain(low.get(`dev-${lb}-bootstrap`)!.inputs.stdin)), /\n\s*maxconn 8000\n/);
            assert.match(String(plain(dflt.get(`dev-${lb}-bootstrap`)!.inputs.stdin)), /\n\s*maxconn 10000\n/);
        }
    });

    it("VRRPv3: no VRRP password and no secrets step on the LB hosts; their script renders version 3", async () => {
        const { resources } = await build(seedsWith({ endpoint: { keepalived: { vrrpVersion: 3, advertIntervalSec: 0.5 } } }));
        const all = byName(resources);
        assert.ok(!all.has("dev-vrrp-auth"), "no password is generated");
        for (const lb of ["lb-a", "lb-b"]) {
            assert.ok(!all.has(`dev-${lb}-secrets`), `${lb}: nothing secret to deliver`);
            const script = String(plain(all.get(`dev-${lb}-bootstrap`)!.inputs.stdin));
            assert.match(script, /version 3\n\s*virtual_router_id 51\n[\s\S]*advert_int 0\.5\n[\s\S]*check_unicast_src/);
            assert.doesNotMatch(script, /vrrp-auth|includea/);
        }
        // VRRPv2 (the default) keeps both.
        const v2 = byName((await build()).resources);
        assert.ok(v2.has("dev-vrrp-auth") && v2.has("dev-lb-a-secrets") && v2.has("dev-lb-b-secrets"));
    });

    it("delivers node scripts with no secret in them, and secrets only through the secrets steps", async () => {
        const { resources } = await build();
        const all = byName(resources);
        const caKeyInput = resources.find((r) => r.name === "dev-pki-ca-cert")!.inputs.privateKeyPem;
        assert.ok(isSecret(caKeyInput), "the CA key is a secret input");
        const caKey = plain(caKeyInput) as string;
        assert.match(caKey, /PRIVATE KEY/);
        for (const c of commands(resources)) {
            assert.ok(!JSON.stringify(plain(c.inputs.create) ?? "").includes("PRIVATE KEY"), `${c.name}: secret on a command line`);
            assert.ok(!JSON.stringify(plain(c.inputs.delete) ?? "").includes("PRIVATE KEY"), `${c.name}: secret on a command line`);
            if (c.name.endsWith("-secrets")) {
                assert.equal(c.inputs.logging, "none", `${c.name} must not log`);
                assert.ok(isSecret(c.inputs.stdin), `${c.name}: stdin must be a secret`);
                continue;
            }
            assert.ok(!isSecret(c.inputs.stdin) || c.name.endsWith("-kubeconfig"), `${c.name}: public scripts stay readable in previews`);
            assert.ok(!String(plain(c.inputs.stdin) ?? "").includes("PRIVATE KEY"), `${c.name} carries a private key in a public script`);
        }
        const boot = String(all.get("dev-master2-bootstrap")!.inputs.stdin);
        assert.equal(scriptNode(boot), "master2");
        assert.ok(boot.includes("@@BOOTSTRAP_TOKEN@@"), "the public kubeadm.yaml holds the placeholder");
        assert.ok(String(plain(all.get("dev-master1-secrets")!.inputs.stdin)).includes(caKey.trim()), "control planes receive the shared CA key");
        assert.ok(!String(plain(all.get("dev-worker1-secrets")!.inputs.stdin)).includes("PRIVATE KEY"), "workers never receive CA keys");
        assert.match(String(plain(all.get("dev-master2-secrets")!.inputs.stdin)), /kind: EncryptionConfiguration[\s\S]*secretbox/, "control planes receive the encryption config");
        assert.ok(!boot.includes("EncryptionConfiguration"), "the encryption key is not in the public script");
        assert.ok(boot.includes("/etc/kubernetes/audit/policy.yaml"), "the audit policy is delivered with the node script");
    });

    it("exports the endpoint, nodes by zone, failure tolerance and a secret kubeconfig pointing at the VIP", async () => {
        const { cluster } = await build();
        assert.equal((await resolve(cluster.endpoint)).value, "https://211.183.3.250:6443");
        const kc = await resolve(cluster.kubeconfig);
        assert.equal(kc.secret, true);
        assert.match(kc.value, /server: https:\/\/211\.183\.3\.250:6443/);
        assert.ok(FAKE_ADMIN_CONF.includes("api.dev.internal"));
        const nodes = (await resolve(cluster.nodes)).value;
        assert.deepEqual(
            nodes.map((n) => `${n.role}/${n.zone}`),
            ["lb/rack-a", "lb/rack-b", "control-plane/rack-a", "control-plane/rack-b", "control-plane/rack-c", "worker/rack-a", "worker/rack-b"],
        );
        const tol = (await resolve(cluster.failureTolerance)).value;
        assert.deepEqual([tol.zones, tol.etcdMembers, tol.lbHosts, tol.apiServers], [1, 1, 1, 1]);
    });

    it("adding a worker adds only that worker's steps and changes no existing input", async () => {
        const before = (await build()).resources;
        const cluster = seedsCluster();
        const more = seedsWith({ workers: { hosts: [...cluster.workers.hosts, host("worker3", "211.183.3.112", "rack-c")] } });
        const after = (await build(more)).resources;
        const old = byName(before);
        const added = after.filter((r) => !old.has(r.name)).map((r) => r.name).sort();
        assert.deepEqual(added, ["dev-worker3-bootstrap", "dev-worker3-member", "dev-worker3-secrets", "dev-worker3-token"]);
        for (const r of after) {
            const prev = old.get(r.name);
            if (prev) assert.deepEqual(r.inputs, prev.inputs, `${r.name} would change`);
        }
    });

    it("removal: a worker's member step drains and deletes it on the first control plane; its bootstrap resets it", async () => {
        const { resources } = await build();
        const all = byName(resources);
        const member = all.get("dev-worker1-member")!;
        assert.equal(plain(member.inputs.connection).host, "211.183.3.100");
        assert.match(String(member.inputs.delete), /kubectl drain 'worker1' --ignore-daemonsets --delete-emptydir-data/);
        assert.match(String(member.inputs.delete), /kubectl delete node 'worker1'/);
        assert.match(String(all.get("dev-worker1-bootstrap")!.inputs.delete), /kubeadm reset -f/);
    });

    it("CAs, the service-account key and the encryption key are protected in profile ha; leaves are not", async () => {
        const { protectedNames } = mockRecordingProtect();
        const { OnPremCluster } = (await import("../../components/onprem")) as { OnPremCluster: Ctor };
        const { spec } = loadSpec(seedsWith({ etcd: { topology: "external", hosts: [host("etcd1", "211.183.3.21", "rack-a"), host("etcd2", "211.183.3.22", "rack-b"), host("etcd3", "211.183.3.23", "rack-c")] } }), { stack: "dev" });
        const cluster = new OnPremCluster(spec.name, { spec: onPremSpec(spec), sshAgentSocket: "/run/user/1000/ssh-agent.sock" });
        await resolve(cluster.kubeconfig);
        await settle();
        assert.deepEqual([...protectedNames].sort(), [
            "dev-pki-ca-cert",
            "dev-pki-ca-key",
            "dev-pki-encryption-key",
            "dev-pki-etcd-ca-cert",
            "dev-pki-etcd-ca-key",
            "dev-pki-front-proxy-ca-cert",
            "dev-pki-front-proxy-ca-key",
            "dev-pki-sa-key",
        ]);
    });

    it("two runs of the same config give identical inputs (a second `pulumi up` changes nothing)", async () => {
        const a = (await build()).resources;
        const b = byName((await build()).resources);
        for (const r of a) assert.deepEqual(b.get(r.name)?.inputs, r.inputs, `${r.name} differs between runs`);
    });

    it("SSH key from config is passed to every connection, and stays secret", async () => {
        const cfg = merge(seeds(), { cluster: { ssh: { agent: false, privateKeySecret: "sshPrivateKey" } } });
        const { cluster, resources } = await build(cfg, { sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n-----END OPENSSH PRIVATE KEY-----" });
        for (const c of commands(resources)) {
            assert.ok(isSecret(c.inputs.connection), `${c.name}: the connection carries the key, so it is secret`);
            assert.match(String(plain(c.inputs.connection).privateKey), /OPENSSH PRIVATE KEY/);
        }
        assert.ok(cluster.topology.nodes.length > 0);
    });

    it("external etcd: members get certificates, start together, and init waits for etcd health", async () => {
        const cfg = seedsWith({
            etcd: { topology: "external", hosts: [host("etcd1", "211.183.3.21", "rack-a"), host("etcd2", "211.183.3.22", "rack-b"), host("etcd3", "211.183.3.23", "rack-c")] },
        });
        const { resources } = await build(cfg);
        const names = resources.map((r) => r.name);
        for (const m of ["etcd1", "etcd2", "etcd3"]) {
            assert.ok(names.includes(`dev-${m}-bootstrap`) && names.includes(`dev-${m}-secrets`));
            assert.ok(names.includes(`dev-pki-etcd-${m}-cert`));
        }
        assert.ok(names.includes("dev-etcd-health") && names.includes("dev-pki-apiserver-etcd-client-cert"));
        const cert = resources.find((r) => r.name === "dev-pki-etcd-etcd2-csr")!;
        assert.deepEqual(plain(cert.inputs.ipAddresses), ["211.183.3.22", "127.0.0.1"]);
        const env = String(byName(resources).get("dev-etcd1-bootstrap")!.inputs.stdin);
        assert.match(env, /etcd1=https:\/\/211\.183\.3\.21:2380,etcd2=https:\/\/211\.183\.3\.22:2380,etcd3=https:\/\/211\.183\.3\.23:2380/);
    });
});
