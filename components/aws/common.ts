/** What the AWS building blocks share: the parent, names and tags. */
import type * as pulumi from "@pulumi/pulumi";
import type { SelfManagedCloudSpec } from "../../config/spec";
import { childName } from "../naming";
import type { Topology } from "../topology";
import { haTags } from "../tags";

/** Handed to every building block: resources are created as children of the cluster component. */
export interface AwsContext {
    readonly name: string;
    readonly spec: SelfManagedCloudSpec;
    readonly topo: Topology;
    readonly parent: pulumi.ComponentResource;
}

/** A child resource name (one tested function: naming.ts). */
export function n(ctx: AwsContext, ...parts: string[]): string {
    return childName(ctx.name, ...parts);
}

/** Tags on every resource: a `Name`, and the cluster ownership tag Kubernetes tooling looks for. */
export function tags(ctx: AwsContext, name: string, extra: Record<string, string> = {}): Record<string, string> {
    return { Name: name, [`kubernetes.io/cluster/${ctx.spec.name}`]: "owned", ...haTags("aws", { cluster: ctx.spec.name }), ...extra };
}

/** The API server port on each control plane (the NLB listener uses the endpoint's port). */
export const API_SERVER_PORT = 6443;
