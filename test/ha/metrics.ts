/**
 * What a drill measures, from the client's samples: time to recover and failed requests.
 *
 * Time to recover (TTR): from the fault (t0) to the end of the first successful request that
 * started after the last failed one, provided every request since then succeeded for a stability
 * window (otherwise the service has not recovered yet). No failure at all: TTR 0. Requests in
 * flight at t0 count (their end is after t0). A request is failed when it errored, timed out or
 * got a non-200 answer; slow when it succeeded but took longer than `slowMs`.
 */
import type { Sample } from "./client";

export interface Recovery {
    /** ms from t0 to the first success of the stable tail; undefined while not recovered. */
    readonly ttrMs: number | undefined;
    readonly failed: number;
    readonly slow: number;
    readonly total: number;
    /** ms the stable tail has lasted so far (0 when the last request failed). */
    readonly stableForMs: number;
    /** Error kinds of the failed requests, with counts. */
    readonly errors: Readonly<Record<string, number>>;
}

/**
 * With `untilFirstSuccess`, TTR runs to the first success of the stable tail even when nothing
 * failed after t0 (for "time until writes flow again after a restore").
 */
export function recovery(samples: readonly Sample[], t0: number, now: number, opts: { windowMs: number; slowMs: number; untilFirstSuccess?: boolean }): Recovery {
    const seen = samples.filter((x) => x.e >= t0);
    const failed = seen.filter((x) => !x.ok);
    const slow = seen.filter((x) => x.ok && x.e - x.s > opts.slowMs).length;
    const errors: Record<string, number> = {};
    for (const f of failed) {
        const k = (f.err ?? "?").split(" ").slice(0, 2).join(" ");
        errors[k] = (errors[k] ?? 0) + 1;
    }
    const base = { failed: failed.length, slow, total: seen.length, errors };
    const lastFailStart = failed.reduce((m, x) => Math.max(m, x.s), -Infinity);
    const after = seen.filter((x) => x.ok && x.s > lastFailStart).sort((x, y) => x.s - y.s);
    if (after.length === 0) return { ...base, ttrMs: undefined, stableForMs: 0 };
    const first = after[0];
    const stableForMs = now - first.s;
    const ttrMs = failed.length === 0 && !opts.untilFirstSuccess ? 0 : Math.max(0, first.e - t0);
    return { ...base, ttrMs: stableForMs >= opts.windowMs ? ttrMs : undefined, stableForMs };
}

export function median(xs: readonly number[]): number {
    if (xs.length === 0) return NaN;
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function max(xs: readonly number[]): number {
    return xs.length ? Math.max(...xs) : NaN;
}

/** Parses the JSON lines a client prints; ignores anything else. */
export function parseSample(text: string): Sample | undefined {
    if (!text.startsWith("{")) return undefined;
    try {
        const x = JSON.parse(text) as Sample;
        return typeof x.s === "number" && typeof x.e === "number" && typeof x.ok === "boolean" ? x : undefined;
    } catch {
        return undefined;
    }
}
