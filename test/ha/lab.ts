/**
 * The HA drill lab: test "hosts" made of Linux namespaces, and the processes on them.
 *
 * A host is a network namespace (one interface, `ens32` unless told otherwise, cabled to a bridge)
 * plus a PID and mount namespace of its own (an init process holds them), so that:
 *  - `pidof haproxy` in the rendered check script sees only this host's HAProxy;
 *  - killing the init kills every process of the host at once (a power cut), and pulling the
 *    bridge-side end of its cable down makes the host silent (no RST, no ARP answers);
 *  - per-host directories are bind-mounted over host paths (`/etc/keepalived`, `/etc/haproxy`,
 *    `/run`) inside the host's private mount namespace, so rendered files run unmodified.
 * The bridge lives in a namespace of its own: nothing the lab sends can reach a real network.
 *
 * Names carry the test's pid (`hha<pid><tag>-...`), so parallel runs do not clash. Every
 * namespace and process is registered; `Lab.destroy()` (from `after()` hooks) and a process
 * 'exit'/signal handler remove them, and stale ones of dead runs are removed at start. Every wait
 * is bounded.
 */
import { ChildProcess, execFile, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { childrenOf } from "../../lab/machines";

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Run {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs a command with a hard timeout (SIGKILL); never rejects. */
export function run(cmd: string, args: readonly string[], timeoutMs = 15_000, env?: NodeJS.ProcessEnv): Promise<Run> {
    return new Promise((resolve) => {
        execFile(cmd, args, { timeout: timeoutMs, killSignal: "SIGKILL", env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
            const code = err ? (typeof (err as NodeJS.ErrnoException).code === "number" ? Number((err as NodeJS.ErrnoException).code) : null) : 0;
            resolve({ code, stdout: String(stdout), stderr: String(stderr) + (err && code === null ? `\n${err.message}` : "") });
        });
    });
}

/** Runs a setup command that must succeed; throws with its output otherwise. */
function must(cmd: string, args: readonly string[], timeoutMs = 15_000): string {
    const r = spawnSync(cmd, args, { encoding: "utf8", timeout: timeoutMs });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.status}): ${r.stderr}${r.error ? ` ${r.error.message}` : ""}`);
    return r.stdout;
}

/** Polls `probe` every `everyMs` until it returns true; throws after `timeoutMs` naming `what`. */
export async function waitFor(what: string, timeoutMs: number, probe: () => Promise<boolean> | boolean, diag: () => string = () => "", everyMs = 100): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (await probe()) return;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${diag()}`);
        await sleep(everyMs);
    }
}

/** The tools a drill needs, with the Debian package that provides each. */
const TOOLS: Readonly<Record<string, string>> = {
    ip: "iproute2",
    tc: "iproute2",
    unshare: "util-linux",
    nsenter: "util-linux",
    mount: "mount",
    haproxy: "haproxy",
    keepalived: "keepalived",
    etcd: "etcd-server",
    etcdctl: "etcd-client",
    openssl: "openssl",
    curl: "curl",
    pidof: "procps",
    bash: "bash",
};

/** Fails (never skips) unless we are root and every tool is on PATH; the message says what to do. */
export function preflight(tools: readonly string[]): void {
    if (process.platform !== "linux") throw new Error(`HA drills need Linux network namespaces (this is ${process.platform})`);
    if (process.getuid?.() !== 0) {
        throw new Error("HA drills create network namespaces and run haproxy/keepalived/etcd in them: run them as root (e.g. sudo npm run test:ha)");
    }
    const missing = tools.filter((t) => spawnSync("sh", ["-c", `command -v ${t}`], { encoding: "utf8" }).status !== 0);
    if (missing.length > 0) {
        const pkgs = [...new Set(missing.map((t) => TOOLS[t] ?? t))].join(" ");
        throw new Error(`HA drills need ${missing.join(", ")} on PATH: apt-get install ${pkgs}`);
    }
}

