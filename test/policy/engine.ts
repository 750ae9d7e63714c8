/**
 * A tiny stand-in for the Pulumi engine's side of a policy run, over synth plans.
 *
 * It does what the engine and @pulumi/policy's analyzer server do for each resource: marshal the
 * inputs with secrets kept (`{ <sig>: <secret sig>, value }`) and unknowns as sentinels, run every
 * remediation of a policy at level `remediate` (props deserialized with secrets as `Secret`
 * objects) and carry their results forward, then run the validations (props deserialized with
 * secrets unwrapped), both behind the SDK's unknown-checking proxy. Deserialization and proxies are
 * the SDK's own code, so a rule sees exactly what it sees under `pulumi preview --policy-pack`.
 *
 * A plan's `"[secret]"` becomes a secret holding the text `"[secret]"`; `"[unknown]"` an unknown.
 */
import type {
    EnforcementLevel,
    Policies,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationPolicy,
} from "@pulumi/policy";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import type { Plan, PlanResource } from "../../synth/synth";

// The analyzer server's internals (not in the SDK's typings).
/* eslint-disable @typescript-eslint/no-require-imports */
const deserialize = require("@pulumi/policy/deserialize") as {
    deserializeProperties(struct: { toJavaScript(): unknown }, proxySecrets: boolean): Record<string, any>;
    serializeProperties(obj: unknown): Promise<unknown>;
};
const proxy = require("@pulumi/policy/proxy") as {
    unknownCheckingProxy<T>(v: T): T;
    UnknownValueError: new (...args: unknown[]) => Error;
    unknownStringValue: string;
    [k: string]: unknown;
};
/* eslint-enable @typescript-eslint/no-require-imports */

export const SECRET = "[secret]";
const UNKNOWN = "[unknown]";

/** The SDK's unknown sentinels (to compare with the pack's copy). */
export function sdkUnknownSentinels(): string[] {
    return Object.entries(proxy)
        .filter(([k, v]) => /^unknown[A-Z]\w*Value$/.test(k) && typeof v === "string")
        .map(([, v]) => v as string);
}

/** Plan inputs → the engine's wire form (secrets kept, unknowns as sentinels). */
export function toWire(v: unknown): unknown {
    if (v === SECRET) return { [specialSigKey]: specialSecretSig, value: SECRET };
    if (v === UNKNOWN) return proxy.unknownStringValue;
    if (Array.isArray(v)) return v.map(toWire);
    if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toWire(x)]));
    return v;
}

/** Whether the wire value at `path` is a secret. */
export function wireIsSecret(wire: unknown, path: readonly (string | number)[]): boolean {
    let v: unknown = wire;
    for (const seg of path) {
        if (typeof v !== "object" || v === null) return false;
        if ((v as Record<string, unknown>)[specialSigKey] === specialSecretSig) return true;
        v = (v as Record<string | number, unknown>)[seg];
    }
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[specialSigKey] === specialSecretSig;
}

interface Violation {
    readonly policy: string;
    readonly resource: string;
    readonly urn: string;
    readonly message: string;
    readonly enforcementLevel: EnforcementLevel;
}

interface Remediation {
    readonly policy: string;
    readonly resource: string;
    /** The resource's inputs after the remediation, in wire form. */
    readonly props: Record<string, unknown>;
}

export interface Outcome {
    readonly violations: Violation[];
    readonly remediations: Remediation[];
    /** `<policy> <resource>` → reason, for every policy that declared itself not applicable. */
    readonly notApplicable: Map<string, string>;
    /** Advisories the server emits when a value is unknown during preview. */
    readonly unknown: Violation[];
}

/** Per-policy config as in a policy config file: `{ <policy>: { enforcementLevel?, ...props } }`. */
export type PackConfig = Readonly<Record<string, { readonly enforcementLevel?: EnforcementLevel; readonly [k: string]: unknown }>>;

class NotApplicable extends Error {
    constructor(readonly reason: string) {
        super(reason);
    }
}

function isResourcePolicy(p: ResourceValidationPolicy | StackValidationPolicy): p is ResourceValidationPolicy {
    return !("validateStack" in p);
}

/** The URN the engine gives a plan resource (parent types chained with `$`, the stack left out). */
export function urnOf(plan: Plan, r: PlanResource): string {
    const byName = new Map(plan.resources.map((x) => [x.name, x]));
    const types: string[] = [];
    for (let p: PlanResource | undefined = r; p; p = p.parent ? byName.get(p.parent) : undefined) types.unshift(p.type);
    return `urn:pulumi:${plan.stack}::${plan.project}::${types.join("$")}::${r.name}`;
}

const STACK_TAGS: ReadonlyMap<string, string> = new Map();

