/**
 * Setting names a user may have misspelt: the keys of the project's config namespace
 * (`hacluster:<key>`) and the settings under `hacluster:cluster`, each unknown one reported with
 * the nearest known name.
 */
import type { z } from "zod";
import type { Problem } from "./errors";

/** Edit distance with transpositions (optimal string alignment), case-insensitive letters counted as one edit. */
function editDistance(a: string, b: string): number {
    const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.length][b.length];
}

/** The known name nearest to `name`, if it is near enough to be a typo of it. */
function nearest(name: string, known: readonly string[]): string | undefined {
    let best: { name: string; distance: number } | undefined;
    for (const k of known) {
        const distance = name.toLowerCase() === k.toLowerCase() ? 0.5 : editDistance(name, k);
        if (!best || distance < best.distance) best = { name: k, distance };
    }
    if (!best) return undefined;
    return best.distance <= Math.max(1, Math.floor(Math.min(name.length, best.name.length) / 3)) ? best.name : undefined;
}

/** The problem for an unknown setting at `path` (`hacluster:x` or `cluster.a.b`), with a did-you-mean when one is near. */
export function unknownSetting(path: string, key: string, known: readonly string[], prefix: string, otherwise: string): Problem {
    const near = nearest(key, known);
    return { path, message: "is not a known setting", fix: near ? `did you mean ${prefix}${near}? Otherwise remove it` : otherwise };
}

/** The project's own keys in its namespace. */
const NAMESPACE_KEYS = ["profile", "platform", "family", "cluster"] as const;

/**
 * Keys of the `hacluster:` namespace that nothing reads: every key but the four settings and
 * the secret key `cluster.ssh.privateKeySecret` names.
 */
export function unknownNamespaceKeys(keys: readonly string[], secretKey: string | undefined): Problem[] {
    const known = [...NAMESPACE_KEYS, ...(secretKey ? [secretKey] : [])];
    return keys
        .filter((k) => !known.includes(k))
        .map((k) =>
            unknownSetting(`hacluster:${k}`, k, known, "hacluster:", "remove it; the project reads hacluster:profile, platform, family and cluster, and the key cluster.ssh.privateKeySecret names"),
        );
}

type AnySchema = z.core.$ZodType;

/** The schema at `path` inside `schema` (through defaults, optionals, pipes, arrays and records), unwrapped. */
function schemaAt(schema: AnySchema, path: readonly PropertyKey[]): AnySchema | undefined {
    let s: AnySchema | undefined = schema;
    const unwrap = () => {
        for (;;) {
            const def = s?._zod.def as { type: string; innerType?: AnySchema; in?: AnySchema } | undefined;
            if (def && "innerType" in def && def.innerType) s = def.innerType;
            else if (def?.type === "pipe" && def.in) s = def.in;
            else return;
        }
    };
    for (const seg of path) {
        unwrap();
        const def = s?._zod.def as { type: string; shape?: Record<string, AnySchema>; element?: AnySchema; valueType?: AnySchema } | undefined;
        if (!def?.type) return undefined;
        if (def.type === "object" && typeof seg === "string") s = def.shape && Object.hasOwn(def.shape, seg) ? def.shape[seg] : undefined;
        else if (def.type === "array" && typeof seg === "number") s = def.element;
        else if (def.type === "record" && typeof seg === "string") s = def.valueType;
        else return undefined;
    }
    unwrap();
    return s;
}

/** The object schema's keys at `path` inside `schema`. */
export function knownKeysAt(schema: AnySchema, path: readonly PropertyKey[]): string[] {
    const def = schemaAt(schema, path)?._zod.def as { type: string; shape?: Record<string, AnySchema> } | undefined;
    return def?.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

/** Whether the schema expects a list at `path`. */
export function isListAt(schema: AnySchema, path: readonly PropertyKey[]): boolean {
    return schemaAt(schema, path)?._zod.def.type === "array";
}
