/**
 * examples/reuse: another team's project importing the components. It must compile on its own
 * (its tsconfig, strict), synth through the CLI (`--project examples/reuse`), produce a working
 * cluster plan under its own project and names, pass the policy pack, and report config mistakes
 * the way the main stack does.
 */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import type { Plan } from "../../synth/synth";
import { policies } from "../../policy/policies";
import { analyze } from "../policy/engine";
import { ROOT, synthPlan } from "../policy/plans";

const run = promisify(execFile);
const PROJECT = "examples/reuse";

describe("examples/reuse (another team's stack)", function () {
    this.timeout(120_000);
    let out: string;
    let plan: Plan;

    before(async () => {
        out = fs.mkdtempSync(path.join(os.tmpdir(), "hacluster-reuse-"));
        plan = await synthPlan("staging", { project: PROJECT, out });
    });

    it("compiles on its own, strictly", async () => {
        const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
        const r = await run(process.execPath, [tsc, "--noEmit", "-p", path.join(PROJECT, "tsconfig.json")], { cwd: ROOT }).catch((e) => e);
        assert.equal(r.stdout, "", r.stdout);
    });

    it("synths under its own project and names", () => {
        assert.equal(plan.project, "payments-clusters");
        assert.equal(plan.stack, "staging");
        const cluster = plan.resources.find((r) => r.type === "hacluster:onprem:Cluster");
        assert.ok(cluster, "one OnPremCluster");
        assert.equal(cluster.name, "payments-staging");
        assert.equal(cluster.parent, null);
        for (const r of plan.resources) assert.ok(r.name.startsWith("payments-staging"), r.name);
        assert.deepEqual((cluster.inputs.facts as any).controlPlanes, { count: 3, zones: ["rack-1", "rack-2", "rack-3"] });
    });

    it("exports the team's outputs, the kubeconfig as a secret", () => {
        assert.equal(plan.outputs.endpoint, "https://10.30.0.10:6443");
        assert.equal(plan.outputs.kubeconfig, "[secret]");
        assert.deepEqual(plan.outputs.controlPlanes, ["cp1 (rack-1)", "cp2 (rack-2)", "cp3 (rack-3)"]);
        assert.equal((plan.outputs.failureTolerance as any).zones, 1);
    });

    it("writes every node's files, secrets stay on stdin as secrets", () => {
        assert.deepEqual(fs.readdirSync(path.join(out, "synth", "nodes")).sort(), ["app1", "app2", "cp1", "cp2", "cp3", "lb1", "lb2"]);
        const kubeadm = fs.readFileSync(path.join(out, "synth", "nodes", "cp1", "kubeadm.yaml"), "utf8");
        assert.match(kubeadm, /clusterName: payments-staging/);
        for (const r of plan.resources.filter((x) => x.name.endsWith("-secrets"))) assert.equal(r.inputs.stdin, "[secret]", r.name);
    });

    it("passes the policy pack", async () => {
        const o = await analyze(plan, policies);
        assert.deepEqual(o.violations, []);
        assert.deepEqual(o.unknown, []);
    });

    it("reports a config mistake with its path and creates nothing", async () => {
        const bad = path.join(out, "bad");
        const r = await run("npm", ["run", "--silent", "synth", "--", "--project", PROJECT, "--stack", "staging", "--out", bad, "--set", "cluster.controlPlane.hosts.2.zone=rack-1"], { cwd: ROOT }).then(
            () => ({ code: 0, stderr: "" }),
            (e) => ({ code: e.code as number, stderr: String(e.stderr) }),
        );
        assert.equal(r.code, 1);
        assert.match(r.stderr, /nothing was created/);
        assert.match(r.stderr, /cluster\.tolerance\.zones: losing zone rack-1 \(2 of 3 etcd members\) would lose etcd quorum.*Fix: /);
        assert.equal(fs.existsSync(bad), false);
    });
});
