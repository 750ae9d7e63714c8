/**
 * Names the clouds refuse, per resource, known before anything exists: the cluster name where a
 * provider resource takes it (whole or inside a longer name), the GCP project id, the Azure
 * resource group, AKS agent pool names. Checked in validation for every family, so a name that a
 * provider would refuse at `pulumi up` is a config problem in preview and synth.
 */
import type { Family, Platform } from "./spec";

/** A limit the cluster name meets on one platform and family, and where it comes from. */
interface ClusterNameRule {
    readonly platform: Exclude<Platform, "onprem">;
    readonly family: Family;
    /** Most characters. */
    readonly max: number;
    /** Why, for the message: the resource and the provider's limit. */
    readonly limit: string;
    /** Set when the provider wants a letter first: the message. */
    readonly letterFirst?: string;
}

/**
 * The shortest limits per platform and family. Other names built from the cluster name are cut
 * to fit with a hash (GCP and Azure self-managed: `gceName`, `fitName`), so they need no rule.
 */
const CLUSTER_NAME_RULES: readonly ClusterNameRule[] = [
    // The NLB and its target group are auto-named `<name>-api-nlb-<7 random>`; AWS allows 32.
    { platform: "aws", family: "self-managed", max: 16, limit: 'on AWS the API load balancer is named "<name>-api-nlb-" plus 7 random characters and AWS allows 32' },
    // IAM roles are auto-named `<name>-cluster-role-<7 random>` (and `-node-role-`); IAM allows 64.
    { platform: "aws", family: "managed", max: 43, limit: `on EKS the cluster's IAM role is named "<name>-cluster-role-" plus 7 random characters and AWS allows 64` },
    // GKE: `[a-z]([-a-z0-9]*[a-z0-9])?`, at most 40.
    { platform: "gcp", family: "managed", max: 40, limit: "GKE allows 40 in a cluster name", letterFirst: "GKE cluster names start with a letter" },
    // AKS: the managed cluster's `dnsPrefix` is the cluster name, 1–54 characters.
    { platform: "azure", family: "managed", max: 54, limit: "AKS makes it the cluster's DNS prefix, which allows 54" },
];

export interface NameProblem {
    readonly message: string;
    readonly fix: string;
}

/** What a provider refuses in the cluster name (a DNS label already). */
export function clusterNameProblems(name: string, platform: Platform, family: Family): NameProblem[] {
    const rule = CLUSTER_NAME_RULES.find((r) => r.platform === platform && r.family === family);
    if (!rule) return [];
    const out: NameProblem[] = [];
    if (name.length > rule.max) {
        out.push({ message: `${JSON.stringify(name)} has ${name.length} characters; ${rule.limit}`, fix: `set cluster.name to at most ${rule.max} characters` });
    }
    if (rule.letterFirst && !/^[a-z]/.test(name)) {
        out.push({ message: `${JSON.stringify(name)} starts with a digit; ${rule.letterFirst}`, fix: "set cluster.name to a name that starts with a letter" });
    }
    return out;
}

/**
 * A GCP project id: 6–30 lowercase letters, digits and `-`, a letter first, not ending in `-`;
 * legacy domain-scoped ids carry their domain (`example.com:my-project`).
 */
const GCP_PROJECT_ID = /^([a-z][a-z0-9.-]{0,61}[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

export function gcpProjectProblem(project: string): NameProblem | undefined {
    if (GCP_PROJECT_ID.test(project)) return undefined;
    return {
        message: `${JSON.stringify(project)} is not a GCP project id`,
        fix: "use the project's id, not its name: 6 to 30 lowercase letters, digits and '-', starting with a letter and not ending with '-', e.g. acme-prod-4711",
    };
}

/** An Azure resource group: 1–90 letters, digits, `-`, `_`, `.`, `(`, `)`, not ending in `.`. */
const AZURE_RESOURCE_GROUP = /^[-\p{L}\p{N}_.()]{0,89}[-\p{L}\p{N}_()]$/u;

export function azureResourceGroupProblem(group: string): NameProblem | undefined {
    if (AZURE_RESOURCE_GROUP.test(group)) return undefined;
    return { message: `${JSON.stringify(group)} is not an Azure resource group name`, fix: "use 1 to 90 letters, digits, '-', '_', '.', '(' and ')', not ending in '.'" };
}

/** The inline AKS system pool's name; user pools may not take it. */
export const AKS_SYSTEM_POOL = "system";

/**
 * AKS agent pool names are 1–12 lowercase letters and digits starting with a letter: the
 * pool's DNS label without hyphens, cut to 12 (`general-purpose` → `generalpurpo`).
 */
export function aksPoolName(pool: string): string {
    let n = pool.replace(/[^a-z0-9]/g, "");
    if (!/^[a-z]/.test(n)) n = `p${n}`;
    return n.slice(0, 12);
}

/** Azure machine image `publisher:offer:sku:version`, each part `[A-Za-z0-9][A-Za-z0-9._-]*`. */
export const AZURE_IMAGE = /^[A-Za-z0-9][A-Za-z0-9._-]*(:[A-Za-z0-9][A-Za-z0-9._-]*){3}$/;
