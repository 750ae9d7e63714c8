/**
 * What each AWS machine boots with (pure: no Pulumi, no provider): the node script from the
 * shared renderers (render/node.ts) with the Secrets Manager fetch in front, wrapped as
 * cloud-init user-data. The component only feeds in values that exist once resources do (the
 * CA hash, the NLB's DNS name) and puts the result on instances and launch templates.
 */
import type { ClusterSpec } from "../../config/spec";
import { EC2_USER_DATA_LIMIT_BYTES, gzipUserDataBase64, renderCloudInit, userDataSize } from "../render/cloudinit";
import { controlPlaneSecretPaths, etcdMemberInputFor, etcdRelease, kubeadmClusterInput, prepareInput, withBackup, type BackupStoreFor } from "../scripts";
import { etcdScript, initScript, joinScript, type KubeNodeScriptInput } from "../render/node";
import { awsFetchSecrets } from "../render/secrets-aws";
import type { PoolPlacement, Topology, TopologyNode } from "../topology";

/** The join token's lifetime at init; the control planes' refresh timer keeps it valid afterwards. */
export const TOKEN_TTL = "2h0m0s";
/** Cloud nodes boot in any order: joins wait for the endpoint and retry more than on-prem. */
export const JOIN_ATTEMPTS = 10;

/** Secret roles: each reads only its own secret. */
export type SecretRole = "control-plane" | "worker" | `etcd-${number}`;

/** Name of a role's secret in Secrets Manager (deterministic, so node scripts name it before it exists). */
export function secretName(cluster: string, role: string): string {
    return `hacluster/${cluster}/${role}`;
}

/** The root-only files control planes require before kubeadm runs (besides the token). */
export const controlPlaneSecretFiles = controlPlaneSecretPaths;

/** The cluster-wide part of every kubeadm config. `extraSANs`: names known only once resources exist (the NLB). */
export const kubeadmCluster = kubeadmClusterInput;

function base(spec: ClusterSpec, topo: Topology, role: SecretRole) {
    return {
        prepare: prepareInput(spec),
        endpointHost: topo.endpoint.host,
        // Only set when the endpoint has a fixed address (kind direct/external); the NLB is found by DNS.
        ...(topo.endpoint.address ? { endpointAddress: topo.endpoint.address } : {}),
        ...(spec.kubernetes.cniManifestUrl ? { cniManifestUrl: spec.kubernetes.cniManifestUrl } : {}),
        fetchSecrets: awsFetchSecrets({ secretId: secretName(spec.name, role), region: spec.cloud!.region }),
    } satisfies Partial<KubeNodeScriptInput>;
}

/**
 * Where an etcd member uploads its snapshots: the stack's bucket, under the member's name, in the
 * cluster's region. Only scripts of nodes holding a member take it (workers never do).
 */
export function s3BackupStore(spec: ClusterSpec, bucket: string): BackupStoreFor {
    return (prefix) => ({ kind: "s3", bucket, region: spec.cloud!.region, prefix });
}

/**
 * The first control plane: `kubeadm init`. `extraSANs`: the NLB's DNS name. `backups`: where its
 * etcd snapshots go (used with stacked etcd only).
 */
export function initNodeScript(spec: ClusterSpec, topo: Topology, node: TopologyNode, extraSANs: readonly string[], backups: BackupStoreFor): string {
    return initScript({
        ...base(spec, topo, "control-plane"),
        node: node.name,
        zone: node.zone,
        kubeadm: { ...kubeadmCluster(spec, topo, extraSANs), node: { name: node.name, address: node.address }, role: { kind: "init", tokenTtl: TOKEN_TTL } },
        ...withBackup(spec, topo, node, backups),
        secretFiles: controlPlaneSecretFiles(spec),
    });
}

/** Another control plane: waits for the endpoint, then joins (the SANs come from the cluster). */
export function joinControlPlaneScript(spec: ClusterSpec, topo: Topology, node: TopologyNode, caCertHash: string, backups: BackupStoreFor): string {
    return joinScript({
        ...base(spec, topo, "control-plane"),
        node: node.name,
        zone: node.zone,
        kubeadm: { ...kubeadmCluster(spec, topo), node: { name: node.name, address: node.address }, role: { kind: "join-control-plane", caCertHash } },
        ...withBackup(spec, topo, node, backups),
        secretFiles: controlPlaneSecretFiles(spec),
        waitForEndpoint: true,
        joinAttempts: JOIN_ATTEMPTS,
    });
}

/**
 * Every instance of a worker pool: one script, so no node name or address in it (kubeadm takes
 * the hostname). Its header names the pool, so the synth writes one `nodes/<pool>/` entry.
 */
export function poolScript(spec: ClusterSpec, topo: Topology, pool: PoolPlacement, caCertHash: string): string {
    return joinScript({
        ...base(spec, topo, "worker"),
        node: pool.name,
        zone: pool.zones.join(","),
        kubeadm: { ...kubeadmCluster(spec, topo), node: { labels: pool.labels }, role: { kind: "join-worker", caCertHash } },
        secretFiles: [],
        waitForEndpoint: true,
        joinAttempts: JOIN_ATTEMPTS,
    });
}

/** An external etcd member (its own secret: its own server/peer key); `backups`: where its snapshots go. */
export function etcdNodeScript(spec: ClusterSpec, topo: Topology, node: TopologyNode, backups: BackupStoreFor): string {
    return etcdScript({
        node: node.name,
        zone: node.zone,
        etcd: etcdRelease(spec),
        fetchSecrets: awsFetchSecrets({ secretId: secretName(spec.name, node.name), region: spec.cloud!.region }),
        member: etcdMemberInputFor(spec, topo, node),
        ...withBackup(spec, topo, node, backups),
    });
}

/** User-data as EC2 takes it: plain (readable in previews) when it fits 16 KiB, else gzip. */
export interface Ec2UserData {
    /** The cloud-config text. */
    readonly text: string;
    /** Base64 of what EC2 receives (launch templates take only base64). */
    readonly base64: string;
    readonly gzipped: boolean;
}

export function ec2UserData(script: string, hostname?: string): Ec2UserData {
    const text = renderCloudInit({ script, ...(hostname ? { hostname } : {}) });
    if (userDataSize(text) <= EC2_USER_DATA_LIMIT_BYTES) return { text, base64: Buffer.from(text, "utf8").toString("base64"), gzipped: false };
    const base64 = gzipUserDataBase64(text);
    if (Buffer.from(base64, "base64").length > EC2_USER_DATA_LIMIT_BYTES) {
        throw new Error(`user-data of ${hostname ?? "a worker pool"} is ${userDataSize(text)} bytes and still above EC2's 16 KiB limit gzipped`);
    }
    return { text, base64, gzipped: true };
}
