/**
 * `npm run bench:failover [-- --reps 3] [--only api|etcd] [--tuning] [--verbose]`
 *
 * Failover drills, measured: the same drills as `npm run test:ha` (test/ha/), in the same run on
 * the same machine, with OUR LB files (what the synth renders for the dev stack) and with the
 * REFERENCE configuration of the kubeadm HA guide (kubernetes/kubeadm docs/ha-considerations.md,
 * templates below, filled in with the dev stack's addresses). Each drill is repeated `--reps`
 * times; the report gives median and max of the seconds to recover and of the failed requests.
 * etcd drills run our rendered etcd.env with 3 and 5 members (the guide has no etcd settings of
 * its own: kubeadm's stacked etcd runs etcd's defaults, which are also ours: 100 ms / 1000 ms).
 * `--tuning` adds experiments on the tunables (each clearly labelled) behind the recommended
 * defaults. Writes bench/results/failover.md and bench/results/failover.json. Needs root.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ApiLab, ApiTopology, devTopology, DrillResult, Flavor, HostFiles } from "../test/ha/apilab";
import { EtcdLab, extraMemberSets, netemAvailable } from "../test/ha/etcdlab";
import { preflight } from "../test/ha/lab";
import { max, median } from "../test/ha/metrics";
import { oursFromSynth } from "../test/ha/ours";
import { synth } from "../test/ha/synth";

// =============================================================================================
// REFERENCE: the kubeadm HA guide's configuration (kubernetes/kubeadm, docs/ha-considerations.md,
// "keepalived and haproxy"), verbatim except for the guide's ${PLACEHOLDERS}, which are filled in
// with the dev stack's values: STATE MASTER/BACKUP, INTERFACE ens32, ROUTER_ID 51, PRIORITY
// 101/100 (the guide's example), AUTH_PASS 42 (the guide's example), APISERVER_VIP, the ports
// (APISERVER_DEST_PORT = APISERVER_SRC_PORT = 6443) and one `server` line per control plane.
// =============================================================================================

/** The guide's /etc/keepalived/keepalived.conf. */
export function referenceKeepalivedConf(v: { state: "MASTER" | "BACKUP"; iface: string; routerId: number; priority: number; authPass: string; vip: string }): string {
    return `! /etc/keepalived/keepalived.conf
! Configuration File for keepalived
global_defs {
    router_id LVS_DEVEL
}
vrrp_script check_apiserver {
  script "/etc/keepalived/check_apiserver.sh"
  interval 3
  weight -2
  fall 10
  rise 2
}

vrrp_instance VI_1 {
    state ${v.state}
    interface ${v.iface}
    virtual_router_id ${v.routerId}
    priority ${v.priority}
    authentication {
        auth_type PASS
        auth_pass ${v.authPass}
    }
    virtual_ipaddress {
        ${v.vip}
    }
    track_script {
        check_apiserver
    }
}
`;
}

/** The guide's /etc/keepalived/check_apiserver.sh. */
export function referenceCheckScript(v: { vip: string; destPort: number }): string {
    return `#!/bin/sh

errorExit() {
    echo "*** $*" 1>&2
    exit 1
}

curl --silent --max-time 2 --insecure https://localhost:${v.destPort}/ -o /dev/null || errorExit "Error GET https://localhost:${v.destPort}/"
if ip addr | grep -q ${v.vip}; then
    curl --silent --max-time 2 --insecure https://${v.vip}:${v.destPort}/ -o /dev/null || errorExit "Error GET https://${v.vip}:${v.destPort}/"
fi
`;
}

/** The guide's /etc/haproxy/haproxy.cfg (checks: HAProxy's defaults inter 2s, fall 3, rise 2). */
export function referenceHaproxyCfg(v: { destPort: number; srcPort: number; servers: readonly { id: string; address: string }[] }): string {
    return `# /etc/haproxy/haproxy.cfg
#---------------------------------------------------------------------
# Global settings
#---------------------------------------------------------------------
global
    log /dev/log local0
    log /dev/log local1 notice
    daemon

#---------------------------------------------------------------------
# common defaults that all the 'listen' and 'backend' sections will
# use if not designated in their block
#---------------------------------------------------------------------
defaults
    mode                    http
    log                     global
    option                  httplog
    option                  dontlognull
    option http-server-close
    option forwardfor       except 127.0.0.0/8
    option                  redispatch
    retries                 1
    timeout http-request    10s
    timeout queue           20s
    timeout connect         5s
    timeout client          20s
    timeout server          20s
    timeout http-keep-alive 10s
    timeout check           10s

#---------------------------------------------------------------------
# apiserver frontend which proxys to the control plane nodes
#---------------------------------------------------------------------
frontend apiserver
    bind *:${v.destPort}
    mode tcp
    option tcplog
    default_backend apiserverbackend

#---------------------------------------------------------------------
# round robin balancing for apiserver
#---------------------------------------------------------------------
backend apiserverbackend
    option httpchk GET /healthz
    http-check expect status 200
    mode tcp
    option ssl-hello-chk
    balance     roundrobin
${v.servers.map((s) => `        server ${s.id} ${s.address}:${v.srcPort} check`).join("\n")}
`;
}

