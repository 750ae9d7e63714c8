/**
 * A real etcd cluster on loopback for integration tests, configured only by rendered etcd.env
 * files: openssl makes the CA and member certificates, each etcd process gets exactly its env
 * file's variables (as systemd's EnvironmentFile passes them), every wait is bounded, and
 * `destroy()` kills every process and removes the temp dir.
 */
import { ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type EtcdMember, etcdMemberInput, renderEtcdEnv } from "../../components/render/etcd";

export const ETCD = "/usr/bin/etcd";
const ETCDCTL = "/usr/bin/etcdctl";

export interface Run {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs a command with a hard timeout (SIGKILL); never rejects. */
export function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 10_000): Promise<Run> {
    return new Promise((resolve) => {
        execFile(cmd, args, { env, timeout: timeoutMs, killSignal: "SIGKILL" }, (err, stdout, stderr) => {
            const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
            resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        });
    });
}

/** Parses an EnvironmentFile the way systemd does for unquoted values: KEY=value, `#` comments. */
export function parseEnvFile(text: string): Record<string, string> {
    const env: Record<string, string> = {};
    for (const raw of text.split("\n")) {
        const line = raw.trim();
        if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
        const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
        if (!m) throw new Error(`not an EnvironmentFile line: ${raw}`);
        env[m[1]] = m[2];
    }
    return env;
}

function sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
}

