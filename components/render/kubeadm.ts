/**
 * kubeadm configuration (pure): InitConfiguration + ClusterConfiguration + KubeletConfiguration
 * for the first control plane, JoinConfiguration (+ KubeletConfiguration) for the others and the
 * workers. Built as objects in the shape of the upstream Go types and serialised with `yaml`.
 * The API version follows the Kubernetes minor: v1beta4 from 1.31, v1beta3 before; the visible
 * difference is that v1beta4 writes `extraArgs` as a list of `{name, value}` and moved
 * `discovery.timeout` to `timeouts.discovery`.
 */
import { stringify } from "yaml";
import { V1BETA4_FROM_MINOR } from "../../config/versions";
import { HARDENING } from "./hardening";
import { JOIN_TOKEN_TTL } from "./join-token";
import type { ClusterConfiguration, ExtraArgs, JoinConfiguration, KubeadmApiVersion, KubeadmDocument, KubeletConfiguration, KubeProxyConfiguration, NodeRegistration } from "./kubeadm-types";
import { ETCD_DATA_DIR, PKI_DIR } from "./paths";

/** Stands in for the bootstrap token in the public config; the node substitutes the secret. */
export const TOKEN_PLACEHOLDER = "@@BOOTSTRAP_TOKEN@@";
/**
 * Stands for the CA's `sha256:` discovery hash where a platform delivers the hash as a file with
 * the node's secrets (on-prem): the hash is an output of the CA key, unknown to a preview before
 * the first `up`, and a script holding it would be unknown too (not shown by `pulumi preview`).
 */
export const DISCOVERY_HASH_PLACEHOLDER = "@@DISCOVERY_HASH@@";
const CRI_SOCKET = "unix:///var/run/containerd/containerd.sock";

type EtcdConfig =
    | { readonly kind: "stacked"; readonly heartbeatIntervalMs: number; readonly electionTimeoutMs: number }
    | { readonly kind: "external"; readonly endpoints: readonly string[] };

/**
 * The node being configured. A scaling-group worker leaves both out: every instance shares one
 * config, so kubeadm takes the hostname and the kubelet its default address.
 */
interface KubeadmNode {
    readonly name?: string;
    readonly address?: string;
    /** Labels the kubelet registers the node with (a pool's labels). */
    readonly labels?: Readonly<Record<string, string>>;
}

export interface KubeadmClusterInput {
    readonly clusterName: string;
    /** e.g. `1.34.2`. */
    readonly kubernetesVersion: string;
    readonly minor: number;
    /** `host:port` every node dials. */
    readonly controlPlaneEndpoint: string;
    readonly certSANs: readonly string[];
    readonly podSubnet: string;
    readonly serviceSubnet: string;
    readonly dnsDomain: string;
    readonly etcd: EtcdConfig;
    readonly apiServerExtraArgs: Readonly<Record<string, string>>;
    readonly maxPods: number;
    /** API server port on each control plane. @default 6443 */
    readonly apiServerPort?: number;
    /**
     * IPv4 networks the nodes' addresses lie in: the kubelet serving-certificate approver on the
     * control planes refuses SANs outside them. Empty or absent: no range check.
     */
    readonly nodeCidrs?: readonly string[];
    /** Registry kubeadm pulls its images from (a mirror), instead of registry.k8s.io. */
    readonly imageRepository?: string;
    /** Hosts run cgroup v1: the kubelet is told to accept it, kubeadm's system verification is skipped. */
    readonly cgroupV1?: boolean;
    /** Hosts are system containers: kube-proxy leaves the kernel's conntrack sizing to the host. */
    readonly systemContainer?: boolean;
}

export type KubeadmRole =
    | { readonly kind: "init" }
    | { readonly kind: "join-control-plane"; readonly caCertHash: string }
    | { readonly kind: "join-worker"; readonly caCertHash: string };

export interface KubeadmInput extends KubeadmClusterInput {
    readonly node: KubeadmNode;
    readonly role: KubeadmRole;
}

