import { strict as assert } from "assert";
import { HaproxyBackend, HaproxyHealthCheck, HaproxyInput, renderHaproxyCfg } from "../../components/render/haproxy";

/** The schema's defaults for `cluster.endpoint.haproxy`. */
const HEALTH_CHECK: HaproxyHealthCheck = { path: "/readyz", intervalMs: 500, fall: 2, rise: 2 };
import { golden } from "./golden";


/** The seeds' control planes. */
const MASTERS: readonly HaproxyBackend[] = [
    { name: "master1", address: "211.183.3.100", port: 6443 },
    { name: "master2", address: "211.183.3.101", port: 6443 },
    { name: "master3", address: "211.183.3.102", port: 6443 },
];

function input(over: Partial<HaproxyInput> = {}): HaproxyInput {
    return { bindPort: 6443, backends: MASTERS, healthCheck: HEALTH_CHECK, statsPort: 8404, ...over };
}

/** The indented lines of the section that starts with `head`. */
function sectionOf(cfg: string, head: string): string[] {
    const lines = cfg.split("\n");
    const start = lines.indexOf(head);
    assert.ok(start >= 0, `no section ${head}`);
    const out: string[] = [];
    for (let i = start + 1; i < lines.length && lines[i].startsWith("    "); i++) out.push(lines[i].trim());
    return out;
}

describe("render/haproxy", () => {
    describe("golden files", () => {
        it("haproxy.cfg: the seeds' 3 control planes, stats on 8404", () => golden("haproxy.cfg", renderHaproxyCfg(input())));
        it("haproxy-nostats.cfg: one backend, no stats, /livez checked", () =>
            golden(
                "haproxy-nostats.cfg",
                renderHaproxyCfg(input({ backends: MASTERS.slice(0, 1), statsPort: undefined, healthCheck: { path: "/livez", intervalMs: 500, fall: 3, rise: 1 } })),
            ));
    });

    describe("fragments", () => {
        const cfg = renderHaproxyCfg(input());

        it("frontend: TCP on every address of the LB host, tcplog", () => {
            assert.deepEqual(sectionOf(cfg, "frontend kube-apiserver"), ["bind *:6443", "mode tcp", "option tcplog", "default_backend kube-apiserver"]);
        });

        it("backend: roundrobin, HTTPS check of /readyz expecting 200, every control plane", () => {
            const b = sectionOf(cfg, "backend kube-apiserver");
            for (const line of ["mode tcp", "balance roundrobin", "option httpchk", "http-check send meth GET uri /readyz", "http-check expect status 200"]) {
                assert.ok(b.includes(line), `missing ${line}`);
            }
            assert.ok(b.includes("default-server inter 500ms fastinter 250ms fall 2 rise 2 on-marked-down shutdown-sessions slowstart 10s"));
            const servers = b.filter((l) => l.startsWith("server "));
            assert.deepEqual(servers, [
                "server master1 211.183.3.100:6443 check check-ssl verify none",
                "server master2 211.183.3.101:6443 check check-ssl verify none",
                "server master3 211.183.3.102:6443 check check-ssl verify none",
            ]);
        });

        it("timeouts: long idle for logs -f / exec / watches, short connect, fin timeouts", () => {
            const d = sectionOf(cfg, "defaults");
            for (const line of ["timeout connect 1s", "timeout check 2s", "timeout client 1h", "timeout server 1h", "timeout tunnel 1h", "timeout client-fin 10s", "timeout server-fin 10s"]) {
                assert.ok(d.includes(line), `missing ${line}`);
            }
            // A blackholed server must fail a check within `timeout connect`, well under the fall window.
            assert.equal(d.filter((l) => l.startsWith("timeout connect")).length, 1);
        });

        it("global: Debian log socket, maxconn, admin socket", () => {
            const g = sectionOf(cfg, "global");
            assert.ok(g.includes("log /dev/log local0"));
            assert.ok(g.includes("maxconn 10000"));
            assert.ok(g.includes("stats socket /run/haproxy/admin.sock mode 660 level admin"));
        });

        it("stats only on 127.0.0.1, and only when asked", () => {
            assert.ok(sectionOf(cfg, "frontend stats").includes("bind 127.0.0.1:8404"));
            assert.ok(!renderHaproxyCfg(input({ statsPort: undefined })).includes("frontend stats"));
        });

        it("renders custom checks, ports, maxconn and admin socket", () => {
            const c = renderHaproxyCfg(
                input({
                    bindPort: 8443,
                    backends: [{ name: "cp-1.zone:a", address: "10.0.0.1", port: 16443 }],
                    healthCheck: { path: "/healthz", intervalMs: 250, fall: 5, rise: 3 },
                    maxconn: 42,
                    adminSocket: "/tmp/x/admin.sock",
                }),
            );
            assert.ok(c.includes("    bind *:8443\n"));
            assert.ok(c.includes("    server cp-1.zone:a 10.0.0.1:16443 check check-ssl verify none\n"));
            assert.ok(c.includes("    http-check send meth GET uri /healthz\n"));
            assert.ok(c.includes("    default-server inter 250ms fastinter 125ms fall 5 rise 3 "));
            // fastinter: half of inter, never below 100 ms.
            const fast = (intervalMs: number) => /fastinter (\d+)ms/.exec(renderHaproxyCfg(input({ healthCheck: { path: "/readyz", intervalMs, fall: 2, rise: 2 } })))?.[1];
            assert.deepEqual([100, 150, 500, 1000, 60000].map(fast), ["100", "100", "250", "500", "30000"]);
            assert.ok(c.includes("    maxconn 42\n"));
            assert.ok(c.includes("    stats socket /tmp/x/admin.sock "));
        });

        it("ends with exactly one newline and has no tabs or trailing spaces", () => {
            assert.ok(cfg.endsWith("\n") && !cfg.endsWith("\n\n"));
            assert.ok(!/\t| $/m.test(cfg));
        });
    });
});
