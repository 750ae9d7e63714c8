/**
 * The API endpoint lab and its drills: two LB hosts (real HAProxy + keepalived), three stand-in
 * API servers, a client calling the API through the VIP all the time.
 *
 * The LB hosts run a "flavor": the files each LB host receives (ours from the synth, or the
 * kubeadm guide's reference from bench/failover.ts), placed at their real paths through per-host
 * bind mounts (/etc/haproxy, /etc/keepalived, /run), so they run byte for byte. Processes start as
 * Debian's units start them: `haproxy -Ws -f /etc/haproxy/haproxy.cfg -p /run/haproxy.pid` and
 * `keepalived --dont-fork` (plus console logging).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import * as YAML from "yaml";
import type { Sample } from "./client";
import { Host, Lab, Proc, sleep, tsScript, waitFor, writeFile } from "./lab";
import { parseSample, recovery, Recovery } from "./metrics";
import { TestCa } from "./pki";
import { PROJECT_DIR } from "./synth";

interface Node {
    readonly name: string;
    readonly address: string;
}

/** The dev stack's endpoint topology, read from Pulumi.dev.yaml. */
export interface ApiTopology {
    readonly vip: string;
    readonly prefixLen: number;
    readonly port: number;
    readonly dnsName: string;
    readonly lbs: readonly Node[];
    readonly masters: readonly Node[];
    readonly client: Node;
}

export function devTopology(stackFile = path.join(PROJECT_DIR, "Pulumi.dev.yaml")): ApiTopology {
    const doc = YAML.parse(fs.readFileSync(stackFile, "utf8")) as { config: Record<string, unknown> };
    const c = doc.config["hacluster:cluster"] as {
        network: { nodeCidr: string };
        endpoint: { vip: string; dnsName: string; port?: number; lbHosts: Node[] };
        controlPlane: { hosts: Node[] };
        workers?: { hosts?: Node[] };
    };
    const [net0, len] = c.network.nodeCidr.split("/");
    const used = new Set([c.endpoint.vip, ...c.endpoint.lbHosts.map((h) => h.address), ...c.controlPlane.hosts.map((h) => h.address), ...(c.workers?.hosts ?? []).map((h) => h.address)]);
    const base = net0.split(".").slice(0, 3).join(".");
    let client = "";
    for (let i = 200; i < 250 && !client; i++) if (!used.has(`${base}.${i}`)) client = `${base}.${i}`;
    return {
        vip: c.endpoint.vip,
        prefixLen: Number(len),
        port: c.endpoint.port ?? 6443,
        dnsName: c.endpoint.dnsName,
        lbs: c.endpoint.lbHosts.map((h) => ({ name: h.name, address: h.address })),
        masters: c.controlPlane.hosts.map((h) => ({ name: h.name, address: h.address })),
        client: { name: "client", address: client },
    };
}

/** A file on an LB host: absolute path (under /etc/haproxy, /etc/keepalived or /run) → content + mode. */
export type HostFiles = Readonly<Record<string, { readonly content: string; readonly mode: number }>>;

/** What runs on the LB hosts. */
export interface Flavor {
    readonly label: string;
    /** Files of each LB host, by LB host name. */
    readonly files: Readonly<Record<string, HostFiles>>;
}

export interface DrillResult {
    readonly drill: string;
    readonly flavor: string;
    /** Time to recover in ms (undefined: not recovered within the drill's deadline). */
    readonly ttrMs: number | undefined;
    readonly failed: number;
    readonly slow: number;
    readonly total: number;
    /** VIP acquisitions (a keepalived entering MASTER) after the fault. */
    readonly vipMoves?: number;
    /** ms from the fault to the event that fixes it (VIP taken over, server marked DOWN, leader elected). */
    readonly detectMs?: number;
    readonly errors: Readonly<Record<string, number>>;
    readonly notes: string[];
}

/** Hard RLIMIT_NOFILE of this process (what children inherit and cannot exceed without CAP_SYS_RESOURCE). */
function hardFdLimit(): number {
    const m = /^Max open files\s+\S+\s+(\S+)/m.exec(fs.readFileSync("/proc/self/limits", "utf8"));
    return m && m[1] !== "unlimited" ? Number(m[1]) : Infinity;
}

