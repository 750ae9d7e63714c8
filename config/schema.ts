/**
 * The stack configuration language, as a zod schema: the single source of types, defaults and
 * structural error texts. Everything under the `hacluster:cluster` key of a stack file is
 * parsed by {@link ClusterSchema}; profile- and platform-dependent defaults are resolved
 * afterwards in `defaults.ts`, cross-field rules in `validate*.ts`.
 *
 * Error texts carry their fix after a `|` (split by `load.ts`). Every kind of value (names,
 * addresses, numbers, labels, flags, one-line text) comes from `formats.ts`, so it is checked by
 * one rule with one message wherever it appears; the README's configuration reference lists the
 * limits.
 */
import { z } from "zod";
import { cidr, decimalNumber, dnsLabel as label, dnsName, flagValue, httpUrl, ipv4, loginName, oneLine, port, wholeNumber } from "./formats";
import { ContainerRuntimeSchema, MirrorSchema, NodeOsSchema } from "./nodes";

/** Zone of hosts that name none: one shared failure domain. */
export const DEFAULT_ZONE = "default";
/**
 * Bounds of the free-form settings that reach node files, so the user-data of the largest node
 * stays inside EC2's 16 KiB (gzipped) whatever they hold (test/unit/synth-limits.test.ts).
 */
export const LIMITS = {
    /** Certificate SANs beyond the computed ones. */
    extraSANs: 16,
    /** Node labels per pool. */
    labels: 32,
    /** Characters of every kube-apiserver flag name and value together. */
    apiServerArgsChars: 4096,
    /** Characters of the snapshot copy command. */
    copyCommand: 1024,
    /** Characters of the CNI manifest URL. */
    url: 1024,
    /** Cluster admins (managed). */
    admins: 100,
} as const;
const text = (max: number, fix: string) => oneLine(max, fix);
const bool = z.boolean({ error: "must be true or false|write true or false, without quotes" });

/** An existing machine reached over SSH (platform `onprem`). */
export const HostSchema = z.strictObject({
    /** Stable node name; becomes the Kubernetes node name. */
    name: label("a host name"),
    /** The host's private IPv4 address, inside `network.nodeCidr`. */
    address: ipv4,
    /**
     * Failure domain (rack, room, site). Hosts without a zone share the zone `default`; with
     * `tolerance.zones` above 0 every etcd, control-plane and LB host needs one.
     * @default "default"
     */
    zone: label("a zone").optional(),
});
export type HostConfig = z.output<typeof HostSchema>;

const hosts = z.array(HostSchema);

export const PROFILES = ["learning", "dev", "ha"] as const;
export const PLATFORMS = ["onprem", "aws", "gcp", "azure"] as const;
export const FAMILIES = ["self-managed", "managed"] as const;
export const ENDPOINT_KINDS = ["vip", "loadBalancer", "external", "direct"] as const;
export const ETCD_TOPOLOGIES = ["stacked", "external"] as const;

const enumOf = <T extends readonly [string, ...string[]]>(values: T) =>
    z.enum(values, { error: `must be one of ${values.join(", ")}|use one of: ${values.join(", ")}` });

/** HAProxy health checking of the API servers (endpoint kind `vip`). */
export const HaproxyTuningSchema = z.strictObject({
    /** Path checked over HTTPS on every API server. @default "/readyz" */
    healthPath: z.enum(["/readyz", "/livez", "/healthz"], { error: "must be /readyz, /livez or /healthz|use /readyz (it reports etcd trouble too)" }).default("/readyz"),
    /** Milliseconds between checks; half of it (at least 100) while a server changes state (`fastinter`). Measured: 500 takes a silently dead server out in ~1.4 s. @default 500 */
    intervalMs: wholeNumber(100, 60000).default(500),
    /** Failed checks before a server is taken out. @default 2 */
    fall: wholeNumber(1, 20).default(2),
    /** Passed checks before a server is put back. @default 2 */
    rise: wholeNumber(1, 20).default(2),
    /**
     * Concurrent connections HAProxy accepts (its `maxconn`). It needs about two file descriptors
     * per connection: the LB hosts' open-files hard limit must be above 2 × this + 50 (Debian's
     * default is 524288). @default 10000
     */
    maxConnections: wholeNumber(100, 200000).default(10000),
});

