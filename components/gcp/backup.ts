/**
 * Off-cluster etcd snapshots: one Cloud Storage bucket per cluster, in the cluster's region, that
 * every etcd member's snapshot timer uploads to (render/backup-store.ts: the JSON API's media
 * upload with the VM service account's token; objects `<member>/etcd-<UTC time>.db`).
 *
 * - Access: uniform bucket-level access (IAM only, no object ACLs) and public access prevention
 *   enforced. Only the service accounts of machines holding an etcd member (control planes with
 *   stacked etcd, each external member with external etcd) may write, with
 *   `roles/storage.objectCreator` on this bucket alone: create objects, never read, list, replace
 *   or delete them, so a compromised node can neither read nor destroy earlier snapshots. Workers
 *   get nothing. Restoring is an operator's job (`gcloud storage cp gs://<bucket>/<member>/…`).
 * - Retention (`cluster.etcd.backup.retentionDays`): versioning is on; a live snapshot becomes
 *   noncurrent after `retentionDays`, and a noncurrent version (expired, overwritten or deleted by
 *   hand) is deleted `retentionDays` after it became noncurrent. Each snapshot is so recoverable
 *   for at least `retentionDays`, and a deletion can be undone for `retentionDays`; storage holds
 *   up to twice that many days of snapshots. Cloud Storage's default soft delete (7 days) applies
 *   on top.
 * - Encryption: Google-managed keys, Cloud Storage's default for every object (no `encryption`
 *   block; a customer-managed Cloud KMS key would be `encryption.defaultKmsKeyName`).
 * - Deletion: `forceDestroy: false`, so `pulumi destroy` (or a replacement) fails on a bucket that
 *   still holds snapshots instead of silently deleting the backups; empty it on purpose first.
 *
 * The name is fixed (names.ts), not auto-named: the provider would auto-name the bucket
 * (`<resource name>-<random suffix>`), but node scripts, the synth's node files and previews
 * then could not name it before it exists. Neither the bucket nor its bindings depend on the
 * worker count.
 */
import * as pulumi from "@pulumi/pulumi";
import * as storage from "@pulumi/gcp/storage";
import type * as gcpInput from "@pulumi/gcp/types/input";
import type { BackupStoreFor } from "../scripts";
import { labels, n, type GcpContext } from "./common";
import { backupBucketName } from "./names";
import type { Identity } from "./secrets";
import { haTags } from "../tags";

/** What a member's account may do on the bucket: create objects, nothing else. */
const BACKUP_WRITER_ROLE = "roles/storage.objectCreator";

export interface EtcdBackups {
    readonly bucket: storage.Bucket;
    /** The bucket's name, fixed before it exists. */
    readonly name: string;
    /** The store for each member's snapshot script (object prefix: the member's name). */
    readonly store: BackupStoreFor;
    /** One binding per account of etcd-holding machines. */
    readonly writers: storage.BucketIAMMember[];
    /** What must exist before an etcd-holding machine boots: the bucket and its writers. */
    readonly ready: pulumi.Resource[];
}

/** The snapshot store on GCS for the bucket `bucket`, one prefix per member. */
function gcsBackupStore(bucket: string): BackupStoreFor {
    return (prefix) => ({ kind: "gcs", bucket, prefix });
}

/** Lifecycle rules for `days` of retention (see the file comment). */
function backupLifecycleRules(days: number): gcpInput.storage.BucketLifecycleRule[] {
    return [
        { action: { type: "Delete" }, condition: { age: days, withState: "LIVE" } },
        { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: days, withState: "ARCHIVED" } },
    ];
}

/**
 * The bucket and one `objectCreator` binding per writer.
 * @param writers the identities of the machines that hold etcd members (never workers)
 */
export function createEtcdBackups(ctx: GcpContext, writers: readonly Identity[]): EtcdBackups {
    const { spec, parent, project, region } = ctx;
    if (writers.length === 0) throw new pulumi.ResourceError("etcd backups: no etcd-holding machines to write snapshots", parent);
    const name = backupBucketName(spec.name, project);
    const bucket = new storage.Bucket(
        n(ctx, "etcd-backups"),
        {
            project,
            name,
            // Regional, with the machines: uploads stay in the region (Private Google Access, no NAT).
            location: region.toUpperCase(),
            storageClass: "STANDARD",
            uniformBucketLevelAccess: true,
            publicAccessPrevention: "enforced",
            versioning: { enabled: true },
            lifecycleRules: backupLifecycleRules(spec.etcd.backup.retentionDays),
            // Never delete the backups with the stack: a destroy fails while snapshots remain.
            forceDestroy: false,
            // Encryption: Google-managed keys (Cloud Storage's default), so no `encryption` block.
            labels: labels(ctx, haTags("dash", { role: "etcd-backups" })),
        },
        { parent },
    );
    const writerBindings = writers.map(
        (w) =>
            new storage.BucketIAMMember(
                n(ctx, "etcd-backups", "writer", w.role),
                { bucket: bucket.name, role: BACKUP_WRITER_ROLE, member: pulumi.interpolate`serviceAccount:${w.email}` },
                { parent },
            ),
    );
    return { bucket, name, store: gcsBackupStore(name), writers: writerBindings, ready: [bucket, ...writerBindings] };
}