// ---------------------------------------------------------------------------------------------
// Global registry, so a crash or Ctrl-C still removes our namespaces and processes.

const NS_PREFIX = "hha";
const liveNamespaces = new Set<string>();
const livePids = new Set<number>();
let hooksInstalled = false;

/** Signals one process by id; ignores anything that is not a real pid (never 0, -1 or a group). */
function killQuiet(pid: number | undefined, sig: NodeJS.Signals = "SIGKILL"): void {
    if (pid === undefined || !Number.isInteger(pid) || pid <= 1 || pid === process.pid) return;
    try {
        process.kill(pid, sig);
    } catch {
        /* gone */
    }
}

function netnsPids(ns: string): number[] {
    const r = spawnSync("ip", ["netns", "pids", ns], { encoding: "utf8", timeout: 5_000 });
    if (r.status !== 0) return [];
    return r.stdout.split(/\s+/).filter(Boolean).map(Number).filter((n) => Number.isInteger(n) && n > 1);
}

/** Synchronous, best effort: SIGKILL every process of our namespaces, delete the namespaces. */
function emergencyCleanup(): void {
    for (const p of livePids) killQuiet(p);
    for (const ns of liveNamespaces) for (const p of netnsPids(ns)) killQuiet(p);
    for (const ns of liveNamespaces) spawnSync("ip", ["netns", "del", ns], { timeout: 5_000 });
    livePids.clear();
    liveNamespaces.clear();
}

function installHooks(): void {
    if (hooksInstalled) return;
    hooksInstalled = true;
    process.on("exit", emergencyCleanup);
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
        process.once(sig, () => {
            emergencyCleanup();
            process.exit(128 + (sig === "SIGINT" ? 2 : sig === "SIGTERM" ? 15 : 1));
        });
    }
}

/** Removes namespaces left by earlier runs that were SIGKILLed (their pid in the name is gone). */
function removeStaleNamespaces(): void {
    const r = spawnSync("ip", ["netns", "list"], { encoding: "utf8", timeout: 5_000 });
    for (const line of r.stdout?.split("\n") ?? []) {
        const name = line.split(" ")[0];
        const m = new RegExp(`^${NS_PREFIX}(\\d+)[a-z]*-`).exec(name);
        if (!m || Number(m[1]) === process.pid) continue;
        if (fs.existsSync(`/proc/${m[1]}`)) continue; // that run is still going
        for (const p of netnsPids(name)) killQuiet(p);
        spawnSync("ip", ["netns", "del", name], { timeout: 5_000 });
    }
}

// ---------------------------------------------------------------------------------------------
// Processes

/** One output line and when the test saw it (Date.now()). */
export interface Line {
    readonly t: number;
    readonly text: string;
}

/** A process started on a lab host; keeps its output (bounded) and timestamped lines. */
export class Proc {
    readonly lines: Line[] = [];
    private tail = "";
    private partial = "";
    private listeners: ((l: Line) => void)[] = [];
    exitInfo: string | undefined;

    constructor(
        readonly name: string,
        readonly child: ChildProcess,
        private readonly keepLines = 5_000,
    ) {
        if (child.pid) livePids.add(child.pid);
        const onData = (d: Buffer) => {
            const s = d.toString();
            this.tail = (this.tail + s).slice(-64 * 1024);
            const parts = (this.partial + s).split("\n");
            this.partial = parts.pop() ?? "";
            const t = Date.now();
            for (const text of parts) {
                const l = { t, text };
                if (this.keepLines > 0) {
                    this.lines.push(l);
                    if (this.lines.length > this.keepLines) this.lines.splice(0, this.lines.length - this.keepLines);
                }
                for (const f of this.listeners) f(l);
            }
        };
        child.stdout?.on("data", onData);
        child.stderr?.on("data", onData);
        child.on("error", (e) => (this.tail += `\nspawn error: ${e.message}\n`));
        child.on("exit", (code, sig) => {
            this.exitInfo = sig ? `signal ${sig}` : `exit ${code}`;
            if (child.pid) livePids.delete(child.pid);
        });
    }

