/**
 * EKS decisions that need no resource (pure, unit tested): ARNs by partition, AMI type by CPU
 * architecture, the public subnets beside the node subnets, and the checks a spec must pass
 * before anything is created.
 */
import { cidrSize, nthAddress, overlaps, parseCidr } from "../../../config/net";
import { spareSubnets } from "../../../config/placement";
import type { ManagedClusterSpec } from "../../../config/spec";
import type { PlacedSubnet } from "../../topology";

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

/**
 * Public subnets (NAT gateways, internet-facing load balancers) for a new VPC: the node subnets
 * take the first blocks of `network.nodeCidr` (topology), the first spare block is split into
 * one public subnet per zone. Undefined when no spare block can hold them (AWS's minimum is /28).
 */
export function eksPublicSubnets(nodeCidr: string, zones: readonly string[]): PlacedSubnet[] | undefined {
    const spare = spareSubnets(nodeCidr, zones)[0];
    if (!spare) return undefined;
    const prefix = parseCidr(spare).prefix + Math.ceil(Math.log2(Math.max(zones.length, 1)));
    if (prefix > 28) return undefined;
    return zones.map((zone, i) => ({ zone, cidr: `${nthAddress(spare, i * 2 ** (32 - prefix))}/${prefix}` }));
}

const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];
const ADMIN_ARN = /^arn:aws[-a-z]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;

/** Everything that makes a spec impossible on EKS, as `<path>: <problem>. Fix: <fix>` lines. */
export function eksProblems(spec: ManagedClusterSpec): string[] {
    const problems: string[] = [];
    const cloud = spec.cloud;
    if (cloud.zones.length < 2) {
        problems.push(`cluster.cloud.zones: EKS needs subnets in at least 2 availability zones (got ${cloud.zones.length}). Fix: list 2 or more zones of ${cloud.region}, 3 for profile ha`);
    } else if (!cloud.existingNetwork && !eksPublicSubnets(spec.network.nodeCidr, cloud.zones)) {
        problems.push(
            `cluster.network.nodeCidr: ${spec.network.nodeCidr} split over ${cloud.zones.length} zones leaves no room for a public (NAT) subnet per zone. ` +
                "Fix: use a larger network, e.g. 10.0.0.0/16, or bring your own VPC in cluster.cloud.existingNetwork",
        );
    }
    const svc = spec.kubernetes.serviceSubnet;
    const prefix = parseCidr(svc).prefix;
    if (!PRIVATE_RANGES.some((r) => overlaps(r, svc) && parseCidr(r).prefix <= prefix) || prefix > 24 || cidrSize(svc) > cidrSize("0.0.0.0/12")) {
        problems.push(`cluster.kubernetes.serviceSubnet: EKS takes a service range inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16, from /12 to /24 (got ${svc}). Fix: use e.g. 10.96.0.0/12 or 172.20.0.0/16`);
    }
    spec.managed.adminPrincipals.forEach((p, i) => {
        if (!ADMIN_ARN.test(p)) {
            problems.push(`cluster.managed.adminPrincipals[${i}]: EKS admins are IAM role or user ARNs (got ${JSON.stringify(p)}). Fix: write e.g. arn:aws:iam::123456789012:role/platform-admins`);
        }
    });
    return problems;
}
