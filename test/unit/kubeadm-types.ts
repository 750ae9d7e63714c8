/**
 * The subset of kubeadm's config types this project writes, as strict schemas with the field
 * names of the upstream Go types (kubeadm.k8s.io/v1beta3 and v1beta4,
 * kubelet.config.k8s.io/v1beta1). A typo or a field in the wrong version's shape fails here,
 * since no kubeadm binary exists on these machines to reject it.
 */
import { z } from "zod";

const duration = z.string().regex(/^(\d+h)?(\d+m)?(\d+s)?$/);
/** Seconds of a Go duration in the h/m/s form {@link duration} admits. */
function seconds(d: string): number {
    const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(d);
    return m ? Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) : NaN;
}
const argListV4 = z.array(z.strictObject({ name: z.string(), value: z.string() }));
const argMapV3 = z.record(z.string(), z.string());
/** kubeadm HostPathMount (same in v1beta3 and v1beta4). */
const hostPathMount = z.strictObject({
    name: z.string(),
    hostPath: z.string().startsWith("/"),
    mountPath: z.string().startsWith("/"),
    readOnly: z.boolean().optional(),
    pathType: z.enum(["", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"]).optional(),
});

function shapes(v4: boolean) {
    const args = v4 ? argListV4 : argMapV3;
    const apiVersion = z.literal(v4 ? "kubeadm.k8s.io/v1beta4" : "kubeadm.k8s.io/v1beta3");
    const nodeRegistration = z.strictObject({
        name: z.string().optional(),
        criSocket: z.string().startsWith("unix://"),
        taints: z.array(z.unknown()).nullable().optional(),
        kubeletExtraArgs: args.optional(),
        ignorePreflightErrors: z.array(z.string()).optional(),
        imagePullPolicy: z.enum(["Always", "IfNotPresent", "Never"]).optional(),
    });
    const endpoint = z.strictObject({ advertiseAddress: z.ipv4(), bindPort: z.int() });
    const timeouts = z.strictObject({
        controlPlaneComponentHealthCheck: duration.optional(),
        kubeletHealthCheck: duration.optional(),
        kubernetesAPICall: duration.optional(),
        etcdAPICall: duration.optional(),
        tlsBootstrap: duration.optional(),
        discovery: duration.optional(),
        upgradeManifests: duration.optional(),
    });
    const init = z.strictObject({
        apiVersion,
        kind: z.literal("InitConfiguration"),
        bootstrapTokens: z.array(
            z.strictObject({
                token: z.string(),
                description: z.string().optional(),
                ttl: duration.optional(),
                usages: z.array(z.enum(["signing", "authentication"])).optional(),
                groups: z.array(z.string().regex(/^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/)).optional(),
            }),
        ),
        localAPIEndpoint: endpoint,
        nodeRegistration,
        skipPhases: z.array(z.string()).optional(),
        ...(v4 ? { timeouts: timeouts.optional() } : {}),
    });
    const control = z.strictObject({ extraArgs: args.optional(), extraVolumes: z.array(hostPathMount).optional() });
    const cluster = z.strictObject({
        apiVersion,
        kind: z.literal("ClusterConfiguration"),
        clusterName: z.string(),
        kubernetesVersion: z.string().regex(/^v1\.\d+\.\d+$/),
        controlPlaneEndpoint: z.string().regex(/^[a-z0-9.-]+:\d+$/),
        certificatesDir: z.string(),
        networking: z.strictObject({ podSubnet: z.cidrv4(), serviceSubnet: z.cidrv4(), dnsDomain: z.string() }),
        apiServer: z.strictObject({
            certSANs: z.array(z.string()),
            extraArgs: args.optional(),
            extraVolumes: z.array(hostPathMount).optional(),
            ...(v4 ? {} : { timeoutForControlPlane: duration.optional() }),
        }),
        controllerManager: control,
        scheduler: control,
        etcd: z.union([
            z.strictObject({ local: z.strictObject({ dataDir: z.string(), extraArgs: args.optional(), serverCertSANs: z.array(z.string()).optional(), peerCertSANs: z.array(z.string()).optional() }) }),
            z.strictObject({ external: z.strictObject({ endpoints: z.array(z.url()), caFile: z.string(), certFile: z.string(), keyFile: z.string() }) }),
        ]),
    });
    const join = z.strictObject({
        apiVersion,
        kind: z.literal("JoinConfiguration"),
        discovery: z.strictObject({
            bootstrapToken: z.strictObject({
                apiServerEndpoint: z.string(),
                token: z.string(),
                caCertHashes: z.array(z.string().regex(/^sha256:[0-9a-f]{64}$/)).min(1),
            }),
            ...(v4 ? {} : { timeout: duration.optional() }),
        }),
        nodeRegistration,
        controlPlane: z.strictObject({ localAPIEndpoint: endpoint, certificateKey: z.string().optional() }).optional(),
        ...(v4 ? { timeouts: timeouts.optional() } : {}),
    });
    return { init, cluster, join };
}

const kubelet = z.strictObject({
    apiVersion: z.literal("kubelet.config.k8s.io/v1beta1"),
    kind: z.literal("KubeletConfiguration"),
    cgroupDriver: z.enum(["systemd", "cgroupfs"]),
    maxPods: z.int().max(110),
    rotateCertificates: z.boolean(),
    // kubelet.config.k8s.io/v1beta1 KubeletConfiguration.ServerTLSBootstrap (bool): serving cert via a CSR.
    serverTLSBootstrap: z.boolean(),
    authentication: z.strictObject({ anonymous: z.strictObject({ enabled: z.boolean() }), webhook: z.strictObject({ enabled: z.boolean() }) }),
    authorization: z.strictObject({ mode: z.enum(["Webhook", "AlwaysAllow"]) }),
    // KubeletConfiguration.ShutdownGracePeriod / ShutdownGracePeriodCriticalPods (metav1.Duration, GracefulNodeShutdown).
    shutdownGracePeriod: duration,
    shutdownGracePeriodCriticalPods: duration,
}).refine((k) => seconds(k.shutdownGracePeriodCriticalPods) < seconds(k.shutdownGracePeriod), { message: "critical pods' share must be less than the whole grace period" });

const v1beta4 = shapes(true);
const v1beta3 = shapes(false);

/** Validates each document of a kubeadm config against the version's schema; throws on mismatch. */
export function checkDocuments(docs: Record<string, unknown>[]): void {
    for (const doc of docs) {
        const s = doc.apiVersion === "kubeadm.k8s.io/v1beta4" ? v1beta4 : v1beta3;
        switch (doc.kind) {
            case "InitConfiguration":
                s.init.parse(doc);
                break;
            case "ClusterConfiguration":
                s.cluster.parse(doc);
                break;
            case "JoinConfiguration":
                s.join.parse(doc);
                break;
            case "KubeletConfiguration":
                kubelet.parse(doc);
                break;
            default:
                throw new Error(`unexpected kind ${String(doc.kind)}`);
        }
    }
}
