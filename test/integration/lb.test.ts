/**
 * The LB host configs judged by the real tools: `haproxy -c`, `keepalived -t` (inside a network
 * namespace that has the configured interface), `shellcheck`, then real runs:
 *  - HAProxy with the rendered config in front of two small Node HTTPS "API servers", inside a
 *    network namespace of its own (the frontend binds `*`): checks, mark-down, shutdown-sessions,
 *    and the rendered check script's verdicts;
 *  - two keepalived instances with the rendered configs in two namespaces joined by a veth pair
 *    named ens32: VIP placement, failover on a failing check (the weight arithmetic), failback,
 *    master death, nopreempt + FAULT, and a password mismatch (proves the include is read).
 * Needs root (network namespaces). A missing tool fails with the apt-get line that installs it.
 * Every process is killed, every namespace deleted and the temp dir removed in `after()` hooks;
 * every wait is bounded. No traffic leaves loopback or the test's own namespaces.
 */
import { strict as assert } from "assert";
import { ChildProcess, execFile, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { HaproxyBackend, renderHaproxyCfg, type HaproxyHealthCheck } from "../../components/render/haproxy";
import {
    KEEPALIVED_DEFAULTS,
    KeepalivedInput,
    renderCheckApiserverScript,
    renderKeepalivedConf,
    renderVrrpAuth,
} from "../../components/render/keepalived";

interface Run {
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs a command with a hard timeout (SIGKILL); never rejects. */
function run(cmd: string, args: readonly string[], timeoutMs = 15_000): Promise<Run> {
    return new Promise((resolve) => {
        execFile(cmd, args, { timeout: timeoutMs, killSignal: "SIGKILL" }, (err, stdout, stderr) => {
            const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
            resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        });
    });
}

/** Runs a command that must succeed (setup steps); throws with its output otherwise. */
function must(cmd: string, args: readonly string[]): void {
    const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 15_000 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr}${r.error ?? ""}`);
}

/** Fails (never skips) when a tool is missing, saying which package provides it. */
function need(cmd: string, pkg: string): void {
    const r = spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${cmd} not found on PATH: apt-get install ${pkg}`);
}

function needRoot(): void {
    if (process.getuid?.() !== 0) throw new Error("these tests create network namespaces (ip netns add): run them as root");
}

/** The schema's defaults for `cluster.endpoint.haproxy`. */
const HEALTH_CHECK: HaproxyHealthCheck = { path: "/readyz", intervalMs: 500, fall: 2, rise: 2 };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` every 200 ms until it returns true; fails after `timeoutMs` with `what` and the last diagnostics. */
async function waitFor(what: string, timeoutMs: number, probe: () => Promise<boolean> | boolean, diag: () => string = () => ""): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (await probe()) return;
        if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}\n${diag()}`);
        await sleep(200);
    }
}

