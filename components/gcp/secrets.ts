/**
 * Secrets delivery and machine identities: per role (control planes, workers, each external etcd
 * member) one Secret Manager secret holding that role's `secretsScript` text, one service account,
 * and one IAM binding that lets that account read that one secret (`secretAccessor` on the secret,
 * nothing on the project). User-data names the secret, never its value.
 *
 * The secret's value is a Pulumi secret (encrypted in the state, `[secret]` in previews); its
 * replicas stay in the cluster's region. CA material's source of truth is the Pulumi state
 * (components/pki): a new value is a new version, read by machines created after it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as secretmanager from "@pulumi/gcp/secretmanager";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import { secretsScript } from "../render/node";
import type { NodeFile } from "../render/script";
import { labels, n, type GcpContext } from "./common";
import { accountId, secretId, type GcpRole } from "./names";
import { haTags } from "../tags";

export interface Identity {
    readonly role: GcpRole;
    readonly account: serviceaccount.Account;
    /** The account's e-mail (known before it exists: id@project.iam.gserviceaccount.com). */
    readonly email: pulumi.Output<string>;
    readonly secret: secretmanager.Secret;
    /** What must exist before a machine of this role boots: the value and the permission. */
    readonly ready: pulumi.Resource[];
}

export function createIdentity(ctx: GcpContext, role: GcpRole, files: pulumi.Output<NodeFile[]>): Identity {
    const { spec, parent, project, region } = ctx;
    const opts = { parent };
    const account = new serviceaccount.Account(
        n(ctx, "sa", role),
        {
            project,
            accountId: accountId(spec.name, role),
            displayName: `hacluster ${spec.name} ${role}`,
            description: `hacluster ${spec.name}: ${role} machines; may read their own secret, nothing else`,
        },
        opts,
    );
    const email = pulumi.interpolate`${account.accountId}@${project}.iam.gserviceaccount.com`;
    const secret = new secretmanager.Secret(
        n(ctx, "secret", role),
        {
            project,
            secretId: secretId(spec.name, role),
            replication: { userManaged: { replicas: [{ location: region }] } },
            labels: labels(ctx, haTags("dash", { role })),
        },
        opts,
    );
    const version = new secretmanager.SecretVersion(
        n(ctx, "secret", role, "value"),
        { secret: secret.id, secretData: pulumi.secret(files.apply((f) => secretsScript(role, f))) },
        opts,
    );
    const reader = new secretmanager.SecretIamMember(
        n(ctx, "secret", role, "reader"),
        { project, secretId: secret.secretId, role: "roles/secretmanager.secretAccessor", member: pulumi.interpolate`serviceAccount:${email}` },
        opts,
    );
    return { role, account, email, secret, ready: [version, reader] };
}
