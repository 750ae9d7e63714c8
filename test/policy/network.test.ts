/**
 * no-public-etcd-kubelet: every ingress form of AWS, GCP and Azure, world-open or not, on the
 * protected ports or not. Violating resources are added to a copy of the dev stack's plan.
 */
import { strict as assert } from "node:assert";
import { noPublicEtcdKubelet } from "../../policy/policies";
import { addResource, analyze, clonePlan, messages, planOf } from "./engine";
import { shippedPlans, type ShippedPlans } from "./plans";

const NAME = noPublicEtcdKubelet.name;
const SG_FIX = "Fix: allow only the cluster's own networks (the node subnets, or sourceSecurityGroupId / referencedSecurityGroupId)";

async function violations(type: string, inputs: Record<string, unknown>, config = {}): Promise<string[]> {
    return messages(await analyze(planOf({ type, name: "r", inputs }), [noPublicEtcdKubelet], config), NAME);
}

describe("policy: no-public-etcd-kubelet", () => {
    let plans: ShippedPlans;
    before(async function () {
        this.timeout(120_000);
        plans = await shippedPlans();
    });

    it("passes the shipped stacks (no firewall resources on-prem)", async () => {
        for (const plan of [plans.dev, plans.externalEtcd]) {
            const o = await analyze(plan, [noPublicEtcdKubelet]);
            assert.deepEqual(o.violations, []);
            assert.equal(o.notApplicable.size, plan.resources.length);
        }
    });

    it("rejects a security group rule from 0.0.0.0/0 to 2379 added to the dev plan", async () => {
        const plan = addResource(clonePlan(plans.dev), "aws:ec2/securityGroupRule:SecurityGroupRule", "dev-etcd-client", {
            type: "ingress",
            protocol: "tcp",
            fromPort: 2379,
            toPort: 2379,
            cidrBlocks: ["10.0.0.0/16", "0.0.0.0/0"],
            securityGroupId: "sg-1",
        });
        const o = await analyze(plan, [noPublicEtcdKubelet]);
        assert.deepEqual(messages(o, NAME), [`security group rule dev-etcd-client lets 0.0.0.0/0 reach etcd client port 2379 (protocol tcp). ${SG_FIX}`]);
        assert.equal(o.violations[0].enforcementLevel, "mandatory");
        assert.equal(o.violations[0].urn, "urn:pulumi:dev::hacluster::hacluster:onprem:Cluster$aws:ec2/securityGroupRule:SecurityGroupRule::dev-etcd-client");
    });

    describe("AWS", () => {
        it("an all-protocol rule from ::/0 exposes every protected port", async () => {
            assert.deepEqual(await violations("aws:ec2/securityGroupRule:SecurityGroupRule", { type: "ingress", protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] }), [
                `security group rule r lets ::/0 reach etcd client port 2379, etcd peer port 2380, kubelet port 10250 (protocol -1). ${SG_FIX}`,
            ]);
        });

        it("inline ingress of a security group", async () => {
            const sg = {
                ingress: [
                    { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
                    { protocol: "tcp", fromPort: 10000, toPort: 11000, cidrBlocks: ["0.0.0.0/0"] },
                ],
            };
            assert.deepEqual(await violations("aws:ec2/securityGroup:SecurityGroup", sg), [
                `ingress[1] of security group r lets 0.0.0.0/0 reach kubelet port 10250 (protocol tcp). ${SG_FIX}`,
            ]);
        });

        it("vpc.SecurityGroupIngressRule", async () => {
            assert.deepEqual(await violations("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", { ipProtocol: "tcp", fromPort: 2380, toPort: 2380, cidrIpv4: "0.0.0.0/0" }), [
                `security group ingress rule r lets 0.0.0.0/0 reach etcd peer port 2380 (protocol tcp). ${SG_FIX}`,
            ]);
        });

        it("accepts private sources, other ports, egress, UDP and other groups as sources", async () => {
            const type = "aws:ec2/securityGroupRule:SecurityGroupRule";
            assert.deepEqual(await violations(type, { type: "ingress", protocol: "tcp", fromPort: 2379, toPort: 2380, cidrBlocks: ["10.0.0.0/8"] }), []);
            assert.deepEqual(await violations(type, { type: "ingress", protocol: "tcp", fromPort: 6443, toPort: 6443, cidrBlocks: ["0.0.0.0/0"] }), []);
            assert.deepEqual(await violations(type, { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }), []);
            assert.deepEqual(await violations(type, { type: "ingress", protocol: "udp", fromPort: 0, toPort: 65535, cidrBlocks: ["0.0.0.0/0"] }), []);
            assert.deepEqual(await violations(type, { type: "ingress", protocol: "tcp", fromPort: 2379, toPort: 2379, sourceSecurityGroupId: "sg-2" }), []);
        });
    });

    describe("GCP", () => {
        const FIX = "Fix: set sourceRanges to the cluster's subnets, or use sourceTags / sourceServiceAccounts";
        it("a firewall from 0.0.0.0/0 to 2379-2380", async () => {
            assert.deepEqual(await violations("gcp:compute/firewall:Firewall", { network: "n", sourceRanges: ["0.0.0.0/0"], allows: [{ protocol: "tcp", ports: ["22", "2379-2380"] }] }), [
                `allows[0] of firewall r lets 0.0.0.0/0 reach etcd client port 2379, etcd peer port 2380 (protocol tcp). ${FIX}`,
            ]);
        });

        it("a firewall with no source applies to 0.0.0.0/0; no ports means all", async () => {
            assert.deepEqual(await violations("gcp:compute/firewall:Firewall", { network: "n", allows: [{ protocol: "all" }] }), [
                `allows[0] of firewall r (no source given, so GCP applies it to 0.0.0.0/0) lets 0.0.0.0/0 reach etcd client port 2379, etcd peer port 2380, kubelet port 10250 (protocol all). ${FIX}`,
            ]);
        });

        it("accepts tagged sources, egress and disabled rules", async () => {
            const type = "gcp:compute/firewall:Firewall";
            assert.deepEqual(await violations(type, { network: "n", sourceTags: ["k8s"], allows: [{ protocol: "tcp", ports: ["10250"] }] }), []);
            assert.deepEqual(await violations(type, { network: "n", direction: "EGRESS", destinationRanges: ["0.0.0.0/0"], allows: [{ protocol: "all" }] }), []);
            assert.deepEqual(await violations(type, { network: "n", disabled: true, sourceRanges: ["0.0.0.0/0"], allows: [{ protocol: "all" }] }), []);
        });
    });

    describe("Azure", () => {
        const FIX = "Fix: set sourceAddressPrefix(es) to the virtual network (VirtualNetwork) or the node subnets";
        const rule = (over: Record<string, unknown>) => ({
            name: "kubelet",
            direction: "Inbound",
            access: "Allow",
            protocol: "Tcp",
            priority: 100,
            sourcePortRange: "*",
            destinationAddressPrefix: "*",
            destinationPortRange: "10250",
            sourceAddressPrefix: "Internet",
            ...over,
        });

        it("an inline security rule of a network security group from the Internet to 10250", async () => {
            assert.deepEqual(await violations("azure-native:network:NetworkSecurityGroup", { resourceGroupName: "rg", securityRules: [rule({})] }), [
                `security rule kubelet of network security group r lets Internet reach kubelet port 10250 (protocol Tcp). ${FIX}`,
            ]);
        });

        it("a SecurityRule (any API version) from * to every port", async () => {
            const o = await analyze(
                planOf({ type: "azure-native:network/v20240301:SecurityRule", name: "r", inputs: rule({ sourceAddressPrefix: "*", protocol: "*", destinationPortRange: "*" }) }),
                [noPublicEtcdKubelet],
            );
            assert.deepEqual(messages(o, NAME), [`security rule r lets * reach etcd client port 2379, etcd peer port 2380, kubelet port 10250 (protocol *). ${FIX}`]);
        });

        it("accepts deny rules, outbound rules and the virtual network as source", async () => {
            const type = "azure-native:network:SecurityRule";
            assert.deepEqual(await violations(type, rule({ access: "Deny" })), []);
            assert.deepEqual(await violations(type, rule({ direction: "Outbound" })), []);
            assert.deepEqual(await violations(type, rule({ sourceAddressPrefix: "VirtualNetwork" })), []);
            assert.deepEqual(await violations(type, rule({ sourceAddressPrefix: undefined, sourceAddressPrefixes: ["0.0.0.0/0"], destinationPortRange: undefined, destinationPortRanges: ["2379-2380"] })), [
                `security rule r lets 0.0.0.0/0 reach etcd client port 2379, etcd peer port 2380 (protocol Tcp). ${FIX}`,
            ]);
        });
    });

    it("checks the ports the pack config names", async () => {
        const inputs = { type: "ingress", protocol: "tcp", fromPort: 10250, toPort: 10259, cidrBlocks: ["0.0.0.0/0"] };
        assert.deepEqual(await violations("aws:ec2/securityGroupRule:SecurityGroupRule", inputs, { [NAME]: { ports: [10259] } }), [
            `security group rule r lets 0.0.0.0/0 reach port 10259 (protocol tcp). ${SG_FIX}`,
        ]);
    });

    it("is advisory while a source is unknown in a preview", async () => {
        const o = await analyze(
            planOf({ type: "aws:ec2/securityGroupRule:SecurityGroupRule", name: "r", inputs: { type: "ingress", protocol: "tcp", fromPort: 2379, toPort: 2379, cidrBlocks: "[unknown]" } }),
            [noPublicEtcdKubelet],
        );
        assert.deepEqual(o.violations, []);
        assert.deepEqual(
            o.unknown.map((u) => u.message),
            ["can't run during preview: string value at .cidrBlocks can't be known during preview"],
        );
    });
});
