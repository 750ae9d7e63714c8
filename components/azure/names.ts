/**
 * Azure names and resource ids (pure). Pulumi names come from `childName`; the Azure name of a
 * resource is the same text, shortened deterministically where Azure's limit is tighter, so every
 * name is known before anything exists and two clusters never collide.
 *
 * Ids of sub-resources (a load balancer's frontend, pool and probe) and of built-in role
 * definitions are built from the resource group's id (`/subscriptions/<id>/resourceGroups/<rg>`),
 * so the program needs no provider function call to learn the subscription.
 */
import { createHash } from "node:crypto";
import { VAULT_NAME_RE } from "../render/secrets-azure";

/** Azure's length limits of the names this platform sets. */
export const NAME_LIMITS = {
    resourceGroup: 90,
    virtualNetwork: 64,
    subnet: 80,
    networkSecurityGroup: 80,
    applicationSecurityGroup: 80,
    publicIp: 80,
    natGateway: 80,
    loadBalancer: 80,
    networkInterface: 80,
    virtualMachine: 64,
    /** Linux host names (`computerName`). */
    computerName: 64,
    scaleSet: 64,
    /** Linux `computerNamePrefix` of a scale set (Azure appends the instance suffix). */
    computerNamePrefix: 50,
    identity: 128,
    keyVault: 24,
    secret: 127,
    /** Storage accounts: 3–24 lower-case letters and digits, globally unique. */
    storageAccount: 24,
} as const;

/** "Key Vault Secrets User": read secret contents (a built-in role, same GUID in every tenant). */
export const KEY_VAULT_SECRETS_USER_ROLE = "4633458b-17de-408a-b874-0445c86b69e6";
/** "Storage Blob Data Contributor": read, write and delete blobs (not blob versions, not the account). */
export const STORAGE_BLOB_DATA_CONTRIBUTOR_ROLE = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";

/** A storage account name as Azure takes it. */
export const STORAGE_ACCOUNT_NAME_RE = /^[a-z0-9]{3,24}$/;

function shortHash(text: string, length: number): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/**
 * `name` if it fits `max`, else its first characters and a 6-character hash of the whole, so
 * shortened names stay unique and stable: `prod-eu-west-…-3f9a1c`.
 */
export function fitName(name: string, max: number): string {
    if (name.length <= max) return name;
    if (max < 8) throw new RangeError(`cannot shorten ${JSON.stringify(name)} to ${max} characters`);
    const head = name.slice(0, max - 7).replace(/-+$/, "");
    return `${head}-${shortHash(name, 6)}`;
}

/**
 * The Key Vault's name: globally unique in Azure and 3–24 characters, so it is the cluster name
 * (cut to 15) and 8 hex digits of a hash of the resource group's id (which holds the
 * subscription) and the cluster name. Deterministic: the same cluster in the same resource group
 * always gets the same vault, another subscription or resource group another one.
 */
export function vaultName(cluster: string, resourceGroupId: string): string {
    let head = cluster.toLowerCase().replace(/[^a-z0-9-]/g, "").replace(/-{2,}/g, "-").slice(0, 15).replace(/-+$/, "");
    if (!/^[a-z]/.test(head)) head = `kv${head}`.slice(0, 15).replace(/-+$/, "");
    const name = `${head}-${shortHash(`${resourceGroupId.toLowerCase()}|${cluster}`, 8)}`;
    if (!VAULT_NAME_RE.test(name)) throw new Error(`internal: derived Key Vault name ${JSON.stringify(name)} is invalid`);
    return name;
}

/**
 * The etcd backup storage account's name: globally unique in Azure, 3–24 lower-case letters and
 * digits, so it is the cluster name's letters and digits (cut to 12), `etcd`, and 8 hex digits of
 * a hash of the resource group's id (which holds the subscription) and the cluster name — the
 * same scheme as {@link vaultName}. Deterministic (known before the account exists, stable across
 * runs, so a plan never replaces the account), and another subscription or resource group gets
 * another name. azure-native would auto-name `accountName` from the Pulumi name and a random
 * suffix, but that name keeps the Pulumi name's hyphens (invalid here) and is known only after
 * creation; the node scripts need it in their custom data.
 */
export function storageAccountName(cluster: string, resourceGroupId: string): string {
    const head = cluster.toLowerCase().replace(/[^a-z0-9]/g, "").slice(0, 12);
    const name = `${head}etcd${shortHash(`${resourceGroupId.toLowerCase()}|${cluster}|etcd-backups`, 8)}`;
    if (!STORAGE_ACCOUNT_NAME_RE.test(name) || name.length > NAME_LIMITS.storageAccount) throw new Error(`internal: derived storage account name ${JSON.stringify(name)} is invalid`);
    return name;
}

/** The subscription part (`/subscriptions/<id>`) of a resource id; the id itself when it has none. */
function subscriptionScope(resourceId: string): string {
    const m = /^\/subscriptions\/[^/]+/i.exec(resourceId);
    return m ? m[0] : resourceId.split(/\/resourceGroups\//i)[0];
}

/** A built-in role definition's id in the subscription of `resourceId` (the form Azure returns). */
export function roleDefinitionId(resourceId: string, roleGuid: string): string {
    return `${subscriptionScope(resourceId)}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`;
}

/** Id of a load balancer named `lbName` in the resource group `resourceGroupId`. */
export function loadBalancerId(resourceGroupId: string, lbName: string): string {
    return `${resourceGroupId}/providers/Microsoft.Network/loadBalancers/${lbName}`;
}

/** Id of a load balancer's child (`frontendIPConfigurations`, `backendAddressPools`, `probes`). */
export function loadBalancerChildId(lbId: string, kind: "frontendIPConfigurations" | "backendAddressPools" | "probes", child: string): string {
    return `${lbId}/${kind}/${child}`;
}
