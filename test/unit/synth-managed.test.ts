/**
 * The managed stacks (eks, gke, aks) of the real program synth offline (CLI in a child process):
 * the plan honours the contract, outputs are there with the kubeconfig secret, nothing secret is
 * written, and 1000 workers register exactly the resources 3 do. A self-managed option in a
 * managed stack stops the synth with its message and writes nothing.
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Plan } from "../../synth/synth";

const ROOT = path.join(__dirname, "..", "..");

interface Run {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs at most two CLI processes at a time (most of a run is loading; the machine is shared). */
let running = 0;
const waiting: (() => void)[] = [];
async function limited<T>(f: () => Promise<T>): Promise<T> {
    if (running >= 2) await new Promise<void>((r) => waiting.push(r));
    running++;
    try {
        return await f();
    } finally {
        running--;
        waiting.shift()?.();
    }
}

/** One CLI run in a child process. */
function synth(stack: string, out: string, ...sets: string[]): Promise<Run> {
    return limited(() => spawnSynth(stack, out, sets));
}

function spawnSynth(stack: string, out: string, sets: readonly string[]): Promise<Run> {
    const args = ["-r", "ts-node/register/transpile-only", path.join(ROOT, "synth", "cli.ts"), "--stack", stack, "--out", out, ...sets.flatMap((s) => ["--set", s])];
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, args, { cwd: ROOT, timeout: 120_000 });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("error", reject);
        child.on("close", (status) => resolve({ status, stdout, stderr }));
    });
}

function allFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const STACKS = [
    { stack: "eks", component: "hacluster:managed:Eks", cluster: "aws:eks/cluster:Cluster", pool: "aws:eks/nodeGroup:NodeGroup", size: (i: any) => i.scalingConfig.desiredSize },
    { stack: "gke", component: "hacluster:managed:Gke", cluster: "gcp:container/cluster:Cluster", pool: "gcp:container/nodePool:NodePool", size: (i: any) => i.nodeCount * i.nodeLocations.length },
    { stack: "aks", component: "hacluster:managed:Aks", cluster: "azure-native:containerservice:ManagedCluster", pool: "azure-native:containerservice:AgentPool", size: (i: any) => i.count },
];

describe("synth: the managed stacks of the real program", function () {
    this.timeout(300_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "synth-managed-"));
    const runs = new Map<string, Promise<Run>>();
    const run = (key: string, stack: string, ...sets: string[]) => {
        if (!runs.has(key)) runs.set(key, synth(stack, path.join(tmp, key), ...sets));
        return runs.get(key)!;
    };
    before(() => {
        // Start every run at once; each suite awaits its own.
        for (const s of STACKS) {
            run(s.stack, s.stack);
            run(`${s.stack}-1000`, s.stack, "cluster.workers.count=1000");
        }
        run("bad", "eks", "cluster.etcd.topology=external", "cluster.kubernetes.cniManifestUrl=https://example.com/cni.yaml");
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    for (const s of STACKS) {
        describe(s.stack, () => {
            let plan: Plan;
            let many: Plan;
            let out: string;
            let stdout: string;
            before(async () => {
                out = path.join(tmp, s.stack);
                const r = await run(s.stack, s.stack);
                assert.equal(r.status, 0, `synth --stack ${s.stack} failed:\n${r.stderr}`);
                stdout = r.stdout;
                plan = JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8"));
                const r2 = await run(`${s.stack}-1000`, s.stack, "cluster.workers.count=1000");
                assert.equal(r2.status, 0, `synth --stack ${s.stack} with 1000 workers failed:\n${r2.stderr}`);
                many = JSON.parse(fs.readFileSync(path.join(tmp, `${s.stack}-1000`, "plan.json"), "utf8"));
            });

            it("writes a plan in the contract's shape, under one managed component", () => {
                assert.deepEqual([plan.project, plan.stack], ["hacluster", s.stack]);
                const names = new Set(plan.resources.map((r) => r.name));
                for (const r of plan.resources) {
                    assert.deepEqual(Object.keys(r), ["type", "name", "parent", "dependsOn", "inputs"]);
                    assert.ok(r.parent === null || names.has(r.parent), `${r.name}: parent ${r.parent}`);
                    for (const d of r.dependsOn) assert.ok(names.has(d), `${r.name}: dependency ${d}`);
                }
                const top = plan.resources.filter((r) => r.parent === null);
                assert.deepEqual(top.map((r) => [r.type, r.name]), [[s.component, s.stack]]);
                assert.equal(plan.resources.filter((r) => r.type === s.cluster).length, 1);
                assert.equal(plan.resources.filter((r) => r.type === s.pool).length, 1);
                assert.match(stdout, /Failure tolerance \(may be lost\): 1 zone/);
            });

            it("exports the kubeconfig as a secret, the pools by zone and the tolerance; the endpoint is unknown offline", () => {
                assert.equal(plan.outputs.kubeconfig, "[secret]");
                assert.equal(plan.outputs.endpoint, "[unknown]");
                const nodes = plan.outputs.nodes as { role: string; zone: string; count: number }[];
                assert.ok(nodes.every((n) => n.role === "worker" && n.zone.split(",").length === 3), JSON.stringify(nodes));
                const tol = plan.outputs.failureTolerance as Record<string, unknown>;
                assert.deepEqual([tol.zones, tol.etcdMembers, tol.apiServers], [1, null, null]);
            });

            it("writes no secret and no node files (the provider boots the nodes)", () => {
                assert.deepEqual(fs.readdirSync(path.join(out, "nodes")), []);
                for (const f of allFiles(out)) assert.doesNotMatch(fs.readFileSync(f, "utf8"), /PRIVATE KEY-----|client-key-data/, f);
            });

            it("1000 workers register the same resources as 3", () => {
                assert.deepEqual(many.resources.map((r) => `${r.type} ${r.name}`), plan.resources.map((r) => `${r.type} ${r.name}`));
                const pool = many.resources.find((r) => r.type === s.pool)!;
                assert.ok(s.size(pool.inputs) >= 1000, JSON.stringify(pool.inputs));
            });
        });
    }

    it("a self-managed option in a managed stack stops the synth with its message and writes nothing", async () => {
        const out = path.join(tmp, "bad");
        const r = await run("bad", "eks");
        assert.equal(r.status, 1, r.stdout);
        assert.match(r.stderr, /cluster\.etcd: is a self-managed \(kubeadm\) setting; the provider runs etcd in family managed\. Fix: remove cluster\.etcd/);
        assert.match(r.stderr, /cluster\.kubernetes\.cniManifestUrl: is a self-managed \(kubeadm\) setting; the provider installs the network plugin in family managed/);
        assert.ok(!fs.existsSync(out), "nothing written");
    });
});
