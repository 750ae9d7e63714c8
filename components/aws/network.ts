/**
 * The VPC: a new one (private node subnet per zone, public subnets with NAT gateways for egress
 * to pkgs.k8s.io, registries and AWS APIs), or the existing VPC and subnets named in the config
 * (`cloud.existingNetwork`), which must already give the nodes egress. No lookups: every id and
 * CIDR comes from the config or from resources created here.
 */
import * as pulumi from "@pulumi/pulumi";
import { n, tags, type AwsContext } from "./common";
import { natZones, publicSubnetCidrs } from "./layout";
import { createVpc, type VpcPart } from "./vpc";

/** Resource names of the VPC's parts (before the zone). */
const PART_NAMES: Record<VpcPart, string[]> = {
    vpc: ["vpc"],
    igw: ["igw"],
    "public-routes": ["public-rt"],
    public: ["public"],
    "public-assoc": ["public-rta"],
    "nat-ip": ["nat-ip"],
    nat: ["nat"],
    private: ["private"],
    "private-routes": ["private-rt"],
    "private-assoc": ["private-rta"],
};

export interface Network {
    readonly vpcId: pulumi.Input<string>;
    /** Node subnet ids in topology order (`topo.subnets`). */
    readonly privateSubnetIds: pulumi.Input<string>[];
    /** Node subnet id of a zone. */
    subnetId(zone: string): pulumi.Input<string>;
    /** Public subnet ids (new VPC only), one per zone. */
    readonly publicSubnetIds: pulumi.Input<string>[];
    /** The NAT gateways' public addresses: where nodes come from when they dial a public endpoint. */
    readonly natPublicIps: pulumi.Output<string>[];
    /** Created VPC resources nodes depend on for egress (routes through NAT), for ordering. */
    readonly egress: pulumi.Resource[];
}

export function createNetwork(ctx: AwsContext): Network {
    const { spec, topo, parent } = ctx;
    const cloud = spec.cloud;
    const subnetIdOf = (ids: pulumi.Input<string>[]) => (zone: string) => {
        const i = topo.subnets.findIndex((s) => s.zone === zone);
        if (i < 0) throw new pulumi.ResourceError(`no node subnet for zone ${zone}`, parent);
        return ids[i];
    };
    const existing = cloud.existingNetwork;
    if (existing) {
        const ids = topo.subnets.map((s) => s.id!);
        return { vpcId: existing.networkId, privateSubnetIds: ids, subnetId: subnetIdOf(ids), publicSubnetIds: [], natPublicIps: [], egress: [] };
    }

    const publicCidrs = publicSubnetCidrs(spec.network.nodeCidr, cloud.zones, topo.subnets);
    if (!publicCidrs) {
        throw new pulumi.ResourceError(
            `cluster.network.nodeCidr ${spec.network.nodeCidr}: the node subnets of ${cloud.zones.length} zones leave no room for public subnets (NAT gateways). ` +
                "Fix: use 3 zones (a /16 leaves a quarter free), or set cluster.cloud.existingNetwork to a VPC that already has egress",
            parent,
        );
    }
    const vpc = createVpc({
        parent,
        name: (part, zone) => n(ctx, ...PART_NAMES[part], ...(zone ? [zone] : [])),
        tags: (_part, name) => tags(ctx, name),
        cidr: spec.network.nodeCidr,
        publicSubnets: cloud.zones.map((zone, i) => ({ zone, cidr: publicCidrs[i] })),
        privateSubnets: topo.subnets,
        natZones: natZones(spec),
        // No public addresses on launch: only NAT gateways (Elastic IPs) and an internet-facing NLB live there.
        publicIpOnLaunch: false,
        explicitNat: true,
    });
    const ids = topo.subnets.map((s) => vpc.privateSubnetIds.get(s.zone!)!);
    return {
        vpcId: vpc.vpc.id,
        privateSubnetIds: ids,
        subnetId: subnetIdOf(ids),
        publicSubnetIds: cloud.zones.map((z) => vpc.publicSubnetIds.get(z)!),
        natPublicIps: vpc.natPublicIps,
        egress: vpc.egress,
    };
}
