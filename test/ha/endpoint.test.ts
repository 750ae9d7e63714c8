/**
 * HA drills on the API endpoint: the dev stack's rendered haproxy.cfg, keepalived.conf and
 * check_apiserver.sh, run unmodified by real HAProxy and keepalived on two LB "hosts" (network +
 * PID + mount namespaces), in front of three stand-in API servers, while a client calls the API
 * through the VIP (new TLS connection every 50 ms, CA and name verified, 2 s timeout).
 *
 * Each drill asserts a bound on the time to recover (see metrics.ts), chosen from measurements
 * (bench/results/failover.md) with margin. Needs root; fails (never skips) when a tool is missing.
 */
import { strict as assert } from "assert";
import { ApiLab, ApiTopology, devTopology, DrillResult } from "./apilab";
import { preflight, sleep } from "./lab";
import { oursFromSynth } from "./ours";
import { sansOf } from "./pki";

/** Bounds, ms. Measured (2 cores): LB host loss 2.6-3.6 s, HAProxy loss ~4.1 s, API host loss ~1.3 s, failback 0 failures. */
export const BOUNDS = {
    /** VRRP: 3 missed adverts (advert_int 1) + skew 0.61 s = 3.61 s after the last advert. */
    lbHostLossMs: 10_000,
    /** keepalived check fall 2 x interval 1 s, then the backup's master-down timer. */
    haproxyLossMs: 10_000,
    /** Failback: the returning host waits out its own master-down timer (3.4 s) while the backup serves. */
    lbReturnMs: 5_000,
    /** HAProxy: a failed check (timeout connect 1 s bounds a blackholed check), then the confirming one at fastinter 250 ms: ~1.3 s (was ~3 s at inter 1 s). */
    apiServerLossMs: 4_000,
    /** Refused connects are redispatched at once: only the requests in flight at the crash fail (measured: 0-1, < 0.1 s). */
    apiProcessCrashMs: 2_000,
} as const;

function describeResult(r: DrillResult): string {
    return `TTR ${r.ttrMs === undefined ? "not recovered" : `${r.ttrMs} ms`}, ${r.failed}/${r.total} requests failed ${JSON.stringify(r.errors)}, ${r.slow} slow` +
        `${r.detectMs !== undefined ? `, fixed after ${r.detectMs} ms` : ""}${r.vipMoves !== undefined ? `, VIP moves ${r.vipMoves}` : ""}${r.notes.length ? `; ${r.notes.join("; ")}` : ""}`;
}

