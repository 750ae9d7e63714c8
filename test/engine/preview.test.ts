/**
 * `pulumi preview` of the on-prem stacks with the real Pulumi engine (built from source by
 * `lab/toolchain/build.sh engine`), a local file backend and a passphrase secrets provider:
 * the preview succeeds, shows exactly the resources the offline synth plans (types, names,
 * parents, dependencies), shows every node's public script, keeps secret config out of its
 * text, and the policy pack passes the shipped stacks and stops one that breaks a rule.
 */
import { strict as assert } from "node:assert";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import type { Plan } from "../../synth/synth";
import { synthStack } from "../synth-cli";
import { findEngine, nameOfUrn, sdkPluginVersion, Workspace, type Engine, type PreviewJson } from "./engine";

const STACKS = ["dev", "onprem-external-etcd"] as const;

interface Row {
    type: string;
    name: string;
    parent: string | null;
    dependsOn: string[];
}

const key = (r: Row) => `${r.type} ${r.name}`;

/** The resources of a preview, in the synth plan's terms (no stack, no default providers). */
export function previewRows(preview: PreviewJson): Row[] {
    return preview.steps
        .filter((s) => s.newState && s.newState.type !== "pulumi:pulumi:Stack" && !s.newState.type.startsWith("pulumi:providers:"))
        .map((s) => {
            const st = s.newState!;
            const parent = st.parent && !st.parent.endsWith("pulumi:pulumi:Stack::" + nameOfUrn(st.parent)) ? nameOfUrn(st.parent) : null;
            return { type: st.type, name: nameOfUrn(st.urn), parent, dependsOn: (st.dependencies ?? []).map(nameOfUrn).sort() };
        })
        .sort((a, b) => key(a).localeCompare(key(b)));
}

export function planRows(plan: Plan): Row[] {
    return plan.resources
        .map((r) => ({ type: r.type, name: r.name, parent: r.parent ?? null, dependsOn: [...r.dependsOn].sort() }))
        .sort((a, b) => key(a).localeCompare(key(b)));
}

function previewJson(stdout: string): PreviewJson {
    try {
        return JSON.parse(stdout) as PreviewJson;
    } catch (e) {
        throw new Error(`pulumi preview --json printed no JSON (${e}):\n${stdout.slice(0, 4000)}`);
    }
}

/** A new stack in the workspace from a stack file's config (optionally edited). */
function initStack(ws: Workspace, stack: string, from: string, edit?: (config: Record<string, any>) => void): void {
    if (stack !== from) {
        const doc = parse(fs.readFileSync(path.join(ws.project, `Pulumi.${from}.yaml`), "utf8"));
        edit?.(doc.config);
        fs.writeFileSync(ws.stackFile(stack), stringify(doc));
    }
    ws.ok(["stack", "init", stack, "--secrets-provider", "passphrase"]);
}

