/**
 * The nodes' network: application security groups, the network security group (rules.ts), and
 * unless `cloud.existingNetwork` names one, a virtual network with one regional subnet whose
 * egress is a NAT gateway (nodes have no public IPs) and which reaches Key Vault and the etcd
 * backup storage account over service endpoints. The NSG is also put on every node NIC, so it protects nodes in an existing subnet too.
 */
import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import { azureName, n, nameOf, placement, type AzureContext } from "./common";
import { securityRules } from "./rules";

export interface AzureNetwork {
    readonly subnetId: pulumi.Output<string>;
    readonly nsg: network.NetworkSecurityGroup;
    readonly asg: { readonly controlPlanes: network.ApplicationSecurityGroup; readonly nodes: network.ApplicationSecurityGroup; readonly etcd?: network.ApplicationSecurityGroup };
    /** Created here (false: an existing subnet, whose egress and Key Vault and Storage service endpoints are the owner's). */
    readonly created: boolean;
    /** What nodes need before they boot: their egress. */
    readonly egress: pulumi.Resource[];
}

export function createNetwork(ctx: AzureContext): AzureNetwork {
    const opts = { parent: ctx.parent };
    const asg = (role: string) =>
        new network.ApplicationSecurityGroup(n(ctx, "asg", role), { ...placement(ctx), applicationSecurityGroupName: azureName(ctx, "applicationSecurityGroup", "asg", role) }, opts);
    const groups = {
        controlPlanes: asg("control-planes"),
        nodes: asg("nodes"),
        ...(ctx.topo.etcd.length > 0 ? { etcd: asg("etcd") } : {}),
    };
    const nsg = new network.NetworkSecurityGroup(
        n(ctx, "nsg"),
        {
            ...placement(ctx),
            networkSecurityGroupName: azureName(ctx, "networkSecurityGroup", "nsg"),
            securityRules: securityRules({
                asg: { controlPlanes: groups.controlPlanes.id, nodes: groups.nodes.id, ...(groups.etcd ? { etcd: groups.etcd.id } : {}) },
                apiAllowedCidrs: ctx.cloud.apiAllowedCidrs,
                sshAllowedCidrs: ctx.cloud.sshAllowedCidrs,
            }),
        },
        opts,
    );

    const existing = ctx.topo.subnets[0].id;
    if (existing !== undefined) return { subnetId: pulumi.output(existing), nsg, asg: groups, created: false, egress: [] };

    // Egress for machines without public IPs. A Standard NAT gateway lives in one zone (Azure
    // picks it): losing that zone stops egress (image pulls, packages), not the API or etcd.
    const natIp = new network.PublicIPAddress(
        n(ctx, "nat-ip"),
        {
            ...placement(ctx),
            publicIpAddressName: azureName(ctx, "publicIp", "nat-ip"),
            sku: { name: "Standard", tier: "Regional" },
            publicIPAllocationMethod: "Static",
            publicIPAddressVersion: "IPv4",
        },
        opts,
    );
    const nat = new network.NatGateway(
        n(ctx, "nat"),
        {
            ...placement(ctx),
            natGatewayName: azureName(ctx, "natGateway", "nat"),
            sku: { name: "Standard" },
            publicIpAddresses: [{ id: natIp.id }],
            idleTimeoutInMinutes: 10,
        },
        opts,
    );
    const vnetName = azureName(ctx, "virtualNetwork", "vnet");
    const vnet = new network.VirtualNetwork(
        n(ctx, "vnet"),
        {
            ...placement(ctx),
            virtualNetworkName: vnetName,
            addressSpace: { addressPrefixes: [ctx.spec.network.nodeCidr] },
            // Subnets are their own resources (below); ARM keeps them when the network is updated.
        },
        opts,
    );
    const subnet = new network.Subnet(
        n(ctx, "subnet"),
        {
            resourceGroupName: ctx.resourceGroupName,
            virtualNetworkName: nameOf(vnet, vnetName),
            subnetName: azureName(ctx, "subnet", "nodes"),
            addressPrefix: ctx.topo.subnets[0].cidr,
            networkSecurityGroup: { id: nsg.id },
            natGateway: { id: nat.id },
            // Key Vault and the etcd backup account admit the nodes by subnet (their firewalls deny everything else).
            serviceEndpoints: [{ service: "Microsoft.KeyVault" }, { service: "Microsoft.Storage" }],
            // No implicit outbound address: egress is the NAT gateway's, and only its.
            defaultOutboundAccess: false,
        },
        opts,
    );
    return { subnetId: subnet.id, nsg, asg: groups, created: true, egress: [nat, subnet] };
}
