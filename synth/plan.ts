/**
 * Wire format → plan: the monitor's raw registrations become `plan.json`'s resources (parents and
 * dependencies by name, object keys sorted, secrets `"[secret]"`, unknowns `"[unknown]"`,
 * resource references by name), and the written output is checked for secret values.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config/errors";
import { SECRET_PLACEHOLDER, type StackConfig } from "./config";
import { SIG, STACK_TYPE, type SynthMonitor } from "./monitor";

/** One resource in `plan.json`. */
export interface PlanResource {
    readonly type: string;
    readonly name: string;
    /** The parent's resource name; null at the top level (child of the stack). */
    readonly parent: string | null;
    /** Names of every dependency (explicit and from inputs), sorted, unique. */
    readonly dependsOn: string[];
    readonly inputs: Record<string, unknown>;
}

/** The content of `plan.json`. */
export interface Plan {
    readonly project: string;
    readonly stack: string;
    readonly resources: PlanResource[];
    readonly outputs: Record<string, unknown>;
}

/** True for errors whose message is meant for the user as is (config problems): no stack trace. */
export function isConfigError(e: unknown): e is Error {
    return e instanceof ConfigError || pulumi.RunError.isInstance(e) || (e instanceof Error && e.name === "ConfigError");
}


export function isObj(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function urnName(urn: string): string {
    const i = urn.lastIndexOf("::");
    return i < 0 ? urn : urn.slice(i + 2);
}

/** A secret string seen in the raw data, and where. */
export interface SecretSeen {
    readonly value: string;
    readonly where: string;
}

/** Secrets shorter than this are not searched for in the written files (too likely to collide). */
export const LEAK_MIN_LENGTH = 12;

export class Sanitizer {
    readonly secrets: SecretSeen[] = [];
    constructor(private readonly nameOf: (urn: string) => string) {}

    value(v: unknown, where: string): unknown {
        if (v === null || typeof v === "boolean" || typeof v === "number") return v;
        if (typeof v === "string") return v === SIG.unknown ? "[unknown]" : v;
        if (Array.isArray(v)) return v.map((x, i) => this.value(x, `${where}[${i}]`));
        if (!isObj(v)) return v === undefined ? null : String(v);
        const sig = v[SIG.key];
        if (sig !== undefined) {
            switch (sig) {
                case SIG.secret:
                    this.remember(v.value, where);
                    return "[secret]";
                case SIG.resource:
                    return this.nameOf(String(v.urn));
                case SIG.outputValue:
                    if (v.secret === true) {
                        this.remember(v.value, where);
                        return "[secret]";
                    }
                    return "value" in v ? this.value(v.value, where) : "[unknown]";
                case SIG.asset:
                    return `[asset ${String(v.path ?? v.uri ?? "text")}]`;
                case SIG.archive:
                    return `[archive ${String(v.path ?? v.uri ?? "assets")}]`;
                default:
                    break;
            }
        }
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(v).sort()) out[k] = this.value(v[k], where ? `${where}.${k}` : k);
        return out;
    }

    /**
     * Keeps secret atoms (tokens, passwords, keys given as one word) to check the output for.
     * Multi-line secret inputs (whole secret scripts) are not searched for: they are unique
     * texts, and their atoms come from resources whose outputs the monitor marked secret.
     */
    private remember(v: unknown, where: string): void {
        if (typeof v === "string" && v.length >= LEAK_MIN_LENGTH && v.length <= 4096 && !/\s/.test(v) && v !== SECRET_PLACEHOLDER) {
            this.secrets.push({ value: v, where });
        }
    }
}

export function buildPlan(cfg: StackConfig, monitor: SynthMonitor, sanitizer: Sanitizer): Plan {
    const resources: PlanResource[] = [];
    for (const r of monitor.registrations) {
        if (r.type === STACK_TYPE) continue;
        const parent = r.parentUrn ? monitor.lookup(r.parentUrn) : undefined;
        const parentName = !r.parentUrn || parent?.type === STACK_TYPE ? null : (parent?.name ?? urnName(r.parentUrn));
        const deps = [...new Set(r.dependencyUrns.map((u) => monitor.lookup(u)?.name ?? urnName(u)))].sort();
        resources.push({
            type: r.type,
            name: r.name,
            parent: parentName,
            dependsOn: deps,
            inputs: sanitizer.value(r.rawInputs, `resource ${r.name} (${r.type}) input`) as Record<string, unknown>,
        });
    }
    const outputs = (sanitizer.value(monitor.stackOutputs ?? {}, "stack output") ?? {}) as Record<string, unknown>;
    return { project: cfg.project, stack: cfg.stack, resources, outputs };
}


/** `plan.json`'s exact text: 2-space indentation and a trailing newline. */
export function planJson(plan: Plan): string {
    return `${JSON.stringify(plan, null, 2)}\n`;
}

export function checkLeaks(seen: readonly SecretSeen[], plan: Plan, nodes: Map<string, Record<string, string>>): void {
    const secrets = [...new Map(seen.map((s) => [s.value, s])).values()];
    if (secrets.length === 0) return;
    const texts: [string, string][] = [["plan.json", planJson(plan)]];
    for (const [node, files] of nodes) for (const [name, content] of Object.entries(files)) texts.push([`nodes/${node}/${name}`, content]);
    for (const s of secrets) {
        for (const [file, text] of texts) {
            if (text.includes(s.value)) {
                throw new Error(
                    `secret leak: the secret value of ${s.where} also appears in plain text in ${file}. ` +
                        `Pass it only through secret inputs (pulumi.secret), never inside a non-secret value`,
                );
            }
        }
    }
}