    onLine(f: (l: Line) => void): void {
        this.listeners.push(f);
    }

    get alive(): boolean {
        return this.child.exitCode === null && this.child.signalCode === null;
    }

    output(lastLines = 40): string {
        return `--- ${this.name}${this.exitInfo ? ` (${this.exitInfo})` : ""}:\n${this.tail.split("\n").slice(-lastLines).join("\n")}`;
    }

    /** Waits (bounded) until the process has exited. */
    async exited(timeoutMs = 5_000): Promise<boolean> {
        const deadline = Date.now() + timeoutMs;
        while (this.alive && Date.now() < deadline) await sleep(20);
        return !this.alive;
    }
}


function commOf(pid: number): string {
    try {
        return fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    } catch {
        return "";
    }
}

// ---------------------------------------------------------------------------------------------
// Hosts and the lab

export interface HostOptions {
    /** Interface name inside the host. @default "ens32" */
    readonly ifname?: string;
    /**
     * Host paths (mount points that exist on this machine) covered by a directory of this host:
     * target → directory name under the host's directory (created). E.g. `{ "/etc/keepalived": "etc-keepalived" }`.
     */
    readonly binds?: Readonly<Record<string, string>>;
    /** Bind targets emptied when the host boots after a power cut (tmpfs on a real host, e.g. /run). */
    readonly volatile?: readonly string[];
}

export class Host {
    readonly ns: string;
    readonly ifname: string;
    readonly dir: string;
    /** The bridge-side end of the host's cable (in the switch namespace). */
    readonly port: string;
    private init: Proc | undefined;
    private initPid = 0;
    readonly procs: Proc[] = [];

    constructor(
        readonly lab: Lab,
        readonly name: string,
        readonly address: string,
        readonly prefixLen: number,
        private readonly opts: HostOptions,
    ) {
        this.ns = `${lab.prefix}-${name}`;
        this.ifname = opts.ifname ?? "ens32";
        this.dir = path.join(lab.dir, name);
        this.port = `s-${name}`.slice(0, 15);
    }

    /** Directory of this host that covers `target` (see {@link HostOptions.binds}). */
    bindDir(target: string): string {
        const d = this.opts.binds?.[target];
        if (!d) throw new Error(`host ${this.name} has no bind for ${target}`);
        return path.join(this.dir, d);
    }

    /** Creates the namespace and cables it to the lab's bridge (once). */
    create(): void {
        fs.mkdirSync(this.dir, { recursive: true, mode: 0o755 });
        for (const d of Object.values(this.opts.binds ?? {})) fs.mkdirSync(path.join(this.dir, d), { recursive: true, mode: 0o755 });
        for (const target of Object.keys(this.opts.binds ?? {})) {
            if (!fs.existsSync(target) || !fs.statSync(target).isDirectory()) {
                throw new Error(`lab: ${target} must exist on this machine (a mount point for host ${this.name}; the Debian package creates it)`);
            }
        }
        must("ip", ["netns", "add", this.ns]);
        liveNamespaces.add(this.ns);
        must("ip", ["-n", this.ns, "link", "set", "lo", "up"]);
        if (this.lab.hub) {
            // The delay hub's TAP port for this host, moved in and renamed (its fd stays with the hub).
            this.lab.hub.waitForPort(this.port);
            must("ip", ["-n", this.lab.sw, "link", "set", this.port, "netns", this.ns]);
            must("ip", ["-n", this.ns, "link", "set", this.port, "name", this.ifname]);
        } else {
            must("ip", ["-n", this.lab.sw, "link", "add", this.port, "type", "veth", "peer", "name", this.ifname, "netns", this.ns]);
            must("ip", ["-n", this.lab.sw, "link", "set", this.port, "master", "br0"]);
            must("ip", ["-n", this.lab.sw, "link", "set", this.port, "up"]);
        }
        this.configureInterface();
    }

