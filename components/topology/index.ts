/**
 * Topology (pure): from a {@link ClusterSpec}, every node with its role, zone, stable name and
 * address; the endpoint every client dials; and what the placement survives.
 */
import { memberTolerance, quorum, zoneLoss, type ZoneGroup } from "../../config/quorum";
import { isIPv4 } from "../../config/net";
import type { ClusterSpec, Host } from "../../config/spec";

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

/** How many of each may be lost with the cluster still serving the API and accepting writes. */
export interface FailureTolerance {
    readonly zones: number;
    readonly etcdMembers: number;
    readonly lbHosts: number;
    readonly apiServers: number;
    readonly notes: readonly string[];
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
}

function place(hosts: readonly Host[], role: Role): TopologyNode[] {
    return hosts.map((h, index) => ({ name: h.name, role, zone: h.zone, address: h.address, index }));
}

function unique(values: readonly string[]): string[] {
    return [...new Set(values)];
}

export function buildTopology(spec: ClusterSpec): Topology {
    const lbs = spec.endpoint.kind === "vip" ? place(spec.endpoint.lbHosts, "lb") : [];
    const etcd = spec.etcd.topology === "external" ? place(spec.etcd.hosts, "etcd") : [];
    const controlPlanes = place(spec.controlPlane.hosts, "control-plane");
    const workers = place(spec.workers.hosts, "worker");
    const etcdMembers = spec.etcd.topology === "stacked" ? controlPlanes : etcd;
    return {
        cluster: spec.name,
        nodes: [...lbs, ...etcd, ...controlPlanes, ...workers],
        lbs,
        etcd,
        controlPlanes,
        workers,
        etcdMembers,
        endpoint: endpointOf(spec, controlPlanes, lbs),
        tolerance: toleranceOf(spec, controlPlanes, etcdMembers, lbs),
    };
}

function endpointOf(spec: ClusterSpec, controlPlanes: readonly TopologyNode[], lbs: readonly TopologyNode[]): Endpoint {
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
            break; // the cloud platform adds the load balancer's name and address
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
    let lbHosts = 0;
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
