/**
 * Lab machines: real Debian hosts on this one machine.
 *
 * A host is the toolchain's Debian rootfs under a copy-on-write layer of its own (overlayfs),
 * booted by `systemd-nspawn` with systemd as PID 1, inside a network namespace the lab created,
 * cabled by a veth pair to a bridge in the lab's switch namespace. Nothing the lab sends leaves
 * those namespaces: the only other members of the segment are the mirror, the operator's machine
 * (where `pulumi`/kubectl run) and a gateway address that routes nowhere.
 *
 * What the lab adds to a plain Debian server, and why (README "The lab"):
 * - each host gets cgroup v1 subtrees of its own (hacluster-lab/<run>/<host>, below this
 *   process's cgroups) and `lab-init` (host-init.sh) makes nspawn's read-only controller mounts
 *   writable in the host's own mount namespace — the machine's hierarchy is never remounted;
 * - /proc/sys/net is writable (nspawn mounts /proc/sys read-only): it belongs to the host's own
 *   network namespace, as on a real host;
 * - /var/lib/containerd is a directory of the lab's on the real disk (overlayfs cannot be the
 *   upper layer of containerd's overlay snapshots);
 * - /proc/sys/{vm/overcommit_memory,kernel/panic,kernel/panic_on_oops} show the kubelet the values
 *   it would set: these are global kernel settings of the machine, which the lab never changes;
 * - /lib/modules/<kernel>/modules.builtin lists what this kernel has built in (it loads no
 *   modules), so the node scripts' `modprobe overlay br_netfilter` behave as on a real host.
 * Every wait is bounded; `destroy()` removes every process, mount, namespace and cgroup.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Ran {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs a command with a hard timeout; never throws. */
export function sh(cmd: string, args: readonly string[], opts: { timeoutMs?: number; input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
    return new Promise((resolve) => {
        const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        const timer = setTimeout(() => {
            stderr += `\n(killed after ${opts.timeoutMs} ms)`;
            child.kill("SIGKILL");
        }, opts.timeoutMs ?? 60_000);
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", (e) => (stderr += `\n${e.message}`));
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr });
        });
        child.stdin.on("error", () => undefined);
        child.stdin.end(opts.input ?? "");
    });
}

