/**
 * Picks the platform component for a spec. The platform's module is imported only when chosen,
 * so a stack type-checks and loads only its own cloud provider.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../config/spec";
import type { ClusterOutputs } from "./outputs";

export interface CreateClusterOptions {
    /** SSH private key for on-prem hosts (secret). */
    readonly sshPrivateKey?: pulumi.Input<string>;
}

export async function createCluster(
    name: string,
    spec: ClusterSpec,
    options: CreateClusterOptions = {},
    opts?: pulumi.ComponentResourceOptions,
): Promise<ClusterOutputs> {
    if (spec.family === "managed") throw new Error("managed clusters are not available in this version");
    switch (spec.platform) {
        case "onprem": {
            const { OnPremCluster } = await import("./onprem");
            return new OnPremCluster(name, { spec, ...(options.sshPrivateKey !== undefined ? { sshPrivateKey: options.sshPrivateKey } : {}) }, opts);
        }
        case "aws":
        case "gcp":
        case "azure":
            throw new Error(`platform ${spec.platform} is not available in this version`);
        default: {
            const never: never = spec.platform;
            throw new Error(`unknown platform ${String(never)}`);
        }
    }
}
