/**
 * EKS managed node groups, one per pool (a group spans the pool's zones, so its size never adds
 * resources), and the core add-ons as EKS-managed add-ons (upgraded by API with the cluster).
 */
import * as eks from "@pulumi/aws/eks";
import * as pulumi from "@pulumi/pulumi";
import type { ManagedClusterSpec } from "../../../config/spec";
import { childName } from "../../naming";
import type { Topology } from "../../topology";
import type { EksIdentity } from "./iam";
import type { EksNetwork } from "./network";
import { eksAmiType } from "./plan";
import { haTags } from "../../tags";

export function eksNodeGroups(
    parent: pulumi.Resource,
    name: string,
    spec: ManagedClusterSpec,
    topo: Topology,
    cluster: eks.Cluster,
    network: EksNetwork,
    identity: EksIdentity,
    tags: Record<string, string>,
): eks.NodeGroup[] {
    const region = spec.cloud.region;
    // Nodes with public addresses live in the public subnets of a new VPC; otherwise in the node subnets.
    const subnets = !spec.managed.privateNodes && network.publicSubnetIds.size > 0 ? network.publicSubnetIds : network.privateSubnetIds;
    return topo.pools.map(
        (pool) =>
            new eks.NodeGroup(
                childName(name, "pool", pool.name),
                {
                    region,
                    clusterName: cluster.name,
                    // Follows the control plane: a minor upgrade rolls the nodes after it.
                    version: cluster.version,
                    nodeRoleArn: identity.nodeRole.arn,
                    subnetIds: pool.zones.map((z) => subnets.get(z)!),
                    // Fixed size from the config (no autoscaler here): min = desired = max.
                    scalingConfig: { desiredSize: pool.count, minSize: pool.count, maxSize: Math.max(pool.count, 1) },
                    instanceTypes: [pool.instanceType],
                    amiType: eksAmiType(pool.instanceType),
                    diskSize: spec.cloud.diskGb,
                    labels: { ...pool.labels },
                    updateConfig: { maxUnavailable: 1 },
                    tags: { ...tags, ...haTags("eks", { pool: pool.name }) },
                },
                { parent, dependsOn: [...identity.nodesReady, ...network.egress] },
            ),
    );
}

/** vpc-cni and kube-proxy right after the control plane; CoreDNS once nodes can run it. */
export function eksAddons(parent: pulumi.Resource, name: string, region: string, cluster: eks.Cluster, nodeGroups: eks.NodeGroup[]): eks.Addon[] {
    const addon = (addonName: string, dependsOn: pulumi.Resource[]) =>
        new eks.Addon(
            childName(name, "addon", addonName),
            { region, clusterName: cluster.name, addonName, resolveConflictsOnCreate: "OVERWRITE", resolveConflictsOnUpdate: "PRESERVE" },
            { parent, dependsOn },
        );
    return [addon("vpc-cni", []), addon("kube-proxy", []), addon("coredns", nodeGroups)];
}
