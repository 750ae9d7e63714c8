/**
 * The network: a new custom-mode VPC with one regional node subnet (Private Google Access on, so
 * nodes reach Secret Manager without NAT) and Cloud NAT on a Cloud Router for egress to
 * pkgs.k8s.io, registries and GitHub (nodes have no external addresses); or the existing network
 * and subnet named in the config (`cloud.existingNetwork`), which must already give the nodes
 * egress (this stack adds no NAT there: a subnet can be served by only one NAT gateway).
 * No lookups: every name and CIDR comes from the config or from resources created here.
 */
import type * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/gcp/compute";
import { n, type GcpContext } from "./common";
import { gceName } from "./names";

export interface Network {
    readonly networkId: pulumi.Input<string>;
    readonly subnetId: pulumi.Input<string>;
    /** The node subnet's CIDR. */
    readonly cidr: string;
    /** Created resources nodes need for egress (NAT), for ordering. */
    readonly egress: pulumi.Resource[];
}

export function createNetwork(ctx: GcpContext): Network {
    const { spec, topo, parent, project, region } = ctx;
    const subnet = topo.subnets[0];
    const existing = spec.cloud.existingNetwork;
    if (existing) return { networkId: existing.networkId, subnetId: subnet.id!, cidr: subnet.cidr, egress: [] };

    const opts = { parent };
    const network = new compute.Network(
        n(ctx, "network"),
        { project, autoCreateSubnetworks: false, routingMode: "REGIONAL", description: `hacluster ${spec.name}: cluster network` },
        opts,
    );
    const subnetwork = new compute.Subnetwork(
        n(ctx, "nodes"),
        {
            project,
            region,
            network: network.id,
            ipCidrRange: subnet.cidr,
            privateIpGoogleAccess: true,
            description: `hacluster ${spec.name}: nodes of every zone`,
        },
        opts,
    );
    const router = new compute.Router(
        n(ctx, "router"),
        // Named: Cloud NAT refers to its router by name.
        { project, region, network: network.id, name: gceName([spec.name, "router"]), description: `hacluster ${spec.name}: Cloud NAT` },
        opts,
    );
    const nat = new compute.RouterNat(
        n(ctx, "nat"),
        {
            project,
            region,
            router: router.name,
            name: gceName([spec.name, "nat"]),
            natIpAllocateOption: "AUTO_ONLY",
            sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
            subnetworks: [{ name: subnetwork.id, sourceIpRangesToNats: ["ALL_IP_RANGES"] }],
            logConfig: { enable: true, filter: "ERRORS_ONLY" },
        },
        opts,
    );
    return { networkId: network.id, subnetId: subnetwork.id, cidr: subnet.cidr, egress: [nat] };
}
