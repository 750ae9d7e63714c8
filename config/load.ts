/**
 * Stack config → validated {@link ClusterSpec}, or a {@link ConfigError} listing every problem.
 * Structural problems (types, unknown keys, formats) come from the zod schema; cross-field
 * problems from `validate`. Both are phrased `<path>: <message>. Fix: <fix>`.
 */
import type { z } from "zod";
import { buildSpec } from "./build";
import { ConfigError, show, type Problem } from "./errors";
import { StackConfigSchema, type ClusterConfig } from "./schema";
import type { ClusterSpec } from "./spec";
import { validate, type ValidationContext } from "./validate";

export interface LoadResult {
    readonly spec: ClusterSpec;
    readonly warnings: readonly Problem[];
}

function joinPath(path: readonly PropertyKey[]): string {
    return path.reduce<string>((acc, seg) => (typeof seg === "number" ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)), "");
}

const TYPE_FIX: Record<string, string> = {
    string: "write it as text",
    number: "write it as a number without quotes",
    boolean: "write true or false",
    array: "write it as a YAML list",
    object: "write it as a YAML mapping",
};

/** Turns one zod issue into a {@link Problem} (zod texts in the schema carry `message|fix`). */
function fromIssue(issue: z.core.$ZodIssue): Problem[] {
    const path = joinPath(issue.path);
    const got = "input" in issue ? ` (got ${show(issue.input)})` : "";
    switch (issue.code) {
        case "unrecognized_keys":
            return issue.keys.map((key) => ({
                path: path ? `${path}.${key}` : key,
                message: "is not a known setting",
                fix: "remove it or check its spelling against the configuration reference in README.md",
            }));
        case "invalid_type":
            if (issue.input === undefined) {
                return [{ path, message: `is required (got nothing)`, fix: `set it (${issue.expected})` }];
            }
            return [{ path, message: `must be ${issue.expected === "int" ? "a whole number" : `a ${issue.expected}`}${got}`, fix: TYPE_FIX[issue.expected] ?? `use a ${issue.expected}` }];
        default: {
            const [message, fix] = issue.message.split("|");
            return [{ path, message: `${message}${got}`, fix: fix ?? "see the configuration reference in README.md" }];
        }
    }
}

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
    const defined = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
    const parsed = StackConfigSchema.safeParse(defined, { reportInput: true });
    if (!parsed.success) {
        throw new ConfigError(parsed.error.issues.flatMap(fromIssue));
    }
    const { cluster, profile, platform, family } = parsed.data;
    const cfg: ClusterConfig = { ...cluster, profile, platform, family };
    const rawCluster = typeof raw.cluster === "object" && raw.cluster !== null ? (raw.cluster as Record<string, unknown>) : undefined;
    const { problems, warnings } = validate(cfg, ctx, rawCluster);
    if (problems.length > 0) throw new ConfigError(problems, warnings);
    return { spec: buildSpec(cfg, ctx.stack), warnings };
}
