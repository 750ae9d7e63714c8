/**
 * What is Azure's own in a machine's boot (pure): secrets come from Key Vault with the machine's
 * user-assigned identity (custom data names the vault and identity, never a secret), nodes reach
 * the endpoint name through the internal load balancer's fixed frontend (also a SAN of every API
 * server certificate), and machines holding an etcd member upload snapshots to the stack's blob
 * container with their own identity. The scripts themselves come from the shared builder
 * (../scripts.ts).
 */
import { addressAt, OFFSET } from "../../config/placement";
import type { SelfManagedCloudSpec } from "../../config/spec";
import { azureFetchSecrets } from "../render/secrets-azure";
import type { CloudNodes, SecretReader } from "../scripts";
import type { Topology } from "../topology";

/** Secret names in the Key Vault, one per reader: control planes, workers, each external etcd member. */
export const CONTROL_PLANE_SECRET = "control-plane";
export const WORKER_SECRET = "workers";
export function etcdSecretName(member: string): string {
    return `etcd-${member.replace(/^etcd-/, "")}`;
}

function secretNameOf(reader: SecretReader): string {
    switch (reader.kind) {
        case "control-plane":
            return CONTROL_PLANE_SECRET;
        case "worker":
            return WORKER_SECRET;
        case "etcd":
            return etcdSecretName(reader.member);
    }
}

/** Where a node reads its secrets: the vault and the ARM id of the identity allowed to. */
export interface SecretSource {
    readonly vaultName: string;
    readonly identityId: string;
}

/** The blob container every etcd member uploads its snapshots to (objects `<member>/etcd-<time>.db`). */
export const ETCD_BACKUP_CONTAINER = "etcd-snapshots";

/** Where etcd-holding machines upload their snapshots: the stack's storage account and container. */
export interface BackupTarget {
    readonly account: string;
    readonly container: string;
}

/**
 * The internal load balancer's fixed frontend address (offset 5 of the regional subnet). The
 * topology leaves `endpoint.address` out when `cloud.publicEndpoint` is set; Azure keeps the
 * internal load balancer for the nodes then too (a public frontend is for clients outside).
 */
export function internalEndpointAddress(topo: Topology): string {
    return topo.endpoint.address ?? addressAt(topo.subnets[0].cidr, OFFSET.endpoint);
}

/** Azure's part of the node scripts of machines reading with `source`; `backup`: where their snapshots go. */
export function azureNodes(spec: SelfManagedCloudSpec, topo: Topology, source: SecretSource, backup?: BackupTarget): CloudNodes {
    const identity = { resourceId: source.identityId };
    const internal = internalEndpointAddress(topo);
    return {
        spec,
        topo,
        fetchSecrets: (reader) => azureFetchSecrets({ vaultName: source.vaultName, secretName: secretNameOf(reader), identity }),
        // Joining nodes reach the endpoint name through the internal load balancer's fixed address.
        endpointAddress: () => internal,
        certSANs: [internal],
        ...(backup ? { backups: (prefix) => ({ kind: "azureBlob", account: backup.account, container: backup.container, prefix, identity }) } : {}),
    };
}