function alive(p: ChildProcess): boolean {
    return p.exitCode === null && p.signalCode === null;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone (bounded). */
async function stop(p: ChildProcess, graceMs = 5_000): Promise<void> {
    if (!alive(p)) return;
    p.kill("SIGTERM");
    const deadline = Date.now() + graceMs;
    while (alive(p) && Date.now() < deadline) await sleep(50);
    if (alive(p)) p.kill("SIGKILL");
    const killDeadline = Date.now() + 3_000;
    while (alive(p) && Date.now() < killDeadline) await sleep(50);
}

/** Spawns a long-running process, collecting its output for diagnostics. */
function start(cmd: string, args: readonly string[]): { proc: ChildProcess; output: () => string } {
    const proc = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    proc.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    proc.stderr?.on("data", (d: Buffer) => (out += d.toString()));
    proc.on("error", (e) => (out += `spawn error: ${e.message}\n`));
    return { proc, output: () => out };
}

function deleteNetns(name: string): void {
    spawnSync("ip", ["netns", "del", name], { timeout: 10_000 });
}

const TMP_PREFIX = path.join(os.tmpdir(), "hacluster-lb-");
const NS_PREFIX = `hcl-lb-${process.pid}`;

/** The seeds: control planes master1..3, LB hosts lb-a/lb-b, VIP 211.183.3.250/24 on ens32. */
const MASTERS: readonly HaproxyBackend[] = [1, 2, 3, 4, 5].map((i) => ({ name: `master${i}`, address: `211.183.3.${99 + i}`, port: 6443 }));
const VIP = "211.183.3.250";
const LB = {
    a: { name: "lb-a", address: "211.183.3.251" },
    b: { name: "lb-b", address: "211.183.3.252" },
} as const;

function lbInput(which: "a" | "b", dir: string, over: Partial<KeepalivedInput> = {}): KeepalivedInput {
    const me = LB[which];
    const peer = LB[which === "a" ? "b" : "a"];
    return {
        routerId: me.name,
        interface: "ens32",
        virtualRouterId: 51,
        // As the on-prem component numbers them: 150 for the first LB host, 50 less for the next.
        priority: which === "a" ? 150 : 100,
        initialState: which === "a" ? "MASTER" : "BACKUP",
        advertIntervalSec: KEEPALIVED_DEFAULTS.advertIntervalSec,
        unicastSrcIp: me.address,
        unicastPeers: [peer.address],
        vip: VIP,
        vipPrefix: 24,
        authIncludePath: path.join(dir, "vrrp_auth.conf"),
        checkScriptPath: path.join(dir, "check_apiserver.sh"),
        check: KEEPALIVED_DEFAULTS.check,
        preempt: true,
        ...over,
    };
}

function write(file: string, content: string, mode: number): string {
    fs.writeFileSync(file, content, { mode });
    fs.chmodSync(file, mode); // writeFileSync's mode is filtered by the umask
    return file;
}

describe("integration: LB host configs (HAProxy + keepalived) judged by the real tools", function () {
    let tmp = "";

    before(function () {
        tmp = fs.mkdtempSync(TMP_PREFIX); // 0700, root-owned: keepalived's script security accepts it
    });

    after(function () {
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    describe("haproxy -c", function () {
        before(() => need("haproxy", "haproxy"));

        for (const n of [1, 3, 5]) {
            for (const stats of [undefined, 8404]) {
                it(`accepts ${n} backend(s)${stats ? " with the stats frontend" : ""}, without warnings`, async function () {
                    const file = write(
                        path.join(tmp, `haproxy-${n}-${stats ?? "nostats"}.cfg`),
                        renderHaproxyCfg({ bindPort: 6443, backends: MASTERS.slice(0, n), healthCheck: HEALTH_CHECK, statsPort: stats }),
                        0o644,
                    );
                    const r = await run("haproxy", ["-c", "-f", file]);
                    assert.equal(r.code, 0, `haproxy -c failed:\n${r.stdout}${r.stderr}`);
                    assert.ok(!/\[(WARNING|ALERT)\]/.test(r.stdout + r.stderr), `haproxy -c warned:\n${r.stdout}${r.stderr}`);
                });
            }
        }

        it("rejects a broken config (so the checks above can fail)", async function () {
            const good = renderHaproxyCfg({ bindPort: 6443, backends: MASTERS.slice(0, 3), healthCheck: HEALTH_CHECK });
            const file = write(path.join(tmp, "haproxy-broken.cfg"), good.replace("timeout tunnel 1h", "timeout tunnel forever"), 0o644);
            const r = await run("haproxy", ["-c", "-f", file]);
            assert.notEqual(r.code, 0, "haproxy -c accepted an invalid timeout");
        });
    });

    describe("shellcheck check_apiserver.sh", function () {
        before(() => need("shellcheck", "shellcheck"));

        for (const [port, apiPath] of [[6443, "/readyz"], [8443, "/livez"]] as const) {
            it(`no findings (port ${port}, ${apiPath})`, async function () {
                const file = write(path.join(tmp, `check-${port}.sh`), renderCheckApiserverScript({ frontendPort: port, apiPath, timeoutSec: 2 }), 0o755);
                const r = await run("shellcheck", ["--severity=style", "--enable=all", file]);
                assert.equal(r.code, 0, `shellcheck findings:\n${r.stdout}${r.stderr}`);
                assert.equal(r.stdout + r.stderr, "");
            });
        }

        it("does report a flawed script (so the check above can fail)", async function () {
            const file = write(path.join(tmp, "flawed.sh"), "#!/usr/bin/env bash\nx=$1\necho $x\n", 0o755);
            const r = await run("shellcheck", [file]);
            assert.notEqual(r.code, 0);
            assert.match(r.stdout, /SC2086/);
        });
    });

    describe("keepalived (two LB hosts: network namespaces joined by a veth pair named ens32)", function () {
        const nsA = `${NS_PREFIX}-a`;
        const nsB = `${NS_PREFIX}-b`;
        const running: { proc: ChildProcess; output: () => string; pidDir: string }[] = [];
        let dir = "";

        before(function () {
            needRoot();
            need("ip", "iproute2");
            need("keepalived", "keepalived");
            dir = path.join(tmp, "keepalived");
            fs.mkdirSync(dir, { mode: 0o700 });
            for (const ns of [nsA, nsB]) deleteNetns(ns); // leftovers of a killed run with our pid
            must("ip", ["netns", "add", nsA]);
            must("ip", ["netns", "add", nsB]);
            must("ip", ["-n", nsA, "link", "add", "ens32", "type", "veth", "peer", "name", "ens32", "netns", nsB]);
            for (const [ns, lb] of [[nsA, LB.a], [nsB, LB.b]] as const) {
                must("ip", ["-n", ns, "link", "set", "lo", "up"]);
                must("ip", ["-n", ns, "link", "set", "ens32", "up"]);
                must("ip", ["-n", ns, "addr", "add", `${lb.address}/24`, "dev", "ens32"]);
            }
            write(path.join(dir, "vrrp_auth.conf"), renderVrrpAuth("Zq7-xY9k"), 0o600);
            write(path.join(dir, "check_apiserver.sh"), renderCheckApiserverScript({ frontendPort: 6443, apiPath: "/readyz", timeoutSec: 2 }), 0o755);
        });

        after(async function () {
            this.timeout(30_000);
            await Promise.all(running.map((r) => stop(r.proc)));
            // The VRRP child normally dies with its parent; make sure.
            for (const r of running) {
                for (const f of ["vrrp.pid", "checkers.pid", "keepalived.pid"]) {
                    const p = Number(fs.existsSync(path.join(r.pidDir, f)) ? fs.readFileSync(path.join(r.pidDir, f), "utf8").trim() : NaN);
                    if (Number.isInteger(p) && p > 1) {
                        try {
                            process.kill(p, "SIGKILL");
                        } catch {
                            /* already gone */
                        }
                    }
                }
            }
            deleteNetns(nsA);
            deleteNetns(nsB);
        });

        const configTest = (ns: string, file: string) => run("ip", ["netns", "exec", ns, "keepalived", "--config-test", "-f", file]);

        describe("keepalived --config-test", function () {
            for (const which of ["a", "b"] as const) {
                it(`accepts ${LB[which].name}'s keepalived.conf with the auth include present`, async function () {
                    const file = write(path.join(dir, `keepalived-${which}.conf`), renderKeepalivedConf(lbInput(which, dir)), 0o644);
                    const r = await configTest(which === "a" ? nsA : nsB, file);
                    assert.equal(r.code, 0, `keepalived -t failed:\n${r.stdout}${r.stderr}`);
                    assert.equal(r.stdout + r.stderr, "", "keepalived -t printed warnings");
                });
            }

            it("accepts the VRRPv3 variant (sub-second adverts, check_unicast_src, no authentication) without warnings", async function () {
                for (const which of ["a", "b"] as const) {
                    const v3 = lbInput(which, dir, { vrrpVersion: 3, advertIntervalSec: 0.2, authIncludePath: path.join(dir, "absent.conf") });
                    const text = renderKeepalivedConf(v3);
                    assert.doesNotMatch(text, /authentication|includea|auth_pass/);
                    const r = await configTest(which === "a" ? nsA : nsB, write(path.join(dir, `keepalived-v3-${which}.conf`), text, 0o644));
                    assert.equal(r.code, 0, `keepalived -t failed:\n${r.stdout}${r.stderr}`);
                    assert.equal(r.stdout + r.stderr, "", "keepalived -t printed warnings");
                }
            });

            it("accepts the nopreempt/FAULT variant and three LB hosts", async function () {
                const np = lbInput("a", dir, { initialState: "BACKUP", preempt: false, check: { ...KEEPALIVED_DEFAULTS.check, weight: 0 }, unicastPeers: [LB.b.address, "211.183.3.253"] });
                const file = write(path.join(dir, "keepalived-np.conf"), renderKeepalivedConf(np), 0o644);
                const r = await configTest(nsA, file);
                assert.equal(r.code, 0, `keepalived -t failed:\n${r.stdout}${r.stderr}`);
                assert.equal(r.stdout + r.stderr, "");
            });

            it("fails without the password file (includea), on a missing interface and on a bad keyword", async function () {
                const noAuth = write(path.join(dir, "keepalived-noauth.conf"), renderKeepalivedConf(lbInput("a", dir, { authIncludePath: path.join(dir, "missing.conf") })), 0o644);
                let r = await configTest(nsA, noAuth);
                assert.notEqual(r.code, 0, "accepted a config whose password file is missing");
                assert.match(r.stderr, /missing/);

                const noIf = write(path.join(dir, "keepalived-noif.conf"), renderKeepalivedConf(lbInput("a", dir, { interface: "ens99" })), 0o644);
                r = await configTest(nsA, noIf);
                assert.notEqual(r.code, 0, "accepted an interface the namespace does not have");

                const bad = renderKeepalivedConf(lbInput("a", dir)).replace("advert_int 1", "advert_intervall 1");
                r = await configTest(nsA, write(path.join(dir, "keepalived-bad.conf"), bad, 0o644));
                assert.notEqual(r.code, 0, "accepted an unknown keyword");
            });
        });

        describe("VRRP between the two hosts (real keepalived, rendered configs)", function () {
            this.timeout(60_000);

            /** Check scripts that fail while a flag file exists, standing in for check_apiserver.sh. */
            const flag = (lb: string) => path.join(dir, `fail-${lb}`);
            const flagScript = (lb: string) =>
                write(path.join(dir, `check-${lb}.sh`), `#!/bin/sh\n# fails while ${flag(lb)} exists\ntest ! -e ${flag(lb)}\n`, 0o755);

            const holdsVip = async (ns: string) => {
                const r = await run("ip", ["-n", ns, "-4", "-o", "addr", "show", "dev", "ens32"]);
                return r.stdout.includes(` ${VIP}/24 `);
            };
            const holders = async () => `${(await holdsVip(nsA)) ? "A" : "-"}${(await holdsVip(nsB)) ? "B" : "-"}`;

            let current: { proc: ChildProcess; output: () => string; pidDir: string }[] = [];
            const diag = () => current.map((k, i) => `--- keepalived ${i === 0 ? "lb-a" : "lb-b"}:\n${k.output().split("\n").slice(-25).join("\n")}`).join("\n");

            /** Starts keepalived in `ns` with a rendered config (VRRP only, foreground, log to stderr). */
            function keepalived(ns: string, name: string, input: KeepalivedInput): { proc: ChildProcess; output: () => string; pidDir: string } {
                const pidDir = fs.mkdtempSync(path.join(dir, `${name}-run-`));
                const conf = write(path.join(pidDir, "keepalived.conf"), renderKeepalivedConf(input), 0o644);
                const k = start("ip", [
                    "netns", "exec", ns, "keepalived", "--dont-fork", "--log-console", "--log-detail", "--no-syslog", "--vrrp",
                    "-f", conf, "-p", path.join(pidDir, "keepalived.pid"), "-r", path.join(pidDir, "vrrp.pid"), "-c", path.join(pidDir, "checkers.pid"),
                ]);
                const entry = { ...k, pidDir };
                running.push(entry);
                return entry;
            }

            async function pair(a: KeepalivedInput, b: KeepalivedInput): Promise<void> {
                for (const f of [flag(LB.a.name), flag(LB.b.name)]) fs.rmSync(f, { force: true });
                await waitFor("no VIP left from an earlier run", 10_000, async () => (await holders()) === "--");
                current = [keepalived(nsA, LB.a.name, a), keepalived(nsB, LB.b.name, b)];
            }

            afterEach(async function () {
                await Promise.all(current.map((k) => stop(k.proc)));
                current = [];
            });

            it("VIP on lb-a; a failing check moves it to lb-b (150-60 < 100); back on recovery; lb-b takes over when lb-a dies", async function () {
                const checks = (lb: string) => ({ checkScriptPath: flagScript(lb) });
                await pair(lbInput("a", dir, checks(LB.a.name)), lbInput("b", dir, checks(LB.b.name)));

                await waitFor("the VIP on lb-a only", 15_000, async () => (await holders()) === "A-", diag);

                fs.writeFileSync(flag(LB.a.name), "");
                await waitFor("the VIP to move to lb-b after lb-a's check fails", 15_000, async () => (await holders()) === "-B", diag);
                assert.match(current[0].output(), /effective priority from 150 to 90/);

                fs.rmSync(flag(LB.a.name));
                await waitFor("the VIP back on lb-a (preempt) after its check passes again", 15_000, async () => (await holders()) === "A-", diag);

                await stop(current[0].proc);
                await waitFor("lb-b to take the VIP when lb-a's keepalived is gone", 15_000, async () => (await holders()) === "-B", diag);
            });

            it("both checks failing: the VIP stays where it is (the order 90 > 40 holds)", async function () {
                const checks = (lb: string) => ({ checkScriptPath: flagScript(lb) });
                await pair(lbInput("a", dir, checks(LB.a.name)), lbInput("b", dir, checks(LB.b.name)));
                await waitFor("the VIP on lb-a only", 15_000, async () => (await holders()) === "A-", diag);
                fs.writeFileSync(flag(LB.b.name), "");
                fs.writeFileSync(flag(LB.a.name), "");
                await waitFor("both checks to be seen failing", 10_000, () => /priority from 150 to 90/.test(current[0].output()) && /priority from 100 to 40/.test(current[1].output()), diag);
                for (let i = 0; i < 4; i++) {
                    assert.equal(await holders(), "A-", diag());
                    await sleep(1000);
                }
            });

            it("nopreempt + weight 0: a failing check (FAULT) moves the VIP, recovery does not move it back", async function () {
                const over = (lb: string) => ({
                    checkScriptPath: flagScript(lb),
                    initialState: "BACKUP" as const,
                    preempt: false,
                    check: { ...KEEPALIVED_DEFAULTS.check, weight: 0 },
                });
                await pair(lbInput("a", dir, over(LB.a.name)), lbInput("b", dir, over(LB.b.name)));
                await waitFor("the VIP on lb-a (higher priority wins the first election)", 15_000, async () => (await holders()) === "A-", diag);

                fs.writeFileSync(flag(LB.a.name), "");
                await waitFor("the VIP on lb-b after lb-a enters FAULT", 15_000, async () => (await holders()) === "-B", diag);
                assert.match(current[0].output(), /Entering FAULT STATE/);

                fs.rmSync(flag(LB.a.name));
                await waitFor("lb-a to leave FAULT", 10_000, () => /Entering BACKUP STATE/.test(current[0].output().split("Entering FAULT STATE")[1] ?? ""), diag);
                for (let i = 0; i < 4; i++) {
                    assert.equal(await holders(), "-B", `nopreempt: the VIP moved back\n${diag()}`);
                    await sleep(1000);
                }
            });

            it("VRRPv3 at 0.2 s: a silent master (its VRRP process frozen) loses the VIP in under 1.5 s", async function () {
                const v3 = (which: "a" | "b", lb: string) => lbInput(which, dir, { checkScriptPath: flagScript(lb), vrrpVersion: 3, advertIntervalSec: 0.2 });
                await pair(v3("a", LB.a.name), v3("b", LB.b.name));
                await waitFor("the VIP on lb-a only", 15_000, async () => (await holders()) === "A-", diag);
                await sleep(1000); // steady: lb-b has seen adverts for a while
                assert.equal(await holders(), "A-", `a spurious takeover at 0.2 s adverts\n${diag()}`);
                const vrrpPid = Number(fs.readFileSync(path.join(current[0].pidDir, "vrrp.pid"), "utf8").trim());
                process.kill(vrrpPid, "SIGSTOP");
                try {
                    const t0 = Date.now();
                    await waitFor("lb-b to take the VIP from the silent lb-a", 5_000, async () => (await holders()).endsWith("B"), diag);
                    // 3 adverts + skew = 0.6 + 0.08 s; keepalived v2 at 1 s needs ~3.6 s.
                    assert.ok(Date.now() - t0 < 1_500, `took ${Date.now() - t0} ms\n${diag()}`);
                } finally {
                    process.kill(vrrpPid, "SIGCONT");
                }
                await waitFor("the VIP back on lb-a once it speaks again (preempt)", 10_000, async () => (await holders()) === "A-", diag);
            });

            it("VRRPv3 check_unicast_src: adverts from an address that is not a listed peer are ignored", async function () {
                const v3 = (which: "a" | "b", lb: string, over: Partial<KeepalivedInput> = {}) =>
                    lbInput(which, dir, { checkScriptPath: flagScript(lb), vrrpVersion: 3, advertIntervalSec: 0.2, ...over });
                // lb-b expects its peer at .253: lb-a's adverts (from .251) do not count, so lb-b claims the VIP too.
                await pair(v3("a", LB.a.name), v3("b", LB.b.name, { unicastPeers: ["211.183.3.253"] }));
                await waitFor("both hosts to hold the VIP (lb-b ignores lb-a)", 15_000, async () => (await holders()) === "AB", diag);
            });

            it("the password comes from the include: different passwords mean both hosts claim the VIP", async function () {
                const authB = write(path.join(dir, "vrrp_auth-other.conf"), renderVrrpAuth("other123"), 0o600);
                const checks = (lb: string) => ({ checkScriptPath: flagScript(lb) });
                await pair(lbInput("a", dir, checks(LB.a.name)), lbInput("b", dir, { ...checks(LB.b.name), authIncludePath: authB }));
                await waitFor("both hosts to hold the VIP (each rejects the other's adverts)", 15_000, async () => (await holders()) === "AB", diag);
                assert.match(current[1].output(), /passw/i, "lb-b should log the password mismatch");
            });
        });
    });

    describe("HAProxy in front of two HTTPS API servers, and check_apiserver.sh (own network namespace)", function () {
        this.timeout(60_000);
        const ns = `${NS_PREFIX}-h`;
        const FRONTEND = 16443;
        const STATS = 18404;
        const apis = new Map<string, { proc: ChildProcess; output: () => string }>();
        let haproxy: { proc: ChildProcess; output: () => string } | undefined;
        let client: { proc: ChildProcess; output: () => string } | undefined;
        let dir = "";
        let adminSocket = "";
        let checkScript = "";

        const inNs = (cmd: string, args: readonly string[], timeoutMs?: number) => run("ip", ["netns", "exec", ns, cmd, ...args], timeoutMs);

        /** An "API server": HTTPS on 127.0.0.1:port; /readyz is 500 while dir/unready-<name> exists; other paths answer the name. */
        const SERVER_JS = `
const https = require("https"), fs = require("fs"), path = require("path");
const [name, port, dir] = process.argv.slice(2);
const srv = https.createServer({ key: fs.readFileSync(path.join(dir, "key.pem")), cert: fs.readFileSync(path.join(dir, "cert.pem")) }, (req, res) => {
  const ready = !fs.existsSync(path.join(dir, "unready-" + name));
  const body = req.url === "/readyz" ? (ready ? "ok" : "not ready") : name;
  res.writeHead(req.url === "/readyz" && !ready ? 500 : 200, { "content-type": "text/plain", "content-length": Buffer.byteLength(body) });
  res.end(body);
});
srv.keepAliveTimeout = 0; // keep client connections open: the test watches HAProxy cut them
srv.listen(Number(port), "127.0.0.1", () => console.log("listening"));
`;
        /** A client holding one connection through HAProxy: prints which server answered, then CLOSED when cut. */
        const CLIENT_JS = `
const tls = require("tls");
const s = tls.connect({ host: "127.0.0.1", port: Number(process.argv[2]), rejectUnauthorized: false }, () => s.write("GET /who HTTP/1.1\\r\\nHost: api\\r\\n\\r\\n"));
let buf = "", said = false;
s.setEncoding("utf8");
s.on("data", (d) => { buf += d; const m = /\\b(api\\d)\\b/.exec(buf); if (m && !said) { said = true; console.log("BACKEND " + m[1]); } });
s.on("close", () => { console.log("CLOSED"); process.exit(0); });
s.on("error", (e) => console.log("ERROR " + e.message));
setTimeout(() => process.exit(2), 55000);
`;

        const showStat = (): Promise<Map<string, string>> =>
            new Promise((resolve, reject) => {
                const sock = net.createConnection(adminSocket);
                let data = "";
                const timer = setTimeout(() => sock.destroy(new Error("show stat timed out")), 3000);
                sock.on("connect", () => sock.write("show stat\n"));
                sock.on("data", (d) => (data += d.toString()));
                sock.on("error", (e) => {
                    clearTimeout(timer);
                    reject(e);
                });
                sock.on("close", () => {
                    clearTimeout(timer);
                    const [head, ...rows] = data.trim().split("\n");
                    const cols = head.replace(/^# /, "").split(",");
                    const sv = cols.indexOf("svname");
                    const st = cols.indexOf("status");
                    const px = cols.indexOf("pxname");
                    const out = new Map<string, string>();
                    for (const r of rows) {
                        const f = r.split(",");
                        if (f[px] === "kube-apiserver" && f[sv] !== "FRONTEND" && f[sv] !== "BACKEND") out.set(f[sv], f[st]);
                    }
                    resolve(out);
                });
            });
        const statusOf = async (name: string) => (await showStat().catch(() => new Map<string, string>())).get(name);
        const diag = () =>
            [`--- haproxy:\n${haproxy?.output() ?? ""}`, ...[...apis].map(([n, a]) => `--- ${n}:\n${a.output()}`), `--- client:\n${client?.output() ?? ""}`].join("\n");

        /** One request through the frontend on a fresh connection; the answering server's name or the failure. */
        const who = async () => {
            const r = await inNs("curl", ["-sk", "--fail", "--max-time", "3", `https://127.0.0.1:${FRONTEND}/who`], 5_000);
            return r.code === 0 ? r.stdout : `curl exit ${r.code}`;
        };
        const checkApiserver = () => inNs("bash", [checkScript], 10_000);

        function startApi(name: string, port: number) {
            const a = start("ip", ["netns", "exec", ns, process.execPath, path.join(dir, "server.js"), name, String(port), dir]);
            apis.set(name, a);
            return a;
        }

        before(async function () {
            needRoot();
            for (const [cmd, pkg] of [["ip", "iproute2"], ["haproxy", "haproxy"], ["openssl", "openssl"], ["curl", "curl"], ["pidof", "procps"]]) need(cmd, pkg);
            dir = path.join(tmp, "haproxy");
            fs.mkdirSync(dir, { mode: 0o700 });
            deleteNetns(ns);
            must("ip", ["netns", "add", ns]);
            must("ip", ["-n", ns, "link", "set", "lo", "up"]);
            must("openssl", [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=kube-apiserver",
                "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"),
            ]);
            write(path.join(dir, "server.js"), SERVER_JS, 0o644);
            write(path.join(dir, "client.js"), CLIENT_JS, 0o644);
            checkScript = write(path.join(dir, "check_apiserver.sh"), renderCheckApiserverScript({ frontendPort: FRONTEND, apiPath: "/readyz", timeoutSec: 2 }), 0o755);

            const backends = [{ name: "api1", address: "127.0.0.1", port: 16001 }, { name: "api2", address: "127.0.0.1", port: 16002 }];
            for (const b of backends) startApi(b.name, b.port);
            await waitFor("both API servers to listen", 10_000, () => [...apis.values()].every((a) => a.output().includes("listening")), diag);

            adminSocket = path.join(dir, "admin.sock");
            const cfg = write(
                path.join(dir, "haproxy.cfg"),
                // maxconn 2000: HAProxy needs ~2 fds per connection and this sandbox's hard limit may be
                // lower than the default's (LB hosts run it under systemd with a far higher one).
                renderHaproxyCfg({ bindPort: FRONTEND, backends, healthCheck: HEALTH_CHECK, statsPort: STATS, adminSocket, maxconn: 2000 }),
                0o644,
            );
            haproxy = start("ip", ["netns", "exec", ns, "haproxy", "-db", "-f", cfg]);
            await waitFor("HAProxy to report both servers UP", 15_000, async () => (await statusOf("api1")) === "UP" && (await statusOf("api2")) === "UP", diag);
        });

        after(async function () {
            this.timeout(30_000);
            await Promise.all([haproxy, client, ...apis.values()].map((p) => (p ? stop(p.proc) : Promise.resolve())));
            deleteNetns(ns);
        });

        it("round-robins new connections over both servers; the check script passes", async function () {
            const seen = new Set<string>();
            for (let i = 0; i < 6; i++) seen.add(await who());
            assert.deepEqual([...seen].sort(), ["api1", "api2"], diag());
            const r = await checkApiserver();
            assert.equal(r.code, 0, `check_apiserver.sh failed: ${r.stderr}`);
        });

        it("serves Prometheus metrics and the stats page on 127.0.0.1 only", async function () {
            const m = await inNs("curl", ["-s", "--fail", "--max-time", "3", `http://127.0.0.1:${STATS}/metrics`]);
            assert.equal(m.code, 0, diag());
            assert.match(m.stdout, /haproxy_server_check_status/);
            const s = await inNs("curl", ["-s", "--fail", "--max-time", "3", `http://127.0.0.1:${STATS}/stats;csv`]);
            assert.match(s.stdout, /kube-apiserver,api1,/);
            const ss = await inNs("ss", ["-Hltn"]);
            if (ss.code === 0) assert.match(ss.stdout, new RegExp(`127\\.0\\.0\\.1:${STATS}\\b`));
        });

        it("an unready server (/readyz 500) is marked DOWN and its open connections are cut (on-marked-down shutdown-sessions)", async function () {
            client = start("ip", ["netns", "exec", ns, process.execPath, path.join(dir, "client.js"), String(FRONTEND)]);
            await waitFor("the long-lived client to be answered", 10_000, () => /BACKEND api\d/.test(client?.output() ?? ""), diag);
            const victim = /BACKEND (api\d)/.exec(client.output())?.[1] ?? "";
            const other = victim === "api1" ? "api2" : "api1";
            await sleep(1500);
            assert.ok(!client.output().includes("CLOSED"), `the idle connection was closed before any failure\n${diag()}`);

            fs.writeFileSync(path.join(dir, `unready-${victim}`), "");
            const t0 = Date.now();
            await waitFor(`${victim} DOWN`, 10_000, async () => (await statusOf(victim)) === "DOWN", diag);
            // inter 500ms x fall 2: about 1 s, well under HAProxy's own defaults (~6 s).
            assert.ok(Date.now() - t0 < 3_000, `took ${Date.now() - t0} ms to mark ${victim} down`);
            await waitFor("HAProxy to cut the connection to the down server", 5_000, () => client?.output().includes("CLOSED") ?? false, diag);

            for (let i = 0; i < 4; i++) assert.equal(await who(), other, diag());
            assert.equal((await checkApiserver()).code, 0, "one server left: the check script still passes");
        });

        it("with every server gone the check script fails; it passes again once a server is back (rise 2)", async function () {
            const dead = [...apis.entries()].find(([n]) => !fs.existsSync(path.join(dir, `unready-${n}`)));
            assert.ok(dead, "expected one ready server left");
            await stop(dead[1].proc); // the process dies: connection refused
            await waitFor(`${dead[0]} DOWN`, 10_000, async () => (await statusOf(dead[0])) === "DOWN", diag);
            const r = await checkApiserver();
            assert.notEqual(r.code, 0, "check_apiserver.sh passed with no API server up");
            assert.match(r.stderr, /check_apiserver: GET https:\/\/127\.0\.0\.1:16443\/readyz failed/);

            for (const f of fs.readdirSync(dir).filter((f) => f.startsWith("unready-"))) fs.rmSync(path.join(dir, f));
            const back = [...apis.keys()].find((n) => n !== dead[0]) ?? "";
            await waitFor(`${back} UP again`, 10_000, async () => (await statusOf(back)) === "UP", diag);
            assert.equal((await checkApiserver()).code, 0);
        });

        it("with HAProxy stopped the check script fails", async function () {
            if (haproxy) await stop(haproxy.proc);
            const r = await checkApiserver();
            assert.notEqual(r.code, 0, "check_apiserver.sh passed without HAProxy");
            // Another haproxy elsewhere on this machine would let pidof pass; then curl fails instead.
            assert.match(r.stderr, /haproxy is not running|failed/);
        });
    });
});