/** Runs a setup command that must succeed. */
function must(cmd: string, args: readonly string[], timeoutMs = 30_000): string {
    const r = spawnSync(cmd, args, { encoding: "utf8", timeout: timeoutMs });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.status}): ${r.stderr}${r.error ? ` ${r.error.message}` : ""}`);
    return r.stdout;
}

/** Polls until `probe` is true; throws after `timeoutMs`, naming what was awaited. */
export async function waitFor(what: string, timeoutMs: number, probe: () => Promise<boolean> | boolean, everyMs = 500, diag: () => Promise<string> | string = () => ""): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (await probe()) return;
        if (Date.now() > deadline) throw new Error(`lab: timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}\n${await diag()}`);
        await sleep(everyMs);
    }
}

/** The lab's segment: one /24 (or larger) IPv4 network. */
export interface Segment {
    readonly cidr: string;
    /** Address of the gateway that routes nowhere (the switch namespace's bridge). */
    readonly gateway: string;
    readonly mirror: string;
    readonly operator: string;
}

export interface MachineSpec {
    readonly name: string;
    readonly address: string;
}

const KERNEL_BUILTINS = ["kernel/fs/overlayfs/overlay.ko", "kernel/net/bridge/br_netfilter.ko", "kernel/net/bridge/bridge.ko", "kernel/drivers/net/vxlan/vxlan.ko", "kernel/net/netfilter/nf_conntrack.ko", "kernel/net/ipv4/netfilter/ip_tables.ko", "kernel/net/netfilter/nf_tables.ko"];
/** What the kubelet sets at start unless already so (pkg/kubelet/cm: setupKernelTunables). */
const KUBELET_KERNEL_VALUES: Readonly<Record<string, string>> = { "vm/overcommit_memory": "1", "kernel/panic": "10", "kernel/panic_on_oops": "1" };

/** One lab host: a booted Debian with systemd as PID 1. */
export class Machine {
    proc?: ChildProcess;
    pid1?: number;
    private log = "";

    constructor(
        readonly lab: Lab,
        readonly spec: MachineSpec,
        readonly netns: string,
        readonly dir: string,
    ) {}

    get name(): string {
        return this.spec.name;
    }

    get address(): string {
        return this.spec.address;
    }

    /** Runs a command on the host as its console would (all of its namespaces), as root. */
    exec(script: string, timeoutMs = 60_000, input?: string): Promise<Ran> {
        if (!this.pid1) return Promise.resolve({ code: null, stdout: "", stderr: `${this.name} is not running` });
        const args = ["-t", String(this.pid1), "-a", "/bin/bash", "-c", script];
        return input === undefined ? sh("nsenter", args, { timeoutMs }) : sh("nsenter", [...args], { timeoutMs, input });
    }

    /** Runs a command that must succeed on the host; returns its stdout. */
    async must(script: string, timeoutMs = 60_000, input?: string): Promise<string> {
        const r = await this.exec(script, timeoutMs, input);
        if (r.code !== 0) throw new Error(`lab: on ${this.name}: ${script} failed (exit ${r.code}): ${r.stderr.trim()}`);
        return r.stdout;
    }

    get root(): string {
        return path.join(this.dir, "root");
    }

    /** Boots the host; resolves when systemd reports the system up and sshd answers. */
    async boot(): Promise<void> {
        const lab = this.lab;
        const d = this.dir;
        for (const sub of ["upper", "work", "root", "containerd", "sysctl"]) fs.mkdirSync(path.join(d, sub), { recursive: true });
        if (!isMountpoint(this.root)) {
            must("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${lab.baseRootfs},upperdir=${d}/upper,workdir=${d}/work`, this.root]);
            lab.mounts.push(this.root);
        }
        this.configure();
        const binds = [`--bind=${d}/containerd:/var/lib/containerd`];
        // lab-init shows these over /proc/sys/<key> (a bind mount in the host's own namespace).
        for (const [key, value] of Object.entries(KUBELET_KERNEL_VALUES)) fs.writeFileSync(path.join(d, "sysctl", key.replace("/", ".")), `${value}\n`);
        binds.push(`--bind-ro=${d}/sysctl:/.lab/sysctl`);
        const args = [
            path.join(lab.toolDir, "machine-cgroup.sh"),
            `${lab.cgroupName}/${this.name}`,
            "systemd-nspawn",
            "-D",
            this.root,
            "--register=no",
            "--keep-unit",
            `--network-namespace-path=/run/netns/${this.netns}`,
            "--capability=all",
            // runc gives every container its own session keyring (keyctl); nspawn's default seccomp
            // filter refuses the keyring calls ("unable to join session keyring: operation not permitted").
            "--system-call-filter=@keyring",
            "--console=passive",
            `--machine=${lab.id}-${this.name}`,
            `--hostname=${this.name}`,
            "--resolv-conf=off",
            "--timezone=off",
            "--link-journal=no",
            ...binds,
            "/usr/local/sbin/lab-init",
        ];
        const child = spawn("/bin/bash", args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
        this.proc = child;
        lab.procs.add(child);
        const keep = (b: Buffer) => (this.log = (this.log + b.toString()).slice(-32_000));
        child.stdout?.on("data", keep);
        child.stderr?.on("data", keep);
        child.on("exit", () => lab.procs.delete(child));
        await waitFor(`${this.name}'s systemd`, 60_000, () => {
            this.pid1 = findInit(child.pid!);
            return this.pid1 !== undefined;
        }, 200, () => this.log);
        await waitFor(`${this.name} to finish booting`, 120_000, async () => {
            const r = await this.exec("systemctl is-system-running", 10_000);
            return ["running", "degraded"].includes(r.stdout.trim());
        }, 1_000, async () => `${this.log}\n${(await this.exec("systemctl --failed --no-legend; systemctl list-jobs --no-legend | head")).stdout}`);
        // On this machine's hybrid cgroups a unit started in the first second of boot now and then
        // fails "Failed at step CGROUP ... No such file or directory" (its cgroup2 directory is not
        // there yet). Such a unit is started once more; systemd-user-sessions is one of them, and
        // while it is down /run/nologin refuses every SSH login.
        const failedUnits = async () => (await this.exec("systemctl --failed --no-legend --plain")).stdout.trim().split("\n").map((l) => l.split(/\s+/)[0]).filter(Boolean);
        const failed = await failedUnits();
        if (failed.length > 0) {
            this.lab.note(`${this.name} booted with failed units (started again): ${failed.join(" ")}`);
            await this.exec(`systemctl reset-failed; systemctl restart ${failed.join(" ")}`, 60_000);
            const still = await failedUnits();
            if (still.length > 0) this.lab.note(`${this.name}: still failed after a restart: ${still.join(" ")}`);
        }
        const nologin = await this.exec("test ! -e /run/nologin");
        if (nologin.code !== 0) throw new Error(`lab: ${this.name} still refuses logins (/run/nologin): ${(await this.exec("systemctl status systemd-user-sessions --no-pager")).stdout}`);
        await waitFor(
            `sshd on ${this.name}`,
            90_000,
            async () => (await sh("ip", ["netns", "exec", lab.operatorNs, "bash", "-c", `exec 3<>/dev/tcp/${this.address}/22`], { timeoutMs: 3_000 })).code === 0,
            1_000,
            async () => (await this.exec("ip -br addr; systemctl status ssh --no-pager --lines=5; networkctl --no-pager", 10_000)).stdout,
        );
    }

    /** The host's identity and site settings, written into its copy-on-write layer before boot. */
    private configure(): void {
        const r = this.root;
        const lab = this.lab;
        const w = (p: string, content: string, mode = 0o644) => {
            fs.mkdirSync(path.dirname(path.join(r, p)), { recursive: true });
            fs.writeFileSync(path.join(r, p), content, { mode });
        };
        w("/usr/local/sbin/lab-init", fs.readFileSync(path.join(__dirname, "host-init.sh"), "utf8"), 0o755);
        w("/etc/hostname", `${this.name}\n`);
        w("/etc/hosts", `127.0.0.1 localhost\n127.0.1.1 ${this.name}\n`);
        // The site's DNS server is the gateway, which answers nothing: lookups fail fast, as in a closed network.
        w("/etc/resolv.conf", `nameserver ${lab.segment.gateway}\noptions timeout:1 attempts:1\n`);
        // The site's Debian mirror, signed with its own key.
        w("/etc/apt/keyrings/site-debian.asc", fs.readFileSync(lab.debianKey, "utf8"));
        w("/etc/apt/sources.list", `deb [signed-by=/etc/apt/keyrings/site-debian.asc] http://${lab.segment.mirror}/debian/ /\n`);
        fs.rmSync(path.join(r, "etc/apt/sources.list.d/debian.sources"), { force: true });
        const ssh = path.join(r, "home/ops/.ssh");
        fs.mkdirSync(ssh, { recursive: true, mode: 0o700 });
        fs.writeFileSync(path.join(ssh, "authorized_keys"), lab.operatorPublicKey, { mode: 0o600 });
        const uid = Number(must("chroot", [r, "id", "-u", "ops"]).trim());
        fs.chownSync(ssh, uid, uid);
        fs.chownSync(path.join(ssh, "authorized_keys"), uid, uid);
        // The lab's network: one interface, a static address, a default route to the dead-end gateway.
        const prefix = lab.segment.cidr.split("/")[1];
        w("/etc/systemd/network/10-eth0.network", `[Match]\nName=eth0\n\n[Network]\nAddress=${this.address}/${prefix}\nGateway=${lab.segment.gateway}\n`);
        must("chroot", [r, "systemctl", "enable", "systemd-networkd.service"]);
        // This kernel's module directory: what it has built in (it loads no modules), indexed by depmod.
        const kver = os.release();
        w(`/lib/modules/${kver}/modules.builtin`, KERNEL_BUILTINS.join("\n") + "\n");
        w(`/lib/modules/${kver}/modules.order`, "");
        must("chroot", [r, "depmod", kver]);
    }

    /** Cuts the host's power: its init and every process die at once, its cable goes dark. */
    async powerCut(): Promise<void> {
        await sh("ip", ["-n", this.lab.switchNs, "link", "set", this.lab.switchPort(this), "down"]);
        if (this.pid1) killQuiet(this.pid1, "SIGKILL");
        await waitFor(`${this.name} to stop`, 30_000, () => this.proc?.exitCode !== null || this.proc?.signalCode !== null);
        this.pid1 = undefined;
    }

    /** Powers the host on again after a cut (same disk). */
    async powerOn(): Promise<void> {
        await sh("ip", ["-n", this.lab.switchNs, "link", "set", this.lab.switchPort(this), "up"]);
        await this.boot();
    }

    /** Stops the host and removes its mounts. */
    async stop(): Promise<void> {
        if (this.pid1) killQuiet(this.pid1, "SIGKILL");
        this.pid1 = undefined;
        if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
            await waitFor(`${this.name} to stop`, 30_000, () => this.proc?.exitCode !== null || this.proc?.signalCode !== null).catch(() => killQuiet(this.proc?.pid, "SIGKILL"));
        }
    }
}

