/**
 * GKE decisions that need no resource (pure, unit tested): the control plane's /28, service
 * account ids, log components. What GKE cannot run is refused by config validation
 * (config/validate-managed.ts).
 */
import { gkeMasterCidr as masterCidr } from "../../../config/placement";
import type { ManagedClusterSpec } from "../../../config/spec";

/** The private control plane's /28: the first candidate that overlaps none of the cluster's ranges (config/placement.ts). */
export function gkeMasterCidr(spec: ManagedClusterSpec): string | undefined {
    return masterCidr([spec.network.nodeCidr, spec.kubernetes.podSubnet, spec.kubernetes.serviceSubnet, ...(spec.cloud.existingNetwork?.subnets.map((s) => s.cidr) ?? [])]);
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
