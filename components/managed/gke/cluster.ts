/**
 * The GKE control plane: regional (replicated over the region's zones), VPC-native, private
 * nodes, Workload Identity, shielded nodes, Secrets encrypted with the stack's key, on a release
 * channel. The default node pool is removed once the cluster exists; pools are separate resources.
 */
import * as container from "@pulumi/gcp/container";
import * as pulumi from "@pulumi/pulumi";
import type { ManagedClusterSpec } from "../../../config/spec";
import { childName } from "../../naming";
import { managedMinor, OPEN_API_WARNING } from "../common";
import type { GkeIdentity } from "./identity";
import type { GkeNetwork } from "./network";
import { gkeLogComponents, gkeMasterCidr } from "./plan";
import { haTags } from "../../tags";

export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

export function gkeControlPlane(parent: pulumi.Resource, name: string, spec: ManagedClusterSpec, network: GkeNetwork, identity: GkeIdentity): container.Cluster {
    const cloud = spec.cloud;
    const managed = spec.managed;
    const project = cloud.project!;
    if (cloud.publicEndpoint && cloud.apiAllowedCidrs.length === 0) pulumi.log.warn(OPEN_API_WARNING, parent);
    return new container.Cluster(
        childName(name, "cluster"),
        {
            name: spec.name,
            project,
            // A region as location: the control plane is replicated over the region's zones.
            location: cloud.region,
            nodeLocations: [...cloud.zones],
            // Required to create a cluster; deleted right after (pools are NodePool resources).
            removeDefaultNodePool: true,
            initialNodeCount: 1,
            nodeConfig: { serviceAccount: identity.nodeAccount.email, oauthScopes: [CLOUD_PLATFORM_SCOPE] },
            network: network.network,
            subnetwork: network.subnetwork,
            networkingMode: "VPC_NATIVE",
            ipAllocationPolicy: network.ipAllocationPolicy,
            defaultMaxPodsPerNode: spec.kubernetes.maxPodsPerNode,
            datapathProvider: "ADVANCED_DATAPATH",
            privateClusterConfig: {
                enablePrivateNodes: managed.privateNodes,
                enablePrivateEndpoint: !cloud.publicEndpoint,
                ...(managed.privateNodes ? { masterIpv4CidrBlock: gkeMasterCidr(spec) } : {}),
            },
            ...(cloud.apiAllowedCidrs.length > 0
                ? { masterAuthorizedNetworksConfig: { cidrBlocks: cloud.apiAllowedCidrs.map((c) => ({ cidrBlock: c, displayName: `allowed ${c}` })) } }
                : {}),
            releaseChannel: { channel: managed.releaseChannel },
            // A floor: the release channel moves the cluster to newer minors over time.
            minMasterVersion: managedMinor(spec),
            deletionProtection: managed.deletionProtection,
            workloadIdentityConfig: { workloadPool: `${project}.svc.id.goog` },
            enableShieldedNodes: true,
            databaseEncryption: { state: "ENCRYPTED", keyName: identity.secretsKey.id },
            loggingConfig: { enableComponents: gkeLogComponents(managed.controlPlaneLogging) },
            resourceLabels: haTags("dash", { cluster: spec.name }),
        },
        // nodeConfig only shapes the short-lived default pool; later drift there means nothing.
        { parent, dependsOn: identity.clusterReady, ignoreChanges: ["nodeConfig"] },
    );
}