/** keepalived VRRP settings (endpoint kind `vip`). */
export const KeepalivedTuningSchema = z.strictObject({
    /**
     * VRRP version: 2 (PASS authentication, whole-second adverts) or 3 (no authentication, adverts
     * down to 0.01 s; only unicast peers' adverts are accepted). Measured (README "Failover,
     * measured"): LB host loss costs ~3.2 s with v2 at 1 s, ~1.7 s with v3 at 0.5 s, ~0.6 s with v3
     * at 0.2 s. @default 2
     */
    vrrpVersion: z.union([z.literal(2), z.literal(3)], { error: "must be 2 or 3|use 2 (authenticated, 1 s adverts) or 3 (sub-second adverts)" }).default(2),
    /** Seconds between VRRP adverts (whole seconds with vrrpVersion 2, down to 0.01 with 3); a backup takes over after ~3 missed adverts. @default 1 */
    advertIntervalSec: decimalNumber(0.01, 255).default(1),
    /** Seconds between runs of the API/HAProxy check script. @default 1 */
    checkIntervalSec: wholeNumber(1, 60).default(1),
    /** Failed checks before the holder gives up the VIP. @default 2 */
    checkFall: wholeNumber(1, 20).default(2),
    /** Passed checks before a host may hold the VIP again. @default 2 */
    checkRise: wholeNumber(1, 20).default(2),
});

/** How clients reach the API servers. */
export const EndpointSchema = z.strictObject({
    /**
     * `vip`: keepalived VRRP VIP on two LB hosts in front of HAProxy (on-prem);
     * `loadBalancer`: the cloud's network load balancer; `external`: a load balancer you run;
     * `direct`: the first control plane (not highly available).
     * @default `vip` on-prem and `loadBalancer` on clouds for profile `ha`, else `direct`
     */
    kind: enumOf(ENDPOINT_KINDS).optional(),
    /** Stable DNS name in `controlPlaneEndpoint` and the certificates. @default `api.<cluster name>.internal` */
    dnsName: dnsName("use lowercase labels separated by dots, e.g. api.prod.internal").optional(),
    /** API port clients dial. @default 6443 */
    port: port.default(6443),
    /** The VRRP virtual IP (kind `vip`), inside `network.nodeCidr`. */
    vip: ipv4.optional(),
    /** Network interface of the LB hosts that carries the VIP (kind `vip`). @default "eth0" */
    interface: z.string().regex(/^[A-Za-z0-9_.:-]{1,15}$/, { error: "must be a network interface name|use the interface name as `ip link` shows it, e.g. ens32" }).default("eth0"),
    /** VRRP virtual router id, unique on the LB hosts' L2 segment (kind `vip`). @default 51 */
    virtualRouterId: wholeNumber(1, 255, "use a number from 1 to 255 that no other VRRP group on the segment uses").default(51),
    /** The two (or more) hosts running HAProxy + keepalived (kind `vip`). The first one starts as MASTER. */
    lbHosts: hosts.default([]),
    /** Address of your own load balancer (kind `external`): an IPv4 address or DNS name. */
    address: text(253, "set the load balancer's IPv4 address or DNS name").optional(),
    /** More names or addresses clients may dial (at most 16); added to the API server certificate. @default [] */
    extraSANs: z.array(z.string()).max(LIMITS.extraSANs, { error: `must list at most ${LIMITS.extraSANs} names|keep the names clients really dial; a wildcard (*.example.com) covers many` }).default([]),
    /** HAProxy tuning (kind `vip`). */
    haproxy: HaproxyTuningSchema.prefault({}),
    /** keepalived tuning (kind `vip`). */
    keepalived: KeepalivedTuningSchema.prefault({}),
});

