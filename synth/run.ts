/**
 * Running a stack's program offline: ts-node for the TypeScript entry, the synth monitor in place
 * of an engine, the stack's config in the runtime's store, and a fixed environment, all put back
 * afterwards. Returns the monitor that recorded every registration.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config";
import { installSynthMonitor, waitForRegistrations, type SynthMonitor } from "./monitor";
import { isConfigError } from "./plan";


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

export async function runProgram(cfg: StackConfig, mocks: pulumi.runtime.Mocks, fastStacks: boolean): Promise<SynthMonitor> {
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