    private configureInterface(): void {
        must("ip", ["-n", this.ns, "addr", "flush", "dev", this.ifname]);
        must("ip", ["-n", this.ns, "addr", "add", `${this.address}/${this.prefixLen}`, "dev", this.ifname]);
        must("ip", ["-n", this.ns, "link", "set", this.ifname, "up"]);
    }

    /** Starts the host's init (PID + mount namespace, bind mounts). Bounded. */
    async boot(): Promise<void> {
        if (this.init?.alive) return;
        const mounts = Object.entries(this.opts.binds ?? {})
            .map(([target, d]) => `mount --bind ${path.join(this.dir, d)} ${target}`)
            .join(" && ");
        const script = `${mounts ? `${mounts} && ` : ""}exec sleep infinity`;
        const child = spawn("ip", ["netns", "exec", this.ns, "unshare", "--pid", "--fork", "--mount-proc", "--propagation", "private", "sh", "-c", script], {
            stdio: ["ignore", "pipe", "pipe"],
        });
        this.init = new Proc(`${this.name}/init`, child, 0);
        const unsharePid = child.pid ?? 0;
        await waitFor(`host ${this.name} to boot`, 10_000, () => {
            if (!this.init?.alive) throw new Error(`host ${this.name} did not boot\n${this.init?.output()}`);
            const kids = childrenOf(unsharePid);
            if (kids.length === 1 && commOf(kids[0]) === "sleep") {
                this.initPid = kids[0];
                return true;
            }
            return false;
        }, () => this.init?.output() ?? "", 20);
        // Not in livePids: the init is in the host's namespace, which cleanup sweeps (no stale pid kept).
    }

    get up(): boolean {
        return !!this.init?.alive;
    }

