/**
 * Secret delivery: a Key Vault (RBAC mode, reachable only from the nodes' subnet) holding one
 * secret per reader — the control planes' CA and service-account keys and join token, the
 * workers' join token, each external etcd member's own key — and a user-assigned managed identity
 * per reader with "Key Vault Secrets User" on its own secret only. Values are Pulumi secrets; they
 * are written through Azure Resource Manager, never into custom data. Nodes read them at boot
 * (render/secrets-azure.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import { secretsScript } from "../render/node";
import type { NodeFile } from "../render/script";
import { azureName, n, placement, type AzureContext } from "./common";
import { KEY_VAULT_SECRETS_USER_ROLE, roleDefinitionId, vaultName } from "./names";

/** Key Vault's limit for a secret value (25 KiB). */
const SECRET_VALUE_LIMIT_BYTES = 25 * 1024;

/** A reader: its identity, and what its machines wait for before they boot. */
export interface SecretReader {
    readonly identity: managedidentity.UserAssignedIdentity;
    readonly secretName: string;
    /** The secret and the role assignment: a machine booting earlier could not read. */
    readonly ready: pulumi.Resource[];
}

export interface AzureVault {
    readonly vault: keyvault.Vault;
    /** The vault's name (derived from the resource group's id: globally unique, deterministic). */
    readonly name: pulumi.Output<string>;
}

export function createIdentity(ctx: AzureContext, role: string): managedidentity.UserAssignedIdentity {
    return new managedidentity.UserAssignedIdentity(
        n(ctx, "identity", role),
        { ...placement(ctx, role), resourceName: azureName(ctx, "identity", "identity", role) },
        { parent: ctx.parent },
    );
}

/**
 * The vault. `tenantId` comes from a managed identity (every identity reports its tenant), so no
 * provider function is called. `subnetId`: the only network allowed in.
 */
export function createVault(ctx: AzureContext, tenantId: pulumi.Input<string>, subnetId: pulumi.Input<string>): AzureVault {
    const name = ctx.resourceGroup.id.apply((id) => vaultName(ctx.spec.name, id));
    const vault = new keyvault.Vault(
        n(ctx, "vault"),
        {
            ...placement(ctx),
            vaultName: name,
            properties: {
                tenantId,
                sku: { family: "A", name: "standard" },
                // Access by Azure RBAC, which (unlike access policies) can be scoped to one secret.
                enableRbacAuthorization: true,
                enabledForDeployment: false,
                enabledForDiskEncryption: false,
                enabledForTemplateDeployment: false,
                enableSoftDelete: true,
                // The shortest soft-delete window: a destroyed stack's name is free again after 7 days (or a purge).
                softDeleteRetentionInDays: 7,
                publicNetworkAccess: "Enabled",
                // Data-plane reads only from the nodes' subnet (service endpoint). Pulumi writes
                // secrets through Resource Manager, which this firewall does not apply to.
                networkAcls: { defaultAction: "Deny", bypass: "None", ipRules: [], virtualNetworkRules: [{ id: subnetId, ignoreMissingVnetServiceEndpoint: false }] },
            },
        },
        { parent: ctx.parent },
    );
    // The derived name, as an output of the vault: readers of it (secrets, node scripts) come after the vault.
    return { vault, name: pulumi.all([vault.id, name]).apply(([, vaultName]) => vaultName) };
}

/** One reader's secret (the `secretsScript` text of its files) and its identity's read permission on it. */
export function createSecretReader(
    ctx: AzureContext,
    vault: AzureVault,
    role: string,
    secretName: string,
    files: pulumi.Output<NodeFile[]>,
    identity: managedidentity.UserAssignedIdentity,
): SecretReader {
    const value = pulumi.secret(
        files.apply((f) => {
            const script = secretsScript(role, f);
            const size = Buffer.byteLength(script, "utf8");
            if (size > SECRET_VALUE_LIMIT_BYTES) throw new Error(`the ${role} secrets are ${size} bytes, above Key Vault's 25 KiB per secret`);
            return script;
        }),
    );
    const secret = new keyvault.Secret(
        n(ctx, "secret", secretName),
        {
            resourceGroupName: ctx.resourceGroupName,
            vaultName: vault.name,
            secretName,
            properties: { value, contentType: "text/x-shellscript", attributes: { enabled: true } },
            tags: placement(ctx, role).tags,
        },
        { parent: ctx.parent },
    );
    const reader = new authorization.RoleAssignment(
        n(ctx, "secret", secretName, "reader"),
        {
            principalId: identity.principalId,
            // Known to be a service principal: no wait for directory replication of a new identity.
            principalType: "ServicePrincipal",
            roleDefinitionId: ctx.resourceGroup.id.apply((id) => roleDefinitionId(id, KEY_VAULT_SECRETS_USER_ROLE)),
            // Scoped to this one secret: a reader cannot list or read any other.
            scope: secret.id,
            description: `hacluster ${ctx.spec.name}: ${role} machines read their secret ${secretName}`,
        },
        { parent: ctx.parent },
    );
    return { identity, secretName, ready: [secret, reader] };
}
