/**
 * The mapping every platform shares from spec + topology to the renderers' inputs: the
 * cluster-wide kubeadm settings, and etcd backups for a member. Platforms add only what is
 * theirs (how secrets arrive, extra SANs known once their load balancer exists).
 */
import type { ClusterSpec } from "../config/spec";
import { renderBackupUpload, type BackupStore } from "./render/backup-store";
import { controlPlaneSecretPaths as secretPaths } from "./pki/paths";
import { ETCD_DEFAULTS, type EtcdMemberInput } from "./render/etcd";
import type { KubeadmClusterInput } from "./render/kubeadm";
import { KUBEADM_PAUSE, packageRepo, upstreamContainerd, upstreamRunc, type PrepareInput } from "./render/prepare";
import { ETCD_PKI_DIR, etcdBackupFor, upstreamEtcd, type EtcdRelease, type NodeBackup } from "./render/node";
import type { Topology, TopologyNode } from "./topology";

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
export function etcdBackup(spec: ClusterSpec, topo: Topology, node: TopologyNode, store?: BackupStoreFor): NodeBackup | undefined {
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
