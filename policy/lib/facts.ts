/**
 * The HA facts every hacluster cluster component records as its inputs
 * (`components/outputs.ts` `clusterFacts`; the shapes are kept equal by a compile-time test).
 * Policies read these instead of re-deriving the topology from machines, which differ per cloud.
 */
import type { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { isClusterComponent, isObject } from "./engine";

export interface ClusterFacts {
    readonly profile: string;
    readonly platform: string;
    readonly family: string;
    readonly controlPlanes: { readonly count: number; readonly zones: readonly string[] };
    readonly etcd: { readonly topology: string; readonly members: number; readonly zones: readonly string[] };
    readonly endpoint: { readonly kind: string; readonly healthCheck: string | null };
}

/**
 * The facts of a cluster component, or undefined when the resource is not one (the policy is then
 * not applicable). A cluster component without facts is a violation: every HA rule would pass
 * it silently otherwise.
 */
export function clusterFacts(args: ResourceValidationArgs, report: ReportViolation): ClusterFacts | undefined {
    // `hacluster:<platform>:Cluster`, or any hacluster component recording facts (`hacluster:managed:Eks`).
    const hacluster = args.type.startsWith("hacluster:");
    if (!isClusterComponent(args.type) && !(hacluster && args.props.facts !== undefined)) {
        args.notApplicable("applies to hacluster cluster components only");
    }
    const facts: unknown = args.props.facts;
    if (!isObject(facts) || !isObject(facts.controlPlanes) || !isObject(facts.etcd) || !isObject(facts.endpoint)) {
        report(
            `cluster ${args.name} (${args.type}) records no HA facts, so its shape cannot be checked. ` +
                "Fix: pass clusterFacts(spec, topology) as the component's inputs, and do not set PULUMI_NODEJS_SKIP_COMPONENT_INPUTS",
        );
        return undefined;
    }
    return facts as unknown as ClusterFacts;
}

/** Applies to self-managed clusters only: a managed control plane's size and spread are the provider's. */
export function selfManaged(args: ResourceValidationArgs, facts: ClusterFacts): void {
    if (facts.family === "managed") args.notApplicable(`cluster ${args.name} is managed: the provider runs its control plane and etcd`);
}

export function countBy(values: readonly string[]): Map<string, number> {
    const m = new Map<string, number>();
    for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
    return m;
}

export function plural(n: number, one: string, many = `${one}s`): string {
    return `${n} ${n === 1 ? one : many}`;
}
