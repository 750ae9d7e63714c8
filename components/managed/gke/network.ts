/**
 * The GKE network: a VPC with one regional subnet holding the pod and service ranges as
 * secondary ranges (VPC-native), and Cloud NAT for private nodes' egress. With an existing
 * network, GKE adds the secondary ranges to the given subnet itself, and egress is the
 * network owner's (no NAT is created in someone else's network).
 */
import * as compute from "@pulumi/gcp/compute";
import type * as container from "@pulumi/gcp/container";
import * as pulumi from "@pulumi/pulumi";
import type { ManagedClusterSpec } from "../../../config/spec";
import { childName } from "../../naming";

const POD_RANGE = "pods";
const SERVICE_RANGE = "services";

export interface GkeNetwork {
    readonly network: pulumi.Input<string>;
    readonly subnetwork: pulumi.Input<string>;
    readonly ipAllocationPolicy: container.ClusterArgs["ipAllocationPolicy"];
    /** What nodes need before they boot (egress). */
    readonly egress: pulumi.Resource[];
}

export function gkeNetwork(parent: pulumi.Resource, name: string, spec: ManagedClusterSpec): GkeNetwork {
    const cloud = spec.cloud;
    const k = spec.kubernetes;
    const ex = cloud.existingNetwork;
    if (ex) {
        return {
            network: ex.networkId,
            subnetwork: ex.subnets[0].id,
            ipAllocationPolicy: { clusterIpv4CidrBlock: k.podSubnet, servicesIpv4CidrBlock: k.serviceSubnet },
            egress: [],
        };
    }
    const project = cloud.project!;
    const region = cloud.region;
    const opts = { parent };
    const network = new compute.Network(childName(name, "network"), { project, autoCreateSubnetworks: false, routingMode: "REGIONAL" }, opts);
    const subnet = new compute.Subnetwork(
        childName(name, "nodes"),
        {
            project,
            region,
            network: network.id,
            ipCidrRange: spec.network.nodeCidr,
            secondaryIpRanges: [
                { rangeName: POD_RANGE, ipCidrRange: k.podSubnet },
                { rangeName: SERVICE_RANGE, ipCidrRange: k.serviceSubnet },
            ],
            // Google APIs (image pulls, logging) without public addresses.
            privateIpGoogleAccess: true,
        },
        opts,
    );
    const egress: pulumi.Resource[] = [];
    if (spec.managed.privateNodes) {
        const router = new compute.Router(childName(name, "router"), { project, region, network: network.id }, opts);
        egress.push(
            new compute.RouterNat(
                childName(name, "nat"),
                {
                    project,
                    region,
                    router: router.name,
                    natIpAllocateOption: "AUTO_ONLY",
                    sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
                    subnetworks: [{ name: subnet.id, sourceIpRangesToNats: ["ALL_IP_RANGES"] }],
                    logConfig: { enable: true, filter: "ERRORS_ONLY" },
                },
                opts,
            ),
        );
    }
    return {
        network: network.id,
        subnetwork: subnet.id,
        ipAllocationPolicy: { clusterSecondaryRangeName: POD_RANGE, servicesSecondaryRangeName: SERVICE_RANGE },
        egress,
    };
}
