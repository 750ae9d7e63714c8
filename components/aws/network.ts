/**
 * The VPC: a new one (private node subnet per zone, public subnets with NAT gateways for egress
 * to pkgs.k8s.io, registries and AWS APIs), or the existing VPC and subnets named in the config
 * (`cloud.existingNetwork`), which must already give the nodes egress. No lookups: every id and
 * CIDR comes from the config or from resources created here.
 */
import * as pulumi from "@pulumi/pulumi";
import * as ec2 from "@pulumi/aws/ec2";
import { n, tags, type AwsContext } from "./common";
import { natZoneFor, natZones, publicSubnetCidrs } from "./layout";

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
    const cloud = spec.cloud!;
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

    const opts = { parent };
    const vpcName = n(ctx, "vpc");
    // DNS support and hostnames: the private hosted zone that names the API endpoint needs both.
    const vpc = new ec2.Vpc(vpcName, { cidrBlock: spec.network.nodeCidr, enableDnsSupport: true, enableDnsHostnames: true, tags: tags(ctx, vpcName) }, opts);

    const publicCidrs = publicSubnetCidrs(spec.network.nodeCidr, cloud.zones, topo.subnets);
    if (!publicCidrs) {
        throw new pulumi.ResourceError(
            `cluster.network.nodeCidr ${spec.network.nodeCidr}: the node subnets of ${cloud.zones.length} zones leave no room for public subnets (NAT gateways). ` +
                "Fix: use 3 zones (a /16 leaves a quarter free), or set cluster.cloud.existingNetwork to a VPC that already has egress",
            parent,
        );
    }
    const igwName = n(ctx, "igw");
    const igw = new ec2.InternetGateway(igwName, { vpcId: vpc.id, tags: tags(ctx, igwName) }, opts);
    const publicRtName = n(ctx, "public-rt");
    const publicRt = new ec2.RouteTable(publicRtName, { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: tags(ctx, publicRtName) }, opts);
    const publicSubnets = cloud.zones.map((zone, i) => {
        const subnetName = n(ctx, "public", zone);
        // No public addresses on launch: only NAT gateways (Elastic IPs) and an internet-facing NLB live here.
        const subnet = new ec2.Subnet(
            subnetName,
            { vpcId: vpc.id, cidrBlock: publicCidrs[i], availabilityZone: zone, mapPublicIpOnLaunch: false, tags: tags(ctx, subnetName, { "kubernetes.io/role/elb": "1" }) },
            opts,
        );
        new ec2.RouteTableAssociation(n(ctx, "public-rta", zone), { subnetId: subnet.id, routeTableId: publicRt.id }, opts);
        return subnet;
    });

    const nat = natZones(spec);
    const gateways = new Map(
        nat.map((zone) => {
            const eipName = n(ctx, "nat-ip", zone);
            const eip = new ec2.Eip(eipName, { domain: "vpc", tags: tags(ctx, eipName) }, { parent, dependsOn: [igw] });
            const gwName = n(ctx, "nat", zone);
            const gw = new ec2.NatGateway(
                gwName,
                { allocationId: eip.id, subnetId: publicSubnets[cloud.zones.indexOf(zone)].id, connectivityType: "public", tags: tags(ctx, gwName) },
                { parent, dependsOn: [igw] },
            );
            return [zone, { eip, gw }] as const;
        }),
    );

    const egress: pulumi.Resource[] = [];
    const privateSubnets = topo.subnets.map((s) => {
        const zone = s.zone!;
        const subnetName = n(ctx, "private", zone);
        const subnet = new ec2.Subnet(
            subnetName,
            { vpcId: vpc.id, cidrBlock: s.cidr, availabilityZone: zone, mapPublicIpOnLaunch: false, tags: tags(ctx, subnetName, { "kubernetes.io/role/internal-elb": "1" }) },
            opts,
        );
        const rtName = n(ctx, "private-rt", zone);
        const gw = gateways.get(natZoneFor(zone, nat))!.gw;
        const rt = new ec2.RouteTable(rtName, { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: gw.id }], tags: tags(ctx, rtName) }, opts);
        egress.push(new ec2.RouteTableAssociation(n(ctx, "private-rta", zone), { subnetId: subnet.id, routeTableId: rt.id }, opts));
        return subnet;
    });
    const ids = privateSubnets.map((s) => s.id);
    return {
        vpcId: vpc.id,
        privateSubnetIds: ids,
        subnetId: subnetIdOf(ids),
        publicSubnetIds: publicSubnets.map((s) => s.id),
        natPublicIps: [...gateways.values()].map((g) => g.eip.publicIp),
        egress,
    };
}