function killQuiet(pid: number | undefined, sig: NodeJS.Signals = "SIGKILL"): void {
    if (pid === undefined || !Number.isInteger(pid) || pid <= 1 || pid === process.pid) return;
    try {
        process.kill(pid, sig);
    } catch {
        /* gone */
    }
}

function isMountpoint(p: string): boolean {
    return spawnSync("mountpoint", ["-q", p]).status === 0;
}

/** Global pids of `pid`'s children (Linux /proc); empty when it is gone. */
export function childrenOf(pid: number): number[] {
    try {
        return fs
            .readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
            .split(/\s+/)
            .filter(Boolean)
            .map(Number);
    } catch {
        return [];
    }
}

/** The container's init: systemd, a grandchild of our nspawn wrapper. */
function findInit(wrapperPid: number): number | undefined {
    const queue = [wrapperPid];
    while (queue.length) {
        const p = queue.shift()!;
        for (const c of childrenOf(p)) {
            let comm = "";
            try {
                comm = fs.readFileSync(`/proc/${c}/comm`, "utf8").trim();
            } catch {
                continue;
            }
            if (comm === "systemd") return c;
            queue.push(c);
        }
    }
    return undefined;
}

export interface LabOptions {
    /** Short id in every name (namespaces, interfaces, cgroups): a few lowercase letters/digits. */
    readonly id: string;
    readonly segment: Segment;
    /** The toolchain's Debian rootfs (read-only lower layer). */
    readonly baseRootfs: string;
    /** The site Debian mirror's public key (armored). */
    readonly debianKey: string;
    /** Private directory of this run (mode 0700): host layers, keys, secrets. */
    readonly dir: string;
}

