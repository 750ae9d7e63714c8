/**
 * Topology (pure): from a {@link ClusterSpec}, every node with its role, zone, stable name and
 * address; the endpoint every client dials; and what the placement survives.
 */
import { memberTolerance, quorum, zoneLoss, type ZoneGroup } from "../../config/quorum";
import { isIPv4 } from "../../config/net";
import { addressAt, OFFSET, roundRobin, zoneSubnets, type PlacedSubnet } from "../../config/placement";
import type { CloudClusterSpec, ClusterSpec, Host, ManagedClusterSpec } from "../../config/spec";

export type { PlacedSubnet } from "../../config/placement";

export type Role = "lb" | "etcd" | "control-plane" | "worker";

export interface TopologyNode {
    readonly name: string;
    readonly role: Role;
    readonly zone: string;
    readonly address: string;
    /** Position within its role; the control plane with index 0 runs `kubeadm init`. */
    readonly index: number;
}

export interface Endpoint {
    /** Host part of `controlPlaneEndpoint` (a DNS name). */
    readonly host: string;
    readonly port: number;
    /** `host:port`, the kubeadm `controlPlaneEndpoint`. */
    readonly controlPlaneEndpoint: string;
    /** Where workers send the endpoint name (`/etc/hosts`); undefined when DNS must answer. */
    readonly address?: string;
    /** Every name and address a client may dial, for `apiServer.certSANs`. */
    readonly certSANs: readonly string[];
}

/**
 * How many of each may be lost with the cluster still serving the API and accepting writes.
 * `null`: not ours to count (a managed control plane, a cloud load balancer).
 */
export interface FailureTolerance {
    readonly zones: number;
    readonly etcdMembers: number | null;
    readonly lbHosts: number | null;
    readonly apiServers: number | null;
    readonly notes: readonly string[];
}

/** A worker pool placed on a cloud: one scaling group over its zones' subnets. */
export interface PoolPlacement {
    readonly name: string;
    readonly count: number;
    readonly instanceType: string;
    readonly zones: readonly string[];
    readonly labels: Readonly<Record<string, string>>;
    /** Subnets the group spans (zonal on AWS; the regional subnet on GCP and Azure). */
    readonly subnets: readonly PlacedSubnet[];
}

export interface Topology {
    readonly cluster: string;
    /** All nodes: LB hosts, external etcd, control planes, workers, in that order. */
    readonly nodes: readonly TopologyNode[];
    readonly lbs: readonly TopologyNode[];
    readonly etcd: readonly TopologyNode[];
    readonly controlPlanes: readonly TopologyNode[];
    readonly workers: readonly TopologyNode[];
    /** Members of the etcd cluster: the control planes when stacked. */
    readonly etcdMembers: readonly TopologyNode[];
    readonly endpoint: Endpoint;
    readonly tolerance: FailureTolerance;
    /** Node subnets on clouds: one per zone on AWS, one regional on GCP and Azure; empty on-prem. */
    readonly subnets: readonly PlacedSubnet[];
    /** Worker pools on clouds; empty on-prem (workers are hosts there). */
    readonly pools: readonly PoolPlacement[];
}

function place(hosts: readonly Host[], role: Role): TopologyNode[] {
    return hosts.map((h, index) => ({ name: h.name, role, zone: h.zone, address: h.address, index }));
}

function unique(values: readonly string[]): string[] {
    return [...new Set(values)];
}

/** Node subnets of a cloud cluster: existing ones as given, else carved from `network.nodeCidr`. */
function cloudSubnets(spec: CloudClusterSpec): PlacedSubnet[] {
    const cloud = spec.cloud;
    const ex = cloud.existingNetwork;
    if (spec.platform === "aws") {
        if (ex) return cloud.zones.map((zone, i) => {
            const s = ex.subnets.find((x) => x.zone === zone) ?? ex.subnets[i];
            return { zone, cidr: s.cidr, id: s.id };
        });
        return zoneSubnets(spec.network.nodeCidr, cloud.zones);
    }
    // GCP and Azure subnets are regional: one serves every zone.
    if (ex) return [{ cidr: ex.subnets[0].cidr, id: ex.subnets[0].id }];
    return [{ cidr: spec.network.nodeCidr }];
}

/** Places `count` machines of a role round-robin over the zones, each at a fixed address. */
function placeCloud(count: number, role: Role, prefix: string, offset: number, zones: readonly string[], subnets: readonly PlacedSubnet[]): TopologyNode[] {
    const perSubnet = new Map<string, number>();
    return roundRobin(count, zones).map((zone, index) => {
        const subnet = subnets.find((s) => s.zone === zone) ?? subnets[0];
        const k = perSubnet.get(subnet.cidr) ?? 0;
        perSubnet.set(subnet.cidr, k + 1);
        return { name: `${prefix}-${index + 1}`, role, zone, address: addressAt(subnet.cidr, offset + k), index };
    });
}

