/**
 * Stack file loading for the offline synth: `Pulumi.yaml` + `Pulumi.<stack>.yaml` + `--set`
 * overrides → the flat string map and secret key list the Pulumi runtime expects (what the CLI
 * hands a program in `PULUMI_CONFIG` / `PULUMI_CONFIG_SECRET_KEYS`).
 *
 * Mirrors the CLI where it matters for a synth:
 * - keys are `<namespace>:<key>`; keys declared in `Pulumi.yaml` without a namespace belong to
 *   the project;
 * - `Pulumi.yaml` declarations (`type`, `default`, `value`, `secret`) are applied and checked;
 * - `{ secure: ... }` values cannot be decrypted offline: they become the string `"[secret]"`
 *   and their key is a secret key (an object holding one is secret as a whole);
 * - structured values are passed as JSON strings, scalars as their string form.
 *
 * Every problem is collected and thrown at once as a {@link ConfigError}.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { ConfigError, show, type Problem } from "../config/errors";

/** The value a `{ secure: ... }` config value becomes offline. */
export const SECRET_PLACEHOLDER = "[secret]";

/** One `--set` (or programmatic) override. */
export interface ConfigSet {
    /** Full config key, e.g. `hacluster:cluster`. */
    readonly key: string;
    /** Path inside the key's value; empty to replace the whole value. */
    readonly path: readonly (string | number)[];
    readonly value: unknown;
}

/** The loaded configuration of one stack. */
export interface StackConfig {
    readonly project: string;
    readonly stack: string;
    readonly projectDir: string;
    /** Program entry relative to `projectDir`, found as `pulumi` finds it (see {@link programEntry}). */
    readonly main: string;
    /** Config values as plain data (secrets as `"[secret]"`), by full key, sorted. */
    readonly values: Readonly<Record<string, unknown>>;
    /** What the runtime receives: every value as a string (structured ones as JSON). */
    readonly config: Readonly<Record<string, string>>;
    readonly secretKeys: readonly string[];
}

export interface LoadStackConfigOptions {
    readonly projectDir: string;
    readonly stack: string;
    /** `--set` arguments, `path=value`. */
    readonly sets?: readonly string[];
    /**
     * Programmatic overrides applied after `sets`: config path (as for `--set`, without the
     * value) → any JSON value (e.g. a whole host list).
     */
    readonly overrides?: Readonly<Record<string, unknown>>;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Splits `a.b[0].c` / `a.b.0.c` into segments; numeric segments become numbers. */
export function splitConfigPath(p: string): (string | number)[] {
    const out: (string | number)[] = [];
    const re = /([^.[\]]+)|\[(\d+)\]|\["([^"]*)"\]/g;
    let last = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(p)) !== null) {
        const gap = p.slice(last, m.index);
        if (gap !== "" && gap !== ".") throw new Error(`bad config path ${JSON.stringify(p)}`);
        last = re.lastIndex;
        if (m[1] !== undefined) out.push(/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
        else if (m[2] !== undefined) out.push(Number(m[2]));
        else out.push(m[3]);
    }
    if (last !== p.length || out.length === 0) throw new Error(`bad config path ${JSON.stringify(p)}`);
    return out;
}

/** Parses a value the way `--set` does: a YAML scalar (`1000` → number, `true` → boolean), else a string. */
function parseSetValue(raw: string): unknown {
    if (raw.trim() === "") return raw;
    try {
        const v: unknown = YAML.parse(raw);
        if (v === null || typeof v === "number" || typeof v === "boolean" || typeof v === "string") return v;
    } catch {
        // not YAML: keep the text
    }
    return raw;
}

/**
 * Resolves a config path's first segment to a full key: `cluster.x` → `hacluster:cluster` + `[x]`,
 * `hacluster:cluster.x` as written, `profile` → `hacluster:profile`.
 */
