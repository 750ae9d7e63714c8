/**
 * Helpers for tests that run the offline synth CLI in a child process (the SDK's runtime is a
 * per-process singleton, so each synth gets a process of its own).
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Plan } from "../synth/synth";

const ROOT = path.join(__dirname, "..");

export interface SynthRun {
    readonly plan: Plan;
    readonly stdout: string;
    readonly ms: number;
}

/** `npm run synth -- --stack <stack> --out <out> [--set ...]`, asserting it succeeds. */
export function synthStack(stack: string, out: string, sets: readonly string[] = []): SynthRun {
    const started = Date.now();
    const r = spawnSync(
        process.execPath,
        ["-r", "ts-node/register/transpile-only", path.join(ROOT, "synth", "cli.ts"), "--stack", stack, "--out", out, ...sets.flatMap((s) => ["--set", s])],
        { cwd: ROOT, encoding: "utf8", timeout: 170_000 },
    );
    assert.equal(r.status, 0, `synth --stack ${stack} ${sets.join(" ")} failed:\n${r.stderr}`);
    return { plan: JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8")), stdout: r.stdout, ms: Date.now() - started };
}

/** Every file below a directory. */
export function allFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** Resource counts by type. */
export function countByType(plan: Plan): Record<string, number> {
    const c: Record<string, number> = {};
    for (const r of plan.resources) c[r.type] = (c[r.type] ?? 0) + 1;
    return c;
}

/** Fails with the apt package to install when a tool is missing (never skips). */
export function needTool(tool: string, pkg: string): void {
    const r = spawnSync("sh", ["-c", `command -v ${tool}`]);
    if (r.status !== 0) assert.fail(`${tool} is missing: apt-get install ${pkg}`);
}