describe("HA drills: API endpoint (real HAProxy + keepalived with the rendered files, in network namespaces)", function () {
    this.timeout(180_000);
    let topo: ApiTopology;
    let lab: ApiLab | undefined;
    let certSans: string[] = [];

    before(async function () {
        this.timeout(240_000);
        preflight(["ip", "unshare", "nsenter", "mount", "haproxy", "keepalived", "curl", "openssl", "pidof", "bash"]);
        topo = devTopology();
        const ours = await oursFromSynth(topo);
        certSans = ours.certSans;
        lab = new ApiLab(topo, ours.flavor, "a", certSans, { verbose: !!process.env.HA_VERBOSE });
        await lab.start();
    });

    after(async function () {
        this.timeout(60_000);
        await lab?.destroy();
    });

    const L = (): ApiLab => {
        if (!lab) throw new Error("the lab did not start (see the before hook)");
        return lab;
    };

    it("serves the API through the VIP with certificates carrying exactly the project's certSANs + the master's IP", async function () {
        const l = L();
        for (const m of l.masters) {
            const got = sansOf(`${l.ca.dir}/${m.name}.crt`).map((s) => s.replace(/^(DNS|IP Address):/, "")).sort();
            assert.deepEqual(got, [...certSans, m.address].sort(), `${m.name}'s certificate SANs`);
        }
        const byName = await l.checkOnce(topo.vip, topo.dnsName);
        assert.ok(byName.ok, `verifying ${topo.dnsName} via the VIP failed: ${byName.raw}`);
        const byIp = await l.checkOnce(topo.vip, "-");
        assert.ok(byIp.ok, `verifying the VIP's IP SAN failed: ${byIp.raw}`);
        const wrong = await l.checkOnce(topo.vip, "not-in-the-cert.example");
        assert.ok(!wrong.ok && /ALTNAME|Hostname/i.test(wrong.err ?? ""), `a name outside the SANs must be rejected (got ${JSON.stringify(wrong)})`);
    });

    it("the rendered check script passes inside both LB hosts; HAProxy on both sees every API server UP; the VIP is on the first", async function () {
        const l = L();
        for (const lb of l.lbs) {
            const r = await l.runCheckScript(lb);
            assert.equal(r.code, 0, `check_apiserver.sh failed on ${lb.name}: ${r.out}`);
            const st = await l.serverStates(lb);
            assert.ok(st, `no HAProxy admin socket on ${lb.name}`);
            assert.deepEqual([...st.entries()].sort(), topo.masters.map((m) => [m.name, "UP"]).sort());
        }
        assert.deepEqual(await l.vipHolders(), [topo.lbs[0].name]);
    });

    it(`drill 1: the MASTER LB host dies (power cut) -> the VIP moves, the API is back within ${BOUNDS.lbHostLossMs / 1000} s`, async function () {
        const l = L();
        await l.steady(60_000);
        const r = await l.lbHostLoss();
        const msg = `${describeResult(r)}\n${l.diag()}`;
        assert.ok(r.ttrMs !== undefined && r.ttrMs < BOUNDS.lbHostLossMs, `LB host loss: ${msg}`);
        assert.deepEqual(await l.vipHolders(), [topo.lbs[1].name], msg);
        assert.equal(r.vipMoves, 1, msg);
    });

    it(`drill 3: the old MASTER comes back -> exactly one VIP move (back), no flap over 20 s, disruption < ${BOUNDS.lbReturnMs / 1000} s`, async function () {
        const l = L();
        if (l.masterLb.up) await l.masterLb.powerOff(); // drill 1 failed half-way: start from the same place
        const r = await l.lbReturn();
        const msg = `${describeResult(r)}\n${l.diag()}`;
        assert.ok(r.ttrMs !== undefined && r.ttrMs < BOUNDS.lbReturnMs, `failback: ${msg}`);
        assert.equal(r.vipMoves, 1, `failback should move the VIP once (preempt), no flapping: ${msg}`);
        assert.deepEqual(await l.vipHolders(), [topo.lbs[0].name], msg);
    });

    it(`drill 2: HAProxy dies on the MASTER -> the check script fails, the VIP moves, the API is back within ${BOUNDS.haproxyLossMs / 1000} s`, async function () {
        const l = L();
        await l.steady(60_000);
        try {
            const r = await l.haproxyLoss();
            const msg = `${describeResult(r)}\n${l.diag()}`;
            const check = await l.runCheckScript(l.masterLb);
            assert.equal(check.code, 1, `check_apiserver.sh on ${l.masterLb.name} without HAProxy: ${check.out}`);
            assert.match(check.out, /haproxy is not running/, "pidof sees only this host's processes (own PID namespace)");
            assert.ok(r.ttrMs !== undefined && r.ttrMs < BOUNDS.haproxyLossMs, `HAProxy loss: ${msg}`);
            assert.deepEqual(await l.vipHolders(), [topo.lbs[1].name], msg);
        } finally {
            await l.restoreHaproxy();
        }
    });

    it(`drill 4: an API server host dies (silent) -> HAProxy takes it out, the API is back within ${BOUNDS.apiServerLossMs / 1000} s`, async function () {
        const l = L();
        await l.steady(60_000);
        const victim = l.masters[1];
        try {
            const r = await l.apiServerLoss(victim);
            const msg = `${describeResult(r)}\n${l.diag()}`;
            assert.ok(r.ttrMs !== undefined && r.ttrMs < BOUNDS.apiServerLossMs, `API server loss: ${msg}`);
            assert.ok(r.detectMs !== undefined && r.detectMs < BOUNDS.apiServerLossMs, `HAProxy should mark ${victim.name} DOWN: ${msg}`);
            assert.deepEqual(r.notes, [], msg);
            await sleep(1000);
            assert.deepEqual(await l.vipHolders(), [topo.lbs[0].name], `losing one API server must not move the VIP: ${msg}`);
        } finally {
            await l.restoreApi(victim);
        }
    });

    it("drill 4b: only the API server process crashes (connections refused) -> retries + redispatch hide it: only requests in flight fail", async function () {
        const l = L();
        await l.steady(60_000);
        const victim = l.masters[2];
        try {
            const r = await l.apiProcessCrash(victim);
            // A request being answered by the process when it dies is lost (its connection is reset);
            // new connections to it are refused and re-sent elsewhere at once (retries 3, redispatch).
            assert.ok(r.ttrMs !== undefined && r.ttrMs < BOUNDS.apiProcessCrashMs, describeResult(r));
            assert.ok(r.failed <= 3, `refused connects should be redispatched, only requests in flight may fail: ${describeResult(r)}`);
        } finally {
            await l.restoreApi(victim);
        }
    });
});
