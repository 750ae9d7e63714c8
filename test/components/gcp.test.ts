/**
 * The GCP platform under the SDK's mocks: resources per kind, placement over zones, the API
 * load balancers and their health checks, firewall rules, secrets delivery, outputs, and a worker
 * count that does not change the resources.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { loadSpec, type RawStackConfig } from "../../config";
import type { GcpCluster as GcpClusterT } from "../../components/gcp";
import { scriptFromCloudInit } from "../../components/render/cloudinit";
import { extractFiles, scriptNode } from "../../components/render/script";
import { SynthMocks } from "../../synth/mocks";
import * as fc from "fast-check";
import { accountId, backupBucketName, gceName, serviceAccountEmail, type GcpRole } from "../../components/gcp/names";
import { firewallRules } from "../../components/gcp/rules";
import { merge } from "../unit/fixtures";
import { golden } from "../unit/golden";
import { isSecret, plain, resolve, settle, type Recorded, cloudSpec } from "./harness";

const PUBLIC_IP = "203.0.113.7";
const ZONES = ["europe-west1-b", "europe-west1-c", "europe-west1-d"];
const HC_INTERNAL = ["35.191.0.0/16", "130.211.0.0/22"];

/** Records registrations; an external address gets a public IP, as GCP assigns one. */
class GcpMocks extends SynthMocks {
    readonly resources: Recorded[] = [];
    constructor() {
        super({ outputs: { "gcp:compute/address:Address": (a) => (a.inputs.addressType === "EXTERNAL" ? { address: PUBLIC_IP } : {}) } });
    }
    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        this.resources.push({ type: args.type, name: args.name, inputs: args.inputs });
        return super.newResource(args);
    }
}

/** The gcp stack's cluster (Pulumi.gcp.yaml), with a patch. */
function gcpConfig(patch: Record<string, unknown> = {}, top: Partial<RawStackConfig> = {}): RawStackConfig {
    const cluster = {
        name: "gcp",
        kubernetes: { version: "1.37.2", podSubnet: "10.64.0.0/12" },
        network: { nodeCidr: "10.10.0.0/16" },
        controlPlane: { count: 3 },
        workers: { count: 3 },
        cloud: { region: "europe-west1", zones: ZONES, project: "hacluster-example", image: "projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64" },
    };
    return { profile: "ha", platform: "gcp", cluster: merge(cluster, patch), ...top };
}

async function build(cfg = gcpConfig()) {
    const mocks = new GcpMocks();
    pulumi.runtime.setAllConfig({}, []);
    pulumi.runtime.setMocks(mocks, "hacluster", "test", false);
    // Imported after setMocks, as the SDK's testing guide asks.
    const { GcpCluster } = (await import("../../components/gcp")) as { GcpCluster: typeof GcpClusterT };
    const { spec } = loadSpec(cfg, { stack: "gcp" });
    const cluster = new GcpCluster(spec.name, { spec: cloudSpec(spec) });
    await resolve(cluster.endpoint);
    await resolve(cluster.kubeconfig);
    await settle();
    return { cluster, resources: mocks.resources, spec };
}

const ofType = (rs: readonly Recorded[], t: string) => rs.filter((r) => r.type === `gcp:${t}`);
const named = (rs: readonly Recorded[], name: string) => {
    const r = rs.find((x) => x.name === name);
    assert.ok(r, `no resource ${name}`);
    return r;
};
const firewalls = (rs: readonly Recorded[]) => new Map(ofType(rs, "compute/firewall:Firewall").map((r) => [r.name.replace(/^[a-z0-9-]*?-fw-/, ""), plain(r.inputs)]));
const userData = (r: Recorded): string => {
    const md = r.inputs.metadata;
    assert.ok(!isSecret(md) && !isSecret(md["user-data"]), `${r.name}: metadata must be public`);
    return String(md["user-data"]);
};
const nodeFile = (r: Recorded, base: string): string => {
    const script = scriptFromCloudInit(userData(r));
    assert.ok(script, `${r.name}: user-data carries a node script`);
    const f = extractFiles(script).find((x) => x.name === base);
    assert.ok(f, `${r.name}: no ${base}`);
    return f.content;
};
const certSANs = (r: Recorded): string[] => {
    const docs = nodeFile(r, "kubeadm.yaml").split(/^---$/m).map((d) => parse(d));
    return docs.find((d) => d?.kind === "ClusterConfiguration").apiServer.certSANs;
};
const SA = (id: string) => `${id}@hacluster-example.iam.gserviceaccount.com`;
const BUCKET = "gcp-etcd-backups-hacluster-example";
/** The media-upload URL of a member's snapshots, as the snapshot script calls it. */
const uploadUrl = (bucket: string, member: string) => `'https://storage.googleapis.com/upload/storage/v1/b/${bucket}/o?uploadType=media&name=${member}%2F'"$(basename "$1")"`;
/** Every upload URL in a text: [bucket, member]. */
const uploads = (text: string) => [...text.matchAll(/\/upload\/storage\/v1\/b\/([^/]+)\/o\?uploadType=media&name=([^%]+)%2F/g)].map((m) => [m[1], m[2]]);
/** The etcd snapshot bucket's settings for a retention of `days`. */
const bucketSettings = (days: number) => ({
    project: "hacluster-example",
    name: BUCKET,
    location: "EUROPE-WEST1",
    storageClass: "STANDARD",
    uniformBucketLevelAccess: true,
    publicAccessPrevention: "enforced",
    versioning: { enabled: true },
    lifecycleRules: [
        { action: { type: "Delete" }, condition: { age: days, withState: "LIVE" } },
        { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: days, withState: "ARCHIVED" } },
    ],
    forceDestroy: false,
    labels: { "hacluster-cluster": "gcp", "hacluster-role": "etcd-backups" },
});

