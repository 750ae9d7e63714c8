/** Stack outputs every platform component exposes, derived in one place. */
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../config/spec";
import type { FailureTolerance, Role, Topology } from "./topology";

export interface NodeSummary {
    readonly name: string;
    readonly role: Role;
    readonly zone: string;
    readonly address?: string;
    /** Set for a scaling-group pool: its size. */
    readonly count?: number;
}

export interface ClusterOutputs {
    /** `https://<address or name>:<port>`: where kubectl connects from outside. */
    readonly endpoint: pulumi.Output<string>;
    /** Admin kubeconfig pointing at {@link endpoint}. Secret. */
    readonly kubeconfig: pulumi.Output<string>;
    readonly nodes: pulumi.Output<NodeSummary[]>;
    readonly failureTolerance: pulumi.Output<FailureTolerance>;
}

export interface OutputsInput {
    readonly spec: ClusterSpec;
    readonly topology: Topology;
    /** admin.conf as read from the first control plane (secret). */
    readonly rawKubeconfig: pulumi.Output<string>;
    /** Overrides the address used from outside (e.g. a cloud load balancer's DNS name). */
    readonly externalAddress?: pulumi.Input<string>;
}

export function clusterOutputs(input: OutputsInput): ClusterOutputs {
    const t = input.topology;
    const address = pulumi.output(input.externalAddress ?? t.endpoint.address ?? t.endpoint.host);
    const endpoint = pulumi.interpolate`https://${address}:${t.endpoint.port}`;
    const kubeconfig = pulumi.secret(
        pulumi.all([input.rawKubeconfig, endpoint]).apply(([raw, url]) => raw.replace(/^(\s*server:\s*).*$/m, `$1${url}`)),
    );
    return {
        endpoint,
        kubeconfig,
        nodes: pulumi.output(t.nodes.map((n) => ({ name: n.name, role: n.role, zone: n.zone, address: n.address }))),
        failureTolerance: pulumi.output(t.tolerance),
    };
}
