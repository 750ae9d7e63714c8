/**
 * The AKS control plane with its inline system pool (AKS requires one at creation): a
 * user-assigned identity, Entra ID with Azure RBAC (local accounts off), Azure CNI Overlay with
 * Cilium, KMS etcd encryption, Workload Identity, and control-plane logs to Log Analytics.
 */
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as monitor from "@pulumi/azure-native/monitor";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as pulumi from "@pulumi/pulumi";
import type { ManagedClusterSpec } from "../../../config/spec";
import { DEFAULT_INSTANCE_TYPES } from "../../../config/defaults";
import { childName } from "../../naming";
import { managedMinor, OPEN_API_WARNING } from "../common";
import type { AksIdentity } from "./identity";
import { aksDnsServiceIp, aksEntra, aksSystemCount, SYSTEM_POOL } from "./plan";

/** Control-plane log categories (kube-audit-admin: audit without get/list, a fraction of kube-audit's volume). */
const AKS_LOG_CATEGORIES = ["kube-apiserver", "kube-audit-admin", "kube-controller-manager", "kube-scheduler", "cluster-autoscaler", "guard"] as const;
const AKS_LOG_RETENTION_DAYS = 30;

export function aksControlPlane(
    parent: pulumi.Resource,
    name: string,
    spec: ManagedClusterSpec,
    resourceGroupName: pulumi.Input<string>,
    subnetId: pulumi.Input<string>,
    identity: AksIdentity,
    tags: Record<string, string>,
): containerservice.ManagedCluster {
    const cloud = spec.cloud;
    const managed = spec.managed;
    const entra = aksEntra(spec);
    const minor = managedMinor(spec);
    if (cloud.publicEndpoint && cloud.apiAllowedCidrs.length === 0) pulumi.log.warn(OPEN_API_WARNING, parent);
    const cluster = new containerservice.ManagedCluster(
        childName(name, "cluster"),
        {
            resourceGroupName,
            resourceName: spec.name,
            location: cloud.region,
            dnsPrefix: spec.name,
            kubernetesVersion: minor,
            // Standard tier: the financially backed API server SLA (and more than 10 nodes); Free otherwise.
            sku: { name: "Base", tier: spec.profile === "ha" ? "Standard" : "Free" },
            identity: { type: "UserAssigned", userAssignedIdentities: [identity.identity.id] },
            enableRBAC: true,
            ...(entra ? { aadProfile: { managed: true, enableAzureRBAC: managed.azureRbac, adminGroupObjectIDs: [...managed.adminPrincipals] } } : {}),
            // With Entra ID on, nobody gets the static cluster-admin certificate.
            disableLocalAccounts: entra,
            agentPoolProfiles: [
                {
                    name: SYSTEM_POOL,
                    mode: "System",
                    count: aksSystemCount(spec),
                    vmSize: DEFAULT_INSTANCE_TYPES.azure,
                    availabilityZones: [...cloud.zones],
                    osType: "Linux",
                    type: "VirtualMachineScaleSets",
                    osDiskSizeGB: cloud.diskGb,
                    // Temp disks and caches encrypted on the host too (cluster.cloud.encryptionAtHost).
                    enableEncryptionAtHost: cloud.encryptionAtHost ?? true,
                    vnetSubnetID: subnetId,
                    enableNodePublicIP: !managed.privateNodes,
                    maxPods: spec.kubernetes.maxPodsPerNode,
                    orchestratorVersion: minor,
                    // Only cluster add-ons (CoreDNS, metrics-server, konnectivity) run here.
                    nodeTaints: ["CriticalAddonsOnly=true:NoSchedule"],
                    upgradeSettings: { maxSurge: "33%" },
                },
            ],
            networkProfile: {
                networkPlugin: "azure",
                networkPluginMode: "overlay",
                networkDataplane: "cilium",
                networkPolicy: "cilium",
                podCidr: spec.kubernetes.podSubnet,
                serviceCidr: spec.kubernetes.serviceSubnet,
                dnsServiceIP: aksDnsServiceIp(spec.kubernetes.serviceSubnet),
                loadBalancerSku: "standard",
                outboundType: "loadBalancer",
            },
            apiServerAccessProfile: cloud.publicEndpoint
                ? { enablePrivateCluster: false, ...(cloud.apiAllowedCidrs.length > 0 ? { authorizedIPRanges: [...cloud.apiAllowedCidrs] } : {}) }
                : { enablePrivateCluster: true, privateDNSZone: "system" },
            oidcIssuerProfile: { enabled: true },
            securityProfile: {
                workloadIdentity: { enabled: true },
                azureKeyVaultKms: { enabled: true, keyId: identity.kmsKeyId, keyVaultNetworkAccess: "Public" },
            },
            // The minor stays as configured; AKS applies its patches and node images.
            autoUpgradeProfile: { upgradeChannel: "patch", nodeOSUpgradeChannel: "NodeImage" },
            tags,
        },
        // No Azure-side deletion protection for AKS: Pulumi's `protect` refuses deletes and replacements instead.
        { parent, dependsOn: identity.clusterReady, protect: managed.deletionProtection },
    );
    if (managed.controlPlaneLogging) {
        const workspace = new operationalinsights.Workspace(
            childName(name, "logs"),
            { resourceGroupName, location: cloud.region, sku: { name: "PerGB2018" }, retentionInDays: AKS_LOG_RETENTION_DAYS, tags },
            { parent },
        );
        new monitor.DiagnosticSetting(
            childName(name, "control-plane-logs"),
            {
                resourceUri: cluster.id,
                workspaceId: workspace.id,
                logAnalyticsDestinationType: "Dedicated",
                logs: AKS_LOG_CATEGORIES.map((category) => ({ category, enabled: true })),
            },
            { parent },
        );
    }
    return cluster;
}
