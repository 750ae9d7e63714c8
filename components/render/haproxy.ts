/**
 * HAProxy in front of the API servers (pure): the config of each on-prem LB host (endpoint kind
 * `vip`). TCP passthrough, so TLS stays end to end between clients and kube-apiserver (client
 * certificates keep working); HAProxy only opens TLS itself for its HTTPS health check.
 * Sections are built as lists of lines and joined; each line's format is templated here.
 */

/** One control plane behind the load balancer. */
export interface HaproxyBackend {
    /** Server name in logs and stats (letters, digits, `-`, `_`, `.`, `:`). */
    readonly name: string;
    /** IPv4 address of the control plane. */
    readonly address: string;
    /** kube-apiserver port on it (usually 6443). */
    readonly port: number;
}

/** Health check of each API server. */
export interface HaproxyHealthCheck {
    /** Path fetched over HTTPS; kube-apiserver serves these three to anonymous clients. */
    readonly path: "/readyz" | "/livez" | "/healthz";
    /** Milliseconds between checks of one server; also bounds one whole check (connect + answer). */
    readonly intervalMs: number;
    /** Consecutive failed checks before a server is marked down. */
    readonly fall: number;
    /** Consecutive passed checks before a server is marked up again. */
    readonly rise: number;
}

/** Input of {@link renderHaproxyCfg}. */
export interface HaproxyInput {
    /** Frontend port on the LB host (the API port clients dial). */
    readonly bindPort: number;
    /** Control planes. */
    readonly backends: readonly HaproxyBackend[];
    /** Health check of each backend (config/ fills it from {@link HAPROXY_DEFAULTS}.healthCheck). @default HAPROXY_DEFAULTS.healthCheck */
    readonly healthCheck: HaproxyHealthCheck;
    /** Optional local stats page (`/stats`) and Prometheus metrics (`/metrics`), bound to 127.0.0.1 only. */
    readonly statsPort?: number;
    /** Most concurrent connections HAProxy accepts in total. @default 10000 */
    readonly maxconn?: number;
    /** Runtime API socket (`show servers state`, `disable server`). @default "/run/haproxy/admin.sock" */
    readonly adminSocket?: string;
}

/**
 * The check interval while a server is changing state (one failed or one good check seen): half
 * of `inter`, at least 100 ms. The first failure is confirmed sooner, so a dead server is marked
 * DOWN 0.3-0.6 s earlier (bench:failover "fixed after", medians in four runs: 1.32-1.37 s with,
 * 1.68-1.94 s without), while a healthy server is still checked only every `inter`.
 */
export function fastinterMs(intervalMs: number): number {
    return Math.max(100, Math.round(intervalMs / 2));
}

/** The tuned defaults, exported so config/ can reuse them. */
export const HAPROXY_DEFAULTS = {
    /**
     * kubeadm's HA guide keeps HAProxy's own defaults (inter 2s, fall 3, rise 2): a silently dead API
     * server keeps receiving new connections for ~10 s (measured, bench/results/failover.md). Checks
     * every 500 ms (`fastinter` 250 ms, see {@link fastinterMs}), 2 failures, with `timeout connect 1s`
     * take it out in ~1.4 s (measured; the previous inter 1000 ms, connect 5 s took ~3.6 s). rise 2
     * still needs two good answers in a row, so a server that restarts or flaps is not put back on one
     * lucky check. /readyz (not /livez) so a server that lost etcd is taken out too.
     */
    healthCheck: { path: "/readyz", intervalMs: 500, fall: 2, rise: 2 } satisfies HaproxyHealthCheck,
    /** Enough for thousands of kubelets and watchers; each idle TCP tunnel costs ~2 buffers. */
    maxconn: 10000,
    /** Debian creates /run/haproxy at boot (tmpfiles.d) and ships this very socket path. */
    adminSocket: "/run/haproxy/admin.sock",
    /**
     * Idle limit of established client/server connections. `kubectl logs -f`, `exec` and watches sit
     * idle for long stretches (client-go pings HTTP/2 connections every 30 s, plain streams not at all).
     */
    idleTimeout: "1h",
    /**
     * A live API server accepts in milliseconds (even across zones); a connect that takes a second
     * means the host is gone, so the check fails and a client's connect is retried on another server.
     */
    connectTimeout: "1s",
    /**
     * Once connected, how long /readyz may take to answer. Without it `inter` (500 ms) would bound the
     * whole check and a busy but healthy API server would be taken out.
     */
    checkTimeout: "2s",
    /** Half-closed connections are closing anyway: do not keep them for an hour. */
    finTimeout: "10s",
    /** A server put back after a restart gets its share of new connections gradually. */
    slowstart: "10s",
} as const;

/** Names of the API frontend and backend (they show in logs and stats). */
export const HAPROXY_API_FRONTEND = "kube-apiserver";
export const HAPROXY_API_BACKEND = "kube-apiserver";

const SERVER_NAME = /^[A-Za-z0-9_.:-]+$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HEALTH_PATHS: readonly string[] = ["/readyz", "/livez", "/healthz"];

function checkPort(what: string, port: number): void {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new Error(`haproxy: ${what} must be a port from 1 to 65535 (got ${port})`);
    }
}

function checkCount(what: string, n: number, min: number): void {
    if (!Number.isInteger(n) || n < min) throw new Error(`haproxy: ${what} must be a whole number >= ${min} (got ${n})`);
}

