/** Turns a validated config into the fully defaulted {@link ClusterSpec}. Call only after `validate` found no problems. */
import { derive } from "./defaults";
import { parseCidr } from "./net";
import type { ClusterConfig } from "./schema";
import type { ClusterSpec, EndpointSpec, Host } from "./spec";
import { parseVersion } from "./versions";

const hosts = (list: readonly Host[]): Host[] => list.map((h) => ({ name: h.name, address: h.address, zone: h.zone }));

export function buildSpec(cfg: ClusterConfig, stack: string): ClusterSpec {
    const d = derive(cfg, stack);
    const e = cfg.endpoint;
    const base = { dnsName: e.dnsName ?? `api.${d.name}.internal`, port: e.port, extraSANs: [...e.extraSANs] };
    let endpoint: EndpointSpec;
    switch (d.endpointKind) {
        case "vip":
            endpoint = {
                ...base,
                kind: "vip",
                vip: e.vip!,
                vipPrefix: parseCidr(cfg.network.nodeCidr).prefix,
                interface: e.interface,
                virtualRouterId: e.virtualRouterId,
                lbHosts: hosts(e.lbHosts),
                haproxy: { ...e.haproxy },
                keepalived: { ...e.keepalived },
            };
            break;
        case "external":
            endpoint = { ...base, kind: "external", address: e.address! };
            break;
        case "loadBalancer":
            endpoint = { ...base, kind: "loadBalancer" };
            break;
        case "direct":
            endpoint = { ...base, kind: "direct" };
            break;
        default: {
            const never: never = d.endpointKind;
            throw new Error(`unknown endpoint kind ${String(never)}`);
        }
    }
    const k = cfg.kubernetes;
    return {
        name: d.name,
        profile: cfg.profile,
        platform: cfg.platform,
        family: cfg.family,
        kubernetes: {
            version: k.version,
            minor: parseVersion(k.version)!.minor,
            podSubnet: k.podSubnet,
            serviceSubnet: k.serviceSubnet,
            dnsDomain: k.dnsDomain,
            maxPodsPerNode: k.maxPodsPerNode,
            ...(k.cniManifestUrl ? { cniManifestUrl: k.cniManifestUrl } : {}),
            apiServerExtraArgs: { ...k.apiServerExtraArgs },
        },
        network: { nodeCidr: cfg.network.nodeCidr },
        controlPlane: { count: d.controlPlanes, hosts: hosts(cfg.controlPlane.hosts) },
        workers: { count: d.workers, hosts: hosts(cfg.workers.hosts) },
        etcd: {
            topology: cfg.etcd.topology,
            count: d.etcdMembers,
            hosts: hosts(cfg.etcd.hosts),
            heartbeatIntervalMs: cfg.etcd.heartbeatIntervalMs,
            electionTimeoutMs: cfg.etcd.electionTimeoutMs,
            version: cfg.etcd.version,
        },
        endpoint,
        ...(cfg.ssh ? { ssh: { ...cfg.ssh } } : {}),
        tolerance: { zones: d.zoneTolerance },
    };
}