export const KubernetesSchema = z.strictObject({
    /** Kubernetes version `MAJOR.MINOR.PATCH`; packages are pinned to it. @default "1.37.2" */
    version: z.string().default("1.37.2"),
    /** Pod network (kube-controller-manager hands each node a /24 of it). @default "10.244.0.0/16" */
    podSubnet: cidr.default("10.244.0.0/16"),
    /** Service network; at most a /12. @default "10.96.0.0/12" */
    serviceSubnet: cidr.default("10.96.0.0/12"),
    /** Cluster DNS domain. @default "cluster.local" */
    dnsDomain: dnsName("use e.g. cluster.local").default("cluster.local"),
    /** kubelet `maxPods`. @default 110 */
    maxPodsPerNode: z.int({ error: "must be a whole number|use a number from 10 to 110" }).default(110),
    /** A CNI manifest applied once after `kubeadm init` (pin a version; plain http only on a private address). Without one, nodes stay NotReady until you install a CNI. */
    cniManifestUrl: httpUrl(LIMITS.url, "must be an http(s) URL|point it at a pinned CNI manifest, e.g. a release asset or your mirror's copy").optional(),
    /**
     * Extra kube-apiserver flags, e.g. `{ "audit-log-maxage": "30" }`: names as `--help` lists
     * them without the dashes, values of one line; 4096 characters in all. @default {}
     */
    apiServerExtraArgs: z.record(z.string(), flagValue).default({}),
});

/** Control planes: hosts on-prem, a count on clouds. */
const instanceType = z.string().regex(/^[A-Za-z0-9._-]{2,64}$/, { error: "must be a machine type name|use the cloud's name, e.g. m6i.large, e2-standard-4 or Standard_D4s_v5" });

export const ControlPlaneSchema = z.strictObject({
    /** Number of control planes (clouds). On-prem it is the number of `hosts`. @default 3 for `ha`, else 1 */
    count: wholeNumber(0, undefined, "use 1, 3 or 5").optional(),
    /** Machine type on clouds. @default m6i.large (aws), e2-standard-4 (gcp), Standard_D4s_v5 (azure) */
    instanceType: instanceType.optional(),
    /** Existing machines (on-prem). */
    hosts: hosts.default([]),
});

/** A worker pool on a cloud: one scaling group (ASG, regional MIG, VMSS) or managed node pool. */
export const WorkerPoolSchema = z.strictObject({
    /** Pool name (DNS label). */
    name: label("a pool name"),
    /** Desired number of workers. */
    count: wholeNumber(0, 5000),
    /** Machine type. @default the workers' instanceType */
    instanceType: instanceType.optional(),
    /** Zones of this pool (a non-empty subset of cloud.zones). @default all of cloud.zones */
    zones: z.array(z.string()).optional(),
    /** Node labels: Kubernetes label keys and values, at most 32. @default {} */
    labels: z.record(z.string(), z.string()).default({}),
});

export const WorkersSchema = z.strictObject({
    /** Number of workers (clouds, one pool). On-prem it is the number of `hosts`. @default 3 for `ha`, 2 for `dev`, 0 for `learning` */
    count: wholeNumber(0, undefined, "use a number from 0 to 5000").optional(),
    /** Machine type on clouds. @default m6i.large (aws), e2-standard-4 (gcp), Standard_D4s_v5 (azure) */
    instanceType: instanceType.optional(),
    /** Several pools instead of `count` (clouds). */
    pools: z.array(WorkerPoolSchema).optional(),
    /** Existing machines (on-prem). */
    hosts: hosts.default([]),
});

export const EtcdSchema = z.strictObject({
    /** `stacked`: a member on every control plane; `external`: its own hosts. @default "stacked" */
    topology: enumOf(ETCD_TOPOLOGIES).default("stacked"),
    /** Members of an external cluster on clouds. On-prem it is the number of `hosts`. @default 3 */
    count: wholeNumber(0, undefined, "use 3 or 5").optional(),
    /** Existing machines for external etcd (on-prem). */
    hosts: hosts.default([]),
    /** Machine type of external members on clouds. @default as control planes */
    instanceType: instanceType.optional(),
    /** Raft heartbeat in ms: about the round trip between members. @default 100 */
    heartbeatIntervalMs: wholeNumber(10, 5000).default(100),
    /** Raft election timeout in ms: at least 5x the heartbeat. @default 1000 */
    electionTimeoutMs: wholeNumber(50, 50000).default(1000),
    /** Snapshots of etcd on every member, by a systemd timer. */
    backup: z
        .strictObject({
            /** Snapshots kept on each member. @default 96 (a day at 15 minutes) */
            keep: wholeNumber(1, 10000).default(96),
            /**
             * When to snapshot, as a systemd calendar event (`OnCalendar=`, systemd.time(7)) that
             * repeats: checked with systemd's grammar (config/calendar.ts). @default "*:0/15" (every 15 minutes)
             */
            onCalendar: z.string().max(256, { error: "must be at most 256 characters|use e.g. *:0/15 or hourly" }).default("*:0/15"),
            /**
             * Command run with each snapshot's path as "$1", e.g. `rsync -a "$1" backup@vault:/srv/etcd/`
             * to keep copies off the cluster. @default none (snapshots stay on the members)
             */
            copyCommand: text(LIMITS.copyCommand, "write one command line; put longer logic in a script on the hosts and call that").optional(),
            /**
             * Clouds: days the stack's bucket (S3, GCS, Azure Blob) keeps each uploaded snapshot,
             * including overwritten versions. @default 14
             */
            retentionDays: wholeNumber(1, 3650).default(14),
        })
        .prefault({}),
    /** etcd release installed on external members (stacked: the one kubeadm runs). @default the release kubeadm runs for kubernetes.version (3.7.0 for 1.37) */
    version: z.string().regex(/^3\.[5-7]\.\d+$/, { error: "must be an etcd 3.5–3.7 release|use e.g. 3.7.0" }).optional(),
});

