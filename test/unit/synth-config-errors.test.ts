/**
 * No config makes the real program's synth fail with anything but a config error: a property
 * over configs generated from the shipped stacks (each changed at one to three places by values
 * users plausibly write, valid and not), run through `runSynth` in this process. A run either
 * synthesises, or stops with the collected config problems (no stack trace, nothing from deep
 * inside a component). Also: keys of the `hacluster:` namespace that nothing reads are errors.
 *
 * HACLUSTER_SYNTH_RUNS sets the number of generated configs (default 40); HACLUSTER_SYNTH_SEED
 * replays one.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as fc from "fast-check";
import { isConfigError, runSynth } from "../../synth/synth";
import { generatedConfig } from "./synth-config-gen";

const ROOT = path.join(__dirname, "..", "..");

/** What a run ended with: "ok", "config" (the collected problems) or the unexpected error. */
async function outcome(stack: string, overrides: Record<string, unknown>, sets: string[] = []): Promise<{ kind: "ok" | "config" | "internal"; message: string }> {
    try {
        await runSynth({ stack, projectDir: ROOT, configOverrides: overrides, sets });
        return { kind: "ok", message: "" };
    } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        const config = isConfigError(e) && /^The stack configuration has \d+ problems?; nothing was created:\n/.test(message) && !/\n\s+at /.test(message);
        return { kind: config ? "config" : "internal", message };
    }
}

describe("synth: no config makes the real program fail with anything but a config error", function () {
    this.timeout(1_800_000);

    it("keys of the hacluster namespace that nothing reads stop the synth with a did-you-mean", async () => {
        const r = await outcome("dev", {}, ["profle=dev", "hacluster:clusetr.name=x"]);
        assert.equal(r.kind, "config", r.message);
        assert.match(r.message, /hacluster:profle: is not a known setting\. Fix: did you mean hacluster:profile\? Otherwise remove it/);
        assert.match(r.message, /hacluster:clusetr: is not a known setting\. Fix: did you mean hacluster:cluster\? Otherwise remove it/);
    });

    it("generated configs synthesise or stop with the collected config problems", async () => {
        const seed = process.env.HACLUSTER_SYNTH_SEED ? Number(process.env.HACLUSTER_SYNTH_SEED) : undefined;
        const tally = { ok: 0, config: 0 };
        await fc.assert(
            fc.asyncProperty(generatedConfig, async ({ stack, changes }) => {
                const overrides = Object.fromEntries(changes);
                const r = await outcome(stack, overrides);
                assert.notEqual(r.kind, "internal", `stack ${stack} with ${JSON.stringify(overrides)} failed outside config validation:\n${r.message}`);
                tally[r.kind as "ok" | "config"]++;
            }),
            { numRuns: Number(process.env.HACLUSTER_SYNTH_RUNS ?? 40), ...(seed !== undefined ? { seed } : {}) },
        );
        // A generator that only ever produced invalid configs would prove nothing about the components.
        if (tally.ok + tally.config >= 20) assert.ok(tally.ok > 0, `no generated config synthesised (${JSON.stringify(tally)})`);
    });
});