/**
 * The lab's network and machines. Namespaces are named `hcl<id>-<what>`; stale ones of dead runs
 * with the same id are removed first.
 */
export class Lab {
    readonly machines = new Map<string, Machine>();
    readonly procs = new Set<ChildProcess>();
    readonly mounts: string[] = [];
    readonly notes: string[] = [];
    readonly switchNs: string;
    readonly operatorNs: string;
    readonly mirrorNs: string;
    readonly toolDir = __dirname;
    readonly cgroupName: string;
    operatorPublicKey = "";
    operatorKeyFile = "";
    private namespaces: string[] = [];

    constructor(readonly opts: LabOptions) {
        if (!/^[a-z0-9]{1,6}$/.test(opts.id)) throw new Error(`lab id ${opts.id} must be 1-6 lowercase letters or digits`);
        this.switchNs = this.ns("sw");
        this.operatorNs = this.ns("op");
        this.mirrorNs = this.ns("mirror");
        this.cgroupName = `hacluster-lab/${opts.id}`;
    }

    get id(): string {
        return this.opts.id;
    }
    get segment(): Segment {
        return this.opts.segment;
    }
    get baseRootfs(): string {
        return this.opts.baseRootfs;
    }
    get debianKey(): string {
        return this.opts.debianKey;
    }

    note(s: string): void {
        this.notes.push(s);
    }

    private ns(what: string): string {
        return `hcl${this.opts.id}-${what}`;
    }

    /** Switch port (bridge side) of a namespace's cable; ≤ 15 characters. */
    switchPort(m: { name: string } | string): string {
        const key = typeof m === "string" ? m : m.name;
        return `s${this.opts.id}${portIndex(this, key)}`;
    }

