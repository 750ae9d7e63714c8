/**
 * A lab run: one stack's hosts booted in the lab, the mirror serving the toolchain's content,
 * and the real Pulumi engine running the stack against those hosts over SSH from the operator's
 * namespace — what a user does with `pulumi up`, on a closed network.
 *
 * The secrets of a run (the operator's SSH key, the state's passphrase, kubeconfigs) stay in the
 * run's private directory (mode 0700), which is removed at the end unless HACLUSTER_LAB_KEEP=1.
 */
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { EngineWorkspace, findEngine, type Ran } from "./engine";
import { Lab, removeStaleLab, sh, waitFor, type Machine } from "./machines";
import type { ToolchainManifest } from "./mirror/server";
import { manifestPath, REPO, toolchain } from "./toolchain";

const SEGMENT = { cidr: "10.77.0.0/24", gateway: "10.77.0.1", mirror: "10.77.0.2", operator: "10.77.0.3" } as const;

interface HostEntry {
    readonly name: string;
    readonly address: string;
    readonly zone?: string;
}

type StackDoc = { config: Record<string, unknown> };

/** The hosts a stack file names, by role. */
export function stackHosts(doc: StackDoc): { role: string; host: HostEntry }[] {
    const c = doc.config["hacluster:cluster"] as Record<string, Record<string, unknown>>;
    const list = (v: unknown): HostEntry[] => (Array.isArray(v) ? (v as HostEntry[]) : []);
    return [
        ...list(c.endpoint?.lbHosts).map((host) => ({ role: "lb", host })),
        ...list(c.etcd?.hosts).map((host) => ({ role: "etcd", host })),
        ...list(c.controlPlane?.hosts).map((host) => ({ role: "control-plane", host })),
        ...list(c.workers?.hosts).map((host) => ({ role: "worker", host })),
    ];
}

