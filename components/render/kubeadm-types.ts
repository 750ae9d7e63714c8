/**
 * The kubeadm documents this project writes, as product types with the field names and meanings
 * of the upstream Go types (kubeadm.k8s.io/v1beta3 and v1beta4 in
 * cmd/kubeadm/app/apis/kubeadm/<version>/types.go, kubelet.config.k8s.io/v1beta1 in
 * k8s.io/kubelet/config/v1beta1/types.go), only the fields used. The renderer (kubeadm.ts) builds
 * these, so a misspelt field or one in the wrong place does not compile.
 */

export type KubeadmApiVersion = "kubeadm.k8s.io/v1beta3" | "kubeadm.k8s.io/v1beta4";

/** Extra command-line flags of a component: v1beta4 a list of `{name, value}` (a flag may repeat), v1beta3 a map. */
export type ExtraArgs = readonly { readonly name: string; readonly value: string }[] | Readonly<Record<string, string>>;

/** HostPathMount: a host directory mounted into a control-plane static pod. */
interface HostPathMount {
    readonly name: string;
    readonly hostPath: string;
    readonly mountPath: string;
    readonly readOnly?: boolean;
    readonly pathType?: "" | "DirectoryOrCreate" | "Directory" | "FileOrCreate" | "File" | "Socket" | "CharDevice" | "BlockDevice";
}

/** NodeRegistrationOptions: how the node registers with the API server. */
export interface NodeRegistration {
    /** The node's name; unset: the hostname. */
    readonly name?: string;
    /** The CRI socket the kubelet and kubeadm talk to. */
    readonly criSocket: string;
    /** Extra kubelet flags (`node-ip`, `node-labels`). */
    readonly kubeletExtraArgs?: ExtraArgs;
    /** Preflight checks whose errors are shown as warnings (e.g. `SystemVerification` on cgroup v1 hosts). */
    readonly ignorePreflightErrors?: readonly string[];
}

/** APIEndpoint: where this control plane's API server listens. */
interface ApiEndpoint {
    readonly advertiseAddress: string;
    readonly bindPort: number;
}

/** BootstrapToken: a token kubeadm init creates for joining nodes. */
interface BootstrapToken {
    /** `[a-z0-9]{6}.[a-z0-9]{16}`; here a placeholder the node replaces with the secret token. */
    readonly token: string;
    readonly description?: string;
    /** Lifetime as a Go duration. */
    readonly ttl?: string;
    readonly usages?: readonly ("signing" | "authentication")[];
    readonly groups?: readonly string[];
}

/** InitConfiguration: the runtime part of `kubeadm init` on the first control plane. */
interface InitConfiguration {
    readonly apiVersion: KubeadmApiVersion;
    readonly kind: "InitConfiguration";
    readonly bootstrapTokens: readonly BootstrapToken[];
    readonly localAPIEndpoint: ApiEndpoint;
    readonly nodeRegistration: NodeRegistration;
}

/** ControlPlaneComponent: flags and mounts of the controller manager or scheduler. */
interface ControlPlaneComponent {
    readonly extraArgs?: ExtraArgs;
    readonly extraVolumes?: readonly HostPathMount[];
}

/** Etcd: stacked (`local`, a static pod per control plane) or `external` members. */
type EtcdConfiguration =
    | { readonly local: { readonly dataDir: string; readonly extraArgs?: ExtraArgs } }
    | { readonly external: { readonly endpoints: readonly string[]; readonly caFile: string; readonly certFile: string; readonly keyFile: string } };

/** ClusterConfiguration: the cluster-wide settings kubeadm init stores in the cluster. */
export interface ClusterConfiguration {
    readonly apiVersion: KubeadmApiVersion;
    readonly kind: "ClusterConfiguration";
    readonly clusterName: string;
    /** `v<major>.<minor>.<patch>`. */
    readonly kubernetesVersion: string;
    /** `host:port` every node and client dials. */
    readonly controlPlaneEndpoint: string;
    readonly certificatesDir: string;
    readonly networking: { readonly podSubnet: string; readonly serviceSubnet: string; readonly dnsDomain: string };
    readonly apiServer: ControlPlaneComponent & { readonly certSANs: readonly string[] };
    readonly controllerManager: ControlPlaneComponent;
    readonly scheduler: ControlPlaneComponent;
    readonly etcd: EtcdConfiguration;
}

/** BootstrapTokenDiscovery: how a joining node finds and trusts the cluster. */
interface BootstrapTokenDiscovery {
    readonly apiServerEndpoint: string;
    readonly token: string;
    /** `sha256:<hex>` of the cluster CA's public key. */
    readonly caCertHashes: readonly string[];
}

/** JoinConfiguration: `kubeadm join` of a control plane (with `controlPlane`) or a worker. */
export interface JoinConfiguration {
    readonly apiVersion: KubeadmApiVersion;
    readonly kind: "JoinConfiguration";
    /** v1beta3 keeps the discovery timeout here; v1beta4 moved it to `timeouts.discovery`. */
    readonly discovery: { readonly bootstrapToken: BootstrapTokenDiscovery; readonly timeout?: string };
    readonly nodeRegistration: NodeRegistration;
    readonly controlPlane?: { readonly localAPIEndpoint: ApiEndpoint };
    /** v1beta4 only. */
    readonly timeouts?: { readonly discovery?: string };
}

/** KubeletConfiguration (kubelet.config.k8s.io/v1beta1), the fields set here. */
export interface KubeletConfiguration {
    readonly apiVersion: "kubelet.config.k8s.io/v1beta1";
    readonly kind: "KubeletConfiguration";
    readonly cgroupDriver: "systemd" | "cgroupfs";
    readonly maxPods: number;
    readonly rotateCertificates: boolean;
    /** Request the serving certificate from the cluster CA through a CSR. */
    readonly serverTLSBootstrap: boolean;
    readonly authentication: { readonly anonymous: { readonly enabled: boolean }; readonly webhook: { readonly enabled: boolean } };
    readonly authorization: { readonly mode: "Webhook" | "AlwaysAllow" };
    /** GracefulNodeShutdown: the whole delay, and the part of it kept for critical pods (Go durations). */
    readonly shutdownGracePeriod: string;
    readonly shutdownGracePeriodCriticalPods: string;
    /** Since 1.35 the kubelet refuses cgroup v1 unless this is false. */
    readonly failCgroupV1?: boolean;
}

/** KubeProxyConfiguration (kubeproxy.config.k8s.io/v1alpha1), the fields set here. */
export interface KubeProxyConfiguration {
    readonly apiVersion: "kubeproxy.config.k8s.io/v1alpha1";
    readonly kind: "KubeProxyConfiguration";
    /** `maxPerCore: 0` leaves the kernel's conntrack table size alone. */
    readonly conntrack: { readonly maxPerCore: number };
}

/** One document of a node's kubeadm config. */
export type KubeadmDocument = InitConfiguration | ClusterConfiguration | JoinConfiguration | KubeletConfiguration | KubeProxyConfiguration;
