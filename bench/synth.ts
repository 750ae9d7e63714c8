/**
 * `npm run bench:synth [-- [--stack dev] [--project <dir>] [N ...]]`
 *
 * Time and peak memory of an offline synth against the number of worker nodes. Each size runs
 * in a fresh child process (so peak RSS is that run's: `process.resourceUsage().maxRSS`), with
 * N workers generated into the stack's config:
 * - on-prem (`cluster.workers.hosts`): hosts `worker-<i>` with addresses in the /16 around
 *   `cluster.network.nodeCidr` (widened to that /16 when narrower), skipping every address the
 *   config already uses, spread over the zones the control planes use;
 * - clouds: `cluster.workers.count = N`;
 * - `cluster.kubernetes.podSubnet` widened (same base, aligned) when it holds fewer /24 node
 *   ranges than there are nodes.
 * Prints a markdown table. Seconds cover loading the program, the synth and writing the output
 * (to a temporary directory), not the child's start-up.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadStackConfig } from "../synth/config";
import { runSynth, writeSynth } from "../synth/synth";

const DEFAULT_SIZES = [3, 50, 200, 500];

interface ChildInput {
    readonly stack: string;
    readonly projectDir: string;
    readonly workers: number;
}

interface Measurement {
    readonly workers: number;
    readonly nodes: number;
    readonly resources: number;
    readonly seconds: number;
    readonly peakRssMiB: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function ipToInt(ip: string): number {
    return ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
}
function intToIp(n: number): string {
    return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

function collectAddresses(v: unknown, into: Set<string>): void {
    if (typeof v === "string" && /^\d+\.\d+\.\d+\.\d+$/.test(v)) into.add(v);
    else if (Array.isArray(v)) v.forEach((x) => collectAddresses(x, into));
    else if (isObj(v)) Object.values(v).forEach((x) => collectAddresses(x, into));
}

/** Config overrides that give the stack `n` workers (tolerant of missing sections). */
export function workerOverrides(projectDir: string, stack: string, n: number): Record<string, unknown> {
    const cfg = loadStackConfig({ projectDir, stack });
    const raw = cfg.values[`${cfg.project}:cluster`];
    const cluster: Obj = isObj(raw) ? raw : typeof raw === "string" ? (JSON.parse(raw) as Obj) : {};
    const platform = String(cluster.platform ?? cfg.values[`${cfg.project}:platform`] ?? "onprem");
    const workers = isObj(cluster.workers) ? cluster.workers : {};
    if (platform !== "onprem" && !Array.isArray(workers.hosts)) return { "cluster.workers.count": n };

    const network = isObj(cluster.network) ? cluster.network : {};
    const nodeCidr = typeof network.nodeCidr === "string" ? network.nodeCidr : "10.0.0.0/16";
    const [base, bitsText] = nodeCidr.split("/");
    const bits = Number(bitsText);
    const overrides: Record<string, unknown> = {};
    const start16 = Math.floor(ipToInt(base) / 65536) * 65536;
    if (bits > 16) overrides["cluster.network.nodeCidr"] = `${intToIp(start16)}/16`;
    const first = bits < 16 ? Math.floor(ipToInt(base) / 2 ** (32 - bits)) * 2 ** (32 - bits) : start16;
    const size = 2 ** (32 - Math.min(bits, 16));

    const used = new Set<string>();
    const withoutWorkers: Obj = { ...cluster, workers: { ...workers, hosts: [] } };
    collectAddresses(withoutWorkers, used);
    const zones = new Set<string>();
    for (const section of ["controlPlane", "etcd", "workers"]) {
        const s = cluster[section];
        if (isObj(s) && Array.isArray(s.hosts)) for (const h of s.hosts) if (isObj(h) && typeof h.zone === "string") zones.add(h.zone);
    }
    const zoneList = zones.size > 0 ? [...zones].sort() : ["default"];
    const hosts: { name: string; address: string; zone: string }[] = [];
    // Start above the first /20 of the range, well clear of hand-written hosts.
    for (let off = Math.min(4096, size / 2) + 10; hosts.length < n; off++) {
        if (off >= size - 1) throw new Error(`cannot fit ${n} workers into ${nodeCidr} widened to a /16`);
        const last = off % 256;
        if (last === 0 || last === 255) continue;
        const address = intToIp(first + off);
        if (used.has(address)) continue;
        hosts.push({ name: `worker-${hosts.length + 1}`, address, zone: zoneList[hosts.length % zoneList.length] });
    }
    overrides["cluster.workers.hosts"] = hosts;

    // Every node gets a /24 of the pod network (kube-controller-manager's default): widen it.
    const kubernetes = isObj(cluster.kubernetes) ? cluster.kubernetes : {};
    const podSubnet = typeof kubernetes.podSubnet === "string" ? kubernetes.podSubnet : "10.244.0.0/16";
    const [podBase, podBitsText] = podSubnet.split("/");
    const others = ["controlPlane", "etcd"].reduce((a, k) => a + (isObj(cluster[k]) && Array.isArray((cluster[k] as Obj).hosts) ? ((cluster[k] as Obj).hosts as unknown[]).length : 3), 0);
    const needed = Math.min(Number(podBitsText), 24 - Math.ceil(Math.log2(n + others + 8)));
    if (needed < Number(podBitsText)) {
        const block = 2 ** (32 - needed);
        overrides["cluster.kubernetes.podSubnet"] = `${intToIp(Math.floor(ipToInt(podBase) / block) * block)}/${needed}`;
    }
    return overrides;
}