/**
 * HAProxy needs about 2 x maxconn + 32 file descriptors and refuses to start (strict-limits) when
 * it cannot raise RLIMIT_NOFILE that far. Under systemd the hard limit is 524288; where this
 * machine's is lower, `-n` (the command-line maxconn, which takes precedence) fits it, leaving the
 * file untouched. Connection counts in the drills are tiny, so failover behaviour is unchanged.
 */
function haproxyFdArgs(cfg: string): string[] {
    const maxconn = Number(/^\s*maxconn\s+(\d+)/m.exec(cfg)?.[1] ?? 0);
    const limit = hardFdLimit();
    if (!maxconn || 2 * maxconn + 64 <= limit) return [];
    return ["-n", String(Math.floor((limit - 64) / 2))];
}

const LB_BINDS = { "/etc/haproxy": "etc-haproxy", "/etc/keepalived": "etc-keepalived", "/run": "run" } as const;

export interface ApiLabOptions {
    /** Client request interval and timeout (ms). */
    readonly intervalMs?: number;
    readonly timeoutMs?: number;
    /** A successful request slower than this is slow. */
    readonly slowMs?: number;
    /** Stability window that ends a recovery. */
    readonly windowMs?: number;
    /** Log each step to stderr. */
    readonly verbose?: boolean;
}

interface VipEvent {
    readonly t: number;
    readonly host: string;
    readonly state: "MASTER" | "BACKUP" | "FAULT";
}

export class ApiLab {
    readonly lab: Lab;
    lbs: Host[] = [];
    masters: Host[] = [];
    client!: Host;
    readonly samples: Sample[] = [];
    readonly vipEvents: VipEvent[] = [];
    /** Processes that exited without a drill killing them (with a process listing), for diagnosis. */
    readonly incidents: string[] = [];
    private readonly expectedExits = new Set<Proc>();
    ca!: TestCa;
    private readonly procs = new Map<string, Proc>();
    private clientProc: Proc | undefined;
    readonly opts: Required<ApiLabOptions>;

    constructor(
        readonly topo: ApiTopology,
        readonly flavor: Flavor,
        tag: string,
        readonly certSans: readonly string[],
        opts: ApiLabOptions = {},
    ) {
        this.opts = { intervalMs: 50, timeoutMs: 2000, slowMs: 500, windowMs: 5000, verbose: false, ...opts };
        this.lab = new Lab(tag);
        try {
            this.setup(flavor, certSans);
        } catch (e) {
            this.lab.destroySync();
            throw e;
        }
    }

    private setup(flavor: Flavor, certSans: readonly string[]): void {
        const topo = this.topo;
        this.ca = new TestCa(path.join(this.lab.dir, "pki"), "hacluster-ha-test-ca");
        this.lbs = topo.lbs.map((n) => this.lab.addHost(n.name, n.address, topo.prefixLen, { binds: LB_BINDS, volatile: ["/run"] }));
        this.masters = topo.masters.map((n) => this.lab.addHost(n.name, n.address, topo.prefixLen));
        this.client = this.lab.addHost(topo.client.name, topo.client.address, topo.prefixLen);
        for (const lb of this.lbs) {
            const files = flavor.files[lb.name];
            if (!files) throw new Error(`flavor ${flavor.label} has no files for LB host ${lb.name}`);
            for (const [p, f] of Object.entries(files)) writeFile(this.hostPath(lb, p), f.content, f.mode);
        }
        for (const m of this.masters) this.ca.issue(m.name, "kube-apiserver", [...certSans, m.address], ["serverAuth"]);
    }

    log(msg: string): void {
        if (this.opts.verbose) process.stderr.write(`[${new Date().toISOString().slice(11, 23)}] ${this.flavor.label}: ${msg}\n`);
    }

    /** Where a host path of an LB host lives on this machine (through its bind mounts). */
    hostPath(lb: Host, p: string): string {
        const target = Object.keys(LB_BINDS).find((t) => p === t || p.startsWith(`${t}/`));
        if (!target) throw new Error(`${p} is not below ${Object.keys(LB_BINDS).join(", ")}`);
        return path.join(lb.bindDir(target), p.slice(target.length));
    }