export class EtcdLab {
    readonly tmp: string;
    readonly endpoints: string[];
    /** etcdctl's TLS flags (a client certificate signed by the lab CA). */
    readonly tls: string[];
    readonly ctlEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, ETCDCTL_API: "3" };
    private readonly procs = new Map<string, ChildProcess>();
    readonly exited = new Map<string, number | string>();

    constructor(readonly members: readonly EtcdMember[], prefix = "hacluster-etcd-") {
        for (const bin of [ETCD, ETCDCTL, "/usr/bin/openssl"]) {
            if (!fs.existsSync(bin)) throw new Error(`${bin} is required: apt-get install etcd-server etcd-client openssl`);
        }
        this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
        this.endpoints = members.map((m) => `https://${m.address}:2379`);
        this.makeCertificates();
        this.tls = [`--cacert=${this.file("ca.crt")}`, `--cert=${this.file("etcdctl.crt")}`, `--key=${this.file("etcdctl.key")}`];
        for (const m of members) {
            const text = renderEtcdEnv(
                etcdMemberInput({
                    member: m,
                    members,
                    clusterToken: "itest-etcd",
                    dataDir: this.dataDir(m.name),
                    pkiDir: path.join(this.tmp, m.name, "pki"),
                    // Members share this host: no shared 127.0.0.1 client listener, a metrics port each.
                    listenClientOnLocalhost: false,
                    listenMetricsUrls: `http://${m.address}:2381`,
                }),
            );
            fs.writeFileSync(this.envFile(m.name), text);
        }
    }

    file(name: string): string {
        return path.join(this.tmp, name);
    }
    envFile(member: string): string {
        return path.join(this.tmp, member, "etcd.env");
    }
    dataDir(member: string): string {
        return path.join(this.tmp, member, "data");
    }
    log(member: string): string {
        try {
            return fs.readFileSync(path.join(this.tmp, `${member}.log`), "utf8");
        } catch {
            return "";
        }
    }
    tails(): string {
        return this.members.map((m) => `--- ${m.name} (exit ${this.exited.get(m.name) ?? "-"}) ---\n${this.log(m.name).split("\n").slice(-15).join("\n")}`).join("\n");
    }

    private makeCertificates(): void {
        const openssl = (args: string[]): void => {
            execFileSync("openssl", args, { cwd: this.tmp, stdio: "pipe", timeout: 20_000 });
        };
        const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        openssl(["req", "-x509", ...ecKey, "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=hacluster-itest-etcd-ca", "-days", "1"]);
        const leaf = (name: string, cn: string, ext: string[]): void => {
            fs.writeFileSync(path.join(this.tmp, `${name}.ext`), ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature,keyEncipherment", ...ext].join("\n") + "\n");
            openssl(["req", "-new", ...ecKey, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`]);
            openssl(["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1", "-extfile", `${name}.ext`, "-out", `${name}.crt`]);
        };
        leaf("etcdctl", "etcdctl", ["extendedKeyUsage=clientAuth"]);
        for (const m of this.members) {
            const san = `subjectAltName=IP:${m.address},IP:127.0.0.1,DNS:localhost`;
            // etcd dials itself (grpc-gateway) with its server certificate: serverAuth and clientAuth.
            leaf(`${m.name}-server`, m.name, ["extendedKeyUsage=serverAuth,clientAuth", san]);
            leaf(`${m.name}-peer`, m.name, ["extendedKeyUsage=serverAuth,clientAuth", san]);
            const pki = path.join(this.tmp, m.name, "pki");
            fs.mkdirSync(pki, { recursive: true });
            fs.copyFileSync(this.file("ca.crt"), path.join(pki, "ca.crt"));
            for (const kind of ["server", "peer"]) {
                fs.copyFileSync(this.file(`${m.name}-${kind}.crt`), path.join(pki, `${kind}.crt`));
                fs.copyFileSync(this.file(`${m.name}-${kind}.key`), path.join(pki, `${kind}.key`));
            }
        }
    }

    /** Starts every member from its env file (exactly those variables). */
    start(): void {
        for (const m of this.members) {
            const env = parseEnvFile(fs.readFileSync(this.envFile(m.name), "utf8"));
            const log = fs.openSync(path.join(this.tmp, `${m.name}.log`), "a");
            const p = spawn(ETCD, [], { env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", log, log] });
            fs.closeSync(log);
            this.exited.delete(m.name);
            p.on("exit", (code, signal) => this.exited.set(m.name, code ?? signal ?? "?"));
            p.on("error", (e) => this.exited.set(m.name, e.message));
            this.procs.set(m.name, p);
        }
    }

    etcdctl(args: readonly string[], timeoutMs = 10_000): Promise<Run> {
        return run(ETCDCTL, [...this.tls, "--dial-timeout=2s", "--command-timeout=4s", ...args], this.ctlEnv, timeoutMs);
    }

    /** Waits until every member reports healthy, or fails with the members' logs. */
    async waitHealthy(deadlineMs = 30_000): Promise<void> {
        const deadline = Date.now() + deadlineMs;
        let last: Run | undefined;
        for (;;) {
            if (this.exited.size > 0) throw new Error(`an etcd member exited early\n${this.tails()}`);
            last = await this.etcdctl([`--endpoints=${this.endpoints.join(",")}`, "endpoint", "health", "-w", "json"]);
            if (last.code === 0) {
                const health = JSON.parse(last.stdout) as Array<{ health: boolean }>;
                if (health.length === this.members.length && health.every((h) => h.health)) return;
            }
            if (Date.now() > deadline) throw new Error(`not healthy within ${deadlineMs} ms: ${last.stdout}${last.stderr}\n${this.tails()}`);
            await sleep(250);
        }
    }

    /** Kills every member (SIGTERM, then SIGKILL) and waits, bounded, for them to exit. */
    async stop(): Promise<void> {
        const procs = [...this.procs.values()];
        const alive = () => procs.filter((p) => p.exitCode === null && p.signalCode === null);
        for (const p of alive()) p.kill("SIGTERM");
        let deadline = Date.now() + 3_000;
        while (alive().length > 0 && Date.now() < deadline) await sleep(100);
        for (const p of alive()) p.kill("SIGKILL");
        deadline = Date.now() + 3_000;
        while (alive().length > 0 && Date.now() < deadline) await sleep(50);
        this.procs.clear();
    }

    async destroy(): Promise<void> {
        await this.stop();
        fs.rmSync(this.tmp, { recursive: true, force: true });
    }
}
