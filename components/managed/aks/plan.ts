/**
 * AKS decisions that need no resource (pure, unit tested): agent pool names, built-in role ids,
 * the cluster DNS address, the Key Vault name. What AKS cannot run is refused by config
 * validation (config/validate-managed.ts).
 */
import { nthAddress } from "../../../config/net";
import type { ManagedClusterSpec } from "../../../config/spec";

/** The inline system pool's name and the agent pool name of a pool (config/provider-names.ts, where validation checks them). */
export { AKS_SYSTEM_POOL as SYSTEM_POOL, aksPoolName } from "../../../config/provider-names";

/** Built-in Azure role definition GUIDs (the same in every tenant). */
export const ROLES = {
    networkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
    keyVaultCryptoUser: "12338af0-0e69-4776-bea7-57ae8d297424",
} as const;

/** A built-in role's definition id in a subscription; undefined while the subscription is not known (offline). */
export function roleDefinitionId(subscriptionId: string | undefined, role: string): string | undefined {
    return subscriptionId ? `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${role}` : undefined;
}

/** CoreDNS's service address: the tenth address of the service range (kubeadm's choice too). */
export function aksDnsServiceIp(serviceSubnet: string): string {
    return nthAddress(serviceSubnet, 10);
}

/**
 * A Key Vault name (3–24 letters, digits, single hyphens, globally unique): the cluster name
 * cut to fit, `-kms-`, and a random suffix, so a re-created stack does not collide with the
 * soft-deleted vault of the previous one (purge protection keeps it 90 days).
 */
export function keyVaultName(cluster: string, suffix: string): string {
    let base = cluster.replace(/-+/g, "-").slice(0, 24 - 5 - suffix.length).replace(/-+$/, "");
    if (!/^[a-z]/.test(base)) base = `k${base}`.slice(0, 24 - 5 - suffix.length).replace(/-+$/, "");
    return `${base}-kms-${suffix}`;
}

/** Entra ID integration is on when Azure RBAC is wanted or admin groups are listed. */
export function aksEntra(spec: ManagedClusterSpec): boolean {
    return spec.managed.azureRbac || spec.managed.adminPrincipals.length > 0;
}

/** System pool size: a node per zone in profile `ha` (CoreDNS and friends survive a zone), else one. */
export function aksSystemCount(spec: ManagedClusterSpec): number {
    return spec.profile === "ha" ? Math.max(spec.cloud.zones.length, 1) : 1;
}