/** The reference flavor for the dev topology. */
export function referenceFlavor(topo: ApiTopology): Flavor {
    const files: Record<string, HostFiles> = {};
    topo.lbs.forEach((lb, i) => {
        files[lb.name] = {
            "/etc/haproxy/haproxy.cfg": { content: referenceHaproxyCfg({ destPort: topo.port, srcPort: topo.port, servers: topo.masters.map((m) => ({ id: m.name, address: m.address })) }), mode: 0o644 },
            "/etc/keepalived/keepalived.conf": {
                content: referenceKeepalivedConf({ state: i === 0 ? "MASTER" : "BACKUP", iface: "ens32", routerId: 51, priority: i === 0 ? 101 : 100, authPass: "42", vip: topo.vip }),
                mode: 0o644,
            },
            "/etc/keepalived/check_apiserver.sh": { content: referenceCheckScript({ vip: topo.vip, destPort: topo.port }), mode: 0o755 },
        };
    });
    return { label: "reference", files };
}

// =============================================================================================

interface Args {
    reps: number;
    only: "all" | "api" | "etcd";
    tuning: boolean;
    verbose: boolean;
    out: string;
}

function parseArgs(argv: readonly string[]): Args {
    const a: Args = { reps: 3, only: "all", tuning: false, verbose: false, out: path.join(__dirname, "results") };
    for (let i = 0; i < argv.length; i++) {
        const f = argv[i];
        if (f === "--reps") a.reps = Number(argv[++i]);
        else if (f === "--only") a.only = argv[++i] as Args["only"];
        else if (f === "--tuning") a.tuning = true;
        else if (f === "--verbose" || f === "-v") a.verbose = true;
        else if (f === "--out") a.out = argv[++i];
        else throw new Error(`unknown argument ${f}`);
    }
    if (!Number.isInteger(a.reps) || a.reps < 1) throw new Error("--reps must be a whole number >= 1");
    if (!["all", "api", "etcd"].includes(a.only)) throw new Error("--only must be api or etcd");
    return a;
}

