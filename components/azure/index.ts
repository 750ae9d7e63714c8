/** Placeholder until this platform lands: refuses clearly, before any resource is created. */
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../../config/spec";
import type { ClusterOutputs } from "../outputs";

export interface AzureClusterArgs {
    readonly spec: ClusterSpec;
}

export class AzureCluster extends pulumi.ComponentResource implements ClusterOutputs {
    readonly endpoint!: pulumi.Output<string>;
    readonly kubeconfig!: pulumi.Output<string>;
    readonly nodes!: ClusterOutputs["nodes"];
    readonly failureTolerance!: ClusterOutputs["failureTolerance"];
    constructor(name: string, args: AzureClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hacluster:azure:Cluster", name, {}, opts);
        throw new pulumi.ResourceError(`${args.spec.family} clusters on ${args.spec.platform} are not available in this version`, this);
    }
}
