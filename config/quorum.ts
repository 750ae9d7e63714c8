/**
 * Failure arithmetic shared by validation (which refuses weak placements) and topology (which
 * reports what a placement tolerates).
 */

/** Members that must stay up for a Raft cluster of `n` to accept writes. */
export function quorum(n: number): number {
    return Math.floor(n / 2) + 1;
}

/** Members of a Raft cluster of `n` that may fail. */
export function memberTolerance(n: number): number {
    return n === 0 ? 0 : n - quorum(n);
}

/** What a group needs to survive the loss of a set of zones. */
export interface ZoneGroup {
    /** What the group is, for messages: `etcd members`. */
    readonly what: string;
    /** Zone of each member. */
    readonly zones: readonly string[];
    /** Members that must remain. */
    readonly mustRemain: number;
}

export interface ZoneLoss {
    /** How many zones may be lost at once with every group still served. */
    readonly tolerated: number;
    /** The first loss that breaks a group: zones lost, and which group fails. */
    readonly breaking?: { readonly zones: readonly string[]; readonly group: ZoneGroup; readonly lost: number };
}

function combinations<T>(items: readonly T[], k: number): T[][] {
    if (k === 0) return [[]];
    if (items.length < k) return [];
    const [first, ...rest] = items;
    return [...combinations(rest, k - 1).map((c) => [first, ...c]), ...combinations(rest, k)];
}

/** The number of zones that may be lost at once while every group keeps `mustRemain` members. */
export function zoneLoss(groups: readonly ZoneGroup[]): ZoneLoss {
    const allZones = [...new Set(groups.flatMap((g) => g.zones))].sort();
    for (let k = 1; k <= allZones.length; k++) {
        for (const lost of combinations(allZones, k)) {
            for (const g of groups) {
                const gone = g.zones.filter((z) => lost.includes(z)).length;
                if (g.zones.length - gone < g.mustRemain) {
                    return { tolerated: k - 1, breaking: { zones: lost, group: g, lost: gone } };
                }
            }
        }
    }
    return { tolerated: allZones.length };
}
