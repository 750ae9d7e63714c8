/**
 * GCP names (pure). Pulumi resource names come from `childName` (naming.ts); these are the
 * names GCP itself sees where the program sets one: instances (their hostnames), service
 * accounts, secrets (node scripts name them before they exist), the Cloud Router, the worker
 * groups' instance prefix. Deterministic, within GCP's limits, distinct per cluster and role.
 */
import { createHash } from "node:crypto";
import { haTags } from "../tags";

/** The secret and service-account roles: each reads only its own secret. */
export type GcpRole = "control-plane" | "worker" | `etcd-${number}`;

const GCE_NAME_RE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function hash(s: string, length: number): string {
    return createHash("sha256").update(s).digest("hex").slice(0, length);
}

/** Cuts `text` to `max` characters, ending in a hash of the whole, so long names stay distinct. */
function fit(text: string, max: number): string {
    if (text.length <= max) return text;
    const h = hash(text, 6);
    return `${text.slice(0, max - h.length - 1).replace(/-+$/, "")}-${h}`;
}

/**
 * A Compute Engine resource name (RFC 1035: a letter first, at most `max` characters): the parts
 * joined by `-`, a leading `h` when the cluster name starts with a digit, shortened with a hash.
 */
export function gceName(parts: readonly string[], max = 63): string {
    let text = parts.join("-").toLowerCase();
    if (!/^[a-z]/.test(text)) text = `h${text}`;
    const out = fit(text, max);
    if (!GCE_NAME_RE.test(out)) throw new Error(`cannot make a GCE name from ${JSON.stringify(parts)}: use lowercase letters, digits and '-'`);
    return out;
}

/** Short form of a role inside length-limited names. */
function roleTag(role: GcpRole): string {
    return role === "control-plane" ? "cp" : role;
}

/**
 * A service account id: 6–30 characters, `[a-z][-a-z0-9]*[a-z0-9]`. The role stays whole at the
 * end (it says what the account is for); a long cluster name is shortened with a hash.
 */
export function accountId(cluster: string, role: GcpRole): string {
    const tag = roleTag(role);
    let base = `${/^[a-z]/.test(cluster) ? "" : "h"}${cluster}`;
    const room = 30 - tag.length - 1;
    if (base.length > room) base = fit(base, room);
    let id = `${base}-${tag}`;
    if (id.length < 6) id = `hac-${id}`;
    if (!/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/.test(id)) throw new Error(`cannot make a service account id from ${JSON.stringify([cluster, role])}`);
    return id;
}

/** The e-mail of a user-managed service account: fixed by its id and project, known before it exists. */
export function serviceAccountEmail(id: string, project: string): string {
    return `${id}@${project}.iam.gserviceaccount.com`;
}

/**
 * The etcd snapshot bucket's name (GCS: 3–63 of `[a-z0-9-]`, a letter or digit at each end, not
 * starting with `goog`, not containing `google`): `<cluster>-etcd-backups-<project>`, shortened
 * with a hash when longer. Bucket names are global: the project id (itself globally unique) keeps
 * two projects apart, the cluster name two clusters in one project. Fixed, so node scripts name
 * the bucket before it exists, like secrets and service accounts.
 */
export function backupBucketName(cluster: string, project: string): string {
    let text = `${cluster}-etcd-backups-${project}`.toLowerCase().replace(/[^a-z0-9-]/g, "-"); // legacy `example.com:p` ids
    text = text.replace(/g[o0][o0]gle/g, "ggl");
    if (text.startsWith("goog")) text = `h${text}`;
    const out = fit(text, 63);
    if (!/^[a-z0-9][-a-z0-9]{1,61}[a-z0-9]$/.test(out)) throw new Error(`cannot make a GCS bucket name from ${JSON.stringify([cluster, project])}`);
    return out;
}

/** A Secret Manager secret id (`[A-Za-z0-9_-]`, at most 255): `hacluster-<cluster>-<role>`. */
export function secretId(cluster: string, role: GcpRole): string {
    return `hacluster-${cluster}-${role}`;
}

/** Labels on every resource that takes them (GCP label values: lowercase, at most 63). */
export function gcpLabels(cluster: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
    return { ...haTags("dash", { cluster: fit(cluster, 63) }), ...extra };
}
