/**
 * The offline synth as a library: run the Pulumi program of a stack against mocks, creating
 * nothing, and describe what it would create — `plan.json` and, per node, exactly the files the
 * node receives. The CLI (`synth/cli.ts`) and the benchmark are thin wrappers around
 * {@link runSynth} and {@link writeSynth}. By concern: run.ts runs the program, plan.ts turns
 * what the monitor recorded into the plan, nodes.ts finds the node files, summary.ts prints.
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
import type * as pulumi from "@pulumi/pulumi";
import { loadStackConfig, type StackConfig } from "./config";
import { SynthMocks } from "./mocks";
import { collectNodeFiles } from "./nodes";
import { buildPlan, checkLeaks, LEAK_MIN_LENGTH, planJson, Sanitizer, urnName, type Plan } from "./plan";
import { runProgram } from "./run";
import { summarize } from "./summary";

export { collectNodeFiles } from "./nodes";
export { isConfigError, planJson, type Plan, type PlanResource } from "./plan";

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

/** Files of others that may share `out/<stack>`, carried over: the lab's `out/lab/result.json` (stack `lab`). */
const KEPT = ["result.json"];

/**
 * Writes `plan.json` and `nodes/` into `outDir`, replacing its previous content as a whole
 * (built in a sibling temporary directory, then swapped in).
 */
export function writeSynth(result: Pick<SynthResult, "plan" | "nodes">, outDir: string): void {
    const dir = path.resolve(outDir);
    if (fs.existsSync(dir)) {
        const foreign = fs.readdirSync(dir).filter((n) => n !== "plan.json" && n !== "nodes" && !KEPT.includes(n));
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
        for (const k of KEPT) if (fs.existsSync(path.join(dir, k))) fs.copyFileSync(path.join(dir, k), path.join(tmp, k));
        fs.rmSync(old, { recursive: true, force: true });
        if (fs.existsSync(dir)) fs.renameSync(dir, old);
        fs.renameSync(tmp, dir);
        fs.rmSync(old, { recursive: true, force: true });
    } catch (e) {
        fs.rmSync(tmp, { recursive: true, force: true });
        throw e;
    }
}

