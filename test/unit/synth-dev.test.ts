/**
 * The real program's `dev` stack synths offline (CLI in a child process), its output honours
 * the contract, and no secret the mocks generate is written anywhere.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { HaproxyTuningSchema, KeepalivedTuningSchema } from "../../config/schema";
import { mockRandomString } from "../../synth/mocks";
import type { Plan } from "../../synth/synth";
import { failoverProblems, haproxyCheck, parseKeepalived } from "./lb-invariants";

const ROOT = path.join(__dirname, "..", "..");

function allFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe("synth: the dev stack of the real program", function () {
    this.timeout(180_000);
    let tmp: string;
    let out: string;
    let plan: Plan;
    let stdout: string;

    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "synth-dev-"));
        out = path.join(tmp, "dev");
        const env = { ...process.env };
        delete env.SSH_AUTH_SOCK; // a synth must not need an ssh-agent
        const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "synth", "cli.ts"), "--stack", "dev", "--out", out], {
            cwd: ROOT,
            encoding: "utf8",
            env,
            timeout: 170_000,
        });
        assert.equal(r.status, 0, `synth --stack dev failed:\n${r.stderr}`);
        stdout = r.stdout;
        plan = JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8"));
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("writes a plan in the contract's shape", () => {
        assert.equal(plan.project, "hacluster");
        assert.equal(plan.stack, "dev");
        assert.ok(plan.resources.length > 0);
        const names = new Set(plan.resources.map((r) => r.name));
        for (const r of plan.resources) {
            assert.deepEqual(Object.keys(r), ["type", "name", "parent", "dependsOn", "inputs"]);
            assert.ok(r.parent === null || names.has(r.parent), `${r.name}: parent ${r.parent} is a resource of the plan`);
            assert.deepEqual(r.dependsOn, [...new Set(r.dependsOn)].sort(), `${r.name}: dependsOn sorted and unique`);
            for (const d of r.dependsOn) assert.ok(names.has(d), `${r.name}: dependency ${d} is a resource of the plan`);
        }
        assert.ok(stdout.split("\n").length < 42, stdout);
    });

    it("writes node files for every machine in the nodes output", () => {
        const nodes = plan.outputs.nodes as { name: string; role: string; count?: number }[];
        assert.ok(Array.isArray(nodes) && nodes.length > 0, "nodes output");
        const dirs = fs.readdirSync(path.join(out, "nodes"));
        for (const n of nodes) {
            assert.ok(dirs.includes(n.name), `node ${n.name} (${n.role}) has a directory`);
            const files = fs.readdirSync(path.join(out, "nodes", n.name));
            assert.ok(files.includes("bootstrap.sh") || files.includes("user-data"), `${n.name}: ${files.join(", ")}`);
        }
    });

    it("control planes (only) get the kubelet serving-certificate approver, bounded to the stack's node network", () => {
        const nodes = plan.outputs.nodes as { name: string; role: string }[];
        for (const n of nodes.filter((x) => x.role === "control-plane" || x.role === "worker")) {
            const dir = path.join(out, "nodes", n.name);
            const approver = path.join(dir, "hacluster-approve-kubelet-serving");
            if (n.role === "control-plane") {
                assert.ok(fs.existsSync(approver), `${n.name}: no approver script`);
                assert.match(fs.readFileSync(approver, "utf8"), /^node_cidrs=\(211\.183\.3\.0\/24\)$/m);
                assert.match(fs.readFileSync(path.join(dir, "bootstrap.sh"), "utf8"), /systemctl enable --now hacluster-approve-kubelet-serving\.timer/);
            } else {
                assert.ok(!fs.existsSync(approver), `${n.name}: a worker must not approve certificates`);
                assert.doesNotMatch(fs.readFileSync(path.join(dir, "bootstrap.sh"), "utf8"), /approve-kubelet-serving/);
            }
            assert.match(fs.readFileSync(path.join(dir, "bootstrap.sh"), "utf8"), /serverTLSBootstrap: true/);
        }
    });

    it("writes no secret: no private key, no generated password, secret inputs as [secret]", () => {
        const passwords = plan.resources
            .filter((r) => r.type === "random:index/randomPassword:RandomPassword")
            .map((r) => mockRandomString(r.name, r.inputs));
        assert.ok(passwords.length > 0);
        for (const f of allFiles(out)) {
            const c = fs.readFileSync(f, "utf8");
            assert.doesNotMatch(c, /PRIVATE KEY-----/, f);
            for (const p of passwords) assert.ok(!c.includes(p), `${f} holds a generated password`);
        }
        assert.equal(plan.outputs.kubeconfig, "[secret]");
        assert.ok(!("etcdBackupStore" in plan.outputs), "on-prem: snapshots stay on the members (or go where copyCommand sends them)");
        assert.ok(fs.readFileSync(path.join(out, "plan.json"), "utf8").includes('"[secret]"'));
    });

    describe("LB hosts: the values failover depends on, in the files the stack ships", () => {
        const lbs = () => (plan.outputs.nodes as { name: string; role: string }[]).filter((n) => n.role === "lb");
        const read = (node: string, file: string) => fs.readFileSync(path.join(out, "nodes", node, file), "utf8");

        it("a dead HAProxy moves the VIP: the failing holder ranks below a healthy host (and the check can fail)", () => {
            const hosts = lbs().map((n) => parseKeepalived(n.name, read(n.name, "keepalived.conf")));
            assert.equal(hosts.length, 2, "the dev stack has two LB hosts");
            assert.deepEqual(failoverProblems(hosts), []);
            // The backup lowered below the weighted master (150 - 60 = 90): HAProxy dying on the master is an outage.
            const lowered = hosts.map((h) => (h.state === "BACKUP" ? { ...h, priority: 80 } : h));
            assert.notDeepEqual(failoverProblems(lowered), [], "the invariant catches a backup below the weighted master");
        });

        it("health checks run at the schema's defaults, which are the measured ones (bench/results/failover.md)", () => {
            const h = HaproxyTuningSchema.parse({});
            const k = KeepalivedTuningSchema.parse({});
            // Changing a default is a decision to measure failover again: these are the values measured.
            assert.deepEqual({ intervalMs: h.intervalMs, fall: h.fall, rise: h.rise, path: h.healthPath }, { intervalMs: 500, fall: 2, rise: 2, path: "/readyz" });
            assert.deepEqual({ advert: k.advertIntervalSec, interval: k.checkIntervalSec, fall: k.checkFall, rise: k.checkRise }, { advert: 1, interval: 1, fall: 2, rise: 2 });
            for (const n of lbs()) {
                assert.deepEqual(haproxyCheck(read(n.name, "haproxy.cfg")), { inter: "500ms", fastinter: "250ms", fall: 2, rise: 2, path: "/readyz" }, n.name);
                const v = parseKeepalived(n.name, read(n.name, "keepalived.conf"));
                assert.deepEqual({ advert: v.advertInt, interval: v.check.interval, fall: v.check.fall, rise: v.check.rise }, { advert: 1, interval: 1, fall: 2, rise: 2 }, n.name);
                assert.match(read(n.name, "check_apiserver.sh"), /https:\/\/127\.0\.0\.1:6443\/readyz/, n.name);
            }
        });
    });
});
