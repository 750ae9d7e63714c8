/**
 * The one VPC builder on AWS, for self-managed clusters (network.ts) and EKS
 * (managed/eks/network.ts): a public subnet per zone (NAT gateways, internet-facing load
 * balancers) routed to an internet gateway, a private node subnet per zone routed through a NAT
 * gateway (its zone's, else the first NAT zone's), and the subnet role tags the AWS load balancer
 * controller looks for. Callers pass the layout and how their resources are named and tagged
 * (names stay as they were: a renamed VPC resource is a replaced one).
 */
import * as ec2 from "@pulumi/aws/ec2";
import * as pulumi from "@pulumi/pulumi";
import type { PlacedSubnet } from "../topology";
import { natZoneFor } from "./layout";

/** The VPC's resources, as callers name and tag them. */
export type VpcPart = "vpc" | "igw" | "public-routes" | "public" | "public-assoc" | "nat-ip" | "nat" | "private" | "private-routes" | "private-assoc";

export interface VpcArgs {
    readonly parent: pulumi.Resource;
    /** Resource name of a part (per zone where a zone is given). */
    readonly name: (part: VpcPart, zone?: string) => string;
    /** Tags of a part, given its resource name (subnets get their role tag on top). */
    readonly tags: (part: VpcPart, resourceName: string, zone?: string) => Record<string, string>;
    /** Set the provider's region on every resource (EKS picks its region per resource). */
    readonly region?: string;
    readonly cidr: string;
    /** Zones in order, with their public subnets' CIDRs. */
    readonly publicSubnets: readonly { readonly zone: string; readonly cidr: string }[];
    /** The node subnets (one per zone). */
    readonly privateSubnets: readonly PlacedSubnet[];
    /** Zones that get a NAT gateway (the first is the fallback of the others). */
    readonly natZones: readonly string[];
    /** Public addresses for instances launched in the public subnets. */
    readonly publicIpOnLaunch: boolean;
    /** Self-managed: Elastic IPs wait for the internet gateway, NAT gateways state `connectivityType: public`. */
    readonly explicitNat?: boolean;
    /** EKS: the public subnets' route associations count as egress too. */
    readonly publicRoutesAreEgress?: boolean;
}

export interface Vpc {
    readonly vpc: ec2.Vpc;
    /** Public subnet ids by zone. */
    readonly publicSubnetIds: ReadonlyMap<string, pulumi.Output<string>>;
    /** Node subnet ids by zone. */
    readonly privateSubnetIds: ReadonlyMap<string, pulumi.Output<string>>;
    /** The NAT gateways' public addresses: where nodes come from when they dial a public endpoint. */
    readonly natPublicIps: pulumi.Output<string>[];
    /** Route associations nodes depend on for egress, for ordering. */
    readonly egress: pulumi.Resource[];
}

export function createVpc(a: VpcArgs): Vpc {
    const { parent } = a;
    const opts = { parent };
    const region = a.region !== undefined ? { region: a.region } : {};
    const tagged = (part: VpcPart, zone?: string) => {
        const name = a.name(part, zone);
        return { name, tags: a.tags(part, name, zone) };
    };
    // DNS support and hostnames: a private hosted zone (the API endpoint's name) needs both.
    const v = tagged("vpc");
    const vpc = new ec2.Vpc(v.name, { ...region, cidrBlock: a.cidr, enableDnsSupport: true, enableDnsHostnames: true, tags: v.tags }, opts);
    const g = tagged("igw");
    const igw = new ec2.InternetGateway(g.name, { ...region, vpcId: vpc.id, tags: g.tags }, opts);
    const r = tagged("public-routes");
    const publicRt = new ec2.RouteTable(r.name, { ...region, vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: r.tags }, opts);

    const egress: pulumi.Resource[] = [];
    const subnet = (kind: "public" | "private", zone: string, cidr: string) => {
        const s = tagged(kind, zone);
        // Where the AWS load balancer controller puts internet-facing / internal load balancers.
        const role = kind === "public" ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb";
        return new ec2.Subnet(
            s.name,
            { ...region, vpcId: vpc.id, cidrBlock: cidr, availabilityZone: zone, mapPublicIpOnLaunch: kind === "public" && a.publicIpOnLaunch, tags: { ...s.tags, [role]: "1" } },
            opts,
        );
    };
    const publicSubnets = new Map(a.publicSubnets.map((p) => [p.zone, subnet("public", p.zone, p.cidr)]));
    for (const [zone, s] of publicSubnets) {
        const assoc = new ec2.RouteTableAssociation(a.name("public-assoc", zone), { ...region, subnetId: s.id, routeTableId: publicRt.id }, opts);
        if (a.publicRoutesAreEgress) egress.push(assoc);
    }

    const gateways = new Map(
        a.natZones.map((zone) => {
            const ip = tagged("nat-ip", zone);
            const eip = new ec2.Eip(ip.name, { ...region, domain: "vpc", tags: ip.tags }, a.explicitNat ? { parent, dependsOn: [igw] } : opts);
            const gw = tagged("nat", zone);
            const nat = new ec2.NatGateway(
                gw.name,
                { ...region, allocationId: eip.id, subnetId: publicSubnets.get(zone)!.id, ...(a.explicitNat ? { connectivityType: "public" } : {}), tags: gw.tags },
                { parent, dependsOn: [igw] },
            );
            return [zone, { eip, nat }] as const;
        }),
    );

    const privateSubnets = new Map<string, ec2.Subnet>();
    for (const p of a.privateSubnets) {
        const zone = p.zone!;
        const sn = subnet("private", zone, p.cidr);
        privateSubnets.set(zone, sn);
        const nat = gateways.get(natZoneFor(zone, a.natZones))!.nat;
        const rt = tagged("private-routes", zone);
        const routes = new ec2.RouteTable(rt.name, { ...region, vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }], tags: rt.tags }, opts);
        egress.push(new ec2.RouteTableAssociation(a.name("private-assoc", zone), { ...region, subnetId: sn.id, routeTableId: routes.id }, opts));
    }
    return {
        vpc,
        publicSubnetIds: new Map([...publicSubnets].map(([z, s]) => [z, s.id])),
        privateSubnetIds: new Map([...privateSubnets].map(([z, s]) => [z, s.id])),
        natPublicIps: [...gateways.values()].map((g) => g.eip.publicIp),
        egress,
    };
}
