/**
 * GKE node pools, one per pool over the pool's zones. GKE's `nodeCount` is per zone: the pool's
 * count is rounded up per zone (see `perZoneCount`). Nodes run as the least-privilege service
 * account, with Workload Identity's metadata server and shielded boot.
 */
import * as container from "@pulumi/gcp/container";
import * as pulumi from "@pulumi/pulumi";
import type { ManagedClusterSpec } from "../../../config/spec";
import { childName } from "../../naming";
import type { Topology } from "../../topology";
import { perZoneCount } from "../common";
import { CLOUD_PLATFORM_SCOPE } from "./cluster";
import type { GkeIdentity } from "./identity";
import type { GkeNetwork } from "./network";

export function gkeNodePools(parent: pulumi.Resource, name: string, spec: ManagedClusterSpec, topo: Topology, cluster: container.Cluster, network: GkeNetwork, identity: GkeIdentity): container.NodePool[] {
    const cloud = spec.cloud;
    return topo.pools.map(
        (pool) =>
            new container.NodePool(
                childName(name, "pool", pool.name),
                {
                    project: cloud.project!,
                    location: cloud.region,
                    cluster: cluster.name,
                    nodeLocations: [...pool.zones],
                    nodeCount: perZoneCount(pool.count, pool.zones.length),
                    management: { autoRepair: true, autoUpgrade: true },
                    upgradeSettings: { maxSurge: 1, maxUnavailable: 0 },
                    nodeConfig: {
                        machineType: pool.instanceType,
                        diskSizeGb: cloud.diskGb,
                        labels: { ...pool.labels },
                        serviceAccount: identity.nodeAccount.email,
                        oauthScopes: [CLOUD_PLATFORM_SCOPE],
                        workloadMetadataConfig: { mode: "GKE_METADATA" },
                        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
                        metadata: { "disable-legacy-endpoints": "true" },
                    },
                },
                { parent, dependsOn: [...identity.nodesReady, ...network.egress] },
            ),
    );
}
