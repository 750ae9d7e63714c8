/** What the GCP building blocks share: the parent, the project and region, names and labels. */
import type * as pulumi from "@pulumi/pulumi";
import type { SelfManagedCloudSpec } from "../../config/spec";
import { childName } from "../naming";
import type { Topology } from "../topology";
import { gcpLabels } from "./names";

/** Handed to every building block: resources are created as children of the cluster component. */
export interface GcpContext {
    readonly name: string;
    readonly spec: SelfManagedCloudSpec;
    readonly topo: Topology;
    readonly parent: pulumi.ComponentResource;
    /** `cloud.project`: set on every resource, so the provider's default project never decides. */
    readonly project: string;
    readonly region: string;
}

/** A child resource name (one tested function: naming.ts). */
export function n(ctx: GcpContext, ...parts: string[]): string {
    return childName(ctx.name, ...parts);
}

/** Labels of a resource: the cluster, plus e.g. its role. */
export function labels(ctx: GcpContext, extra: Record<string, string> = {}): Record<string, string> {
    return gcpLabels(ctx.spec.name, extra);
}

/** Ubuntu 24.04 LTS from Canonical's image project, when `cloud.image` is not set (no lookup). */
export const DEFAULT_IMAGE = "projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64";
/** Boot disk type: SSD-backed, the balanced default of current machine series (e2, n2, n2d, t2d). */
export const DISK_TYPE = "pd-balanced";

/** Shielded VM: Secure Boot, vTPM and integrity monitoring (Ubuntu's GCE images support all three). */
export const SHIELDED = { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true } as const;

/**
 * Instance metadata besides user-data: SSH by the config's key (user `ubuntu`, OS Login off) when
 * `cloud.sshPublicKey` is set, else OS Login (IAM decides who may log in, and it is audited);
 * project-wide SSH keys never reach cluster machines. The firewall keeps port 22 closed unless
 * `cloud.sshAllowedCidrs` is set.
 */
export function accessMetadata(spec: SelfManagedCloudSpec): Record<string, string> {
    const key = spec.cloud.sshPublicKey;
    return {
        "block-project-ssh-keys": "TRUE",
        "enable-oslogin": key ? "FALSE" : "TRUE",
        ...(key ? { "ssh-keys": `ubuntu:${key.trim()}` } : {}),
    };
}
