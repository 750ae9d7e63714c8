/**
 * A real 3-member etcd cluster with mutual TLS, configured only by the rendered etcd.env files.
 *
 * Certificates come from `openssl` in a temp dir; members listen on 127.0.0.11..13 with the
 * default ports; each etcd process gets exactly the variables of its env file (parsed as systemd's
 * EnvironmentFile does) and nothing else. Every process is killed and the temp dir removed in
 * `after()`, and every wait is bounded.
 */
import { strict as assert } from "assert";
import { ChildProcess, execFile, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { EtcdMember, etcdMemberInput, renderEtcdEnv, renderEtcdUnit } from "../../components/render/etcd";

const ETCD = "/usr/bin/etcd";
const ETCDCTL = "/usr/bin/etcdctl";
const MEMBERS: readonly EtcdMember[] = [
    { name: "etcd1", address: "127.0.0.11" },
    { name: "etcd2", address: "127.0.0.12" },
    { name: "etcd3", address: "127.0.0.13" },
];
const HEALTH_DEADLINE_MS = 30_000;
const ENDPOINTS = MEMBERS.map((m) => `https://${m.address}:2379`);

interface Run {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs a command with a hard timeout (SIGKILL); never rejects. */
function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 10_000): Promise<Run> {
    return new Promise((resolve) => {
        execFile(cmd, args, { env, timeout: timeoutMs, killSignal: "SIGKILL" }, (err, stdout, stderr) => {
            const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
            resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        });
    });
}

/** Parses an EnvironmentFile the way systemd does for unquoted values: KEY=value, `#` comments. */
function parseEnvFile(text: string): Record<string, string> {
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

function httpsGet(url: string, opts: https.RequestOptions, timeoutMs = 3000): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const req = https.get(url, { ...opts, timeout: timeoutMs }, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (c: string) => (body += c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
            res.on("error", reject);
        });
        req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out`)));
        req.on("error", reject);
    });
}

function httpGet(url: string, timeoutMs = 3000): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const req = http.get(url, { timeout: timeoutMs }, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (c: string) => (body += c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out`)));
        req.on("error", reject);
    });
}

