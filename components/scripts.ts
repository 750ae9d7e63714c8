/**
 * The one place spec + topology become node scripts. Every platform shares the mapping to the
 * renderers' inputs (the cluster-wide kubeadm settings, etcd backups for a member); every cloud
 * gets its init, join, pool and etcd scripts from {@link cloudNodeScript}, passing only what is
 * its own: how a machine reads its secrets, where it sends the endpoint name before it has
 * joined, extra certificate names, and where etcd snapshots go.
 */
import type { ClusterSpec, SelfManagedCloudSpec } from "../config/spec";
import { renderBackupUpload, type BackupStore } from "./render/backup-store";
import { controlPlaneSecretPaths as secretPaths } from "./pki/paths";
import { ETCD_DEFAULTS, type EtcdMemberInput } from "./render/etcd";
import type { KubeadmClusterInput } from "./render/kubeadm";
import { KUBEADM_PAUSE, packageRepo, upstreamContainerd, upstreamRunc, type PrepareInput } from "./render/prepare";
import { ETCD_PKI_DIR } from "./render/paths";
import { etcdBackupFor, etcdScript, initScript, joinScript, upstreamEtcd, type EtcdRelease, type KubeNodeScriptInput, type NodeBackup } from "./render/node";
import type { PoolPlacement, Topology, TopologyNode } from "./topology";

/** The cluster-wide part of every kubeadm config. `extraSANs`: names known once resources exist. */
export function kubeadmClusterInput(spec: ClusterSpec, topo: Topology, extraSANs: readonly string[] = []): KubeadmClusterInput {
    return {
        clusterName: spec.name,
        kubernetesVersion: spec.kubernetes.version,
        minor: spec.kubernetes.minor,
        controlPlaneEndpoint: topo.endpoint.controlPlaneEndpoint,
        certSANs: [...new Set([...topo.endpoint.certSANs, ...extraSANs.filter((s) => s !== "")])],
        podSubnet: spec.kubernetes.podSubnet,
        serviceSubnet: spec.kubernetes.serviceSubnet,
        dnsDomain: spec.kubernetes.dnsDomain,
        etcd:
            spec.etcd.topology === "stacked"
                ? { kind: "stacked", heartbeatIntervalMs: spec.etcd.heartbeatIntervalMs, electionTimeoutMs: spec.etcd.electionTimeoutMs }
                : { kind: "external", endpoints: topo.etcd.map((e) => `https://${e.address}:${ETCD_DEFAULTS.clientPort}`) },
        apiServerExtraArgs: spec.kubernetes.apiServerExtraArgs,
        maxPods: spec.kubernetes.maxPodsPerNode,
        nodeCidrs: [spec.network.nodeCidr],
        ...(spec.mirror.images ? { imageRepository: spec.mirror.images.repository } : {}),
        ...(spec.nodes.cgroupV1 ? { cgroupV1: true } : {}),
        ...(spec.nodes.systemContainers ? { systemContainer: true } : {}),
    };
}

/**
 * What every Kubernetes node installs before kubeadm, and from where: the stack's mirror for each
 * kind it names, upstream for the others.
 */
export function prepareInput(spec: ClusterSpec): PrepareInput {
    const m = spec.mirror;
    const rt = spec.containerRuntime;
    const minor = spec.kubernetes.minor;
    const registry = m.images?.repository;
    return {
        kubernetesVersion: spec.kubernetes.version,
        minor,
        packages: { url: packageRepo(minor, m.packages?.url), ...(m.packages?.signingKey ? { signingKey: m.packages.signingKey } : {}) },
        containerd: { version: rt.containerdVersion, download: m.containerd ?? upstreamContainerd(rt.containerdVersion) },
        runc: { version: rt.runcVersion, download: m.runc ?? upstreamRunc(rt.runcVersion) },
        sandboxImage: `${registry ?? "registry.k8s.io"}/pause:${KUBEADM_PAUSE}`,
        ...(m.images ? { registry: { host: m.images.repository.split("/")[0], insecure: m.images.insecure, ...(m.images.caCert ? { caCert: m.images.caCert } : {}) } } : {}),
        systemContainer: spec.nodes.systemContainers,
    };
}

