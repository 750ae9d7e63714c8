/** The drills' measure itself: time to recover and failed requests from client samples. */
import { strict as assert } from "assert";
import type { Sample } from "./client";
import { median, max, recovery } from "./metrics";

const ok = (s: number, e = s + 5, by = "m1"): Sample => ({ s, e, ok: true, by });
const bad = (s: number, e = s + 5, err = "ECONNREFUSED"): Sample => ({ s, e, ok: false, err });
const opts = { windowMs: 1000, slowMs: 500 };

describe("HA drill metrics", function () {
    it("no failure after the fault: recovered at once (TTR 0) once the window has passed", () => {
        const xs = [ok(0), ok(100), ok(200), ok(1200)];
        assert.equal(recovery(xs, 50, 1300, opts).ttrMs, 0);
        assert.equal(recovery(xs, 50, 500, opts).ttrMs, undefined, "window not over yet");
    });

    it("TTR runs from the fault to the end of the first success after the last failure", () => {
        const xs = [ok(0), bad(100), bad(150), ok(175, 260), bad(200), ok(250, 270), ok(300), ok(2000)];
        const r = recovery(xs, 90, 2100, opts);
        assert.equal(r.ttrMs, 270 - 90);
        assert.equal(r.failed, 3);
        assert.equal(r.total, 7);
        assert.deepEqual(r.errors, { ECONNREFUSED: 3 });
    });

    it("a request in flight at the fault counts; one that ended before it does not", () => {
        const xs = [bad(0, 40), bad(60, 2060, "TIMEOUT"), ok(100), ok(1500)];
        const r = recovery(xs, 50, 3000, opts);
        assert.equal(r.failed, 1);
        assert.equal(r.ttrMs, 105 - 50);
    });

    it("a late failure restarts the stability window; slow successes are counted", () => {
        const xs = [bad(100), ok(200, 900), bad(1500), ok(1600)];
        const r = recovery(xs, 0, 2000, opts);
        assert.equal(r.ttrMs, undefined);
        assert.equal(r.stableForMs, 400);
        assert.equal(r.slow, 1);
        assert.equal(recovery(xs, 0, 2700, opts).ttrMs, 1605);
    });

    it("untilFirstSuccess measures until writes flow even without failures", () => {
        const xs = [ok(300, 320), ok(400)];
        assert.equal(recovery(xs, 0, 2000, { ...opts, untilFirstSuccess: true }).ttrMs, 320);
    });

    it("median and max", () => {
        assert.equal(median([3, 1, 2]), 2);
        assert.equal(median([4, 1, 2, 3]), 2.5);
        assert.equal(max([4, 1, 9]), 9);
        assert.ok(Number.isNaN(median([])));
    });
});