export function kubeadmApiVersion(minor: number): KubeadmApiVersion {
    return minor >= V1BETA4_FROM_MINOR ? "kubeadm.k8s.io/v1beta4" : "kubeadm.k8s.io/v1beta3";
}

type Args = Readonly<Record<string, string>>;

/** `extraArgs` in the version's shape, sorted by name so output is stable. */
function args(minor: number, values: Args): ExtraArgs {
    const names = Object.keys(values).sort();
    if (minor >= V1BETA4_FROM_MINOR) return names.map((name) => ({ name, value: values[name] }));
    return Object.fromEntries(names.map((n) => [n, values[n]]));
}

function nodeRegistration(input: KubeadmInput): NodeRegistration {
    const kubelet: Record<string, string> = {};
    // Multi-homed hosts: pin the kubelet to the cluster network's address.
    if (input.node.address) kubelet["node-ip"] = input.node.address;
    const labels = Object.entries(input.node.labels ?? {}).sort(([a], [b]) => a.localeCompare(b));
    if (labels.length > 0) kubelet["node-labels"] = labels.map(([k, v]) => `${k}=${v}`).join(",");
    return {
        ...(input.node.name ? { name: input.node.name } : {}),
        criSocket: CRI_SOCKET,
        ...(Object.keys(kubelet).length > 0 ? { kubeletExtraArgs: args(input.minor, kubelet) } : {}),
        // kubeadm's system verification fails on cgroup v1 hosts; the kubelet is told to accept v1.
        ...(input.cgroupV1 ? { ignorePreflightErrors: ["SystemVerification"] } : {}),
    };
}

function clusterConfiguration(input: KubeadmClusterInput): ClusterConfiguration {
    // Hardening first, so a user's apiServerExtraArgs can still override a value deliberately.
    const apiServerArgs: Record<string, string> = {
        "authorization-mode": "Node,RBAC",
        ...HARDENING.apiServerArgs,
        ...input.apiServerExtraArgs,
    };
    const etcd =
        input.etcd.kind === "stacked"
            ? {
                  local: {
                      dataDir: ETCD_DATA_DIR,
                      extraArgs: args(input.minor, {
                          "heartbeat-interval": String(input.etcd.heartbeatIntervalMs),
                          "election-timeout": String(input.etcd.electionTimeoutMs),
                      }),
                  },
              }
            : {
                  external: {
                      endpoints: [...input.etcd.endpoints],
                      caFile: `${PKI_DIR}/etcd/ca.crt`,
                      certFile: `${PKI_DIR}/apiserver-etcd-client.crt`,
                      keyFile: `${PKI_DIR}/apiserver-etcd-client.key`,
                  },
              };
    return {
        apiVersion: kubeadmApiVersion(input.minor),
        kind: "ClusterConfiguration",
        clusterName: input.clusterName,
        kubernetesVersion: `v${input.kubernetesVersion}`,
        controlPlaneEndpoint: input.controlPlaneEndpoint,
        certificatesDir: PKI_DIR,
        ...(input.imageRepository ? { imageRepository: input.imageRepository } : {}),
        networking: { podSubnet: input.podSubnet, serviceSubnet: input.serviceSubnet, dnsDomain: input.dnsDomain },
        apiServer: {
            certSANs: [...input.certSANs],
            extraArgs: args(input.minor, apiServerArgs),
            extraVolumes: HARDENING.apiServerVolumes.map((v) => ({ ...v })),
        },
        controllerManager: { extraArgs: args(input.minor, { "bind-address": "127.0.0.1", ...HARDENING.controllerManagerArgs }) },
        scheduler: { extraArgs: args(input.minor, { "bind-address": "127.0.0.1", ...HARDENING.schedulerArgs }) },
        etcd,
    };
}

