/**
 * What each Azure machine boots with (pure: no Pulumi, no provider): the node script from the
 * shared renderers (render/node.ts) with the Key Vault fetch in front, wrapped as cloud-init and
 * base64-encoded as `customData`. The component only feeds in values that exist once resources
 * do (the CA hash, the Key Vault's name, the identities' ids, the public IP) and puts the result
 * on VMs and scale sets. Custom data never holds a secret: only where to read it.
 *
 * Machines that hold an etcd member also get where to upload their snapshots (`backup`: the
 * stack's storage account and container, written with the machine's own identity); worker
 * pools never do.
 */
import type { ClusterSpec } from "../../config/spec";
import { addressAt, OFFSET } from "../../config/placement";
import { gzipUserDataBase64, renderCloudInit, userDataSize } from "../render/cloudinit";
import { etcdScript, initScript, joinScript, type KubeNodeScriptInput } from "../render/node";
import { controlPlaneSecretPaths, etcdMemberInputFor, etcdRelease, kubeadmClusterInput, prepareInput, withBackup, type BackupStoreFor } from "../scripts";
import { azureFetchSecrets } from "../render/secrets-azure";
import type { PoolPlacement, Topology, TopologyNode } from "../topology";

/** The join token's lifetime at init; the control planes' refresh timer keeps it valid afterwards. */
export const TOKEN_TTL = "2h0m0s";
/** Cloud nodes boot in any order: joins wait for the endpoint and retry more than on-prem. */
export const JOIN_ATTEMPTS = 10;
/** Azure's custom data limit: 64 KiB (decoded). */
export const CUSTOM_DATA_LIMIT_BYTES = 65535;

