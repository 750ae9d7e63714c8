/**
 * Profile defaults: the seeds' cluster purposes. `learning` is one node, `dev` one control plane
 * with workers, `ha` the production shape (three control planes over three zones, an HA endpoint).
 * Resolved here and nowhere else.
 */
import type { ClusterConfig } from "./schema";
import type { EndpointKind, EtcdTopology, Platform, Profile } from "./spec";

interface ProfileDefaults {
    readonly controlPlanes: number;
    readonly workers: number;
    readonly externalEtcdMembers: number;
    readonly endpointKind: EndpointKind;
    readonly zoneTolerance: number;
}

function profileDefaults(profile: Profile, platform: Platform): ProfileDefaults {
    switch (profile) {
        // On clouds the endpoint is the cloud's load balancer in every profile: cheap, and stable.
        case "learning":
            return { controlPlanes: 1, workers: 0, externalEtcdMembers: 1, endpointKind: platform === "onprem" ? "direct" : "loadBalancer", zoneTolerance: 0 };
        case "dev":
            return { controlPlanes: 1, workers: 2, externalEtcdMembers: 1, endpointKind: platform === "onprem" ? "direct" : "loadBalancer", zoneTolerance: 0 };
        case "ha":
            return {
                controlPlanes: 3,
                workers: 3,
                externalEtcdMembers: 3,
                endpointKind: platform === "onprem" ? "vip" : "loadBalancer",
                zoneTolerance: 1,
            };
        default: {
            const never: never = profile;
            throw new Error(`unknown profile ${String(never)}`);
        }
    }
}

/** Machine types per cloud when the config names none: 2+ vCPU, 8 GiB, current generation. */
export const DEFAULT_INSTANCE_TYPES: Readonly<Record<Exclude<Platform, "onprem">, string>> = {
    aws: "m6i.large",
    gcp: "e2-standard-4",
    azure: "Standard_D4s_v5",
};

/** Counts and kinds after defaults, derived from a structurally valid config. */
export interface Derived {
    readonly onprem: boolean;
    readonly managed: boolean;
    readonly name: string;
    readonly controlPlanes: number;
    readonly workers: number;
    readonly etcdTopology: EtcdTopology;
    readonly etcdMembers: number;
    readonly endpointKind: EndpointKind;
    readonly zoneTolerance: number;
}

export function derive(cfg: ClusterConfig, stack: string): Derived {
    const onprem = cfg.platform === "onprem";
    const managed = cfg.family === "managed";
    const d = profileDefaults(cfg.profile, cfg.platform);
    // A managed cluster's control plane and etcd are the provider's: none of ours to count.
    const controlPlanes = managed ? 0 : onprem ? cfg.controlPlane.hosts.length : (cfg.controlPlane.count ?? d.controlPlanes);
    const etcdMembers = managed
        ? 0
        : cfg.etcd.topology === "stacked"
          ? controlPlanes
          : onprem
            ? cfg.etcd.hosts.length
            : (cfg.etcd.count ?? d.externalEtcdMembers);
    const pools = cfg.workers.pools;
    return {
        onprem,
        managed,
        name: cfg.name ?? stack,
        controlPlanes,
        workers: onprem ? cfg.workers.hosts.length : pools ? pools.reduce((n, p) => n + p.count, 0) : (cfg.workers.count ?? d.workers),
        etcdTopology: cfg.etcd.topology,
        etcdMembers,
        endpointKind: cfg.endpoint.kind ?? d.endpointKind,
        zoneTolerance: cfg.tolerance.zones ?? d.zoneTolerance,
    };
}
