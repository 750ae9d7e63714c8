/**
 * Picks the platform component for a spec. The platform's module is imported only when chosen,
 * so a stack type-checks and loads only its own cloud provider.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../config/spec";
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
    if (spec.family === "managed") {
        switch (spec.platform) {
            case "aws":
                return new (await import("./managed/eks")).EksCluster(name, { spec }, opts);
            case "gcp":
                return new (await import("./managed/gke")).GkeCluster(name, { spec }, opts);
            case "azure":
                return new (await import("./managed/aks")).AksCluster(name, { spec }, opts);
            case "onprem":
                throw new Error("managed clusters need a cloud platform"); // refused by the config already
        }
    }
    switch (spec.platform) {
        case "onprem": {
            const { OnPremCluster } = await import("./onprem");
            return new OnPremCluster(name, { spec, ...(options.sshPrivateKey !== undefined ? { sshPrivateKey: options.sshPrivateKey } : {}) }, opts);
        }
        case "aws":
            return new (await import("./aws")).AwsCluster(name, { spec }, opts);
        case "gcp":
            return new (await import("./gcp")).GcpCluster(name, { spec }, opts);
        case "azure":
            return new (await import("./azure")).AzureCluster(name, { spec }, opts);
        default: {
            const never: never = spec.platform;
            throw new Error(`unknown platform ${String(never)}`);
        }
    }
}
