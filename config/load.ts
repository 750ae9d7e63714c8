/**
 * Stack config → validated {@link ClusterSpec}, or a {@link ConfigError} listing every problem.
 * Structural problems (types, unknown keys, formats) come from the zod schema; cross-field
 * problems from `validate`; unknown keys of the `hacluster:` namespace from `keys.ts`. All are
 * phrased `<path>: <message>. Fix: <fix>`.
 */
import type { z } from "zod";
import { buildSpec } from "./build";
import { ConfigError, joinPath, show, type Problem } from "./errors";
import { isListAt, knownKeysAt, unknownNamespaceKeys, unknownSetting } from "./keys";
import { StackConfigSchema, type ClusterConfig } from "./schema";
import type { ClusterSpec } from "./spec";
import { validate, type ValidationContext } from "./validate";

export interface LoadResult {
    readonly spec: ClusterSpec;
    readonly warnings: readonly Problem[];
}

/** Example values for a text field that YAML read as a number (an unquoted `1.30`). */
const QUOTED_EXAMPLES: readonly [RegExp, string][] = [
    [/kubernetes\.version$/, 'put the full release in quotes, e.g. version: "1.34.2"'],
    [/etcd\.version$/, 'put the full release in quotes, e.g. version: "3.5.16"'],
];

function wrongType(path: string, issue: z.core.$ZodIssueInvalidType): Problem {
    const input = issue.input;
    const [custom, customFix] = issue.message.includes("|") ? issue.message.split("|") : [undefined, undefined];
    if (issue.expected === "string" && (typeof input === "number" || typeof input === "boolean")) {
        const what = typeof input === "number" ? "a number" : "a boolean";
        const zeros = typeof input === "number" && !Number.isInteger(input) ? ", which drops trailing zeros (1.30 reads as 1.3)" : "";
        const fix = QUOTED_EXAMPLES.find(([re]) => re.test(path))?.[1] ?? `put it in quotes: "${String(input)}"`;
        return { path, message: `must be quoted text, but YAML read the unquoted ${String(input)} as ${what}${zeros}`, fix };
    }
    const got = ` (got ${show(input)})`;
    const quotedNumber = typeof input === "string" && input.trim() !== "" && Number.isFinite(Number(input));
    if (custom !== undefined) {
        return { path, message: `${custom}${got}`, fix: quotedNumber && /number/.test(custom) ? `write ${input.trim()} without quotes` : (customFix ?? "see the configuration reference in README.md") };
    }
    switch (issue.expected) {
        case "object":
            return { path, message: `must be a mapping of settings${got}`, fix: "write it as an indented block of key: value lines" };
        case "record":
        case "map":
            return { path, message: `must be a mapping of names to values${got}`, fix: "write it as an indented block of name: value lines" };
        case "array":
            return { path, message: `must be a list${got}`, fix: 'write it as a YAML list, one "- " line per entry' };
        case "string":
            return { path, message: `must be text${got}`, fix: "write it as text" };
        case "number":
        case "int":
            return { path, message: `must be a number${got}`, fix: quotedNumber ? `write ${String(input).trim()} without quotes` : "write it as a number without quotes" };
        case "boolean":
            return { path, message: `must be true or false${got}`, fix: "write true or false, without quotes" };
        default:
            return { path, message: `must be ${issue.expected}${got}`, fix: "see the configuration reference in README.md" };
    }
}

/** What a value of a zod type is, in the configuration reference's words. */
const KINDS: Readonly<Record<string, string>> = {
    string: "text",
    number: "a number",
    int: "a whole number",
    boolean: "true or false",
    object: "a mapping of settings",
    record: "a mapping of names to values",
    array: "a list",
};

/** Turns one zod issue into {@link Problem}s (zod texts in the schema carry `message|fix`). */
function fromIssue(issue: z.core.$ZodIssue): Problem[] {
    const path = joinPath(issue.path);
    switch (issue.code) {
        case "unrecognized_keys": {
            const known = knownKeysAt(StackConfigSchema, issue.path);
            const prefix = path ? `${path}.` : "";
            return issue.keys.map((key) => unknownSetting(joinPath([...issue.path, key]), key, known, prefix, "remove it or check its spelling against the configuration reference in README.md"));
        }
        case "invalid_type":
            if (issue.input === undefined) {
                const custom = issue.message.includes("|") ? issue.message.split("|")[1] : undefined;
                return [{ path, message: "is required (got nothing)", fix: custom ?? `set it (${KINDS[issue.expected] ?? issue.expected})` }];
            }
            return [wrongType(path, issue)];
        default: {
            const got = "input" in issue ? ` (got ${show(issue.input)})` : "";
            const [message, fix] = issue.message.split("|");
            return [{ path, message: `${message}${got}`, fix: fix ?? "see the configuration reference in README.md" }];
        }
    }
}

