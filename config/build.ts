/** Turns a validated config into the fully defaulted {@link ClusterSpec}. Call only after `validate` found no problems. */
import { DEFAULT_INSTANCE_TYPES, derive } from "./defaults";
import { parseCidr } from "./net";
import { KUBEADM_ETCD, mirrorSpec } from "./nodes";
import { DEFAULT_ZONE, ManagedSchema, type ClusterConfig, type HostConfig } from "./schema";
import type { ClusterSpec, CloudSpec, EndpointSpec, Host, WorkerPoolSpec } from "./spec";
import { parseVersion } from "./versions";

const hosts = (list: readonly HostConfig[]): Host[] => list.map((h) => ({ name: h.name, address: h.address, zone: h.zone ?? DEFAULT_ZONE }));

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
    const cloudPlatform = cfg.platform === "onprem" ? undefined : cfg.platform;
    const defaultType = cloudPlatform ? DEFAULT_INSTANCE_TYPES[cloudPlatform] : undefined;
    const cpType = cfg.controlPlane.instanceType ?? defaultType;
    const workerType = cfg.workers.instanceType ?? defaultType;
    const zones = cfg.cloud?.zones ?? [];
    const pools: WorkerPoolSpec[] = !cloudPlatform
        ? []
        : (cfg.workers.pools ?? [{ name: "workers", count: d.workers, labels: {} }]).map((p) => ({
              name: p.name,
              count: p.count,
              instanceType: ("instanceType" in p && p.instanceType) || workerType!,
              zones: "zones" in p && p.zones ? zones.filter((z) => p.zones!.includes(z)) : [...zones],
              labels: { ...p.labels },
          }));
    const c = cfg.cloud;
    const cloud: CloudSpec | undefined = c && cloudPlatform
        ? {
              region: c.region,
              zones: [...c.zones],
              ...(c.existingNetwork ? { existingNetwork: { networkId: c.existingNetwork.networkId, subnets: c.existingNetwork.subnets.map((x) => ({ ...x })) } } : {}),
              ...(c.image ? { image: c.image } : {}),
              diskGb: c.diskGb,
              publicEndpoint: c.publicEndpoint,
              apiAllowedCidrs: [...c.apiAllowedCidrs],
              ...(c.sshPublicKey ? { sshPublicKey: c.sshPublicKey } : {}),
              sshAllowedCidrs: [...c.sshAllowedCidrs],
              ...(c.project ? { project: c.project } : {}),
              ...(cloudPlatform === "azure" ? { resourceGroup: c.resourceGroup ?? `${d.name}-rg`, encryptionAtHost: c.encryptionAtHost ?? true } : {}),
          }
        : undefined;
    const common = {
        name: d.name,
        profile: cfg.profile,
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
        controlPlane: { count: d.controlPlanes, hosts: hosts(cfg.controlPlane.hosts), ...(cpType && !d.managed ? { instanceType: cpType } : {}) },
        workers: { count: d.workers, hosts: hosts(cfg.workers.hosts), pools },
        etcd: {
            topology: cfg.etcd.topology,
            count: d.etcdMembers,
            hosts: hosts(cfg.etcd.hosts),
            heartbeatIntervalMs: cfg.etcd.heartbeatIntervalMs,
            electionTimeoutMs: cfg.etcd.electionTimeoutMs,
            // Managed clusters: the provider runs etcd (no release of ours).
            version: cfg.etcd.topology === "external" && cfg.etcd.version ? cfg.etcd.version : (KUBEADM_ETCD[parseVersion(k.version)!.minor] ?? ""),
            backup: { ...cfg.etcd.backup },
            ...(cloudPlatform && cfg.etcd.topology === "external" ? { instanceType: cfg.etcd.instanceType ?? cpType! } : {}),
        },
        endpoint,
        ...(cfg.ssh ? { ssh: { ...cfg.ssh } } : {}),
        tolerance: { zones: d.zoneTolerance },
        mirror: mirrorSpec(cfg.mirror),
        containerRuntime: { ...cfg.containerRuntime },
        nodes: { ...cfg.nodes },
    };
    // One variant per platform and family: a component receives exactly the fields it needs.
    if (!cloudPlatform) return { ...common, platform: "onprem", family: "self-managed" };
    if (!cloud) throw new Error(`buildSpec: a validated ${cloudPlatform} config has cluster.cloud`);
    if (!d.managed) return { ...common, platform: cloudPlatform, family: "self-managed", cloud };
    return {
        ...common,
        platform: cloudPlatform,
        family: "managed",
        cloud,
        managed: { ...(cfg.managed ?? ManagedSchema.parse({})), adminPrincipals: [...(cfg.managed?.adminPrincipals ?? [])] },
    };
}