    /** Creates the segment: switch with bridge and gateway, the operator's and the mirror's namespaces. */
    async up(): Promise<void> {
        if (process.getuid?.() !== 0) throw new Error("the lab needs root (network namespaces, systemd-nspawn, mounts)");
        for (const t of ["ip", "systemd-nspawn", "nsenter", "mount", "ssh", "ssh-keygen"]) {
            if (spawnSync("sh", ["-c", `command -v ${t}`]).status !== 0) throw new Error(`the lab needs ${t} on PATH (apt-get install iproute2 systemd-container util-linux openssh-client)`);
        }
        this.removeStale();
        raiseInotifyLimits();
        fs.mkdirSync(this.opts.dir, { recursive: true, mode: 0o700 });
        fs.chmodSync(this.opts.dir, 0o700);
        this.addNs(this.switchNs);
        must("ip", ["-n", this.switchNs, "link", "add", "br0", "type", "bridge"]);
        const prefix = this.segment.cidr.split("/")[1];
        must("ip", ["-n", this.switchNs, "addr", "add", `${this.segment.gateway}/${prefix}`, "dev", "br0"]);
        must("ip", ["-n", this.switchNs, "link", "set", "br0", "up"]);
        must("ip", ["-n", this.switchNs, "link", "set", "lo", "up"]);
        // The gateway forwards nothing: the segment is closed.
        must("ip", ["netns", "exec", this.switchNs, "sysctl", "-qw", "net.ipv4.ip_forward=0"]);
        for (const [ns, addr] of [
            [this.operatorNs, this.segment.operator],
            [this.mirrorNs, this.segment.mirror],
        ]) {
            this.addNs(ns);
            this.cable(ns, ns, addr);
        }
        // The operator's SSH key (what a user keeps in ssh-agent or as a secret config value).
        this.operatorKeyFile = path.join(this.opts.dir, "operator_ed25519");
        if (!fs.existsSync(this.operatorKeyFile)) must("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `lab-${this.id}`, "-f", this.operatorKeyFile]);
        this.operatorPublicKey = fs.readFileSync(`${this.operatorKeyFile}.pub`, "utf8");
    }

    private addNs(ns: string): void {
        must("ip", ["netns", "add", ns]);
        this.namespaces.push(ns);
        must("ip", ["-n", ns, "link", "set", "lo", "up"]);
    }

    /** A veth cable from `ns` (as eth0) to the switch. */
    private cable(key: string, ns: string, address?: string): void {
        const port = this.switchPort(key);
        const peer = `c${this.opts.id}${portIndex(this, key)}`;
        must("ip", ["link", "add", port, "type", "veth", "peer", "name", peer]);
        must("ip", ["link", "set", port, "netns", this.switchNs]);
        must("ip", ["link", "set", peer, "netns", ns]);
        must("ip", ["-n", ns, "link", "set", peer, "name", "eth0"]);
        must("ip", ["-n", this.switchNs, "link", "set", port, "master", "br0", "up"]);
        if (address) {
            const prefix = this.segment.cidr.split("/")[1];
            must("ip", ["-n", ns, "addr", "add", `${address}/${prefix}`, "dev", "eth0"]);
            must("ip", ["-n", ns, "link", "set", "eth0", "up"]);
            must("ip", ["-n", ns, "route", "add", "default", "via", this.segment.gateway]);
        }
    }

    /** Creates and boots a host. */
    async addMachine(spec: MachineSpec): Promise<Machine> {
        if (this.machines.has(spec.name)) throw new Error(`lab: ${spec.name} exists`);
        const ns = this.ns(spec.name.slice(0, 8));
        this.addNs(ns);
        this.cable(spec.name, ns); // systemd-networkd inside the host configures eth0
        const m = new Machine(this, spec, ns, path.join(this.opts.dir, "hosts", spec.name));
        this.machines.set(spec.name, m);
        await m.boot();
        return m;
    }

    /** Runs a command in the operator's namespace (where pulumi, ssh and kubectl run). */
    operator(cmd: string, args: readonly string[], opts: { timeoutMs?: number; input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
        return sh("ip", ["netns", "exec", this.operatorNs, cmd, ...args], opts);
    }

    /** Starts a long-running process in a namespace; stopped by destroy(). */
    spawnIn(ns: string, cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): ChildProcess {
        const child = spawn("ip", ["netns", "exec", ns, cmd, ...args], { stdio: ["ignore", "pipe", "pipe"], env: env ?? process.env, detached: true });
        this.procs.add(child);
        child.on("exit", () => this.procs.delete(child));
        return child;
    }

    /** Removes everything this lab made: processes, mounts, namespaces, cgroups. Idempotent. */
    async destroy(): Promise<void> {
        await Promise.all([...this.machines.values()].map((m) => m.stop()));
        for (const p of this.procs) killQuiet(p.pid, "SIGKILL");
        await sleep(500);
        for (const ns of this.namespaces) {
            const pids = spawnSync("ip", ["netns", "pids", ns], { encoding: "utf8" }).stdout?.split(/\s+/).filter(Boolean).map(Number) ?? [];
            for (const p of pids) killQuiet(p, "SIGKILL");
        }
        await sleep(300);
        for (const mnt of [...this.mounts].reverse()) spawnSync("umount", ["-l", mnt]);
        this.mounts.length = 0;
        for (const ns of this.namespaces) spawnSync("ip", ["netns", "del", ns]);
        this.namespaces = [];
        removeCgroups(this.cgroupName);
        restoreInotifyLimits();
    }

    /** Namespaces, mounts and cgroups left by an earlier run with this id (killed before its cleanup). */
    private removeStale(): void {
        removeStaleLab(this.opts.id, this.opts.dir);
    }
}

/**
 * Removes what a lab run with this id left behind when it was killed before its cleanup (or held
 * with HACLUSTER_LAB_HOLD): the processes in its namespaces, the namespaces, every mount under
 * `dir`, and its cgroups. Call it before deleting `dir`: stale overlay mounts make that fail.
 */
export function removeStaleLab(id: string, dir: string): void {
    const list = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout ?? "";
    for (const line of list.split("\n")) {
        const ns = line.split(" ")[0];
        if (!ns.startsWith(`hcl${id}-`)) continue;
        for (const p of (spawnSync("ip", ["netns", "pids", ns], { encoding: "utf8" }).stdout ?? "").split(/\s+/).filter(Boolean).map(Number)) killQuiet(p, "SIGKILL");
        spawnSync("ip", ["netns", "del", ns]);
    }
    const under = dir.endsWith("/") ? dir : `${dir}/`;
    const mounts = fs
        .readFileSync("/proc/self/mountinfo", "utf8")
        .split("\n")
        .map((l) => (l.split(" ")[4] ?? "").replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
        .filter((p) => p.startsWith(under));
    // Deepest first: binds inside a host's root before the root's overlay.
    for (const mnt of mounts.sort((a, b) => b.length - a.length)) spawnSync("umount", ["-l", mnt]);
    removeCgroups(`hacluster-lab/${id}`);
}

/**
 * The one change the lab makes to the machine's kernel, for its duration. inotify instances and
 * watches are counted per user across the whole kernel, and every lab host's systemd, containerd
 * and kubelet run as the same root: Linux's default of 128 instances ran out at the eighth host
 * (containerd's CRI plugin then fails to load, "couldn't initialize inotify: too many open files").
 * Raised to what Kubernetes node images set (EKS: 8192 / 524288) when lower; the old values are
 * kept in /run and put back when the last lab of this machine is torn down.
 */
const INOTIFY: Record<string, number> = { max_user_instances: 8192, max_user_watches: 524288 };
const INOTIFY_SAVED = "/run/hacluster-lab-inotify.json";

function raiseInotifyLimits(): void {
    const now = Object.fromEntries(Object.keys(INOTIFY).map((k) => [k, Number(fs.readFileSync(`/proc/sys/fs/inotify/${k}`, "utf8"))]));
    if (!fs.existsSync(INOTIFY_SAVED)) fs.writeFileSync(INOTIFY_SAVED, JSON.stringify(now));
    for (const [k, want] of Object.entries(INOTIFY)) if (now[k] < want) fs.writeFileSync(`/proc/sys/fs/inotify/${k}`, `${want}\n`);
}

function restoreInotifyLimits(): void {
    const others = (spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout ?? "").split("\n").some((l) => l.startsWith("hcl"));
    if (others || !fs.existsSync(INOTIFY_SAVED)) return;
    const saved = JSON.parse(fs.readFileSync(INOTIFY_SAVED, "utf8")) as Record<string, number>;
    for (const [k, v] of Object.entries(saved)) {
        try {
            fs.writeFileSync(`/proc/sys/fs/inotify/${k}`, `${v}\n`);
        } catch {
            /* in use above the old limit: leave it */
        }
    }
    fs.rmSync(INOTIFY_SAVED, { force: true });
}

const indexes = new WeakMap<Lab, Map<string, number>>();
function portIndex(lab: Lab, key: string): number {
    let m = indexes.get(lab);
    if (!m) indexes.set(lab, (m = new Map()));
    if (!m.has(key)) m.set(key, m.size);
    return m.get(key)!;
}

/** rmdir (deepest first) the lab's cgroup subtrees in every v1 hierarchy, under our own cgroups. */
function removeCgroups(name: string): void {
    for (const line of fs.readFileSync("/proc/self/cgroup", "utf8").trim().split("\n")) {
        const [, ctrl, cur] = line.split(":");
        if (!ctrl) continue; // the unified hierarchy: not used
        const dirName = ctrl.startsWith("name=") ? ctrl.slice(5) : ctrl.split(",")[0];
        const base = path.join("/sys/fs/cgroup", dirName, cur, name);
        if (!fs.existsSync(base)) continue;
        const dirs = spawnSync("find", [base, "-depth", "-type", "d"], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
        for (const d of dirs) {
            try {
                fs.rmdirSync(d);
            } catch {
                /* still in use or already gone */
            }
        }
    }
}