const log = (msg: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

/** Incidents (a repetition that failed and was run again in a fresh lab, unexpected process exits). */
const incidents: string[] = [];

/**
 * Runs the API drills `reps` times on one flavor. A repetition that fails (e.g. the steady state is
 * not reached) is recorded as an incident and run again once in a fresh lab; its partial results
 * are dropped.
 */
async function apiDrills(topo: ApiTopology, flavor: Flavor, certSans: readonly string[], reps: number, verbose: boolean, tag: string, which: readonly string[] = ["lb-host-loss", "lb-return", "haproxy-loss", "api-server-loss", "api-process-crash"]): Promise<DrillResult[]> {
    const out: DrillResult[] = [];
    const want = (d: string) => which.includes(d);
    let lab: ApiLab | undefined;
    const oneRep = async (l: ApiLab): Promise<DrillResult[]> => {
        const got: DrillResult[] = [];
        if (want("lb-host-loss") || want("lb-return")) {
            await l.steady(120_000);
            const r1 = await l.lbHostLoss(120_000);
            if (want("lb-host-loss")) got.push(r1);
            const r3 = await l.lbReturn(120_000);
            if (want("lb-return")) got.push(r3);
        }
        if (want("haproxy-loss")) {
            await l.steady(120_000);
            got.push(await l.haproxyLoss(120_000));
            await l.restoreHaproxy(120_000);
        }
        if (want("api-server-loss")) {
            await l.steady(120_000);
            got.push(await l.apiServerLoss(l.masters[1], 120_000));
            await l.restoreApi(l.masters[1], 120_000);
        }
        if (want("api-process-crash")) {
            await l.steady(120_000);
            got.push(await l.apiProcessCrash(l.masters[2], 120_000));
            await l.restoreApi(l.masters[2], 120_000);
        }
        return got;
    };
    try {
        for (let rep = 1; rep <= reps; rep++) {
            for (let attempt = 1; ; attempt++) {
                try {
                    if (!lab) {
                        lab = new ApiLab(topo, flavor, tag, certSans, { verbose });
                        await lab.start();
                    }
                    log(`${flavor.label}: repetition ${rep}/${reps}${attempt > 1 ? ` (attempt ${attempt})` : ""}`);
                    out.push(...(await oneRep(lab)));
                    incidents.push(...lab.incidents.splice(0).map((i) => `${flavor.label}, repetition ${rep}: ${i}`));
                    break;
                } catch (e) {
                    const msg = `${flavor.label}, repetition ${rep}, attempt ${attempt} failed and was dropped: ${String((e as Error).message ?? e).slice(0, 4000)}`;
                    log(msg.slice(0, 300));
                    incidents.push(msg);
                    await lab?.destroy();
                    lab = undefined;
                    if (attempt >= 2) throw e;
                }
            }
        }
    } finally {
        await lab?.destroy();
    }
    return out;
}

interface EtcdRun {
    readonly members: number;
    readonly label: string;
    readonly results: DrillResult[];
    readonly acked: number;
    readonly lost: number;
    readonly wrong: number;
    readonly acceptedDuringMajorityLoss: number;
    /** Elections (raft term growth) during quietMs of steady writes before the drills. */
    readonly quietElections?: number;
    readonly quietMs?: number;
}

async function etcdDrills(members: number, reps: number, verbose: boolean, tag: string, opts: { sets?: string[]; latencyMs?: number; jitterMs?: number; label?: string; which?: readonly string[]; quietMs?: number } = {}): Promise<EtcdRun> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hacluster-bench-etcd-"));
    const label = opts.label ?? `etcd x${members}`;
    const which = opts.which ?? ["etcd-member-loss", "etcd-leader-loss", "etcd-majority-loss"];
    try {
        const nodes = await synth("onprem-external-etcd", dir, [...extraMemberSets(members), ...(opts.sets ?? [])]);
        const lab = new EtcdLab(nodes, Array.from({ length: members }, (_, i) => `etcd${i + 1}`), tag, { verbose, latencyMs: opts.latencyMs ?? 0, jitterMs: opts.jitterMs ?? 0, label });
        const results: DrillResult[] = [];
        let accepted = 0;
        let quietElections: number | undefined;
        try {
            await lab.start();
            if (opts.quietMs) quietElections = await lab.electionsWhileQuiet(opts.quietMs);
            for (let rep = 1; rep <= reps; rep++) {
                log(`${label}: repetition ${rep}/${reps}`);
                if (which.includes("etcd-member-loss")) {
                    await lab.steady(30_000);
                    results.push(await lab.memberLoss());
                }
                if (which.includes("etcd-leader-loss")) {
                    await lab.steady(30_000);
                    results.push(await lab.leaderLoss());
                }
                if (which.includes("etcd-majority-loss")) {
                    await lab.steady(30_000);
                    const m = await lab.majorityLoss();
                    accepted += m.acceptedDuringOutage;
                    results.push(m);
                }
            }
            const v = await lab.verify();
            return { members, label, results, acked: v.acked, lost: v.missing.length, wrong: v.wrong.length, acceptedDuringMajorityLoss: accepted, ...(quietElections !== undefined ? { quietElections, quietMs: opts.quietMs } : {}) };
        } finally {
            await lab.destroy();
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

// --- summaries --------------------------------------------------------------------------------

interface Stat {
    readonly n: number;
    readonly ttrMedianS: number;
    readonly ttrMaxS: number;
    readonly failedMedian: number;
    readonly failedMax: number;
    readonly notRecovered: number;
    readonly vipMovesMax?: number;
    readonly detectMedianS?: number;
}

function stat(rs: readonly DrillResult[]): Stat {
    const ttr = rs.map((r) => (r.ttrMs === undefined ? Infinity : r.ttrMs / 1000));
    const failed = rs.map((r) => r.failed);
    const moves = rs.map((r) => r.vipMoves).filter((x): x is number => x !== undefined);
    const detect = rs.map((r) => r.detectMs).filter((x): x is number => x !== undefined);
    return {
        n: rs.length,
        ttrMedianS: median(ttr),
        ttrMaxS: max(ttr),
        failedMedian: median(failed),
        failedMax: max(failed),
        notRecovered: rs.filter((r) => r.ttrMs === undefined).length,
        ...(moves.length ? { vipMovesMax: max(moves) } : {}),
        ...(detect.length ? { detectMedianS: median(detect) / 1000 } : {}),
    };
}

const fmtS = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "not recovered");
const fmtN = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));