function validate(input: HaproxyInput): void {
    checkPort("bindPort", input.bindPort);
    if (input.backends.length === 0) throw new Error("haproxy: at least one backend (control plane) is required");
    const names = new Set<string>();
    for (const b of input.backends) {
        if (!SERVER_NAME.test(b.name)) {
            throw new Error(`haproxy: backend name ${JSON.stringify(b.name)} may only hold letters, digits, '-', '_', '.', ':'`);
        }
        if (names.has(b.name)) throw new Error(`haproxy: backend name ${b.name} is used twice; names must be unique`);
        names.add(b.name);
        if (!IPV4.test(b.address)) throw new Error(`haproxy: backend ${b.name} address must be an IPv4 address (got ${JSON.stringify(b.address)})`);
        checkPort(`backend ${b.name} port`, b.port);
    }
    const hc = input.healthCheck;
    if (!HEALTH_PATHS.includes(hc.path)) throw new Error(`haproxy: healthCheck.path must be /readyz, /livez or /healthz (got ${JSON.stringify(hc.path)})`);
    checkCount("healthCheck.intervalMs", hc.intervalMs, 100);
    checkCount("healthCheck.fall", hc.fall, 1);
    checkCount("healthCheck.rise", hc.rise, 1);
    if (input.statsPort !== undefined) {
        checkPort("statsPort", input.statsPort);
        if (input.statsPort === input.bindPort) throw new Error(`haproxy: statsPort and bindPort are both ${input.bindPort}`);
    }
    if (input.maxconn !== undefined) checkCount("maxconn", input.maxconn, 1);
    if (input.adminSocket !== undefined && !/^\/\S+$/.test(input.adminSocket)) {
        throw new Error(`haproxy: adminSocket must be an absolute path without spaces (got ${JSON.stringify(input.adminSocket)})`);
    }
}

const section = (head: string, lines: readonly string[]): string => [head, ...lines.map((l) => `    ${l}`)].join("\n");

/** haproxy.cfg of one LB host. Throws Error on invalid input. */
export function renderHaproxyCfg(input: HaproxyInput): string {
    validate(input);
    const d = HAPROXY_DEFAULTS;
    const hc = input.healthCheck;
    const sections = [
        "# HAProxy for the Kubernetes API: TCP passthrough to the control planes. Generated by hacluster.",
        section("global", [
            // Debian's unit bind-mounts /dev/log into the chroot, so logging survives it; `haproxy -c` ignores the chroot.
            "log /dev/log local0",
            "log /dev/log local1 notice",
            "chroot /var/lib/haproxy",
            `stats socket ${input.adminSocket ?? d.adminSocket} mode 660 level admin`,
            "stats timeout 30s",
            "user haproxy",
            "group haproxy",
            `maxconn ${input.maxconn ?? d.maxconn}`,
        ]),
        section("defaults", [
            "log global",
            "mode tcp",
            "option dontlognull",
            // A connect that fails (server dead but not yet marked down) is retried on another server.
            "retries 3",
            "option redispatch 1",
            `timeout connect ${d.connectTimeout}`,
            `timeout client ${d.idleTimeout}`,
            `timeout server ${d.idleTimeout}`,
            // In TCP mode the tunnel timeout governs established connections; keep it as long.
            `timeout tunnel ${d.idleTimeout}`,
            `timeout client-fin ${d.finTimeout}`,
            `timeout server-fin ${d.finTimeout}`,
            // With `timeout check` set, a check's connect is bounded by `timeout connect` (a blackholed
            // server fails fast) and its answer by `timeout check` (a slow /readyz is not a dead server).
            `timeout check ${d.checkTimeout}`,
        ]),
        section(`frontend ${HAPROXY_API_FRONTEND}`, [
            // All addresses, so the keepalived VIP is served wherever it lands without ip_nonlocal_bind.
            `bind *:${input.bindPort}`,
            "mode tcp",
            "option tcplog",
            `default_backend ${HAPROXY_API_BACKEND}`,
        ]),
        section(`backend ${HAPROXY_API_BACKEND}`, [
            "mode tcp",
            "balance roundrobin",
            "option httpchk",
            `http-check send meth GET uri ${hc.path}`,
            "http-check expect status 200",
            // shutdown-sessions: clients of a dead API server get a reset now and reconnect to a live one,
            // instead of waiting out the 1h idle timeout on a half-dead connection.
            `default-server inter ${hc.intervalMs}ms fastinter ${fastinterMs(hc.intervalMs)}ms fall ${hc.fall} rise ${hc.rise} on-marked-down shutdown-sessions slowstart ${d.slowstart}`,
            // The API's serving certificate is not checked: the check only asks "is it ready?".
            ...input.backends.map((b) => `server ${b.name} ${b.address}:${b.port} check check-ssl verify none`),
        ]),
    ];
    if (input.statsPort !== undefined) {
        sections.push(
            section("frontend stats", [
                `bind 127.0.0.1:${input.statsPort}`,
                "mode http",
                // Scrapes every few seconds would drown the API connection log.
                "no log",
                "http-request use-service prometheus-exporter if { path /metrics }",
                "stats enable",
                "stats uri /stats",
                "stats refresh 10s",
            ]),
        );
    }
    return `${sections.join("\n\n")}\n`;
}
