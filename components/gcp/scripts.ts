/**
 * What each GCP machine boots with (pure: no Pulumi, no provider): the node script from the
 * shared renderers (render/node.ts) with the Secret Manager fetch in front, wrapped as cloud-init
 * user-data (instance metadata `user-data`, which cloud-init reads on Ubuntu's GCE images). The
 * component only feeds in values that exist once resources do (the CA hash, the external load
 * balancer's address) and puts the result on instances and the instance template.
 *
 * Where a node sends the endpoint name before it has joined:
 * - workers: the internal load balancer's fixed address;
 * - joining control planes: the first control plane's address, not the load balancer. GCP's guest
 *   agent routes a passthrough load balancer's address to the backend itself (a local route on
 *   every member of its instance groups), so a joining control plane dialling the load balancer
 *   would reach its own, not yet running, API server. Once joined it answers the name itself.
 */
import type { ClusterSpec } from "../../config/spec";
import { renderCloudInit, userDataSize } from "../render/cloudinit";
import { etcdScript, initScript, joinScript, type KubeNodeScriptInput } from "../render/node";
import { gcpFetchSecrets } from "../render/secrets-gcp";
import { controlPlaneSecretPaths, etcdMemberInputFor, etcdRelease, kubeadmClusterInput, prepareInput, withBackup, type BackupStoreFor } from "../scripts";
import type { PoolPlacement, Topology, TopologyNode } from "../topology";
import { secretId, type GcpRole } from "./names";

/** The join token's lifetime at init; the control planes' refresh timer keeps it valid afterwards. */
export const TOKEN_TTL = "2h0m0s";
/** Cloud nodes boot in any order: joins wait for the endpoint and retry more than on-prem. */
export const JOIN_ATTEMPTS = 10;
/** GCE's limit for one metadata value. */
export const GCE_METADATA_VALUE_LIMIT_BYTES = 256 * 1024;

/** Where nodes reach the API before they have joined (see the file comment). */
export interface EndpointAddresses {
    /** The internal load balancer's fixed address (workers); unset when DNS answers for the endpoint. */
    readonly internal?: string;
    /** The first control plane's address (joining control planes). */
    readonly firstControlPlane: string;
}

/** The bash that reads a role's secret at boot. */
export function fetchSecretsFor(spec: ClusterSpec, role: GcpRole): string {
    return gcpFetchSecrets({ project: spec.cloud!.project!, secretId: secretId(spec.name, role) });
}

function base(spec: ClusterSpec, topo: Topology, role: GcpRole, endpointAddress: string | undefined) {
    return {
        prepare: prepareInput(spec),
        endpointHost: topo.endpoint.host,
        ...(endpointAddress ? { endpointAddress } : {}),
        ...(spec.kubernetes.cniManifestUrl ? { cniManifestUrl: spec.kubernetes.cniManifestUrl } : {}),
        fetchSecrets: fetchSecretsFor(spec, role),
    } satisfies Partial<KubeNodeScriptInput>;
}

/**
 * The first control plane: `kubeadm init`. `extraSANs`: the external load balancer's address, if
 * any. `backups`: the snapshot bucket (used with stacked etcd, where control planes hold members).
 */
export function initNodeScript(spec: ClusterSpec, topo: Topology, node: TopologyNode, addresses: EndpointAddresses, extraSANs: readonly string[], backups: BackupStoreFor): string {
    return initScript({
        ...base(spec, topo, "control-plane", addresses.internal),
        node: node.name,
        zone: node.zone,
        kubeadm: { ...kubeadmClusterInput(spec, topo, extraSANs), node: { name: node.name, address: node.address }, role: { kind: "init", tokenTtl: TOKEN_TTL } },
        ...withBackup(spec, topo, node, backups),
        secretFiles: controlPlaneSecretPaths(spec),
    });
}

/** Another control plane: waits for the first one, then joins (the SANs come from the cluster). */
export function joinControlPlaneScript(spec: ClusterSpec, topo: Topology, node: TopologyNode, addresses: EndpointAddresses, caCertHash: string, backups: BackupStoreFor): string {
    return joinScript({
        ...base(spec, topo, "control-plane", addresses.firstControlPlane),
        node: node.name,
        zone: node.zone,
        kubeadm: { ...kubeadmClusterInput(spec, topo), node: { name: node.name, address: node.address }, role: { kind: "join-control-plane", caCertHash } },
        ...withBackup(spec, topo, node, backups),
        secretFiles: controlPlaneSecretPaths(spec),
        waitForEndpoint: true,
        joinAttempts: JOIN_ATTEMPTS,
    });
}

/**
 * Every instance of a worker pool: one script, so no node name or address in it (kubeadm takes
 * the hostname, the instance name). Its header names the pool, so the synth writes one
 * `nodes/<pool>/` entry. Workers hold no etcd member: no snapshots, nothing about the bucket.
 */
export function poolScript(spec: ClusterSpec, topo: Topology, pool: PoolPlacement, addresses: EndpointAddresses, caCertHash: string): string {
    return joinScript({
        ...base(spec, topo, "worker", addresses.internal),
        node: pool.name,
        zone: pool.zones.join(","),
        // No name or address: every instance shares the config. The pool's labels go to the kubelet.
        kubeadm: { ...kubeadmClusterInput(spec, topo), node: { labels: pool.labels }, role: { kind: "join-worker", caCertHash } },
        secretFiles: [],
        waitForEndpoint: true,
        joinAttempts: JOIN_ATTEMPTS,
    });
}

/** An external etcd member (its own secret: its own server/peer key); its snapshots go to `backups`. */
export function etcdNodeScript(spec: ClusterSpec, topo: Topology, node: TopologyNode, backups: BackupStoreFor): string {
    return etcdScript({
        node: node.name,
        zone: node.zone,
        etcd: etcdRelease(spec),
        fetchSecrets: fetchSecretsFor(spec, node.name as GcpRole),
        member: etcdMemberInputFor(spec, topo, node),
        ...withBackup(spec, topo, node, backups),
    });
}

/** cloud-init user-data for instance metadata; throws when it exceeds GCE's per-value limit. */
export function gceUserData(script: string, what: string): string {
    const text = renderCloudInit({ script });
    const size = userDataSize(text);
    if (size > GCE_METADATA_VALUE_LIMIT_BYTES) throw new Error(`user-data of ${what} is ${size} bytes, above GCE's 256 KiB metadata value limit`);
    return text;
}