export function buildTopology(spec: ClusterSpec): Topology {
    const cloud = spec.platform === "onprem" ? undefined : spec.cloud;
    const subnets = spec.platform === "onprem" ? [] : cloudSubnets(spec);
    const managed = spec.family === "managed";
    const lbs = spec.endpoint.kind === "vip" && !managed ? place(spec.endpoint.lbHosts, "lb") : [];
    let etcd: TopologyNode[] = [];
    let controlPlanes: TopologyNode[] = [];
    if (!managed) {
        if (cloud) {
            controlPlanes = placeCloud(spec.controlPlane.count, "control-plane", "cp", OFFSET.controlPlane, cloud.zones, subnets);
            if (spec.etcd.topology === "external") etcd = placeCloud(spec.etcd.count, "etcd", "etcd", OFFSET.etcd, cloud.zones, subnets);
        } else {
            controlPlanes = place(spec.controlPlane.hosts, "control-plane");
            if (spec.etcd.topology === "external") etcd = place(spec.etcd.hosts, "etcd");
        }
    }
    const workers = place(spec.workers.hosts, "worker");
    const pools: PoolPlacement[] = spec.workers.pools.map((p) => ({
        ...p,
        subnets: subnets.filter((s) => s.zone === undefined || p.zones.includes(s.zone)),
    }));
    const etcdMembers = spec.etcd.topology === "stacked" ? controlPlanes : etcd;
    return {
        cluster: spec.name,
        nodes: [...lbs, ...etcd, ...controlPlanes, ...workers],
        lbs,
        etcd,
        controlPlanes,
        workers,
        etcdMembers,
        endpoint: endpointOf(spec, controlPlanes, lbs, subnets),
        tolerance: spec.family === "managed" ? managedTolerance(spec) : toleranceOf(spec, controlPlanes, etcdMembers, lbs),
        subnets,
        pools,
    };
}

function managedTolerance(spec: ManagedClusterSpec): FailureTolerance {
    const zones = spec.cloud.zones.length;
    const poolZones = Math.min(...spec.workers.pools.map((p) => p.zones.length), zones);
    return {
        zones: poolZones >= 2 ? 1 : 0,
        etcdMembers: null,
        lbHosts: null,
        apiServers: null,
        notes: [
            "the provider runs the control plane and etcd across the region's zones",
            `node pools span ${poolZones} zone${poolZones === 1 ? "" : "s"}`,
        ],
    };
}

function endpointOf(spec: ClusterSpec, controlPlanes: readonly TopologyNode[], lbs: readonly TopologyNode[], subnets: readonly PlacedSubnet[]): Endpoint {
    const e = spec.endpoint;
    let host = e.dnsName;
    let address: string | undefined;
    const dialed: string[] = [];
    switch (e.kind) {
        case "vip":
            address = e.vip;
            // HAProxy also answers on each LB host's own address.
            dialed.push(e.vip, ...lbs.map((l) => l.address));
            break;
        case "external":
            if (isIPv4(e.address)) address = e.address;
            else host = e.address; // the user's DNS answers for their load balancer
            dialed.push(e.address);
            break;
        case "direct":
            address = controlPlanes[0]?.address;
            break;
        case "loadBalancer":
            // GCP and Azure internal load balancers take a fixed address in the regional subnet;
            // AWS's NLB is known by a DNS name the platform adds once it exists.
            if (spec.platform !== "aws" && spec.platform !== "onprem" && spec.family !== "managed" && subnets.length > 0 && !spec.cloud.publicEndpoint) {
                address = addressAt(subnets[0].cidr, OFFSET.endpoint);
                dialed.push(address);
            }
            break;
        default: {
            const never: never = e;
            throw new Error(`unknown endpoint ${JSON.stringify(never)}`);
        }
    }
    return {
        host,
        port: e.port,
        controlPlaneEndpoint: `${host}:${e.port}`,
        ...(address ? { address } : {}),
        certSANs: unique([e.dnsName, host, ...dialed, ...e.extraSANs, "localhost", "127.0.0.1"]),
    };
}

function toleranceOf(
    spec: ClusterSpec,
    controlPlanes: readonly TopologyNode[],
    etcdMembers: readonly TopologyNode[],
    lbs: readonly TopologyNode[],
): FailureTolerance {
    const notes: string[] = [];
    const groups: ZoneGroup[] = [
        { what: "etcd members", zones: etcdMembers.map((n) => n.zone), mustRemain: quorum(etcdMembers.length) },
        { what: "control planes", zones: controlPlanes.map((n) => n.zone), mustRemain: 1 },
    ];
    let lbHosts: number | null = 0;
    let apiServers = Math.max(0, controlPlanes.length - 1);
    switch (spec.endpoint.kind) {
        case "vip":
            groups.push({ what: "LB hosts", zones: lbs.map((n) => n.zone), mustRemain: 1 });
            lbHosts = Math.max(0, lbs.length - 1);
            break;
        case "direct":
            apiServers = 0;
            notes.push("the endpoint is the first control plane: losing it loses the API endpoint");
            break;
        case "external":
            notes.push("the external load balancer's own redundancy is not counted");
            break;
        case "loadBalancer":
            lbHosts = null;
            notes.push("the cloud load balancer is redundant across zones");
            break;
    }
    const loss = zoneLoss(groups);
    if (loss.breaking) {
        const b = loss.breaking;
        notes.push(`losing ${b.zones.length === 1 ? "zone" : `${b.zones.length} zones at once, e.g.`} ${b.zones.join(" and ")} leaves too few ${b.group.what}`);
    }
    if (spec.etcd.topology === "stacked") notes.push("stacked etcd: losing a control plane also loses an etcd member");
    return {
        zones: loss.tolerated,
        etcdMembers: memberTolerance(etcdMembers.length),
        lbHosts,
        apiServers: Math.min(apiServers, spec.etcd.topology === "stacked" ? memberTolerance(etcdMembers.length) : apiServers),
        notes,
    };
}
