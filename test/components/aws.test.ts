/**
 * The AWS cluster component under the SDK's mocks, built from the shipped stack file
 * (Pulumi.aws.yaml) and variants of it: resources, zones, the NLB, security-group rules,
 * instance hardening, the scaling group, secrets and outputs.
 */
import { strict as assert } from "node:assert";
import * as zlib from "node:zlib";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { loadSpec, type RawStackConfig } from "../../config";
import type { AwsCluster as AwsClusterT } from "../../components/aws";
import { partitionOf, tlsOnlyPolicy, uploadPolicy } from "../../components/aws/backup";
import { natZones, publicSubnetCidrs } from "../../components/aws/layout";
import { scriptFromCloudInit } from "../../components/render/cloudinit";
import { extractFiles, scriptNode } from "../../components/render/script";
import { buildTopology } from "../../components/topology";
import { merge } from "../unit/fixtures";
import { isSecret, mock, plain, resolve, settle, type Recorded, cloudSpec } from "./harness";

const ROOT = join(__dirname, "..", "..");
const NLB_DNS = "aws-ha-api-nlb-0123456789abcdef.elb.eu-west-1.amazonaws.com";

/** The shipped stack's config, as `loadSpec` takes it. */
function stack(patch: Record<string, unknown> = {}, top: Partial<RawStackConfig> = {}): RawStackConfig {
    const config = parse(readFileSync(join(ROOT, "Pulumi.aws.yaml"), "utf8")).config;
    return {
        profile: config["hacluster:profile"],
        platform: config["hacluster:platform"],
        ...top,
        cluster: merge(config["hacluster:cluster"], patch),
    };
}

async function build(cfg: RawStackConfig = stack()) {
    const mocks = mock();
    // The provider computes these; the shared mocks do not model AWS, so they are added here.
    const base = mocks.newResource.bind(mocks);
    mocks.newResource = (args: pulumi.runtime.MockResourceArgs) => {
        const r = base(args) as pulumi.runtime.MockResourceResult;
        if (args.type === "aws:lb/loadBalancer:LoadBalancer") r.state = { ...r.state, dnsName: NLB_DNS, zoneId: "Z32O12XQLNTSW2" };
        if (args.type === "aws:ec2/eip:Eip") r.state = { ...r.state, publicIp: `203.0.113.${9 + mocks.resources.filter((x) => x.type === args.type).length}` };
        return r;
    };
    const calls: pulumi.runtime.MockCallArgs[] = [];
    mocks.call = (args: pulumi.runtime.MockCallArgs) => {
        calls.push(args);
        return args.token === "aws:ssm/getParameter:getParameter" ? { value: "ami-0fedcba9876543210" } : {};
    };
    // Imported after setMocks, as the SDK's testing guide asks.
    const { AwsCluster } = (await import("../../components/aws")) as { AwsCluster: typeof AwsClusterT };
    const { spec } = loadSpec(cfg, { stack: "aws" });
    const cluster = new AwsCluster(spec.name, { spec: cloudSpec(spec) });
    await resolve(cluster.endpoint);
    await resolve(cluster.kubeconfig);
    await settle();
    return { cluster, spec, resources: mocks.resources, calls };
}

/** Inputs with resource references (deserialized by the mocks as resources) replaced by `ref:<name>`. */
const norm = (v: unknown): any =>
    JSON.parse(JSON.stringify(plain(v), (_k, x) => (x !== null && typeof x === "object" && x.__pulumiResource ? `ref:${x.__name}` : x)) ?? "null");
const of = (rs: readonly Recorded[], type: string) => rs.filter((r) => r.type === `aws:${type}`);
const named = (rs: readonly Recorded[], name: string) => {
    const r = rs.find((x) => x.name === name);
    assert.ok(r, `no resource ${name}`);
    return r;
};
const counts = (rs: readonly Recorded[]) => {
    const c: Record<string, number> = {};
    for (const r of rs) c[r.type] = (c[r.type] ?? 0) + 1;
    return c;
};
/** The node script inside an instance's or launch template's user-data. */
function scriptOf(r: Recorded): string {
    const raw = String(plain(r.inputs.userData ?? r.inputs.userDataBase64));
    const bytes = Buffer.from(raw, "base64");
    // Plain text, plain base64 (launch templates), or gzip+base64 (scriptFromCloudInit reads that itself).
    const text = raw.startsWith("#cloud-config") || bytes[0] === 0x1f ? raw : bytes.toString("utf8");
    const script = scriptFromCloudInit(text);
    assert.ok(script, `${r.name}: user-data carries no node script`);
    return script;
}
const file = (script: string, name: string) => extractFiles(script).find((f) => f.name === name)?.content ?? "";
const sgId = (name: string) => `aws-ha-${name}-sg-id`;
/** AWS provider resources of the shipped stack, for 3 workers as for 1000 (85 in the plan with PKI and component). */
const AWS_RESOURCES = 70;
/** The etcd backup bucket's name under the mocks (a bucket's id is its name). */
const BUCKET = "aws-ha-etcd-backups-id";
/** The IAM policies that let a role put snapshots. */
const putPolicies = (rs: readonly Recorded[]) => of(rs, "iam/rolePolicy:RolePolicy").filter((p) => p.name.endsWith("-put-etcd-snapshots"));
/** Every statement of every role policy. */
const statements = (rs: readonly Recorded[]) => of(rs, "iam/rolePolicy:RolePolicy").flatMap((p) => JSON.parse(String(plain(p.inputs.policy))).Statement as any[]);
/** The upload line of a snapshot script, when it has one. */
const uploads = (script: string) => file(script, "hacluster-etcd-snapshot").match(/s3 cp .*/g) ?? [];

