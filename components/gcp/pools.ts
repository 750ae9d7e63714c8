/**
 * Worker pools: one instance template and one regional managed instance group per pool, spread
 * over the pool's zones, so a pool of 1000 workers is the same two resources as a pool of 3.
 * Every instance boots the same user-data (kubeadm takes the hostname, the instance name, as node
 * name) and joins through the internal load balancer's address.
 *
 * Template changes do not roll the pool by themselves (update type OPPORTUNISTIC, no proactive
 * zone rebalancing): nothing here drains a node before its VM goes away, and no cloud controller
 * removes the Node object. New and recreated instances get the new template; roll a pool
 * deliberately (drain, then `gcloud compute instance-groups managed rolling-action replace`).
 */
import type * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/gcp/compute";
import type { PoolPlacement } from "../topology";
import { accessMetadata, DISK_TYPE, labels, n, SHIELDED, type GcpContext } from "./common";
import { gceName } from "./names";
import type { Network } from "./network";
import type { Identity } from "./secrets";
import { haTags } from "../tags";

export interface PoolArgs {
    readonly pool: PoolPlacement;
    readonly image: string;
    readonly net: Network;
    readonly identity: Identity;
    /** cloud-init user-data, the same for every instance. */
    readonly userData: pulumi.Input<string>;
    readonly dependsOn: pulumi.Resource[];
}

export interface Pool {
    readonly template: compute.InstanceTemplate;
    readonly group: compute.RegionInstanceGroupManager;
}

export function createPool(ctx: GcpContext, a: PoolArgs): Pool {
    const { spec, parent, project, region } = ctx;
    const p = a.pool;
    const poolLabels = labels(ctx, haTags("dash", { role: "worker", pool: p.name }));
    const template = new compute.InstanceTemplate(
        n(ctx, p.name, "template"),
        {
            project,
            // Templates are immutable: a change makes a new one (the prefix leaves room for GCE's suffix).
            namePrefix: `${gceName([spec.name, p.name], 36)}-`,
            description: `hacluster ${spec.name}: workers of pool ${p.name}`,
            machineType: p.instanceType,
            disks: [{ boot: true, autoDelete: true, sourceImage: a.image, diskSizeGb: spec.cloud.diskGb, diskType: DISK_TYPE, labels: poolLabels }],
            // No access config: no external address. Egress goes through Cloud NAT.
            networkInterfaces: [{ subnetwork: a.net.subnetId }],
            canIpForward: false,
            serviceAccount: { email: a.identity.email, scopes: ["https://www.googleapis.com/auth/cloud-platform"] },
            shieldedInstanceConfig: { ...SHIELDED },
            scheduling: { automaticRestart: true, onHostMaintenance: "MIGRATE" },
            metadata: { ...accessMetadata(spec), "user-data": a.userData },
            labels: poolLabels,
        },
        { parent },
    );
    const group = new compute.RegionInstanceGroupManager(
        n(ctx, p.name),
        {
            project,
            region,
            description: `hacluster ${spec.name}: workers of pool ${p.name}`,
            baseInstanceName: gceName([spec.name, p.name], 54),
            distributionPolicyZones: [...p.zones],
            versions: [{ name: "primary", instanceTemplate: template.id }],
            targetSize: p.count,
            updatePolicy: {
                type: "OPPORTUNISTIC",
                minimalAction: "REPLACE",
                instanceRedistributionType: "NONE",
                // A regional group surges by at least one instance per zone.
                maxSurgeFixed: p.zones.length,
                maxUnavailableFixed: 0,
            },
            waitForInstances: false,
        },
        { parent, dependsOn: a.dependsOn },
    );
    return { template, group };
}
