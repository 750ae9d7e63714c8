/** Shared configs for unit tests: the seeds' HA topology as plain config data. */
import type { RawStackConfig } from "../../config";

export const host = (name: string, address: string, zone?: string) => ({ name, address, ...(zone ? { zone } : {}) });

/** The dev stack's cluster (seeds: 2 LB hosts + VIP, 3 control planes, stacked etcd). */
export function seedsCluster(): Record<string, any> {
    return {
        name: "dev",
        network: { nodeCidr: "211.183.3.0/24" },
        endpoint: {
            kind: "vip",
            vip: "211.183.3.250",
            interface: "ens32",
            lbHosts: [host("lb-a", "211.183.3.251", "rack-a"), host("lb-b", "211.183.3.252", "rack-b")],
        },
        controlPlane: {
            hosts: [host("master1", "211.183.3.100", "rack-a"), host("master2", "211.183.3.101", "rack-b"), host("master3", "211.183.3.102", "rack-c")],
        },
        workers: { hosts: [host("worker1", "211.183.3.110", "rack-a"), host("worker2", "211.183.3.111", "rack-b")] },
        ssh: { user: "ubuntu", agent: true },
    };
}

export function seeds(overrides: Partial<RawStackConfig> = {}): RawStackConfig {
    return { profile: "ha", platform: "onprem", cluster: seedsCluster(), ...overrides };
}

/** Deep-merges `patch` into a copy of `base`; `undefined` in the patch deletes a key. */
export function merge<T>(base: T, patch: unknown): T {
    if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch as T;
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
        if (v === undefined) delete out[k];
        else out[k] = typeof v === "object" && v !== null && !Array.isArray(v) && typeof out[k] === "object" ? merge(out[k], v) : v;
    }
    return out as T;
}

/** The seeds' stack with a patch applied to `hacluster:cluster`. */
export function seedsWith(clusterPatch: unknown, top: Partial<RawStackConfig> = {}): RawStackConfig {
    return { ...seeds(), ...top, cluster: merge(seedsCluster(), clusterPatch) };
}
