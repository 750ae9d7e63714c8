/**
 * The S3 bucket that keeps off-cluster copies of etcd snapshots, and the one permission that
 * lets etcd members write to it. Each member's snapshot timer uploads every snapshot to
 * `s3://<bucket>/<member>/` with its instance role (render/backup-store.ts); restore by copying a
 * snapshot down with an operator's credentials (README "etcd backups and restore").
 *
 * The bucket:
 * - default encryption SSE-S3 (AES256, bucket key on). The component has no KMS key of its own,
 *   and SSE-KMS with the AWS-managed `aws/s3` key would add nothing an IAM policy does not
 *   already decide (anyone allowed to read the bucket may use that key); a customer key would
 *   add a key policy and kms:GenerateDataKey for the nodes, for no gain in this threat model.
 * - versioning: an upload over an existing key (a compromised member rewriting a snapshot)
 *   keeps the earlier version as noncurrent.
 * - lifecycle: current objects expire `etcd.backup.retentionDays` after upload, noncurrent
 *   versions the same number of days after they became noncurrent (so a snapshot is gone at
 *   most twice the retention after upload), incomplete multipart uploads (the CLI uses them for
 *   large snapshots) are aborted after a day.
 * - all four public access blocks, ACLs off (BucketOwnerEnforced), and a policy refusing every
 *   request not made over TLS.
 * - no `forceDestroy`, deliberately: `pulumi destroy` fails on the bucket while it holds
 *   snapshots instead of silently deleting the cluster's backups. Empty it by hand (or let the
 *   lifecycle expire it) when the backups really are no longer wanted.
 *
 * Least privilege: only roles of nodes holding an etcd member get a policy, and it allows only
 * `s3:PutObject` (which also covers the multipart upload calls) on that role's members' own
 * prefixes. Nodes cannot list, read or delete: a compromised node can neither read the cluster's
 * history (every Secret is in a snapshot) nor erase the backups. Workers get nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import * as iam from "@pulumi/aws/iam";
import * as s3 from "@pulumi/aws/s3";
import { n, tags, type AwsContext } from "./common";

/** Days after which S3 aborts an incomplete multipart upload (a member died mid-upload). */
const ABORT_MULTIPART_DAYS = 1;

export interface BackupBucket {
    readonly bucket: s3.Bucket;
    /** The bucket's name (a bucket's id is its name): known once the bucket exists. */
    readonly name: pulumi.Output<string>;
    /** The bucket's settings: before any member uploads. */
    readonly ready: pulumi.Resource[];
}

/** The ARN partition of a region (`arn:<partition>:s3:::...`). */
export function partitionOf(region: string): string {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    if (region.startsWith("us-isob-")) return "aws-iso-b";
    if (region.startsWith("us-iso-")) return "aws-iso";
    return "aws";
}

/** The bucket policy: every request without TLS is denied, whoever makes it. */
export function tlsOnlyPolicy(partition: string, bucket: string): object {
    const arn = `arn:${partition}:s3:::${bucket}`;
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [arn, `${arn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    };
}

/** An etcd-holding role's policy: put objects under its members' prefixes, nothing else. */
export function uploadPolicy(partition: string, bucket: string, prefixes: readonly string[]): object {
    return {
        Version: "2012-10-17",
        Statement: [{ Sid: "PutEtcdSnapshots", Effect: "Allow", Action: "s3:PutObject", Resource: prefixes.map((p) => `arn:${partition}:s3:::${bucket}/${p}/*`) }],
    };
}

/** The bucket and its settings. Six resources whatever the cluster's size. */
export function createBackupBucket(ctx: AwsContext): BackupBucket {
    const { spec, parent } = ctx;
    const opts = { parent };
    const partition = partitionOf(spec.cloud.region);
    const bucketName = n(ctx, "etcd-backups");
    // Auto-named `<cluster>-etcd-backups-<random>` (lower case: cluster names are DNS labels).
    // No forceDestroy: see the module comment.
    const bucket = new s3.Bucket(bucketName, { tags: tags(ctx, bucketName, { "hacluster:purpose": "etcd-snapshots" }) }, opts);
    const name = bucket.id;
    const encryption = new s3.BucketServerSideEncryptionConfiguration(
        n(ctx, "etcd-backups", "encryption"),
        { bucket: name, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }] },
        opts,
    );
    const versioning = new s3.BucketVersioning(n(ctx, "etcd-backups", "versioning"), { bucket: name, versioningConfiguration: { status: "Enabled" } }, opts);
    const days = spec.etcd.backup.retentionDays;
    const lifecycle = new s3.BucketLifecycleConfiguration(
        n(ctx, "etcd-backups", "lifecycle"),
        {
            bucket: name,
            rules: [
                {
                    id: "expire-snapshots",
                    status: "Enabled",
                    filter: { prefix: "" },
                    expiration: { days },
                    noncurrentVersionExpiration: { noncurrentDays: days },
                    abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_MULTIPART_DAYS },
                },
            ],
        },
        // AWS applies noncurrent-version rules only once versioning is on.
        { parent, dependsOn: [versioning] },
    );
    const publicAccess = new s3.BucketPublicAccessBlock(
        n(ctx, "etcd-backups", "public-access"),
        { bucket: name, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        opts,
    );
    const ownership = new s3.BucketOwnershipControls(n(ctx, "etcd-backups", "ownership"), { bucket: name, rule: { objectOwnership: "BucketOwnerEnforced" } }, opts);
    const policy = new s3.BucketPolicy(
        n(ctx, "etcd-backups", "tls-only"),
        { bucket: name, policy: name.apply((b) => JSON.stringify(tlsOnlyPolicy(partition, b))) },
        // One bucket-level change at a time: S3 refuses concurrent conflicting updates.
        { parent, dependsOn: [publicAccess, ownership] },
    );
    return { bucket, name, ready: [encryption, versioning, lifecycle, publicAccess, ownership, policy] };
}

/**
 * Lets one role upload snapshots under `prefixes` (the names of the members that use the role).
 * `slug`: the role's name part (`control-plane`, `etcd-1`, ...).
 */
export function allowSnapshotUploads(ctx: AwsContext, backups: BackupBucket, role: iam.Role, slug: string, prefixes: readonly string[]): iam.RolePolicy {
    const partition = partitionOf(ctx.spec.cloud.region);
    return new iam.RolePolicy(
        n(ctx, "role", slug, "put-etcd-snapshots"),
        { role, policy: backups.name.apply((b) => JSON.stringify(uploadPolicy(partition, b, prefixes))) },
        { parent: ctx.parent },
    );
}
