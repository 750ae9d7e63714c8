/**
 * HA drills on external etcd: 3 and 5 members started from the synth's rendered etcd.env (stack
 * onprem-external-etcd; the 5-member files come from the same synth with `--set` adding etcd4 and
 * etcd5), each member on its own lab host, mutual TLS, while a writer does sequential puts and
 * records which were acknowledged. Zero acknowledged writes may be lost.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { DrillResult } from "./apilab";
import { EtcdLab, extraMemberSets } from "./etcdlab";
import { preflight } from "./lab";
import { synth } from "./synth";

/** Bounds, ms. Measured (2 cores, heartbeat 100 / election 1000): follower loss 0-1 s, leader loss 1-2 s, heal ~1 s. */
export const ETCD_BOUNDS = {
    /** At worst one put times out (1 s) on the dead member before the writer moves on. */
    memberLossMs: 3_000,
    /** Election timeout 1-2 s (randomized) + pre-vote + a timed-out put. */
    leaderLossMs: 5_000,
    /** From the restore of the majority to acknowledged writes again. */
    healMs: 10_000,
} as const;

const show = (r: DrillResult) =>
    `TTR ${r.ttrMs === undefined ? "not recovered" : `${r.ttrMs} ms`}, ${r.failed}/${r.total} puts failed ${JSON.stringify(r.errors)}${r.detectMs !== undefined ? `, new leader after ${r.detectMs} ms` : ""}; ${r.notes.join("; ")}`;

for (const [n, tag] of [[3, "e"], [5, "f"]] as const) {
    describe(`HA drills: etcd x${n} from the rendered etcd.env (mutual TLS, network namespaces)`, function () {
        this.timeout(120_000);
        let lab: EtcdLab | undefined;
        let out = "";

        before(async function () {
            this.timeout(180_000);
            preflight(["ip", "unshare", "nsenter", "etcd", "etcdctl", "openssl"]);
            out = fs.mkdtempSync(path.join(os.tmpdir(), "hacluster-ha-etcd-synth-"));
            const nodes = await synth("onprem-external-etcd", out, extraMemberSets(n));
            const names = Array.from({ length: n }, (_, i) => `etcd${i + 1}`);
            lab = new EtcdLab(nodes, names, tag, { verbose: !!process.env.HA_VERBOSE });
            await lab.start();
        });

        after(async function () {
            this.timeout(60_000);
            await lab?.destroy();
            if (out) fs.rmSync(out, { recursive: true, force: true });
        });

        const L = (): EtcdLab => {
            if (!lab) throw new Error("the etcd lab did not start (see the before hook)");
            return lab;
        };

        it(`drill 5: a follower dies -> writes continue (back within ${ETCD_BOUNDS.memberLossMs / 1000} s)`, async function () {
            const l = L();
            await l.steady(30_000);
            const r = await l.memberLoss();
            assert.ok(r.ttrMs !== undefined && r.ttrMs < ETCD_BOUNDS.memberLossMs, `${show(r)}\n${l.diag()}`);
        });

        it(`drill 6: the leader dies -> a new leader, writes continue (back within ${ETCD_BOUNDS.leaderLossMs / 1000} s)`, async function () {
            const l = L();
            await l.steady(30_000);
            const r = await l.leaderLoss();
            assert.ok(r.detectMs !== undefined, `no new leader: ${show(r)}\n${l.diag()}`);
            assert.ok(r.ttrMs !== undefined && r.ttrMs < ETCD_BOUNDS.leaderLossMs, `${show(r)}\n${l.diag()}`);
        });

        it(`drill 7: a majority dies -> writes refused; restored -> the cluster heals (writes within ${ETCD_BOUNDS.healMs / 1000} s)`, async function () {
            const l = L();
            await l.steady(30_000);
            const r = await l.majorityLoss();
            assert.equal(r.acceptedDuringOutage, 0, `a put started after the majority was cut off was acknowledged: ${show(r)}`);
            assert.ok(r.refusedDuringOutage > 0, `the writer made no attempt during the outage: ${show(r)}`);
            assert.ok(r.ttrMs !== undefined && r.ttrMs < ETCD_BOUNDS.healMs, `${show(r)}\n${l.diag()}`);
        });

        it("zero lost writes: every acknowledged put is readable with its value", async function () {
            const l = L();
            const v = await l.verify();
            assert.ok(v.acked > 100, `only ${v.acked} acknowledged puts: the writer did not run`);
            assert.deepEqual(v.missing, [], `${v.missing.length} of ${v.acked} acknowledged writes are lost`);
            assert.deepEqual(v.wrong, [], `${v.wrong.length} acknowledged writes read back with another value`);
        });
    });
}
