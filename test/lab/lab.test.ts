/**
 * The lab (README "The lab"): the shipped lab stacks built for real — Debian hosts booted from a
 * bare rootfs, the real Pulumi engine running `pulumi up` over SSH, real kubeadm, kubelet,
 * containerd, etcd, HAProxy and keepalived, every download from the lab's mirror — and asserted
 * as a user would: kubectl through the VIP with the stack's own kubeconfig output.
 *
 * Writes out/lab/result.json (DESIGN.md's contract) and prints a summary. Needs root and the
 * toolchain (`npm run -s lab:build`); a missing piece fails the suite, naming what to run.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { LabRun, stackHosts } from "../../lab/cluster";
import { clusterChecks, hostFingerprint, type LabResult } from "../../lab/checks";
import { REPO } from "../../lab/toolchain";

const STACKS = (process.env.HACLUSTER_LAB_STACKS ?? "lab,lab-external-etcd").split(",");
const OUT = path.join(REPO, "out", "lab");

const results: LabResult[] = [];

for (const stack of STACKS) {
    describe(`lab: ${stack} from bare Debian hosts to a working HA cluster`, function () {
        this.timeout(3_600_000);
        let run: LabRun;
        const result: LabResult = { stack, engine: "", nodes: [], etcdMembers: 0, secondRunChanged: [], timeToReadySeconds: 0, failures: [], phases: [] };
        results.push(result);

        before(async function () {
            if (process.getuid?.() !== 0) assert.fail("the lab needs root (network namespaces, systemd-nspawn): run as root (CI does)");
            run = new LabRun(stack, stack === "lab" ? "a" : "b");
            result.engine = `pulumi ${run.workspace.engine.version}`;
            await run.start();
        });

        after(async function () {
            if (run) {
                result.log = run.log;
                await run.destroy();
            }
            fs.mkdirSync(OUT, { recursive: true });
            fs.writeFileSync(path.join(OUT, "result.json"), JSON.stringify(results.length === 1 ? results[0] : results, null, 2) + "\n");
        });

        it(
            stack === "lab"
                ? "pulumi up builds the cluster from bare hosts, through a kubeadm init that failed half-way and a failed join attempt"
                : "pulumi up builds the cluster from bare hosts",
            async function () {
                const hosts = stackHosts(run.stackDoc);
                const cps = hosts.filter((h) => h.role === "control-plane").map((h) => run.machine(h.host.name));
                let total = 0;
                if (stack === "lab") {
                    // The first control plane's kubeadm init stops after writing admin.conf; the second
                    // control plane's first join attempt fails. Both must heal without a hand on the host.
                    const fault = fs.readFileSync(path.join(REPO, "lab/faults/kubeadm-fail-once.sh"), "utf8");
                    for (const m of cps.slice(0, 2)) await m.must("install -d /usr/local/sbin && cat >/usr/local/sbin/kubeadm && chmod 0755 /usr/local/sbin/kubeadm", 30_000, fault);
                    const first = await run.up();
                    total += first.ran.ms;
                    result.firstUp = { exit: first.ran.code, seconds: Math.round(first.ran.ms / 1000) };
                    assert.notEqual(first.ran.code, 0, "the first pulumi up should fail: kubeadm init failed half-way on purpose");
                    assert.match(first.ran.stdout + first.ran.stderr, /kubeadm init failed on purpose/, `the first up failed, but not at the half-failed init:\n${first.ran.stdout.slice(-6000)}\n${first.ran.stderr.slice(-3000)}`);
                }
                const { ran, timings } = await run.up();
                total += ran.ms;
                result.phases = timings;
                result.timeToReadySeconds = Math.round(total / 1000);
                if (ran.code !== 0) {
                    result.failures.push(`pulumi up: exit ${ran.code}`);
                    assert.fail(`pulumi up failed (exit ${ran.code}):\n${ran.stdout.slice(-10000)}\n${ran.stderr.slice(-4000)}`);
                }
                if (stack === "lab") {
                    for (const [m, op] of [[cps[0], "init"], [cps[1], "join"]] as const) {
                        const fired = await m.exec(`test -e /var/lib/lab-fault/kubeadm-${op}.failed`);
                        assert.equal(fired.code, 0, `the ${op} fault never fired on ${m.name}`);
                        await m.must("rm -f /usr/local/sbin/kubeadm");
                    }
                }
            },
        );

        it("every node is Ready through the VIP with the stack's kubeconfig; etcd, kube-system and the control-plane taints are right", async function () {
            const c = await clusterChecks(run, stackHosts(run.stackDoc));
            result.nodes = c.nodes;
            result.etcdMembers = c.etcdMembers;
            result.failures.push(...c.failures);
            assert.deepEqual(c.failures, [], c.failures.join("\n"));
        });

        it("a second pulumi up changes nothing, and every node script re-run changes nothing on its host", async function () {
            const before = await Promise.all([...run.lab.machines.values()].map(hostFingerprint));
            const preview = await run.pulumi(["preview", "--expect-no-changes", "--diff"]);
            if (preview.code !== 0) result.secondRunChanged.push(`pulumi preview: ${preview.stdout.slice(-3000)}`);
            const reran = await run.rerunNodeScripts();
            const after = await Promise.all([...run.lab.machines.values()].map(hostFingerprint));
            for (let i = 0; i < before.length; i++) {
                for (const d of diffFingerprint(before[i], after[i])) result.secondRunChanged.push(d);
            }
            for (const r of reran.filter((x) => x.code !== 0)) result.secondRunChanged.push(`${r.node}: node script exit ${r.code}: ${r.stderr.slice(-500)}`);
            assert.deepEqual(result.secondRunChanged, [], result.secondRunChanged.join("\n"));
        });

        if (stack !== "lab") return;

        it("a worker added to the stack joins alone: the plan creates only its resources, and it turns Ready", async function () {
            const spare = { name: "w-c", address: "10.77.0.33", zone: "zone-c" };
            await run.lab.addMachine({ name: spare.name, address: spare.address });
            const doc = run.stackDoc;
            workersOf(doc).push(spare);
            run.stackDoc = doc;
            const plan = await run.pulumi(["preview", "--json"]);
            assert.equal(plan.code, 0, `preview with the added worker failed:\n${plan.stdout.slice(-4000)}\n${plan.stderr.slice(-2000)}`);
            const touched = changedSteps(plan.stdout);
            const others = touched.filter((t) => !t.urn.includes(spare.name));
            assert.deepEqual(others, [], "adding a worker touches only that worker's resources");
            assert.ok(touched.some((t) => t.op === "create"), "the plan creates the new worker");
            const t0 = Date.now();
            const { ran } = await run.up();
            assert.equal(ran.code, 0, `pulumi up with the added worker failed:\n${ran.stdout.slice(-6000)}`);
            const c = await clusterChecks(run, stackHosts(run.stackDoc), 600_000);
            assert.deepEqual(c.failures, [], c.failures.join("\n"));
            result.workerAdded = { node: spare.name, seconds: Math.round((Date.now() - t0) / 1000), resources: touched.length };
        });

        it("a worker removed from the stack is drained, deleted from the cluster and reset on its host", async function () {
            const doc = run.stackDoc;
            const workers = workersOf(doc);
            workers.splice(workers.findIndex((w) => w.name === "w-c"), 1);
            run.stackDoc = doc;
            const t0 = Date.now();
            const { ran } = await run.up();
            assert.equal(ran.code, 0, `pulumi up without the worker failed:\n${ran.stdout.slice(-6000)}`);
            const get = await run.kubectl(["get", "node", "w-c"]);
            assert.notEqual(get.code, 0, "w-c is still a node of the cluster");
            assert.match(get.stderr, /NotFound|not found/);
            const host = run.machine("w-c");
            const left = (await host.exec("ls /etc/kubernetes/kubelet.conf /etc/kubernetes/pki/ca.crt /etc/cni/net.d 2>/dev/null; systemctl is-active kubelet || true")).stdout.trim();
            assert.doesNotMatch(left, /kubelet\.conf|ca\.crt|net\.d|^active$/m, `w-c was not reset: ${left}`);
            result.workerRemoved = { node: "w-c", seconds: Math.round((Date.now() - t0) / 1000) };
            await host.stop();
        });

        it("cutting the power of the VIP holder leaves kubectl working through the VIP", async function () {
            const doc = run.stackDoc;
            const ep = (doc.config["hacluster:cluster"] as { endpoint: { vip: string; lbHosts: { name: string }[] } }).endpoint;
            const holders: string[] = [];
            for (const lb of ep.lbHosts) if ((await run.machine(lb.name).exec("ip -o -4 addr show")).stdout.includes(` ${ep.vip}/`)) holders.push(lb.name);
            assert.equal(holders.length, 1, `exactly one LB host holds the VIP ${ep.vip}: ${holders.join(", ") || "none"}`);
            const [holder] = holders;
            const t0 = Date.now();
            await run.machine(holder).powerCut();
            let back = -1;
            while (Date.now() - t0 < 60_000) {
                const r = await run.kubectl(["get", "nodes", "-o", "name"], 8_000);
                if (r.code === 0 && r.stdout.includes("node/")) {
                    back = Date.now() - t0;
                    break;
                }
                await new Promise((res) => setTimeout(res, 250));
            }
            result.vipFailover = { holder, kubectlBackSeconds: back < 0 ? null : Math.round(back / 100) / 10 };
            assert.ok(back >= 0, `kubectl through the VIP still failed 60 s after ${holder}'s power cut`);
            const other = ep.lbHosts.map((l) => l.name).find((n) => n !== holder)!;
            assert.ok((await run.machine(other).exec("ip -o -4 addr show")).stdout.includes(` ${ep.vip}/`), `${other} did not take the VIP`);
            await run.machine(holder).powerOn();
        });

        it("pulumi destroy resets every host and stops at the protected CAs and keys; unprotected, the stack empties", async function () {
            const t0 = Date.now();
            // Profile ha protects the cluster's CAs, service-account key and encryption key: a first
            // destroy removes everything else (every host reset) and refuses exactly those.
            const r = await run.pulumi(["destroy", "--yes", "--skip-preview"], 1_800_000);
            const refused = [...new Set([...r.stdout.matchAll(/\((\S+)\):\n\s+error: resource "[^"]+" cannot be deleted\n\s+because it is protected/g)].map((m) => m[1]))].sort();
            assert.notEqual(r.code, 0, "a destroy in profile ha must not delete the protected cluster CAs");
            assert.deepEqual(refused, ["lab-pki-ca-cert", "lab-pki-encryption-key", "lab-pki-etcd-ca-cert", "lab-pki-front-proxy-ca-cert", "lab-pki-sa-key"], `destroy failed on something other than the protected PKI:\n${r.stdout.slice(-6000)}`);
            const unprotect = await run.pulumi(["state", "unprotect", "--all", "--yes"]);
            assert.equal(unprotect.code, 0, unprotect.stderr);
            const again = await run.pulumi(["destroy", "--yes", "--skip-preview"], 600_000);
            assert.equal(again.code, 0, `pulumi destroy after unprotect failed:\n${again.stdout.slice(-6000)}\n${again.stderr.slice(-2000)}`);
            const left: string[] = [];
            for (const h of stackHosts(run.stackDoc)) {
                const m = run.machine(h.host.name);
                const probe = h.role === "lb" ? "systemctl is-active haproxy keepalived || true" : "ls /etc/kubernetes/kubelet.conf /etc/kubernetes/manifests/*.yaml /etc/kubernetes/pki/ca.crt 2>/dev/null; systemctl is-active kubelet || true";
                const out = (await m.exec(probe)).stdout.trim();
                if (/^active$|kubelet\.conf|\.yaml|ca\.crt/m.test(out)) left.push(`${h.host.name}: ${out.replace(/\s+/g, " ")}`);
            }
            result.destroy = { seconds: Math.round((Date.now() - t0) / 1000), left };
            assert.deepEqual(left, [], "hosts not reset by pulumi destroy");
        });
    });
}

type Host = { name: string; address: string; zone?: string };

function workersOf(doc: { config: Record<string, unknown> }): Host[] {
    const c = doc.config["hacluster:cluster"] as { workers: { hosts: Host[] } };
    return c.workers.hosts;
}

/** The steps of a `pulumi preview --json` that change something (not `same`, not `read`). */
function changedSteps(json: string): { op: string; urn: string }[] {
    const plan = JSON.parse(json) as { steps?: { op: string; urn: string }[] };
    return (plan.steps ?? []).filter((x) => !["same", "read"].includes(x.op)).map((x) => ({ op: x.op, urn: x.urn }));
}

function diffFingerprint(a: Record<string, string>, b: Record<string, string>): string[] {
    const out: string[] = [];
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) if (a[k] !== b[k]) out.push(`${a.host ?? b.host}: ${k} changed`);
    return out;
}