export const NetworkSchema = z.strictObject({
    /** The subnet the nodes (and the VIP) live in. @default "10.0.0.0/16" */
    nodeCidr: cidr.default("10.0.0.0/16"),
});

export const SshSchema = z.strictObject({
    /** Login user with passwordless sudo on every host: e.g. `ubuntu`, `john.doe`, `john.doe@corp.example.com`. */
    user: loginName,
    /** SSH port. @default 22 */
    port: port.default(22),
    /**
     * Name of a secret config key holding the private key, set with
     * `pulumi config set --secret hacluster:<name> < ~/.ssh/id_ed25519`.
     */
    privateKeySecret: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, { error: "must be a config key name|use e.g. sshPrivateKey" }).optional(),
    /** Use the running ssh-agent (`SSH_AUTH_SOCK`) instead of a key in config. @default false */
    agent: bool.default(false),
});

/** An existing network on a cloud, instead of a new one. */
export const ExistingNetworkSchema = z.strictObject({
    /** VPC id (aws), network self link or name (gcp), virtual network id (azure). */
    networkId: text(1024, "set the network's id"),
    /** Subnets to place nodes in: one per zone on AWS (same order as cloud.zones), one regional subnet on GCP and Azure. */
    subnets: z.array(z.strictObject({ id: text(1024, "set the subnet's id"), cidr: cidr, zone: z.string().optional() })).min(1, { error: "needs at least one subnet|list the subnets with id and cidr" }),
});

/** Where and how cloud machines run (platforms aws, gcp, azure; both families). */
export const CloudSchema = z.strictObject({
    /** Region, e.g. eu-west-1, europe-west1, westeurope. */
    region: z.string().regex(/^[a-z0-9][-a-z0-9]{0,38}[a-z0-9]$/, { error: "must be a region name|use e.g. eu-west-1, europe-west1 or westeurope" }),
    /**
     * Zones to spread over, named as the cloud names them (eu-west-1a / europe-west1-b / "1").
     * Listed here so a preview needs no API call to discover them. At least 3 for profile `ha`.
     */
    zones: z.array(z.string().regex(/^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/, { error: "must be a zone name|use e.g. eu-west-1a, europe-west1-b or 1" })),
    /** Use this network instead of creating one. */
    existingNetwork: ExistingNetworkSchema.optional(),
    /** Machine image: AMI id (aws), image self link or family (gcp), publisher:offer:sku:version (azure). @default the platform's Ubuntu 24.04 LTS */
    image: text(1024, "name the image: an AMI id (aws), an image or family path (gcp), publisher:offer:sku:version (azure)").optional(),
    /** Root disk size in GiB. @default 50 */
    diskGb: wholeNumber(20, 4096).default(50),
    /** Put the API load balancer on the internet (true) or inside the network only. @default false */
    publicEndpoint: bool.default(false),
    /** CIDRs besides the nodes that may reach the API port. @default [] */
    apiAllowedCidrs: z.array(cidr).default([]),
    /** SSH public key installed on nodes for break-glass access (aws: key pair created from it). */
    sshPublicKey: z.string().max(8192, { error: "must be an OpenSSH public key|paste the one line of your .pub file" }).regex(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+( .*)?$/, { error: "must be an OpenSSH public key|paste the one line of your .pub file" }).optional(),
    /** CIDRs allowed to SSH to nodes; SSH is closed when empty. @default [] */
    sshAllowedCidrs: z.array(cidr).default([]),
    /**
     * Azure: encrypt temp disks and disk caches at the VM host too (managed disks are always
     * encrypted at rest). Needs the subscription feature Microsoft.Compute/EncryptionAtHost.
     * @default true on azure
     */
    encryptionAtHost: bool.optional(),
    /** GCP project id (not its name or number): 6–30 of `[a-z0-9-]`, a letter first. */
    project: z.string().optional(),
    /** Azure resource group name: 1–90 letters, digits, `-_.()`, not ending in `.`. @default `<cluster name>-rg` */
    resourceGroup: z.string().optional(),
});