/** Secret names in the Key Vault, one per reader: control planes, workers, each external etcd member. */
export const CONTROL_PLANE_SECRET = "control-plane";
export const WORKER_SECRET = "workers";
export function etcdSecretName(member: string): string {
    return `etcd-${member.replace(/^etcd-/, "")}`;
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

/** The snapshot upload of one machine: with its identity (ARM id), objects under the member's name. */
export function azureBlobStore(target: BackupTarget, identityId: string): BackupStoreFor {
    return (prefix) => ({ kind: "azureBlob", account: target.account, container: target.container, prefix, identity: { resourceId: identityId } });
}

/**
 * The internal load balancer's fixed frontend address (offset 5 of the regional subnet). The
 * topology leaves `endpoint.address` out when `cloud.publicEndpoint` is set; Azure keeps the
 * internal load balancer for the nodes then too (a public frontend is for clients outside).
 */
export function internalEndpointAddress(topo: Topology): string {
    return topo.endpoint.address ?? addressAt(topo.subnets[0].cidr, OFFSET.endpoint);
}

/** The root-only files control planes require before kubeadm runs (besides the token). */
export const controlPlaneSecretFiles = controlPlaneSecretPaths;

/**
 * The cluster-wide part of every kubeadm config. The certificate names the internal frontend
 * address and `extraSANs` (the public IP, known once it exists).
 */
export function kubeadmCluster(spec: ClusterSpec, topo: Topology, extraSANs: readonly string[] = []) {
    return kubeadmClusterInput(spec, topo, [internalEndpointAddress(topo), ...extraSANs]);
}

function base(spec: ClusterSpec, topo: Topology, secretName: string, source: SecretSource) {
    return {
        prepare: prepareInput(spec),
        endpointHost: topo.endpoint.host,
        // Joining nodes reach the endpoint name through the internal load balancer's fixed address.
        endpointAddress: internalEndpointAddress(topo),
        ...(spec.kubernetes.cniManifestUrl ? { cniManifestUrl: spec.kubernetes.cniManifestUrl } : {}),
        fetchSecrets: azureFetchSecrets({ vaultName: source.vaultName, secretName, identity: { resourceId: source.identityId } }),
    } satisfies Partial<KubeNodeScriptInput>;
}

/** Snapshot settings of an etcd-holding node; with `backup`, each snapshot is uploaded there with `source`'s identity. */
function backupOf(spec: ClusterSpec, topo: Topology, node: TopologyNode, source: SecretSource, backup?: BackupTarget) {
    return withBackup(spec, topo, node, backup ? azureBlobStore(backup, source.identityId) : undefined);
}

/**
 * The first control plane: `kubeadm init`. `extraSANs`: the public IP with `cloud.publicEndpoint`.
 * `backup`: where snapshots go (used with stacked etcd only: then the control planes hold etcd).
 */
export function initNodeScript(spec: ClusterSpec, topo: Topology, node: TopologyNode, source: SecretSource, extraSANs: readonly string[], backup?: BackupTarget): string {
    return initScript({
        ...base(spec, topo, CONTROL_PLANE_SECRET, source),
        node: node.name,
        zone: node.zone,
        kubeadm: { ...kubeadmCluster(spec, topo, extraSANs), node: { name: node.name, address: node.address }, role: { kind: "init", tokenTtl: TOKEN_TTL } },
        ...backupOf(spec, topo, node, source, backup),
        secretFiles: controlPlaneSecretFiles(spec),
    });
}

/**
 * Another control plane: waits for the endpoint, then joins. Its API server certificate gets the
 * SANs of the cluster's ClusterConfiguration, which `kubeadm init` uploaded (the public IP too).
 */
export function joinControlPlaneScript(spec: ClusterSpec, topo: Topology, node: TopologyNode, source: SecretSource, caCertHash: string, backup?: BackupTarget): string {
    return joinScript({
        ...base(spec, topo, CONTROL_PLANE_SECRET, source),
        node: node.name,
        zone: node.zone,
        kubeadm: { ...kubeadmCluster(spec, topo), node: { name: node.name, address: node.address }, role: { kind: "join-control-plane", caCertHash } },
        ...backupOf(spec, topo, node, source, backup),
        secretFiles: controlPlaneSecretFiles(spec),
        waitForEndpoint: true,
        joinAttempts: JOIN_ATTEMPTS,
    });
}

/**
 * Every instance of a worker pool: one script, so no node name or address in it (kubeadm takes
 * the host name the scale set gives). Its header names the pool: one `nodes/<pool>/` in the synth.
 */
export function poolScript(spec: ClusterSpec, topo: Topology, pool: PoolPlacement, source: SecretSource, caCertHash: string): string {
    return joinScript({
        ...base(spec, topo, WORKER_SECRET, source),
        node: pool.name,
        zone: pool.zones.join(","),
        kubeadm: { ...kubeadmCluster(spec, topo), node: { labels: pool.labels }, role: { kind: "join-worker", caCertHash } },
        secretFiles: [],
        waitForEndpoint: true,
        joinAttempts: JOIN_ATTEMPTS,
    });
}

/** An external etcd member: reads its own secret (its own server/peer key) only; uploads its snapshots to `backup`. */
export function etcdNodeScript(spec: ClusterSpec, topo: Topology, node: TopologyNode, source: SecretSource, backup?: BackupTarget): string {
    return etcdScript({
        node: node.name,
        zone: node.zone,
        etcd: etcdRelease(spec),
        fetchSecrets: azureFetchSecrets({ vaultName: source.vaultName, secretName: etcdSecretName(node.name), identity: { resourceId: source.identityId } }),
        member: etcdMemberInputFor(spec, topo, node),
        ...backupOf(spec, topo, node, source, backup),
    });
}

/**
 * `customData` as Azure takes it (base64): the cloud-config, plain when it fits Azure's 64 KiB,
 * else gzip (cloud-init decompresses it). Throws when even gzip does not fit.
 */
export function customData(script: string, what: string): string {
    const text = renderCloudInit({ script });
    if (userDataSize(text) <= CUSTOM_DATA_LIMIT_BYTES) return Buffer.from(text, "utf8").toString("base64");
    const gz = gzipUserDataBase64(text);
    if (Buffer.from(gz, "base64").length > CUSTOM_DATA_LIMIT_BYTES) {
        throw new Error(`custom data of ${what} is ${userDataSize(text)} bytes, above Azure's 64 KiB limit even gzipped`);
    }
    return gz;
}
