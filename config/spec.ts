/**
 * The validated, fully defaulted cluster description every layer below config/ consumes.
 * Produced only by `loadSpec`; nothing here is optional that a renderer needs.
 */
import type { MirrorSpec } from "./nodes";
import type { ENDPOINT_KINDS, ETCD_TOPOLOGIES, FAMILIES, PLATFORMS, PROFILES } from "./schema";

export type Profile = (typeof PROFILES)[number];
export type Platform = (typeof PLATFORMS)[number];
export type Family = (typeof FAMILIES)[number];
export type EndpointKind = (typeof ENDPOINT_KINDS)[number];
export type EtcdTopology = (typeof ETCD_TOPOLOGIES)[number];

export interface Host {
    readonly name: string;
    readonly address: string;
    readonly zone: string;
}

export interface KubernetesSpec {
    /** Full version, e.g. `1.34.2`. */
    readonly version: string;
    /** Minor, e.g. 34. */
    readonly minor: number;
    readonly podSubnet: string;
    readonly serviceSubnet: string;
    readonly dnsDomain: string;
    readonly maxPodsPerNode: number;
    readonly cniManifestUrl?: string;
    readonly apiServerExtraArgs: Readonly<Record<string, string>>;
}

interface EndpointBase {
    readonly dnsName: string;
    readonly port: number;
    readonly extraSANs: readonly string[];
}

export interface VipEndpointSpec extends EndpointBase {
    readonly kind: "vip";
    readonly vip: string;
    /** Prefix length of the VIP, taken from `network.nodeCidr`. */
    readonly vipPrefix: number;
    readonly interface: string;
    readonly virtualRouterId: number;
    readonly lbHosts: readonly Host[];
    readonly haproxy: {
        readonly healthPath: "/readyz" | "/livez" | "/healthz";
        readonly intervalMs: number;
        readonly fall: number;
        readonly rise: number;
        readonly maxConnections: number;
    };
    readonly keepalived: {
        readonly vrrpVersion: 2 | 3;
        readonly advertIntervalSec: number;
        readonly checkIntervalSec: number;
        readonly checkFall: number;
        readonly checkRise: number;
    };
}
export interface LoadBalancerEndpointSpec extends EndpointBase {
    readonly kind: "loadBalancer";
}
export interface ExternalEndpointSpec extends EndpointBase {
    readonly kind: "external";
    readonly address: string;
}
export interface DirectEndpointSpec extends EndpointBase {
    readonly kind: "direct";
}
export type EndpointSpec = VipEndpointSpec | LoadBalancerEndpointSpec | ExternalEndpointSpec | DirectEndpointSpec;

export interface EtcdSpec {
    readonly topology: EtcdTopology;
    /** Members: the control planes when stacked. */
    readonly count: number;
    /** External members' hosts (on-prem). */
    readonly hosts: readonly Host[];
    readonly heartbeatIntervalMs: number;
    readonly electionTimeoutMs: number;
    /** The etcd release the cluster runs: external members' release, or the one kubeadm runs when stacked. */
    readonly version: string;
    /** Snapshot timer settings (every member). */
    readonly backup: { readonly keep: number; readonly onCalendar: string; readonly copyCommand?: string; readonly retentionDays: number };
    /** Machine type of external members on clouds. */
    readonly instanceType?: string;
}

export interface SshSpec {
    readonly user: string;
    readonly port: number;
    readonly privateKeySecret?: string;
    readonly agent: boolean;
}

/** A worker pool on a cloud: one scaling group or managed node pool. */
export interface WorkerPoolSpec {
    readonly name: string;
    readonly count: number;
    readonly instanceType: string;
    /** Zones it spans (a subset of `cloud.zones`, in that order). */
    readonly zones: readonly string[];
    readonly labels: Readonly<Record<string, string>>;
}

export interface ExistingSubnet {
    readonly id: string;
    readonly cidr: string;
    readonly zone?: string;
}

export interface CloudSpec {
    readonly region: string;
    readonly zones: readonly string[];
    readonly existingNetwork?: { readonly networkId: string; readonly subnets: readonly ExistingSubnet[] };
    readonly image?: string;
    readonly diskGb: number;
    readonly publicEndpoint: boolean;
    readonly apiAllowedCidrs: readonly string[];
    readonly sshPublicKey?: string;
    readonly sshAllowedCidrs: readonly string[];
    readonly project?: string;
    /** Azure: encryption at host for VMs, scale sets and AKS pools. */
    readonly encryptionAtHost?: boolean;
    /** Azure resource group (defaulted to `<cluster>-rg` on azure). */
    readonly resourceGroup?: string;
}

export interface ManagedSpec {
    readonly releaseChannel: "RAPID" | "REGULAR" | "STABLE";
    readonly deletionProtection: boolean;
    readonly adminPrincipals: readonly string[];
    readonly azureRbac: boolean;
    readonly privateNodes: boolean;
    readonly controlPlaneLogging: boolean;
}

/** What every cluster has, whatever its platform and family. */
interface ClusterSpecBase {
    readonly name: string;
    readonly profile: Profile;
    readonly kubernetes: KubernetesSpec;
    readonly network: { readonly nodeCidr: string };
    /** Control planes: `hosts` on-prem, `count` + `instanceType` on clouds; count 0 when managed. */
    readonly controlPlane: { readonly count: number; readonly hosts: readonly Host[]; readonly instanceType?: string };
    /** Workers: `hosts` on-prem; `pools` on clouds (count is their total). */
    readonly workers: { readonly count: number; readonly hosts: readonly Host[]; readonly pools: readonly WorkerPoolSpec[] };
    readonly etcd: EtcdSpec;
    readonly endpoint: EndpointSpec;
    readonly ssh?: SshSpec;
    readonly tolerance: { readonly zones: number };
    /** Where nodes download from; kinds left out come from upstream. */
    readonly mirror: MirrorSpec;
    readonly containerRuntime: { readonly containerdVersion: string; readonly runcVersion: string };
    readonly nodes: { readonly cgroupV1: boolean; readonly systemContainers: boolean };
}

/** The clouds (every platform but `onprem`). */
export type CloudPlatform = Exclude<Platform, "onprem">;

/** kubeadm on existing hosts over SSH. */
export interface OnPremClusterSpec extends ClusterSpecBase {
    readonly platform: "onprem";
    readonly family: "self-managed";
}

/** kubeadm on a cloud's machines. */
export interface SelfManagedCloudSpec extends ClusterSpecBase {
    readonly platform: CloudPlatform;
    readonly family: "self-managed";
    readonly cloud: CloudSpec;
}

/** EKS, GKE or AKS. */
export interface ManagedClusterSpec extends ClusterSpecBase {
    readonly platform: CloudPlatform;
    readonly family: "managed";
    readonly cloud: CloudSpec;
    readonly managed: ManagedSpec;
}

/** A cloud cluster of either family: what cloud-wide helpers (networks, names) need. */
export type CloudClusterSpec = SelfManagedCloudSpec | ManagedClusterSpec;

/**
 * The cluster, as one of its three variants: a component receives exactly its variant, so the
 * compiler proves `cloud` and `managed` are there where they are used.
 */
export type ClusterSpec = OnPremClusterSpec | SelfManagedCloudSpec | ManagedClusterSpec;

