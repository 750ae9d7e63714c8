/**
 * The etcd lab and its drills: members started from the synth's rendered etcd.env (each member on
 * its own lab host, at its rendered address), a writer doing sequential acknowledged puts all the
 * time from a client host, and drills that kill members while it writes.
 *
 * Each member gets exactly the variables of its etcd.env (parsed as systemd's EnvironmentFile),
 * with only the two host paths moved to the member's lab directory: ETCD_DATA_DIR (/var/lib/etcd)
 * and the PKI directory (/etc/etcd/pki/...). Addresses, ports and timings are untouched.
 * Certificates: server and peer certificates with the SANs the project uses (member IP,
 * 127.0.0.1, member name, localhost) and serverAuth + clientAuth; a client certificate for the writer.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { Sample } from "./client";
import type { DrillResult } from "./apilab";
import { Host, Lab, Proc, sleep, tsScript, waitFor, writeFile } from "./lab";
import { parseSample, recovery, Recovery } from "./metrics";
import { TestCa } from "./pki";
import { parseEnvFile, readNodeFile } from "./synth";

const DATA_DIR = "/var/lib/etcd";
const PKI_DIR = "/etc/etcd/pki";

export interface EtcdLabOptions {
    /** Per-put timeout of the writer (ms). */
    readonly putTimeoutMs?: number;
    /** Least ms between the starts of two puts. */
    readonly putIntervalMs?: number;
    readonly windowMs?: number;
    readonly slowMs?: number;
    /** One-way delay added in front of every member (ms): inter-zone latency (RTT = 2x). */
    readonly latencyMs?: number;
    /** Jitter of that delay (ms). */
    readonly jitterMs?: number;
    /**
     * Use the user-space delay hub (delayhub.py, needs python3) instead of the kernel bridge, for
     * latency where the kernel has no `netem`. @default true when latencyMs > 0 and netem is missing.
     */
    readonly delayHub?: boolean;
    readonly verbose?: boolean;
    readonly label?: string;
}

export interface Verification {
    readonly acked: number;
    /** Acknowledged keys not readable (lost writes). */
    readonly missing: number[];
    /** Acknowledged keys with the wrong value. */
    readonly wrong: number[];
    /** Keys whose put was not acknowledged but that exist (committed before the client gave up). */
    readonly unackedPresent: number;
    readonly endpoint: string;
}

/** Moves the two host paths of an etcd.env to a member's lab directory; everything else stays. */
function rewriteEtcdEnv(env: Readonly<Record<string, string>>, dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    let pki = 0;
    for (const [k, v] of Object.entries(env)) {
        if (k === "ETCD_DATA_DIR") {
            if (v !== DATA_DIR) throw new Error(`etcd.env: ETCD_DATA_DIR is ${v}, the drills expect ${DATA_DIR}`);
            out[k] = path.join(dir, "data");
        } else if (v.startsWith(`${PKI_DIR}/`)) {
            out[k] = path.join(dir, "pki", v.slice(PKI_DIR.length + 1));
            pki++;
        } else {
            out[k] = v;
        }
    }
    if (!out.ETCD_DATA_DIR || pki < 6) throw new Error(`etcd.env: expected ETCD_DATA_DIR and 6 PKI paths under ${PKI_DIR} (found ${pki})`);
    return out;
}

/** `--set` arguments adding members etcd4.. to the onprem-external-etcd stack (3 members). */
export function extraMemberSets(n: number): string[] {
    const sets: string[] = [];
    for (let i = 4; i <= n; i++) {
        const j = i - 1;
        sets.push(`cluster.etcd.hosts.${j}.name=etcd${i}`, `cluster.etcd.hosts.${j}.address=10.20.0.${20 + i}`, `cluster.etcd.hosts.${j}.zone=rack-${"abc"[j % 3]}`);
    }
    return sets;
}

/** Whether this kernel has the netem qdisc (tried on a veth pair in a scratch namespace). */
export function netemAvailable(): boolean {
    const ns = `hha${process.pid}q-netem`;
    try {
        if (spawnSync("ip", ["netns", "add", ns], { timeout: 5_000 }).status !== 0) return false;
        spawnSync("ip", ["-n", ns, "link", "add", "q0", "type", "veth", "peer", "name", "q1"], { timeout: 5_000 });
        return spawnSync("tc", ["-n", ns, "qdisc", "add", "dev", "q0", "root", "netem", "delay", "1ms"], { timeout: 5_000 }).status === 0;
    } finally {
        spawnSync("ip", ["netns", "del", ns], { timeout: 5_000 });
    }
}

export class EtcdLab {
    readonly lab: Lab;
    members: Host[] = [];
    client!: Host;
    ca!: TestCa;
    readonly envs = new Map<string, Record<string, string>>();
    readonly samples: Sample[] = [];
    private readonly procs = new Map<string, Proc>();
    private writer: Proc | undefined;
    private clientTls!: { cert: string; key: string };
    readonly opts: Required<EtcdLabOptions>;
    readonly prefix: string;

