/**
 * The offline synth as a library: run the Pulumi program of a stack against mocks, creating
 * nothing, and describe what it would create — `plan.json` and, per node, exactly the files the
 * node receives. The CLI (`synth/cli.ts`) and the benchmark are thin wrappers around
 * {@link runSynth} and {@link writeSynth}.
 *
 * Output contract (other tools rely on it):
 * - `<out>/plan.json`: `{ project, stack, resources: [{ type, name, parent, dependsOn, inputs }],
 *   outputs }`, resources in registration order, object keys sorted, secrets `"[secret]"`,
 *   unknowns `"[unknown]"`, resource references as the referenced resource's name;
 * - `<out>/nodes/<node>/`: `bootstrap.sh` (delivered over SSH) or `user-data` (cloud-init) plus
 *   every file embedded in the node script under its base name. More scripts for one node are
 *   written as `<resource>.sh` / `<resource>.user-data`.
 *
 * "Registration order" is the order in which the SDK sends RegisterResource requests: a resource
 * is registered once its inputs and dependencies resolved, so it is deterministic but not always
 * construction order. Runs are deterministic end to end (mock keys and random values derive from
 * resource names, the environment the program sees is fixed), so plans diff cleanly.
 *
 * Safety nets: nothing is written unless the whole run succeeded; a secret value (a secret
 * output of a resource, or a one-word secret input) found in plain text anywhere in the output
 * fails the synth; two different files with one base name on one node fail the synth.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { ConfigError } from "../config/errors";
import { extractFiles, scriptNode } from "../components/render/script";
import { loadStackConfig, SECRET_PLACEHOLDER, type StackConfig } from "./config";
import { SynthMocks } from "./mocks";
import { installSynthMonitor, SIG, STACK_TYPE, waitForRegistrations, type Registration, type SynthMonitor } from "./monitor";

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

export interface SynthOptions {
    readonly stack: string;
    /** Directory with Pulumi.yaml. @default process.cwd() */
    readonly projectDir?: string;
    /** Where the files go (only used for the summary here; {@link writeSynth} writes). @default `out/<stack>` */
    readonly outDir?: string;
    /** `--set <path>=<value>` arguments. */
    readonly sets?: readonly string[];
    /** Config path → JSON value, applied after `sets` (e.g. `{ "cluster.workers.hosts": [...] }`). */
    readonly configOverrides?: Readonly<Record<string, unknown>>;
    /** Provider mocks. @default new SynthMocks() */
    readonly mocks?: pulumi.runtime.Mocks;
    /**
     * Skip source-map translation of the stack traces the SDK takes while the program runs (about
     * 2x faster on large stacks; only trace positions are affected). @default true
     */
    readonly fastStacks?: boolean;
}

export interface SynthResult {
    readonly plan: Plan;
    /** Node name → file name → content: exactly what `nodes/<node>/` will hold. */
    readonly nodes: Map<string, Record<string, string>>;
    readonly summary: string;
    /** The directory the summary names. */
    readonly outDir: string;
    readonly config: StackConfig;
}

/** True for errors whose message is meant for the user as is (config problems): no stack trace. */
export function isConfigError(e: unknown): e is Error {
    return e instanceof ConfigError || pulumi.RunError.isInstance(e) || (e instanceof Error && e.name === "ConfigError");
}

// ---------------------------------------------------------------------------------------------
// Running the program