/** A list with empty entries (`null`): left by an index override past the end, or a bare `-` line. */
interface Holes {
    readonly path: readonly PropertyKey[];
    readonly indices: readonly number[];
    readonly length: number;
}

/**
 * Copies `value` without object keys set to null (YAML `key:` with nothing after it: unset),
 * noting lists that have empty entries.
 */
function withoutNulls(value: unknown, path: PropertyKey[], holes: Holes[], dropped: Problem[]): unknown {
    if (Array.isArray(value)) {
        const indices = value.flatMap((v, i) => (v === null || v === undefined ? [i] : []));
        // Only where a list belongs: junk elsewhere is reported as the wrong type it is.
        if (indices.length > 0 && isListAt(StackConfigSchema, path)) holes.push({ path, indices, length: value.length });
        return value.map((v, i) => withoutNulls(v, [...path, i], holes, dropped));
    }
    if (typeof value === "object" && value !== null) {
        // JSON makes `__proto__` an own key, but objects built from it would drop it silently.
        if (Object.hasOwn(value, "__proto__")) {
            dropped.push({ path: joinPath([...path, "__proto__"]), message: 'is not a usable name (got "__proto__")', fix: "remove it" });
        }
        const entries = Object.entries(value).filter(([k, v]) => v !== null && k !== "__proto__");
        return Object.fromEntries(entries.map(([k, v]) => [k, withoutNulls(v, [...path, k], holes, dropped)]));
    }
    return value;
}

function listOf(items: readonly string[]): string {
    return items.length === 1 ? items[0] : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function holeProblem(h: Holes): Problem {
    const entries = h.indices.map((i) => `[${i}]`);
    const which = entries.length === 1 ? `entry ${entries[0]} is empty (got null)` : `entries ${listOf(entries)} are empty (got null)`;
    const last = h.indices[h.indices.length - 1];
    if (last === h.length - 1) {
        return { path: joinPath(h.path), message: which, fix: "remove the empty entries, or give each its settings" };
    }
    return {
        path: joinPath(h.path),
        message: `${which}, ${entries.length === 1 ? "a hole" : "holes"} before entry [${last + 1}]`,
        fix: `give every entry its settings, or add entries at the next free index ([${h.indices[0]}] here) instead of past the end of the list`,
    };
}

const startsWith = (path: readonly PropertyKey[], prefix: readonly PropertyKey[]) => prefix.every((p, i) => path[i] === p);

/** The project's config keys as read from the stack (absent keys undefined). */
export interface RawStackConfig {
    /** `hacluster:profile`: `learning`, `dev` or `ha`. @default "ha" */
    readonly profile?: unknown;
    /** `hacluster:platform`: `onprem`, `aws`, `gcp` or `azure`. @default "onprem" */
    readonly platform?: unknown;
    /** `hacluster:family`: `self-managed` or `managed`. @default "self-managed" */
    readonly family?: unknown;
    /** `hacluster:cluster`: the details (see the configuration reference in README.md). */
    readonly cluster?: unknown;
}

/** Parses, validates and defaults the stack config. Throws {@link ConfigError} with every problem. */
export function loadSpec(raw: RawStackConfig, ctx: ValidationContext): LoadResult {
    const holes: Holes[] = [];
    const dropped: Problem[] = [];
    const defined = withoutNulls(
        Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== null)),
        [],
        holes,
        dropped,
    ) as Record<string, unknown>;
    const rawCluster = typeof defined.cluster === "object" && defined.cluster !== null && !Array.isArray(defined.cluster) ? (defined.cluster as Record<string, unknown>) : undefined;
    const secretKey = (rawCluster?.ssh as Record<string, unknown> | undefined)?.privateKeySecret;
    const keyProblems = ctx.keys ? unknownNamespaceKeys(ctx.keys, typeof secretKey === "string" ? secretKey : undefined) : [];
    const parsed = StackConfigSchema.safeParse(defined, { reportInput: true });
    if (!parsed.success) {
        // An empty entry is one problem of its list, not one per entry and per missing setting.
        const issues = parsed.error.issues.filter((i) => !holes.some((h) => h.indices.some((n) => startsWith(i.path, [...h.path, n]))));
        throw new ConfigError([...dropped, ...holes.map(holeProblem), ...issues.flatMap(fromIssue), ...keyProblems]);
    }
    const { cluster, profile, platform, family } = parsed.data;
    const cfg: ClusterConfig = { ...cluster, profile, platform, family };
    const { problems, warnings } = validate(cfg, ctx, rawCluster);
    if (dropped.length > 0 || problems.length > 0 || keyProblems.length > 0) throw new ConfigError([...dropped, ...problems, ...keyProblems], warnings);
    return { spec: buildSpec(cfg, ctx.stack), warnings };
}
