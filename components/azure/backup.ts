/**
 * Off-cluster etcd snapshots: a storage account and a private blob container the stack creates,
 * written by the machines that hold etcd members (control planes with stacked etcd, each external
 * member) with their own managed identities, and emptied by a lifecycle rule after
 * `cluster.etcd.backup.retentionDays`.
 *
 * - The account: StorageV2, zone-redundant (Standard_ZRS, like the cluster), HTTPS only, TLS 1.2
 *   at least, no anonymous blob access, no shared keys or SAS (Entra ID only), reachable from the
 *   nodes' subnet only (a Microsoft.Storage service endpoint; Pulumi manages it through Resource
 *   Manager, which that firewall does not apply to). Encrypted at rest by Azure Storage with
 *   Microsoft-managed keys (always on; customer-managed keys would need a Key Vault key and an
 *   identity on the account, not done).
 * - Blob versioning: a deleted or overwritten snapshot stays as a version. Storage Blob Data
 *   Contributor cannot delete versions (`deleteBlobVersion` is the Owner role's), so a
 *   compromised node cannot wipe the backups before the retention ends.
 * - Retention: base blobs are deleted `retentionDays` after their last modification, versions
 *   `retentionDays` after their creation (the lifecycle rule runs once a day, so a snapshot lives
 *   up to a day or two longer).
 * - Writers: "Storage Blob Data Contributor" scoped to the container only, one assignment per
 *   etcd-holding identity. Workers get nothing.
 *
 * Destroy: in profile `ha` the account and the container are `protect`ed (like the CAs), so a
 * `pulumi destroy` stops at them instead of deleting every backup with them — and, since the
 * resource group is deleted only after everything in it, keeps the group too; `pulumi state
 * unprotect` first when the backups are really to go. Other profiles delete them with the stack.
 * `retainOnDelete` would not help: deleting the resource group deletes the account anyway.
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import type * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as storage from "@pulumi/azure-native/storage";
import { n, nameOf, placement, type AzureContext } from "./common";
import { roleDefinitionId, STORAGE_BLOB_DATA_CONTRIBUTOR_ROLE, storageAccountName } from "./names";
import { ETCD_BACKUP_CONTAINER } from "./boot";

/** Days a deleted container can be restored (a container deleted by hand takes every snapshot with it). */
export const CONTAINER_SOFT_DELETE_DAYS = 7;

export interface EtcdBackupStore {
    readonly account: storage.StorageAccount;
    readonly container: storage.BlobContainer;
    /** The account's name, as an output of the account. */
    readonly accountName: pulumi.Output<string>;
    /** The container's name, as an output of the container (uploads go there once it exists). */
    readonly containerName: pulumi.Output<string>;
}

/**
 * The account, its blob service settings (versioning), the private container and the lifecycle
 * rule. `subnetId`: the only network allowed in (it needs a Microsoft.Storage service endpoint).
 */
export function createEtcdBackupStore(ctx: AzureContext, subnetId: pulumi.Input<string>): EtcdBackupStore {
    const days = ctx.spec.etcd.backup.retentionDays;
    const protect = ctx.spec.profile === "ha";
    const name = ctx.resourceGroup.id.apply((id) => storageAccountName(ctx.spec.name, id));
    const account = new storage.StorageAccount(
        n(ctx, "etcd-backups"),
        {
            ...placement(ctx, "etcd-backups"),
            accountName: name,
            kind: "StorageV2",
            // Zone-redundant: the backups survive the loss of a zone, as the cluster does.
            sku: { name: "Standard_ZRS" },
            // Hot: Cool would charge early deletion for blobs kept less than 30 days.
            accessTier: "Hot",
            enableHttpsTrafficOnly: true,
            minimumTlsVersion: "TLS1_2",
            allowBlobPublicAccess: false,
            // Entra ID (managed identities, role assignments) only: no account keys, no SAS tokens.
            allowSharedKeyAccess: false,
            defaultToOAuthAuthentication: true,
            allowCrossTenantReplication: false,
            publicNetworkAccess: "Enabled",
            // Data-plane access only from the nodes' subnet (service endpoint); nothing bypasses it.
            networkRuleSet: { defaultAction: "Deny", bypass: "None", ipRules: [], virtualNetworkRules: [{ virtualNetworkResourceId: subnetId, action: "Allow" }] },
            // Encryption at rest: Azure Storage's, with Microsoft-managed keys (the default, always on).
        },
        { parent: ctx.parent, protect },
    );
    const accountName = pulumi.all([account.id, name]).apply(([, accountName]) => accountName);
    const blobService = new storage.BlobServiceProperties(
        n(ctx, "etcd-backups", "blob-service"),
        {
            resourceGroupName: ctx.resourceGroupName,
            accountName,
            blobServicesName: "default",
            isVersioningEnabled: true,
            containerDeleteRetentionPolicy: { enabled: true, days: CONTAINER_SOFT_DELETE_DAYS },
        },
        { parent: ctx.parent },
    );
    const container = new storage.BlobContainer(
        n(ctx, "etcd-backups", "container"),
        { resourceGroupName: ctx.resourceGroupName, accountName, containerName: ETCD_BACKUP_CONTAINER, publicAccess: "None" },
        { parent: ctx.parent, protect, dependsOn: [blobService] },
    );
    new storage.ManagementPolicy(
        n(ctx, "etcd-backups", "retention"),
        {
            resourceGroupName: ctx.resourceGroupName,
            accountName,
            managementPolicyName: "default",
            policy: {
                rules: [
                    {
                        name: "etcd-snapshot-retention",
                        enabled: true,
                        type: "Lifecycle",
                        definition: {
                            filters: { blobTypes: ["blockBlob"], prefixMatch: [`${ETCD_BACKUP_CONTAINER}/`] },
                            actions: {
                                baseBlob: { delete: { daysAfterModificationGreaterThan: days } },
                                version: { delete: { daysAfterCreationGreaterThan: days } },
                            },
                        },
                    },
                ],
            },
        },
        // Version actions need versioning on.
        { parent: ctx.parent, dependsOn: [blobService] },
    );
    return { account, container, accountName, containerName: nameOf(container, ETCD_BACKUP_CONTAINER) };
}

/**
 * `identity` may write snapshots: "Storage Blob Data Contributor" on the container only (not the
 * account, not the group). `role`: the identity's role (`control-plane`, or the member's name).
 */
export function createBackupWriter(ctx: AzureContext, store: EtcdBackupStore, role: string, identity: managedidentity.UserAssignedIdentity): authorization.RoleAssignment {
    return new authorization.RoleAssignment(
        n(ctx, "etcd-backups", role, "writer"),
        {
            principalId: identity.principalId,
            // Known to be a service principal: no wait for directory replication of a new identity.
            principalType: "ServicePrincipal",
            roleDefinitionId: ctx.resourceGroup.id.apply((id) => roleDefinitionId(id, STORAGE_BLOB_DATA_CONTRIBUTOR_ROLE)),
            scope: store.container.id,
            description: `hacluster ${ctx.spec.name}: ${role} machines upload etcd snapshots to ${ETCD_BACKUP_CONTAINER}`,
        },
        { parent: ctx.parent },
    );
}
