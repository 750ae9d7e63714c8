/**
 * Properties of every config problem, over many generated stack configs (the shipped stacks
 * changed as in the synth property, without running the program): loading either yields a spec
 * or throws one ConfigError, and each problem names a config path, says what is wrong with the
 * value in the project's words (never zod's generic text), and says how to fix it.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import * as fc from "fast-check";
import { ConfigError, formatProblem, loadSpec } from "../../config";
import { loadStackConfig } from "../../synth/config";
import { generatedConfig } from "./synth-config-gen";

const ROOT = path.join(__dirname, "..", "..");
/** Texts zod writes when the schema gives none, and wording the issue named as guesswork. */
const GENERIC = /Invalid input|Too (small|big)|expected (string|number|int|object|array|record|boolean)|must be an? (object|array|string|int|number|boolean|record) \(got|\[object Object\]|undefined|NaN/;
const PATH = /^(hacluster:[A-Za-z][A-Za-z0-9_-]*|profile|platform|family|cluster(\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])*)$/;

describe("config: every problem names its path, the value and a fix", () => {
    it("for generated configs of every shipped stack", () => {
        let invalid = 0;
        fc.assert(
            fc.property(generatedConfig, ({ stack, changes }) => {
                const overrides = Object.fromEntries(changes);
                try {
                    // Pulumi.yaml's declared types are checked first, as the CLI does.
                    const cfg = loadStackConfig({ projectDir: ROOT, stack, overrides });
                    const keys = Object.keys(cfg.values).filter((k) => k.startsWith("hacluster:")).map((k) => k.slice("hacluster:".length));
                    const v = (k: string) => cfg.values[`hacluster:${k}`];
                    loadSpec({ profile: v("profile"), platform: v("platform"), family: v("family"), cluster: v("cluster") }, { stack, keys, configKey: () => "secret" });
                } catch (e) {
                    assert.ok(e instanceof ConfigError, `${stack} ${JSON.stringify(overrides)} threw ${String(e)}`);
                    invalid++;
                    assert.ok(e.problems.length > 0);
                    assert.ok(!/\n\s+at /.test(e.message), "no stack trace in the message");
                    for (const p of e.problems) {
                        const line = formatProblem(p);
                        assert.match(p.path, PATH, line);
                        assert.ok(p.message.length > 0 && p.fix.length > 0, line);
                        assert.doesNotMatch(`${p.message} ${p.fix}`, GENERIC, line);
                    }
                }
            }),
            { numRuns: Number(process.env.HACLUSTER_CONFIG_RUNS ?? 600) },
        );
        assert.ok(invalid > 0);
    });
});