    /** Starts a long-running process on the host (in its net, PID and mount namespaces). */
    spawn(name: string, cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; keepLines?: number; cwd?: string } = {}): Proc {
        if (!this.up) throw new Error(`host ${this.name} is down: cannot start ${name}`);
        // --wd: entering a mount namespace resets the working directory to its root.
        const child = spawn("nsenter", ["-t", String(this.initPid), "-p", "-m", "-n", `--wd=${opts.cwd ?? process.cwd()}`, "--", cmd, ...args], {
            stdio: ["ignore", "pipe", "pipe"],
            env: opts.env ?? process.env,
        });
        const p = new Proc(`${this.name}/${name}`, child, opts.keepLines);
        this.procs.push(p);
        return p;
    }

    /** Runs a short command on the host; bounded; never rejects. */
    exec(cmd: string, args: readonly string[], timeoutMs = 10_000, env?: NodeJS.ProcessEnv): Promise<Run> {
        if (!this.up) return Promise.resolve({ code: null, stdout: "", stderr: `host ${this.name} is down` });
        return run("nsenter", ["-t", String(this.initPid), "-p", "-m", "-n", `--wd=${process.cwd()}`, "--", cmd, ...args], timeoutMs, env);
    }

    /** Global pids of this host's processes named `comm` (as /proc/<pid>/comm shows it). */
    pidsOf(comm: string): number[] {
        return netnsPids(this.ns).filter((p) => commOf(p) === comm);
    }

    /** SIGKILLs every process of this host named `comm`; resolves once they are gone (bounded). */
    async killAll(comm: string, sig: NodeJS.Signals = "SIGKILL"): Promise<number> {
        const pids = this.pidsOf(comm);
        for (const p of pids) killQuiet(p, sig);
        await waitFor(`${comm} on ${this.name} to die`, 5_000, () => this.pidsOf(comm).length === 0, () => "", 20);
        return pids.length;
    }

    /** Pulls the host's cable (bridge side down): the host is silent, peers see no carrier/RST. */
    cable(up: boolean): void {
        if (this.lab.hub) this.lab.hub.command(`${up ? "up" : "down"} ${this.port}`);
        else must("ip", ["-n", this.lab.sw, "link", "set", this.port, up ? "up" : "down"]);
    }

    /** Power cut: every process dies at once (SIGKILL of the init) and the cable is pulled. */
    async powerOff(): Promise<void> {
        this.cable(false);
        if (this.initPid) killQuiet(this.initPid);
        await waitFor(`every process of ${this.name} to die`, 10_000, () => netnsPids(this.ns).length === 0, () => netnsPids(this.ns).map((p) => `${p} ${commOf(p)}`).join("\n"), 20);
        this.initPid = 0;
    }

    /** Boot after a power cut: fresh interface configuration (no leftover VIP), cable in, new init. */
    async powerOn(): Promise<void> {
        for (const target of this.opts.volatile ?? []) {
            const d = this.bindDir(target);
            fs.rmSync(d, { recursive: true, force: true });
            fs.mkdirSync(d, { mode: 0o755 });
        }
        this.configureInterface();
        this.cable(true);
        await this.boot();
    }

    /** Addresses on the host's interface (CIDR strings). */
    async addresses(): Promise<string[]> {
        const r = await run("ip", ["-n", this.ns, "-4", "-o", "addr", "show", "dev", this.ifname], 5_000);
        return [...r.stdout.matchAll(/inet (\S+)/g)].map((m) => m[1]);
    }

    async holds(ip: string): Promise<boolean> {
        return (await this.addresses()).some((a) => a.split("/")[0] === ip);
    }

    /** Adds netem delay (and jitter) to packets the bridge sends to this host. */
    netem(delayMs: number, jitterMs = 0): void {
        if (this.lab.hub) {
            this.lab.hub.command(`delay ${this.port} ${delayMs} ${jitterMs}`);
            return;
        }
        spawnSync("tc", ["-n", this.lab.sw, "qdisc", "del", "dev", this.port, "root"], { timeout: 5_000 });
        if (delayMs > 0) {
            must("tc", ["-n", this.lab.sw, "qdisc", "add", "dev", this.port, "root", "netem", "delay", `${delayMs}ms`, ...(jitterMs > 0 ? [`${jitterMs}ms`] : [])]);
        }
    }

    /** Stops every process of the host (SIGTERM, then SIGKILL of the init), keeps the cable. */
    async shutdown(): Promise<void> {
        for (const p of this.procs) if (p.alive) p.child.kill("SIGTERM");
        if (this.initPid) killQuiet(this.initPid);
        await waitFor(`every process of ${this.name} to stop`, 10_000, () => netnsPids(this.ns).length === 0, () => "", 20).catch(() => undefined);
        this.initPid = 0;
    }
}