const DRILLS: Record<string, string> = {
    "lb-host-loss": "1. MASTER LB host dies (power cut: processes + cable)",
    "haproxy-loss": "2. HAProxy dies on the MASTER LB host",
    "lb-return": "3. Old MASTER LB host comes back (failback)",
    "api-server-loss": "4. An API server host dies (silent: no RST)",
    "api-process-crash": "4b. An API server process crashes (RST, host up)",
    "etcd-member-loss": "5. An etcd follower dies",
    "etcd-leader-loss": "6. The etcd leader dies",
    "etcd-majority-loss": "7. An etcd majority dies, then comes back (TTR from the restore)",
};

function machine(): Record<string, string | number> {
    const ver = (cmd: string, args: string[], re: RegExp) => re.exec(spawnSync(cmd, args, { encoding: "utf8" }).stdout + spawnSync(cmd, args, { encoding: "utf8" }).stderr)?.[1] ?? "?";
    return {
        cpu: os.cpus()[0]?.model ?? "?",
        cores: os.cpus().length,
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        kernel: os.release(),
        node: process.version,
        haproxy: ver("haproxy", ["-v"], /version (\S+)/),
        keepalived: ver("keepalived", ["-v"], /Keepalived (v\S+)/),
        etcd: ver("etcd", ["--version"], /etcd Version: (\S+)/),
    };
}

