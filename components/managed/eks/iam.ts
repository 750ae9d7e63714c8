/**
 * EKS identities and the secrets key: the cluster role, the node role with the three managed
 * node policies, and a KMS key (rotated yearly) that envelope-encrypts Kubernetes Secrets.
 */
import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import * as pulumi from "@pulumi/pulumi";
import type { ManagedClusterSpec } from "../../../config/spec";
import { childName } from "../../naming";
import { awsManagedPolicy, awsPartition, NODE_POLICIES } from "./plan";

export interface EksIdentity {
    readonly clusterRole: iam.Role;
    readonly nodeRole: iam.Role;
    readonly secretsKey: kms.Key;
    /** What the cluster needs before it is created (its policies). */
    readonly clusterReady: pulumi.Resource[];
    /** What nodes need before they join (their policies). */
    readonly nodesReady: pulumi.Resource[];
}

function trust(service: string, actions: string[]): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: actions }] });
}

export function eksIdentity(parent: pulumi.Resource, name: string, spec: ManagedClusterSpec, tags: Record<string, string>): EksIdentity {
    const region = spec.cloud.region;
    const opts = { parent };
    const ec2Service = awsPartition(region) === "aws-cn" ? "ec2.amazonaws.com.cn" : "ec2.amazonaws.com";

    const clusterRole = new iam.Role(childName(name, "cluster-role"), { assumeRolePolicy: trust("eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]), tags }, opts);
    const clusterPolicy = new iam.RolePolicyAttachment(childName(name, "cluster-role", "eks"), { role: clusterRole, policyArn: awsManagedPolicy(region, "AmazonEKSClusterPolicy") }, opts);

    const secretsKey = new kms.Key(
        childName(name, "secrets-key"),
        { region, description: `Envelope encryption of Kubernetes Secrets in EKS cluster ${spec.name}`, enableKeyRotation: true, deletionWindowInDays: 30, tags },
        opts,
    );
    new kms.Alias(childName(name, "secrets-key", "alias"), { region, name: `alias/${spec.name}-eks-secrets`, targetKeyId: secretsKey.keyId }, opts);
    // The cluster role encrypts and decrypts with the key (EKS creates grants through it).
    const keyUse = new iam.RolePolicy(
        childName(name, "cluster-role", "kms"),
        {
            role: clusterRole,
            policy: secretsKey.arn.apply((arn) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey", "kms:CreateGrant"], Resource: arn }],
                }),
            ),
        },
        opts,
    );

    const nodeRole = new iam.Role(childName(name, "node-role"), { assumeRolePolicy: trust(ec2Service, ["sts:AssumeRole"]), tags }, opts);
    const nodePolicies = Object.entries(NODE_POLICIES).map(
        ([key, policy]) => new iam.RolePolicyAttachment(childName(name, "node-role", key), { role: nodeRole, policyArn: awsManagedPolicy(region, policy) }, opts),
    );
    return { clusterRole, nodeRole, secretsKey, clusterReady: [clusterPolicy, keyUse], nodesReady: nodePolicies };
}
