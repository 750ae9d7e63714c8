/**
 * AKS identities and the secrets key: a user-assigned identity for the control plane (created
 * before the cluster, so its rights exist when AKS first needs them), Network Contributor on the
 * node subnet (load balancers, node NICs), and KMS etcd encryption with a Key Vault key the
 * identity may use (Key Vault Crypto User, RBAC-authorised vault with purge protection).
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as pulumi from "@pulumi/pulumi";
import { RandomString } from "@pulumi/random/randomString";
import type { ManagedClusterSpec } from "../../../config/spec";
import { childName } from "../../naming";
import { keyVaultName, roleDefinitionId, ROLES } from "./plan";

export interface AksIdentity {
    readonly identity: managedidentity.UserAssignedIdentity;
    /** The key's versioned URI, for `securityProfile.azureKeyVaultKms.keyId`. */
    readonly kmsKeyId: pulumi.Output<string>;
    /** What the cluster needs before it is created (the identity's rights). */
    readonly clusterReady: pulumi.Resource[];
}

export function aksIdentity(
    parent: pulumi.Resource,
    name: string,
    spec: ManagedClusterSpec,
    resourceGroupName: pulumi.Input<string>,
    subnetId: pulumi.Input<string>,
    tags: Record<string, string>,
): AksIdentity {
    const location = spec.cloud.region;
    const opts = { parent };
    // Subscription and tenant are not in the config: the provider's own client config has them.
    const client = authorization.getClientConfigOutput({ parent });
    const identity = new managedidentity.UserAssignedIdentity(childName(name, "identity"), { resourceGroupName, location, resourceName: `${spec.name}-control-plane`, tags }, opts);
    const grant = (what: string, role: string, scope: pulumi.Input<string>) =>
        new authorization.RoleAssignment(
            childName(name, "identity", what),
            {
                principalId: identity.principalId,
                principalType: "ServicePrincipal",
                roleDefinitionId: client.apply((c) => roleDefinitionId(c?.subscriptionId, role)) as pulumi.Output<string>,
                scope,
            },
            opts,
        );
    const onSubnet = grant("network", ROLES.networkContributor, subnetId);

    const suffix = new RandomString(childName(name, "kms-suffix"), { length: 6, special: false, upper: false }, opts);
    const vaultName = suffix.result.apply((s) => keyVaultName(spec.name, s));
    const vault = new keyvault.Vault(
        childName(name, "kms"),
        {
            resourceGroupName,
            location,
            vaultName,
            properties: {
                tenantId: client.apply((c) => c?.tenantId) as pulumi.Output<string>,
                sku: { family: "A", name: "standard" },
                enableRbacAuthorization: true,
                enableSoftDelete: true,
                softDeleteRetentionInDays: 90,
                enablePurgeProtection: true,
            },
            tags,
        },
        opts,
    );
    const key = new keyvault.Key(
        childName(name, "kms-key"),
        { resourceGroupName, vaultName: pulumi.all([vault.id, vaultName]).apply(([, n]) => n), keyName: "etcd-secrets", properties: { kty: "RSA", keySize: 2048, keyOps: ["encrypt", "decrypt", "wrapKey", "unwrapKey"] }, tags },
        opts,
    );
    const onVault = grant("kms", ROLES.keyVaultCryptoUser, vault.id);
    return { identity, kmsKeyId: key.keyUriWithVersion, clusterReady: [onSubnet, onVault] };
}
