/**
 * Pure helpers shared by the managed clusters (EKS, GKE, AKS): versions, per-zone counts,
 * stable names for list entries, API access lists. No resources here; each is unit tested.
 */
import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { ManagedClusterSpec } from "../../config/spec";
import { nodeSummaries, type ClusterOutputs, type NodeSummary } from "../outputs";
import type { Topology } from "../topology";

/**
 * The `MAJOR.MINOR` every provider takes. The patch of `kubernetes.version` is not pinned on
 * managed clusters: EKS has no patch selection at all, and GKE and AKS patch the control plane
 * themselves (release channel / `patch` upgrade channel).
 */
export function managedMinor(spec: ManagedClusterSpec): string {
    return `1.${spec.kubernetes.minor}`;
}

/**
 * GKE's `nodeCount` is per zone. The pool's count is rounded up to a whole number per zone, so a
 * pool never has fewer nodes than configured: 10 over 3 zones → 4 per zone → 12 nodes; 0 stays 0.
 */
export function perZoneCount(count: number, zones: number): number {
    if (zones <= 0) throw new RangeError("a pool needs at least one zone");
    return Math.ceil(count / zones);
}

/**
 * A short, stable DNS-label part for a list entry (an IAM principal ARN, a group id), so that
 * reordering or removing one entry never renames (replaces) the resources of the others.
 */
export function stableId(value: string): string {
    return crypto.createHash("sha256").update(value).digest("hex").slice(0, 10);
}

/**
 * CIDRs allowed to reach a public API endpoint. An empty `cloud.apiAllowedCidrs` with a public
 * endpoint means the whole internet (authentication still applies); the caller warns about it.
 */
export function publicApiCidrs(spec: ManagedClusterSpec): { cidrs: string[]; open: boolean } {
    const allowed = [...spec.cloud.apiAllowedCidrs];
    return allowed.length > 0 ? { cidrs: allowed, open: false } : { cidrs: ["0.0.0.0/0"], open: true };
}

/** The warning logged for a public endpoint without `apiAllowedCidrs`. */
export const OPEN_API_WARNING =
    "cloud.publicEndpoint is true and cloud.apiAllowedCidrs is empty: the API endpoint accepts connections from the whole internet (authentication still applies). Fix: list your office/VPN CIDRs in cluster.cloud.apiAllowedCidrs";

/** Node summaries with each pool's real size (GKE rounds per zone; AKS adds its system pool). */
function managedNodeSummaries(topo: Topology, countOf: (pool: Topology["pools"][number]) => number, extra: NodeSummary[] = []): NodeSummary[] {
    const byName = new Map(topo.pools.map((p) => [p.name, countOf(p)]));
    return [...extra, ...nodeSummaries(topo).map((n) => (n.count !== undefined && byName.has(n.name) ? { ...n, count: byName.get(n.name)! } : n))];
}

/**
 * `https://<host>[:port]` from a provider output. The host is only absent under the offline
 * mocks (a real provider always reports it once the cluster exists); the endpoint is then
 * unknown, as in a preview, rather than `https://undefined`.
 */
export function httpsEndpoint(host: pulumi.Output<string | undefined>, port?: number): pulumi.Output<string> {
    return host.apply((h) => (h ? `https://${h.replace(/^https:\/\//, "")}${port ? `:${port}` : ""}` : (pulumi.unknown as unknown as string)));
}

/** A managed cluster's outputs: the kubeconfig as a secret, nodes as {@link managedNodeSummaries} reports them. */
export function managedOutputs(
    topo: Topology,
    endpoint: pulumi.Output<string>,
    kubeconfig: pulumi.Output<string>,
    countOf: (pool: Topology["pools"][number]) => number,
    extra: NodeSummary[] = [],
): ClusterOutputs {
    return {
        endpoint,
        kubeconfig: pulumi.secret(kubeconfig),
        nodes: pulumi.output(managedNodeSummaries(topo, countOf, extra)),
        failureTolerance: pulumi.output(topo.tolerance),
    };
}