function argsFor(
    r: PlanResource,
    urn: string,
    parentUrn: string | undefined,
    props: Record<string, any>,
    config: Record<string, unknown>,
): ResourceValidationArgs {
    const opts: PolicyResourceOptions = {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(parentUrn ? { parent: parentUrn } : {}),
    };
    return {
        type: r.type,
        props,
        urn,
        name: r.name,
        opts,
        stackTags: STACK_TAGS,
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason ?? "Policy does not apply");
        },
    };
}

const struct = (wire: unknown) => ({ toJavaScript: () => wire });

/**
 * Runs `policies` (in order, as one pack) over every resource of `plan`: remediations first, then
 * validations on the remediated inputs, per resource, like the engine.
 */
export async function analyze(plan: Plan, policies: Policies, config: PackConfig = {}, packLevel: EnforcementLevel = "mandatory"): Promise<Outcome> {
    const out: Outcome = { violations: [], remediations: [], notApplicable: new Map(), unknown: [] };
    const byName = new Map(plan.resources.map((x) => [x.name, x]));
    const resourcePolicies = policies.filter(isResourcePolicy);
    for (const r of plan.resources) {
        const urn = urnOf(plan, r);
        const parent = r.parent ? byName.get(r.parent) : undefined;
        const parentUrn = parent ? urnOf(plan, parent) : undefined;
        let wire = toWire(r.inputs) as Record<string, unknown>;
        const levelOf = (p: ResourceValidationPolicy): EnforcementLevel => config[p.name]?.enforcementLevel ?? p.enforcementLevel ?? packLevel;
        const cfgOf = (p: ResourceValidationPolicy): Record<string, unknown> => {
            const { enforcementLevel: _ignored, ...props } = config[p.name] ?? {};
            return props;
        };
        // Pass 1: remediations (only policies at level remediate).
        for (const p of resourcePolicies) {
            if (levelOf(p) !== "remediate" || !p.remediateResource) continue;
            const props = proxy.unknownCheckingProxy(deserialize.deserializeProperties(struct(wire), true));
            try {
                const result = await p.remediateResource(argsFor(r, urn, parentUrn, props, cfgOf(p)));
                if (result) {
                    wire = (await deserialize.serializeProperties(result)) as Record<string, unknown>;
                    out.remediations.push({ policy: p.name, resource: r.name, props: wire });
                }
            } catch (e) {
                if (e instanceof NotApplicable) out.notApplicable.set(`${p.name} ${r.name}`, e.reason);
                else throw e;
            }
        }
        // Pass 2: validations.
        for (const p of resourcePolicies) {
            let level = levelOf(p);
            if (level === "disabled" || !p.validateResource) continue;
            if (level === "remediate") level = "mandatory"; // a violation left after remediation blocks
            const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
            for (const validate of validations) {
                const props = proxy.unknownCheckingProxy(deserialize.deserializeProperties(struct(wire), false));
                const report: ReportViolation = (message) => out.violations.push({ policy: p.name, resource: r.name, urn, message, enforcementLevel: level });
                try {
                    await validate(argsFor(r, urn, parentUrn, props, cfgOf(p)), report);
                } catch (e) {
                    if (e instanceof NotApplicable) out.notApplicable.set(`${p.name} ${r.name}`, e.reason);
                    else if (e instanceof proxy.UnknownValueError) {
                        out.unknown.push({ policy: p.name, resource: r.name, urn, message: `can't run during preview: ${e.message}`, enforcementLevel: "advisory" });
                    } else throw e;
                }
            }
        }
    }
    return out;
}

/** A deep copy of a plan to mutate. */
export function clonePlan(plan: Plan): Plan {
    return JSON.parse(JSON.stringify(plan)) as Plan;
}

/** The resource named `name` (throws when absent, so a test never mutates nothing). */
export function resource(plan: Plan, name: string): PlanResource {
    const r = plan.resources.find((x) => x.name === name);
    if (!r) throw new Error(`no resource ${name} in plan ${plan.stack}`);
    return r;
}

/** The cluster component of a plan. */
export function clusterOf(plan: Plan): PlanResource {
    const r = plan.resources.find((x) => /^hacluster:[^:]+:Cluster$/.test(x.type));
    if (!r) throw new Error(`no cluster component in plan ${plan.stack}`);
    return r;
}

/** Adds a resource (as a child of the cluster component unless `parent` says otherwise). */
export function addResource(plan: Plan, type: string, name: string, inputs: Record<string, unknown>, parent: string | null = clusterOf(plan).name): Plan {
    (plan.resources as PlanResource[]).push({ type, name, parent, dependsOn: [], inputs });
    return plan;
}

/** A plan holding the given resources only, for rules over single cloud resources. */
export function planOf(...resources: { type: string; name: string; inputs: Record<string, unknown> }[]): Plan {
    return { project: "hacluster", stack: "test", outputs: {}, resources: resources.map((r) => ({ ...r, parent: null, dependsOn: [] })) };
}

/** Messages of one policy, in order. */
export function messages(o: Outcome, policy: string): string[] {
    return o.violations.filter((v) => v.policy === policy).map((v) => v.message);
}
