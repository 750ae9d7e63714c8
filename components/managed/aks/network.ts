/**
 * The AKS network: a virtual network with one regional node subnet (`network.nodeCidr`), or the
 * subnet of an existing network. Pods do not use it: Azure CNI Overlay gives them addresses
 * from `kubernetes.podSubnet`, outside the virtual network.
 */
import * as network from "@pulumi/azure-native/network";
import * as pulumi from "@pulumi/pulumi";
import type { ManagedClusterSpec } from "../../../config/spec";
import { childName } from "../../naming";

export interface AksNetwork {
    readonly subnetId: pulumi.Input<string>;
}

export function aksNetwork(parent: pulumi.Resource, name: string, spec: ManagedClusterSpec, resourceGroupName: pulumi.Input<string>, tags: Record<string, string>): AksNetwork {
    const cloud = spec.cloud;
    if (cloud.existingNetwork) return { subnetId: cloud.existingNetwork.subnets[0].id };
    const vnetName = `${spec.name}-vnet`;
    const vnet = new network.VirtualNetwork(
        childName(name, "vnet"),
        { resourceGroupName, virtualNetworkName: vnetName, location: cloud.region, addressSpace: { addressPrefixes: [spec.network.nodeCidr] }, tags },
        { parent },
    );
    const subnet = new network.Subnet(
        childName(name, "nodes"),
        // The vnet's name as an output: the subnet waits for the vnet.
        { resourceGroupName, virtualNetworkName: vnet.name.apply(() => vnetName), subnetName: "nodes", addressPrefix: spec.network.nodeCidr },
        { parent },
    );
    return { subnetId: subnet.id };
}