    constructor(
        nodesDir: string,
        names: readonly string[],
        tag: string,
        opts: EtcdLabOptions = {},
    ) {
        this.opts = { putTimeoutMs: 1000, putIntervalMs: 20, windowMs: 3000, slowMs: 500, latencyMs: 0, jitterMs: 0, delayHub: false, verbose: false, label: `etcd x${names.length}`, ...opts };
        const hub = opts.delayHub ?? ((opts.latencyMs ?? 0) > 0 && !netemAvailable());
        this.lab = new Lab(tag, hub ? [...names, "client"] : undefined);
        this.prefix = `/hacluster-drill/${process.pid}`;
        try {
            this.setup(nodesDir, names);
        } catch (e) {
            this.lab.destroySync();
            throw e;
        }
    }

    private setup(nodesDir: string, names: readonly string[]): void {
        this.ca = new TestCa(path.join(this.lab.dir, "pki"), "hacluster-ha-etcd-ca");
        const parsed = names.map((n) => ({ name: n, env: parseEnvFile(readNodeFile(nodesDir, n, "etcd.env")) }));
        this.members = parsed.map(({ name, env }) => {
            const address = new URL(env.ETCD_ADVERTISE_CLIENT_URLS.split(",")[0]).hostname;
            const h = this.lab.addHost(name, address, 24);
            this.envs.set(name, rewriteEtcdEnv(env, h.dir));
            const sans = [address, "127.0.0.1", name, "localhost"];
            const server = this.ca.issue(`${name}-server`, name, sans, ["serverAuth", "clientAuth"]);
            const peer = this.ca.issue(`${name}-peer`, name, sans, ["serverAuth", "clientAuth"]);
            const pki = path.join(h.dir, "pki");
            const copy = (from: string, to: string, mode: number) => writeFile(path.join(pki, to), fs.readFileSync(from, "utf8"), mode);
            copy(this.ca.cert, "ca.crt", 0o644);
            copy(server.cert, "server.crt", 0o644);
            copy(server.key, "server.key", 0o600);
            copy(peer.cert, "peer.crt", 0o644);
            copy(peer.key, "peer.key", 0o600);
            return h;
        });
        const clientAddress = `${this.members[0].address.split(".").slice(0, 3).join(".")}.50`;
        if (this.members.some((m) => m.address === clientAddress)) throw new Error(`a member uses ${clientAddress}, the etcd client's address`);
        this.client = this.lab.addHost("client", clientAddress, 24);
        this.clientTls = this.ca.issue("client", "hacluster-ha-etcd-client", [], ["clientAuth"]);
        if (this.opts.latencyMs > 0) for (const m of this.members) m.netem(this.opts.latencyMs, this.opts.jitterMs);
    }

    log(msg: string): void {
        if (this.opts.verbose) process.stderr.write(`[${new Date().toISOString().slice(11, 23)}] ${this.opts.label}: ${msg}\n`);
    }

    get endpoints(): string[] {
        return this.members.map((m) => this.envs.get(m.name)!.ETCD_ADVERTISE_CLIENT_URLS.split(",")[0]);
    }

    member(name: string): Host {
        return this.lab.host(name);
    }

    diag(): string {
        const parts = [...this.procs.values()].map((p) => p.output(8));
        return `${parts.join("\n")}\n--- last writer samples:\n${this.samples.slice(-5).map((s) => JSON.stringify(s)).join("\n")}\n${this.writer?.output(5) ?? ""}`;
    }

