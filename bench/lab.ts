/**
 * `npm run bench:lab [-- --stack lab]`: boots the lab stack's hosts, runs `pulumi up` with the
 * real engine, waits until every node is Ready through the VIP, and prints how long each phase
 * took — LB hosts, external etcd, the first control plane, each control-plane join, the workers —
 * so slow phases show. Writes bench/results/lab.md. Needs root and the toolchain (npm run -s lab:build).
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { LabRun, stackHosts, type PhaseTiming } from "../lab/cluster";
import { clusterChecks } from "../lab/checks";
import { REPO } from "../lab/toolchain";

interface Row {
    readonly phase: string;
    readonly steps: number;
    readonly seconds: number;
    readonly doneAt: number;
}

/** Groups the engine's step timings by phase: what the node step belongs to. */
export function phasesOf(timings: readonly PhaseTiming[], hosts: { role: string; host: { name: string } }[], start: number): Row[] {
    const roleOf = new Map(hosts.map((h) => [h.host.name, h.role]));
    const firstCp = hosts.find((h) => h.role === "control-plane")?.host.name;
    const groups = new Map<string, PhaseTiming[]>();
    for (const t of timings) {
        const node = [...roleOf.keys()].find((n) => t.resource.includes(`-${n}-`) || t.resource.endsWith(`-${n}`));
        const role = node ? roleOf.get(node) : undefined;
        const phase = !node ? "cluster-wide (PKI, tokens, kubeconfig)" : role === "lb" ? "LB hosts" : role === "etcd" ? "external etcd" : node === firstCp ? `first control plane (${node}: kubeadm init)` : role === "control-plane" ? `control-plane join ${node}` : "workers";
        groups.set(phase, [...(groups.get(phase) ?? []), t]);
    }
    return [...groups.entries()]
        .map(([phase, ts]) => ({ phase, steps: ts.length, seconds: Math.max(...ts.map((t) => t.seconds)), doneAt: (Math.max(...ts.map((t) => t.endAt)) - start) / 1000 }))
        .sort((a, b) => a.doneAt - b.doneAt);
}

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { stack: { type: "string", default: "lab" } } });
    const stack = values.stack!;
    const run = new LabRun(stack, "bench");
    try {
        const t0 = Date.now();
        await run.start();
        const booted = Date.now();
        const start = Date.now();
        const { ran, timings } = await run.up();
        if (ran.code !== 0) throw new Error(`pulumi up failed:\n${ran.stdout.slice(-6000)}`);
        const upDone = Date.now();
        const checks = await clusterChecks(run, stackHosts(run.stackDoc));
        const ready = Date.now();
        const rows = phasesOf(timings, stackHosts(run.stackDoc), start);
        const lines = [
            `# bench:lab — ${stack}, ${new Date().toISOString().slice(0, 10)}`,
            "",
            `Hosts booted (${run.lab.machines.size}, 3 at a time): ${((booted - t0) / 1000).toFixed(0)} s. ` +
                `\`pulumi up\`: ${((upDone - start) / 1000).toFixed(0)} s; all nodes Ready through the VIP: ${((ready - start) / 1000).toFixed(0)} s after the first command` +
                `${checks.failures.length ? ` (with failures: ${checks.failures.join("; ")})` : ""}.`,
            "",
            "| phase | steps | longest step s | done at s |",
            "| --- | ---: | ---: | ---: |",
            ...rows.map((r) => `| ${r.phase} | ${r.steps} | ${r.seconds.toFixed(1)} | ${r.doneAt.toFixed(0)} |`),
            `| all nodes Ready | | | ${((ready - start) / 1000).toFixed(0)} |`,
            "",
        ];
        console.log(lines.join("\n"));
        fs.mkdirSync(path.join(REPO, "bench", "results"), { recursive: true });
        fs.writeFileSync(path.join(REPO, "bench", "results", `lab${stack === "lab" ? "" : `-${stack}`}.md`), lines.join("\n"));
    } finally {
        await run.destroy();
    }
}

if (require.main === module) {
    main().catch((e: Error) => {
        console.error(e.message);
        process.exit(1);
    });
}