describe("integration: 3-member etcd cluster from rendered etcd.env (mutual TLS)", function () {
    this.timeout(60_000);
    let tmp = "";
    const procs: ChildProcess[] = [];
    const exited = new Map<string, number | string>();
    const envs = new Map<string, Record<string, string>>();
    let ctlEnv: NodeJS.ProcessEnv = {};
    let tls: string[] = [];

    const logOf = (name: string): string => {
        try {
            return fs.readFileSync(path.join(tmp, `${name}.log`), "utf8");
        } catch {
            return "";
        }
    };
    const tails = (): string =>
        MEMBERS.map((m) => `--- ${m.name} (exit ${exited.get(m.name) ?? "-"}) ---\n${logOf(m.name).split("\n").slice(-15).join("\n")}`).join("\n");
    const etcdctl = (args: readonly string[]): Promise<Run> =>
        run(ETCDCTL, [...tls, "--dial-timeout=2s", "--command-timeout=4s", ...args], ctlEnv);

    before(function () {
        for (const bin of [ETCD, ETCDCTL, "/usr/bin/openssl"]) {
            if (!fs.existsSync(bin)) throw new Error(`${bin} is required for this test`);
        }
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hacluster-etcd-"));
        const openssl = (args: string[]): void => {
            execFileSync("openssl", args, { cwd: tmp, stdio: "pipe", timeout: 20_000 });
        };
        const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        openssl(["req", "-x509", ...ecKey, "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=hacluster-itest-etcd-ca", "-days", "1"]);
        const leaf = (name: string, cn: string, ext: string[]): void => {
            fs.writeFileSync(path.join(tmp, `${name}.ext`), [
                "basicConstraints=critical,CA:FALSE",
                "keyUsage=critical,digitalSignature,keyEncipherment",
                ...ext,
            ].join("\n") + "\n");
            openssl(["req", "-new", ...ecKey, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`]);
            openssl(["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "1", "-extfile", `${name}.ext`, "-out", `${name}.crt`]);
        };
        leaf("etcdctl", "etcdctl", ["extendedKeyUsage=clientAuth"]);
        for (const m of MEMBERS) {
            const san = `subjectAltName=IP:${m.address},IP:127.0.0.1,DNS:localhost`;
            // etcd dials itself (grpc-gateway) with its server certificate: serverAuth and clientAuth.
            leaf(`${m.name}-server`, m.name, ["extendedKeyUsage=serverAuth,clientAuth", san]);
            leaf(`${m.name}-peer`, m.name, ["extendedKeyUsage=serverAuth,clientAuth", san]);
            const pki = path.join(tmp, m.name, "pki");
            fs.mkdirSync(pki, { recursive: true });
            fs.copyFileSync(path.join(tmp, "ca.crt"), path.join(pki, "ca.crt"));
            for (const kind of ["server", "peer"]) {
                fs.copyFileSync(path.join(tmp, `${m.name}-${kind}.crt`), path.join(pki, `${kind}.crt`));
                fs.copyFileSync(path.join(tmp, `${m.name}-${kind}.key`), path.join(pki, `${kind}.key`));
            }
        }
        tls = [`--cacert=${path.join(tmp, "ca.crt")}`, `--cert=${path.join(tmp, "etcdctl.crt")}`, `--key=${path.join(tmp, "etcdctl.key")}`];
        ctlEnv = { PATH: process.env.PATH, ETCDCTL_API: "3" };

        for (const m of MEMBERS) {
            const text = renderEtcdEnv(
                etcdMemberInput({
                    member: m,
                    members: MEMBERS,
                    clusterToken: "itest-etcd",
                    dataDir: path.join(tmp, m.name, "data"),
                    pkiDir: path.join(tmp, m.name, "pki"),
                    // Three members share this host: one 127.0.0.1 client listener and one metrics port each.
                    listenClientOnLocalhost: false,
                    listenMetricsUrls: `http://${m.address}:2381`,
                }),
            );
            const file = path.join(tmp, m.name, "etcd.env");
            fs.writeFileSync(file, text);
            const env = parseEnvFile(fs.readFileSync(file, "utf8"));
            envs.set(m.name, env);
            const log = fs.openSync(path.join(tmp, `${m.name}.log`), "w");
            // Exactly the env file, as systemd would pass it (no inherited ETCD_* variables).
            const p = spawn(ETCD, [], { env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", log, log] });
            fs.closeSync(log);
            p.on("exit", (code, signal) => exited.set(m.name, code ?? signal ?? "?"));
            p.on("error", (e) => exited.set(m.name, e.message));
            procs.push(p);
        }
    });

    after(async function () {
        this.timeout(20_000);
        for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill("SIGTERM");
        const deadline = Date.now() + 3_000;
        while (procs.some((p) => p.exitCode === null && p.signalCode === null) && Date.now() < deadline) await sleep(100);
        for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
        const killDeadline = Date.now() + 3_000;
        while (procs.some((p) => p.exitCode === null && p.signalCode === null) && Date.now() < killDeadline) await sleep(50);
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it(`all 3 members report healthy via etcdctl with the client certificate (within ${HEALTH_DEADLINE_MS / 1000} s)`, async () => {
        const deadline = Date.now() + HEALTH_DEADLINE_MS;
        let last: Run | undefined;
        for (;;) {
            if (exited.size > 0) assert.fail(`an etcd member exited early\n${tails()}`);
            last = await etcdctl([`--endpoints=${ENDPOINTS.join(",")}`, "endpoint", "health", "-w", "json"]);
            if (last.code === 0) {
                const health = JSON.parse(last.stdout) as Array<{ endpoint: string; health: boolean }>;
                if (health.length === 3 && health.every((h) => h.health)) break;
            }
            if (Date.now() > deadline) {
                assert.fail(`not healthy within ${HEALTH_DEADLINE_MS} ms: ${last.stdout}${last.stderr}\n${tails()}`);
            }
            await sleep(250);
        }
    });

    it("etcd recognised every rendered ETCD_* variable (no 'unrecognized environment variable')", () => {
        for (const m of MEMBERS) {
            const log = logOf(m.name);
            assert.doesNotMatch(log, /unrecognized environment variable/, `${m.name}:\n${log}`);
            // The certificate profile works for etcd's internal client connections too.
            assert.doesNotMatch(log, /incompatible key usage/, `${m.name}:\n${log}`);
            for (const key of Object.keys(envs.get(m.name) ?? {})) {
                assert.ok(
                    log.includes(`recognized and used environment variable ${key}=`),
                    `${m.name} did not report using ${key}`,
                );
            }
        }
    });

    it("a put through etcd1 is read back through etcd3", async () => {
        const put = await etcdctl([`--endpoints=${ENDPOINTS[0]}`, "put", "/hacluster/itest", "hello-from-etcd1"]);
        assert.equal(put.code, 0, put.stderr);
        assert.equal(put.stdout.trim(), "OK");
        const get = await etcdctl([`--endpoints=${ENDPOINTS[2]}`, "get", "/hacluster/itest", "--print-value-only"]);
        assert.equal(get.code, 0, get.stderr);
        assert.equal(get.stdout.trim(), "hello-from-etcd1");
    });

    it("member list shows 3 started members with the rendered peer and client URLs", async () => {
        const list = await etcdctl([`--endpoints=${ENDPOINTS[1]}`, "member", "list", "-w", "simple"]);
        assert.equal(list.code, 0, list.stderr);
        const rows = list.stdout.trim().split("\n").map((l) => l.split(", "));
        assert.equal(rows.length, 3, list.stdout);
        const byName = new Map(rows.map((r) => [r[2], r]));
        for (const m of MEMBERS) {
            const r = byName.get(m.name);
            assert.ok(r, `${m.name} missing from\n${list.stdout}`);
            assert.equal(r[1], "started");
            assert.equal(r[3], `https://${m.address}:2380`);
            assert.equal(r[4], `https://${m.address}:2379`);
        }
    });

    it("requires a CA-signed client certificate on the client and the peer port (mutual TLS)", async () => {
        const ca = fs.readFileSync(path.join(tmp, "ca.crt"));
        const cert = fs.readFileSync(path.join(tmp, "etcdctl.crt"));
        const key = fs.readFileSync(path.join(tmp, "etcdctl.key"));
        const ok = await httpsGet(`${ENDPOINTS[0]}/health`, { ca, cert, key });
        assert.equal(ok.status, 200, "positive control: the client certificate is accepted");
        assert.match(ok.body, /"health":\s*"true"/);
        for (const url of [`${ENDPOINTS[0]}/health`, `https://${MEMBERS[0].address}:2380/version`]) {
            await assert.rejects(
                httpsGet(url, { ca }),
                (e: NodeJS.ErrnoException) => /CERTIFICATE_REQUIRED|BAD_CERTIFICATE|HANDSHAKE_FAILURE/.test(e.code ?? ""),
                `${url} answered without a client certificate`,
            );
        }
    });

    it("serves plain-HTTP metrics and health on the dedicated metrics listener", async () => {
        const h = await httpGet(`http://${MEMBERS[0].address}:2381/health`);
        assert.equal(h.status, 200);
        assert.match(h.body, /"health":\s*"true"/);
        const metrics = await httpGet(`http://${MEMBERS[0].address}:2381/metrics`);
        assert.equal(metrics.status, 200);
        assert.match(metrics.body, /^etcd_server_has_leader 1$/m);
    });
});

describe("integration: rendered etcd.service against systemd", function () {
    this.timeout(30_000);
    let tmp = "";
    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hacluster-etcd-unit-"));
    });
    after(() => {
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    const unit = renderEtcdUnit(
        etcdMemberInput({ member: MEMBERS[0], members: MEMBERS, clusterToken: "itest-etcd", etcdBinary: ETCD }),
    );
    const analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].find((p) => fs.existsSync(p));

    if (analyze) {
        it("systemd-analyze verify accepts the unit with no warnings", async () => {
            const file = path.join(tmp, "etcd.service");
            fs.writeFileSync(file, unit);
            const r = await run(analyze, ["verify", file], { PATH: process.env.PATH }, 20_000);
            assert.equal(r.code, 0, r.stderr);
            assert.equal(`${r.stdout}${r.stderr}`.trim(), "", "systemd-analyze printed warnings");
        });
        it("systemd-analyze verify does flag a broken unit (negative control)", async () => {
            const dir = path.join(tmp, "bad");
            fs.mkdirSync(dir);
            const file = path.join(dir, "etcd.service");
            fs.writeFileSync(file, unit.replace("Restart=always", "Restartt=always"));
            const r = await run(analyze, ["verify", file], { PATH: process.env.PATH }, 20_000);
            assert.match(`${r.stdout}${r.stderr}`, /Unknown key 'Restartt'/);
        });
    } else {
        it("(no systemd-analyze) the unit is well-formed INI with the required keys", () => {
            const sections = new Map<string, Map<string, string>>();
            let current: Map<string, string> | undefined;
            for (const line of unit.split("\n")) {
                if (line === "" || line.startsWith("#")) continue;
                const s = /^\[([A-Za-z]+)\]$/.exec(line);
                if (s) {
                    assert.ok(!sections.has(s[1]), `duplicate section ${s[1]}`);
                    current = new Map();
                    sections.set(s[1], current);
                    continue;
                }
                const kv = /^([A-Za-z]+)=(\S.*)$/.exec(line);
                assert.ok(kv && current, `bad line: ${line}`);
                current.set(kv[1], kv[2]);
            }
            assert.deepEqual([...sections.keys()], ["Unit", "Service", "Install"]);
            assert.equal(sections.get("Service")?.get("Type"), "notify");
            assert.equal(sections.get("Service")?.get("ExecStart"), ETCD);
        });
    }
});
