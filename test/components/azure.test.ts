/**
 * The Azure platform: its pure helpers (names, NSG rules, image, scripts) and the AzureCluster
 * component under `pulumi.runtime.setMocks` with the shipped `azure` stack's config: resources per
 * kind, zones and addresses, the API load balancer, NSG rules, secrets (Key Vault values secret,
 * custom data free of them), disks, the etcd backup store (account settings, container, retention,
 * who may write, which machines upload, protection), outputs, and a worker count that changes no
 * resource count.
 *
 * The mocks are the synth's, plus what Azure would report and the synth's mocks do not: ARM ids,
 * the identities' client/principal/tenant ids and the public IPs' addresses.
 */
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import * as fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { loadSpec, type RawStackConfig } from "../../config";
import type { AzureCluster as AzureClusterT } from "../../components/azure";
import { DEFAULT_IMAGE, parseImage } from "../../components/azure/image";
import { CONTAINER_SOFT_DELETE_DAYS } from "../../components/azure/backup";
import {
    fitName,
    KEY_VAULT_SECRETS_USER_ROLE,
    NAME_LIMITS,
    roleDefinitionId,
    STORAGE_ACCOUNT_NAME_RE,
    STORAGE_BLOB_DATA_CONTRIBUTOR_ROLE,
    storageAccountName,
    vaultName,
} from "../../components/azure/names";
import { securityRules, type SecurityRule } from "../../components/azure/rules";
import { ETCD_BACKUP_CONTAINER, internalEndpointAddress } from "../../components/azure/boot";
import { scriptFromCloudInit } from "../../components/render/cloudinit";
import { scriptNode } from "../../components/render/script";
import { VAULT_NAME_RE } from "../../components/render/secrets-azure";
import { buildTopology } from "../../components/topology";
import { SynthMocks } from "../../synth/mocks";
import { golden } from "../unit/golden";
import { merge } from "../unit/fixtures";
import { isSecret, plain, resolve, type Recorded, cloudSpec } from "./harness";

const ROOT = path.join(__dirname, "..", "..");
const SUB = "/subscriptions/11111111-2222-3333-4444-555555555555";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const PUBLIC_API_IP = "20.50.60.70";
const IDS = `${SUB}/resourceGroups/azure-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities`;
/** The etcd backup account of the shipped stack (resource group azure-rg). */
const ACCOUNT = storageAccountName("azure", `${SUB}/resourceGroups/azure-rg`);
const CONTAINER_ID = `${SUB}/resourceGroups/azure-rg/providers/Microsoft.Storage/storageAccounts/${ACCOUNT}/blobServices/default/containers/${ETCD_BACKUP_CONTAINER}`;
const KV_ROLE = `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_SECRETS_USER_ROLE}`;
const BLOB_CONTRIBUTOR = `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${STORAGE_BLOB_DATA_CONTRIBUTOR_ROLE}`;
/** Where a member's snapshot upload puts its objects. */
const uploadUrl = (member: string) => `'https://${ACCOUNT}.blob.core.windows.net/${ETCD_BACKUP_CONTAINER}/${member}/'"$(basename "$1")"`;

/** The shipped stack's config (Pulumi.azure.yaml), with a patch under `hacluster:cluster`. */
function stackConfig(patch: unknown = {}): RawStackConfig {
    const file = parse(fs.readFileSync(path.join(ROOT, "Pulumi.azure.yaml"), "utf8")).config;
    return { profile: file["hacluster:profile"], platform: file["hacluster:platform"], cluster: merge(file["hacluster:cluster"], patch) };
}

