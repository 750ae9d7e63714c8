/**
 * Security groups and their rules (rules.ts says which and why). Groups are created without
 * inline rules and every rule is its own resource, so adding a CIDR adds one rule and touches
 * nothing else.
 */
import * as pulumi from "@pulumi/pulumi";
import * as ec2 from "@pulumi/aws/ec2";
import * as vpc from "@pulumi/aws/vpc";
import { n, tags, type AwsContext } from "./common";
import type { Network } from "./network";
import { securityRules, type GroupName } from "./rules";

export type SecurityGroups = Readonly<Partial<Record<GroupName, ec2.SecurityGroup>>> & {
    readonly nodes: ec2.SecurityGroup;
    readonly controlPlane: ec2.SecurityGroup;
};

const PURPOSE: Record<GroupName, string> = {
    nodes: "every Kubernetes node (control planes and workers)",
    controlPlane: "the control planes",
    etcd: "the external etcd members",
    api: "the Kubernetes API load balancer",
};

const SLUG: Record<GroupName, string> = { nodes: "nodes", controlPlane: "control-plane", etcd: "etcd", api: "api" };

export function createSecurityGroups(ctx: AwsContext, net: Network, nlb: boolean): SecurityGroups {
    const { spec, parent } = ctx;
    const opts = { parent };
    const wanted: GroupName[] = ["nodes", "controlPlane"];
    if (spec.etcd.topology === "external") wanted.push("etcd");
    if (nlb) wanted.push("api");
    const groups: Partial<Record<GroupName, ec2.SecurityGroup>> = {};
    for (const g of wanted) {
        const name = n(ctx, SLUG[g], "sg");
        groups[g] = new ec2.SecurityGroup(name, { vpcId: net.vpcId, description: `hacluster ${spec.name}: ${PURPOSE[g]}`, tags: tags(ctx, name) }, opts);
    }
    const natIps = spec.cloud.publicEndpoint ? net.natPublicIps : [];
    for (const r of securityRules(spec, { nlb, natIps: natIps.length })) {
        const group = groups[r.group]!;
        const name = n(ctx, SLUG[r.group], r.direction === "ingress" ? "in" : "out", r.id);
        const peer = r.peer;
        const args = {
            securityGroupId: group.id,
            ipProtocol: r.protocol,
            ...(r.fromPort !== undefined ? { fromPort: r.fromPort, toPort: r.toPort } : {}),
            ...("group" in peer ? { referencedSecurityGroupId: groups[peer.group]!.id } : {}),
            ...("cidr" in peer ? { cidrIpv4: peer.cidr } : {}),
            ...("natIp" in peer ? { cidrIpv4: pulumi.interpolate`${natIps[peer.natIp]}/32` } : {}),
            description: r.description,
            tags: tags(ctx, name),
        };
        if (r.direction === "ingress") new vpc.SecurityGroupIngressRule(name, args, opts);
        else new vpc.SecurityGroupEgressRule(name, args, opts);
    }
    return groups as SecurityGroups;
}
