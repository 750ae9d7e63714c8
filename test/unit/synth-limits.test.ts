/**
 * The bounds on free-form settings (config/schema.ts LIMITS) keep every node's user-data inside
 * the clouds' limits, so the size checks in the cloud components (EC2's 16 KiB gzipped, Azure's
 * 64 KiB, GCE's 256 KiB) cannot fail for a valid config: a config with every free-form setting at
 * its limit, filled with text that hardly compresses, synthesises on each cloud. One more than a
 * limit is a config error.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { ConfigError, formatProblem, loadSpec } from "../../config";
import { LIMITS } from "../../config/schema";
import { runSynth } from "../../synth/synth";

const ROOT = path.join(__dirname, "..", "..");

/** Deterministic text from `chars` that gzip cannot shrink much. */
function noise(seed: number) {
    let s = seed;
    return (n: number, chars = "abcdefghijklmnopqrstuvwxyz0123456789") =>
        Array.from({ length: n }, () => {
            s = (s * 1103515245 + 12345) % 2147483648;
            return chars[s % chars.length];
        }).join("");
}

/** Every free-form setting that reaches a node, at its limit. */
function atLimits(seed = 1): Record<string, unknown> {
    const rnd = noise(seed);
    const args: Record<string, string> = {};
    for (let used = 0; ; ) {
        const name = `x-${rnd(30)}`;
        const value = rnd(150, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-/");
        if (used + name.length + value.length > LIMITS.apiServerArgsChars) break;
        args[name] = value;
        used += name.length + value.length;
    }
    const longName = () => `${rnd(61)}.${rnd(61)}.${rnd(61)}.${rnd(60)}`;
    const labels = Object.fromEntries(Array.from({ length: LIMITS.labels }, () => [`${longName()}/${rnd(63)}`, rnd(63)]));
    return {
        "cluster.kubernetes.apiServerExtraArgs": args,
        "cluster.kubernetes.cniManifestUrl": `https://example.com/${rnd(LIMITS.url - 20)}`,
        "cluster.endpoint.extraSANs": Array.from({ length: LIMITS.extraSANs }, longName),
        "cluster.endpoint.dnsName": longName(),
        "cluster.etcd.backup.copyCommand": `echo ${rnd(LIMITS.copyCommand - 5)}`,
        "cluster.workers.count": undefined,
        "cluster.workers.pools": [{ name: "p", count: 3, labels }],
    };
}

describe("synth: free-form settings at their limits still fit every cloud's user-data", function () {
    this.timeout(600_000);
    const runs: [string, Record<string, unknown>][] = [
        ["aws", {}],
        ["aws", { "cluster.etcd.topology": "external", "cluster.etcd.count": 3 }],
        ["gcp", {}],
        ["azure", {}],
    ];
    for (const [stack, extra] of runs) {
        it(`${stack}${Object.keys(extra).length ? " with external etcd" : ""}`, async () => {
            const r = await runSynth({ stack, projectDir: ROOT, configOverrides: { ...atLimits(), ...extra } });
            assert.ok(r.nodes.size > 0);
        });
    }

    it("one more than a limit is a config error", () => {
        const seeds = { profile: "ha", platform: "aws", cluster: { name: "c1", controlPlane: { count: 3 }, cloud: { region: "eu-west-1", zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] } } };
        const problems = (patch: Record<string, unknown>) => {
            try {
                loadSpec({ ...seeds, cluster: { ...seeds.cluster, ...patch } }, { stack: "t" });
                return [];
            } catch (e) {
                assert.ok(e instanceof ConfigError);
                return e.problems.map(formatProblem);
            }
        };
        assert.deepEqual(problems({ endpoint: { extraSANs: Array.from({ length: LIMITS.extraSANs + 1 }, (_, i) => `n${i}.example.com`) } }), [
            'cluster.endpoint.extraSANs: must list at most 16 names (got ["n0.example.com","n1.example.com","n2.example.com","n3.example.com","n4.exam...). Fix: keep the names clients really dial; a wildcard (*.example.com) covers many',
        ]);
        const labels = Object.fromEntries(Array.from({ length: LIMITS.labels + 1 }, (_, i) => [`l${i}`, "x"]));
        assert.deepEqual(problems({ workers: { pools: [{ name: "p", count: 1, labels }] } }), ["cluster.workers.pools[0].labels: lists 33 labels, more than 32. Fix: keep the labels workloads select on"]);
        assert.deepEqual(problems({ kubernetes: { apiServerExtraArgs: { "audit-policy-file": "x".repeat(LIMITS.apiServerArgsChars) } } }), [
            "cluster.kubernetes.apiServerExtraArgs: holds 4113 characters of flag names and values, more than 4096. Fix: put long settings in a file on the hosts (e.g. --authentication-config) and name the file",
        ]);
        assert.equal(problems({ etcd: { backup: { copyCommand: "x".repeat(LIMITS.copyCommand + 1) } } }).length, 1);
        assert.equal(problems({ kubernetes: { cniManifestUrl: `https://example.com/${"x".repeat(LIMITS.url)}` } }).length, 1);
    });
});
