/**
 * GKE under mocks: a regional cluster over the zones, node pools with per-zone counts,
 * VPC-native ranges, private nodes with Cloud NAT, Workload Identity, the node service account,
 * Secrets encryption with Cloud KMS, and the secret kubeconfig.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { loadSpec } from "../../config";
import type { GkeCluster as GkeClusterT } from "../../components/managed/gke";
import { SynthMocks } from "../../synth/mocks";
import { merge } from "../unit/fixtures";
import { counts, fastStacks, norm, ofType, one, type Recorded, resolve, settle, managedSpec } from "./harness";


const PROJECT = "acme-prod";

class Recorder extends SynthMocks {
    readonly resources: Recorded[] = [];
    constructor() {
        super({
            outputs: {
                "gcp:container/cluster:Cluster": () => ({ endpoint: "34.76.1.2", masterAuth: { clusterCaCertificate: "Q0EtREFUQQ==" } }),
                "gcp:serviceaccount/account:Account": (a) => ({
                    email: `${a.inputs.accountId}@${PROJECT}.iam.gserviceaccount.com`,
                    member: `serviceAccount:${a.inputs.accountId}@${PROJECT}.iam.gserviceaccount.com`,
                }),
                "gcp:kms/cryptoKey:CryptoKey": (a) => ({ id: `projects/${PROJECT}/locations/europe-west1/keyRings/ring/cryptoKeys/${a.name}` }),
            },
            calls: { "gcp:organizations/getProject:getProject": (a) => (a.inputs.projectId === PROJECT ? { number: "123456789", projectId: PROJECT } : {}) },
        });
    }
    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        this.resources.push({ type: args.type, name: args.name, inputs: norm(args.inputs) });
        const r = super.newResource(args);
        return args.type === "gcp:kms/cryptoKey:CryptoKey" ? { ...r, id: String((r.state as any).id) } : r;
    }
}


const ZONES = ["europe-west1-b", "europe-west1-c", "europe-west1-d"];
const base = {
    name: "g1",
    kubernetes: { version: "1.33.4" },
    cloud: { region: "europe-west1", zones: ZONES, project: PROJECT, publicEndpoint: true, apiAllowedCidrs: ["203.0.113.0/24"] },
    workers: { pools: [{ name: "general", count: 10, instanceType: "e2-standard-4" }, { name: "batch", count: 3, instanceType: "n2-standard-8", zones: ["europe-west1-b", "europe-west1-c"], labels: { workload: "batch" } }] },
    managed: { adminPrincipals: ["group:platform@example.com"] },
};

async function build(patch: Record<string, unknown> = {}) {
    const mocks = new Recorder();
    pulumi.runtime.setAllConfig({});
    pulumi.runtime.setMocks(mocks, "hacluster", "test", false);
    const { GkeCluster } = (await import("../../components/managed/gke")) as { GkeCluster: typeof GkeClusterT };
    const { spec } = loadSpec({ profile: "ha", platform: "gcp", family: "managed", cluster: merge(base, patch) }, { stack: "t" });
    const cluster = new GkeCluster(spec.name, { spec: managedSpec(spec) });
    await resolve(cluster.kubeconfig);
    await settle();
    return { cluster, resources: mocks.resources };
}


describe("components: GKE (mocked)", function () {
    this.timeout(60000);
    fastStacks();
    let built: Awaited<ReturnType<typeof build>>;
    before(async () => {
        built = await build();
    });

    it("registers network, NAT, node identity, KMS, a regional cluster, a node pool per pool and admins", () => {
        assert.deepEqual(counts(built.resources), {
            "hacluster:managed:Gke": 1,
            "gcp:compute/network:Network": 1,
            "gcp:compute/subnetwork:Subnetwork": 1,
            "gcp:compute/router:Router": 1,
            "gcp:compute/routerNat:RouterNat": 1,
            "gcp:serviceaccount/account:Account": 1,
            "gcp:projects/iAMMember:IAMMember": 3,
            "gcp:kms/keyRing:KeyRing": 1,
            "gcp:kms/cryptoKey:CryptoKey": 1,
            "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": 1,
            "gcp:container/cluster:Cluster": 1,
            "gcp:container/nodePool:NodePool": 2,
        });
        for (const r of built.resources) assert.ok(r.name === "g1" || r.name.startsWith("g1-"), `${r.name} is not named after the cluster`);
    });

    it("zones: the control plane is regional, nodes in cloud.zones, the default pool removed", () => {
        const c = one(built.resources, "g1-cluster").inputs;
        assert.deepEqual([c.location, c.nodeLocations, c.removeDefaultNodePool, c.initialNodeCount], ["europe-west1", ZONES, true, 1]);
        assert.deepEqual([c.minMasterVersion, c.releaseChannel, c.deletionProtection, c.enableShieldedNodes], ["1.33", { channel: "REGULAR" }, true, true]);
    });

    it("pools: per-zone counts rounded up (10 over 3 zones → 4 each), pool zones, labels, reported as what runs", async () => {
        const general = one(built.resources, "g1-pool-general").inputs;
        assert.deepEqual([general.nodeCount, general.nodeLocations, general.location, general.cluster], [4, ZONES, "europe-west1", "g1"]);
        const batch = one(built.resources, "g1-pool-batch").inputs;
        assert.deepEqual([batch.nodeCount, batch.nodeLocations, batch.nodeConfig.machineType, batch.nodeConfig.labels], [2, ["europe-west1-b", "europe-west1-c"], "n2-standard-8", { workload: "batch" }]);
        const nodes = (await resolve(built.cluster.nodes)).value;
        assert.deepEqual(nodes.map((n) => [n.name, n.count]), [["general", 12], ["batch", 4]]);
    });

    it("VPC-native: pod and service ranges are secondary ranges of the node subnet; Cloud NAT for private nodes", () => {
        const subnet = one(built.resources, "g1-nodes").inputs;
        assert.equal(subnet.ipCidrRange, "10.0.0.0/16");
        assert.deepEqual(subnet.secondaryIpRanges, [{ rangeName: "pods", ipCidrRange: "10.244.0.0/16" }, { rangeName: "services", ipCidrRange: "10.96.0.0/12" }]);
        const c = one(built.resources, "g1-cluster").inputs;
        assert.deepEqual(c.ipAllocationPolicy, { clusterSecondaryRangeName: "pods", servicesSecondaryRangeName: "services" });
        assert.deepEqual([c.networkingMode, c.network, c.subnetwork], ["VPC_NATIVE", "g1-network-id", "g1-nodes-id"]);
        assert.deepEqual(c.privateClusterConfig, { enablePrivateNodes: true, enablePrivateEndpoint: false, masterIpv4CidrBlock: "172.16.0.0/28" });
        assert.deepEqual(c.masterAuthorizedNetworksConfig.cidrBlocks.map((b: any) => b.cidrBlock), ["203.0.113.0/24"]);
        const nat = one(built.resources, "g1-nat").inputs;
        assert.deepEqual(nat.subnetworks, [{ name: "g1-nodes-id", sourceIpRangesToNats: ["ALL_IP_RANGES"] }]);
    });

    it("identity: Workload Identity pool and GKE metadata server, a least-privilege node account, admins in IAM", () => {
        const c = one(built.resources, "g1-cluster").inputs;
        assert.deepEqual(c.workloadIdentityConfig, { workloadPool: `${PROJECT}.svc.id.goog` });
        const email = `g1-nodes@${PROJECT}.iam.gserviceaccount.com`;
        for (const pool of ofType(built.resources, "gcp:container/nodePool:NodePool")) {
            const nc = pool.inputs.nodeConfig;
            assert.deepEqual([nc.workloadMetadataConfig, nc.serviceAccount, nc.shieldedInstanceConfig], [{ mode: "GKE_METADATA" }, email, { enableSecureBoot: true, enableIntegrityMonitoring: true }]);
        }
        const roles = ofType(built.resources, "gcp:projects/iAMMember:IAMMember").map((m) => `${m.inputs.role} ${m.inputs.member}`).sort();
        assert.deepEqual(roles, [
            "roles/artifactregistry.reader serviceAccount:" + email,
            "roles/container.admin group:platform@example.com",
            "roles/container.defaultNodeServiceAccount serviceAccount:" + email,
        ]);
    });

    it("encryption: Secrets encrypted with a rotated Cloud KMS key that GKE's service agent may use", () => {
        const key = one(built.resources, "g1-secrets-key").inputs;
        assert.deepEqual([key.rotationPeriod, key.purpose], ["7776000s", "ENCRYPT_DECRYPT"]);
        const keyId = `projects/${PROJECT}/locations/europe-west1/keyRings/ring/cryptoKeys/g1-secrets-key`;
        assert.deepEqual(one(built.resources, "g1-cluster").inputs.databaseEncryption, { state: "ENCRYPTED", keyName: keyId });
        const grant = one(built.resources, "g1-secrets-key-agent").inputs;
        assert.deepEqual([grant.cryptoKeyId, grant.role, grant.member], [keyId, "roles/cloudkms.cryptoKeyEncrypterDecrypter", "serviceAccount:service-123456789@container-engine-robot.iam.gserviceaccount.com"]);
        assert.deepEqual(one(built.resources, "g1-keys").inputs.location, "europe-west1");
    });

    it("outputs: endpoint, a secret kubeconfig using gke-gcloud-auth-plugin, tolerance", async () => {
        assert.equal((await resolve(built.cluster.endpoint)).value, "https://34.76.1.2");
        const kc = await resolve(built.cluster.kubeconfig);
        assert.equal(kc.secret, true);
        const doc = parse(kc.value);
        assert.equal(doc.clusters[0].cluster.server, "https://34.76.1.2");
        assert.equal(doc.clusters[0].cluster["certificate-authority-data"], "Q0EtREFUQQ==");
        assert.deepEqual([doc.users[0].user.exec.command, doc.users[0].user.exec.provideClusterInfo], ["gke-gcloud-auth-plugin", true]);
        assert.equal(doc["current-context"], `gke_${PROJECT}_europe-west1_g1`);
        assert.equal((await resolve(built.cluster.workloadPool)).value, `${PROJECT}.svc.id.goog`);
        assert.equal((await resolve(built.cluster.failureTolerance)).value.zones, 1);
    });

    it("public nodes, no deletion protection, no control-plane logs: no NAT, no master range, system logs only", async () => {
        const { resources } = await build({ managed: { privateNodes: false, deletionProtection: false, controlPlaneLogging: false, releaseChannel: "STABLE" } });
        assert.equal(ofType(resources, "gcp:compute/routerNat:RouterNat").length, 0);
        const c = one(resources, "g1-cluster").inputs;
        assert.deepEqual(c.privateClusterConfig, { enablePrivateNodes: false, enablePrivateEndpoint: false });
        assert.deepEqual([c.deletionProtection, c.releaseChannel.channel, c.loggingConfig.enableComponents], [false, "STABLE", ["SYSTEM_COMPONENTS", "WORKLOADS"]]);
    });

    it("an existing network: no network resources; GKE adds the ranges to the given subnet", async () => {
        const { resources } = await build({ cloud: { existingNetwork: { networkId: "projects/acme/global/networks/shared", subnets: [{ id: "projects/acme/regions/europe-west1/subnetworks/k8s", cidr: "10.0.0.0/20" }] } } });
        assert.equal(resources.filter((r) => r.type.startsWith("gcp:compute/")).length, 0);
        const c = one(resources, "g1-cluster").inputs;
        assert.deepEqual([c.network, c.subnetwork], ["projects/acme/global/networks/shared", "projects/acme/regions/europe-west1/subnetworks/k8s"]);
        assert.deepEqual(c.ipAllocationPolicy, { clusterIpv4CidrBlock: "10.244.0.0/16", servicesIpv4CidrBlock: "10.96.0.0/12" });
    });

    it("a thousand workers register the same resources as three; adding a pool changes no other input", async () => {
        const three = await build({ workers: { pools: undefined, count: 3 } });
        const many = await build({ workers: { pools: undefined, count: 1000 }, kubernetes: { podSubnet: "10.240.0.0/12" } });
        assert.deepEqual(many.resources.map((r) => r.name), three.resources.map((r) => r.name));
        assert.equal(one(many.resources, "g1-pool-workers").inputs.nodeCount, 334);
        const after = await build({ workers: { pools: [...base.workers.pools, { name: "spare", count: 1 }] } });
        const old = new Map(built.resources.map((r) => [r.name, r]));
        assert.deepEqual(after.resources.filter((r) => !old.has(r.name)).map((r) => r.name), ["g1-pool-spare"]);
        for (const r of after.resources) if (old.has(r.name)) assert.deepEqual(r.inputs, old.get(r.name)!.inputs, `${r.name} changed`);
    });

    it("refuses what GKE cannot do, naming the config path and the fix", async () => {
        await assert.rejects(build({ cloud: { publicEndpoint: false }, managed: { privateNodes: false } }), /a GKE cluster with a private endpoint needs private nodes/);
        await assert.rejects(build({ managed: { adminPrincipals: ["alice@example.com"] } }), /cluster\.managed\.adminPrincipals\[0\]: GKE admins are IAM members \(got "alice@example\.com"\)/);
    });
});
