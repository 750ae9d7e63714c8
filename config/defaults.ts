/**
 * Profile defaults: the seeds' cluster purposes. `learning` is one node, `dev` one control plane
 * with workers, `ha` the production shape (three control planes over three zones, an HA endpoint).
 * Resolved here and nowhere else.
 */
import type { ClusterConfig } from "./schema";
import type { EndpointKind, EtcdTopology, Platform, Profile } from "./spec";

export interface ProfileDefaults {
    readonly controlPlanes: number;
    readonly workers: number;
    readonly externalEtcdMembers: number;
    readonly endpointKind: EndpointKind;
    readonly zoneTolerance: number;
}

export function profileDefaults(profile: Profile, platform: Platform): ProfileDefaults {
    switch (profile) {
        case "learning":
            return { controlPlanes: 1, workers: 0, externalEtcdMembers: 1, endpointKind: "direct", zoneTolerance: 0 };
        case "dev":
            return { controlPlanes: 1, workers: 2, externalEtcdMembers: 1, endpointKind: "direct", zoneTolerance: 0 };
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

/** Counts and kinds after defaults, derived from a structurally valid config. */
export interface Derived {
    readonly onprem: boolean;
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
    const d = profileDefaults(cfg.profile, cfg.platform);
    const controlPlanes = onprem ? cfg.controlPlane.hosts.length : (cfg.controlPlane.count ?? d.controlPlanes);
    const etcdMembers =
        cfg.etcd.topology === "stacked" ? controlPlanes : onprem ? cfg.etcd.hosts.length : (cfg.etcd.count ?? d.externalEtcdMembers);
    return {
        onprem,
        name: cfg.name ?? stack,
        controlPlanes,
        workers: onprem ? cfg.workers.hosts.length : (cfg.workers.count ?? d.workers),
        etcdTopology: cfg.etcd.topology,
        etcdMembers,
        endpointKind: cfg.endpoint.kind ?? d.endpointKind,
        zoneTolerance: cfg.tolerance.zones ?? d.zoneTolerance,
    };
}
