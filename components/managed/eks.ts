/** Placeholder until this platform lands: refuses clearly, before any resource is created. */
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../../config/spec";
import type { ClusterOutputs } from "../outputs";

export interface EksClusterArgs {
    readonly spec: ClusterSpec;
}

export class EksCluster extends pulumi.ComponentResource implements ClusterOutputs {
    readonly endpoint!: pulumi.Output<string>;
    readonly kubeconfig!: pulumi.Output<string>;
    readonly nodes!: ClusterOutputs["nodes"];
    readonly failureTolerance!: ClusterOutputs["failureTolerance"];
    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hacluster:managed:Cluster", name, {}, opts);
        throw new pulumi.ResourceError(`${args.spec.family} clusters on ${args.spec.platform} are not available in this version`, this);
    }
}