function resolveConfigPath(p: string, project: string): { key: string; path: (string | number)[] } {
    const colon = p.indexOf(":");
    const firstSep = p.search(/[.[]/);
    let ns = project;
    let rest = p;
    if (colon > 0 && (firstSep < 0 || colon < firstSep)) {
        ns = p.slice(0, colon);
        rest = p.slice(colon + 1);
    }
    const segs = splitConfigPath(rest);
    const [head, ...tail] = segs;
    if (typeof head !== "string") throw new Error(`bad config path ${JSON.stringify(p)}: it must start with a key name`);
    return { key: `${ns}:${head}`, path: tail };
}

/** Parses one `--set path=value` argument. */
export function parseSet(arg: string, project: string): ConfigSet {
    const eq = arg.indexOf("=");
    if (eq <= 0) throw new Error(`--set ${JSON.stringify(arg)}: expected <path>=<value>, e.g. cluster.workers.count=3`);
    const { key, path: p } = resolveConfigPath(arg.slice(0, eq), project);
    return { key, path: p, value: parseSetValue(arg.slice(eq + 1)) };
}

/** Sets `value` at `p` inside `root` (copying nothing: callers pass their own data), creating containers. */
export function setAtPath(root: unknown, p: readonly (string | number)[], value: unknown): unknown {
    if (p.length === 0) return value;
    const [seg, ...rest] = p;
    let container: unknown = root;
    if (typeof seg === "number") {
        if (!Array.isArray(container)) container = [];
        const arr = container as unknown[];
        while (arr.length < seg) arr.push(null);
        arr[seg] = setAtPath(arr[seg], rest, value);
        return arr;
    }
    if (!isObject(container)) container = {};
    const obj = container as Record<string, unknown>;
    obj[seg] = setAtPath(obj[seg], rest, value);
    return obj;
}

/** Replaces `{ secure: ... }` leaves by {@link SECRET_PLACEHOLDER}; reports whether any was found. */
function stripSecure(v: unknown): { value: unknown; secret: boolean } {
    if (isObject(v)) {
        const keys = Object.keys(v);
        if (keys.length === 1 && keys[0] === "secure") return { value: SECRET_PLACEHOLDER, secret: true };
        let secret = false;
        const out: Record<string, unknown> = {};
        for (const k of keys) {
            const r = stripSecure(v[k]);
            out[k] = r.value;
            secret ||= r.secret;
        }
        return { value: out, secret };
    }
    if (Array.isArray(v)) {
        let secret = false;
        const out = v.map((x) => {
            const r = stripSecure(x);
            secret ||= r.secret;
            return r.value;
        });
        return { value: out, secret };
    }
    return { value: v, secret: false };
}

function readYaml(file: string, problems: Problem[], what: string): unknown {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        problems.push({ path: path.basename(file), message: `${what} ${file} does not exist`, fix: `create it or pick an existing stack` });
        return undefined;
    }
    const doc = YAML.parseDocument(text, { prettyErrors: false });
    if (doc.errors.length > 0) {
        problems.push({ path: path.basename(file), message: `is not valid YAML (${doc.errors[0].message.split("\n")[0]})`, fix: "fix the YAML syntax" });
        return undefined;
    }
    return doc.toJS();
}

interface Declaration {
    readonly key: string;
    readonly type?: string;
    readonly items?: { type?: string };
    readonly default?: unknown;
    readonly value?: unknown;
    readonly secret?: boolean;
}

function fullKey(k: string, project: string): string {
    return k.includes(":") ? k : `${project}:${k}`;
}

function declarations(raw: unknown, project: string): Declaration[] {
    if (!isObject(raw)) return [];
    return Object.entries(raw).map(([k, d]) => {
        const key = fullKey(k, project);
        if (isObject(d) && ("type" in d || "default" in d || "value" in d || "secret" in d || "description" in d || "items" in d)) {
            return {
                key,
                type: typeof d.type === "string" ? d.type : undefined,
                items: isObject(d.items) ? (d.items as { type?: string }) : undefined,
                default: d.default,
                value: d.value,
                secret: d.secret === true,
            };
        }
        // Short form `key: value` declares a default.
        return { key, default: d };
    });
}

function typeOk(v: unknown, type: string | undefined, items?: { type?: string }): boolean {
    switch (type) {
        case undefined:
            return true;
        case "string":
            return typeof v === "string";
        case "integer":
            return (typeof v === "number" && Number.isInteger(v)) || (typeof v === "string" && /^-?\d+$/.test(v));
        case "boolean":
            return typeof v === "boolean" || v === "true" || v === "false";
        case "array":
            return Array.isArray(v) && (items?.type === undefined || v.every((x) => typeOk(x, items.type)));
        case "object":
            return isObject(v);
        default:
            return true;
    }
}

function toRuntimeString(v: unknown): string {
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    return JSON.stringify(v as Json);
}

/**
 * The program `pulumi preview` / `up` runs, found as @pulumi/pulumi's runner (`cmd/run`) finds it:
 * `main` in Pulumi.yaml; otherwise, in the nearest package.json at or above the project directory,
 * `exports` (a string, or `exports["."]` as a string or its `default` / `require` / `import`), else
 * its `main`; else the directory itself. An entry that does not exist falls back to the directory,
 * as the runner does (with a warning). Returned relative to `projectDir`.
 */
export function programEntry(projectDir: string, projectMain: unknown): string {
    if (typeof projectMain === "string" && projectMain !== "" && projectMain !== ".") return projectMain;
    let root = path.resolve(projectDir);
    while (!fs.existsSync(path.join(root, "package.json"))) {
        const parent = path.dirname(root);
        if (parent === root) return ".";
        root = parent;
    }
    let pkg: { exports?: unknown; main?: unknown };
    try {
        pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    } catch {
        return ".";
    }
    const ex = pkg.exports;
    let entry: unknown;
    if (typeof ex === "string") entry = ex;
    else if (typeof ex === "object" && ex !== null) {
        const dot = (ex as Record<string, unknown>)["."];
        const conditions = typeof dot === "object" && dot !== null ? (dot as Record<string, unknown>) : undefined;
        entry = typeof dot === "string" ? dot : conditions ? (conditions.default ?? conditions.require ?? conditions.import) : undefined;
    } else entry = pkg.main;
    if (typeof entry !== "string" || !fs.existsSync(path.join(root, entry))) return ".";
    return path.relative(path.resolve(projectDir), path.join(root, entry));
}

