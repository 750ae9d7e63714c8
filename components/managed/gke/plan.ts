/**
 * GKE decisions that need no resource (pure, unit tested): the control plane's /28, service
 * account ids, log components, and the checks a spec must pass before anything is created.
 */
import { overlaps } from "../../../config/net";
import type { ManagedClusterSpec } from "../../../config/spec";

/** Candidates for the private control plane's /28, in order of preference. */
const MASTER_CIDRS = ["172.16.0.0/28", "172.31.255.240/28", "192.168.255.240/28", "10.255.255.240/28"];

/** The first candidate /28 that overlaps none of the cluster's ranges (nodes, pods, services). */
export function gkeMasterCidr(spec: ManagedClusterSpec): string | undefined {
    const taken = [spec.network.nodeCidr, spec.kubernetes.podSubnet, spec.kubernetes.serviceSubnet, ...(spec.cloud.existingNetwork?.subnets.map((s) => s.cidr) ?? [])];
    return MASTER_CIDRS.find((c) => !taken.some((t) => overlaps(c, t)));
}

/** A service account id (6–30 characters, starts with a letter) from the cluster name. */
export function gcpAccountId(cluster: string, suffix: string): string {
    let base = cluster.slice(0, 29 - suffix.length).replace(/-+$/, "");
    if (!/^[a-z]/.test(base)) base = `g${base}`.slice(0, 29 - suffix.length).replace(/-+$/, "");
    return `${base}-${suffix}`;
}

/** System logs always; the control plane's components when `managed.controlPlaneLogging`. */
export function gkeLogComponents(controlPlaneLogging: boolean): string[] {
    return controlPlaneLogging ? ["SYSTEM_COMPONENTS", "WORKLOADS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER"] : ["SYSTEM_COMPONENTS", "WORKLOADS"];
}

/** The GKE node pools' service account roles: GKE's minimal node role, and image pulls. */
export const NODE_ROLES = { node: "roles/container.defaultNodeServiceAccount", images: "roles/artifactregistry.reader" } as const;

/** GKE's service agent in a project, by project number; undefined while the number is not known (offline). */
export function gkeServiceAgent(projectNumber: string | undefined): string | undefined {
    return projectNumber ? `serviceAccount:service-${projectNumber}@container-engine-robot.iam.gserviceaccount.com` : undefined;
}

const IAM_MEMBER = /^(user|group|serviceAccount|domain|principal|principalSet):\S+$/;

/** Everything that makes a spec impossible on GKE, as `<path>: <problem>. Fix: <fix>` lines. */
export function gkeProblems(spec: ManagedClusterSpec): string[] {
    const problems: string[] = [];
    const cloud = spec.cloud;
    const managed = spec.managed;
    if (!cloud.publicEndpoint && !managed.privateNodes) {
        problems.push("cluster.cloud.publicEndpoint: a GKE cluster with a private endpoint needs private nodes (got managed.privateNodes: false). Fix: set cluster.managed.privateNodes: true, or cloud.publicEndpoint: true");
    }
    if (managed.privateNodes && !gkeMasterCidr(spec)) {
        problems.push(`cluster.network.nodeCidr: every candidate /28 for the private control plane overlaps the cluster's ranges. Fix: keep one of 172.16.0.0/28 or 172.31.255.240/28 free`);
    }
    managed.adminPrincipals.forEach((p, i) => {
        if (!IAM_MEMBER.test(p)) {
            problems.push(`cluster.managed.adminPrincipals[${i}]: GKE admins are IAM members (got ${JSON.stringify(p)}). Fix: write e.g. group:platform-admins@example.com or user:alice@example.com`);
        }
    });
    return problems;
}