function kubeletConfiguration(input: KubeadmClusterInput): KubeletConfiguration {
    return {
        apiVersion: "kubelet.config.k8s.io/v1beta1",
        kind: "KubeletConfiguration",
        cgroupDriver: "systemd",
        maxPods: input.maxPods,
        rotateCertificates: true,
        // Serving certificate from the cluster CA (CIS 4.2.10), approved by the control planes'
        // approver (render/kubelet-serving.ts); the API server verifies it (kubelet-certificate-authority).
        serverTLSBootstrap: true,
        // Refuse anonymous requests to the kubelet API; the API server authenticates with its client cert.
        authentication: { anonymous: { enabled: false }, webhook: { enabled: true } },
        authorization: { mode: "Webhook" },
        // Graceful node shutdown: on a reboot, a stop or a cloud scale-in termination the kubelet holds
        // a systemd inhibitor lock and ends pods in order — regular pods get the first 20 s, critical
        // ones (system-node-critical, system-cluster-critical) the last 10 s — instead of dying with
        // the machine. The kubelet raises logind's InhibitDelayMaxSec itself when it is lower.
        shutdownGracePeriod: "30s",
        shutdownGracePeriodCriticalPods: "10s",
        // Since 1.35 the kubelet refuses cgroup v1 unless told otherwise.
        ...(input.cgroupV1 ? { failCgroupV1: false } : {}),
    };
}

/** kube-proxy's settings, when they differ from kubeadm's defaults. */
function kubeProxyConfiguration(input: KubeadmClusterInput): KubeProxyConfiguration[] {
    if (!input.systemContainer) return [];
    // conntrack sizing is global to the kernel: a system container's host owns it.
    return [{ apiVersion: "kubeproxy.config.k8s.io/v1alpha1", kind: "KubeProxyConfiguration", conntrack: { maxPerCore: 0 } }];
}

function discovery(input: KubeadmInput, caCertHash: string): JoinConfiguration["discovery"] {
    return {
        bootstrapToken: {
            apiServerEndpoint: input.controlPlaneEndpoint,
            token: TOKEN_PLACEHOLDER,
            caCertHashes: [caCertHash],
        },
        ...(input.minor >= V1BETA4_FROM_MINOR ? {} : { timeout: "10m0s" }),
    };
}

/** The documents of one node's kubeadm config, as typed objects (kubeadm-types.ts). */
export function kubeadmDocuments(input: KubeadmInput): KubeadmDocument[] {
    const apiVersion = kubeadmApiVersion(input.minor);
    const v4 = input.minor >= V1BETA4_FROM_MINOR;
    const port = input.apiServerPort ?? 6443;
    const role = input.role;
    if (role.kind !== "join-worker" && !input.node.address) throw new Error("a control plane needs its address (advertiseAddress)");
    switch (role.kind) {
        case "init":
            return [
                {
                    apiVersion,
                    kind: "InitConfiguration",
                    bootstrapTokens: [
                        {
                            token: TOKEN_PLACEHOLDER,
                            description: "hacluster join token",
                            ttl: JOIN_TOKEN_TTL,
                            usages: ["signing", "authentication"],
                            groups: ["system:bootstrappers:kubeadm:default-node-token"],
                        },
                    ],
                    localAPIEndpoint: { advertiseAddress: input.node.address!, bindPort: port },
                    nodeRegistration: nodeRegistration(input),
                },
                clusterConfiguration(input),
                kubeletConfiguration(input),
                ...kubeProxyConfiguration(input),
            ];
        case "join-control-plane":
        case "join-worker":
            return [
                {
                    apiVersion,
                    kind: "JoinConfiguration",
                    discovery: discovery(input, role.caCertHash),
                    nodeRegistration: nodeRegistration(input),
                    ...(role.kind === "join-control-plane"
                        ? { controlPlane: { localAPIEndpoint: { advertiseAddress: input.node.address!, bindPort: port } } }
                        : {}),
                    ...(v4 ? { timeouts: { discovery: "10m0s" } } : {}),
                },
                kubeletConfiguration(input),
            ];
        default: {
            const never: never = role;
            throw new Error(`unknown kubeadm role ${JSON.stringify(never)}`);
        }
    }
}

/** kubeadm.yaml for one node (multi-document YAML). */
export function renderKubeadmConfig(input: KubeadmInput): string {
    return kubeadmDocuments(input)
        .map((doc) => stringify(doc, { lineWidth: 0 }))
        .join("---\n");
}
