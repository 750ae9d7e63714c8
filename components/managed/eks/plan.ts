/**
 * EKS decisions that need no resource (pure, unit tested): ARNs by partition, AMI type by CPU
 * architecture, the public subnets beside the node subnets. What EKS cannot run is refused by
 * config validation (config/validate-managed.ts).
 */

/** The ARN partition of a region (no `aws.getPartition` call: the region says it). */
export function awsPartition(region: string): string {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    if (region.startsWith("us-iso-")) return "aws-iso";
    if (region.startsWith("us-isob-")) return "aws-iso-b";
    return "aws";
}

/** An AWS managed policy's ARN. */
export function awsManagedPolicy(region: string, policy: string): string {
    return `arn:${awsPartition(region)}:iam::aws:policy/${policy}`;
}

/** An EKS access policy's ARN (`AmazonEKSClusterAdminPolicy`, ...). */
export function eksAccessPolicy(region: string, policy: string): string {
    return `arn:${awsPartition(region)}:eks::aws:cluster-access-policy/${policy}`;
}

/** The three policies every EKS node role needs: join the cluster, run the VPC CNI, pull from ECR. */
export const NODE_POLICIES = {
    worker: "AmazonEKSWorkerNodePolicy",
    cni: "AmazonEKS_CNI_Policy",
    ecr: "AmazonEC2ContainerRegistryReadOnly",
} as const;

/**
 * The managed node group AMI: Amazon Linux 2023 (EKS ships no AL2 AMI from 1.33), ARM for
 * Graviton types (`m7g.large`, `c6gn.xlarge`, `t4g.medium`: a `g` right after the generation).
 */
export function eksAmiType(instanceType: string): string {
    return /^[a-z]+\d+g[a-z-]*\./.test(instanceType) ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}

/** Control-plane log types sent to CloudWatch when `managed.controlPlaneLogging`. */
export const EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

/** Public subnets for a new VPC, one per zone (config/placement.ts, where validation checks them too). */
export { eksPublicSubnets } from "../../../config/placement";
