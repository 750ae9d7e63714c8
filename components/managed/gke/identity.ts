/**
 * GKE identities and the secrets key: a least-privilege node service account (instead of the
 * Compute Engine default account and its Editor role), a Cloud KMS key (rotated every 90 days)
 * for application-layer Secrets encryption that GKE's service agent may use, and the admins.
 */
import * as kms from "@pulumi/gcp/kms";
import * as organizations from "@pulumi/gcp/organizations";
import * as projects from "@pulumi/gcp/projects";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import * as pulumi from "@pulumi/pulumi";
import type { ManagedClusterSpec } from "../../../config/spec";
import { childName } from "../../naming";
import { stableId } from "../common";
import { gcpAccountId, gkeServiceAgent, NODE_ROLES } from "./plan";

/** Seconds between automatic rotations of the Secrets key. */
const KEY_ROTATION = "7776000s";

export interface GkeIdentity {
    readonly nodeAccount: serviceaccount.Account;
    readonly secretsKey: kms.CryptoKey;
    /** What the cluster needs before it is created (GKE may use the key). */
    readonly clusterReady: pulumi.Resource[];
    /** What node pools need (their roles). */
    readonly nodesReady: pulumi.Resource[];
}

export function gkeIdentity(parent: pulumi.Resource, name: string, spec: ManagedClusterSpec): GkeIdentity {
    const project = spec.cloud.project!;
    const opts = { parent };
    const nodeAccount = new serviceaccount.Account(
        childName(name, "node-sa"),
        { project, accountId: gcpAccountId(spec.name, "nodes"), displayName: `GKE ${spec.name} nodes` },
        opts,
    );
    const nodesReady = Object.entries(NODE_ROLES).map(
        ([key, role]) => new projects.IAMMember(childName(name, "node-sa", key), { project, role, member: nodeAccount.member }, opts),
    );

    // Key rings cannot be deleted in GCP: auto-naming keeps a re-created stack from colliding.
    const ring = new kms.KeyRing(childName(name, "keys"), { project, location: spec.cloud.region }, opts);
    const secretsKey = new kms.CryptoKey(childName(name, "secrets-key"), { keyRing: ring.id, purpose: "ENCRYPT_DECRYPT", rotationPeriod: KEY_ROTATION }, opts);
    // GKE's service agent does the envelope encryption; it is named by the project *number*,
    // which the config does not hold (it has the id): one lookup. Offline the answer is empty.
    const number = organizations.getProjectOutput({ projectId: project }, { parent }).apply((p) => p?.number);
    const keyUse = new kms.CryptoKeyIAMMember(
        childName(name, "secrets-key", "agent"),
        { cryptoKeyId: secretsKey.id, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: number.apply(gkeServiceAgent) as pulumi.Output<string> },
        opts,
    );
    return { nodeAccount, secretsKey, clusterReady: [keyUse], nodesReady };
}

/**
 * `roles/container.admin` for each `managed.adminPrincipals` member. GKE IAM roles apply to
 * every cluster of the project; per-cluster rights need Kubernetes RBAC.
 */
export function gkeAdmins(parent: pulumi.Resource, name: string, project: string, principals: readonly string[]): projects.IAMMember[] {
    return principals.map((member) => new projects.IAMMember(childName(name, "admin", stableId(member)), { project, role: "roles/container.admin", member }, { parent }));
}