/** The etcd release the cluster runs, from the mirror when it names one. */
export function etcdRelease(spec: ClusterSpec): EtcdRelease {
    return { version: spec.etcd.version, download: spec.mirror.etcd ?? upstreamEtcd(spec.etcd.version) };
}

/**
 * etcd snapshots for a node that holds a member: every control plane with stacked etcd, every
 * external member; undefined for any other node.
 */
function etcdBackup(spec: ClusterSpec, topo: Topology, node: TopologyNode, store?: BackupStoreFor): NodeBackup | undefined {
    const kind = spec.etcd.topology;
    const holds = kind === "stacked" ? node.role === "control-plane" : node.role === "etcd";
    if (!holds) return undefined;
    const members = topo.etcdMembers.map((m) => ({ name: m.name, address: m.address }));
    return etcdBackupFor(kind, node, members, {
        ...spec.etcd.backup,
        etcd: etcdRelease(spec),
        clusterToken: `${spec.name}-etcd`,
        ...(store ? { upload: renderBackupUpload(store(node.name)) } : {}),
    });
}

/** The root-only files a control plane must hold before kubeadm runs, besides the join token. */
export function controlPlaneSecretPaths(spec: ClusterSpec): string[] {
    return secretPaths(spec.etcd.topology);
}

/** An external etcd member's configuration, as every platform renders it. */
export function etcdMemberInputFor(spec: ClusterSpec, topo: Topology, node: TopologyNode): EtcdMemberInput {
    return {
        ...ETCD_DEFAULTS,
        member: { name: node.name, address: node.address },
        members: topo.etcd.map((e) => ({ name: e.name, address: e.address })),
        clusterToken: `${spec.name}-etcd`,
        pkiDir: ETCD_PKI_DIR,
        heartbeatIntervalMs: spec.etcd.heartbeatIntervalMs,
        electionTimeoutMs: spec.etcd.electionTimeoutMs,
    };
}

/**
 * The stack's object store for one member's snapshots (clouds), given the object prefix (the
 * member's name): each platform builds it from the bucket it created.
 */
export type BackupStoreFor = (prefix: string) => BackupStore;

/** Backup settings for a node script, when the node holds an etcd member; `store`: upload each snapshot there. */
export function withBackup(spec: ClusterSpec, topo: Topology, node: TopologyNode, store?: BackupStoreFor): { backup?: NodeBackup } {
    const backup = etcdBackup(spec, topo, node, store);
    return backup ? { backup } : {};
}

// ---------------------------------------------------------------------------------------------
// Cloud machines

/** Cloud nodes boot in any order: joins wait for the endpoint and retry more than on-prem. */
const CLOUD_JOIN_ATTEMPTS = 10;

/** Whose secret a machine reads at boot: its role's, or (an external etcd member) its own. */
export type SecretReader = { readonly kind: "control-plane" } | { readonly kind: "worker" } | { readonly kind: "etcd"; readonly member: string };

/** A reader's role name: `control-plane`, `worker` or the etcd member's name. */
export function readerName(reader: SecretReader): string {
    return reader.kind === "etcd" ? reader.member : reader.kind;
}

/** What a cloud machine is about to do, as far as reaching the endpoint goes. */
type EndpointUse = "init" | "join-control-plane" | "join-worker";

/** What one cloud passes to get its node scripts: only what differs between clouds. */
export interface CloudNodes {
    readonly spec: SelfManagedCloudSpec;
    readonly topo: Topology;
    /** The bash that puts a reader's secret files in place, read with the machine's own identity. */
    readonly fetchSecrets: (reader: SecretReader) => string;
    /**
     * Where a node sends the endpoint name before it has joined (an /etc/hosts line); undefined
     * when DNS answers for the name.
     */
    readonly endpointAddress: (use: EndpointUse) => string | undefined;
    /** Names every API server certificate carries besides the topology's (a fixed frontend address). @default [] */
    readonly certSANs?: readonly string[];
    /** Where nodes holding an etcd member upload their snapshots. */
    readonly backups?: BackupStoreFor;
}