/** Settings that only managed clusters (EKS, GKE, AKS) have. */
export const ManagedSchema = z.strictObject({
    /** GKE release channel. @default "REGULAR" */
    releaseChannel: z.enum(["RAPID", "REGULAR", "STABLE"], { error: "must be RAPID, REGULAR or STABLE|use REGULAR unless you need otherwise" }).default("REGULAR"),
    /** GKE deletion protection. @default true */
    deletionProtection: bool.default(true),
    /** Cluster admins (at most 100): IAM principal ARNs (EKS access entries), IAM members (GKE) or Entra group object ids (AKS). @default [] */
    adminPrincipals: z.array(z.string()).max(LIMITS.admins, { error: `must list at most ${LIMITS.admins} admins|grant a group instead of many people` }).default([]),
    /** AKS: Kubernetes RBAC through Azure RBAC with Entra ID. @default true */
    azureRbac: bool.default(true),
    /** Nodes without public IPs. @default true */
    privateNodes: bool.default(true),
    /** Control-plane logs to the cloud's log service. @default true */
    controlPlaneLogging: bool.default(true),
});

/** How much loss the cluster must survive; validation refuses placements that fall short. */
export const ToleranceSchema = z.strictObject({
    /** Zones that may be lost with etcd keeping quorum and an API server left. @default 1 for `ha`, else 0 */
    zones: wholeNumber(0, 3).optional(),
});

/** Everything under `hacluster:cluster`. */
export const ClusterSchema = z.strictObject({
    /** Cluster name (DNS label). @default the stack name */
    name: label("the cluster name").optional(),
    kubernetes: KubernetesSchema.prefault({}),
    network: NetworkSchema.prefault({}),
    controlPlane: ControlPlaneSchema.prefault({}),
    workers: WorkersSchema.prefault({}),
    etcd: EtcdSchema.prefault({}),
    endpoint: EndpointSchema.prefault({}),
    /** SSH access to on-prem hosts. */
    ssh: SshSchema.optional(),
    /** Cloud placement (platforms aws, gcp, azure). */
    cloud: CloudSchema.optional(),
    /** Managed-cluster settings (family managed). */
    managed: ManagedSchema.optional(),
    tolerance: ToleranceSchema.prefault({}),
    /** Where nodes download packages, images and archives (air-gapped sites). @default upstream */
    mirror: MirrorSchema.optional(),
    /** containerd and runc releases installed on every node. */
    containerRuntime: ContainerRuntimeSchema.prefault({}),
    /** Facts about the hosts' operating system. */
    nodes: NodeOsSchema.prefault({}),
});

/**
 * The project's config keys: the variant (`hacluster:profile`, `hacluster:platform`,
 * `hacluster:family`, declared with defaults in Pulumi.yaml) and the details (`hacluster:cluster`).
 */
export const StackConfigSchema = z.strictObject({
    /** `learning` (one node), `dev` (one control plane, workers) or `ha` (production). @default "ha" */
    profile: enumOf(PROFILES).default("ha"),
    /** Where machines come from. @default "onprem" */
    platform: enumOf(PLATFORMS).default("onprem"),
    /** `self-managed` (kubeadm) or `managed` (EKS/GKE/AKS). @default "self-managed" */
    family: enumOf(FAMILIES).default("self-managed"),
    cluster: ClusterSchema.prefault({}),
});

export type StackConfig = z.output<typeof StackConfigSchema>;
/** The cluster details with the variant keys folded in: what validation and building read. */
export type ClusterConfig = StackConfig["cluster"] & Pick<StackConfig, "profile" | "platform" | "family">;
