/** Stack outputs every platform component exposes, derived in one place. */
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../config/spec";
import type { ClusterPki } from "./pki";
import { renderKubeconfig } from "./render/kubeconfig";
import { buildTopology, type FailureTolerance, type Role, type Topology } from "./topology";

export interface NodeSummary {
    readonly name: string;
    readonly role: Role;
    readonly zone: string;
    readonly address?: string;
    /** Set for a scaling-group pool: its size. */
    readonly count?: number;
}

export interface ClusterOutputs {
    /** `https://<address or name>:<port>`: where kubectl connects from outside. */
    readonly endpoint: pulumi.Output<string>;
    /** Admin kubeconfig pointing at {@link endpoint}. Secret. */
    readonly kubeconfig: pulumi.Output<string>;
    readonly nodes: pulumi.Output<NodeSummary[]>;
    readonly failureTolerance: pulumi.Output<FailureTolerance>;
    /**
     * Self-managed clouds: where etcd members upload their snapshots, as a URL an operator's tools
     * take (`s3://<bucket>`, `gs://<bucket>`, `https://<account>.blob.core.windows.net/<container>`).
     * Absent on-prem (snapshots stay on the members, or go where `copyCommand` sends them) and on
     * managed clusters (the provider backs up its etcd).
     */
    readonly etcdBackupStore?: pulumi.Output<string>;
}

export interface OutputsInput {
    readonly spec: ClusterSpec;
    readonly topology: Topology;
    /** admin.conf as read from the first control plane (secret). */
    readonly rawKubeconfig: pulumi.Output<string>;
    /** Overrides the address used from outside (e.g. a cloud load balancer's DNS name). */
    readonly externalAddress?: pulumi.Input<string>;
}

/** Machines by name, then one entry per scaling-group pool (a pool is one entry, with its size). */
export function nodeSummaries(t: Topology): NodeSummary[] {
    return [
        ...t.nodes.map((n) => ({ name: n.name, role: n.role, zone: n.zone, address: n.address })),
        ...t.pools.map((p) => ({ name: p.name, role: "worker" as const, zone: p.zones.join(","), count: p.count })),
    ];
}

export function clusterOutputs(input: OutputsInput): ClusterOutputs {
    const t = input.topology;
    const address = pulumi.output(input.externalAddress ?? t.endpoint.address ?? t.endpoint.host);
    const endpoint = pulumi.interpolate`https://${address}:${t.endpoint.port}`;
    const kubeconfig = pulumi.secret(
        pulumi.all([input.rawKubeconfig, endpoint]).apply(([raw, url]) => raw.replace(/^(\s*server:\s*).*$/m, `$1${url}`)),
    );
    return {
        endpoint,
        kubeconfig,
        nodes: pulumi.output(nodeSummaries(t)),
        failureTolerance: pulumi.output(t.tolerance),
    };
}

/**
 * What a cluster component records as its own inputs: the shape policy packs check (HA rules)
 * without re-deriving the topology from individual resources.
 */
export interface ClusterFacts {
    readonly profile: string;
    readonly platform: string;
    readonly family: string;
    readonly kubernetesVersion: string;
    readonly controlPlanes: { readonly count: number; readonly zones: string[] };
    readonly etcd: { readonly topology: string; readonly members: number; readonly zones: string[] };
    readonly endpoint: { readonly kind: string; readonly healthCheck: string | null };
    readonly tolerance: FailureTolerance;
}

export function clusterFacts(spec: ClusterSpec, t: Topology): ClusterFacts {
    const e = spec.endpoint;
    return {
        profile: spec.profile,
        platform: spec.platform,
        family: spec.family,
        kubernetesVersion: spec.kubernetes.version,
        controlPlanes: { count: t.controlPlanes.length, zones: t.controlPlanes.map((n) => n.zone) },
        etcd: { topology: spec.etcd.topology, members: t.etcdMembers.length, zones: t.etcdMembers.map((n) => n.zone) },
        // Every platform's load balancer checks the API servers with HTTPS /readyz; an external one is the user's.
        endpoint: { kind: e.kind, healthCheck: e.kind === "vip" ? `https ${e.haproxy.healthPath}` : e.kind === "loadBalancer" ? "https /readyz" : null },
        // No worker count here: adding a worker must not change the cluster component's inputs.
        tolerance: t.tolerance,
    };
}

/**
 * What every cluster component shares: the topology built once, the cluster's facts as the
 * component's inputs (so policy packs can check the HA shape), and the {@link ClusterOutputs}
 * set and registered in one place ({@link finish}) together with the platform's own outputs.
 */
export abstract class ClusterComponent extends pulumi.ComponentResource implements ClusterOutputs {
    readonly topology: Topology;
    private shared?: ClusterOutputs;

    protected constructor(type: string, name: string, spec: ClusterSpec, opts?: pulumi.ComponentResourceOptions) {
        const topology = buildTopology(spec);
        super(type, name, { facts: clusterFacts(spec, topology) }, opts);
        this.topology = topology;
    }

    get endpoint(): pulumi.Output<string> {
        return this.outputs().endpoint;
    }
    get kubeconfig(): pulumi.Output<string> {
        return this.outputs().kubeconfig;
    }
    get nodes(): pulumi.Output<NodeSummary[]> {
        return this.outputs().nodes;
    }
    get failureTolerance(): pulumi.Output<FailureTolerance> {
        return this.outputs().failureTolerance;
    }

    /** Sets the shared outputs and registers them with the platform's own (`extra`). Call once, last. */
    protected finish(outputs: ClusterOutputs, extra: Record<string, pulumi.Input<unknown>> = {}): void {
        this.shared = outputs;
        this.registerOutputs({
            endpoint: outputs.endpoint,
            kubeconfig: outputs.kubeconfig,
            nodes: outputs.nodes,
            failureTolerance: outputs.failureTolerance,
            ...extra,
        });
    }

    private outputs(): ClusterOutputs {
        if (!this.shared) throw new Error(`${this.constructor.name}: outputs read before the component finished`);
        return this.shared;
    }
}

/**
 * A self-managed cloud cluster's outputs: nothing reads admin.conf back from a cloud machine, so
 * the kubeconfig carries the PKI's break-glass admin credentials and dials `externalAddress`
 * (the load balancer's name or address; the endpoint's own without one).
 */
export function cloudClusterOutputs(spec: ClusterSpec, topology: Topology, pki: ClusterPki, externalAddress?: pulumi.Input<string>): ClusterOutputs {
    const t = topology;
    const server = pulumi.interpolate`https://${externalAddress ?? t.endpoint.address ?? t.endpoint.host}:${t.endpoint.port}`;
    const admin = pki.admin;
    if (!admin) throw new Error("cloudClusterOutputs: the PKI was made without adminCredentials");
    const rawKubeconfig = pulumi.secret(
        pulumi.all([server, pki.caCertPem, admin.certPem, admin.keyPem]).apply(([url, caPem, clientCertPem, clientKeyPem]) =>
            renderKubeconfig({ cluster: spec.name, server: url, caPem, user: "hacluster-admin", clientCertPem, clientKeyPem }),
        ),
    );
    return clusterOutputs({ spec, topology, rawKubeconfig, ...(externalAddress !== undefined ? { externalAddress } : {}) });
}
