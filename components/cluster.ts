/**
 * Picks the platform component for a spec. The platform's module is imported only when chosen,
 * so a stack type-checks and loads only its own cloud provider.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { CloudPlatform, ClusterSpec, ManagedClusterSpec, SelfManagedCloudSpec } from "../config/spec";
import type { ClusterOutputs } from "./outputs";

export interface CreateClusterOptions {
    /** SSH private key for on-prem hosts (secret). */
    readonly sshPrivateKey?: pulumi.Input<string>;
}

/**
 * Builds the cluster a spec describes with its platform's component, importing only that
 * platform's module (and so its cloud provider).
 * @param name cluster component name; prefixes every child resource's name
 * @param spec a validated spec from `loadSpec`
 * @param options platform inputs that are not config (the on-prem SSH key, a secret)
 * @param opts Pulumi resource options for the component (e.g. a provider or `parent`)
 */
export async function createCluster(
    name: string,
    spec: ClusterSpec,
    options: CreateClusterOptions = {},
    opts?: pulumi.ComponentResourceOptions,
): Promise<ClusterOutputs> {
    switch (spec.family) {
        case "self-managed": {
            if (spec.platform === "onprem") {
                const { OnPremCluster } = await import("./onprem");
                return new OnPremCluster(name, { spec, ...(options.sshPrivateKey !== undefined ? { sshPrivateKey: options.sshPrivateKey } : {}) }, opts);
            }
            const [path, exportName] = SELF_MANAGED[spec.platform];
            const Cluster = (await loadModule(path))[exportName] as PlatformCluster<SelfManagedCloudSpec>;
            return new Cluster(name, { spec }, opts);
        }
        case "managed": {
            const [path, exportName] = MANAGED[spec.platform];
            const Cluster = (await loadModule(path))[exportName] as PlatformCluster<ManagedClusterSpec>;
            return new Cluster(name, { spec }, opts);
        }
        default: {
            const never: never = spec;
            throw new Error(`unknown cluster family ${JSON.stringify((never as ClusterSpec).family)}`);
        }
    }
}

/** What a cloud platform module exports: a component class taking exactly its spec variant. */
type PlatformCluster<S extends ClusterSpec> = new (name: string, args: { readonly spec: S }, opts?: pulumi.ComponentResourceOptions) => ClusterOutputs;

/** Module and class per cloud, for each family. */
const SELF_MANAGED: Record<CloudPlatform, readonly [string, string]> = { aws: ["./aws", "AwsCluster"], gcp: ["./gcp", "GcpCluster"], azure: ["./azure", "AzureCluster"] };
const MANAGED: Record<CloudPlatform, readonly [string, string]> = { aws: ["./managed/eks", "EksCluster"], gcp: ["./managed/gke", "GkeCluster"], azure: ["./managed/aks", "AksCluster"] };

/**
 * Imports a platform module by a path TypeScript does not follow: `pulumi preview` type-checks
 * the program with ts-node, and a literal `import("./aws")` would make every stack type-check
 * every cloud provider (measured: 8.3 s and 0.8 GB for index.ts alone, against the on-prem
 * stack's own few hundred files). At run time only the chosen platform is loaded (and checked).
 */
function loadModule(path: string): Promise<Record<string, unknown>> {
    return import(path) as Promise<Record<string, unknown>>;
}
