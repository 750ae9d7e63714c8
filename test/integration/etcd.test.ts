/**
 * A real 3-member etcd cluster with mutual TLS, configured only by the rendered etcd.env files.
 *
 * Certificates come from `openssl` in a temp dir; members listen on 127.0.0.11..13 with the
 * default ports; each etcd process gets exactly the variables of its env file (parsed as systemd's
 * EnvironmentFile does) and nothing else. Every process is killed and the temp dir removed in
 * `after()`, and every wait is bounded.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { EtcdMember, etcdMemberInput, renderEtcdUnit } from "../../components/render/etcd";
import { ETCD, EtcdLab, parseEnvFile, run, type Run } from "./etcd-lab";

const MEMBERS: readonly EtcdMember[] = [
    { name: "etcd1", address: "127.0.0.11" },
    { name: "etcd2", address: "127.0.0.12" },
    { name: "etcd3", address: "127.0.0.13" },
];
const HEALTH_DEADLINE_MS = 30_000;
const ENDPOINTS = MEMBERS.map((m) => `https://${m.address}:2379`);

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
    let lab: EtcdLab;
    let tmp = "";
    const envs = new Map<string, Record<string, string>>();
    const logOf = (name: string): string => lab.log(name);
    const etcdctl = (args: readonly string[]): Promise<Run> => lab.etcdctl(args);

    before(function () {
        lab = new EtcdLab(MEMBERS);
        tmp = lab.tmp;
        for (const m of MEMBERS) envs.set(m.name, parseEnvFile(fs.readFileSync(lab.envFile(m.name), "utf8")));
        lab.start();
    });

    after(async function () {
        this.timeout(20_000);
        if (lab) await lab.destroy();
    });

    it(`all 3 members report healthy via etcdctl with the client certificate (within ${HEALTH_DEADLINE_MS / 1000} s)`, async () => {
        await lab.waitHealthy(HEALTH_DEADLINE_MS);
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
