/**
 * AKS decisions that need no resource (pure, unit tested): agent pool names, built-in role ids,
 * the cluster DNS address, the Key Vault name, and the checks a spec must pass first.
 */
import { nthAddress } from "../../../config/net";
import type { ManagedClusterSpec } from "../../../config/spec";

/** The inline system pool's name; user pools may not take it. */
export const SYSTEM_POOL = "system";

/**
 * AKS agent pool names are 1–12 lowercase letters and digits starting with a letter: the
 * pool's DNS label without hyphens, cut to 12 (`general-purpose` → `generalpurpo`).
 */
export function aksPoolName(pool: string): string {
    let n = pool.replace(/[^a-z0-9]/g, "");
    if (!/^[a-z]/.test(n)) n = `p${n}`;
    return n.slice(0, 12);
}

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

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Everything that makes a spec impossible on AKS, as `<path>: <problem>. Fix: <fix>` lines. */
export function aksProblems(spec: ManagedClusterSpec): string[] {
    const problems: string[] = [];
    const seen = new Map<string, string>([[SYSTEM_POOL, "the system pool"]]);
    spec.workers.pools.forEach((p, i) => {
        const n = aksPoolName(p.name);
        const other = seen.get(n);
        if (other) {
            problems.push(`cluster.workers.pools[${i}].name: ${JSON.stringify(p.name)} becomes the AKS pool name ${JSON.stringify(n)}, which ${other} already has. Fix: rename the pool so its first 12 letters and digits differ`);
        }
        seen.set(n, `pool ${JSON.stringify(p.name)}`);
    });
    spec.managed.adminPrincipals.forEach((p, i) => {
        if (!GUID.test(p)) {
            problems.push(`cluster.managed.adminPrincipals[${i}]: AKS admins are Entra ID group object ids (got ${JSON.stringify(p)}). Fix: write the group's object id, e.g. 00000000-0000-0000-0000-000000000000`);
        }
    });
    return problems;
}
