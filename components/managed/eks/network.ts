/**
 * The EKS network: a new VPC (a private node subnet per zone from the topology, a public subnet
 * per zone for NAT gateways and internet-facing load balancers), or the subnets of an existing
 * VPC as given. Profile `ha` gets a NAT gateway per zone, so losing a zone does not cut the
 * other zones' egress; other profiles share one (a NAT gateway is a fixed hourly cost).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ManagedClusterSpec } from "../../../config/spec";
import { createVpc, type VpcPart } from "../../aws/vpc";
import { childName } from "../../naming";
import type { Topology } from "../../topology";
import { eksPublicSubnets } from "./plan";

/** Resource names of the VPC's parts, as EKS clusters have always named them. */
const PART_NAMES: Record<VpcPart, (zone?: string) => string[]> = {
    vpc: () => ["vpc"],
    igw: () => ["igw"],
    "public-routes": () => ["public", "routes"],
    public: (z) => ["public", z!],
    "public-assoc": (z) => ["public", z!, "assoc"],
    "nat-ip": (z) => ["nat", z!, "ip"],
    nat: (z) => ["nat", z!],
    private: (z) => ["private", z!],
    "private-routes": (z) => ["private", z!, "routes"],
    "private-assoc": (z) => ["private", z!, "assoc"],
};

/** The `Name` tag of the parts that carry tags (route associations carry none). */
const PART_TAGS: Partial<Record<VpcPart, (cluster: string, zone?: string) => string>> = {
    vpc: (c) => c,
    igw: (c) => c,
    "public-routes": (c) => `${c}-public`,
    public: (c, z) => `${c}-public-${z}`,
    "nat-ip": (c, z) => `${c}-nat-${z}`,
    nat: (c, z) => `${c}-nat-${z}`,
    private: (c, z) => `${c}-private-${z}`,
    "private-routes": (c, z) => `${c}-private-${z}`,
};

export interface EksNetwork {
    readonly vpcId: pulumi.Input<string>;
    /** Node subnets by zone (private on a new VPC). */
    readonly privateSubnetIds: ReadonlyMap<string, pulumi.Input<string>>;
    /** Public subnets by zone (new VPC only). */
    readonly publicSubnetIds: ReadonlyMap<string, pulumi.Input<string>>;
    /** What nodes need before they boot (routes to the NAT gateways). */
    readonly egress: pulumi.Resource[];
}

export function eksNetwork(parent: pulumi.Resource, name: string, spec: ManagedClusterSpec, topo: Topology, tags: Record<string, string>): EksNetwork {
    const cloud = spec.cloud;
    const region = cloud.region;
    if (cloud.existingNetwork) {
        return {
            vpcId: cloud.existingNetwork.networkId,
            privateSubnetIds: new Map(topo.subnets.map((s) => [s.zone!, s.id!])),
            publicSubnetIds: new Map(),
            egress: [],
        };
    }
    const natZones = spec.profile === "ha" ? cloud.zones : cloud.zones.slice(0, 1);
    const vpc = createVpc({
        parent,
        region,
        name: (part, zone) => childName(name, ...PART_NAMES[part](zone)),
        tags: (part, _resource, zone) => (PART_TAGS[part] ? { ...tags, Name: PART_TAGS[part](name, zone) } : {}),
        cidr: spec.network.nodeCidr,
        publicSubnets: eksPublicSubnets(spec.network.nodeCidr, cloud.zones)!.map((s) => ({ zone: s.zone!, cidr: s.cidr })),
        privateSubnets: topo.subnets,
        natZones,
        publicIpOnLaunch: !spec.managed.privateNodes,
        publicRoutesAreEgress: true,
    });
    return { vpcId: vpc.vpc.id, privateSubnetIds: vpc.privateSubnetIds, publicSubnetIds: vpc.publicSubnetIds, egress: vpc.egress };
}