describe("components: GCP cluster (mocked)", function () {
    this.timeout(60000);

    it("registers the gcp stack's cluster: network, NAT, identities, firewall, machines, load balancer, one pool", async () => {
        const { resources } = await build();
        const counts: Record<string, number> = {};
        for (const r of resources.filter((x) => x.type.startsWith("gcp:") || x.type.startsWith("hacluster:"))) counts[r.type] = (counts[r.type] ?? 0) + 1;
        assert.deepEqual(counts, {
            "hacluster:gcp:Cluster": 1,
            "hacluster:pki:ClusterPki": 1,
            "gcp:compute/network:Network": 1,
            "gcp:compute/subnetwork:Subnetwork": 1,
            "gcp:compute/router:Router": 1,
            "gcp:compute/routerNat:RouterNat": 1,
            // control planes and workers: account, secret, its value, the binding that reads it
            "gcp:serviceaccount/account:Account": 2,
            "gcp:secretmanager/secret:Secret": 2,
            "gcp:secretmanager/secretVersion:SecretVersion": 2,
            "gcp:secretmanager/secretIamMember:SecretIamMember": 2,
            // api-nodes, api-health-checks, etcd, kubelet, cni, deny-other
            "gcp:compute/firewall:Firewall": 6,
            // the load balancer's and 3 control planes' fixed addresses
            "gcp:compute/address:Address": 4,
            "gcp:compute/instance:Instance": 3,
            "gcp:compute/instanceGroup:InstanceGroup": 3,
            "gcp:compute/regionHealthCheck:RegionHealthCheck": 1,
            "gcp:compute/regionBackendService:RegionBackendService": 1,
            "gcp:compute/forwardingRule:ForwardingRule": 1,
            "gcp:compute/instanceTemplate:InstanceTemplate": 1,
            "gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager": 1,
            // etcd snapshots: the bucket, and the control planes' account as its only writer
            "gcp:storage/bucket:Bucket": 1,
            "gcp:storage/bucketIAMMember:BucketIAMMember": 1,
        });
        for (const r of resources) assert.ok(r.name === "gcp" || r.name.startsWith("gcp-"), `${r.name} is not named after the cluster`);
        for (const r of resources.filter((x) => x.type.startsWith("gcp:"))) {
            assert.equal(plain(r.inputs).project ?? "hacluster-example", "hacluster-example", `${r.name}: project from cloud.project`);
        }
    });

    it("places control planes round-robin over the three zones at fixed addresses, one instance group per zone", async () => {
        const { resources } = await build(gcpConfig({ controlPlane: { count: 5 } }));
        const instances = ofType(resources, "compute/instance:Instance").map((r) => plain(r.inputs));
        assert.deepEqual(
            instances.map((i) => [i.name, i.zone, i.networkInterfaces[0].networkIp]),
            [
                ["gcp-cp-1", ZONES[0], "10.10.0.10"],
                ["gcp-cp-2", ZONES[1], "10.10.0.11"],
                ["gcp-cp-3", ZONES[2], "10.10.0.12"],
                ["gcp-cp-4", ZONES[0], "10.10.0.13"],
                ["gcp-cp-5", ZONES[1], "10.10.0.14"],
            ],
        );
        // Each fixed address is reserved as an internal address in the node subnet first.
        for (const i of instances) {
            const addr = plain(named(resources, `${i.name}-ip`).inputs);
            assert.deepEqual([addr.addressType, addr.address, addr.subnetwork], ["INTERNAL", i.networkInterfaces[0].networkIp, "gcp-nodes-id"]);
        }
        const groups = ofType(resources, "compute/instanceGroup:InstanceGroup")
            .map((r) => plain(r.inputs))
            .sort((a, b) => a.zone.localeCompare(b.zone));
        assert.deepEqual(
            groups.map((g) => [g.zone, g.instances]),
            [
                [ZONES[0], ["gcp-cp-1-id", "gcp-cp-4-id"]],
                [ZONES[1], ["gcp-cp-2-id", "gcp-cp-5-id"]],
                [ZONES[2], ["gcp-cp-3-id"]],
            ],
        );
        const mig = plain(named(resources, "gcp-workers").inputs);
        assert.deepEqual(mig.distributionPolicyZones, ZONES);
        assert.equal(mig.region, "europe-west1");
    });

    it("hardens every machine: Shielded VM, no external address, its role's service account, encrypted pd-balanced disk", async () => {
        const { resources } = await build();
        for (const r of ofType(resources, "compute/instance:Instance")) {
            const i = plain(r.inputs);
            assert.deepEqual(i.shieldedInstanceConfig, { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true }, r.name);
            assert.equal(i.networkInterfaces[0].accessConfigs, undefined, `${r.name} has no external address`);
            assert.equal(i.serviceAccount.email, SA("gcp-cp"));
            assert.equal(i.bootDisk.initializeParams.type, "pd-balanced");
            assert.equal(i.canIpForward, false);
            assert.equal(i.metadata["enable-oslogin"], "TRUE", "no key in config: OS Login");
            assert.equal(i.metadata["block-project-ssh-keys"], "TRUE");
            assert.equal(i.metadata["ssh-keys"], undefined);
        }
        const t = plain(named(resources, "gcp-workers-template").inputs);
        assert.deepEqual(t.shieldedInstanceConfig, { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true });
        assert.equal(t.networkInterfaces[0].accessConfigs, undefined);
        assert.equal(t.serviceAccount.email, SA("gcp-worker"));
        assert.equal(t.disks[0].sourceImage, "projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64");
        // Egress: Cloud NAT for the node subnet.
        const nat = plain(named(resources, "gcp-nat").inputs);
        assert.equal(nat.router, "gcp-router");
        assert.deepEqual(nat.subnetworks, [{ name: "gcp-nodes-id", sourceIpRangesToNats: ["ALL_IP_RANGES"] }]);
        assert.equal(plain(named(resources, "gcp-nodes").inputs).privateIpGoogleAccess, true);
    });

    it("puts the API behind an internal passthrough load balancer with an HTTPS /readyz health check on 6443", async () => {
        const { resources } = await build();
        const hc = plain(ofType(resources, "compute/regionHealthCheck:RegionHealthCheck")[0].inputs);
        assert.deepEqual(hc.httpsHealthCheck, { port: 6443, requestPath: "/readyz" });
        assert.equal(hc.region, "europe-west1");
        const bs = plain(named(resources, "gcp-api-backend").inputs);
        assert.deepEqual([bs.loadBalancingScheme, bs.protocol, bs.healthChecks], ["INTERNAL", "TCP", "gcp-api-hc-id"]);
        assert.deepEqual(
            bs.backends,
            ZONES.map((z) => ({ group: `gcp-api-${z}-id`, balancingMode: "CONNECTION" })),
        );
        const fr = plain(named(resources, "gcp-api").inputs);
        assert.deepEqual([fr.loadBalancingScheme, fr.ipAddress, fr.ports, fr.backendService], ["INTERNAL", "10.10.0.5", ["6443"], "gcp-api-backend-id"]);
        assert.equal(plain(named(resources, "gcp-api-ip").inputs).address, "10.10.0.5", "the address is reserved");
        assert.ok(!resources.some((r) => plain(r.inputs).addressType === "EXTERNAL"), "no public address by default");
        // Health checks reach the control planes' 6443, and only that.
        const fw = firewalls(resources).get("api-health-checks")!;
        assert.deepEqual(fw.sourceRanges, HC_INTERNAL);
        assert.deepEqual(fw.allows, [{ protocol: "tcp", ports: ["6443"] }]);
        assert.deepEqual(fw.targetServiceAccounts, [SA("gcp-cp")]);
    });

    it("keeps firewall rules narrow: nothing from 0.0.0.0/0, etcd between control planes, kubelet from control planes, SSH closed", async () => {
        const { resources } = await build();
        const fw = firewalls(resources);
        assert.deepEqual([...fw.keys()].sort(), ["api-health-checks", "api-nodes", "cni", "deny-other", "etcd", "kubelet"]);
        for (const [id, r] of fw) {
            assert.ok(r.targetServiceAccounts.length > 0, `${id}: an empty target list would match every instance`);
            assert.equal(r.direction, "INGRESS");
            if (id === "deny-other") continue;
            assert.ok(r.allows && !r.denies, id);
            assert.ok(!(r.sourceRanges ?? []).includes("0.0.0.0/0"), `${id} is open to the internet`);
            assert.equal(r.priority, 1000);
        }
        assert.deepEqual(fw.get("api-nodes")!.sourceRanges, ["10.10.0.0/16"]);
        assert.deepEqual(fw.get("etcd")!.allows, [{ protocol: "tcp", ports: ["2379-2380"] }]);
        assert.deepEqual([fw.get("etcd")!.sourceServiceAccounts, fw.get("etcd")!.targetServiceAccounts], [[SA("gcp-cp")], [SA("gcp-cp")]]);
        assert.deepEqual(fw.get("kubelet")!.allows, [{ protocol: "tcp", ports: ["10250"] }]);
        assert.deepEqual(fw.get("kubelet")!.sourceServiceAccounts, [SA("gcp-cp")]);
        assert.deepEqual(fw.get("kubelet")!.targetServiceAccounts, [SA("gcp-cp"), SA("gcp-worker")]);
        assert.deepEqual(fw.get("cni")!.sourceServiceAccounts, [SA("gcp-cp"), SA("gcp-worker")]);
        assert.deepEqual(
            fw.get("cni")!.allows.map((a: { protocol: string }) => a.protocol),
            ["tcp", "udp", "ipip", "icmp"],
        );
        // Which rule admits a port from the internet? None: every allow names its sources.
        for (const port of ["2379", "2380", "10250", "22"]) {
            const open = [...fw.entries()].filter(([id, r]) => id !== "deny-other" && (r.sourceRanges ?? []).length > 0 && JSON.stringify(r.allows).includes(port));
            assert.deepEqual(open.map(([id]) => id), [], `port ${port} is admitted from address ranges`);
        }
        const deny = fw.get("deny-other")!;
        assert.deepEqual([deny.denies, deny.sourceRanges, deny.priority], [[{ protocol: "all" }], ["0.0.0.0/0"], 65000]);
    });

    it("opens SSH and the API only to the configured CIDRs, with the key in metadata", async () => {
        const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHh0ZXN0a2V5 admin@example";
        const { resources } = await build(gcpConfig({ cloud: { sshPublicKey: key, sshAllowedCidrs: ["198.51.100.0/24"], apiAllowedCidrs: ["192.0.2.0/24"] } }));
        const fw = firewalls(resources);
        assert.deepEqual(fw.get("ssh")!.sourceRanges, ["198.51.100.0/24"]);
        assert.deepEqual(fw.get("ssh")!.allows, [{ protocol: "tcp", ports: ["22"] }]);
        assert.deepEqual(fw.get("api-clients")!.sourceRanges, ["192.0.2.0/24"]);
        assert.deepEqual(fw.get("api-clients")!.targetServiceAccounts, [SA("gcp-cp")]);
        for (const r of [...ofType(resources, "compute/instance:Instance"), ...ofType(resources, "compute/instanceTemplate:InstanceTemplate")]) {
            const md = plain(r.inputs).metadata;
            assert.equal(md["ssh-keys"], `ubuntu:${key}`, r.name);
            assert.equal(md["enable-oslogin"], "FALSE", r.name);
        }
    });

    it("delivers secrets through Secret Manager only: secret values, least-privilege readers, nothing secret in metadata", async () => {
        const { resources } = await build();
        const versions = new Map(ofType(resources, "secretmanager/secretVersion:SecretVersion").map((r) => [r.name, r.inputs]));
        const cpValue = versions.get("gcp-secret-control-plane-value")!;
        const workerValue = versions.get("gcp-secret-worker-value")!;
        assert.ok(isSecret(cpValue.secretData) && isSecret(workerValue.secretData), "secret values are Pulumi secrets");
        const cpScript = String(plain(cpValue.secretData));
        assert.match(cpScript, /^#!\/usr\/bin\/env bash/);
        assert.match(cpScript, /\/etc\/hacluster\/secrets\/pki\/ca\.key/);
        assert.match(cpScript, /BEGIN RSA PRIVATE KEY/);
        assert.ok(!String(plain(workerValue.secretData)).includes("PRIVATE KEY"), "workers never receive CA keys");
        const token = /bootstrap-token' <<'HACLUSTER_SECRET_EOF'\n([a-z0-9]{6}\.[a-z0-9]{16})\n/.exec(cpScript)?.[1];
        assert.ok(token, "the control planes' secret carries the join token");

        // Each role's account may read its own secret and nothing else.
        const readers = ofType(resources, "secretmanager/secretIamMember:SecretIamMember").map((r) => plain(r.inputs));
        assert.deepEqual(
            readers.map((r) => [r.secretId, r.member, r.role]).sort(),
            [
                ["hacluster-gcp-control-plane", `serviceAccount:${SA("gcp-cp")}`, "roles/secretmanager.secretAccessor"],
                ["hacluster-gcp-worker", `serviceAccount:${SA("gcp-worker")}`, "roles/secretmanager.secretAccessor"],
            ],
        );
        assert.ok(!resources.some((r) => /projects\/iAM|projectIam|organizations/i.test(r.type)), "no project-wide grants");
        for (const s of ofType(resources, "secretmanager/secret:Secret")) {
            assert.deepEqual(plain(s.inputs).replication, { userManaged: { replicas: [{ location: "europe-west1" }] } });
        }

        // Machines carry the public node script only; it names its role's secret.
        const booted = [...ofType(resources, "compute/instance:Instance"), ...ofType(resources, "compute/instanceTemplate:InstanceTemplate")];
        assert.equal(booted.length, 4);
        for (const r of booted) {
            assert.ok(!JSON.stringify(r.inputs).includes("4dabf18193072939515e22adb298388d"), `${r.name}: no secret input at all`);
            const text = JSON.stringify(plain(r.inputs));
            assert.ok(!text.includes("PRIVATE KEY"), `${r.name} carries a private key`);
            assert.ok(!text.includes(token), `${r.name} carries the join token`);
            assert.ok(!text.includes("EncryptionConfiguration"), `${r.name} carries the encryption key`);
            const ud = userData(r);
            const role = r.type.includes("Template") ? "worker" : "control-plane";
            assert.ok(ud.includes(`https://secretmanager.googleapis.com/v1/projects/hacluster-example/secrets/hacluster-gcp-${role}/versions/latest:access`), `${r.name} reads its own secret`);
            assert.ok(ud.includes("@@BOOTSTRAP_TOKEN@@") || role === "control-plane", `${r.name}: the token placeholder, not the token`);
        }
        // Machines boot after their secret's value and permission exist (ordering via dependsOn is
        // checked in the synth test; here: the readers exist before instances are registered).
        const order = resources.map((r) => r.name);
        assert.ok(order.indexOf("gcp-secret-control-plane-reader") < order.indexOf("gcp-cp-1"));
    });

    it("renders the first control plane's init, joins for the others and the pool; joins avoid the LB hairpin", async () => {
        const { resources } = await build();
        const script = (name: string) => scriptFromCloudInit(userData(named(resources, name)))!;
        assert.equal(scriptNode(script("gcp-cp-1")), "cp-1");
        assert.match(script("gcp-cp-1"), /kubeadm init --config/);
        for (const cp of ["gcp-cp-2", "gcp-cp-3"]) {
            const s = script(cp);
            assert.match(s, /retry 10 30 hacluster_join/, "cloud joins retry 10 times");
            assert.match(s, /retry 120 10 curl -fsk --max-time 5 -o \/dev\/null 'https:\/\/api\.gcp\.internal:6443\/readyz'/, "and wait for the endpoint");
            // Before joining, a control plane reaches the API through the first control plane, not its own LB backend route.
            assert.match(s, /echo '10\.10\.0\.10 api\.gcp\.internal # hacluster-endpoint'/);
            assert.match(s, /echo '127\.0\.0\.1 api\.gcp\.internal # hacluster-endpoint'/);
            assert.match(nodeFile(named(resources, cp), "kubeadm.yaml"), /caCertHashes:\n\s+- sha256:[0-9a-f]{64}/);
        }
        const pool = script("gcp-workers-template");
        assert.equal(scriptNode(pool), "workers", "the pool's script is named after the pool");
        assert.match(pool, /echo '10\.10\.0\.5 api\.gcp\.internal # hacluster-endpoint'/, "workers dial the internal load balancer");
        assert.doesNotMatch(nodeFile(named(resources, "gcp-workers-template"), "kubeadm.yaml"), /^\s+name: /m, "no node name: kubeadm takes the hostname");
        assert.deepEqual(certSANs(named(resources, "gcp-cp-1")), ["api.gcp.internal", "10.10.0.5", "localhost", "127.0.0.1"]);
    });

    it("exports the endpoint, a secret kubeconfig from the admin certificate, nodes by zone and failure tolerance", async () => {
        const { cluster } = await build();
        assert.equal((await resolve(cluster.endpoint)).value, "https://10.10.0.5:6443");
        const kc = await resolve(cluster.kubeconfig);
        assert.ok(kc.secret, "kubeconfig is secret");
        const doc = parse(kc.value);
        assert.equal(doc.clusters[0].cluster.server, "https://10.10.0.5:6443");
        assert.match(Buffer.from(doc.users[0].user["client-key-data"], "base64").toString(), /PRIVATE KEY/);
        assert.ok(doc.clusters[0].cluster["certificate-authority-data"]);
        const nodes = (await resolve(cluster.nodes)).value;
        assert.deepEqual(
            nodes.map((x) => [x.name, x.role, x.zone, x.address ?? x.count]),
            [
                ["cp-1", "control-plane", ZONES[0], "10.10.0.10"],
                ["cp-2", "control-plane", ZONES[1], "10.10.0.11"],
                ["cp-3", "control-plane", ZONES[2], "10.10.0.12"],
                ["workers", "worker", ZONES.join(","), 3],
            ],
        );
        const ft = (await resolve(cluster.failureTolerance)).value;
        assert.deepEqual([ft.zones, ft.etcdMembers, ft.apiServers, ft.lbHosts], [1, 1, 1, null]);
    });

    it("does not grow with the worker count: 3 and 1000 workers register the same resources", async () => {
        const small = (await build()).resources;
        const large = (await build(gcpConfig({ workers: { count: 1000 } }))).resources;
        assert.deepEqual(
            large.map((r) => [r.type, r.name]),
            small.map((r) => [r.type, r.name]),
        );
        const changed = large.filter((r, i) => JSON.stringify(r.inputs) !== JSON.stringify(small[i].inputs)).map((r) => r.name);
        assert.deepEqual(changed, ["gcp-workers"], "only the group's size changes");
        assert.equal(plain(named(large, "gcp-workers").inputs).targetSize, 1000);
    });

    it("pools: one template and one regional group each, over the pool's zones, its labels on the kubelet", async () => {
        const pools = [
            { name: "general", count: 4 },
            { name: "gpu", count: 2, instanceType: "n1-standard-8", zones: [ZONES[0], ZONES[2]], labels: { "hacluster.io/pool": "gpu" } },
        ];
        const { resources, cluster } = await build(merge(gcpConfig(), { cluster: { workers: { count: undefined, pools } } }));
        assert.deepEqual(ofType(resources, "compute/regionInstanceGroupManager:RegionInstanceGroupManager").map((r) => r.name).sort(), ["gcp-general", "gcp-gpu"]);
        const gpu = plain(named(resources, "gcp-gpu").inputs);
        assert.deepEqual([gpu.distributionPolicyZones, gpu.targetSize, gpu.updatePolicy.maxSurgeFixed], [[ZONES[0], ZONES[2]], 2, 2]);
        const t = named(resources, "gcp-gpu-template");
        assert.equal(plain(t.inputs).machineType, "n1-standard-8");
        assert.equal(scriptNode(scriptFromCloudInit(userData(t))!), "gpu");
        assert.match(nodeFile(t, "kubeadm.yaml"), /name: node-labels\n\s+value: hacluster.io\/pool=gpu/);
        const nodes = (await resolve(cluster.nodes)).value.filter((x) => x.role === "worker");
        assert.deepEqual(nodes.map((x) => [x.name, x.count, x.zone]), [["general", 4, ZONES.join(",")], ["gpu", 2, `${ZONES[0]},${ZONES[2]}`]]);
    });

    it("public endpoint: an external passthrough load balancer too, its address in the certificate and the endpoint", async () => {
        const { resources, cluster } = await build(gcpConfig({ cloud: { publicEndpoint: true, apiAllowedCidrs: ["192.0.2.0/24"] } }));
        const ext = plain(named(resources, "gcp-api-public-ip").inputs);
        assert.deepEqual([ext.addressType, ext.networkTier], ["EXTERNAL", "PREMIUM"]);
        const bs = plain(named(resources, "gcp-api-public-backend").inputs);
        assert.deepEqual([bs.loadBalancingScheme, bs.protocol, bs.healthChecks], ["EXTERNAL", "TCP", "gcp-api-hc-id"]);
        assert.deepEqual(bs.backends, plain(named(resources, "gcp-api-backend").inputs).backends, "the same instance groups");
        const fr = plain(named(resources, "gcp-api-public").inputs);
        assert.deepEqual([fr.loadBalancingScheme, fr.ipAddress, fr.portRange], ["EXTERNAL", PUBLIC_IP, "6443"]);
        // Nodes keep the internal load balancer, at the same fixed address.
        assert.equal(plain(named(resources, "gcp-api").inputs).ipAddress, "10.10.0.5");
        assert.deepEqual(certSANs(named(resources, "gcp-cp-1")), ["api.gcp.internal", "localhost", "127.0.0.1", "10.10.0.5", PUBLIC_IP]);
        assert.match(scriptFromCloudInit(userData(named(resources, "gcp-workers-template")))!, /echo '10\.10\.0\.5 api\.gcp\.internal/);
        assert.equal((await resolve(cluster.endpoint)).value, `https://${PUBLIC_IP}:6443`);
        const hc = firewalls(resources).get("api-health-checks")!;
        assert.deepEqual(hc.sourceRanges, [...HC_INTERNAL, "209.85.152.0/22", "209.85.204.0/22"]);
    });

    it("external etcd: members in their own zones with their own account, secret and firewall rules", async () => {
        const { resources } = await build(gcpConfig({ etcd: { topology: "external" } }));
        const etcd = ofType(resources, "compute/instance:Instance").filter((r) => r.name.startsWith("gcp-etcd-")).map((r) => plain(r.inputs));
        assert.deepEqual(
            etcd.map((i) => [i.name, i.zone, i.networkInterfaces[0].networkIp, i.serviceAccount.email]),
            [1, 2, 3].map((k) => [`gcp-etcd-${k}`, ZONES[k - 1], `10.10.0.${29 + k}`, SA(`gcp-etcd-${k}`)]),
        );
        const values = new Map(ofType(resources, "secretmanager/secretVersion:SecretVersion").map((r) => [r.name, String(plain(r.inputs.secretData))]));
        const member1 = values.get("gcp-secret-etcd-1-value")!;
        assert.match(member1, /\/etc\/etcd\/pki\/server\.key/);
        assert.ok(!member1.includes("/etc/kubernetes/pki/ca.key") && !member1.includes("/etc/hacluster/secrets/pki/ca.key"), "an etcd member never receives the cluster CA key");
        const key2 = /server\.key' <<'HACLUSTER_SECRET_EOF'\n([\s\S]*?)HACLUSTER_SECRET_EOF/.exec(values.get("gcp-secret-etcd-2-value")!)![1];
        assert.ok(!member1.includes(key2.trim()), "members do not share keys");
        const fw = firewalls(resources);
        assert.ok(!fw.has("etcd"));
        const members = [1, 2, 3].map((k) => SA(`gcp-etcd-${k}`));
        assert.deepEqual(fw.get("etcd-clients")!.targetServiceAccounts, members);
        assert.deepEqual(fw.get("etcd-clients")!.sourceServiceAccounts, [SA("gcp-cp"), ...members]);
        assert.deepEqual(fw.get("etcd-clients")!.allows, [{ protocol: "tcp", ports: ["2379"] }]);
        assert.deepEqual(fw.get("etcd-peers")!.sourceServiceAccounts, members);
        assert.ok(fw.get("deny-other")!.targetServiceAccounts.includes(SA("gcp-etcd-1")));
        const etcdEnv = nodeFile(named(resources, "gcp-etcd-2"), "etcd.env");
        assert.match(etcdEnv, /etcd-1=https:\/\/10\.10\.0\.30:2380,etcd-2=https:\/\/10\.10\.0\.31:2380,etcd-3=https:\/\/10\.10\.0\.32:2380/);
    });

    it("etcd snapshots (stacked): a private, versioned regional bucket kept retentionDays; only the control planes' account may create objects", async () => {
        const { resources, cluster } = await build();
        const buckets = ofType(resources, "storage/bucket:Bucket");
        assert.deepEqual(buckets.map((b) => b.name), ["gcp-etcd-backups"]);
        assert.deepEqual(plain(buckets[0].inputs), bucketSettings(14), "default retention: 14 days");
        assert.ok(!("encryption" in buckets[0].inputs), "Google-managed encryption (the default)");
        assert.equal((await resolve(cluster.etcdBackupBucket)).value, BUCKET);

        // One binding, on this bucket, for the control planes' account: create objects, nothing more.
        const writers = ofType(resources, "storage/bucketIAMMember:BucketIAMMember").map((r) => plain(r.inputs));
        assert.deepEqual(writers, [{ bucket: BUCKET, role: "roles/storage.objectCreator", member: `serviceAccount:${SA("gcp-cp")}` }]);
        const grants = resources.filter((r) => r.type.startsWith("gcp:") && /iam|acl|accessControl/i.test(r.type) && !r.type.startsWith("gcp:secretmanager/"));
        assert.deepEqual(grants.map((r) => r.type), ["gcp:storage/bucketIAMMember:BucketIAMMember"], "no other grant, no project-wide one, no ACL");

        // Every control plane uploads its own snapshots there, with a token its scopes allow.
        for (const cp of ["cp-1", "cp-2", "cp-3"]) {
            const r = named(resources, `gcp-${cp}`);
            const snapshot = nodeFile(r, "hacluster-etcd-snapshot");
            assert.ok(snapshot.includes(uploadUrl(BUCKET, cp)), `${cp} uploads to gs://${BUCKET}/${cp}/`);
            assert.deepEqual(uploads(userData(r)), [[BUCKET, cp]], `${cp}: one upload, its own prefix`);
            assert.match(snapshot, /upload "\$out"/, `${cp}: the upload runs after each snapshot`);
            assert.deepEqual(plain(r.inputs).serviceAccount.scopes, ["https://www.googleapis.com/auth/cloud-platform"], `${cp}: the scope allows Cloud Storage`);
        }
        // The pool's template knows nothing about snapshots or the bucket.
        const worker = userData(named(resources, "gcp-workers-template"));
        assert.deepEqual(uploads(worker), []);
        assert.ok(!worker.includes(BUCKET) && !worker.includes("hacluster-etcd-snapshot"), "workers hold no etcd member");

        // Control planes boot after the bucket and their permission exist.
        const order = resources.map((r) => r.name);
        assert.ok(order.indexOf("gcp-etcd-backups-writer-control-plane") < order.indexOf("gcp-cp-1"));
    });

    it("etcd snapshots: the lifecycle follows cluster.etcd.backup.retentionDays", async () => {
        const { resources } = await build(gcpConfig({ etcd: { backup: { retentionDays: 45 } } }));
        assert.deepEqual(plain(named(resources, "gcp-etcd-backups").inputs), bucketSettings(45));
    });

    it("etcd snapshots (external etcd): each member's account writes, the control planes' does not; members upload, control planes do not", async () => {
        const { resources } = await build(gcpConfig({ etcd: { topology: "external" } }));
        assert.deepEqual(plain(named(resources, "gcp-etcd-backups").inputs), bucketSettings(14));
        const writers = ofType(resources, "storage/bucketIAMMember:BucketIAMMember").map((r) => [r.name, plain(r.inputs)]);
        assert.deepEqual(
            writers,
            [1, 2, 3].map((k) => [`gcp-etcd-backups-writer-etcd-${k}`, { bucket: BUCKET, role: "roles/storage.objectCreator", member: `serviceAccount:${SA(`gcp-etcd-${k}`)}` }]),
        );
        for (const k of [1, 2, 3]) {
            const r = named(resources, `gcp-etcd-${k}`);
            assert.ok(nodeFile(r, "hacluster-etcd-snapshot").includes(uploadUrl(BUCKET, `etcd-${k}`)), `etcd-${k} uploads to its prefix`);
            assert.deepEqual(uploads(userData(r)), [[BUCKET, `etcd-${k}`]]);
            assert.deepEqual(plain(r.inputs).serviceAccount.scopes, ["https://www.googleapis.com/auth/cloud-platform"]);
        }
        for (const r of [...ofType(resources, "compute/instance:Instance").filter((x) => x.name.startsWith("gcp-cp-")), named(resources, "gcp-workers-template")]) {
            assert.deepEqual(uploads(userData(r)), [], `${r.name} holds no etcd member`);
            assert.ok(!userData(r).includes(BUCKET), r.name);
        }
    });

    it("existing network: no network, subnet or NAT; machines use the given subnet", async () => {
        const networkId = "projects/shared-vpc-host/global/networks/prod";
        const subnetId = "projects/shared-vpc-host/regions/europe-west1/subnetworks/k8s";
        const { resources } = await build(
            gcpConfig({ network: { nodeCidr: "10.20.0.0/20" }, cloud: { existingNetwork: { networkId, subnets: [{ id: subnetId, cidr: "10.20.0.0/20" }] } } }),
        );
        for (const t of ["network:Network", "subnetwork:Subnetwork", "router:Router", "routerNat:RouterNat"]) assert.equal(ofType(resources, `compute/${t}`).length, 0, t);
        assert.equal(plain(named(resources, "gcp-cp-1").inputs).networkInterfaces[0].subnetwork, subnetId);
        assert.equal(plain(named(resources, "gcp-workers-template").inputs).networkInterfaces[0].subnetwork, subnetId);
        assert.equal(plain(named(resources, "gcp-api").inputs).ipAddress, "10.20.0.5");
        for (const fw of firewalls(resources).values()) assert.equal(fw.network, networkId);
    });

    it("refuses an endpoint port other than 6443 (passthrough load balancers keep the port)", async () => {
        await assert.rejects(
            build(gcpConfig({ endpoint: { port: 443 } })),
            /cluster\.endpoint\.port: 443 is not the API servers' port 6443/,
        );
    });
});

describe("GCP names and firewall rules (pure)", () => {
    it("service account ids fit GCP's rules for any cluster name and role, stay distinct and deterministic", () => {
        const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
        const role = fc.oneof(fc.constantFrom<GcpRole>("control-plane", "worker"), fc.integer({ min: 1, max: 7 }).map((k) => `etcd-${k}` as GcpRole));
        fc.assert(
            fc.property(label, role, role, (cluster, a, b) => {
                const id = accountId(cluster, a);
                assert.match(id, /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/);
                assert.equal(accountId(cluster, a), id);
                if (a !== b) assert.notEqual(accountId(cluster, b), id);
            }),
            { numRuns: 300 },
        );
        assert.equal(accountId("gcp", "control-plane"), "gcp-cp");
        assert.equal(accountId("prod", "etcd-3"), "prod-etcd-3");
        assert.equal(accountId("a", "control-plane"), "hac-a-cp", "at least 6 characters");
        assert.equal(accountId("9lives", "worker"), "h9lives-worker");
        assert.notEqual(accountId("a".repeat(40) + "x", "worker"), accountId("a".repeat(40) + "y", "worker"), "long names stay distinct");
    });

    it("GCE names start with a letter, fit the limit and keep long names distinct", () => {
        const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
        fc.assert(
            fc.property(label, label, fc.integer({ min: 20, max: 63 }), (a, b, max) => {
                const name = gceName([a, b], max);
                assert.ok(name.length <= max, name);
                assert.match(name, /^[a-z]([-a-z0-9]*[a-z0-9])?$/);
            }),
            { numRuns: 300 },
        );
        assert.equal(gceName(["gcp", "cp-1"]), "gcp-cp-1");
        assert.equal(serviceAccountEmail("gcp-cp", "p-1"), "gcp-cp@p-1.iam.gserviceaccount.com");
    });

    it("snapshot bucket names fit GCS's rules for any cluster and project, stay distinct and deterministic", () => {
        const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
        const project = fc.stringMatching(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/);
        fc.assert(
            fc.property(label, project, project, (cluster, p, q) => {
                const name = backupBucketName(cluster, p);
                assert.match(name, /^[a-z0-9][-a-z0-9]{1,61}[a-z0-9]$/);
                assert.ok(!name.startsWith("goog") && !/g[o0][o0]gle/.test(name), name);
                assert.equal(backupBucketName(cluster, p), name);
                if (p !== q) assert.notEqual(backupBucketName(cluster, q), name, "projects never share a name");
            }),
            { numRuns: 300 },
        );
        assert.equal(backupBucketName("gcp", "hacluster-example"), BUCKET);
        const long = backupBucketName("a".repeat(50), "my-project-123456");
        assert.ok(long.length <= 63 && long.startsWith("aaaa"), long);
        assert.notEqual(backupBucketName("a".repeat(50) + "b", "my-project-123456"), backupBucketName("a".repeat(50) + "c", "my-project-123456"), "long names stay distinct");
        assert.equal(backupBucketName("google-lab", "p-12345"), "ggl-lab-etcd-backups-p-12345", "no 'google' in a bucket name");
        assert.equal(backupBucketName("goog", "p-12345"), "hgoog-etcd-backups-p-12345", "no leading 'goog'");
        assert.equal(backupBucketName("dev", "example.com:prod"), "dev-etcd-backups-example-com-prod", "domain-scoped project ids");
    });

    it("firewall rules of the gcp stack (golden), and of a public endpoint with external etcd", () => {
        const spec = loadSpec(gcpConfig(), { stack: "gcp" }).spec;
        golden("gcp-firewall-rules.json", `${JSON.stringify(firewallRules(cloudSpec(spec), { nodeCidr: "10.10.0.0/16", loadBalancer: true, publicEndpoint: false }), null, 2)}\n`);
        const ext = loadSpec(gcpConfig({ etcd: { topology: "external" }, cloud: { publicEndpoint: true } }), { stack: "gcp" }).spec;
        const rules = firewallRules(cloudSpec(ext), { nodeCidr: "10.10.0.0/16", loadBalancer: true, publicEndpoint: true });
        for (const r of rules.filter((x) => x.action === "allow")) {
            const ranges = "ranges" in r.source ? r.source.ranges : [];
            assert.ok(!ranges.includes("0.0.0.0/0"), r.id);
            const ports = r.rules.flatMap((x) => x.ports ?? []);
            if (ports.some((p) => ["2379", "2380", "2379-2380", "10250"].includes(p))) assert.ok("principals" in r.source, `${r.id} admits etcd or the kubelet from address ranges`);
        }
        assert.deepEqual(rules.find((r) => r.id === "ssh"), undefined, "SSH closed unless configured");
        const direct = firewallRules(cloudSpec(spec), { nodeCidr: "10.10.0.0/16", loadBalancer: false, publicEndpoint: false });
        assert.ok(!direct.some((r) => r.id === "api-health-checks"), "no load balancer, no health-check ranges");
    });
});