const guid = (seed: string) => {
    const h = createHash("sha256").update(seed).digest("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/** What Azure reports that the inputs do not hold: ARM ids, identity ids, public addresses. */
class AzureMocks extends SynthMocks {
    readonly resources: Recorded[] = [];
    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        this.resources.push({ type: args.type, name: args.name, inputs: args.inputs });
        const result = super.newResource(args);
        if (!args.type.startsWith("azure-native:")) return result;
        const i = args.inputs;
        const rg = `${SUB}/resourceGroups/${i.resourceGroupName ?? "azure-rg"}`;
        const state: Record<string, unknown> = { ...result.state };
        let id = `${rg}/providers/Test.Mock/${args.name}`;
        switch (args.type) {
            case "azure-native:resources:ResourceGroup":
                id = rg;
                state.name = i.resourceGroupName;
                break;
            case "azure-native:managedidentity:UserAssignedIdentity":
                id = `${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${i.resourceName}`;
                Object.assign(state, { name: i.resourceName, clientId: guid(`client/${args.name}`), principalId: guid(`principal/${args.name}`), tenantId: TENANT });
                break;
            case "azure-native:keyvault:Vault":
                id = `${rg}/providers/Microsoft.KeyVault/vaults/${i.vaultName}`;
                state.name = i.vaultName;
                break;
            case "azure-native:keyvault:Secret":
                id = `${rg}/providers/Microsoft.KeyVault/vaults/${i.vaultName}/secrets/${i.secretName}`;
                break;
            case "azure-native:storage:StorageAccount":
                id = `${rg}/providers/Microsoft.Storage/storageAccounts/${i.accountName}`;
                state.name = i.accountName;
                break;
            case "azure-native:storage:BlobContainer":
                id = `${rg}/providers/Microsoft.Storage/storageAccounts/${i.accountName}/blobServices/default/containers/${i.containerName}`;
                state.name = i.containerName;
                break;
            case "azure-native:network:LoadBalancer":
                id = `${rg}/providers/Microsoft.Network/loadBalancers/${i.loadBalancerName}`;
                break;
            case "azure-native:network:PublicIPAddress":
                state.ipAddress = args.name.endsWith("api-ip") ? PUBLIC_API_IP : "20.50.60.80";
                break;
        }
        return { id, state };
    }
}

const recordedCounts = (rs: readonly Recorded[]) => {
    const c: Record<string, number> = {};
    for (const r of rs) c[r.type] = (c[r.type] ?? 0) + 1;
    return c;
};

/** Waits until no resource has registered for a while (registrations wait on outputs of others). */
async function quiet(mocks: AzureMocks): Promise<void> {
    let last = -1;
    for (let still = 0; still < 4; ) {
        await new Promise((r) => setTimeout(r, 25));
        if (mocks.resources.length === last) still++;
        else [last, still] = [mocks.resources.length, 0];
    }
}

interface Built {
    readonly cluster: AzureClusterT;
    readonly resources: Recorded[];
    readonly all: Map<string, Recorded>;
    /** Names of the resources registered with `protect` (the mocks' newResource does not see options). */
    readonly protectedNames: Set<string>;
}

/**
 * Installs the mocks and records which resources ask for `protect` (the mocks' newResource does
 * not see options): the mock monitor's registerResource is wrapped in place, so every feature
 * `setMocks` turns on (secrets, resource references) stays on.
 */
function setMocksRecordingProtect(mocks: AzureMocks): Set<string> {
    void pulumi.runtime.setMocks(mocks, "hacluster", "azure", false);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const state = require("@pulumi/pulumi/runtime/state") as { getStore(): { settings: { monitor: any } } };
    const monitor = state.getStore().settings.monitor;
    const register = monitor.registerResource.bind(monitor);
    const protectedNames = new Set<string>();
    monitor.registerResource = (req: { getProtect(): boolean; getName(): string }, cb: unknown) => {
        if (req.getProtect()) protectedNames.add(req.getName());
        return register(req, cb);
    };
    return protectedNames;
}

async function build(patch: unknown = {}, profile?: string): Promise<Built> {
    const mocks = new AzureMocks();
    pulumi.runtime.setAllConfig({}, []);
    const protectedNames = setMocksRecordingProtect(mocks);
    // Imported after setMocks, as the SDK's testing guide asks.
    const { AzureCluster } = (await import("../../components/azure")) as { AzureCluster: typeof AzureClusterT };
    const { spec } = loadSpec({ ...stackConfig(patch), ...(profile ? { profile } : {}) }, { stack: "azure" });
    const cluster = new AzureCluster(spec.name, { spec: cloudSpec(spec) });
    await Promise.all([resolve(cluster.endpoint), resolve(cluster.kubeconfig), resolve(cluster.nodes), resolve(cluster.failureTolerance), resolve(cluster.etcdBackupContainer)]);
    await quiet(mocks);
    return { cluster, resources: mocks.resources, all: new Map(mocks.resources.map((r) => [r.name, r])), protectedNames };
}

const azureTypes = (rs: readonly Recorded[]) => Object.fromEntries(Object.entries(recordedCounts(rs)).filter(([t]) => t.startsWith("azure-native:") || t.startsWith("hacluster:azure")));
const ofType = (rs: readonly Recorded[], type: string) => rs.filter((r) => r.type === `azure-native:${type}`);

/** The cloud-config inside a custom data (plain or gzip base64). */
function decodeCustomData(b64: string): string {
    const raw = Buffer.from(b64, "base64");
    return (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString("utf8");
}
const customDataOf = (r: Recorded) => decodeCustomData(String(plain(r.inputs.osProfile ?? r.inputs.virtualMachineProfile.osProfile).customData));
const scriptOf = (r: Recorded) => scriptFromCloudInit(customDataOf(r))!;
/** The one lifecycle rule of the etcd backup account. */
function retentionRule(b: { resources: Recorded[] }): unknown {
    const policies = ofType(b.resources, "storage:ManagementPolicy");
    assert.equal(policies.length, 1);
    const rules = plain(policies[0].inputs.policy).rules;
    assert.equal(rules.length, 1);
    return rules[0];
}

const ETCD_OR_KUBELET = (r: SecurityRule<unknown>) => {
    const ports = [r.destinationPortRange, ...(r.destinationPortRanges ?? [])].filter((p): p is string => p !== undefined);
    return ports.some((p) => p === "*" || /^(2379|2380|2379-2380|10250)$/.test(p));
};
const OPEN_SOURCES = new Set(["*", "Internet", "0.0.0.0/0", "any"]);

// ---------------------------------------------------------------------------------------------

describe("azure: pure helpers", () => {
    it("Key Vault names: 3-24 valid characters, deterministic, different per resource group and cluster", () => {
        const rg = `${SUB}/resourceGroups/azure-rg`;
        assert.equal(vaultName("azure", rg), vaultName("azure", rg));
        assert.match(vaultName("azure", rg), /^azure-[0-9a-f]{8}$/);
        assert.notEqual(vaultName("azure", rg), vaultName("azure", `${SUB}/resourceGroups/other-rg`));
        assert.notEqual(vaultName("azure", rg), vaultName("azure", "/subscriptions/99999999-2222-3333-4444-555555555555/resourceGroups/azure-rg"));
        assert.notEqual(vaultName("prod", rg), vaultName("prod2", rg));
        const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
        fc.assert(
            fc.property(label, fc.string({ minLength: 1, maxLength: 200 }), (cluster, rgId) => {
                const v = vaultName(cluster, rgId);
                return v.length >= 3 && v.length <= NAME_LIMITS.keyVault && VAULT_NAME_RE.test(v) && v === vaultName(cluster, rgId);
            }),
            { numRuns: 500 },
        );
    });

    it("etcd backup storage account names: 3-24 lower-case letters and digits, deterministic, different per resource group and cluster", () => {
        const rg = `${SUB}/resourceGroups/azure-rg`;
        assert.equal(storageAccountName("azure", rg), storageAccountName("azure", rg));
        assert.match(storageAccountName("azure", rg), /^azureetcd[0-9a-f]{8}$/);
        assert.notEqual(storageAccountName("azure", rg), storageAccountName("azure", `${SUB}/resourceGroups/other-rg`));
        assert.notEqual(storageAccountName("azure", rg), storageAccountName("azure", "/subscriptions/99999999-2222-3333-4444-555555555555/resourceGroups/azure-rg"));
        assert.notEqual(storageAccountName("prod-eu", rg), storageAccountName("prodeu", rg), "hyphens dropped, but the hash still tells the clusters apart");
        assert.notEqual(storageAccountName("azure", rg).slice(-8), vaultName("azure", rg).slice(-8), "not the vault's hash");
        const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
        fc.assert(
            fc.property(label, fc.string({ minLength: 1, maxLength: 200 }), (cluster, rgId) => {
                const a = storageAccountName(cluster, rgId);
                return a.length >= 3 && a.length <= NAME_LIMITS.storageAccount && STORAGE_ACCOUNT_NAME_RE.test(a) && a === storageAccountName(cluster, rgId);
            }),
            { numRuns: 500 },
        );
    });

    it("names that are too long are shortened with a hash of the whole: within the limit, stable, distinct", () => {
        assert.equal(fitName("azure-cp-1", 64), "azure-cp-1");
        const long = `${"x".repeat(63)}-cp-1`;
        const short = fitName(long, 64);
        assert.equal(short.length, 64);
        assert.equal(short, fitName(long, 64));
        assert.notEqual(short, fitName(`${"x".repeat(63)}-cp-2`, 64));
    });

    it("role definition ids are subscription-scoped, built from the resource group's id without a lookup", () => {
        assert.equal(
            roleDefinitionId(`${SUB}/resourceGroups/azure-rg`, KEY_VAULT_SECRETS_USER_ROLE),
            `${SUB}/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6`,
        );
    });

    it("images are publisher:offer:sku:version; anything else is refused with the fix", () => {
        assert.deepEqual(parseImage(), { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" });
        assert.deepEqual(parseImage("Canonical:ubuntu-24_04-lts:server:24.04.202411030"), { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "24.04.202411030" });
        assert.throws(() => parseImage("ami-0123456789abcdef0"), {
            message: `cluster.cloud.image: "ami-0123456789abcdef0" is not an Azure image reference. Fix: write publisher:offer:sku:version, e.g. ${DEFAULT_IMAGE} (or a pinned version from \`az vm image list\`)`,
        });
    });

    it("NSG rules (golden): allows narrow, denies etcd/kubelet/SSH from elsewhere and the rest from the Internet", () => {
        const rules = securityRules({ asg: { controlPlanes: "ASG-CP", nodes: "ASG-NODES", etcd: "ASG-ETCD" }, apiAllowedCidrs: ["203.0.113.0/24"], sshAllowedCidrs: ["198.51.100.7/32"] });
        golden("azure-nsg-rules.json", `${JSON.stringify(rules, null, 2)}\n`);
        const priorities = rules.map((r) => r.priority);
        assert.deepEqual(priorities, [...priorities].sort((a, b) => a - b));
        assert.equal(new Set(priorities).size, priorities.length);
        assert.equal(new Set(rules.map((r) => r.name)).size, rules.length);
    });

    it("NSG rules (property): nothing from anywhere/the Internet reaches etcd or the kubelet; SSH only when CIDRs are given", () => {
        const cidr = fc.tuple(fc.nat(255), fc.nat(255), fc.integer({ min: 8, max: 32 })).map(([a, b, p]) => `${a}.${b}.0.0/${p}`);
        fc.assert(
            fc.property(fc.array(cidr, { maxLength: 3 }), fc.array(cidr, { maxLength: 3 }), fc.boolean(), (api, ssh, external) => {
                const rules = securityRules({ asg: { controlPlanes: "cp", nodes: "n", ...(external ? { etcd: "e" } : {}) }, apiAllowedCidrs: api, sshAllowedCidrs: ssh });
                for (const r of rules.filter((x) => x.access === "Allow")) {
                    const sources = [r.sourceAddressPrefix, ...(r.sourceAddressPrefixes ?? [])].filter((s) => s !== undefined);
                    if (ETCD_OR_KUBELET(r)) {
                        assert.ok(r.sourceApplicationSecurityGroups?.length === 1 && sources.length === 0, `${r.name} opens etcd/kubelet beyond a node group`);
                        assert.equal(r.sourceApplicationSecurityGroups![0].id, r.name.includes("between-members") ? "e" : "cp");
                    }
                    for (const s of sources) assert.ok(!OPEN_SOURCES.has(s), `${r.name} allows ${s}`);
                }
                const sshAllow = rules.filter((r) => r.access === "Allow" && r.destinationPortRange === "22");
                assert.equal(sshAllow.length, ssh.length > 0 ? 1 : 0);
                const lastAllow = Math.max(...rules.filter((r) => r.access === "Allow").map((r) => r.priority));
                for (const d of ["deny-etcd-from-others", "deny-kubelet-from-others", "deny-ssh-from-others", "deny-internet"]) {
                    assert.ok(rules.find((r) => r.name === d)!.priority > lastAllow, d);
                }
            }),
            { numRuns: 200 },
        );
    });

    it("the internal frontend keeps offset 5 of the subnet when the endpoint is public", () => {
        const spec = loadSpec(stackConfig({ cloud: { publicEndpoint: true, apiAllowedCidrs: ["203.0.113.0/24"] } }), { stack: "azure" }).spec;
        const topo = buildTopology(spec);
        assert.equal(topo.endpoint.address, undefined);
        assert.equal(internalEndpointAddress(topo), "10.20.0.5");
    });
});

describe("components: Azure cluster (mocked)", function () {
    this.timeout(60_000);
    let base: Built;
    before(async () => {
        base = await build();
    });

    it("registers the azure stack: one resource group, network, LB, vault, 3 control-plane VMs, one scale set", () => {
        assert.deepEqual(azureTypes(base.resources), {
            "hacluster:azure:Cluster": 1,
            "azure-native:resources:ResourceGroup": 1,
            "azure-native:managedidentity:UserAssignedIdentity": 2,
            "azure-native:network:ApplicationSecurityGroup": 2,
            "azure-native:network:NetworkSecurityGroup": 1,
            "azure-native:network:PublicIPAddress": 1,
            "azure-native:network:NatGateway": 1,
            "azure-native:network:VirtualNetwork": 1,
            "azure-native:network:Subnet": 1,
            "azure-native:keyvault:Vault": 1,
            "azure-native:keyvault:Secret": 2,
            // Two Key Vault readers, one etcd backup writer (the control planes' identity).
            "azure-native:authorization:RoleAssignment": 3,
            "azure-native:storage:StorageAccount": 1,
            "azure-native:storage:BlobServiceProperties": 1,
            "azure-native:storage:BlobContainer": 1,
            "azure-native:storage:ManagementPolicy": 1,
            "azure-native:network:LoadBalancer": 1,
            "azure-native:network:NetworkInterface": 3,
            "azure-native:compute:VirtualMachine": 3,
            "azure-native:compute:VirtualMachineScaleSet": 1,
        });
        for (const r of base.resources) assert.ok(r.name === "azure" || r.name.startsWith("azure-"), `${r.name} is not named after the cluster`);
        const rg = base.all.get("azure-rg")!;
        assert.deepEqual([rg.inputs.resourceGroupName, rg.inputs.location], ["azure-rg", "westeurope"]);
        for (const r of base.resources.filter((x) => x.type.startsWith("azure-native:") && !/ResourceGroup|RoleAssignment|Subnet|Secret|BlobServiceProperties|BlobContainer|ManagementPolicy$/.test(x.type))) {
            assert.equal(r.inputs.resourceGroupName, "azure-rg", r.name);
            assert.equal(r.inputs.location, "westeurope", r.name);
        }
    });

    it("control planes: a VM each in zones 1, 2, 3 (round-robin) at the topology's static addresses, without public IPs", () => {
        const vms = ofType(base.resources, "compute:VirtualMachine");
        assert.deepEqual(vms.map((v) => [v.name, plain(v.inputs.zones)]), [["azure-cp-1", ["1"]], ["azure-cp-2", ["2"]], ["azure-cp-3", ["3"]]]);
        const nics = ofType(base.resources, "network:NetworkInterface");
        assert.deepEqual(nics.map((n) => plain(n.inputs.ipConfigurations)[0].privateIPAddress), ["10.20.0.10", "10.20.0.11", "10.20.0.12"]);
        for (const n of nics) {
            const ip = plain(n.inputs.ipConfigurations)[0];
            assert.equal(ip.privateIPAllocationMethod, "Static");
            assert.equal(ip.publicIPAddress, undefined, `${n.name} has a public IP`);
            assert.deepEqual(plain(n.inputs.networkSecurityGroup), { id: `${SUB}/resourceGroups/azure-rg/providers/Test.Mock/azure-nsg` });
        }
        for (const v of vms) {
            assert.equal(plain(v.inputs.osProfile).computerName, v.name.replace("azure-", ""));
            assert.equal(plain(v.inputs.hardwareProfile).vmSize, "Standard_D4s_v5");
        }
        assert.equal(ofType(base.resources, "network:PublicIPAddress").length, 1, "only the NAT gateway has a public IP");
    });

    it("workers: ONE zonal Flexible scale set over the pool's zones, sized by the count", () => {
        const [pool] = ofType(base.resources, "compute:VirtualMachineScaleSet");
        assert.equal(pool.name, "azure-pool-workers");
        assert.equal(pool.inputs.orchestrationMode, "Flexible");
        assert.equal(pool.inputs.platformFaultDomainCount, 1);
        assert.deepEqual(plain(pool.inputs.zones), ["1", "2", "3"]);
        assert.deepEqual(plain(pool.inputs.sku), { name: "Standard_D4s_v5", tier: "Standard", capacity: 3 });
        assert.deepEqual(plain(pool.inputs.upgradePolicy), { mode: "Manual" });
        const nic = plain(pool.inputs.virtualMachineProfile).networkProfile.networkInterfaceConfigurations[0];
        assert.equal(nic.ipConfigurations[0].publicIPAddressConfiguration, undefined);
        assert.equal(scriptNode(scriptOf(pool)), "workers", "the pool's script is named after the pool");
    });

    it("the API endpoint: Standard internal LB at the fixed address, HTTPS /readyz probe on 6443, rule over the control planes' pool", () => {
        const [lb] = ofType(base.resources, "network:LoadBalancer");
        const i = plain(lb.inputs);
        const lbId = `${SUB}/resourceGroups/azure-rg/providers/Microsoft.Network/loadBalancers/azure-api-lb`;
        assert.deepEqual(i.sku, { name: "Standard", tier: "Regional" });
        assert.equal(i.frontendIPConfigurations[0].privateIPAddress, "10.20.0.5");
        assert.equal(i.frontendIPConfigurations[0].privateIPAllocationMethod, "Static");
        assert.deepEqual(i.frontendIPConfigurations[0].zones, ["1", "2", "3"]);
        assert.deepEqual(i.probes, [{ name: "readyz", protocol: "Https", port: 6443, requestPath: "/readyz", intervalInSeconds: 5, probeThreshold: 2 }]);
        const rule = i.loadBalancingRules[0];
        assert.deepEqual([rule.protocol, rule.frontendPort, rule.backendPort], ["Tcp", 6443, 6443]);
        assert.equal(rule.probe.id, `${lbId}/probes/readyz`);
        assert.equal(rule.frontendIPConfiguration.id, `${lbId}/frontendIPConfigurations/api`);
        assert.equal(rule.backendAddressPool.id, `${lbId}/backendAddressPools/control-planes`);
        for (const n of ofType(base.resources, "network:NetworkInterface")) {
            assert.deepEqual(plain(n.inputs.ipConfigurations)[0].loadBalancerBackendAddressPools, [{ id: `${lbId}/backendAddressPools/control-planes` }]);
        }
        const kubeadm = scriptOf(base.all.get("azure-cp-1")!);
        assert.match(kubeadm, /certSANs:\n\s+- api\.azure\.internal\n\s+- 10\.20\.0\.5\n/);
        assert.match(scriptOf(base.all.get("azure-cp-2")!), /echo '10\.20\.0\.5 api\.azure\.internal # hacluster-endpoint'/);
        // Hairpin: once joined, a control plane answers the endpoint name itself.
        assert.match(scriptOf(base.all.get("azure-cp-2")!), /echo '127\.0\.0\.1 api\.azure\.internal # hacluster-endpoint'/);
    });

    it("node scripts: init on cp-1, joins that wait for the endpoint and retry 10 times elsewhere, the CA hash pinned", () => {
        const cp1 = scriptOf(base.all.get("azure-cp-1")!);
        const cp2 = scriptOf(base.all.get("azure-cp-2")!);
        const pool = scriptOf(base.all.get("azure-pool-workers")!);
        assert.match(cp1, /kubeadm init --config/);
        for (const s of [cp2, pool]) {
            assert.match(s, /retry 120 10 curl -fsk --max-time 5 -o \/dev\/null 'https:\/\/api\.azure\.internal:6443\/readyz'/);
            assert.match(s, /retry 10 30 hacluster_join/);
            assert.match(s, /caCertHashes:\n\s+- sha256:[0-9a-f]{64}\n/);
        }
        assert.match(cp2, /kind: JoinConfiguration[\s\S]*controlPlane:/);
        assert.doesNotMatch(pool, /controlPlane:/);
        assert.doesNotMatch(pool, /node-ip|name: cp-/, "a pool's config names no node");
        // Secrets first, from Key Vault, with the node's own identity.
        for (const [s, secret, identity] of [[cp1, "control-plane", "control-plane"], [cp2, "control-plane", "control-plane"], [pool, "workers", "worker"]]) {
            const at = s.indexOf("# --- secrets: root-only files from Azure Key Vault");
            assert.ok(at > 0 && at < s.indexOf("# --- node preparation ---"), "the secrets step runs before node preparation");
            assert.ok(s.includes(`.vault.azure.net/secrets/${secret}?api-version=7.4'`));
            assert.ok(s.includes(`msi_res_id=${SUB}/resourceGroups/azure-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/azure-identity-${identity}'`));
        }
    });

    it("secrets: Key Vault values are Pulumi secrets; custom data holds none (no key, no token)", async () => {
        const secrets = ofType(base.resources, "keyvault:Secret");
        assert.deepEqual(secrets.map((s) => s.inputs.secretName).sort(), ["control-plane", "workers"]);
        const value = (name: string) => {
            const s = secrets.find((x) => x.inputs.secretName === name)!;
            const v = s.inputs.properties.value ?? s.inputs.properties;
            assert.ok(isSecret(v) || isSecret(s.inputs.properties), `${name}: the value is a secret`);
            return String(plain(s.inputs.properties).value);
        };
        const cp = value("control-plane");
        const workers = value("workers");
        assert.match(cp, /^#!\/usr\/bin\/env bash\n/);
        assert.match(cp, /\/etc\/hacluster\/secrets\/pki\/ca\.key/);
        assert.match(cp, /BEGIN RSA PRIVATE KEY/);
        assert.doesNotMatch(workers, /PRIVATE KEY/, "workers never receive CA keys");
        const token = (workers.match(/bootstrap-token' <<'HACLUSTER_SECRET_EOF'\n([a-z0-9]{6}\.[a-z0-9]{16})\n/) ?? [])[1];
        assert.ok(token, "the workers' secret holds the join token");
        for (const r of base.resources.filter((x) => x.type.startsWith("azure-native:compute:"))) {
            const data = customDataOf(r);
            assert.doesNotMatch(data, /PRIVATE KEY/, `${r.name}: a private key in custom data`);
            assert.ok(!data.includes(token!), `${r.name}: the join token in custom data`);
            assert.ok(data.includes("@@BOOTSTRAP_TOKEN@@"), `${r.name}: the public kubeadm.yaml holds the placeholder`);
            const cd = plain(r.inputs.osProfile ?? r.inputs.virtualMachineProfile.osProfile).customData;
            assert.ok(!isSecret(r.inputs.osProfile?.customData), `${r.name}: custom data stays readable in previews`);
            assert.equal(typeof cd, "string");
        }
        // Nothing secret-bearing in any other input either.
        for (const r of base.resources.filter((x) => x.type !== "azure-native:keyvault:Secret" && x.type.startsWith("azure-native:"))) {
            assert.ok(!JSON.stringify(plain(r.inputs)).includes(token!), `${r.name} carries the token`);
        }
    });

    it("secrets: an RBAC vault open to the nodes' subnet only, its tenant from an identity; each reader may read only its own secret", () => {
        const [vault] = ofType(base.resources, "keyvault:Vault");
        const p = plain(vault.inputs.properties);
        assert.equal(p.tenantId, TENANT);
        assert.equal(p.enableRbacAuthorization, true);
        assert.deepEqual(p.networkAcls, { defaultAction: "Deny", bypass: "None", ipRules: [], virtualNetworkRules: [{ id: `${SUB}/resourceGroups/azure-rg/providers/Test.Mock/azure-subnet`, ignoreMissingVnetServiceEndpoint: false }] });
        assert.match(String(vault.inputs.vaultName), /^azure-[0-9a-f]{8}$/);
        assert.equal(vault.inputs.vaultName, vaultName("azure", `${SUB}/resourceGroups/azure-rg`));
        const ras = ofType(base.resources, "authorization:RoleAssignment").filter((r) => r.name.endsWith("-reader"));
        const vaultId = `${SUB}/resourceGroups/azure-rg/providers/Microsoft.KeyVault/vaults/${vault.inputs.vaultName}`;
        assert.deepEqual(
            ras.map((r) => [r.inputs.scope, r.inputs.principalId]).sort(),
            [
                [`${vaultId}/secrets/control-plane`, guid("principal/azure-identity-control-plane")],
                [`${vaultId}/secrets/workers`, guid("principal/azure-identity-worker")],
            ].sort(),
        );
        for (const r of ras) {
            assert.equal(r.inputs.roleDefinitionId, `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_SECRETS_USER_ROLE}`);
            assert.equal(r.inputs.principalType, "ServicePrincipal");
        }
        const identityOf = (name: string) => plain(base.all.get(name)!.inputs.identity);
        const ids = `${SUB}/resourceGroups/azure-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities`;
        assert.deepEqual(identityOf("azure-cp-1"), { type: "UserAssigned", userAssignedIdentities: [`${ids}/azure-identity-control-plane`] });
        assert.deepEqual(identityOf("azure-pool-workers"), { type: "UserAssigned", userAssignedIdentities: [`${ids}/azure-identity-worker`] });
    });

    it("network: subnet with the NSG, the NAT gateway and a Key Vault service endpoint; NSG rules reference the ASGs", () => {
        const [subnet] = ofType(base.resources, "network:Subnet");
        const s = plain(subnet.inputs);
        assert.equal(s.addressPrefix, "10.20.0.0/16");
        assert.equal(s.virtualNetworkName, "azure-vnet");
        assert.equal(s.defaultOutboundAccess, false);
        assert.deepEqual(s.serviceEndpoints, [{ service: "Microsoft.KeyVault" }, { service: "Microsoft.Storage" }]);
        assert.ok(String(s.natGateway.id).endsWith("/azure-nat"));
        assert.ok(String(s.networkSecurityGroup.id).endsWith("/azure-nsg"));
        const rules = plain(ofType(base.resources, "network:NetworkSecurityGroup")[0].inputs.securityRules) as SecurityRule<string>[];
        const asg = (n: string) => `${SUB}/resourceGroups/azure-rg/providers/Test.Mock/azure-asg-${n}`;
        const byName = new Map(rules.map((r) => [r.name, r]));
        assert.deepEqual(byName.get("allow-etcd-from-control-planes")!.sourceApplicationSecurityGroups, [{ id: asg("control-planes") }]);
        assert.deepEqual(byName.get("allow-etcd-from-control-planes")!.destinationApplicationSecurityGroups, [{ id: asg("control-planes") }]);
        assert.deepEqual(byName.get("allow-kubelet-from-control-planes")!.destinationApplicationSecurityGroups, [{ id: asg("nodes") }]);
        assert.ok(!byName.has("allow-ssh-from-admins"), "SSH is closed without sshAllowedCidrs");
        assert.ok(!byName.has("allow-api-from-clients"));
        for (const r of rules.filter((x) => x.access === "Allow")) {
            assert.ok(![r.sourceAddressPrefix, ...(r.sourceAddressPrefixes ?? [])].some((x) => x !== undefined && OPEN_SOURCES.has(x)), r.name);
        }
        assert.deepEqual(plain(base.all.get("azure-cp-1-nic")!.inputs.ipConfigurations)[0].applicationSecurityGroups, [{ id: asg("control-planes") }, { id: asg("nodes") }]);
    });

    it("machines: encrypted Premium managed disks, key-only SSH (a generated key without one in config), boot diagnostics", () => {
        for (const r of [...ofType(base.resources, "compute:VirtualMachine"), ...ofType(base.resources, "compute:VirtualMachineScaleSet")]) {
            const profile = plain(r.inputs.virtualMachineProfile ?? r.inputs);
            assert.deepEqual(profile.storageProfile.osDisk.managedDisk, { storageAccountType: "Premium_LRS" });
            assert.equal(profile.storageProfile.osDisk.diskSizeGB, 50);
            assert.deepEqual(profile.storageProfile.imageReference, { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" });
            assert.deepEqual(profile.securityProfile, { encryptionAtHost: true }, "encryption at host by default (cluster.cloud.encryptionAtHost)");
            const linux = profile.osProfile.linuxConfiguration;
            assert.equal(linux.disablePasswordAuthentication, true);
            assert.match(linux.ssh.publicKeys[0].keyData, /^ssh-ed25519 [A-Za-z0-9+/=]+$/);
            assert.equal(profile.osProfile.adminPassword, undefined);
            assert.deepEqual(profile.diagnosticsProfile, { bootDiagnostics: { enabled: true } });
        }
    });

    it("outputs: endpoint at the internal frontend, a secret kubeconfig for it, nodes by zone, failure tolerance", async () => {
        const c = base.cluster;
        assert.equal((await resolve(c.endpoint)).value, "https://10.20.0.5:6443");
        const kc = await resolve(c.kubeconfig);
        assert.equal(kc.secret, true);
        const doc = parse(kc.value);
        assert.equal(doc.clusters[0].cluster.server, "https://10.20.0.5:6443");
        assert.match(Buffer.from(doc.users[0].user["client-key-data"], "base64").toString(), /PRIVATE KEY/);
        const nodes = (await resolve(c.nodes)).value;
        assert.deepEqual(nodes.map((n) => `${n.name}/${n.role}/${n.zone}/${n.count ?? n.address}`), [
            "cp-1/control-plane/1/10.20.0.10",
            "cp-2/control-plane/2/10.20.0.11",
            "cp-3/control-plane/3/10.20.0.12",
            "workers/worker/1,2,3/3",
        ]);
        const tol = (await resolve(c.failureTolerance)).value;
        assert.deepEqual([tol.zones, tol.etcdMembers, tol.apiServers, tol.lbHosts], [1, 1, 1, null]);
    });

    it("etcd backups: a zone-redundant StorageV2 account, HTTPS/TLS 1.2 only, no public blob access, no shared keys, subnet-only, versioned", () => {
        const [account] = ofType(base.resources, "storage:StorageAccount");
        const a = plain(account.inputs);
        assert.equal(account.name, "azure-etcd-backups");
        assert.equal(a.accountName, ACCOUNT);
        assert.equal(a.kind, "StorageV2");
        assert.deepEqual(a.sku, { name: "Standard_ZRS" });
        assert.equal(a.enableHttpsTrafficOnly, true);
        assert.equal(a.minimumTlsVersion, "TLS1_2");
        assert.equal(a.allowBlobPublicAccess, false);
        assert.equal(a.allowSharedKeyAccess, false);
        assert.equal(a.defaultToOAuthAuthentication, true);
        assert.equal(a.encryption, undefined, "encryption at rest: Azure Storage's Microsoft-managed keys (the default)");
        assert.deepEqual(a.networkRuleSet, {
            defaultAction: "Deny",
            bypass: "None",
            ipRules: [],
            virtualNetworkRules: [{ virtualNetworkResourceId: `${SUB}/resourceGroups/azure-rg/providers/Test.Mock/azure-subnet`, action: "Allow" }],
        });
        assert.deepEqual([a.resourceGroupName, a.location], ["azure-rg", "westeurope"]);
        const [blobService] = ofType(base.resources, "storage:BlobServiceProperties");
        assert.deepEqual(plain(blobService.inputs), {
            resourceGroupName: "azure-rg",
            accountName: ACCOUNT,
            blobServicesName: "default",
            isVersioningEnabled: true,
            containerDeleteRetentionPolicy: { enabled: true, days: CONTAINER_SOFT_DELETE_DAYS },
        });
    });

    it("etcd backups: a private container; a lifecycle rule deleting snapshots and versions after retentionDays (14)", () => {
        const [container] = ofType(base.resources, "storage:BlobContainer");
        assert.deepEqual(plain(container.inputs), { resourceGroupName: "azure-rg", accountName: ACCOUNT, containerName: ETCD_BACKUP_CONTAINER, publicAccess: "None" });
        assert.deepEqual(retentionRule(base), {
            name: "etcd-snapshot-retention",
            enabled: true,
            type: "Lifecycle",
            definition: {
                filters: { blobTypes: ["blockBlob"], prefixMatch: ["etcd-snapshots/"] },
                actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: 14 } }, version: { delete: { daysAfterCreationGreaterThan: 14 } } },
            },
        });
        const [policy] = ofType(base.resources, "storage:ManagementPolicy");
        assert.deepEqual([policy.inputs.accountName, policy.inputs.managementPolicyName, plain(policy.inputs.policy).rules.length], [ACCOUNT, "default", 1]);
    });

    it("etcd backups: only the control planes' identity (stacked etcd) may write, as Blob Data Contributor on the container alone", () => {
        const writers = ofType(base.resources, "authorization:RoleAssignment").filter((r) => r.inputs.roleDefinitionId !== KV_ROLE);
        assert.deepEqual(
            writers.map((r) => [r.name, r.inputs.principalId, r.inputs.scope, r.inputs.roleDefinitionId, r.inputs.principalType]),
            [["azure-etcd-backups-control-plane-writer", guid("principal/azure-identity-control-plane"), CONTAINER_ID, BLOB_CONTRIBUTOR, "ServicePrincipal"]],
        );
        // Nobody else holds any role on the account or the container (workers: nothing at all but their own secret).
        for (const r of ofType(base.resources, "authorization:RoleAssignment")) {
            if (String(r.inputs.scope).includes("Microsoft.Storage")) assert.equal(r.name, "azure-etcd-backups-control-plane-writer");
            if (r.inputs.principalId === guid("principal/azure-identity-worker")) assert.equal(r.inputs.roleDefinitionId, KV_ROLE, `${r.name}: workers get a role beyond reading their secret`);
        }
    });

    it("etcd backups: every control plane uploads its snapshots there with its identity, under its own name; the workers' scale set does not", async () => {
        for (const cp of ["cp-1", "cp-2", "cp-3"]) {
            const script = scriptOf(base.all.get(`azure-${cp}`)!);
            assert.ok(script.includes(uploadUrl(cp)), `${cp}: no upload to ${uploadUrl(cp)}`);
            assert.ok(script.includes("--data-urlencode 'resource=https://storage.azure.com/'"), `${cp}: no storage token`);
            assert.ok(script.includes(`--data-urlencode 'msi_res_id=${IDS}/azure-identity-control-plane'`), `${cp}: not its own identity`);
            assert.match(script, /\nupload\(\) \{\n[\s\S]*\n\}\nupload "\$out"\n/);
        }
        const pool = customDataOf(base.all.get("azure-pool-workers")!);
        for (const text of [pool, scriptOf(base.all.get("azure-pool-workers")!)]) {
            assert.ok(!text.includes(ACCOUNT), "the workers' custom data names the backup account");
            assert.doesNotMatch(text, /blob\.core\.windows\.net|storage\.azure\.com|hacluster-etcd-snapshot/);
        }
        assert.equal((await resolve(base.cluster.etcdBackupContainer)).value, `${ACCOUNT}/${ETCD_BACKUP_CONTAINER}`);
    });

    it("etcd backups: in profile ha the account and the container are protected (a destroy stops there), in dev not", async () => {
        for (const name of ["azure-etcd-backups", "azure-etcd-backups-container"]) assert.ok(base.protectedNames.has(name), `${name} is not protected`);
        assert.ok(!base.protectedNames.has("azure-etcd-backups-retention"));
        const dev = await build({}, "dev");
        assert.equal(dev.protectedNames.has("azure-etcd-backups"), false);
        assert.equal(dev.protectedNames.has("azure-etcd-backups-container"), false);
        assert.equal(ofType(dev.resources, "storage:StorageAccount").length, 1, "dev clusters upload snapshots too");
    });

    it("etcd backups: cluster.etcd.backup.retentionDays sets the lifecycle rule's days, nothing else", async () => {
        const thirty = await build({ etcd: { backup: { retentionDays: 30 } } });
        const actions = (retentionRule(thirty) as { definition: { actions: unknown } }).definition.actions;
        assert.deepEqual(actions, { baseBlob: { delete: { daysAfterModificationGreaterThan: 30 } }, version: { delete: { daysAfterCreationGreaterThan: 30 } } });
        assert.deepEqual(thirty.resources.map((r) => r.name), base.resources.map((r) => r.name));
        assert.throws(() => loadSpec(stackConfig({ etcd: { backup: { retentionDays: 0 } } }), { stack: "azure" }), /retentionDays/);
    });

    it("1000 workers register exactly the resources 3 do; only the scale set's capacity changes", async () => {
        const more = await build({ workers: { count: 1000 } });
        assert.deepEqual(more.resources.map((r) => r.name), base.resources.map((r) => r.name));
        for (const r of more.resources) {
            const before = base.all.get(r.name)!;
            if (r.name === "azure-pool-workers") {
                assert.equal(plain(r.inputs.sku).capacity, 1000);
                assert.deepEqual({ ...plain(r.inputs), sku: null }, { ...plain(before.inputs), sku: null });
            } else {
                assert.deepEqual(r.inputs, before.inputs, `${r.name} would change`);
            }
        }
    });

    it("public endpoint: a Standard zone-redundant static IP on a public LB; its address is a SAN and the kubeconfig's server", async () => {
        const pub = await build({ cloud: { publicEndpoint: true, apiAllowedCidrs: ["203.0.113.0/24"], sshAllowedCidrs: ["198.51.100.7/32"], sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHh0ZXN0a2V5Zm9yaGFjbHVzdGVydGVzdHNvbmx5 admin@example" } });
        const ip = pub.all.get("azure-api-ip")!;
        assert.deepEqual(plain(ip.inputs.sku), { name: "Standard", tier: "Regional" });
        assert.equal(ip.inputs.publicIPAllocationMethod, "Static");
        assert.deepEqual(plain(ip.inputs.zones), ["1", "2", "3"]);
        const lbs = ofType(pub.resources, "network:LoadBalancer");
        assert.deepEqual(lbs.map((l) => l.name).sort(), ["azure-api-lb", "azure-api-public-lb"]);
        const publicLb = plain(pub.all.get("azure-api-public-lb")!.inputs);
        assert.equal(publicLb.frontendIPConfigurations[0].publicIPAddress.id, `${SUB}/resourceGroups/azure-rg/providers/Test.Mock/azure-api-ip`);
        assert.equal(publicLb.probes[0].protocol, "Https");
        assert.equal(plain(pub.all.get("azure-cp-3-nic")!.inputs.ipConfigurations)[0].loadBalancerBackendAddressPools.length, 2);
        // Joining control planes take the SANs from the ClusterConfiguration kubeadm init uploads.
        for (const cp of ["azure-cp-1"]) {
            assert.match(scriptOf(pub.all.get(cp)!), new RegExp(`certSANs:\\n\\s+- api\\.azure\\.internal\\n\\s+- localhost\\n\\s+- 127\\.0\\.0\\.1\\n\\s+- 10\\.20\\.0\\.5\\n\\s+- ${PUBLIC_API_IP.replace(/\./g, "\\.")}\\n`));
        }
        assert.equal((await resolve(pub.cluster.endpoint)).value, `https://${PUBLIC_API_IP}:6443`);
        assert.match((await resolve(pub.cluster.kubeconfig)).value, new RegExp(`server: https://${PUBLIC_API_IP.replace(/\./g, "\\.")}:6443`));
        const rules = new Map((plain(ofType(pub.resources, "network:NetworkSecurityGroup")[0].inputs.securityRules) as SecurityRule<string>[]).map((r) => [r.name, r]));
        assert.deepEqual(rules.get("allow-api-from-clients")!.sourceAddressPrefixes, ["203.0.113.0/24"]);
        assert.deepEqual(rules.get("allow-ssh-from-admins")!.sourceAddressPrefixes, ["198.51.100.7/32"]);
        assert.equal(plain(pub.all.get("azure-cp-1")!.inputs.osProfile).linuxConfiguration.ssh.publicKeys[0].keyData.split(" ")[2], "admin@example");
        assert.equal(pub.resources.filter((r) => r.type === "tls:index/privateKey:PrivateKey" && r.name === "azure-ssh-key").length, 0);
    });

    it("external etcd: a VM per member in zones 1-3, its own identity and secret; init waits for them; etcd ASG in the rules", async () => {
        const ext = await build({ etcd: { topology: "external" } });
        const vms = ofType(ext.resources, "compute:VirtualMachine");
        assert.deepEqual(vms.filter((v) => v.name.includes("etcd")).map((v) => [v.name, plain(v.inputs.zones)[0]]), [["azure-etcd-1", "1"], ["azure-etcd-2", "2"], ["azure-etcd-3", "3"]]);
        assert.deepEqual(ofType(ext.resources, "keyvault:Secret").map((s) => s.inputs.secretName).sort(), ["control-plane", "etcd-1", "etcd-2", "etcd-3", "workers"]);
        assert.equal(ofType(ext.resources, "managedidentity:UserAssignedIdentity").length, 5);
        const etcd2 = scriptOf(ext.all.get("azure-etcd-2")!);
        assert.ok(etcd2.includes(".vault.azure.net/secrets/etcd-2?api-version=7.4'"));
        assert.ok(etcd2.includes("userAssignedIdentities/azure-identity-etcd-2'"));
        assert.match(etcd2, /ETCD_INITIAL_CLUSTER=etcd-1=https:\/\/10\.20\.0\.30:2380,etcd-2=https:\/\/10\.20\.0\.31:2380,etcd-3=https:\/\/10\.20\.0\.32:2380/);
        const rules = new Map((plain(ofType(ext.resources, "network:NetworkSecurityGroup")[0].inputs.securityRules) as SecurityRule<string>[]).map((r) => [r.name, r]));
        assert.ok(String(rules.get("allow-etcd-from-control-planes")!.destinationApplicationSecurityGroups![0].id).endsWith("azure-asg-etcd"));
        assert.ok(rules.has("allow-etcd-between-members"));
        assert.deepEqual(plain(ext.all.get("azure-etcd-1-nic")!.inputs.ipConfigurations)[0].loadBalancerBackendAddressPools, undefined);
        // etcd backups: each member's own identity writes to the container; the control planes hold no member and neither write nor upload.
        const writers = ofType(ext.resources, "authorization:RoleAssignment").filter((r) => r.inputs.roleDefinitionId !== KV_ROLE);
        assert.deepEqual(
            writers.map((r) => [r.name, r.inputs.principalId, r.inputs.scope, r.inputs.roleDefinitionId]).sort(),
            ["etcd-1", "etcd-2", "etcd-3"].map((m) => [`azure-etcd-backups-${m}-writer`, guid(`principal/azure-identity-${m}`), CONTAINER_ID, BLOB_CONTRIBUTOR]),
        );
        for (const m of ["etcd-1", "etcd-2", "etcd-3"]) {
            const script = scriptOf(ext.all.get(`azure-${m}`)!);
            assert.ok(script.includes(uploadUrl(m)), `${m}: no upload to ${uploadUrl(m)}`);
            assert.ok(script.includes(`--data-urlencode 'msi_res_id=${IDS}/azure-identity-${m}'`), `${m}: uploads with another identity`);
        }
        for (const r of [ext.all.get("azure-cp-1")!, ext.all.get("azure-cp-2")!, ext.all.get("azure-pool-workers")!]) {
            assert.doesNotMatch(scriptOf(r), /blob\.core\.windows\.net|storage\.azure\.com/, `${r.name} uploads snapshots without holding etcd`);
        }
    });

    it("five control planes go round-robin over zones 1-3 at consecutive fixed addresses", async () => {
        const five = await build({ controlPlane: { count: 5 } });
        const vms = ofType(five.resources, "compute:VirtualMachine");
        assert.deepEqual(vms.map((v) => plain(v.inputs.zones)[0]), ["1", "2", "3", "1", "2"]);
        assert.deepEqual(ofType(five.resources, "network:NetworkInterface").map((n) => plain(n.inputs.ipConfigurations)[0].privateIPAddress), ["10.20.0.10", "10.20.0.11", "10.20.0.12", "10.20.0.13", "10.20.0.14"]);
    });

    it("encryption at host can be turned off (subscriptions without the feature) and reaches every machine", async () => {
        const enc = await build({ cloud: { encryptionAtHost: false } });
        assert.deepEqual(plain(enc.all.get("azure-cp-2")!.inputs.securityProfile), { encryptionAtHost: false });
        assert.deepEqual(plain(enc.all.get("azure-pool-workers")!.inputs.virtualMachineProfile).securityProfile, { encryptionAtHost: false });
    });

    it("a 63-character cluster name still gives Azure names within every limit", async () => {
        const name = `c${"x".repeat(61)}z`;
        const long = await build({ name });
        const limits: [string, number][] = [
            ["vmName", NAME_LIMITS.virtualMachine],
            ["vmScaleSetName", NAME_LIMITS.scaleSet],
            ["networkInterfaceName", NAME_LIMITS.networkInterface],
            ["loadBalancerName", NAME_LIMITS.loadBalancer],
            ["virtualNetworkName", NAME_LIMITS.virtualNetwork],
            ["vaultName", NAME_LIMITS.keyVault],
            ["accountName", NAME_LIMITS.storageAccount],
            ["resourceGroupName", NAME_LIMITS.resourceGroup],
            ["resourceName", NAME_LIMITS.identity],
        ];
        let checked = 0;
        for (const r of long.resources.filter((x) => x.type.startsWith("azure-native:"))) {
            for (const [key, max] of limits) {
                if (typeof r.inputs[key] !== "string" || (key === "vaultName" && r.type !== "azure-native:keyvault:Vault")) continue;
                checked++;
                assert.ok(r.inputs[key].length <= max, `${r.name}.${key} = ${r.inputs[key]} (${r.inputs[key].length} > ${max})`);
            }
        }
        assert.ok(checked > 15);
        const account = String(ofType(long.resources, "storage:StorageAccount")[0].inputs.accountName);
        assert.match(account, STORAGE_ACCOUNT_NAME_RE);
        assert.equal(account, storageAccountName(name, `${SUB}/resourceGroups/${name}-rg`));
        const pool = plain(long.all.get(`${name}-pool-workers`)!.inputs.virtualMachineProfile);
        assert.ok(pool.osProfile.computerNamePrefix.length <= NAME_LIMITS.computerNamePrefix);
    });

    it("refuses what cannot work on Azure in the config, before any resource exists", () => {
        const cases: [unknown, RegExp][] = [
            [{ endpoint: { port: 443 } }, /cluster\.endpoint\.port: 443 is not the API servers' port 6443/],
            [{ cloud: { image: "ubuntu" } }, /cluster\.cloud\.image: "ubuntu" is not publisher:offer:sku:version/],
        ];
        for (const [patch, message] of cases) assert.throws(() => loadSpec(stackConfig(patch), { stack: "azure" }), message);
    });
});