function ensureTsNode(projectDir: string): void {
    if ((process as unknown as Record<symbol, unknown>)[Symbol.for("ts-node.register.instance")]) return;
    const tsconfig = path.join(projectDir, "tsconfig.json");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tsnode: typeof import("ts-node") = require("ts-node");
    tsnode.register({ transpileOnly: true, ...(fs.existsSync(tsconfig) ? { project: tsconfig } : {}) });
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeState: { getStore(): { config: Record<string, string> } } = require("@pulumi/pulumi/runtime/state");

/** Errors that surface as unhandled rejections while a run is active, else undefined. */
let activeRun: unknown[] | undefined;
let listenerInstalled = false;
function installRejectionListener(): void {
    if (listenerInstalled) return;
    listenerInstalled = true;
    process.on("unhandledRejection", (reason) => {
        if (activeRun) activeRun.push(reason);
        else process.stderr.write(`synth: unhandled rejection after a run: ${reason instanceof Error ? reason.message : String(reason)}\n`);
    });
}

/**
 * Environment the program sees during a synth, whatever the caller's: nothing connects anywhere,
 * and machine-specific values must not reach the plan. An ssh-agent socket path is only handed
 * to the (mocked) command provider, so a fixed placeholder lets `ssh.agent: true` stacks synth
 * on machines without an agent (CI) and keeps the plan identical across machines.
 */
const SYNTH_ENV: Readonly<Record<string, string>> = { SSH_AUTH_SOCK: "/run/hacluster-synth/ssh-agent.sock" };

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function firstError(errors: unknown[]): unknown {
    return errors.find(isConfigError) ?? errors[0];
}

async function runProgram(cfg: StackConfig, mocks: pulumi.runtime.Mocks, fastStacks: boolean): Promise<SynthMonitor> {
    ensureTsNode(cfg.projectDir);
    installRejectionListener();
    let entry: string;
    try {
        entry = require.resolve(path.resolve(cfg.projectDir, cfg.main));
    } catch {
        throw new Error(`the program ${path.join(cfg.projectDir, cfg.main)} does not exist (main in Pulumi.yaml)`);
    }
    delete require.cache[entry];
    const monitor = await installSynthMonitor(mocks, { project: cfg.project, stack: cfg.stack });
    // The runtime's config lives in a process-wide store: put back what was there after the run.
    const store = runtimeState.getStore();
    const savedConfig = { ...store.config };
    pulumi.runtime.setAllConfig({ ...cfg.config }, [...cfg.secretKeys]);
    const errors: unknown[] = [];
    const previousCwd = process.cwd();
    const previousEnv = Object.fromEntries(Object.keys(SYNTH_ENV).map((k) => [k, process.env[k]]));
    const previousPrepare = Error.prepareStackTrace;
    const previousLimit = Error.stackTraceLimit;
    activeRun = errors;
    try {
        // The SDK formats a stack trace per promise (leak debugging) and per resource (source
        // positions, which it takes with an unlimited trace depth of its own), and ts-node's
        // source-map-support maps every frame of each: most of a large synth's time. Without
        // --debug, errors raised during the run carry no trace (only messages are printed).
        if (fastStacks) {
            (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
            Error.stackTraceLimit = 0;
        }
        process.chdir(cfg.projectDir);
        Object.assign(process.env, SYNTH_ENV);
        await pulumi.runtime.runInPulumiStack(async () => {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            let exported = require(entry);
            if (exported && exported.__esModule && "default" in exported) exported = exported.default;
            return typeof exported === "function" ? await exported() : exported;
        });
        await waitForRegistrations();
    } catch (e) {
        errors.unshift(e);
    } finally {
        // Let rejections of abandoned promises surface while we still listen.
        await tick();
        await tick();
        activeRun = undefined;
        Error.prepareStackTrace = previousPrepare;
        Error.stackTraceLimit = previousLimit;
        process.chdir(previousCwd);
        for (const [k, v] of Object.entries(previousEnv)) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
        store.config = savedConfig;
    }
    if (errors.length > 0) throw firstError(errors);
    if (monitor.errors.length > 0) throw monitor.errors[0];
    if (pulumi.log.hasErrors()) throw new Error("the program logged errors (see above)");
    return monitor;
}

// ---------------------------------------------------------------------------------------------
// Wire format → plan

function isObj(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function urnName(urn: string): string {
    const i = urn.lastIndexOf("::");
    return i < 0 ? urn : urn.slice(i + 2);
}

/** A secret string seen in the raw data, and where. */
interface SecretSeen {
    readonly value: string;
    readonly where: string;
}

/** Secrets shorter than this are not searched for in the written files (too likely to collide). */
const LEAK_MIN_LENGTH = 12;

class Sanitizer {
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

function buildPlan(cfg: StackConfig, monitor: SynthMonitor, sanitizer: Sanitizer): Plan {
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

// ---------------------------------------------------------------------------------------------
// Node files

type CloudInitParser = (userData: string) => string | undefined;
let cloudInitParser: CloudInitParser | undefined;

/**
 * The node script inside a cloud-init user-data. Uses `components/render/cloudinit.ts`'s
 * `scriptFromCloudInit` when that module exists; otherwise (and when it finds nothing) falls
 * back to {@link fallbackScriptFromCloudInit}.
 */
export function scriptFromUserData(userData: string): string | undefined {
    if (cloudInitParser === undefined) {
        cloudInitParser = fallbackScriptFromCloudInit;
        const base = path.join(__dirname, "..", "components", "render", "cloudinit");
        if ([".ts", ".js"].some((ext) => fs.existsSync(base + ext))) {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const mod = require(base) as { scriptFromCloudInit?: CloudInitParser };
            if (typeof mod.scriptFromCloudInit === "function") {
                const external = mod.scriptFromCloudInit;
                cloudInitParser = (u) => {
                    const s = external(u);
                    return s !== undefined && scriptNode(s) !== undefined ? s : fallbackScriptFromCloudInit(u);
                };
            }
        }
    }
    return cloudInitParser(userData);
}

function isCloudInit(text: string): boolean {
    const head = text.replace(/^\uFEFF/, "").trimStart();
    return head.startsWith("#cloud-config") || /^(MIME-Version:[^\n]*\n)?Content-Type:\s*multipart\//i.test(head);
}

function findScriptIn(v: unknown): string | undefined {
    if (typeof v === "string") {
        if (scriptNode(v) !== undefined) return v;
        const decoded = decodeMaybe(v);
        return decoded !== undefined && scriptNode(decoded) !== undefined ? decoded : undefined;
    }
    if (Array.isArray(v)) {
        for (const x of v) {
            const s = findScriptIn(x);
            if (s) return s;
        }
    } else if (isObj(v)) {
        for (const x of Object.values(v)) {
            const s = findScriptIn(x);
            if (s) return s;
        }
    }
    return undefined;
}

/** Finds a node script in `#cloud-config` YAML (write_files, runcmd, anywhere) or a MIME multipart user-data. */
export function fallbackScriptFromCloudInit(userData: string): string | undefined {
    const text = userData.replace(/^\uFEFF/, "");
    if (text.trimStart().startsWith("#cloud-config")) {
        let doc: unknown;
        try {
            doc = YAML.parse(text);
        } catch {
            return undefined;
        }
        if (isObj(doc) && Array.isArray(doc.write_files)) {
            for (const f of doc.write_files) {
                if (!isObj(f) || typeof f.content !== "string") continue;
                const enc = String(f.encoding ?? "").toLowerCase();
                let content = f.content;
                if (enc.includes("b64") || enc.includes("base64")) {
                    const buf = Buffer.from(content, "base64");
                    content = (enc.includes("gz") ? zlib.gunzipSync(buf) : buf).toString("utf8");
                }
                if (scriptNode(content) !== undefined) return content;
            }
        }
        return findScriptIn(doc);
    }
    const boundary = /boundary="?([^";\r\n]+)"?/i.exec(text)?.[1];
    if (!boundary) return undefined;
    for (const part of text.split(`--${boundary}`).slice(1)) {
        const sep = part.search(/\r?\n\r?\n/);
        if (sep < 0) continue;
        const headers = part.slice(0, sep);
        let body = part.slice(sep).replace(/^\r?\n\r?\n/, "").replace(/\r?\n$/, "");
        if (/Content-Transfer-Encoding:\s*base64/i.test(headers)) body = Buffer.from(body, "base64").toString("utf8");
        if (scriptNode(body) !== undefined) return body;
        if (isCloudInit(body)) {
            const s = fallbackScriptFromCloudInit(body);
            if (s) return s;
        }
    }
    return undefined;
}

/** Decodes base64 (optionally gzip) text that looks like a script or user-data; else undefined. */
function decodeMaybe(s: string): string | undefined {
    const compact = s.replace(/\s+/g, "");
    if (compact.length < 16 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return undefined;
    let buf = Buffer.from(compact, "base64");
    if (buf[0] === 0x1f && buf[1] === 0x8b) {
        try {
            buf = zlib.gunzipSync(buf);
        } catch {
            return undefined;
        }
    }
    const text = buf.toString("utf8");
    if (text.includes("\uFFFD")) return undefined;
    return text.startsWith("#") || /^(MIME-Version|Content-Type):/i.test(text) ? text : undefined;
}

/** A node script reaching a node through one resource input. */
interface Delivery {
    readonly node: string;
    readonly resource: string;
    readonly kind: "ssh" | "cloud-init";
    /** What the node receives (the script, or the whole user-data). */
    readonly text: string;
    readonly script: string;
}

const USER_DATA_KEY = /user.?data|custom.?data|startup.?script/i;

function deliveriesOf(resource: string, inputs: unknown): Delivery[] {
    const found: Delivery[] = [];
    const visit = (v: unknown, key: string) => {
        if (typeof v === "string") {
            const decoded = decodeMaybe(v);
            for (const text of decoded !== undefined ? [v, decoded] : [v]) {
                if (isCloudInit(text)) {
                    let script: string | undefined;
                    try {
                        script = scriptFromUserData(text);
                    } catch (e) {
                        throw new Error(`resource ${resource}: input ${key || "(root)"}: ${(e as Error).message}`);
                    }
                    const node = script === undefined ? undefined : scriptNode(script);
                    if (script !== undefined && node !== undefined) {
                        found.push({ node, resource, kind: "cloud-init", text, script });
                        return;
                    }
                } else {
                    const node = scriptNode(text);
                    if (node !== undefined) {
                        const kind = text !== v || USER_DATA_KEY.test(key) ? "cloud-init" : "ssh";
                        found.push({ node, resource, kind, text, script: text });
                        return;
                    }
                }
            }
        } else if (Array.isArray(v)) {
            v.forEach((x) => visit(x, key));
        } else if (isObj(v)) {
            for (const k of Object.keys(v)) visit(v[k], k);
        }
    };
    visit(inputs, "");
    return found;
}

const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.@+-]*$/;

function fileSafe(name: string): string {
    const s = name.replace(/[^A-Za-z0-9_.@+-]/g, "_");
    return SAFE_NAME.test(s) ? s : `_${s}`;
}

/** Collects the files of every node from the plan's (secret-free) inputs. Throws on conflicts. */
export function collectNodeFiles(plan: Plan): Map<string, Record<string, string>> {
    const perNode = new Map<string, { files: Record<string, string>; origin: Record<string, string>; texts: Set<string>; count: number }>();
    for (const r of plan.resources) {
        for (const d of deliveriesOf(r.name, r.inputs)) {
            if (!SAFE_NAME.test(d.node) || d.node.includes("..")) {
                throw new Error(`resource ${r.name} delivers a node script for ${JSON.stringify(d.node)}, which is not usable as a directory name`);
            }
            let entry = perNode.get(d.node);
            if (!entry) {
                entry = { files: {}, origin: {}, texts: new Set(), count: 0 };
                perNode.set(d.node, entry);
            }
            if (entry.texts.has(d.text)) continue;
            entry.texts.add(d.text);
            const first = entry.count === 0;
            entry.count++;
            const deliveredAs = d.kind === "ssh" ? (first ? "bootstrap.sh" : `${fileSafe(d.resource)}.sh`) : first ? "user-data" : `${fileSafe(d.resource)}.user-data`;
            const add = (name: string, content: string, origin: string) => {
                const prev = entry!.files[name];
                if (prev !== undefined && prev !== content) {
                    throw new Error(
                        `node ${d.node}: ${entry!.origin[name]} and ${origin} deliver different contents named ${name}; ` +
                            `base names must be unique per node`,
                    );
                }
                entry!.files[name] = content;
                entry!.origin[name] = origin;
            };
            add(deliveredAs, d.text, `resource ${d.resource}`);
            for (const f of extractFiles(d.script)) {
                if (!SAFE_NAME.test(f.name)) throw new Error(`node ${d.node}: embedded file ${JSON.stringify(f.path)} has an unusable base name`);
                add(f.name, f.content, `the script of resource ${d.resource} (${f.path})`);
            }
        }
    }
    const out = new Map<string, Record<string, string>>();
    for (const node of [...perNode.keys()].sort()) {
        const files = perNode.get(node)!.files;
        const sorted: Record<string, string> = {};
        for (const k of Object.keys(files).sort()) sorted[k] = files[k];
        out.set(node, sorted);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Serialization, leak check, summary

/** `plan.json`'s exact text: 2-space indentation and a trailing newline. */
export function planJson(plan: Plan): string {
    return `${JSON.stringify(plan, null, 2)}\n`;
}

function checkLeaks(seen: readonly SecretSeen[], plan: Plan, nodes: Map<string, Record<string, string>>): void {
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

interface NodeEntry {
    name?: unknown;
    role?: unknown;
    zone?: unknown;
    count?: unknown;
}

const ROLE_ORDER = ["lb", "etcd", "control-plane", "worker"];

function nodeTable(nodes: unknown): string[] {
    if (!Array.isArray(nodes) || nodes.length === 0) return ["Nodes: none reported (no `nodes` output)"];
    const counts = new Map<string, Map<string, number>>();
    const zones = new Set<string>();
    let total = 0;
    // A scaling-group pool is one entry spanning zones: listed on its own line below the table.
    const pools: string[] = [];
    for (const n of nodes as NodeEntry[]) {
        if (!isObj(n)) continue;
        if (typeof n.count === "number") {
            total += n.count;
            pools.push(`  ${typeof n.role === "string" ? n.role : "?"} pool ${String(n.name)}: ${n.count} over ${String(n.zone ?? "-").split(",").join(", ")} (one scaling group)`);
            continue;
        }
        const role = typeof n.role === "string" ? n.role : "?";
        const zone = typeof n.zone === "string" ? n.zone : "-";
        const c = typeof n.count === "number" ? n.count : 1;
        zones.add(zone);
        total += c;
        const byZone = counts.get(role) ?? new Map<string, number>();
        byZone.set(zone, (byZone.get(zone) ?? 0) + c);
        counts.set(role, byZone);
    }
    const roles = [...counts.keys()].sort((a, b) => {
        const ia = ROLE_ORDER.indexOf(a);
        const ib = ROLE_ORDER.indexOf(b);
        return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
    });
    const zoneList = [...zones].sort();
    const lines = [`Nodes by role and zone (${total}):`];
    if (zoneList.length <= 6) {
        const header = ["role", ...zoneList, "total"];
        const rows = roles.map((role) => {
            const byZone = counts.get(role)!;
            const sum = [...byZone.values()].reduce((a, b) => a + b, 0);
            return [role, ...zoneList.map((z) => String(byZone.get(z) ?? "-")), String(sum)];
        });
        const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
        const fmt = (r: string[]) => `  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ")}`;
        lines.push(fmt(header), ...rows.map(fmt));
    } else {
        for (const role of roles) {
            const byZone = counts.get(role)!;
            const sum = [...byZone.values()].reduce((a, b) => a + b, 0);
            const parts = [...byZone.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([z, c]) => `${z} ${c}`);
            const shown = parts.length > 8 ? [...parts.slice(0, 8), `… ${parts.length - 8} more zones`] : parts;
            lines.push(`  ${role}: ${sum} (${shown.join(", ")})`);
        }
    }
    lines.push(...pools.slice(0, 6));
    if (pools.length > 6) lines.push(`  … ${pools.length - 6} more pools in plan.json`);
    return lines;
}

function plural(n: number, one: string, many = `${one}s`): string {
    return `${n} ${n === 1 ? one : many}`;
}

function toleranceLines(ft: unknown): string[] {
    if (!isObj(ft)) return ["Failure tolerance: not reported (no `failureTolerance` output)"];
    const num = (k: string) => (typeof ft[k] === "number" ? (ft[k] as number) : undefined);
    const parts: string[] = [];
    const zones = num("zones");
    const etcd = num("etcdMembers");
    const lb = num("lbHosts");
    const api = num("apiServers");
    if (zones !== undefined) parts.push(plural(zones, "zone"));
    if (etcd !== undefined) parts.push(plural(etcd, "etcd member"));
    if (lb !== undefined) parts.push(plural(lb, "LB host"));
    if (api !== undefined) parts.push(plural(api, "API server"));
    const lines = [`Failure tolerance (may be lost): ${parts.length > 0 ? parts.join(", ") : "not reported"}`];
    const notes = Array.isArray(ft.notes) ? ft.notes.filter((n): n is string => typeof n === "string") : [];
    for (const n of notes.slice(0, 4)) lines.push(`  - ${n}`);
    if (notes.length > 4) lines.push(`  - … ${notes.length - 4} more notes in plan.json`);
    return lines;
}

/** The short human summary (under ~40 lines). */
export function summarize(plan: Plan, nodes: Map<string, Record<string, string>>, outDir: string): string {
    const byType = new Map<string, number>();
    for (const r of plan.resources) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
    const types = [...byType.entries()].sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
    const width = Math.max(1, ...types.map(([, c]) => String(c).length));
    const lines = [`${plan.project}/${plan.stack}: ${plural(plan.resources.length, "resource")}, node files for ${plural(nodes.size, "node")}`];
    lines.push("Resources by type:");
    const shown = types.length > 14 ? types.slice(0, 13) : types;
    for (const [t, c] of shown) lines.push(`  ${String(c).padStart(width)}  ${t}`);
    if (shown.length < types.length) {
        const rest = types.slice(shown.length);
        lines.push(`  ${String(rest.reduce((a, [, c]) => a + c, 0)).padStart(width)}  (${rest.length} more types)`);
    }
    lines.push(...nodeTable(plan.outputs.nodes));
    lines.push(...toleranceLines(plan.outputs.failureTolerance));
    if (typeof plan.outputs.endpoint === "string") lines.push(`Endpoint: ${plan.outputs.endpoint}`);
    const relative = path.relative(process.cwd(), outDir);
    const rel = relative === "" ? "." : relative.startsWith("..") ? outDir : relative;
    lines.push(`Wrote ${path.join(rel, "plan.json")} and ${path.join(rel, "nodes")}/ (${plural(nodes.size, "node")})`);
    return `${lines.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------
// Entry points

/**
 * Runs a stack's program against mocks and returns the plan, node files and summary without
 * writing anything. Throws a {@link ConfigError} (or the program's `RunError`) for bad config.
 * The Pulumi runtime is a process-wide singleton: runs must not overlap.
 */
export async function runSynth(opts: SynthOptions): Promise<SynthResult> {
    const projectDir = path.resolve(opts.projectDir ?? process.cwd());
    const outDir = path.resolve(opts.outDir ?? path.join("out", opts.stack));
    const cfg = loadStackConfig({ projectDir, stack: opts.stack, sets: opts.sets, overrides: opts.configOverrides });
    const monitor = await runProgram(cfg, opts.mocks ?? new SynthMocks(), opts.fastStacks ?? true);
    const sanitizer = new Sanitizer((urn) => monitor.lookup(urn)?.name ?? urnName(urn));
    const plan = buildPlan(cfg, monitor, sanitizer);
    const nodes = collectNodeFiles(plan);
    checkLeaks([...monitor.secretOutputs.filter((s) => s.value.length >= LEAK_MIN_LENGTH), ...sanitizer.secrets], plan, nodes);
    return { plan, nodes, summary: summarize(plan, nodes, outDir), outDir, config: cfg };
}

/**
 * Writes `plan.json` and `nodes/` into `outDir`, replacing its previous content as a whole
 * (built in a sibling temporary directory, then swapped in).
 */
export function writeSynth(result: Pick<SynthResult, "plan" | "nodes">, outDir: string): void {
    const dir = path.resolve(outDir);
    if (fs.existsSync(dir)) {
        const foreign = fs.readdirSync(dir).filter((n) => n !== "plan.json" && n !== "nodes");
        if (foreign.length > 0 || !fs.statSync(dir).isDirectory()) {
            throw new Error(
                `refusing to replace ${dir}: it is not a synth output directory (it holds ${foreign.slice(0, 3).join(", ") || "a file"}); pick another --out`,
            );
        }
    }
    const tmp = `${dir}.synth-tmp-${process.pid}`;
    const old = `${dir}.synth-old-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(path.join(tmp, "nodes"), { recursive: true });
    try {
        fs.writeFileSync(path.join(tmp, "plan.json"), planJson(result.plan));
        for (const [node, files] of result.nodes) {
            const nd = path.join(tmp, "nodes", node);
            fs.mkdirSync(nd, { recursive: true });
            for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(nd, name), content);
        }
        fs.rmSync(old, { recursive: true, force: true });
        if (fs.existsSync(dir)) fs.renameSync(dir, old);
        fs.renameSync(tmp, dir);
        fs.rmSync(old, { recursive: true, force: true });
    } catch (e) {
        fs.rmSync(tmp, { recursive: true, force: true });
        throw e;
    }
}

export type { Registration };