async function main(): Promise<void> {
    const args = parseArgs(process.argv.slice(2));
    preflight(["ip", "tc", "unshare", "nsenter", "mount", "haproxy", "keepalived", "curl", "openssl", "pidof", "bash", "etcd", "etcdctl"]);
    const netem = netemAvailable();
    if (args.tuning && args.only !== "api" && !netem) preflight(["python3"]); // the user-space delay hub stands in for netem
    const started = Date.now();
    const command = `npm run bench:failover${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;
    const topo = devTopology();
    const api: Record<string, DrillResult[]> = {};
    const etcd: EtcdRun[] = [];
    const tuning: { name: string; what: string; results: DrillResult[] }[] = [];
    const tuningEtcd: EtcdRun[] = [];

    if (args.only !== "etcd") {
        const ours = await oursFromSynth(topo);
        log("API drills: ours");
        api.ours = await apiDrills(topo, ours.flavor, ours.certSans, args.reps, args.verbose, "b");
        log("API drills: reference (kubeadm HA guide)");
        api.reference = await apiDrills(topo, referenceFlavor(topo), ours.certSans, args.reps, args.verbose, "r");
        if (args.tuning) {
            const tune = async (label: string, what: string, flavor: Flavor, which: string[]) => {
                log(`tuning: ${label}`);
                tuning.push({ name: label, what, results: await apiDrills(topo, { ...flavor, label }, ours.certSans, args.reps, args.verbose, "t", which) });
            };
            const haproxyCfg = "/etc/haproxy/haproxy.cfg";
            // API server loss: the defaults before this bench tuned them, then one knob at a time.
            const inter1000 = (await oursFromSynth(topo, ["cluster.endpoint.haproxy.intervalMs=1000"])).flavor;
            const noFastinter = (f: Flavor) => edit(f, haproxyCfg, / fastinter \d+ms/, "");
            const before = noFastinter(edit(edit(inter1000, haproxyCfg, /timeout connect 1s/, "timeout connect 5s"), haproxyCfg, /\n\s*timeout check 2s/, ""));
            await tune("previous default: inter 1000ms, timeout connect 5s, no timeout check, no fastinter", "--set ...intervalMs=1000; timeout connect 5s; no timeout check; no fastinter (renderer)", before, ["api-server-loss"]);
            await tune("ours, check inter 1000ms", "--set cluster.endpoint.haproxy.intervalMs=1000", inter1000, ["api-server-loss"]);
            await tune("ours, timeout connect 5s", "timeout connect 1s -> 5s (renderer)", edit(ours.flavor, haproxyCfg, /timeout connect 1s/, "timeout connect 5s"), ["api-server-loss"]);
            await tune("ours, without fastinter", "default-server ... fastinter 250ms removed (renderer)", noFastinter(ours.flavor), ["api-server-loss"]);
            // HAProxy loss: keepalived check weight 0 (FAULT releases the VIP at once; renderer) and checkFall 1 (a tunable).
            await tune("ours, check weight 0 (FAULT)", "vrrp_script weight -60 -> 0 (renderer)", edit(ours.flavor, "/etc/keepalived/keepalived.conf", /weight -60/, "weight 0"), ["haproxy-loss", "lb-return"]);
            await tune("ours, keepalived checkFall 1", "--set cluster.endpoint.keepalived.checkFall=1", (await oursFromSynth(topo, ["cluster.endpoint.keepalived.checkFall=1"])).flavor, ["haproxy-loss"]);
            // The advert interval: VRRPv2 adverts are whole seconds (1 is the floor); VRRPv3 (config vrrpVersion 3) takes centiseconds, without authentication.
            for (const advert of ["0.5", "0.2"]) {
                const sets = ["cluster.endpoint.keepalived.vrrpVersion=3", `cluster.endpoint.keepalived.advertIntervalSec=${advert}`];
                await tune(`ours, VRRPv3 advert_int ${advert} (no authentication)`, `--set ...vrrpVersion=3 --set ...advertIntervalSec=${advert}`, (await oursFromSynth(topo, sets)).flavor, ["lb-host-loss", "lb-return", "haproxy-loss"]);
            }
        }
    }
    if (args.only !== "api") {
        for (const [n, tag] of [[3, "e"], [5, "f"]] as const) {
            log(`etcd drills: ${n} members`);
            etcd.push(await etcdDrills(n, args.reps, args.verbose, tag));
        }
        if (args.tuning) {
            // Inter-zone latency: netem delay (+ jitter; the user-space delay hub where the kernel has no
            // netem) in front of every member, 3 members; leader loss,
            // and elections during 20 s of steady writes (raft term growth: 0 on a stable cluster).
            for (const [delay, jitter, hb, el] of [[5, 2, 100, 1000], [5, 2, 50, 500], [25, 5, 100, 1000], [25, 5, 250, 2500]] as const) {
                const label = `etcd x3, RTT ${2 * delay} ms (jitter ${jitter} ms), heartbeat ${hb} / election ${el}`;
                log(`tuning: ${label}`);
                tuningEtcd.push(await etcdDrills(3, args.reps, args.verbose, "g", { latencyMs: delay, jitterMs: jitter, sets: [`cluster.etcd.heartbeatIntervalMs=${hb}`, `cluster.etcd.electionTimeoutMs=${el}`], label, which: ["etcd-leader-loss"], quietMs: 20_000 }));
            }
        }
    }

    const elapsedS = Math.round((Date.now() - started) / 1000);
    const report = { generatedAt: new Date().toISOString(), command, elapsedS, machine: { ...machine(), netem: netem ? "yes" : "no (latency from test/ha/delayhub.py)" }, reps: args.reps, api, etcd, tuning, tuningEtcd, incidents };
    fs.mkdirSync(args.out, { recursive: true });
    fs.writeFileSync(path.join(args.out, "failover.json"), `${JSON.stringify(report, null, 2)}\n`);
    fs.writeFileSync(path.join(args.out, "failover.md"), markdown(report));
    log(`wrote ${path.join(args.out, "failover.md")} and failover.json in ${elapsedS} s`);
}

/** A copy of a flavor with one regex replaced in one file on every LB host (for labelled experiments). */
function edit(f: Flavor, file: string, re: RegExp, by: string): Flavor {
    const label = f.label;
    const files: Record<string, HostFiles> = {};
    for (const [lb, fs0] of Object.entries(f.files)) {
        const cur = fs0[file];
        if (!cur || !re.test(cur.content)) throw new Error(`experiment ${label}: ${re} not found in ${lb}:${file}`);
        files[lb] = { ...fs0, [file]: { ...cur, content: cur.content.replace(re, by) } };
    }
    return { label, files };
}

interface Report {
    generatedAt: string;
    command: string;
    elapsedS: number;
    machine: Record<string, string | number>;
    reps: number;
    api: Record<string, DrillResult[]>;
    etcd: EtcdRun[];
    tuning: { name: string; what: string; results: DrillResult[] }[];
    tuningEtcd: EtcdRun[];
    incidents: string[];
}

function byDrill(rs: readonly DrillResult[]): Map<string, DrillResult[]> {
    const m = new Map<string, DrillResult[]>();
    for (const r of rs) m.set(r.drill, [...(m.get(r.drill) ?? []), r]);
    return m;
}

function markdown(r: Report): string {
    const L: string[] = [];
    L.push("# Failover drills: ours vs the kubeadm HA guide's reference", "");
    L.push(`Produced by \`${r.command}\` (as root) on ${r.generatedAt.slice(0, 10)} in ${Math.round(r.elapsedS / 60)} min.`, "");
    L.push(`Machine: ${r.machine.cores} x ${r.machine.cpu}, ${r.machine.memoryGiB} GiB, Linux ${r.machine.kernel}, Node ${r.machine.node}; HAProxy ${r.machine.haproxy}, keepalived ${r.machine.keepalived}, etcd ${r.machine.etcd}.`, "");
    L.push(
        "Every drill runs real HAProxy, keepalived and etcd on lab hosts made of network + PID + mount namespaces (test/ha/lab.ts), with the files placed at their real paths and run unmodified. " +
            "A client in its own namespace opens a new TLS connection to the VIP every 50 ms (CA and name verified, 2 s timeout). " +
            "**Seconds to recover**: from the fault to the first successful request after the last failed one, once 5 s of requests have all succeeded. " +
            `**Failed**: requests that errored, timed out (2 s) or got a non-200 answer, from the fault on. Each drill ran ${r.reps} times: median / max.`,
        "",
    );
    const ours = byDrill(r.api.ours ?? []);
    const ref = byDrill(r.api.reference ?? []);
    if (ours.size) {
        L.push("## API endpoint (2 LB hosts, 3 API servers)", "");
        L.push("| Drill | Ours: s to recover | Ours: failed requests | Reference: s to recover | Reference: failed requests | Faster by |");
        L.push("| --- | --- | --- | --- | --- | --- |");
        for (const d of ["lb-host-loss", "haproxy-loss", "lb-return", "api-server-loss", "api-process-crash"]) {
            const o = ours.get(d);
            const f = ref.get(d);
            if (!o) continue;
            const so = stat(o);
            const sf = f ? stat(f) : undefined;
            const speed = sf && so.ttrMedianS > 0 && Number.isFinite(sf.ttrMedianS) ? `${(sf.ttrMedianS / so.ttrMedianS).toFixed(1)}x` : "-";
            L.push(`| ${DRILLS[d]} | ${fmtS(so.ttrMedianS)} / ${fmtS(so.ttrMaxS)} | ${fmtN(so.failedMedian)} / ${fmtN(so.failedMax)} | ${sf ? `${fmtS(sf.ttrMedianS)} / ${fmtS(sf.ttrMaxS)}` : "-"} | ${sf ? `${fmtN(sf.failedMedian)} / ${fmtN(sf.failedMax)}` : "-"} | ${speed} |`);
        }
        L.push("");
        L.push("| Drill | Ours: VIP moves (max) | Reference: VIP moves (max) | Ours: fixed after (median s) | Reference: fixed after (median s) |");
        L.push("| --- | --- | --- | --- | --- |");
        for (const d of ["lb-host-loss", "haproxy-loss", "lb-return", "api-server-loss"]) {
            const o = ours.get(d);
            const f = ref.get(d);
            if (!o) continue;
            const so = stat(o);
            const sf = f ? stat(f) : undefined;
            L.push(`| ${DRILLS[d]} | ${so.vipMovesMax ?? "-"} | ${sf?.vipMovesMax ?? "-"} | ${so.detectMedianS?.toFixed(2) ?? "-"} | ${sf?.detectMedianS?.toFixed(2) ?? "-"} |`);
        }
        L.push("", "\"Fixed after\": the VIP taken over by the other LB host (drills 1-3) or the dead server marked DOWN by HAProxy (drill 4, ours only: the reference has no admin socket).", "");
        const g = goals(ours, ref);
        L.push("Goals of the issue:", "");
        for (const x of g) L.push(`- ${x}`);
        L.push("");
    }
    if (r.etcd.length) {
        L.push("## etcd (our rendered etcd.env: heartbeat 100 ms, election 1000 ms; the reference is identical: kubeadm's etcd runs etcd's defaults)", "");
        L.push("A writer does sequential puts (1 s timeout each; a failed put moves to the next endpoint) through the v3 JSON gateway with client certificates, and records each acknowledgement.", "");
        L.push("| Members | Drill | s to recover (median / max) | failed puts (median / max) | acknowledged writes | lost | acknowledged while a majority was down |");
        L.push("| --- | --- | --- | --- | --- | --- | --- |");
        for (const e of r.etcd) {
            for (const [d, rs] of byDrill(e.results)) {
                const s = stat(rs);
                L.push(`| ${e.members} | ${DRILLS[d]} | ${fmtS(s.ttrMedianS)} / ${fmtS(s.ttrMaxS)} | ${fmtN(s.failedMedian)} / ${fmtN(s.failedMax)} | ${e.acked} | ${e.lost + e.wrong} | ${d === "etcd-majority-loss" ? e.acceptedDuringMajorityLoss : ""} |`);
            }
        }
        L.push("");
    }
    if (r.tuning.length || r.tuningEtcd.length) {
        L.push("## Tuning experiments (`--tuning`)", "");
        L.push("| Variant | Change | Drill | s to recover (median / max) | failed (median / max) | fixed after (median s) |");
        L.push("| --- | --- | --- | --- | --- | --- |");
        for (const t of r.tuning) {
            for (const [d, rs] of byDrill(t.results)) {
                const s = stat(rs);
                L.push(`| ${t.name} | ${t.what} | ${DRILLS[d]} | ${fmtS(s.ttrMedianS)} / ${fmtS(s.ttrMaxS)} | ${fmtN(s.failedMedian)} / ${fmtN(s.failedMax)} | ${s.detectMedianS?.toFixed(2) ?? "-"} |`);
            }
        }
        for (const e of r.tuningEtcd) {
            for (const [d, rs] of byDrill(e.results)) {
                const s = stat(rs);
                L.push(`| ${e.label} | netem + --set etcd timings; elections in ${(e.quietMs ?? 0) / 1000} s of steady writes: ${e.quietElections ?? "-"} | ${DRILLS[d]} | ${fmtS(s.ttrMedianS)} / ${fmtS(s.ttrMaxS)} | ${fmtN(s.failedMedian)} / ${fmtN(s.failedMax)} | ${s.detectMedianS?.toFixed(2) ?? "-"} (new leader) |`);
            }
        }
        L.push("");
    }
    if (r.incidents.length) {
        L.push("## Incidents", "");
        L.push(`${r.incidents.length} incident(s) during the run (full text in failover.json): a failed repetition was run again in a fresh lab and its partial numbers dropped.`, "");
        for (const i of r.incidents) L.push(`- ${i.split("\n")[0].slice(0, 300)}`);
        L.push("");
    }
    L.push("Raw numbers: failover.json (every repetition, with error kinds).", "");
    return `${L.join("\n")}\n`;
}

