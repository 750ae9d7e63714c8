/**
 * The EKS network: a new VPC (a private node subnet per zone from the topology, a public subnet
 * per zone for NAT gateways and internet-facing load balancers), or the subnets of an existing
 * VPC as given. Profile `ha` gets a NAT gateway per zone, so losing a zone does not cut the
 * other zones' egress; other profiles share one (a NAT gateway is a fixed hourly cost).
 */
import * as ec2 from "@pulumi/aws/ec2";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../../../config/spec";
import { childName } from "../../naming";
import type { PlacedSubnet, Topology } from "../../topology";
import { eksPublicSubnets } from "./plan";

export interface EksNetwork {
    readonly vpcId: pulumi.Input<string>;
    /** Node subnets by zone (private on a new VPC). */
    readonly privateSubnetIds: ReadonlyMap<string, pulumi.Input<string>>;
    /** Public subnets by zone (new VPC only). */
    readonly publicSubnetIds: ReadonlyMap<string, pulumi.Input<string>>;
    /** What nodes need before they boot (routes to the NAT gateways). */
    readonly egress: pulumi.Resource[];
}

export function eksNetwork(parent: pulumi.Resource, name: string, spec: ClusterSpec, topo: Topology, tags: Record<string, string>): EksNetwork {
    const cloud = spec.cloud!;
    const region = cloud.region;
    const opts = { parent };
    if (cloud.existingNetwork) {
        return {
            vpcId: cloud.existingNetwork.networkId,
            privateSubnetIds: new Map(topo.subnets.map((s) => [s.zone!, s.id!])),
            publicSubnetIds: new Map(),
            egress: [],
        };
    }
    const vpc = new ec2.Vpc(childName(name, "vpc"), { region, cidrBlock: spec.network.nodeCidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { ...tags, Name: name } }, opts);
    const igw = new ec2.InternetGateway(childName(name, "igw"), { region, vpcId: vpc.id, tags: { ...tags, Name: name } }, opts);
    const publicRt = new ec2.RouteTable(
        childName(name, "public", "routes"),
        { region, vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: { ...tags, Name: `${name}-public` } },
        opts,
    );
    const subnet = (kind: "public" | "private", s: PlacedSubnet) =>
        new ec2.Subnet(
            childName(name, kind, s.zone!),
            {
                region,
                vpcId: vpc.id,
                cidrBlock: s.cidr,
                availabilityZone: s.zone,
                mapPublicIpOnLaunch: kind === "public" && !spec.managed!.privateNodes,
                // Where the AWS load balancer controller puts internet-facing / internal load balancers.
                tags: { ...tags, Name: `${name}-${kind}-${s.zone}`, [kind === "public" ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb"]: "1" },
            },
            opts,
        );
    const publics = eksPublicSubnets(spec.network.nodeCidr, cloud.zones)!;
    const publicSubnets = new Map(publics.map((s) => [s.zone!, subnet("public", s)]));
    const egress: pulumi.Resource[] = [];
    for (const [zone, s] of publicSubnets) {
        egress.push(new ec2.RouteTableAssociation(childName(name, "public", zone, "assoc"), { region, subnetId: s.id, routeTableId: publicRt.id }, opts));
    }
    const natZones = spec.profile === "ha" ? cloud.zones : cloud.zones.slice(0, 1);
    const nats = new Map(
        natZones.map((zone) => {
            const eip = new ec2.Eip(childName(name, "nat", zone, "ip"), { region, domain: "vpc", tags: { ...tags, Name: `${name}-nat-${zone}` } }, opts);
            const nat = new ec2.NatGateway(
                childName(name, "nat", zone),
                { region, allocationId: eip.id, subnetId: publicSubnets.get(zone)!.id, tags: { ...tags, Name: `${name}-nat-${zone}` } },
                { parent, dependsOn: [igw] },
            );
            return [zone, nat] as const;
        }),
    );
    const privateSubnets = new Map<string, ec2.Subnet>();
    for (const s of topo.subnets) {
        const zone = s.zone!;
        const sn = subnet("private", s);
        privateSubnets.set(zone, sn);
        const nat = nats.get(zone) ?? nats.get(natZones[0])!;
        const rt = new ec2.RouteTable(
            childName(name, "private", zone, "routes"),
            { region, vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }], tags: { ...tags, Name: `${name}-private-${zone}` } },
            opts,
        );
        egress.push(new ec2.RouteTableAssociation(childName(name, "private", zone, "assoc"), { region, subnetId: sn.id, routeTableId: rt.id }, opts));
    }
    return {
        vpcId: vpc.id,
        privateSubnetIds: new Map([...privateSubnets].map(([z, s]) => [z, s.id])),
        publicSubnetIds: new Map([...publicSubnets].map(([z, s]) => [z, s.id])),
        egress,
    };
}