/** The stack file with the mirror's values of this build (key, checksums), as the lab runs it. */
function withMirror(doc: StackDoc, m: ToolchainManifest): StackDoc {
    const out = structuredClone(doc);
    const c = out.config["hacluster:cluster"] as { mirror: Record<string, Record<string, unknown>>; etcd?: { version?: string }; kubernetes: { version: string } };
    const mirror = c.mirror;
    mirror.packages.signingKey = fs.readFileSync(m.mirror.kubernetesApt.key, "utf8");
    const sumOf = (url: unknown): string => {
        const rel = String(url).replace(/^https?:\/\/[^/]+\//, "");
        const s = m.mirror.files.sha256[rel];
        if (!s) throw new Error(`the lab mirror serves no ${rel} (stack mirror URL ${String(url)}); the toolchain has: ${Object.keys(m.mirror.files.sha256).join(", ")}`);
        return s;
    };
    for (const kind of ["etcd", "containerd", "runc"]) mirror[kind].sha256 = sumOf(mirror[kind].url);
    return out;
}

export interface PhaseTiming {
    readonly resource: string;
    readonly seconds: number;
    readonly endAt: number;
}

export class LabRun {
    readonly lab: Lab;
    readonly manifest: ToolchainManifest;
    readonly workspace: EngineWorkspace;
    readonly dir: string;
    private agentSock = "";
    private agentPid = 0;
    readonly log: string[] = [];

    constructor(
        readonly stack: string,
        readonly id: string,
    ) {
        this.manifest = toolchain();
        const engine = findEngine();
        this.dir = path.join("/var/tmp", `hacluster-lab-${id}`);
        removeStaleLab(id, this.dir);
        fs.rmSync(this.dir, { recursive: true, force: true });
        fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
        this.lab = new Lab({
            id,
            segment: SEGMENT,
            baseRootfs: this.manifest.debianBase.rootfs,
            debianKey: this.manifest.mirror.debianApt.key,
            dir: path.join(this.dir, "lab"),
        });
        this.workspace = new EngineWorkspace(engine, path.join(this.dir, "engine"), ["ip", "netns", "exec", this.lab.operatorNs]);
    }

    note(s: string): void {
        this.log.push(`${new Date().toISOString()} ${s}`);
        if (process.env.HACLUSTER_LAB_VERBOSE) console.log(`lab: ${s}`);
    }

    get stackDoc(): StackDoc {
        return parse(fs.readFileSync(this.workspace.stackFile(this.stack), "utf8")) as StackDoc;
    }

    set stackDoc(doc: StackDoc) {
        fs.writeFileSync(this.workspace.stackFile(this.stack), stringify(doc, { lineWidth: 0 }));
    }

    machine(name: string): Machine {
        const m = this.lab.machines.get(name);
        if (!m) throw new Error(`lab: no host ${name}`);
        return m;
    }

    /** Network, mirror, every host of the stack booted, the engine's workspace and stack ready. */
    async start(): Promise<void> {
        await this.lab.up();
        const mirror = this.lab.spawnIn(this.lab.mirrorNs, process.execPath, ["-r", "ts-node/register/transpile-only", path.join(REPO, "lab/mirror/server.ts"), path.join(this.manifestDir(), "manifest.json"), SEGMENT.mirror, "80", "5000"]);
        let mirrorLog = "";
        mirror.stdout?.on("data", (d: Buffer) => (mirrorLog += d.toString()));
        mirror.stderr?.on("data", (d: Buffer) => (mirrorLog += d.toString()));
        await waitFor("the mirror", 60_000, async () => (await this.lab.operator("curl", ["-fsS", "-o", "/dev/null", `http://${SEGMENT.mirror}:5000/v2/`], { timeoutMs: 5_000 })).code === 0, 500, () => mirrorLog);
        this.stackDoc = withMirror(parse(fs.readFileSync(path.join(REPO, `Pulumi.${this.stack}.yaml`), "utf8")) as StackDoc, this.manifest);
        const hosts = stackHosts(this.stackDoc);
        const t0 = Date.now();
        // Boot a few at a time: on two cores, many systemd boots at once only queue.
        for (let i = 0; i < hosts.length; i += 3) await Promise.all(hosts.slice(i, i + 3).map((h) => this.lab.addMachine({ name: h.host.name, address: h.host.address })));
        this.note(`${hosts.length} hosts booted in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        await this.startAgent();
        await this.workspace.installPlugins();
        await this.workspace.ok(["stack", "init", this.stack]);
        if (this.stack === "lab") await this.sshKeyAsSecret();
    }

    /**
     * The `lab` stack logs in with a key held as a secret config value (`cluster.ssh.privateKeySecret`),
     * the other lab stack with the operator's ssh-agent: both ways a user may choose run for real.
     */
    private async sshKeyAsSecret(): Promise<void> {
        const doc = this.stackDoc;
        const c = doc.config["hacluster:cluster"] as { ssh: Record<string, unknown> };
        c.ssh = { user: c.ssh.user, privateKeySecret: "sshPrivateKey" };
        this.stackDoc = doc;
        await this.workspace.ok(["config", "set", "--secret", "hacluster:sshPrivateKey", "--stack", this.stack], { input: fs.readFileSync(this.lab.operatorKeyFile, "utf8") });
        this.note("ssh: the lab's key is the secret config value hacluster:sshPrivateKey");
    }

    private manifestDir(): string {
        return path.dirname(manifestPath());
    }

    /** The operator's ssh-agent holding the lab key (the stacks use cluster.ssh.agent). */
    private async startAgent(): Promise<void> {
        this.agentSock = path.join(this.dir, "agent.sock");
        const r = await sh("ssh-agent", ["-a", this.agentSock, "-s"]);
        const pid = /SSH_AGENT_PID=(\d+)/.exec(r.stdout);
        if (r.code !== 0 || !pid) throw new Error(`lab: ssh-agent did not start: ${r.stderr}`);
        this.agentPid = Number(pid[1]);
        const add = await sh("ssh-add", [this.lab.operatorKeyFile], { env: { ...process.env, SSH_AUTH_SOCK: this.agentSock } });
        if (add.code !== 0) throw new Error(`lab: ssh-add failed: ${add.stderr}`);
        this.workspace.env.SSH_AUTH_SOCK = this.agentSock;
    }

    /** `pulumi up` of the stack; the event log gives each step's time. */
    async up(extra: readonly string[] = []): Promise<{ ran: Ran; timings: PhaseTiming[] }> {
        const events = path.join(this.dir, `events-${Date.now()}.jsonl`);
        const ran = await this.workspace.run(["up", "--yes", "--skip-preview", "--stack", this.stack, "--event-log", events, ...extra], { timeoutMs: 2_400_000 });
        return { ran, timings: timingsOf(events) };
    }

    pulumi(args: readonly string[], timeoutMs = 600_000): Promise<Ran> {
        return this.workspace.run([...args, "--stack", this.stack], { timeoutMs });
    }

    /** The stack's kubeconfig output, in the run's private directory. */
    async kubeconfig(): Promise<string> {
        const r = await this.workspace.ok(["stack", "output", "kubeconfig", "--show-secrets", "--stack", this.stack]);
        const file = path.join(this.dir, "kubeconfig");
        fs.writeFileSync(file, r.stdout, { mode: 0o600 });
        return file;
    }

    /** kubectl from the operator's machine with the stack's kubeconfig (through the VIP). */
    async kubectl(args: readonly string[], timeoutMs = 30_000): Promise<Ran> {
        const kc = path.join(this.dir, "kubeconfig");
        if (!fs.existsSync(kc)) await this.kubeconfig();
        const started = Date.now();
        const r = await this.lab.operator(kubectlBinary(this.manifest), ["--kubeconfig", kc, "--request-timeout=10s", ...args], { timeoutMs });
        return { ...r, ms: Date.now() - started };
    }

    /** The engine's view of every command resource: name, create command, stdin, host (secrets included). */
    async commands(): Promise<{ name: string; create: string; stdin: string; host: string; user: string }[]> {
        const r = await this.workspace.ok(["stack", "export", "--show-secrets", "--stack", this.stack]);
        const dep = JSON.parse(r.stdout) as { deployment: { resources?: { type: string; urn: string; inputs?: Record<string, unknown> }[] } };
        const plain = (v: unknown): unknown => (v && typeof v === "object" && "plaintext" in (v as object) ? JSON.parse(String((v as { plaintext: string }).plaintext)) : v);
        return (dep.deployment.resources ?? [])
            .filter((x) => x.type === "command:remote:Command")
            .map((x) => {
                const i = x.inputs ?? {};
                const conn = plain(i.connection) as { host: string; user: string };
                return { name: x.urn.slice(x.urn.lastIndexOf("::") + 2), create: String(plain(i.create) ?? ""), stdin: String(plain(i.stdin) ?? ""), host: conn.host, user: conn.user };
            });
    }

    /** Runs a command on a host over SSH from the operator's machine, as the engine's provider does. */
    ssh(host: string, user: string, command: string, input: string, timeoutMs = 1_800_000): Promise<Ran> {
        const started = Date.now();
        return this.lab
            .operator("ssh", ["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", `${user}@${host}`, command], {
                timeoutMs,
                input,
                env: { ...process.env, SSH_AUTH_SOCK: this.agentSock },
            })
            .then((r) => ({ ...r, ms: Date.now() - started }));
    }

    /** Re-runs every node's bootstrap script exactly as the engine ran it (same stdin, same host). */
    async rerunNodeScripts(): Promise<(Ran & { node: string })[]> {
        const boots = (await this.commands()).filter((c) => c.name.endsWith("-bootstrap"));
        // All at once: on a built cluster no script waits for another (each finds its work done).
        return Promise.all(boots.map(async (b) => ({ ...(await this.ssh(b.host, b.user, b.create, b.stdin)), node: b.name })));
    }

    async destroy(): Promise<void> {
        if (process.env.HACLUSTER_LAB_HOLD) {
            console.log(`lab: HACLUSTER_LAB_HOLD is set: hosts left running (namespaces hcl${this.id}-*, run dir ${this.dir}); remove them with a later run of the same id`);
            return;
        }
        if (this.agentPid) {
            try {
                process.kill(this.agentPid, "SIGTERM");
            } catch {
                /* gone */
            }
        }
        await this.lab.destroy();
        if (!process.env.HACLUSTER_LAB_KEEP) fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/** kubectl of the newest release the toolchain built (a client one minor ahead is supported). */
function kubectlBinary(m: ToolchainManifest): string {
    const newest = Object.keys(m.releases).sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).pop()!;
    return path.join(m.releases[newest].bin, "kubectl");
}

/** Per-resource durations from a `pulumi --event-log` file (create/update/delete steps). */
function timingsOf(file: string): PhaseTiming[] {
    if (!fs.existsSync(file)) return [];
    const starts = new Map<string, number>();
    const out: PhaseTiming[] = [];
    for (const line of fs.readFileSync(file, "utf8").split("\n").filter(Boolean)) {
        let e: { timestamp?: number; resourcePreEvent?: { metadata: { urn: string; op: string } }; resOutputsEvent?: { metadata: { urn: string; op: string } } };
        try {
            e = JSON.parse(line);
        } catch {
            continue;
        }
        const t = (e.timestamp ?? 0) * 1000;
        if (e.resourcePreEvent && e.resourcePreEvent.metadata.op !== "same") starts.set(e.resourcePreEvent.metadata.urn, t);
        if (e.resOutputsEvent) {
            const urn = e.resOutputsEvent.metadata.urn;
            const s = starts.get(urn);
            if (s !== undefined) out.push({ resource: urn.slice(urn.lastIndexOf("::") + 2), seconds: (t - s) / 1000, endAt: t });
        }
    }
    return out;
}
