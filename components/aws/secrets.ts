/**
 * Secrets delivery and machine identities: per role (control planes, workers, each external etcd
 * member) one Secrets Manager secret holding that role's `secretsScript` text, and one IAM role
 * whose only permission is reading that one secret. User-data names the secret, never its value.
 *
 * The secret's value is a Pulumi secret (encrypted in the state, `[secret]` in previews). CA
 * material's source of truth is the Pulumi state (components/pki), so a deleted secret is gone at
 * once (no recovery window) and a re-created stack can reuse the name.
 */
import * as pulumi from "@pulumi/pulumi";
import * as iam from "@pulumi/aws/iam";
import * as secretsmanager from "@pulumi/aws/secretsmanager";
import { secretsScript } from "../render/node";
import type { NodeFile } from "../render/script";
import { n, tags, type AwsContext } from "./common";
import { secretName } from "./boot";
import { haTags } from "../tags";

export interface Identity {
    readonly secret: secretsmanager.Secret;
    readonly role: iam.Role;
    readonly profile: iam.InstanceProfile;
    /** What must exist before a machine of this role boots: the value and the permission. */
    readonly ready: pulumi.Resource[];
}

const EC2_TRUST = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** `role`: `control-plane`, `worker` or an etcd member's name. */
export function createIdentity(ctx: AwsContext, role: string, files: pulumi.Output<NodeFile[]>): Identity {
    const { spec, parent } = ctx;
    const opts = { parent };
    const secretRes = n(ctx, "secret", role);
    const secret = new secretsmanager.Secret(
        secretRes,
        {
            name: secretName(spec.name, role),
            description: `hacluster ${spec.name}: root-only files of ${role} nodes, read once at boot`,
            recoveryWindowInDays: 0,
            tags: tags(ctx, secretRes, haTags("aws", { role })),
        },
        opts,
    );
    const version = new secretsmanager.SecretVersion(
        n(ctx, "secret", role, "value"),
        { secretId: secret.id, secretString: pulumi.secret(files.apply((f) => secretsScript(role, f))) },
        opts,
    );
    const roleName = n(ctx, "role", role);
    const iamRole = new iam.Role(roleName, { description: `hacluster ${spec.name}: ${role} machines`, assumeRolePolicy: EC2_TRUST, tags: tags(ctx, roleName) }, opts);
    // A secret's id is its ARN; the AWS-managed key decrypts for whoever may read the secret.
    const policy = new iam.RolePolicy(
        n(ctx, "role", role, "read-secret"),
        {
            role: iamRole,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [{ Sid: "ReadOwnSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secret.id }],
            }),
        },
        opts,
    );
    const profileName = n(ctx, "profile", role);
    const profile = new iam.InstanceProfile(profileName, { role: iamRole, tags: tags(ctx, profileName) }, opts);
    return { secret, role: iamRole, profile, ready: [version, policy] };
}