/** Synchronous sleep (setup steps that must not become async). */
function sleepSync(ms: number): void {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * The user-space switch (delayhub.py) that replaces the bridge when the kernel has no `netem`:
 * a TAP port per host, an egress delay and jitter per port, cables pulled on command.
 */
export class DelayHub {
    readonly proc: Proc;

    constructor(
        readonly sw: string,
        ports: readonly string[],
    ) {
        const child = spawn("ip", ["netns", "exec", sw, "python3", path.join(__dirname, "delayhub.py")], { stdio: ["pipe", "pipe", "pipe"] });
        this.proc = new Proc(`${sw}/delayhub`, child, 200);
        for (const p of ports) this.command(`add ${p}`);
    }

    command(cmd: string): void {
        if (!this.proc.alive) throw new Error(`delay hub died\n${this.proc.output()}`);
        this.proc.child.stdin?.write(`${cmd}\n`);
    }

    /** Waits (bounded, synchronously) until the hub has created TAP port `name` in the switch namespace. */
    waitForPort(name: string): void {
        const deadline = Date.now() + 10_000;
        while (spawnSync("ip", ["-n", this.sw, "link", "show", name], { timeout: 5_000 }).status !== 0) {
            if (Date.now() > deadline || !this.proc.alive) throw new Error(`delay hub did not create ${name}\n${this.proc.output()}`);
            sleepSync(20);
        }
    }
}

/** A lab: a switch namespace with bridge `br0` (or a delay hub), hosts cabled to it, a temp dir. */
export class Lab {
    readonly prefix: string;
    readonly sw: string;
    readonly dir: string;
    readonly hosts = new Map<string, Host>();
    readonly hub: DelayHub | undefined;

    /** `delayHubPorts`: use the user-space delay hub with these host names instead of a bridge. */
    constructor(tag: string, delayHubPorts?: readonly string[]) {
        if (!/^[a-z]{1,3}$/.test(tag)) throw new Error(`lab tag must be 1-3 lowercase letters (got ${tag})`);
        installHooks();
        removeStaleNamespaces();
        this.prefix = `${NS_PREFIX}${process.pid}${tag}`;
        this.sw = `${this.prefix}-sw`;
        // 0755, root-owned: keepalived's script security accepts scripts below it.
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `hacluster-ha-${tag}-`));
        fs.chmodSync(this.dir, 0o755);
        must("ip", ["netns", "add", this.sw]);
        liveNamespaces.add(this.sw);
        must("ip", ["-n", this.sw, "link", "set", "lo", "up"]);
        if (delayHubPorts) {
            this.hub = new DelayHub(this.sw, delayHubPorts.map((h) => `s-${h}`.slice(0, 15)));
        } else {
            must("ip", ["-n", this.sw, "link", "add", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0", "mcast_snooping", "0"]);
            must("ip", ["-n", this.sw, "link", "set", "br0", "up"]);
        }
    }

    addHost(name: string, address: string, prefixLen: number, opts: HostOptions = {}): Host {
        const h = new Host(this, name, address, prefixLen, opts);
        h.create();
        this.hosts.set(name, h);
        return h;
    }

    host(name: string): Host {
        const h = this.hosts.get(name);
        if (!h) throw new Error(`no host ${name} in the lab`);
        return h;
    }

    /** Synchronous teardown for a lab whose setup failed: SIGKILL, delete namespaces and the temp dir. */
    destroySync(): void {
        for (const h of this.hosts.values()) {
            for (const p of netnsPids(h.ns)) killQuiet(p);
            for (const p of h.procs) killQuiet(p.child.pid);
            spawnSync("ip", ["netns", "del", h.ns], { timeout: 5_000 });
            liveNamespaces.delete(h.ns);
        }
        if (this.hub) killQuiet(this.hub.proc.child.pid);
        spawnSync("ip", ["netns", "del", this.sw], { timeout: 5_000 });
        liveNamespaces.delete(this.sw);
        this.hosts.clear();
        fs.rmSync(this.dir, { recursive: true, force: true });
    }

    /** Stops everything and deletes the namespaces and the temp dir (bounded; safe to call twice). */
    async destroy(keepDir = false): Promise<void> {
        await Promise.all([...this.hosts.values()].map((h) => h.shutdown().catch(() => undefined)));
        for (const h of this.hosts.values()) {
            for (const p of netnsPids(h.ns)) killQuiet(p);
            for (const p of h.procs) killQuiet(p.child.pid);
            spawnSync("ip", ["netns", "del", h.ns], { timeout: 5_000 });
            liveNamespaces.delete(h.ns);
        }
        if (this.hub) killQuiet(this.hub.proc.child.pid);
        spawnSync("ip", ["netns", "del", this.sw], { timeout: 5_000 });
        liveNamespaces.delete(this.sw);
        this.hosts.clear();
        if (!keepDir) fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/** Writes a file with an exact mode (writeFileSync's mode is filtered by the umask). */
export function writeFile(file: string, content: string, mode = 0o644): string {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content, { mode });
    fs.chmodSync(file, mode);
    return file;
}

/** Path of a runnable TypeScript helper in this directory, and the node arguments to run it. */
export function tsScript(file: string, args: readonly string[]): { cmd: string; args: string[] } {
    return { cmd: process.execPath, args: ["-r", require.resolve("ts-node/register/transpile-only"), path.join(__dirname, file), ...args] };
}
