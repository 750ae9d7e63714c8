/**
 * The cluster as a multi-language Pulumi component (`PulumiPlugin.yaml` beside this file): a
 * Python, Go, .NET, Java or YAML stack gets `hacluster:index:HaCluster`, built by the same
 * validation, topology, renderers and platform components as this project's own stacks.
 *
 * The cluster description is the `hacluster:cluster` object of a stack file, passed as JSON:
 * the same keys, the same defaults, the same collected errors (every mistake at once, with its
 * path and fix). It is not spelled out property by property in the package schema because the
 * config schema is a tree of unions (platform, family, endpoint kind, etcd topology) that the
 * schema generator cannot express; the JSON is validated as strictly as a stack file is.
 *
 * The Pulumi CLI runs this module as the package's provider: its Node.js plugin host finds the
 * exported component class and serves it (`@pulumi/pulumi/cmd/run-plugin`), with the schema
 * generated from the TypeScript types and doc comments below. Importing it does nothing else.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, formatProblem, loadSpec, type RawStackConfig } from "../config";
import { createCluster } from "../components/cluster";

export interface HaClusterArgs {
    /** `learning`, `dev` or `ha`: the purpose, which sets defaults and how strict validation is. */
    profile: string;
    /** `onprem`, `aws`, `gcp` or `azure`. Default `onprem`. */
    platform?: string;
    /** `self-managed` (kubeadm) or `managed` (EKS, GKE, AKS). Default `self-managed`. */
    family?: string;
    /**
     * The cluster, as the `hacluster:cluster` object of a stack file, in JSON (README,
     * "Configuration reference"). Its `name` defaults to the component's name.
     */
    clusterJson: string;
    /**
     * On-prem: the SSH private key for the hosts (mark it secret in your program; it is kept
     * secret here either way). Required when the cluster sets `ssh.privateKeySecret`.
     */
    sshPrivateKey?: pulumi.Input<string>;
}

export class HaCluster extends pulumi.ComponentResource {
    /** `https://<address or name>:<port>`: where kubectl connects. */
    public readonly endpoint: pulumi.Output<string>;
    /** Admin kubeconfig (secret). */
    public readonly kubeconfig: pulumi.Output<string>;
    /** The nodes by role and zone, as JSON (`[{ name, role, zone, address }]`). */
    public readonly nodesJson: pulumi.Output<string>;
    /** What may be lost without losing the cluster, as JSON (zones, etcd members, LB hosts, API servers). */
    public readonly failureToleranceJson: pulumi.Output<string>;
    /** Self-managed clouds: where etcd snapshots are uploaded (`s3://…`, `gs://…`, `https://….blob.core.windows.net/…`); empty elsewhere. */
    public readonly etcdBackupStore: pulumi.Output<string>;

    constructor(name: string, args: HaClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hacluster:index:HaCluster", name, {}, opts);
        const spec = specOf(name, args);
        const key = args.sshPrivateKey === undefined ? undefined : pulumi.secret(args.sshPrivateKey);
        const cluster = pulumi.output(createCluster(name, spec, key ? { sshPrivateKey: key } : {}, { parent: this }));
        this.endpoint = cluster.apply((c) => c.endpoint);
        this.kubeconfig = pulumi.secret(cluster.apply((c) => c.kubeconfig));
        this.nodesJson = cluster.apply((c) => c.nodes).apply((n) => JSON.stringify(n));
        this.failureToleranceJson = cluster.apply((c) => c.failureTolerance).apply((t) => JSON.stringify(t));
        this.etcdBackupStore = cluster.apply((c) => c.etcdBackupStore ?? "");
        this.registerOutputs({
            endpoint: this.endpoint,
            kubeconfig: this.kubeconfig,
            nodesJson: this.nodesJson,
            failureToleranceJson: this.failureToleranceJson,
            etcdBackupStore: this.etcdBackupStore,
        });
    }
}

/** The validated spec, or every problem at once as one error (no stack trace for the user). */
function specOf(name: string, args: HaClusterArgs) {
    let cluster: unknown;
    try {
        cluster = JSON.parse(args.clusterJson);
    } catch (e) {
        throw new pulumi.RunError(`hacluster: clusterJson is not JSON (${(e as Error).message}). Fix: pass the hacluster:cluster object of a stack file, serialized with your language's JSON encoder`);
    }
    if (typeof cluster !== "object" || cluster === null || Array.isArray(cluster)) {
        throw new pulumi.RunError("hacluster: clusterJson must be a JSON object. Fix: pass the hacluster:cluster object of a stack file");
    }
    const raw: RawStackConfig = { profile: args.profile, platform: args.platform, family: args.family, cluster: { name, ...cluster } };
    const privateKeySecret = (cluster as { ssh?: { privateKeySecret?: unknown } }).ssh?.privateKeySecret;
    const problems: string[] = [];
    if (privateKeySecret !== undefined && args.sshPrivateKey === undefined) {
        problems.push("sshPrivateKey: cluster.ssh.privateKeySecret is set but no key was passed. Fix: pass the key as the sshPrivateKey input (a secret)");
    }
    try {
        // The key named by privateKeySecret is this component's sshPrivateKey input, kept secret above.
        const { spec, warnings } = loadSpec(raw, { stack: pulumi.getStack(), configKey: () => "secret" });
        for (const w of warnings) pulumi.log.warn(formatProblem(w));
        if (problems.length === 0) return spec;
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        problems.unshift(e.message);
    }
    throw new pulumi.RunError(problems.join("\n"));
}