/**
 * Loads a stack's configuration offline. Throws {@link ConfigError} listing every problem
 * (missing files, undeclared types, bad `--set` arguments).
 */
export function loadStackConfig(opts: LoadStackConfigOptions): StackConfig {
    const problems: Problem[] = [];
    const projectDir = path.resolve(opts.projectDir);
    const projectFile = readYaml(path.join(projectDir, "Pulumi.yaml"), problems, "the project file");
    const proj = isObject(projectFile) ? projectFile : {};
    if (projectFile !== undefined && typeof proj.name !== "string") {
        problems.push({ path: "Pulumi.yaml", message: "has no project name", fix: "add `name: <project>`" });
    }
    const project = typeof proj.name === "string" ? proj.name : "project";
    const main = programEntry(projectDir, proj.main);
    if (!/^[A-Za-z0-9_.-]+$/.test(opts.stack)) {
        problems.push({ path: "--stack", message: `${show(opts.stack)} is not a stack name`, fix: "use letters, digits, '-', '_' and '.'" });
        throw new ConfigError(problems);
    }
    const stackFile = readYaml(path.join(projectDir, `Pulumi.${opts.stack}.yaml`), problems, `the stack file of stack ${show(opts.stack)},`);
    const stackCfg = isObject(stackFile) && isObject(stackFile.config) ? stackFile.config : {};

    const values = new Map<string, unknown>();
    const secretKeys = new Set<string>();
    const decls = declarations(proj.config, project);
    for (const d of decls) {
        if (d.value !== undefined) values.set(d.key, d.value);
        else if (d.default !== undefined) values.set(d.key, d.default);
    }
    for (const [k, v] of Object.entries(stackCfg)) {
        const key = fullKey(k, project);
        const r = stripSecure(v);
        values.set(key, r.value);
        if (r.secret) secretKeys.add(key);
    }

    const sets: ConfigSet[] = [];
    for (const s of opts.sets ?? []) {
        try {
            sets.push(parseSet(s, project));
        } catch (e) {
            problems.push({ path: "--set", message: (e as Error).message, fix: "write --set <key>[.<path>]=<value>, e.g. --set cluster.workers.count=3" });
        }
    }
    for (const [p, value] of Object.entries(opts.overrides ?? {})) {
        try {
            const r = resolveConfigPath(p, project);
            sets.push({ key: r.key, path: r.path, value: structuredClone(value) });
        } catch (e) {
            problems.push({ path: p, message: (e as Error).message, fix: "use a config path such as cluster.workers.hosts" });
        }
    }
    for (const s of sets) {
        let current = values.get(s.key);
        if (s.path.length > 0 && typeof current === "string" && values.has(s.key)) {
            // A structured value given as a JSON string in the stack file.
            try {
                current = JSON.parse(current);
            } catch {
                // keep the string: setAtPath replaces it by an object
            }
        }
        values.set(s.key, setAtPath(current === undefined ? undefined : structuredClone(current), s.path, s.value));
    }

    for (const d of decls) {
        const v = values.get(d.key);
        const name = d.key.startsWith(`${project}:`) ? d.key.slice(project.length + 1) : d.key;
        if (v === undefined) {
            problems.push({ path: name, message: `is declared in Pulumi.yaml but has no value in stack ${show(opts.stack)}`, fix: `set ${d.key} in Pulumi.${opts.stack}.yaml or give it a default` });
        } else if (v !== SECRET_PLACEHOLDER && !typeOk(v, d.type, d.items)) {
            problems.push({ path: name, message: `must be of type ${d.type}${d.items?.type ? ` of ${d.items.type}` : ""} (got ${show(v)})`, fix: `write a ${d.type} value in Pulumi.${opts.stack}.yaml` });
        } else if (d.secret && !secretKeys.has(d.key) && stackCfg[d.key] !== undefined) {
            problems.push({ path: name, message: "is declared secret but stored in plain text", fix: `set it with \`pulumi config set --secret ${d.key}\`` });
        }
        if (d.secret) secretKeys.add(d.key);
    }
    if (problems.length > 0) throw new ConfigError(problems);

    const keys = [...values.keys()].sort();
    const sortedValues: Record<string, unknown> = {};
    const config: Record<string, string> = {};
    for (const k of keys) {
        sortedValues[k] = values.get(k);
        config[k] = toRuntimeString(values.get(k));
    }
    return { project, stack: opts.stack, projectDir, main, values: sortedValues, config, secretKeys: [...secretKeys].sort() };
}