async function child(input: ChildInput): Promise<void> {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-synth-"));
    try {
        const configOverrides = workerOverrides(input.projectDir, input.stack, input.workers);
        const t0 = process.hrtime.bigint();
        const result = await runSynth({ stack: input.stack, projectDir: input.projectDir, outDir: out, configOverrides });
        writeSynth(result, out);
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        const nodesOut = result.plan.outputs.nodes;
        const nodes = Array.isArray(nodesOut)
            ? new Set(nodesOut.filter(isObj).map((x) => String(x.name))).size +
              nodesOut.filter(isObj).reduce((a, x) => a + (typeof x.count === "number" ? x.count - 1 : 0), 0)
            : result.nodes.size;
        const m: Measurement = {
            workers: input.workers,
            nodes,
            resources: result.plan.resources.length,
            seconds,
            peakRssMiB: process.resourceUsage().maxRSS / 1024,
        };
        process.stdout.write(`BENCH ${JSON.stringify(m)}\n`);
    } finally {
        fs.rmSync(out, { recursive: true, force: true });
    }
}

function parse(argv: readonly string[]): { stack: string; projectDir: string; sizes: number[] } {
    let stack = "dev";
    let projectDir = path.join(__dirname, "..");
    const sizes: number[] = [];
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--stack") stack = argv[++i];
        else if (a === "--project") projectDir = path.resolve(argv[++i]);
        else if (a === "--sizes") sizes.push(...argv[++i].split(",").map(Number));
        else if (/^\d+$/.test(a)) sizes.push(Number(a));
        else throw new Error(`unknown argument ${a}; usage: bench:synth [--stack s] [--project dir] [N ...]`);
    }
    if (sizes.some((n) => !Number.isInteger(n) || n < 0)) throw new Error("sizes must be whole numbers");
    return { stack, projectDir, sizes: sizes.length > 0 ? sizes : DEFAULT_SIZES };
}

function main(): number {
    const { stack, projectDir, sizes } = parse(process.argv.slice(2));
    const rows: string[] = [];
    let failed = false;
    process.stdout.write(`Offline synth, stack ${stack} (${path.relative(process.cwd(), projectDir) || "."}), node ${process.version}, ${os.cpus().length} CPUs\n\n`);
    const header = "| workers | nodes | resources | seconds | peak RSS MiB | ms per resource |\n|---:|---:|---:|---:|---:|---:|";
    for (const workers of sizes) {
        const input: ChildInput = { stack, projectDir, workers };
        const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", __filename, "--child", JSON.stringify(input)], {
            cwd: path.join(__dirname, ".."),
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
        });
        const line = r.stdout.split("\n").find((l) => l.startsWith("BENCH "));
        if (r.status !== 0 || !line) {
            failed = true;
            process.stderr.write(`workers=${workers}: synth failed (exit ${r.status})\n${r.stderr}\n`);
            continue;
        }
        const m = JSON.parse(line.slice(6)) as Measurement;
        rows.push(
            `| ${m.workers} | ${m.nodes} | ${m.resources} | ${m.seconds.toFixed(2)} | ${m.peakRssMiB.toFixed(0)} | ${((m.seconds * 1000) / Math.max(1, m.resources)).toFixed(2)} |`,
        );
        process.stderr.write(`workers=${workers} done\n`);
    }
    process.stdout.write(`${header}\n${rows.join("\n")}\n`);
    return failed ? 1 : 0;
}

if (require.main === module) {
    const i = process.argv.indexOf("--child");
    if (i >= 0) {
        child(JSON.parse(process.argv[i + 1]) as ChildInput).then(
            () => process.exit(0),
            (e) => {
                process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
                process.exit(1);
            },
        );
    } else {
        try {
            process.exit(main());
        } catch (e) {
            process.stderr.write(`bench:synth: ${(e as Error).message}\n`);
            process.exit(2);
        }
    }
}