    lb(name: string): Host {
        return this.lab.host(name);
    }

    get masterLb(): Host {
        return this.lbs[0];
    }

    get backupLb(): Host {
        return this.lbs[1];
    }

    proc(key: string): Proc | undefined {
        return this.procs.get(key);
    }

    diag(): string {
        const parts = [...this.procs.values()].filter((p) => !p.name.includes("apiserver")).map((p) => p.output(30));
        const last = this.samples.slice(-10).map((s) => JSON.stringify(s));
        return `${parts.join("\n")}${this.incidents.length ? `\n--- INCIDENTS:\n${this.incidents.join("\n")}` : ""}\n--- last client samples:\n${last.join("\n")}\n${this.clientProc?.output(5) ?? ""}`;
    }

    // --- processes -------------------------------------------------------------------------------

    async startApi(m: Host): Promise<void> {
        const { cmd, args } = tsScript("apiserver.ts", [m.name, m.address, String(this.topo.port), path.join(this.ca.dir, `${m.name}.crt`), path.join(this.ca.dir, `${m.name}.key`)]);
        const p = m.spawn("apiserver", cmd, args, { keepLines: 50 });
        this.procs.set(`${m.name}/apiserver`, p);
        await waitFor(`the API server on ${m.name} to listen`, 15_000, () => {
            if (!p.alive) throw new Error(`API server on ${m.name} exited\n${p.output()}`);
            return p.lines.some((l) => l.text.startsWith("listening"));
        });
    }

    /** Records an exit of `p` that no drill caused (a drill marks its victims in expectedExits first). */
    private watchExit(lb: Host, p: Proc): void {
        p.child.on("exit", () => {
            if (this.expectedExits.has(p) || !lb.up || this.destroying) return;
            const ps = spawnSync("ps", ["-eo", "pid,ppid,pgid,etimes,comm"], { encoding: "utf8", timeout: 5_000 }).stdout ?? "";
            const msg = `${new Date().toISOString()} ${p.name} exited unexpectedly (${p.exitInfo})\n${p.output(15)}\n--- ps:\n${ps.split("\n").filter((l) => /keepalived|haproxy|nsenter|unshare|sleep|node|PID/.test(l)).join("\n")}`;
            this.incidents.push(msg);
            this.log(msg);
        });
    }

    private expectExitOf(lb: Host): void {
        for (const p of lb.procs) this.expectedExits.add(p);
    }

    startHaproxy(lb: Host): Proc {
        fs.mkdirSync(this.hostPath(lb, "/run/haproxy"), { recursive: true }); // Debian's tmpfiles.d creates it at boot
        const p = lb.spawn("haproxy", "haproxy", ["-Ws", "-f", "/etc/haproxy/haproxy.cfg", "-p", "/run/haproxy.pid", ...haproxyFdArgs(this.flavor.files[lb.name]["/etc/haproxy/haproxy.cfg"]?.content ?? "")], { keepLines: 300 });
        this.procs.set(`${lb.name}/haproxy`, p);
        this.watchExit(lb, p);
        return p;
    }

    startKeepalived(lb: Host): Proc {
        const p = lb.spawn("keepalived", "keepalived", ["--dont-fork", "--log-console", "--log-detail", "--no-syslog"], { keepLines: 2000 });
        p.onLine((l) => {
            const m = /Entering (MASTER|BACKUP|FAULT) STATE/.exec(l.text);
            if (m) {
                this.vipEvents.push({ t: l.t, host: lb.name, state: m[1] as VipEvent["state"] });
                this.log(`${lb.name} keepalived: ${m[1]}`);
            }
        });
        this.procs.set(`${lb.name}/keepalived`, p);
        this.watchExit(lb, p);
        return p;
    }

    async startLb(lb: Host): Promise<void> {
        const h = this.startHaproxy(lb);
        await waitFor(`HAProxy on ${lb.name} to accept on ${this.topo.port}`, 10_000, async () => {
            if (!h.alive) throw new Error(`HAProxy on ${lb.name} exited\n${h.output()}`);
            return (await lb.exec("curl", ["-sk", "--max-time", "1", "-o", "/dev/null", `https://127.0.0.1:${this.topo.port}/healthz`], 3_000)).code === 0;
        }, () => h.output());
        const k = this.startKeepalived(lb);
        await sleep(200);
        if (!k.alive) throw new Error(`keepalived on ${lb.name} exited\n${k.output()}`);
    }

