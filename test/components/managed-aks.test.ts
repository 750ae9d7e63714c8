/**
 * AKS under mocks: the inline system pool and one AgentPool per user pool over zones 1–3, the
 * control-plane identity and its rights, Entra ID / Azure RBAC, KMS etcd encryption, Azure CNI
 * Overlay, a private cluster option, and the kubeconfig from the user-credentials call (secret).
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { loadSpec } from "../../config";
import type { AksCluster as AksClusterT } from "../../components/managed/aks";
import { SynthMocks } from "../../synth/mocks";
import { merge } from "../unit/fixtures";
import { counts, fastStacks, norm, ofType, one, type Recorded, resolve, settle, managedSpec } from "./harness";


const SUB = "11111111-2222-3333-4444-555555555555";
const TENANT = "99999999-8888-7777-6666-555555555555";
const GROUP = "0a1b2c3d-0000-4000-8000-00000000abcd";
const USER_KUBECONFIG = "apiVersion: v1\nkind: Config\nusers:\n- name: clusterUser_a1-rg_a1\n  user:\n    exec:\n      command: kubelogin\n";
const RG_ID = `/subscriptions/${SUB}/resourceGroups/a1-rg`;

class Recorder extends SynthMocks {
    readonly resources: Recorded[] = [];
    readonly calls: pulumi.runtime.MockCallArgs[] = [];
    constructor(answerCredentials = true) {
        super({
            outputs: {
                "azure-native:resources:ResourceGroup": (a) => ({ name: a.inputs.resourceGroupName }),
                "azure-native:managedidentity:UserAssignedIdentity": () => ({ principalId: "identity-principal", clientId: "identity-client" }),
                "azure-native:keyvault:Key": () => ({ keyUriWithVersion: "https://a1-kms.vault.azure.net/keys/etcd-secrets/0123456789abcdef" }),
                "azure-native:containerservice:ManagedCluster": (a) => ({
                    name: a.inputs.resourceName,
                    fqdn: "a1-dns-abc.hcp.westeurope.azmk8s.io",
                    privateFQDN: "a1-dns-abc.privatelink.westeurope.azmk8s.io",
                    oidcIssuerProfile: { enabled: true, issuerURL: `https://westeurope.oic.prod-aks.azure.com/${TENANT}/abc/` },
                }),
            },
            calls: {
                "azure-native:authorization:getClientConfig": () => ({ subscriptionId: SUB, tenantId: TENANT, objectId: "me", clientId: "me" }),
                ...(answerCredentials
                    ? { "azure-native:containerservice:listManagedClusterUserCredentials": () => ({ kubeconfigs: [{ name: "clusterUser", value: Buffer.from(USER_KUBECONFIG).toString("base64") }] }) }
                    : {}),
            },
        });
    }
    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        this.resources.push({ type: args.type, name: args.name, inputs: norm(args.inputs) });
        const r = super.newResource(args);
        if (args.type === "azure-native:resources:ResourceGroup") return { ...r, id: RG_ID };
        if (args.type === "azure-native:network:Subnet") return { ...r, id: `${RG_ID}/providers/Microsoft.Network/virtualNetworks/a1-vnet/subnets/nodes` };
        return r;
    }
    call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
        this.calls.push(args);
        return super.call(args);
    }
}


const base = {
    name: "a1",
    kubernetes: { version: "1.33.4", podSubnet: "10.240.0.0/12" },
    cloud: { region: "westeurope", zones: ["1", "2", "3"], publicEndpoint: true, apiAllowedCidrs: ["203.0.113.0/24"] },
    workers: { pools: [{ name: "general-purpose", count: 3, instanceType: "Standard_D4s_v5" }, { name: "batch", count: 2, instanceType: "Standard_D8s_v5", zones: ["1", "2"], labels: { workload: "batch" } }] },
    managed: { adminPrincipals: [GROUP] },
};

async function build(patch: Record<string, unknown> = {}, answerCredentials = true) {
    const mocks = new Recorder(answerCredentials);
    pulumi.runtime.setAllConfig({});
    pulumi.runtime.setMocks(mocks, "hacluster", "test", false);
    const { AksCluster } = (await import("../../components/managed/aks")) as { AksCluster: typeof AksClusterT };
    const { spec } = loadSpec({ profile: "ha", platform: "azure", family: "managed", cluster: merge(base, patch) }, { stack: "t" });
    const cluster = new AksCluster(spec.name, { spec: managedSpec(spec) });
    await resolve(cluster.kubeconfig);
    await settle();
    return { cluster, resources: mocks.resources, calls: mocks.calls };
}


describe("components: AKS (mocked)", function () {
    this.timeout(60000);
    fastStacks();
    let built: Awaited<ReturnType<typeof build>>;
    before(async () => {
        built = await build();
    });

    it("registers group, network, identity and rights, Key Vault key, cluster, logs and an AgentPool per user pool", () => {
        assert.deepEqual(counts(built.resources), {
            "hacluster:managed:Aks": 1,
            "azure-native:resources:ResourceGroup": 1,
            "azure-native:network:VirtualNetwork": 1,
            "azure-native:network:Subnet": 1,
            "azure-native:managedidentity:UserAssignedIdentity": 1,
            "azure-native:authorization:RoleAssignment": 2,
            "random:index/randomString:RandomString": 1,
            "azure-native:keyvault:Vault": 1,
            "azure-native:keyvault:Key": 1,
            "azure-native:containerservice:ManagedCluster": 1,
            "azure-native:operationalinsights:Workspace": 1,
            "azure-native:monitor:DiagnosticSetting": 1,
            "azure-native:containerservice:AgentPool": 2,
        });
        for (const r of built.resources) assert.ok(r.name === "a1" || r.name.startsWith("a1-"), `${r.name} is not named after the cluster`);
        assert.deepEqual(one(built.resources, "a1-rg").inputs.resourceGroupName, "a1-rg");
    });

    it("pools: the system pool inline over zones 1–3 (tainted for add-ons), each user pool its own AgentPool", () => {
        const c = one(built.resources, "a1-cluster").inputs;
        assert.equal(c.agentPoolProfiles.length, 1);
        const sys = c.agentPoolProfiles[0];
        assert.deepEqual([sys.name, sys.mode, sys.count, sys.availabilityZones, sys.nodeTaints], ["system", "System", 3, ["1", "2", "3"], ["CriticalAddonsOnly=true:NoSchedule"]]);
        const general = one(built.resources, "a1-pool-general-purpose").inputs;
        assert.deepEqual(
            [general.agentPoolName, general.mode, general.count, general.availabilityZones, general.resourceName, general.resourceGroupName],
            ["generalpurpo", "User", 3, ["1", "2", "3"], "a1", "a1-rg"],
        );
        const batch = one(built.resources, "a1-pool-batch").inputs;
        assert.deepEqual([batch.agentPoolName, batch.availabilityZones, batch.vmSize, batch.nodeLabels, batch.enableNodePublicIP], ["batch", ["1", "2"], "Standard_D8s_v5", { workload: "batch" }, false]);
        assert.equal(batch.vnetSubnetID, sys.vnetSubnetID);
    });

    it("adding, resizing or removing a user pool touches no other resource's inputs (the cluster stays as is)", async () => {
        const after = await build({ workers: { pools: [{ ...base.workers.pools[0], count: 30 }, { name: "gpu", count: 1, instanceType: "Standard_NC4as_T4_v3" }] } });
        const old = new Map(built.resources.map((r) => [r.name, r]));
        assert.deepEqual(after.resources.filter((r) => !old.has(r.name)).map((r) => r.name), ["a1-pool-gpu"]);
        assert.ok(!after.resources.some((r) => r.name === "a1-pool-batch"));
        // The component's own facts follow the tolerance (here: every pool now spans 3 zones); it has no cloud side.
        for (const r of after.resources) {
            if (old.has(r.name) && r.name !== "a1-pool-general-purpose" && r.name !== "a1") assert.deepEqual(r.inputs, old.get(r.name)!.inputs, `${r.name} changed`);
        }
        assert.equal(one(after.resources, "a1-pool-general-purpose").inputs.count, 30);
    });

    it("identity: user-assigned, Network Contributor on the node subnet and Key Vault Crypto User on the vault, before the cluster", () => {
        const c = one(built.resources, "a1-cluster").inputs;
        assert.deepEqual(c.identity, { type: "UserAssigned", userAssignedIdentities: ["a1-identity-id"] });
        const grants = ofType(built.resources, "azure-native:authorization:RoleAssignment").map((g) => [g.name, g.inputs.principalId, g.inputs.principalType, g.inputs.roleDefinitionId, g.inputs.scope]);
        assert.deepEqual(grants.sort(), [
            ["a1-identity-kms", "identity-principal", "ServicePrincipal", `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/12338af0-0e69-4776-bea7-57ae8d297424`, "a1-kms-id"],
            ["a1-identity-network", "identity-principal", "ServicePrincipal", `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/4d97b98b-1d4f-4787-a291-c67834d212e7`, `${RG_ID}/providers/Microsoft.Network/virtualNetworks/a1-vnet/subnets/nodes`],
        ]);
        assert.deepEqual([c.oidcIssuerProfile, c.securityProfile.workloadIdentity], [{ enabled: true }, { enabled: true }]);
    });

    it("Entra ID: managed AAD with Azure RBAC and the admin groups, local accounts off; off when neither is wanted", async () => {
        const c = one(built.resources, "a1-cluster").inputs;
        assert.deepEqual(c.aadProfile, { managed: true, enableAzureRBAC: true, adminGroupObjectIDs: [GROUP] });
        assert.equal(c.disableLocalAccounts, true);
        const local = await build({ managed: { azureRbac: false, adminPrincipals: [] } });
        const l = one(local.resources, "a1-cluster").inputs;
        assert.deepEqual([l.aadProfile, l.disableLocalAccounts], [undefined, false]);
        const call = local.calls.find((x) => x.token === "azure-native:containerservice:listManagedClusterUserCredentials")!;
        assert.equal(call.inputs.format, undefined, "local accounts: the certificate kubeconfig");
    });

    it("encryption: KMS etcd encryption with the Key Vault key (purge-protected, RBAC vault)", () => {
        const c = one(built.resources, "a1-cluster").inputs;
        assert.deepEqual(c.securityProfile.azureKeyVaultKms, { enabled: true, keyId: "https://a1-kms.vault.azure.net/keys/etcd-secrets/0123456789abcdef", keyVaultNetworkAccess: "Public" });
        const vault = one(built.resources, "a1-kms").inputs;
        assert.match(vault.vaultName, /^a1-kms-[a-z0-9]{6}$/);
        assert.deepEqual([vault.properties.tenantId, vault.properties.enableRbacAuthorization, vault.properties.enablePurgeProtection], [TENANT, true, true]);
        assert.deepEqual(one(built.resources, "a1-kms-key").inputs.properties.kty, "RSA");
    });

    it("network: Azure CNI Overlay with Cilium from the spec's ranges; public API limited to apiAllowedCidrs", () => {
        const c = one(built.resources, "a1-cluster").inputs;
        assert.deepEqual(c.networkProfile, {
            networkPlugin: "azure",
            networkPluginMode: "overlay",
            networkDataplane: "cilium",
            networkPolicy: "cilium",
            podCidr: "10.240.0.0/12",
            serviceCidr: "10.96.0.0/12",
            dnsServiceIP: "10.96.0.10",
            loadBalancerSku: "standard",
            outboundType: "loadBalancer",
        });
        assert.deepEqual(c.apiServerAccessProfile, { enablePrivateCluster: false, authorizedIPRanges: ["203.0.113.0/24"] });
        assert.deepEqual([c.kubernetesVersion, c.sku, c.autoUpgradeProfile.upgradeChannel], ["1.33", { name: "Base", tier: "Standard" }, "patch"]);
        assert.deepEqual(one(built.resources, "a1-vnet").inputs.addressSpace, { addressPrefixes: ["10.0.0.0/16"] });
    });

    it("outputs: the kubeconfig from the user-credentials call, decoded and secret; endpoint; system pool among the nodes", async () => {
        const kc = await resolve(built.cluster.kubeconfig);
        assert.deepEqual(kc, { value: USER_KUBECONFIG, secret: true });
        const call = built.calls.find((x) => x.token === "azure-native:containerservice:listManagedClusterUserCredentials")!;
        assert.deepEqual([call.inputs.resourceGroupName, call.inputs.resourceName, call.inputs.format], ["a1-rg", "a1", "exec"]);
        assert.equal((await resolve(built.cluster.endpoint)).value, "https://a1-dns-abc.hcp.westeurope.azmk8s.io:443");
        assert.equal((await resolve(built.cluster.oidcIssuerUrl)).value, `https://westeurope.oic.prod-aks.azure.com/${TENANT}/abc/`);
        const nodes = (await resolve(built.cluster.nodes)).value;
        assert.deepEqual(nodes.map((n) => [n.name, n.zone, n.count]), [["system", "1,2,3", 3], ["general-purpose", "1,2,3", 3], ["batch", "1,2", 2]]);
    });

    it("an empty credentials answer (offline synth) gives an empty secret kubeconfig, not a failure", async () => {
        const { cluster } = await build({}, false);
        assert.deepEqual(await resolve(cluster.kubeconfig), { value: "", secret: true });
    });

    it("a private cluster: private API server, endpoint on the private FQDN; dev profile: one system node, Free tier", async () => {
        const { cluster, resources } = await build({ cloud: { publicEndpoint: false, apiAllowedCidrs: [] } });
        assert.deepEqual(one(resources, "a1-cluster").inputs.apiServerAccessProfile, { enablePrivateCluster: true, privateDNSZone: "system" });
        assert.equal((await resolve(cluster.endpoint)).value, "https://a1-dns-abc.privatelink.westeurope.azmk8s.io:443");
        const mocks = new Recorder();
        pulumi.runtime.setMocks(mocks, "hacluster", "test", false);
        const { AksCluster } = (await import("../../components/managed/aks")) as { AksCluster: typeof AksClusterT };
        const { spec } = loadSpec({ profile: "dev", platform: "azure", family: "managed", cluster: merge(base, {}) }, { stack: "t" });
        await resolve(new AksCluster(spec.name, { spec: managedSpec(spec) }).kubeconfig);
        await settle();
        const c = one(mocks.resources, "a1-cluster").inputs;
        assert.deepEqual([c.agentPoolProfiles[0].count, c.sku.tier], [1, "Free"]);
    });

    it("a thousand workers register the same resources as three", async () => {
        const three = await build({ workers: { pools: undefined, count: 3 } });
        const many = await build({ workers: { pools: undefined, count: 1000 } });
        assert.deepEqual(many.resources.map((r) => r.name), three.resources.map((r) => r.name));
        assert.equal(one(many.resources, "a1-pool-workers").inputs.count, 1000);
    });

    it("refuses what AKS cannot do, naming the config path and the fix", async () => {
        await assert.rejects(
            build({ workers: { pools: [{ name: "general-purpose-a", count: 1 }, { name: "general-purpose-b", count: 1 }] } }),
            /cluster\.workers\.pools\[1\]\.name: "general-purpose-b" becomes the AKS pool name "generalpurpo", which pool "general-purpose-a" already has/,
        );
        await assert.rejects(build({ workers: { pools: [{ name: "system", count: 1 }] } }), /which the system pool already has/);
        await assert.rejects(build({ managed: { adminPrincipals: ["platform-admins"] } }), /AKS admins are Entra ID group object ids \(got "platform-admins"\)/);
    });
});