/** One cloud machine (or a worker pool's template) to script. */
export type CloudNode =
    /** The first control plane: `kubeadm init`; `extraSANs` are names known once resources exist. */
    | { readonly kind: "init"; readonly node: TopologyNode; readonly extraSANs: readonly string[] }
    /** Another control plane: waits for the endpoint, then joins (the SANs come from the cluster). */
    | { readonly kind: "join-control-plane"; readonly node: TopologyNode; readonly caCertHash: string }
    /**
     * Every instance of a worker pool: one script, so no node name or address in it (kubeadm takes
     * the hostname). Its header names the pool, so the synth writes one `nodes/<pool>/` entry.
     */
    | { readonly kind: "pool"; readonly pool: PoolPlacement; readonly caCertHash: string }
    /** An external etcd member: reads its own secret (its own server/peer key) only. */
    | { readonly kind: "etcd"; readonly node: TopologyNode };

/** The node script of one cloud machine: the shared renderers, fed what `cloud` says. */
export function cloudNodeScript(cloud: CloudNodes, target: CloudNode): string {
    const { spec, topo } = cloud;
    const kube = (reader: SecretReader, use: EndpointUse) => {
        const address = cloud.endpointAddress(use);
        return {
            prepare: prepareInput(spec),
            endpointHost: topo.endpoint.host,
            ...(address ? { endpointAddress: address } : {}),
            ...(spec.kubernetes.cniManifestUrl ? { cniManifestUrl: spec.kubernetes.cniManifestUrl } : {}),
            fetchSecrets: cloud.fetchSecrets(reader),
        } satisfies Partial<KubeNodeScriptInput>;
    };
    const controlPlane = { kind: "control-plane" } as const;
    const sans = cloud.certSANs ?? [];
    switch (target.kind) {
        case "init": {
            const { node } = target;
            return initScript({
                ...kube(controlPlane, "init"),
                node: node.name,
                zone: node.zone,
                kubeadm: {
                    ...kubeadmClusterInput(spec, topo, [...sans, ...target.extraSANs]),
                    node: { name: node.name, address: node.address },
                    role: { kind: "init" },
                },
                ...withBackup(spec, topo, node, cloud.backups),
                secretFiles: controlPlaneSecretPaths(spec),
            });
        }
        case "join-control-plane": {
            const { node } = target;
            return joinScript({
                ...kube(controlPlane, "join-control-plane"),
                node: node.name,
                zone: node.zone,
                kubeadm: {
                    ...kubeadmClusterInput(spec, topo, sans),
                    node: { name: node.name, address: node.address },
                    role: { kind: "join-control-plane", caCertHash: target.caCertHash },
                },
                ...withBackup(spec, topo, node, cloud.backups),
                secretFiles: controlPlaneSecretPaths(spec),
                waitForEndpoint: true,
                joinAttempts: CLOUD_JOIN_ATTEMPTS,
            });
        }
        case "pool": {
            const { pool } = target;
            return joinScript({
                ...kube({ kind: "worker" }, "join-worker"),
                node: pool.name,
                zone: pool.zones.join(","),
                // No name or address: every instance shares the config. The pool's labels go to the kubelet.
                kubeadm: { ...kubeadmClusterInput(spec, topo, sans), node: { labels: pool.labels }, role: { kind: "join-worker", caCertHash: target.caCertHash } },
                secretFiles: [],
                waitForEndpoint: true,
                joinAttempts: CLOUD_JOIN_ATTEMPTS,
            });
        }
        case "etcd": {
            const { node } = target;
            return etcdScript({
                node: node.name,
                zone: node.zone,
                etcd: etcdRelease(spec),
                fetchSecrets: cloud.fetchSecrets({ kind: "etcd", member: node.name }),
                member: etcdMemberInputFor(spec, topo, node),
                ...withBackup(spec, topo, node, cloud.backups),
            });
        }
        default: {
            const never: never = target;
            throw new Error(`unknown cloud node ${JSON.stringify(never)}`);
        }
    }
}