    startClient(): void {
        const { cmd, args } = tsScript("client.ts", ["api", this.topo.vip, String(this.topo.port), this.topo.dnsName, this.ca.cert, String(this.opts.intervalMs), String(this.opts.timeoutMs), "/api"]);
        const p = this.client.spawn("client", cmd, args, { keepLines: 0 });
        p.onLine((l) => {
            const s = parseSample(l.text);
            if (s) this.samples.push(s);
        });
        this.clientProc = p;
    }

    /** One request from the client host (fresh process): verifies the TLS name `servername` (or the IP SAN with `-`). */
    async checkOnce(host: string, servername: string): Promise<Sample & { raw: string }> {
        const { cmd, args } = tsScript("client.ts", ["check", host, String(this.topo.port), servername, this.ca.cert, "/api"]);
        const r = await this.client.exec(cmd, args, 15_000);
        const s = parseSample(r.stdout.trim().split("\n").pop() ?? "");
        return { ...(s ?? { s: 0, e: 0, ok: false, err: `no sample: ${r.stdout}${r.stderr}` }), raw: r.stdout + r.stderr };
    }

    async start(): Promise<void> {
        await Promise.all([...this.masters, ...this.lbs, this.client].map((h) => h.boot()));
        await Promise.all(this.masters.map((m) => this.startApi(m)));
        for (const lb of this.lbs) await this.startLb(lb);
        this.startClient();
        await this.steady(60_000);
    }

    /** HAProxy's view of its servers through the admin socket at /run/haproxy/admin.sock, if the flavor has one. */
    async serverStates(lb: Host): Promise<Map<string, string> | undefined> {
        const sock = this.hostPath(lb, "/run/haproxy/admin.sock");
        if (!fs.existsSync(sock)) return undefined;
        return new Promise((resolve) => {
            const c = net.createConnection(sock);
            let data = "";
            const timer = setTimeout(() => c.destroy(), 3000);
            c.on("connect", () => c.write("show stat\n"));
            c.on("data", (d) => (data += d.toString()));
            c.on("error", () => resolve(undefined));
            c.on("close", () => {
                clearTimeout(timer);
                const [head, ...rows] = data.trim().split("\n");
                if (!head?.startsWith("# ")) return resolve(undefined);
                const cols = head.slice(2).split(",");
                const sv = cols.indexOf("svname");
                const st = cols.indexOf("status");
                const out = new Map<string, string>();
                for (const r of rows) {
                    const f = r.split(",");
                    if (f[sv] && f[sv] !== "FRONTEND" && f[sv] !== "BACKEND") out.set(f[sv], f[st]);
                }
                resolve(out);
            });
        });
    }

    /** The LB hosts holding the VIP now (a powered-off host holds nothing, whatever its dead kernel had configured). */
    async vipHolders(): Promise<string[]> {
        const out: string[] = [];
        for (const lb of this.lbs) if (lb.up && (await lb.holds(this.topo.vip))) out.push(lb.name);
        return out;
    }