    startMember(m: Host): Proc {
        const env = { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", ...this.envs.get(m.name)! };
        const p = m.spawn("etcd", "etcd", [], { env, keepLines: 200 });
        this.procs.set(m.name, p);
        return p;
    }

    private etcdctlArgs(endpoints: readonly string[], args: readonly string[]): string[] {
        return [`--endpoints=${endpoints.join(",")}`, `--cacert=${this.ca.cert}`, `--cert=${this.clientTls.cert}`, `--key=${this.clientTls.key}`, "--dial-timeout=1s", "--command-timeout=2s", ...args];
    }

    /** Members whose endpoint answers `endpoint health` (from the client host). */
    async healthyMembers(): Promise<string[]> {
        const r = await this.client.exec("etcdctl", this.etcdctlArgs(this.endpoints, ["endpoint", "health", "-w", "json"]), 10_000, { PATH: process.env.PATH, ETCDCTL_API: "3" });
        try {
            const list = JSON.parse(r.stdout) as { endpoint: string; health: boolean }[];
            return list.filter((h) => h.health).map((h) => this.members[this.endpoints.indexOf(h.endpoint)]?.name).filter(Boolean);
        } catch {
            return [];
        }
    }

    async allHealthy(timeoutMs: number): Promise<void> {
        let last: string[] = [];
        await waitFor(`all ${this.members.length} etcd members healthy`, timeoutMs, async () => {
            for (const [n, p] of this.procs) if (!p.alive && this.member(n).up) throw new Error(`etcd ${n} exited\n${p.output()}`);
            last = await this.healthyMembers();
            return last.length === this.members.length;
        }, () => `healthy: [${last.join(", ")}]\n${this.diag()}`, 200);
    }

    /** The member that is leader now (as the members report it), or undefined. */
    async leader(): Promise<string | undefined> {
        const live = this.members.filter((m) => m.up);
        const eps = live.map((m) => this.endpoints[this.members.indexOf(m)]);
        const r = await this.client.exec("etcdctl", this.etcdctlArgs(eps, ["endpoint", "status", "-w", "simple"]), 10_000, { PATH: process.env.PATH, ETCDCTL_API: "3" });
        for (const line of r.stdout.split("\n")) {
            const f = line.split(", ");
            if (f.length >= 5 && f[4] === "true") return this.members[this.endpoints.indexOf(f[0])]?.name;
        }
        return undefined;
    }

    /** The highest raft term the live members report (it grows by one per election). */
    async raftTerm(): Promise<number> {
        const live = this.members.filter((m) => m.up);
        const eps = live.map((m) => this.endpoints[this.members.indexOf(m)]);
        const r = await this.client.exec("etcdctl", this.etcdctlArgs(eps, ["endpoint", "status", "-w", "simple"]), 10_000, { PATH: process.env.PATH, ETCDCTL_API: "3" });
        let term = 0;
        for (const line of r.stdout.split("\n")) {
            const f = line.split(", ");
            if (f.length >= 7 && /^\d+$/.test(f[6])) term = Math.max(term, Number(f[6]));
        }
        return term;
    }

    /** Elections during `ms` of steady writing (0 on a stable cluster): raft term growth. */
    async electionsWhileQuiet(ms: number): Promise<number> {
        const before = await this.raftTerm();
        await sleep(ms);
        return (await this.raftTerm()) - before;
    }

    startWriter(): void {
        const { cmd, args } = tsScript("client.ts", [
            "etcd-writer", this.endpoints.join(","), this.ca.cert, this.clientTls.cert, this.clientTls.key, this.prefix, String(this.opts.putTimeoutMs), String(this.opts.putIntervalMs),
        ]);
        const p = this.client.spawn("writer", cmd, args, { keepLines: 0 });
        p.onLine((l) => {
            const s = parseSample(l.text);
            if (s) this.samples.push(s);
        });
        this.writer = p;
    }

    async start(): Promise<void> {
        await Promise.all([...this.members, this.client].map((h) => h.boot()));
        for (const m of this.members) this.startMember(m);
        await this.allHealthy(60_000);
        this.startWriter();
        await this.steady(30_000);
    }

    /** Writes flowing: the last 2 s of puts all acknowledged. */
    async steady(timeoutMs: number): Promise<void> {
        await waitFor("etcd writes to flow (2 s of acknowledged puts)", timeoutMs, () => {
            const now = Date.now();
            const recent = this.samples.filter((s) => s.e >= now - 2000);
            return recent.length >= 5 && recent.every((s) => s.ok) && this.samples.some((s) => s.ok && s.s <= now - 2000);
        }, () => this.diag(), 100);
    }

    async measure(t0: number, deadlineMs: number, untilFirstSuccess = false): Promise<Recovery> {
        const deadline = t0 + deadlineMs;
        for (;;) {
            const r = recovery(this.samples, t0, Date.now(), { ...this.opts, untilFirstSuccess });
            if (r.ttrMs !== undefined || Date.now() > deadline) return r;
            await sleep(50);
        }
    }

    private result(drill: string, r: Recovery, extra: Partial<DrillResult> = {}): DrillResult {
        const res: DrillResult = { drill, flavor: this.opts.label, ttrMs: r.ttrMs, failed: r.failed, slow: r.slow, total: r.total, errors: r.errors, notes: [], ...extra };
        this.log(`${drill}: ttr ${r.ttrMs ?? "NOT RECOVERED"} ms, ${r.failed}/${r.total} failed${extra.detectMs !== undefined ? `, new leader after ${extra.detectMs} ms` : ""} ${JSON.stringify(r.errors)} ${res.notes.join("; ")}`);
        return res;
    }

    private async restore(victims: readonly Host[]): Promise<void> {
        for (const v of victims) {
            await v.powerOn();
            if (this.opts.latencyMs > 0) v.netem(this.opts.latencyMs, this.opts.jitterMs);
            this.startMember(v);
        }
    }

    /** Drill 5: one follower dies (power cut). Writes must continue. Restores it after. */
    async memberLoss(deadlineMs = 30_000): Promise<DrillResult> {
        const leader = await this.leader();
        const victim = this.members.find((m) => m.name !== leader) ?? this.members[0];
        const t0 = Date.now();
        await victim.powerOff();
        this.log(`${victim.name} (follower) powered off`);
        const r = await this.measure(t0, deadlineMs);
        const res = this.result("etcd-member-loss", r, { notes: [`victim ${victim.name}`] });
        await this.restore([victim]);
        await this.allHealthy(60_000);
        return res;
    }

    /** Drill 6: the leader dies. A new leader must be elected and writes continue. Restores it after. */
    async leaderLoss(deadlineMs = 30_000): Promise<DrillResult> {
        const leader = await this.leader();
        if (!leader) throw new Error(`no etcd leader found\n${this.diag()}`);
        const victim = this.member(leader);
        const t0 = Date.now();
        await victim.powerOff();
        this.log(`${leader} (leader) powered off`);
        let elected: { name: string; t: number } | undefined;
        const poll = (async () => {
            while (!elected && Date.now() < t0 + deadlineMs) {
                const l = await this.leader();
                if (l && l !== leader) elected = { name: l, t: Date.now() };
                else await sleep(50);
            }
        })();
        const r = await this.measure(t0, deadlineMs);
        await poll;
        const res = this.result("etcd-leader-loss", r, { detectMs: elected ? elected.t - t0 : undefined, notes: [`old leader ${leader}, new leader ${elected?.name ?? "none"}`] });
        await this.restore([victim]);
        await this.allHealthy(60_000);
        return res;
    }

    /**
     * Drill 7: a majority dies. Writes must be refused (no put started after the fault is
     * acknowledged) for `outageMs`; then the members come back, the cluster must heal and writes
     * resume. The result's TTR is from the restore; `acceptedDuringOutage` is in the notes and
     * returned separately.
     */
    async majorityLoss(outageMs = 6_000, deadlineMs = 60_000): Promise<DrillResult & { acceptedDuringOutage: number; refusedDuringOutage: number }> {
        const k = Math.floor(this.members.length / 2) + 1;
        const victims = this.members.slice(0, k);
        // Cut every victim's cable first: from then on no quorum can form. A put in flight at that
        // moment may still commit; a put started after it must not.
        for (const v of victims) v.cable(false);
        const t0 = Date.now();
        await Promise.all(victims.map((v) => v.powerOff()));
        this.log(`${victims.map((v) => v.name).join(", ")} powered off (majority)`);
        await sleep(outageMs);
        const during = this.samples.filter((s) => s.s >= t0 && s.s < Date.now());
        const accepted = during.filter((s) => s.ok).length;
        const refused = during.filter((s) => !s.ok).length;
        const t1 = Date.now();
        await this.restore(victims);
        this.log("majority restored");
        const r = await this.measure(t1, deadlineMs, true);
        const res = this.result("etcd-majority-loss", r, { notes: [`victims ${victims.map((v) => v.name).join(", ")}`, `during the outage: ${accepted} puts acknowledged, ${refused} refused or timed out`, "TTR: from the restore to writes flowing again"] });
        await this.allHealthy(60_000);
        return { ...res, acceptedDuringOutage: accepted, refusedDuringOutage: refused };
    }

    /** Reads every key back (linearizable) and checks each acknowledged put is there with its value. */
    async verify(): Promise<Verification> {
        const acked = this.samples.filter((s) => s.ok && s.seq !== undefined).map((s) => s.seq as number);
        const unacked = new Set(this.samples.filter((s) => !s.ok && s.seq !== undefined).map((s) => s.seq as number));
        const { cmd, args } = tsScript("client.ts", ["etcd-read", this.endpoints.join(","), this.ca.cert, this.clientTls.cert, this.clientTls.key, this.prefix, "10000"]);
        const r = await this.client.exec(cmd, args, 60_000);
        let parsed: { endpoint?: string; values?: Record<string, string>; errors?: string[] };
        try {
            parsed = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}");
        } catch {
            throw new Error(`etcd-read printed no JSON: ${r.stdout.slice(0, 500)}${r.stderr}`);
        }
        if (!parsed.values) throw new Error(`etcd-read failed: ${JSON.stringify(parsed.errors)}\n${r.stderr}`);
        const values = parsed.values;
        const missing = acked.filter((q) => !(String(q) in values));
        const wrong = acked.filter((q) => String(q) in values && values[String(q)] !== String(q));
        const unackedPresent = Object.keys(values).filter((k) => unacked.has(Number(k))).length;
        return { acked: acked.length, missing, wrong, unackedPresent, endpoint: parsed.endpoint ?? "" };
    }

    async destroy(keepDir = false): Promise<void> {
        await this.lab.destroy(keepDir);
    }
}