describe("components: AWS cluster (mocked)", function () {
    this.timeout(120_000);
    let shipped: Awaited<ReturnType<typeof build>>;
    before(async () => {
        shipped = await build();
    });

    it("registers the shipped stack: network, endpoint, three control planes, one scaling group", () => {
        const c = counts(shipped.resources);
        const aws = Object.fromEntries(Object.entries(c).filter(([t]) => t.startsWith("aws:")));
        assert.deepEqual(aws, {
            "aws:ec2/vpc:Vpc": 1,
            "aws:ec2/internetGateway:InternetGateway": 1,
            "aws:ec2/subnet:Subnet": 6,
            "aws:ec2/routeTable:RouteTable": 4,
            "aws:ec2/routeTableAssociation:RouteTableAssociation": 6,
            "aws:ec2/eip:Eip": 3,
            "aws:ec2/natGateway:NatGateway": 3,
            "aws:ec2/securityGroup:SecurityGroup": 3,
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": 10,
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": 2,
            "aws:lb/loadBalancer:LoadBalancer": 1,
            "aws:lb/targetGroup:TargetGroup": 1,
            "aws:lb/listener:Listener": 1,
            "aws:lb/targetGroupAttachment:TargetGroupAttachment": 3,
            "aws:route53/zone:Zone": 1,
            "aws:route53/record:Record": 1,
            "aws:secretsmanager/secret:Secret": 2,
            "aws:secretsmanager/secretVersion:SecretVersion": 2,
            "aws:iam/role:Role": 2,
            "aws:iam/rolePolicy:RolePolicy": 3,
            "aws:iam/instanceProfile:InstanceProfile": 2,
            "aws:ec2/instance:Instance": 3,
            "aws:ec2/launchTemplate:LaunchTemplate": 1,
            "aws:autoscaling/group:Group": 1,
            "aws:s3/bucket:Bucket": 1,
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
            "aws:s3/bucketVersioning:BucketVersioning": 1,
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 1,
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 1,
            "aws:s3/bucketPolicy:BucketPolicy": 1,
        });
        assert.equal(Object.values(aws).reduce((a, b) => a + b, 0), AWS_RESOURCES, "AWS provider resources of the shipped stack");
        assert.equal(c["hacluster:aws:Cluster"], 1);
        assert.equal(c["hacluster:pki:ClusterPki"], 1);
        for (const r of shipped.resources) assert.ok(r.name === "aws-ha" || r.name.startsWith("aws-ha-"), `${r.name} is not named after the cluster`);
        assert.deepEqual(shipped.calls, [], "no lookups: image, zones and subnets come from the config");
    });

    it("spreads the control planes round-robin over the three zones at the topology's fixed addresses", () => {
        const subnets = new Map(of(shipped.resources, "ec2/subnet:Subnet").map((s) => [`${s.name}-id`, s.inputs]));
        const topo = buildTopology(shipped.spec);
        const seen = of(shipped.resources, "ec2/instance:Instance").map((i) => {
            const subnet = subnets.get(String(i.inputs.subnetId))!;
            assert.ok(subnet, `${i.name}: subnet ${i.inputs.subnetId} is one of the stack's`);
            assert.ok(i.name.includes("cp-"));
            return `${i.name}@${subnet.availabilityZone}/${subnet.cidrBlock}/${i.inputs.privateIp}`;
        });
        assert.deepEqual(seen.sort(), [
            "aws-ha-cp-1@eu-west-1a/10.0.0.0/18/10.0.0.10",
            "aws-ha-cp-2@eu-west-1b/10.0.64.0/18/10.0.64.10",
            "aws-ha-cp-3@eu-west-1c/10.0.128.0/18/10.0.128.10",
        ]);
        assert.deepEqual(topo.controlPlanes.map((n) => n.address), ["10.0.0.10", "10.0.64.10", "10.0.128.10"]);
        // Public subnets come from the quarter the node subnets leave; one NAT gateway per zone (profile ha).
        assert.deepEqual(
            of(shipped.resources, "ec2/subnet:Subnet").filter((s) => s.name.includes("-public-")).map((s) => `${s.inputs.availabilityZone}=${s.inputs.cidrBlock}`).sort(),
            ["eu-west-1a=10.0.192.0/20", "eu-west-1b=10.0.208.0/20", "eu-west-1c=10.0.224.0/20"],
        );
        for (const s of of(shipped.resources, "ec2/subnet:Subnet")) assert.equal(s.inputs.mapPublicIpOnLaunch, false);
        for (const rt of of(shipped.resources, "ec2/routeTable:RouteTable").filter((r) => r.name.includes("private"))) {
            const zone = rt.name.replace("aws-ha-private-rt-", "");
            assert.deepEqual(plain(rt.inputs.routes), [{ cidrBlock: "0.0.0.0/0", natGatewayId: `aws-ha-nat-${zone}-id` }], `${rt.name}: egress through its own zone's NAT`);
        }
        const vpc = of(shipped.resources, "ec2/vpc:Vpc")[0].inputs;
        assert.deepEqual([vpc.cidrBlock, vpc.enableDnsSupport, vpc.enableDnsHostnames], ["10.0.0.0/16", true, true]);
    });

    it("puts an internal NLB with cross-zone balancing, /readyz health checks and no client IP preservation in front of every control plane", () => {
        const nlb = of(shipped.resources, "lb/loadBalancer:LoadBalancer")[0].inputs;
        assert.equal(nlb.loadBalancerType, "network");
        assert.equal(nlb.internal, true);
        assert.equal(nlb.enableCrossZoneLoadBalancing, true);
        // At the address placement reserves for the endpoint: never one a control plane boots with.
        assert.deepEqual(plain(nlb.subnetMappings), [
            { subnetId: "aws-ha-private-eu-west-1a-id", privateIpv4Address: "10.0.0.5" },
            { subnetId: "aws-ha-private-eu-west-1b-id", privateIpv4Address: "10.0.64.5" },
            { subnetId: "aws-ha-private-eu-west-1c-id", privateIpv4Address: "10.0.128.5" },
        ]);
        assert.equal(nlb.subnets, undefined);
        assert.deepEqual(nlb.securityGroups, [sgId("api")]);
        const tg = of(shipped.resources, "lb/targetGroup:TargetGroup")[0].inputs;
        assert.deepEqual([tg.protocol, tg.port, tg.targetType, tg.preserveClientIp], ["TCP", 6443, "instance", "false"]);
        assert.deepEqual(
            { protocol: tg.healthCheck.protocol, path: tg.healthCheck.path, port: tg.healthCheck.port },
            { protocol: "HTTPS", path: "/readyz", port: "traffic-port" },
        );
        const listener = of(shipped.resources, "lb/listener:Listener")[0].inputs;
        assert.deepEqual([listener.port, listener.protocol, listener.loadBalancerArn], [6443, "TCP", "aws-ha-api-nlb-id"]);
        assert.deepEqual(plain(listener.defaultActions), [{ type: "forward", targetGroupArn: "aws-ha-api-tg-id" }]);
        assert.deepEqual(
            of(shipped.resources, "lb/targetGroupAttachment:TargetGroupAttachment").map((a) => `${a.inputs.targetId}:${a.inputs.port}`).sort(),
            ["aws-ha-cp-1-id:6443", "aws-ha-cp-2-id:6443", "aws-ha-cp-3-id:6443"],
        );
        // The endpoint name answers inside the VPC as an alias of the NLB.
        const zone = of(shipped.resources, "route53/zone:Zone")[0].inputs;
        assert.equal(zone.name, "api.aws-ha.internal");
        assert.deepEqual(plain(zone.vpcs), [{ vpcId: "aws-ha-vpc-id", vpcRegion: "eu-west-1" }]);
        const record = of(shipped.resources, "route53/record:Record")[0].inputs;
        assert.deepEqual([record.zoneId, record.name, record.type], ["aws-ha-api-zone-id", "api.aws-ha.internal", "A"]);
        assert.deepEqual(plain(record.aliases), [{ name: NLB_DNS, zoneId: "Z32O12XQLNTSW2", evaluateTargetHealth: false }]);
    });

    it("names the NLB in the first control plane's certificate SANs; every node dials the endpoint name", () => {
        const cp1 = scriptOf(named(shipped.resources, "aws-ha-cp-1"));
        const kubeadm = file(cp1, "kubeadm.yaml");
        assert.match(kubeadm, /controlPlaneEndpoint: api\.aws-ha\.internal:6443/);
        assert.match(kubeadm, new RegExp(`certSANs:\\n(\\s+- .+\\n)*\\s+- ${NLB_DNS.replace(/\./g, "\\.")}\\n`));
        assert.match(kubeadm, /- api\.aws-ha\.internal\n/);
        for (const name of ["aws-ha-cp-2", "aws-ha-workers-template"]) {
            const s = scriptOf(named(shipped.resources, name));
            assert.match(file(s, "kubeadm.yaml"), /apiServerEndpoint: api\.aws-ha\.internal:6443/);
            assert.match(s, /retry 120 10 curl -fsk --max-time 5 -o \/dev\/null 'https:\/\/api\.aws-ha\.internal:6443\/readyz'/, `${name} waits for the endpoint`);
            assert.match(s, /retry 10 30 hacluster_join/, `${name} retries its join 10 times`);
            // DNS (the private zone) answers the name before the join: no /etc/hosts entry but a joined control plane's own.
            const entries = s.match(/echo '[^']*# hacluster-endpoint'/g) ?? [];
            assert.deepEqual(entries, name.includes("cp-") ? ["echo '127.0.0.1 api.aws-ha.internal # hacluster-endpoint'"] : [], name);
        }
        assert.match(cp1, /kubeadm init --config/);
        assert.equal(scriptNode(cp1), "cp-1");
        // cp-1's user-data is over 16 KiB with the backup and hardening files, so it travels gzipped.
        const cp1Resource = named(shipped.resources, "aws-ha-cp-1");
        const sent = cp1Resource.inputs.userData ?? zlib.gunzipSync(Buffer.from(String(plain(cp1Resource.inputs.userDataBase64)), "base64")).toString();
        assert.match(sent, /^#cloud-config\nhostname: cp-1\n/);
    });

    it("opens nothing from 0.0.0.0/0 and each port only to whom needs it", () => {
        const rules = [...of(shipped.resources, "vpc/securityGroupIngressRule:SecurityGroupIngressRule"), ...of(shipped.resources, "vpc/securityGroupEgressRule:SecurityGroupEgressRule")];
        const show = (r: Recorded) => {
            const i = plain(r.inputs);
            const dir = r.type.includes("Ingress") ? "in" : "out";
            const from = i.referencedSecurityGroupId ? String(i.referencedSecurityGroupId).replace(/^aws-ha-|-sg-id$/g, "") : i.cidrIpv4;
            const ports = i.fromPort === undefined ? "" : i.fromPort === i.toPort ? `:${i.fromPort}` : `:${i.fromPort}-${i.toPort}`;
            return `${String(i.securityGroupId).replace(/^aws-ha-|-sg-id$/g, "")} ${dir} ${i.ipProtocol}${ports} ${dir === "in" ? "from" : "to"} ${from}`;
        };
        assert.deepEqual(rules.map(show).sort(), [
            "api in tcp:6443 from 10.100.0.0/16",
            "api in tcp:6443 from nodes",
            "api out tcp:6443 to control-plane",
            "control-plane in tcp:2379-2380 from control-plane",
            "control-plane in tcp:6443 from api",
            "control-plane in tcp:6443 from nodes",
            "nodes in 4 from nodes",
            "nodes in tcp:10250 from control-plane",
            "nodes in tcp:179 from nodes",
            "nodes in tcp:5473 from nodes",
            "nodes in udp:4789 from nodes",
            "nodes out -1 to 0.0.0.0/0",
        ]);
        for (const r of rules.filter((x) => x.type.includes("Ingress"))) {
            assert.notEqual(r.inputs.cidrIpv4, "0.0.0.0/0", `${r.name} opens to the world`);
            assert.ok(r.inputs.description, `${r.name} says why`);
        }
        // Control planes carry both groups, workers (the launch template) only the nodes' group.
        for (const i of of(shipped.resources, "ec2/instance:Instance")) assert.deepEqual(i.inputs.vpcSecurityGroupIds, [sgId("nodes"), sgId("control-plane")]);
        assert.deepEqual(plain(of(shipped.resources, "ec2/launchTemplate:LaunchTemplate")[0].inputs.networkInterfaces)[0].securityGroups, [sgId("nodes")]);
    });

    it("requires IMDSv2 (hop limit 1), encrypts gp3 root volumes and gives no node a public address", () => {
        for (const i of of(shipped.resources, "ec2/instance:Instance")) {
            assert.deepEqual(plain(i.inputs.metadataOptions), { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" }, i.name);
            const root = plain(i.inputs.rootBlockDevice);
            assert.deepEqual([root.encrypted, root.volumeType, root.volumeSize, root.deleteOnTermination], [true, "gp3", 50, true], i.name);
            assert.equal(i.inputs.associatePublicIpAddress, false);
            assert.equal(i.inputs.ami, "ami-0a0e5d9c7acc336f1");
            assert.equal(i.inputs.instanceType, "m6i.large");
            assert.equal(i.inputs.keyName, undefined, "no key pair unless cloud.sshPublicKey");
        }
        const lt = of(shipped.resources, "ec2/launchTemplate:LaunchTemplate")[0].inputs;
        assert.deepEqual(plain(lt.metadataOptions), { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" });
        assert.deepEqual(plain(lt.blockDeviceMappings), [{ deviceName: "/dev/sda1", ebs: { volumeType: "gp3", volumeSize: 50, encrypted: "true", deleteOnTermination: "true" } }]);
        assert.equal(plain(lt.networkInterfaces)[0].associatePublicIpAddress, "false");
        assert.equal(lt.imageId, "ami-0a0e5d9c7acc336f1");
    });

    it("runs the workers as one Auto Scaling group over every zone's subnet", () => {
        const asg = of(shipped.resources, "autoscaling/group:Group")[0];
        assert.equal(asg.name, "aws-ha-workers");
        assert.deepEqual(asg.inputs.vpcZoneIdentifiers, ["aws-ha-private-eu-west-1a-id", "aws-ha-private-eu-west-1b-id", "aws-ha-private-eu-west-1c-id"]);
        assert.deepEqual([asg.inputs.minSize, asg.inputs.maxSize, asg.inputs.desiredCapacity], [3, 3, 3]);
        assert.equal(plain(asg.inputs.launchTemplate).id, "aws-ha-workers-template-id");
        assert.equal(plain(asg.inputs.instanceRefresh).strategy, "Rolling");
        const pool = scriptOf(of(shipped.resources, "ec2/launchTemplate:LaunchTemplate")[0]);
        assert.equal(scriptNode(pool), "workers", "one nodes/<pool>/ entry");
        const join = file(pool, "kubeadm.yaml");
        assert.match(join, /kind: JoinConfiguration/);
        assert.doesNotMatch(join, /name: |node-ip|controlPlane:/, "one config for every instance: kubeadm takes the hostname");
        assert.match(join, /caCertHashes:\n\s+- sha256:[0-9a-f]{64}\n/);
    });

    it("delivers secrets only through Secrets Manager: each role reads its own, user-data stays public and clean", async () => {
        const rs = shipped.resources;
        const caKey = plain(named(rs, "aws-ha-pki-ca-cert").inputs.privateKeyPem) as string;
        assert.match(caKey, /PRIVATE KEY/);
        const versions = of(rs, "secretsmanager/secretVersion:SecretVersion");
        for (const v of versions) assert.ok(isSecret(v.inputs.secretString), `${v.name}: the value is a Pulumi secret`);
        const cpSecret = String(plain(named(rs, "aws-ha-secret-control-plane-value").inputs.secretString));
        const workerSecret = String(plain(named(rs, "aws-ha-secret-worker-value").inputs.secretString));
        assert.ok(cpSecret.startsWith("#!/usr/bin/env bash\n# hacluster secrets for control-plane:"), "the value is the secrets script");
        assert.ok(cpSecret.includes(caKey.trim()), "control planes receive the shared CA key");
        assert.match(workerSecret, /bootstrap-token/);
        assert.doesNotMatch(workerSecret, /PRIVATE KEY/, "workers never receive CA keys");
        assert.deepEqual(
            of(rs, "secretsmanager/secret:Secret").map((s) => `${s.inputs.name}:${s.inputs.recoveryWindowInDays}`).sort(),
            ["hacluster/aws-ha/control-plane:0", "hacluster/aws-ha/worker:0"],
        );
        // Least privilege: one action on one secret per role.
        const reads = of(rs, "iam/rolePolicy:RolePolicy").filter((p) => p.name.endsWith("-read-secret"));
        assert.equal(reads.length, 2);
        for (const p of reads) {
            assert.equal(norm(p.inputs.role), p.name.replace("-read-secret", "").replace(/^/, "ref:"));
            const role = p.name.replace(/^aws-ha-role-|-read-secret$/g, "");
            assert.deepEqual(JSON.parse(String(plain(p.inputs.policy))).Statement, [
                { Sid: "ReadOwnSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: `aws-ha-secret-${role}-id` },
            ]);
        }
        for (const r of of(rs, "iam/role:Role")) assert.deepEqual(JSON.parse(r.inputs.assumeRolePolicy).Statement[0].Principal, { Service: "ec2.amazonaws.com" });
        for (const i of of(rs, "ec2/instance:Instance")) assert.equal(norm(i.inputs.iamInstanceProfile), "ref:aws-ha-profile-control-plane");
        assert.deepEqual(plain(of(rs, "ec2/launchTemplate:LaunchTemplate")[0].inputs.iamInstanceProfile), { name: "aws-ha-profile-worker-id" });
        // User-data: public (readable in a preview), naming the secret, holding none.
        const secrets = [caKey.trim(), ...versions.map((v) => String(plain(v.inputs.secretString)))];
        for (const r of [...of(rs, "ec2/instance:Instance"), ...of(rs, "ec2/launchTemplate:LaunchTemplate")]) {
            assert.ok(!isSecret(r.inputs.userData), `${r.name}: user-data is not a secret`);
            const s = scriptOf(r);
            for (const x of secrets) assert.ok(!s.includes(x), `${r.name} carries a secret`);
            assert.doesNotMatch(s, /PRIVATE KEY/);
            const role = r.type.includes("launchTemplate") ? "worker" : "control-plane";
            assert.match(s, new RegExp(`--secret-id 'hacluster/aws-ha/${role}'`));
            assert.ok(s.indexOf("hacluster_fetch_secrets\n") < s.indexOf("# --- node preparation ---"), `${r.name}: secrets are fetched first`);
        }
        const kc = await resolve(shipped.cluster.kubeconfig);
        assert.equal(kc.secret, true);
    });

    it("exports the NLB endpoint, a secret admin kubeconfig for it, nodes by role and zone, and the tolerance", async () => {
        const { cluster } = shipped;
        assert.equal((await resolve(cluster.endpoint)).value, `https://${NLB_DNS}:6443`);
        const kc = await resolve(cluster.kubeconfig);
        assert.equal(kc.secret, true);
        const doc = parse(kc.value);
        assert.equal(doc.clusters[0].cluster.server, `https://${NLB_DNS}:6443`);
        assert.ok(doc.users[0].user["client-key-data"], "the admin client key (from the PKI) is in it");
        const nodes = (await resolve(cluster.nodes)).value;
        assert.deepEqual(nodes.map((n) => `${n.name} ${n.role} ${n.zone} ${n.address ?? n.count}`), [
            "cp-1 control-plane eu-west-1a 10.0.0.10",
            "cp-2 control-plane eu-west-1b 10.0.64.10",
            "cp-3 control-plane eu-west-1c 10.0.128.10",
            "workers worker eu-west-1a,eu-west-1b,eu-west-1c 3",
        ]);
        const tol = (await resolve(cluster.failureTolerance)).value;
        assert.deepEqual([tol.zones, tol.etcdMembers, tol.apiServers, tol.lbHosts], [1, 1, 1, null]);
    });

    it("changing a pool (1000 workers, another instance type) changes only the pool: control planes untouched", async () => {
        const after = (await build(stack({ workers: { count: 1000, instanceType: "m7i.xlarge" } }))).resources;
        assert.equal(after.length, shipped.resources.length, "1000 workers register as many resources as 3");
        const before = new Map(shipped.resources.map((r) => [r.name, r]));
        const changed = after.filter((r) => JSON.stringify(norm(r.inputs)) !== JSON.stringify(norm(before.get(r.name)?.inputs))).map((r) => r.name).sort();
        assert.deepEqual(changed, ["aws-ha-workers", "aws-ha-workers-template"]);
        const asg = after.find((r) => r.name === "aws-ha-workers")!;
        assert.deepEqual([asg.inputs.minSize, asg.inputs.desiredCapacity, asg.inputs.maxSize], [1000, 1000, 1000]);
        assert.equal(after.find((r) => r.name === "aws-ha-workers-template")!.inputs.instanceType, "m7i.xlarge");
    });

    it("two runs of the same config give identical inputs (a second `pulumi up` changes nothing)", async () => {
        const again = new Map((await build()).resources.map((r) => [r.name, norm(r.inputs)]));
        for (const r of shipped.resources) assert.deepEqual(again.get(r.name), norm(r.inputs), `${r.name} differs between runs`);
    });

    it("keeps etcd snapshots in its own S3 bucket: encrypted, versioned, private, TLS only, expiring after retentionDays, never force-destroyed", async () => {
        const rs = shipped.resources;
        const [bucket] = of(rs, "s3/bucket:Bucket");
        assert.equal(bucket.name, "aws-ha-etcd-backups");
        assert.equal(bucket.inputs.bucket, undefined, "auto-named from the resource name");
        assert.equal(bucket.inputs.bucketPrefix, undefined);
        assert.equal(bucket.inputs.forceDestroy, undefined, "a destroy must not delete the backups");
        assert.equal(bucket.inputs.lifecycleRules, undefined, "settings live in their own resources");
        assert.equal((await resolve(shipped.cluster.etcdBackupBucket)).value, BUCKET);
        const only = (type: string) => {
            const found = of(rs, `s3/${type}`);
            assert.equal(found.length, 1, type);
            assert.equal(found[0].inputs.bucket, BUCKET, `${found[0].name} configures the backup bucket`);
            return plain(found[0].inputs);
        };
        assert.deepEqual(only("bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").rules, [
            { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true },
        ]);
        assert.deepEqual(only("bucketVersioning:BucketVersioning").versioningConfiguration, { status: "Enabled" });
        assert.deepEqual(only("bucketLifecycleConfiguration:BucketLifecycleConfiguration").rules, [
            {
                id: "expire-snapshots",
                status: "Enabled",
                filter: { prefix: "" },
                expiration: { days: 14 },
                noncurrentVersionExpiration: { noncurrentDays: 14 },
                abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
            },
        ]);
        const pab = only("bucketPublicAccessBlock:BucketPublicAccessBlock");
        assert.deepEqual([pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets], [true, true, true, true]);
        assert.deepEqual(only("bucketOwnershipControls:BucketOwnershipControls").rule, { objectOwnership: "BucketOwnerEnforced" });
        assert.deepEqual(JSON.parse(only("bucketPolicy:BucketPolicy").policy).Statement, [
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ]);
    });

    it("stacked etcd: only the control planes' role may put snapshots, each under its member's name; every control plane uploads, workers never", () => {
        const rs = shipped.resources;
        const puts = putPolicies(rs);
        assert.deepEqual(puts.map((p) => `${p.name}>${norm(p.inputs.role)}`), ["aws-ha-role-control-plane-put-etcd-snapshots>ref:aws-ha-role-control-plane"]);
        assert.deepEqual(JSON.parse(String(plain(puts[0].inputs.policy))).Statement, [
            {
                Sid: "PutEtcdSnapshots",
                Effect: "Allow",
                Action: "s3:PutObject",
                Resource: [`arn:aws:s3:::${BUCKET}/cp-1/*`, `arn:aws:s3:::${BUCKET}/cp-2/*`, `arn:aws:s3:::${BUCKET}/cp-3/*`],
            },
        ]);
        // No role may read, list or delete backups; nothing at all for S3 but that one put.
        const s3 = statements(rs).filter((st) => JSON.stringify(st.Action).includes("s3:"));
        assert.deepEqual(s3.map((st) => `${st.Effect} ${st.Action}`), ["Allow s3:PutObject"]);
        assert.ok(!of(rs, "iam/rolePolicy:RolePolicy").some((p) => String(norm(p.inputs.role)).includes("worker") && p.name.includes("put")), "workers get nothing");
        for (const cp of ["cp-1", "cp-2", "cp-3"]) {
            assert.deepEqual(uploads(scriptOf(named(rs, `aws-ha-${cp}`))), [
                `s3 cp --only-show-errors --no-progress --region eu-west-1 "$1" 's3://${BUCKET}/${cp}/'"$(basename "$1")"`,
            ], cp);
        }
        const pool = scriptOf(of(rs, "ec2/launchTemplate:LaunchTemplate")[0]);
        assert.equal(file(pool, "hacluster-etcd-snapshot"), "", "workers take no snapshots");
        assert.doesNotMatch(pool, /s3 cp|etcd-backups/, "worker user-data names no bucket");
    });

    it("retentionDays sets the bucket's expiry of current and noncurrent snapshots and changes nothing else", async () => {
        const { resources: rs } = await build(stack({ etcd: { backup: { retentionDays: 45 } } }));
        const rules = plain(of(rs, "s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")[0].inputs.rules);
        assert.deepEqual([rules[0].expiration, rules[0].noncurrentVersionExpiration, rules[0].abortIncompleteMultipartUpload], [
            { days: 45 },
            { noncurrentDays: 45 },
            { daysAfterInitiation: 1 },
        ]);
        const before = new Map(shipped.resources.map((r) => [r.name, JSON.stringify(norm(r.inputs))]));
        assert.deepEqual(rs.filter((r) => before.get(r.name) !== JSON.stringify(norm(r.inputs))).map((r) => r.name), ["aws-ha-etcd-backups-lifecycle"]);
    });

    it("external etcd: each member's role may put snapshots under its own name only; members upload, control planes and workers do not", async () => {
        const { resources: rs, cluster } = await build(stack({ etcd: { topology: "external", count: 3 } }));
        assert.equal(of(rs, "s3/bucket:Bucket").length, 1);
        assert.equal((await resolve(cluster.etcdBackupBucket)).value, BUCKET);
        const puts = putPolicies(rs);
        assert.deepEqual(puts.map((p) => `${p.name}>${norm(p.inputs.role)}`).sort(), [
            "aws-ha-role-etcd-1-put-etcd-snapshots>ref:aws-ha-role-etcd-1",
            "aws-ha-role-etcd-2-put-etcd-snapshots>ref:aws-ha-role-etcd-2",
            "aws-ha-role-etcd-3-put-etcd-snapshots>ref:aws-ha-role-etcd-3",
        ]);
        for (const p of puts) {
            const member = p.name.replace(/^aws-ha-role-|-put-etcd-snapshots$/g, "");
            assert.deepEqual(JSON.parse(String(plain(p.inputs.policy))).Statement, [
                { Sid: "PutEtcdSnapshots", Effect: "Allow", Action: "s3:PutObject", Resource: [`arn:aws:s3:::${BUCKET}/${member}/*`] },
            ]);
            assert.deepEqual(uploads(scriptOf(named(rs, `aws-ha-${member}`))), [
                `s3 cp --only-show-errors --no-progress --region eu-west-1 "$1" 's3://${BUCKET}/${member}/'"$(basename "$1")"`,
            ], member);
        }
        assert.deepEqual(statements(rs).filter((st) => JSON.stringify(st.Action).includes("s3:")).length, 3, "no other S3 permission");
        for (const name of ["aws-ha-cp-1", "aws-ha-cp-2", "aws-ha-workers-template"]) {
            const s = scriptOf(named(rs, name));
            assert.equal(file(s, "hacluster-etcd-snapshot"), "", `${name} holds no member`);
            assert.doesNotMatch(s, /s3 cp|etcd-backups/, name);
        }
    });

    it("external etcd: a member per zone at fixed addresses, each with its own secret and role, reachable only from control planes", async () => {
        const { resources: rs } = await build(stack({ etcd: { topology: "external", count: 3 } }));
        const members = of(rs, "ec2/instance:Instance").filter((i) => i.name.includes("etcd"));
        assert.deepEqual(members.map((m) => `${m.name}=${m.inputs.privateIp}@${m.inputs.subnetId}`).sort(), [
            "aws-ha-etcd-1=10.0.0.30@aws-ha-private-eu-west-1a-id",
            "aws-ha-etcd-2=10.0.64.30@aws-ha-private-eu-west-1b-id",
            "aws-ha-etcd-3=10.0.128.30@aws-ha-private-eu-west-1c-id",
        ]);
        for (const m of members) {
            const member = m.name.replace("aws-ha-", "");
            assert.equal(norm(m.inputs.iamInstanceProfile), `ref:aws-ha-profile-${member}`);
            assert.deepEqual(m.inputs.vpcSecurityGroupIds, [sgId("etcd")]);
            assert.equal(plain(m.inputs.metadataOptions).httpTokens, "required");
            const s = scriptOf(m);
            assert.equal(scriptNode(s), member);
            assert.match(s, new RegExp(`--secret-id 'hacluster/aws-ha/${member}'`));
            assert.match(file(s, "etcd.env"), /etcd-1=https:\/\/10\.0\.0\.30:2380,etcd-2=https:\/\/10\.0\.64\.30:2380,etcd-3=https:\/\/10\.0\.128\.30:2380/);
            const own = String(plain(named(rs, `aws-ha-secret-${member}-value`).inputs.secretString));
            assert.match(own, /\/etc\/etcd\/pki\/server\.key/);
        }
        const etcdRules = of(rs, "vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.inputs.securityGroupId === sgId("etcd"));
        assert.deepEqual(etcdRules.map((r) => `${r.inputs.fromPort}-${r.inputs.toPort}<${r.inputs.referencedSecurityGroupId ?? r.inputs.cidrIpv4}`).sort(), [
            `2379-2379<${sgId("control-plane")}`,
            `2379-2380<${sgId("etcd")}`,
        ]);
        const cpRules = of(rs, "vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.inputs.securityGroupId === sgId("control-plane"));
        assert.ok(!cpRules.some((r) => r.inputs.fromPort === 2379), "no etcd ports on control planes with external etcd");
        assert.match(file(scriptOf(named(rs, "aws-ha-cp-1")), "kubeadm.yaml"), /external:\n\s+endpoints:\n\s+- https:\/\/10\.0\.0\.30:2379/);
    });

    it("public endpoint: an internet-facing NLB in the public subnets that nodes reach from their NAT addresses", async () => {
        const { resources: rs } = await build(stack({ cloud: { publicEndpoint: true, apiAllowedCidrs: ["198.51.100.0/24"] } }));
        const nlb = of(rs, "lb/loadBalancer:LoadBalancer")[0].inputs;
        assert.equal(nlb.internal, false);
        assert.equal(nlb.subnetMappings, undefined);
        assert.deepEqual(nlb.subnets, ["aws-ha-public-eu-west-1a-id", "aws-ha-public-eu-west-1b-id", "aws-ha-public-eu-west-1c-id"]);
        const api = of(rs, "vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.inputs.securityGroupId === sgId("api"));
        assert.deepEqual(api.map((r) => String(plain(r.inputs.cidrIpv4 ?? r.inputs.referencedSecurityGroupId))).sort(), [
            "198.51.100.0/24",
            "203.0.113.10/32",
            "203.0.113.11/32",
            "203.0.113.12/32",
            sgId("nodes"),
        ]);
        for (const i of of(rs, "ec2/instance:Instance")) assert.equal(i.inputs.associatePublicIpAddress, false, "nodes stay private");
    });

    it("SSH: closed by default; with a key and CIDRs, port 22 from those CIDRs only, and the key pair on every machine", async () => {
        const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHhhY2x1c3Rlci10ZXN0LWtleS1ub3QtcmVhbAAA ops@example";
        const { resources: rs } = await build(stack({ cloud: { sshPublicKey: key, sshAllowedCidrs: ["192.0.2.0/28"] } }));
        const ssh = of(rs, "vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.inputs.fromPort === 22);
        assert.deepEqual(ssh.map((r) => `${r.inputs.securityGroupId}<${r.inputs.cidrIpv4}`), [`${sgId("nodes")}<192.0.2.0/28`]);
        assert.equal(of(rs, "ec2/keyPair:KeyPair")[0].inputs.publicKey, key);
        for (const i of of(rs, "ec2/instance:Instance")) assert.equal(i.inputs.keyName, "aws-ha-ssh-id");
        assert.equal(of(rs, "ec2/launchTemplate:LaunchTemplate")[0].inputs.keyName, "aws-ha-ssh-id");
        assert.equal(of(shipped.resources, "vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.inputs.fromPort === 22).length, 0);
    });

    it("several pools: a scaling group each, over the subnets of its own zones", async () => {
        const { resources: rs } = await build(
            stack({ workers: { count: undefined, pools: [{ name: "general", count: 4 }, { name: "batch", count: 2, zones: ["eu-west-1b"], instanceType: "c7i.2xlarge" }] } }),
        );
        const groups = of(rs, "autoscaling/group:Group");
        assert.deepEqual(groups.map((g) => `${g.name}:${g.inputs.desiredCapacity}:${(g.inputs.vpcZoneIdentifiers as string[]).join(",")}`).sort(), [
            "aws-ha-batch:2:aws-ha-private-eu-west-1b-id",
            "aws-ha-general:4:aws-ha-private-eu-west-1a-id,aws-ha-private-eu-west-1b-id,aws-ha-private-eu-west-1c-id",
        ]);
        assert.deepEqual(of(rs, "ec2/launchTemplate:LaunchTemplate").map((t) => `${t.name}:${t.inputs.instanceType}:${scriptNode(scriptOf(t))}`).sort(), [
            "aws-ha-batch-template:c7i.2xlarge:batch",
            "aws-ha-general-template:m6i.large:general",
        ]);
        assert.equal(of(rs, "iam/role:Role").length, 2, "pools share the workers' role");
    });

    it("existing network: no VPC resources, nodes in the given subnets, the endpoint zone on the given VPC", async () => {
        const subnets = [
            { id: "subnet-0aaa", cidr: "10.20.0.0/20", zone: "eu-west-1a" },
            { id: "subnet-0bbb", cidr: "10.20.16.0/20", zone: "eu-west-1b" },
            { id: "subnet-0ccc", cidr: "10.20.32.0/20", zone: "eu-west-1c" },
        ];
        const { resources: rs } = await build(stack({ network: { nodeCidr: "10.20.0.0/16" }, cloud: { existingNetwork: { networkId: "vpc-0123", subnets } } }));
        for (const t of ["ec2/vpc:Vpc", "ec2/subnet:Subnet", "ec2/natGateway:NatGateway", "ec2/eip:Eip", "ec2/internetGateway:InternetGateway", "ec2/routeTable:RouteTable"]) {
            assert.equal(of(rs, t).length, 0, `${t} created on an existing network`);
        }
        assert.deepEqual(of(rs, "ec2/instance:Instance").map((i) => `${i.inputs.subnetId}/${i.inputs.privateIp}`).sort(), ["subnet-0aaa/10.20.0.10", "subnet-0bbb/10.20.16.10", "subnet-0ccc/10.20.32.10"]);
        assert.deepEqual(of(rs, "autoscaling/group:Group")[0].inputs.vpcZoneIdentifiers, ["subnet-0aaa", "subnet-0bbb", "subnet-0ccc"]);
        assert.deepEqual(plain(of(rs, "route53/zone:Zone")[0].inputs.vpcs), [{ vpcId: "vpc-0123", vpcRegion: "eu-west-1" }]);
        for (const sg of of(rs, "ec2/securityGroup:SecurityGroup")) assert.equal(sg.inputs.vpcId, "vpc-0123");
    });

    it("dev profile: one NAT gateway for every zone (cheaper, documented), one control plane", async () => {
        const { resources: rs, spec } = await build(stack({ controlPlane: { count: 1 }, workers: { count: 2 } }, { profile: "dev" }));
        assert.deepEqual(natZones(cloudSpec(spec)), ["eu-west-1a"]);
        assert.equal(of(rs, "ec2/natGateway:NatGateway").length, 1);
        for (const rt of of(rs, "ec2/routeTable:RouteTable").filter((r) => r.name.includes("private"))) {
            assert.deepEqual(plain(rt.inputs.routes), [{ cidrBlock: "0.0.0.0/0", natGatewayId: "aws-ha-nat-eu-west-1a-id" }]);
        }
        assert.equal(of(rs, "ec2/instance:Instance").length, 1);
    });

    it("user-data above EC2's 16 KiB goes gzipped (still one script the synth reads); the rest stays plain", async () => {
        const args = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`audit-webhook-extra-${i}`, "x".repeat(60)]));
        const { resources: rs } = await build(stack({ kubernetes: { apiServerExtraArgs: args } }));
        const cp1 = named(rs, "aws-ha-cp-1");
        assert.equal(cp1.inputs.userData, undefined);
        const gz = Buffer.from(String(cp1.inputs.userDataBase64), "base64");
        assert.deepEqual([gz[0], gz[1]], [0x1f, 0x8b]);
        assert.ok(gz.length <= 16 * 1024);
        assert.match(file(scriptOf(cp1), "kubeadm.yaml"), /audit-webhook-extra-39/);
        // Joins carry no ClusterConfiguration (they are over 16 KiB anyway since the kubelet-serving approver).
        assert.doesNotMatch(file(scriptOf(named(rs, "aws-ha-cp-2")), "kubeadm.yaml"), /audit-webhook-extra/);
        // What fits stays plain: an external etcd member's user-data (decided from a probe with the longest bucket name).
        const ext = await build(stack({ etcd: { topology: "external", count: 3 } }));
        for (const m of of(ext.resources, "ec2/instance:Instance").filter((i) => i.name.includes("etcd"))) {
            assert.match(String(m.inputs.userData), /^#cloud-config\n/, `${m.name}: plain`);
            assert.equal(m.inputs.userDataBase64, undefined);
        }
    });

    it("without cloud.image: Canonical's Ubuntu 24.04 AMI from its public SSM parameter (the only lookup)", async () => {
        const { resources: rs, calls } = await build(stack({ cloud: { image: undefined } }));
        assert.deepEqual(calls.map((c) => `${c.token} ${c.inputs.name}`), [
            "aws:ssm/getParameter:getParameter /aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id",
        ]);
        for (const i of of(rs, "ec2/instance:Instance")) assert.equal(i.inputs.ami, "ami-0fedcba9876543210");
        assert.equal(of(rs, "ec2/launchTemplate:LaunchTemplate")[0].inputs.imageId, "ami-0fedcba9876543210");
    });

    it("refuses what it cannot build, before creating machines", async () => {
        await assert.rejects(
            build(stack({ cloud: { image: "ubuntu-24.04" } })),
            /cluster\.cloud\.image: "ubuntu-24\.04" is not an AMI id/,
        );
        const subnets = [
            { id: "subnet-0aaa", cidr: "10.0.0.0/18", zone: "eu-west-1a" },
            { id: "subnet-0bbb", cidr: "10.0.64.0/18", zone: "eu-west-1b" },
            { id: "subnet-0ccc", cidr: "10.0.128.0/18", zone: "eu-west-1c" },
        ];
        await assert.rejects(
            build(stack({ cloud: { publicEndpoint: true, existingNetwork: { networkId: "vpc-1", subnets } } })),
            /cluster\.cloud\.publicEndpoint: a public API load balancer needs public subnets, and cluster\.cloud\.existingNetwork names none/,
        );
    });
});

describe("components: AWS backup policies (pure)", () => {
    it("name the bucket's objects in the region's partition", () => {
        assert.deepEqual(["eu-west-1", "cn-north-1", "us-gov-west-1", "us-iso-east-1", "us-isob-east-1"].map(partitionOf), ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b"]);
        assert.deepEqual((uploadPolicy("aws-cn", "b1", ["cp-1"]) as any).Statement[0].Resource, ["arn:aws-cn:s3:::b1/cp-1/*"]);
        assert.deepEqual((tlsOnlyPolicy("aws-us-gov", "b1") as any).Statement[0].Resource, ["arn:aws-us-gov:s3:::b1", "arn:aws-us-gov:s3:::b1/*"]);
    });
});

describe("components: AWS layout (pure)", () => {
    it("public subnets take the space the zone subnets leave, one per zone, never overlapping them", () => {
        const zones3 = ["a1", "b1", "c1"];
        const spec3 = [{ zone: "a1", cidr: "10.0.0.0/18" }, { zone: "b1", cidr: "10.0.64.0/18" }, { zone: "c1", cidr: "10.0.128.0/18" }];
        assert.deepEqual(publicSubnetCidrs("10.0.0.0/16", zones3, spec3), ["10.0.192.0/20", "10.0.208.0/20", "10.0.224.0/20"]);
        // Two or four zones fill the whole network with node subnets: no room (the stack refuses with a fix).
        assert.equal(publicSubnetCidrs("10.0.0.0/16", ["a1", "b1"], [{ zone: "a1", cidr: "10.0.0.0/17" }, { zone: "b1", cidr: "10.0.128.0/17" }]), undefined);
        const five = ["a", "b", "c", "d", "e"];
        const fiveSubnets = five.map((z, i) => ({ zone: z, cidr: `10.0.${i * 32}.0/19` }));
        // Five zones leave three /19s: the first is split per zone.
        assert.deepEqual(publicSubnetCidrs("10.0.0.0/16", five, fiveSubnets), ["10.0.160.0/22", "10.0.164.0/22", "10.0.168.0/22", "10.0.172.0/22", "10.0.176.0/22"]);
    });
});