    /** Runs the check script keepalived.conf names, on an LB host, as keepalived would. */
    async runCheckScript(lb: Host): Promise<{ code: number | null; out: string }> {
        const conf = fs.readFileSync(this.hostPath(lb, "/etc/keepalived/keepalived.conf"), "utf8");
        const script = /^\s*script\s+"?([^"\s]+)"?/m.exec(conf)?.[1];
        if (!script) throw new Error(`no script in ${lb.name}'s keepalived.conf`);
        const r = await lb.exec(script, [], 10_000);
        return { code: r.code, out: r.stdout + r.stderr };
    }

    /**
     * Waits for the steady state every drill starts from: the VIP on the first LB host only, every
     * live API server answering through it, the last 3 s of requests all successful, and (when the
     * flavor has an admin socket) HAProxy on each running LB host seeing every live server UP.
     */
    async steady(timeoutMs: number): Promise<void> {
        const alive = () => this.masters.filter((m) => m.up && this.procs.get(`${m.name}/apiserver`)?.alive).map((m) => m.name);
        let why = "";
        const no = (w: string) => {
            why = w;
            return false;
        };
        await waitFor("the steady state (VIP on the first LB host, every API server answering, 3 s without errors)", timeoutMs, async () => {
            const holders = await this.vipHolders();
            if (holders.join() !== this.masterLb.name) return no(`VIP holders: [${holders.join(", ")}]`);
            const now = Date.now();
            const recent = this.samples.filter((s) => s.s >= now - 3000 && s.e <= now);
            if (recent.length < (3000 / this.opts.intervalMs) * 0.6) return no(`only ${recent.length} requests in 3 s`);
            const bad = recent.filter((s) => !s.ok);
            if (bad.length) return no(`${bad.length} failed requests in the last 3 s: ${bad[bad.length - 1].err}`);
            const by = new Set(recent.map((s) => s.by));
            const missing = alive().filter((m) => !by.has(m));
            if (missing.length) return no(`no answers from ${missing.join(", ")} in the last 3 s`);
            for (const lb of this.lbs) {
                if (!lb.up || !this.procs.get(`${lb.name}/haproxy`)?.alive) continue;
                const st = await this.serverStates(lb);
                if (!st) continue;
                const notUp = alive().filter((m) => !/^UP/.test(st.get(m) ?? ""));
                if (notUp.length) return no(`HAProxy on ${lb.name} does not see ${notUp.join(", ")} UP`);
            }
            return true;
        }, () => `${why}\n${this.diag()}`, 250);
    }

    /** Waits until the client recovered from a fault at t0 (stable for the window), or the deadline. */
    async measure(t0: number, deadlineMs: number): Promise<Recovery> {
        const deadline = t0 + deadlineMs;
        for (;;) {
            const r = recovery(this.samples, t0, Date.now(), this.opts);
            if (r.ttrMs !== undefined || Date.now() > deadline) return r;
            await sleep(100);
        }
    }

    private result(drill: string, r: Recovery, extra: Partial<DrillResult> = {}): DrillResult {
        const res: DrillResult = { drill, flavor: this.flavor.label, ttrMs: r.ttrMs, failed: r.failed, slow: r.slow, total: r.total, errors: r.errors, notes: [], ...extra };
        this.log(`${drill}: ttr ${r.ttrMs ?? "NOT RECOVERED"} ms, ${r.failed}/${r.total} failed, ${r.slow} slow${extra.detectMs !== undefined ? `, detect ${extra.detectMs} ms` : ""}${extra.vipMoves !== undefined ? `, VIP moves ${extra.vipMoves}` : ""} ${JSON.stringify(r.errors)}`);
        return res;
    }

    private firstMasterAfter(t0: number, host: string): number | undefined {
        return this.vipEvents.find((e) => e.t >= t0 && e.host === host && e.state === "MASTER")?.t;
    }

    private mastersAfter(t0: number): number {
        return this.vipEvents.filter((e) => e.t >= t0 && e.state === "MASTER").length;
    }

    // --- drills ----------------------------------------------------------------------------------

    /** Drill 1: the MASTER LB host dies (power cut: all processes, cable). The VIP must move. */
    async lbHostLoss(deadlineMs = 60_000): Promise<DrillResult> {
        const a = this.masterLb;
        this.expectExitOf(a);
        const t0 = Date.now();
        await a.powerOff();
        this.log(`${a.name} powered off`);
        const r = await this.measure(t0, deadlineMs);
        const moved = this.firstMasterAfter(t0, this.backupLb.name);
        return this.result("lb-host-loss", r, { detectMs: moved !== undefined ? moved - t0 : undefined, vipMoves: this.mastersAfter(t0) });
    }

    /**
     * Drill 3: the old MASTER LB host comes back (boot, HAProxy, keepalived). Measures the
     * disruption of the failback and counts VIP moves over `observeMs` (a flap is more than one).
     */
    async lbReturn(deadlineMs = 60_000, observeMs = 20_000): Promise<DrillResult> {
        const a = this.masterLb;
        const t0 = Date.now();
        await a.powerOn();
        await this.startLb(a);
        this.log(`${a.name} back`);
        const r = await this.measure(t0, deadlineMs);
        const end = t0 + observeMs;
        while (Date.now() < end) await sleep(200);
        const rr = recovery(this.samples, t0, Date.now(), this.opts);
        const back = this.firstMasterAfter(t0, a.name);
        return this.result("lb-return", { ...rr, ttrMs: r.ttrMs === undefined ? undefined : rr.ttrMs }, { detectMs: back !== undefined ? back - t0 : undefined, vipMoves: this.mastersAfter(t0) });
    }

    /** Drill 2: HAProxy alone dies on the MASTER LB host; keepalived's check must move the VIP. Restores after. */
    async haproxyLoss(deadlineMs = 60_000): Promise<DrillResult> {
        const a = this.masterLb;
        const h = this.procs.get(`${a.name}/haproxy`);
        if (h) this.expectedExits.add(h);
        const t0 = Date.now();
        const killed = await a.killAll("haproxy");
        this.log(`killed ${killed} haproxy processes on ${a.name}`);
        const r = await this.measure(t0, deadlineMs);
        const moved = this.firstMasterAfter(t0, this.backupLb.name);
        const res = this.result("haproxy-loss", r, { detectMs: moved !== undefined ? moved - t0 : undefined, vipMoves: this.mastersAfter(t0) });
        return res;
    }

    /** Puts HAProxy back on the first LB host and waits for the steady state (VIP back). */
    async restoreHaproxy(timeoutMs = 90_000): Promise<void> {
        const a = this.masterLb;
        const h = this.startHaproxy(a);
        await waitFor(`HAProxy on ${a.name} to accept`, 10_000, async () => {
            if (!h.alive) throw new Error(`HAProxy on ${a.name} exited\n${h.output()}`);
            return (await a.exec("curl", ["-sk", "--max-time", "1", "-o", "/dev/null", `https://127.0.0.1:${this.topo.port}/healthz`], 3_000)).code === 0;
        });
        await this.steady(timeoutMs);
    }

    /** Drill 4: an API server host dies (process killed, cable pulled: silent). HAProxy must stop sending to it. */
    async apiServerLoss(victim = this.masters[1], deadlineMs = 60_000): Promise<DrillResult> {
        const t0 = Date.now();
        await victim.powerOff();
        this.log(`${victim.name} powered off`);
        let downAt: number | undefined;
        const watch = (async () => {
            const stop = t0 + deadlineMs;
            while (downAt === undefined && Date.now() < stop) {
                const st = await this.serverStates(this.masterLb);
                if (!st) return;
                if (/^DOWN/.test(st.get(victim.name) ?? "")) downAt = Date.now();
                else await sleep(50);
            }
        })();
        const r = await this.measure(t0, deadlineMs);
        await watch;
        const after = this.samples.filter((s) => s.s > t0 + (r.ttrMs ?? 0) && s.by === victim.name).length;
        const notes = after ? [`${after} answers from ${victim.name} after recovery`] : [];
        return { ...this.result("api-server-loss", r, { detectMs: downAt !== undefined ? downAt - t0 : undefined, vipMoves: this.mastersAfter(t0) }), notes };
    }

    /** Drill 4b: only the API server process crashes (connections refused, host up). */
    async apiProcessCrash(victim = this.masters[1], deadlineMs = 60_000): Promise<DrillResult> {
        const t0 = Date.now();
        const p = this.procs.get(`${victim.name}/apiserver`);
        await victim.killAll("node");
        await p?.exited(5_000);
        const r = await this.measure(t0, deadlineMs);
        return this.result("api-process-crash", r, { vipMoves: this.mastersAfter(t0) });
    }

    /** Brings an API server host back and waits for the steady state. */
    async restoreApi(victim = this.masters[1], timeoutMs = 90_000): Promise<void> {
        if (!victim.up) await victim.powerOn();
        await this.startApi(victim);
        await this.steady(timeoutMs);
    }

    private destroying = false;

    async destroy(keepDir = false): Promise<void> {
        this.destroying = true;
        await this.lab.destroy(keepDir);
    }
}
