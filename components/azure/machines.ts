/**
 * Machines: a VM per control plane and external etcd member (its zone, a NIC with the topology's
 * static private address, no public IP), and one Flexible-orchestration scale set per worker pool
 * over the pool's zones, so the number of resources does not grow with the number of workers.
 *
 * Every machine: the image from `cloud.image`, SSH by key only (password login disabled; the port
 * is closed unless `cloud.sshAllowedCidrs`), its role's user-assigned identity (nothing else: IMDS
 * hands out that identity's tokens only), a Premium SSD OS disk encrypted at rest by Azure
 * (platform-managed keys, always on) and, with `encryptionAtHost`, encrypted on the host too, boot
 * diagnostics (the bootstrap log shows in the serial console), and custom data that holds no secret.
 */
import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/azure-native/compute";
import * as network from "@pulumi/azure-native/network";
import type { PoolPlacement, TopologyNode } from "../topology";
import { azureName, n, placement, type AzureContext } from "./common";
import type { ImageReference } from "./image";

const ADMIN_USER = "azureuser";

/** What every machine shares. */
export interface MachineBase {
    readonly image: ImageReference;
    /** OpenSSH public key of the admin user. */
    readonly sshPublicKey: pulumi.Input<string>;
    readonly subnetId: pulumi.Input<string>;
    readonly nsgId: pulumi.Input<string>;
    readonly encryptionAtHost: boolean;
}

export interface VmArgs extends MachineBase {
    readonly node: TopologyNode;
    readonly size: string;
    readonly identityId: pulumi.Input<string>;
    readonly asgIds: pulumi.Input<string>[];
    /** Load balancer backend pools the NIC joins (control planes). */
    readonly backendPoolIds?: pulumi.Input<string>[];
    readonly customData: pulumi.Input<string>;
    readonly dependsOn: pulumi.Resource[];
}

export interface PoolArgs extends MachineBase {
    readonly pool: PoolPlacement;
    readonly identityId: pulumi.Input<string>;
    readonly asgIds: pulumi.Input<string>[];
    readonly customData: pulumi.Input<string>;
    readonly dependsOn: pulumi.Resource[];
}

function linux(base: MachineBase) {
    return {
        disablePasswordAuthentication: true,
        provisionVMAgent: true,
        ssh: { publicKeys: [{ path: `/home/${ADMIN_USER}/.ssh/authorized_keys`, keyData: base.sshPublicKey }] },
    };
}

function osDisk(ctx: AzureContext) {
    return {
        createOption: "FromImage",
        caching: "ReadWrite" as const,
        diskSizeGB: ctx.cloud.diskGb,
        // etcd fsyncs on every write: Premium SSD (needs an "s" machine size, e.g. Standard_D4s_v5).
        managedDisk: { storageAccountType: "Premium_LRS" },
        deleteOption: "Delete",
    };
}

/** A control plane or etcd member: its NIC (static address, security groups, backend pools) and its VM. */
export function createVm(ctx: AzureContext, a: VmArgs): compute.VirtualMachine {
    const role = a.node.role;
    const nic = new network.NetworkInterface(
        n(ctx, a.node.name, "nic"),
        {
            ...placement(ctx, role),
            networkInterfaceName: azureName(ctx, "networkInterface", a.node.name, "nic"),
            networkSecurityGroup: { id: a.nsgId },
            ipConfigurations: [
                {
                    name: "ipconfig",
                    primary: true,
                    privateIPAllocationMethod: "Static",
                    privateIPAddress: a.node.address,
                    privateIPAddressVersion: "IPv4",
                    subnet: { id: a.subnetId },
                    applicationSecurityGroups: a.asgIds.map((id) => ({ id })),
                    ...(a.backendPoolIds ? { loadBalancerBackendAddressPools: a.backendPoolIds.map((id) => ({ id })) } : {}),
                },
            ],
        },
        { parent: ctx.parent },
    );
    return new compute.VirtualMachine(
        n(ctx, a.node.name),
        {
            ...placement(ctx, role),
            vmName: azureName(ctx, "virtualMachine", a.node.name),
            zones: [a.node.zone],
            hardwareProfile: { vmSize: a.size },
            identity: { type: "UserAssigned", userAssignedIdentities: [a.identityId] },
            osProfile: {
                // The host name is the Kubernetes node name kubeadm registers.
                computerName: a.node.name,
                adminUsername: ADMIN_USER,
                linuxConfiguration: linux(a),
                customData: a.customData,
            },
            storageProfile: { imageReference: { ...a.image }, osDisk: osDisk(ctx) },
            networkProfile: { networkInterfaces: [{ id: nic.id, primary: true }] },
            securityProfile: { encryptionAtHost: a.encryptionAtHost },
            diagnosticsProfile: { bootDiagnostics: { enabled: true } },
        },
        {
            parent: ctx.parent,
            dependsOn: a.dependsOn,
            // Custom data runs once, at first boot. A later change (a new hacluster version's
            // scripts) must not replace running control planes or etcd members — all at once —
            // nor fail on Azure's refusal to change it: replace machines one at a time instead.
            ignoreChanges: ["osProfile.customData"],
        },
    );
}

/**
 * A worker pool: one Flexible scale set over the pool's zones, `count` instances, balanced over
 * the zones best-effort. Model changes (new custom data, image) apply to new instances only
 * (upgrade policy Manual), so a `pulumi up` never reimages running workers.
 */
export function createPool(ctx: AzureContext, a: PoolArgs): compute.VirtualMachineScaleSet {
    const id = `pool-${a.pool.name}`;
    return new compute.VirtualMachineScaleSet(
        n(ctx, id),
        {
            ...placement(ctx, "worker"),
            vmScaleSetName: azureName(ctx, "scaleSet", id),
            orchestrationMode: "Flexible",
            // Flexible + zones: one fault domain per zone, instances spread over the zones.
            platformFaultDomainCount: 1,
            singlePlacementGroup: false,
            zones: [...a.pool.zones],
            sku: { name: a.pool.instanceType, tier: "Standard", capacity: a.pool.count },
            identity: { type: "UserAssigned", userAssignedIdentities: [a.identityId] },
            upgradePolicy: { mode: "Manual" },
            virtualMachineProfile: {
                osProfile: {
                    // Instances are named <prefix><suffix>; kubeadm registers that host name.
                    computerNamePrefix: azureName(ctx, "computerNamePrefix", a.pool.name),
                    adminUsername: ADMIN_USER,
                    linuxConfiguration: linux(a),
                    customData: a.customData,
                },
                storageProfile: { imageReference: { ...a.image }, osDisk: osDisk(ctx) },
                networkProfile: {
                    networkApiVersion: "2020-11-01",
                    networkInterfaceConfigurations: [
                        {
                            name: "nic",
                            primary: true,
                            deleteOption: "Delete",
                            networkSecurityGroup: { id: a.nsgId },
                            ipConfigurations: [
                                {
                                    name: "ipconfig",
                                    primary: true,
                                    subnet: { id: a.subnetId },
                                    applicationSecurityGroups: a.asgIds.map((asg) => ({ id: asg })),
                                },
                            ],
                        },
                    ],
                },
                securityProfile: { encryptionAtHost: a.encryptionAtHost },
                diagnosticsProfile: { bootDiagnostics: { enabled: true } },
            },
        },
        { parent: ctx.parent, dependsOn: a.dependsOn },
    );
}
