/**
 * EKS under mocks: network over the zones, node groups per pool, IAM and access entries, the
 * OIDC provider, Secrets encryption, logging, endpoint access, and the secret kubeconfig.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { loadSpec } from "../../config";
import type { EksCluster as EksClusterT } from "../../components/managed/eks";
import { SynthMocks } from "../../synth/mocks";
import { merge } from "../unit/fixtures";
import { counts, fastStacks, norm, ofType, one, plain, type Recorded, resolve, settle, managedSpec } from "./harness";

const ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF";
const ENDPOINT = "https://0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com";


class Recorder extends SynthMocks {
    readonly resources: Recorded[] = [];
    constructor() {
        super({
            outputs: {
                "aws:eks/cluster:Cluster": () => ({ endpoint: ENDPOINT, certificateAuthority: { data: "Q0EtREFUQQ==" }, identities: [{ oidcs: [{ issuer: ISSUER }] }], arn: "arn:aws:eks:eu-west-1:123456789012:cluster/m1" }),
                "aws:iam/role:Role": (a) => ({ arn: `arn:aws:iam::123456789012:role/${a.name}` }),
                "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (a) => ({ arn: `arn:aws:iam::123456789012:oidc-provider/${String(a.inputs.url).replace("https://", "")}` }),
                "aws:kms/key:Key": (a) => ({ arn: `arn:aws:kms:eu-west-1:123456789012:key/${a.name}`, keyId: `${a.name}-key-id` }),
            },
        });
    }
    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        this.resources.push({ type: args.type, name: args.name, inputs: norm(args.inputs) });
        return super.newResource(args);
    }
}

const ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];
const ADMIN = "arn:aws:iam::123456789012:role/platform-admins";
const base = {
    name: "m1",
    cloud: { region: "eu-west-1", zones: ZONES, publicEndpoint: true, apiAllowedCidrs: ["203.0.113.0/24"] },
    workers: { pools: [{ name: "general", count: 3, instanceType: "m6i.large" }, { name: "arm", count: 2, instanceType: "m7g.large", zones: ["eu-west-1a", "eu-west-1b"], labels: { arch: "arm64" } }] },
    managed: { adminPrincipals: [ADMIN] },
};

async function build(patch: Record<string, unknown> = {}, profile = "ha") {
    const mocks = new Recorder();
    pulumi.runtime.setAllConfig({});
    pulumi.runtime.setMocks(mocks, "hacluster", "test", false);
    const { EksCluster } = (await import("../../components/managed/eks")) as { EksCluster: typeof EksClusterT };
    const { spec } = loadSpec({ profile, platform: "aws", family: "managed", cluster: merge(base, patch) }, { stack: "t" });
    const cluster = new EksCluster(spec.name, { spec: managedSpec(spec) });
    await resolve(cluster.kubeconfig);
    await settle();
    return { cluster, spec, resources: mocks.resources };
}



describe("components: EKS (mocked)", function () {
    this.timeout(60000);
    fastStacks();

    it("registers a VPC over three zones, IAM, KMS, the cluster, OIDC, a node group per pool, add-ons and admins", async () => {
        const { resources } = await build();
        assert.deepEqual(counts(resources), {
            "hacluster:managed:Eks": 1,
            "aws:ec2/vpc:Vpc": 1,
            "aws:ec2/internetGateway:InternetGateway": 1,
            "aws:ec2/subnet:Subnet": 6,
            "aws:ec2/routeTable:RouteTable": 4,
            "aws:ec2/routeTableAssociation:RouteTableAssociation": 6,
            "aws:ec2/eip:Eip": 3,
            "aws:ec2/natGateway:NatGateway": 3,
            "aws:ec2/securityGroup:SecurityGroup": 1,
            "aws:iam/role:Role": 2,
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 4,
            "aws:iam/rolePolicy:RolePolicy": 1,
            "aws:kms/key:Key": 1,
            "aws:kms/alias:Alias": 1,
            "aws:cloudwatch/logGroup:LogGroup": 1,
            "aws:eks/cluster:Cluster": 1,
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider": 1,
            "aws:eks/nodeGroup:NodeGroup": 2,
            "aws:eks/addon:Addon": 3,
            "aws:eks/accessEntry:AccessEntry": 1,
            "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": 1,
        });
        for (const r of resources) assert.ok(r.name === "m1" || r.name.startsWith("m1-"), `${r.name} is not named after the cluster`);
    });

    it("zones: a private /18 and a public /20 per zone, a NAT gateway per zone (ha), control plane over the private subnets", async () => {
        const { resources } = await build();
        const subnets = ofType(resources, "aws:ec2/subnet:Subnet").map((s) => [s.name, s.inputs.availabilityZone, s.inputs.cidrBlock, s.inputs.mapPublicIpOnLaunch]);
        assert.deepEqual(subnets.sort(), [
            ["m1-private-eu-west-1a", "eu-west-1a", "10.0.0.0/18", false],
            ["m1-private-eu-west-1b", "eu-west-1b", "10.0.64.0/18", false],
            ["m1-private-eu-west-1c", "eu-west-1c", "10.0.128.0/18", false],
            ["m1-public-eu-west-1a", "eu-west-1a", "10.0.192.0/20", false],
            ["m1-public-eu-west-1b", "eu-west-1b", "10.0.208.0/20", false],
            ["m1-public-eu-west-1c", "eu-west-1c", "10.0.224.0/20", false],
        ]);
        assert.deepEqual(ofType(resources, "aws:ec2/natGateway:NatGateway").map((n) => n.inputs.subnetId).sort(), ZONES.map((z) => `m1-public-${z}-id`));
        for (const z of ZONES) {
            assert.deepEqual(one(resources, `m1-private-${z}-routes`).inputs.routes, [{ cidrBlock: "0.0.0.0/0", natGatewayId: `m1-nat-${z}-id` }], `${z} egress through its own NAT`);
        }
        const vpc = one(resources, "m1-cluster").inputs.vpcConfig;
        assert.deepEqual(vpc.subnetIds, ZONES.map((z) => `m1-private-${z}-id`));
    });

    it("profile dev shares one NAT gateway", async () => {
        const { resources } = await build({}, "dev");
        assert.equal(ofType(resources, "aws:ec2/natGateway:NatGateway").length, 1);
        for (const z of ZONES) assert.equal(one(resources, `m1-private-${z}-routes`).inputs.routes[0].natGatewayId, "m1-nat-eu-west-1a-id");
    });

    it("pools: one node group each over its zones, sized from the pool, ARM AMI for Graviton", async () => {
        const { resources } = await build();
        const general = one(resources, "m1-pool-general").inputs;
        assert.deepEqual(general.subnetIds, ZONES.map((z) => `m1-private-${z}-id`));
        assert.deepEqual(general.scalingConfig, { desiredSize: 3, minSize: 3, maxSize: 3 });
        assert.deepEqual([general.instanceTypes, general.amiType, general.diskSize, general.version], [["m6i.large"], "AL2023_x86_64_STANDARD", 50, "1.37"]);
        const arm = one(resources, "m1-pool-arm").inputs;
        assert.deepEqual(arm.subnetIds, ["m1-private-eu-west-1a-id", "m1-private-eu-west-1b-id"]);
        assert.deepEqual([arm.amiType, arm.labels, arm.scalingConfig.desiredSize], ["AL2023_ARM_64_STANDARD", { arch: "arm64" }, 2]);
        assert.equal(arm.nodeRoleArn, "arn:aws:iam::123456789012:role/m1-node-role");
    });

    it("a thousand workers register the same resources as three; adding a pool changes no other input", async () => {
        const three = await build({ workers: { pools: undefined, count: 3 } });
        const many = await build({ workers: { pools: undefined, count: 1000 }, kubernetes: { podSubnet: "10.240.0.0/12" } });
        assert.deepEqual(many.resources.map((r) => r.name), three.resources.map((r) => r.name));
        assert.equal(one(many.resources, "m1-pool-workers").inputs.scalingConfig.desiredSize, 1000);
        const before = await build();
        const after = await build({ workers: { pools: [...base.workers.pools, { name: "batch", count: 1 }] } });
        const old = new Map(before.resources.map((r) => [r.name, r]));
        assert.deepEqual(after.resources.filter((r) => !old.has(r.name)).map((r) => r.name), ["m1-pool-batch"]);
        for (const r of after.resources) if (old.has(r.name)) assert.deepEqual(r.inputs, old.get(r.name)!.inputs, `${r.name} changed`);
    });

    it("identity: cluster and node roles with their managed policies, OIDC from the issuer, admins by access entries (mode API)", async () => {
        const { resources } = await build();
        const policies = ofType(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((p) => `${p.inputs.role} ${p.inputs.policyArn}`).sort();
        assert.deepEqual(policies, [
            "ref:m1-cluster-role arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
            "ref:m1-node-role arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
            "ref:m1-node-role arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
            "ref:m1-node-role arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
        ]);
        assert.match(one(resources, "m1-node-role").inputs.assumeRolePolicy, /"Service":"ec2.amazonaws.com"/);
        assert.match(one(resources, "m1-cluster-role").inputs.assumeRolePolicy, /"Service":"eks.amazonaws.com".*sts:TagSession/);
        const oidc = one(resources, "m1-oidc").inputs;
        assert.deepEqual([oidc.url, oidc.clientIdLists, oidc.thumbprintLists], [ISSUER, ["sts.amazonaws.com"], undefined]);
        const cluster = one(resources, "m1-cluster").inputs;
        assert.deepEqual(cluster.accessConfig, { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
        const [entry] = ofType(resources, "aws:eks/accessEntry:AccessEntry");
        assert.deepEqual([entry.inputs.principalArn, entry.inputs.clusterName, entry.inputs.type], [ADMIN, "m1", "STANDARD"]);
        const [assoc] = ofType(resources, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation");
        assert.equal(assoc.inputs.policyArn, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
        assert.deepEqual(assoc.inputs.accessScope, { type: "cluster" });
    });

    it("encryption: Secrets under a rotated KMS key the cluster role may use", async () => {
        const { resources } = await build();
        const key = one(resources, "m1-secrets-key").inputs;
        assert.deepEqual([key.enableKeyRotation, key.deletionWindowInDays], [true, 30]);
        const cluster = one(resources, "m1-cluster").inputs;
        assert.deepEqual(cluster.encryptionConfig, { provider: { keyArn: "arn:aws:kms:eu-west-1:123456789012:key/m1-secrets-key" }, resources: ["secrets"] });
        const use = JSON.parse(one(resources, "m1-cluster-role-kms").inputs.policy);
        assert.equal(use.Statement[0].Resource, "arn:aws:kms:eu-west-1:123456789012:key/m1-secrets-key");
        assert.ok(use.Statement[0].Action.includes("kms:Decrypt"));
    });

    it("logging and endpoint: log types with a retained log group; public endpoint limited to apiAllowedCidrs; private when not public", async () => {
        const pub = (await build()).resources;
        const c = one(pub, "m1-cluster").inputs;
        assert.deepEqual(c.enabledClusterLogTypes, ["api", "audit", "authenticator", "controllerManager", "scheduler"]);
        assert.deepEqual([one(pub, "m1-logs").inputs.name, one(pub, "m1-logs").inputs.retentionInDays], ["/aws/eks/m1/cluster", 90]);
        assert.deepEqual([c.vpcConfig.endpointPublicAccess, c.vpcConfig.endpointPrivateAccess, c.vpcConfig.publicAccessCidrs], [true, true, ["203.0.113.0/24"]]);
        assert.deepEqual([c.version, c.kubernetesNetworkConfig.serviceIpv4Cidr, c.upgradePolicy.supportType, c.deletionProtection], ["1.37", "10.96.0.0/12", "STANDARD", true]);
        const priv = (await build({ cloud: { publicEndpoint: false, apiAllowedCidrs: [] }, managed: { controlPlaneLogging: false } })).resources;
        const p = one(priv, "m1-cluster").inputs;
        assert.deepEqual([p.vpcConfig.endpointPublicAccess, p.vpcConfig.publicAccessCidrs, p.vpcConfig.securityGroupIds], [false, undefined, undefined]);
        assert.deepEqual(p.enabledClusterLogTypes, []);
        assert.equal(ofType(priv, "aws:cloudwatch/logGroup:LogGroup").length, 0);
    });

    it("an existing VPC: no network resources, the given subnets per zone", async () => {
        const subnets = ZONES.map((zone, i) => ({ id: `subnet-${i}`, cidr: `10.0.${i * 64}.0/18`, zone }));
        const { resources } = await build({ cloud: { existingNetwork: { networkId: "vpc-123", subnets } } });
        assert.equal(resources.filter((r) => r.type.startsWith("aws:ec2/") && r.type !== "aws:ec2/securityGroup:SecurityGroup").length, 0);
        assert.deepEqual(one(resources, "m1-cluster").inputs.vpcConfig.subnetIds, ["subnet-0", "subnet-1", "subnet-2"]);
        assert.deepEqual(one(resources, "m1-pool-arm").inputs.subnetIds, ["subnet-0", "subnet-1"]);
        assert.equal(one(resources, "m1-api").inputs.vpcId, "vpc-123");
    });

    it("outputs: the endpoint, a secret exec kubeconfig, pools by zone, tolerance", async () => {
        const { cluster } = await build();
        assert.equal((await resolve(cluster.endpoint)).value, ENDPOINT);
        const kc = await resolve(cluster.kubeconfig);
        assert.equal(kc.secret, true);
        const doc = parse(kc.value);
        assert.equal(doc.clusters[0].cluster.server, ENDPOINT);
        assert.equal(doc.clusters[0].cluster["certificate-authority-data"], "Q0EtREFUQQ==");
        assert.deepEqual(plain(doc.users[0].user.exec.args), ["--region", "eu-west-1", "eks", "get-token", "--cluster-name", "m1", "--output", "json"]);
        assert.equal(doc.users[0].user.exec.command, "aws");
        assert.equal((await resolve(cluster.oidcProviderArn)).value, "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF");
        const nodes = (await resolve(cluster.nodes)).value;
        assert.deepEqual(nodes.map((n) => [n.name, n.zone, n.count]), [["general", ZONES.join(","), 3], ["arm", "eu-west-1a,eu-west-1b", 2]]);
        const tol = (await resolve(cluster.failureTolerance)).value;
        assert.deepEqual([tol.zones, tol.etcdMembers, tol.apiServers], [1, null, null]);
    });

    it("refuses what EKS cannot do, naming the config path and the fix", async () => {
        await assert.rejects(
            build({ cloud: { zones: ["eu-west-1a"] }, workers: { pools: undefined, count: 2 } }, "dev"),
            /cluster\.cloud\.zones: EKS needs subnets in at least 2 availability zones \(got 1\)/,
        );
        await assert.rejects(build({ managed: { adminPrincipals: ["alice"] } }), /cluster\.managed\.adminPrincipals\[0\]: EKS admins are IAM role or user ARNs \(got "alice"\)/);
        await assert.rejects(build({ kubernetes: { serviceSubnet: "100.64.0.0/16" } }), /EKS takes a service range inside 10\.0\.0\.0\/8/);
    });
});
