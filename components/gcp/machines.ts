/**
 * Control planes and external etcd members: one Compute Engine instance each, in its zone, at
 * the topology's fixed private address (reserved as an internal address first: certificates and
 * etcd's initial cluster name it before boot), hardened the same way: Shielded VM (Secure Boot,
 * vTPM, integrity monitoring), no external address, a boot disk encrypted by Google-managed keys
 * (Compute Engine encrypts every disk; a customer-managed key is not required here), the role's
 * service account whose only permission is reading the role's secret.
 *
 * User-data matters at first boot only (cloud-init runs it once per instance). Metadata changes
 * update in place and run nothing on the machine; a changed image would replace every control
 * plane at once, so it is ignored on running machines. Replace machines deliberately, one at a
 * time (the fixed name and address mean a replacement deletes first).
 */
import type * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/gcp/compute";
import type { TopologyNode } from "../topology";
import { accessMetadata, DISK_TYPE, labels, n, SHIELDED, type GcpContext } from "./common";
import { gceName } from "./names";
import type { Network } from "./network";
import type { Identity } from "./secrets";
import { haTags } from "../tags";

export interface MachineArgs {
    readonly node: TopologyNode;
    readonly machineType: string;
    readonly image: string;
    readonly net: Network;
    readonly identity: Identity;
    /** cloud-init user-data. */
    readonly userData: pulumi.Input<string>;
    readonly dependsOn: pulumi.Resource[];
}

export interface Machine {
    readonly node: TopologyNode;
    readonly address: compute.Address;
    readonly instance: compute.Instance;
}

export function createMachine(ctx: GcpContext, a: MachineArgs): Machine {
    const { spec, parent, project, region } = ctx;
    const role = a.node.role;
    const address = new compute.Address(
        n(ctx, a.node.name, "ip"),
        {
            project,
            region,
            addressType: "INTERNAL",
            purpose: "GCE_ENDPOINT",
            subnetwork: a.net.subnetId,
            address: a.node.address,
            description: `hacluster ${spec.name}: ${a.node.name} (${role})`,
            labels: labels(ctx, haTags("dash", { role })),
        },
        { parent },
    );
    const instance = new compute.Instance(
        n(ctx, a.node.name),
        {
            project,
            zone: a.node.zone,
            // Named: the name is the hostname.
            name: gceName([spec.name, a.node.name]),
            description: `hacluster ${spec.name}: ${role} ${a.node.name}`,
            machineType: a.machineType,
            bootDisk: {
                autoDelete: true,
                initializeParams: { image: a.image, size: spec.cloud.diskGb, type: DISK_TYPE, labels: labels(ctx, haTags("dash", { role })) },
            },
            // No access config: no external address. Egress goes through Cloud NAT.
            networkInterfaces: [{ subnetwork: a.net.subnetId, networkIp: address.address }],
            canIpForward: false,
            serviceAccount: { email: a.identity.email, scopes: ["https://www.googleapis.com/auth/cloud-platform"] },
            shieldedInstanceConfig: { ...SHIELDED },
            scheduling: { automaticRestart: true, onHostMaintenance: "MIGRATE" },
            metadata: { ...accessMetadata(spec), "user-data": a.userData },
            labels: labels(ctx, haTags("dash", { role, node: a.node.name })),
        },
        { parent, dependsOn: a.dependsOn, deleteBeforeReplace: true, ignoreChanges: ["bootDisk.initializeParams.image"] },
    );
    return { node: a.node, address, instance };
}