describe("real pulumi preview of the on-prem stacks (engine from lab/toolchain)", function () {
    this.timeout(600_000);
    let engine: Engine;
    let ws: Workspace;
    const texts = new Map<string, string>();
    const previews = new Map<string, PreviewJson>();

    before(function () {
        engine = findEngine();
        ws = new Workspace(engine);
        ws.installPlugins();
        ws.ok(["login", ws.env.PULUMI_BACKEND_URL!]);
    });

    after(() => ws?.dispose());

    it("is the pinned engine, with plugins at the versions the npm SDKs ask for", () => {
        assert.equal(ws.ok(["version"]).stdout.trim(), `v${engine.version}`);
        for (const name of ["command", "tls", "random"]) {
            assert.ok(engine.plugins.has(name), `the engine part builds no ${name} plugin`);
            assert.equal(engine.plugins.get(name)!.version, sdkPluginVersion(name), `@pulumi/${name} asks for another plugin version than lab/toolchain/versions.env builds`);
        }
        const ls = ws.ok(["plugin", "ls", "--json"]).stdout;
        for (const [name, p] of engine.plugins) assert.match(ls, new RegExp(`"name":\\s*"${name}"[^}]*"version":\\s*"${p.version.replace(/\./g, "\\.")}"`));
    });

    for (const stack of STACKS) {
        describe(stack, () => {
            before(function () {
                initStack(ws, stack, stack);
                texts.set(stack, ws.ok(["preview", "--stack", stack, "--diff"]).stdout);
                previews.set(stack, previewJson(ws.ok(["preview", "--stack", stack, "--json"]).stdout));
            });

            it("previews without errors or warnings", () => {
                const p = previews.get(stack)!;
                const bad = (p.diagnostics ?? []).filter((d) => d.severity === "error" || d.severity === "warning");
                assert.deepEqual(bad, [], `diagnostics:\n${bad.map((d) => d.message).join("\n")}`);
                assert.ok(p.steps.every((s) => s.op === "create"), "a fresh stack only creates");
                assert.match(texts.get(stack)!, /\+ +hacluster:onprem:Cluster/);
            });

            it("shows the resources the synth plans: same types, names, parents and dependencies", () => {
                const out = fs.mkdtempSync(path.join(ws.root, `synth-${stack}-`));
                const plan = synthStack(stack, out).plan;
                const real = previewRows(previews.get(stack)!);
                const synth = planRows(plan);
                assert.deepEqual(real.map(key), synth.map(key), "resource types and names differ");
                assert.deepEqual(real, synth, "parents or dependencies differ");
            });

            it("shows every node's script (no bootstrap input is unknown before the first up)", () => {
                const steps = previews.get(stack)!.steps.filter((s) => s.newState?.type === "command:remote:Command" && nameOfUrn(s.urn).endsWith("-bootstrap"));
                assert.ok(steps.length > 0, "no bootstrap steps in the preview");
                for (const s of steps) {
                    const stdin = s.newState!.inputs?.stdin;
                    assert.equal(typeof stdin, "string", `${nameOfUrn(s.urn)}: stdin is not known in the preview (${JSON.stringify(stdin)?.slice(0, 200)})`);
                    assert.ok((stdin as string).startsWith("#!/usr/bin/env bash\n"), `${nameOfUrn(s.urn)}: not a node script`);
                }
            });
        });
    }

    it("keeps secret config out of the preview's text and JSON", () => {
        const { privateKey } = crypto.generateKeyPairSync("ed25519");
        const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
        initStack(ws, "dev-key", "dev", (c) => {
            c["hacluster:cluster"].ssh = { user: "ubuntu", agent: false, privateKeySecret: "sshPrivateKey" };
        });
        ws.ok(["config", "set", "--secret", "--stack", "dev-key", "hacluster:sshPrivateKey"], { input: pem });
        assert.doesNotMatch(fs.readFileSync(ws.stackFile("dev-key"), "utf8"), /BEGIN PRIVATE KEY/, "the key is stored encrypted");
        const text = ws.ok(["preview", "--stack", "dev-key", "--diff"]).stdout;
        const json = ws.ok(["preview", "--stack", "dev-key", "--json"]).stdout;
        const body = pem.split("\n").filter((l) => l && !l.startsWith("-----"));
        for (const out of [text, json]) {
            for (const line of body) assert.ok(!out.includes(line), "a line of the secret SSH key is in the preview");
            assert.ok(!out.includes(ws.passphrase), "the passphrase is in the preview");
        }
        assert.match(text, /connection\s*:\s*\[secret\]/, "the SSH connection (holding the key) is shown as [secret]");
    });

    describe("policy pack (pulumi preview --policy-pack policy)", () => {
        for (const stack of STACKS) {
            it(`passes ${stack}`, () => {
                const r = ws.run(["preview", "--stack", stack, "--policy-pack", "policy"]);
                assert.equal(r.status, 0, `policy run failed:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
                assert.match(r.stdout, /hacluster/i);
                assert.doesNotMatch(r.stdout, /mandatory/i);
            });
        }

        it("stops a stack whose control planes sit in two zones (ha-control-planes)", () => {
            initStack(ws, "two-zones", "dev", (c) => {
                const cluster = c["hacluster:cluster"];
                cluster.controlPlane.hosts[2].zone = "rack-a";
                cluster.tolerance = { zones: 0 };
            });
            const r = ws.run(["preview", "--stack", "two-zones", "--policy-pack", "policy"]);
            assert.notEqual(r.status, 0, `the preview passed:\n${r.stdout.slice(-3000)}`);
            assert.match(r.stdout + r.stderr, /ha-control-planes/);
            assert.match(r.stdout + r.stderr, /control planes in at least 3 zones/);
        });
    });
});