function goals(ours: Map<string, DrillResult[]>, ref: Map<string, DrillResult[]>): string[] {
    const out: string[] = [];
    const speed = (d: string) => {
        const o = ours.get(d);
        const f = ref.get(d);
        if (!o || !f) return undefined;
        return stat(f).ttrMedianS / stat(o).ttrMedianS;
    };
    for (const d of ["api-server-loss", "haproxy-loss"]) {
        const s = speed(d);
        if (s !== undefined) out.push(`${DRILLS[d]}: ${s.toFixed(1)}x faster than the reference (goal: at least 2x) — ${s >= 2 ? "met" : "NOT met"}`);
    }
    const o = ours.get("lb-host-loss");
    const f = ref.get("lb-host-loss");
    if (o && f) {
        const a = stat(o).failedMedian;
        const b = stat(f).failedMedian;
        out.push(`${DRILLS["lb-host-loss"]}: ${fmtN(a)} failed requests (median) vs ${fmtN(b)} for the reference (goal: no more) — ${a <= b ? "met" : "NOT met"}`);
    }
    return out;
}

if (require.main === module) {
    main().then(
        () => process.exit(0),
        (e: Error) => {
            process.stderr.write(`bench:failover failed: ${e.stack ?? e.message}\n`);
            process.exit(1);
        },
    );
}
