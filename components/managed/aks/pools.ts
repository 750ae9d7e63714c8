/**
 * AKS user pools: one `AgentPool` resource per pool over the pool's zones, so adding, resizing
 * or removing a pool is an agent pool operation that never touches the cluster resource.
 */
import * as containerservice from "@pulumi/azure-native/containerservice";
import type * as pulumi from "@pulumi/pulumi";
import type { ManagedClusterSpec } from "../../../config/spec";
import { childName } from "../../naming";
import type { Topology } from "../../topology";
import { managedMinor } from "../common";
import { aksPoolName } from "./plan";

export function aksUserPools(
    parent: pulumi.Resource,
    name: string,
    spec: ManagedClusterSpec,
    topo: Topology,
    resourceGroupName: pulumi.Input<string>,
    clusterName: pulumi.Input<string>,
    subnetId: pulumi.Input<string>,
): containerservice.AgentPool[] {
    const cloud = spec.cloud;
    return topo.pools.map(
        (pool) =>
            new containerservice.AgentPool(
                childName(name, "pool", pool.name),
                {
                    resourceGroupName,
                    resourceName: clusterName,
                    agentPoolName: aksPoolName(pool.name),
                    mode: "User",
                    count: pool.count,
                    vmSize: pool.instanceType,
                    availabilityZones: [...pool.zones],
                    osType: "Linux",
                    type: "VirtualMachineScaleSets",
                    osDiskSizeGB: cloud.diskGb,
                    enableEncryptionAtHost: cloud.encryptionAtHost ?? true,
                    vnetSubnetID: subnetId,
                    enableNodePublicIP: !spec.managed.privateNodes,
                    maxPods: spec.kubernetes.maxPodsPerNode,
                    nodeLabels: { ...pool.labels },
                    orchestratorVersion: managedMinor(spec),
                    upgradeSettings: { maxSurge: "33%" },
                },
                { parent },
            ),
    );
}
