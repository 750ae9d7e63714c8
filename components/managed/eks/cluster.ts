/**
 * The EKS control plane: API endpoint access, authentication by access entries (mode API),
 * Secrets encrypted with the stack's KMS key, control-plane logs with a retention, and the
 * service range from the spec.
 */
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ec2 from "@pulumi/aws/ec2";
import * as eks from "@pulumi/aws/eks";
import * as pulumi from "@pulumi/pulumi";
import type { ManagedClusterSpec } from "../../../config/spec";
import { childName } from "../../naming";
import { managedMinor, OPEN_API_WARNING, publicApiCidrs } from "../common";
import type { EksIdentity } from "./iam";
import type { EksNetwork } from "./network";
import { EKS_LOG_TYPES } from "./plan";

/** Days EKS control-plane logs are kept (EKS's own log group would keep them forever). */
const EKS_LOG_RETENTION_DAYS = 90;

export function eksControlPlane(parent: pulumi.Resource, name: string, spec: ManagedClusterSpec, network: EksNetwork, identity: EksIdentity, tags: Record<string, string>): eks.Cluster {
    const cloud = spec.cloud;
    const region = cloud.region;
    const managed = spec.managed;
    const opts = { parent };
    const dependsOn: pulumi.Resource[] = [...identity.clusterReady];
    if (managed.controlPlaneLogging) {
        // Created first with a retention; EKS then writes into it instead of creating its own.
        dependsOn.push(new cloudwatch.LogGroup(childName(name, "logs"), { region, name: `/aws/eks/${spec.name}/cluster`, retentionInDays: EKS_LOG_RETENTION_DAYS, tags }, opts));
    }
    const securityGroupIds: pulumi.Input<string>[] = [];
    if (cloud.apiAllowedCidrs.length > 0) {
        // The private endpoint is reached through the VPC: let the listed networks in (VPN, peered VPCs).
        const sg = new ec2.SecurityGroup(
            childName(name, "api"),
            {
                region,
                vpcId: network.vpcId,
                description: `Kubernetes API of ${spec.name} from cloud.apiAllowedCidrs`,
                ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [...cloud.apiAllowedCidrs], description: "kubectl" }],
                tags: { ...tags, Name: `${name}-api` },
            },
            opts,
        );
        securityGroupIds.push(sg.id);
    }
    const api = publicApiCidrs(spec);
    if (cloud.publicEndpoint && api.open) pulumi.log.warn(OPEN_API_WARNING, parent);
    return new eks.Cluster(
        childName(name, "cluster"),
        {
            name: spec.name,
            region,
            version: managedMinor(spec),
            roleArn: identity.clusterRole.arn,
            vpcConfig: {
                // Control-plane network interfaces go into the node subnets (private on a new VPC).
                subnetIds: [...network.privateSubnetIds.values()],
                endpointPrivateAccess: true,
                endpointPublicAccess: cloud.publicEndpoint,
                ...(cloud.publicEndpoint ? { publicAccessCidrs: api.cidrs } : {}),
                ...(securityGroupIds.length > 0 ? { securityGroupIds } : {}),
            },
            // Access entries only; the creator gets no implicit admin (changing this later would replace the cluster).
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
            kubernetesNetworkConfig: { ipFamily: "ipv4", serviceIpv4Cidr: spec.kubernetes.serviceSubnet },
            encryptionConfig: { provider: { keyArn: identity.secretsKey.arn }, resources: ["secrets"] },
            enabledClusterLogTypes: managed.controlPlaneLogging ? [...EKS_LOG_TYPES] : [],
            // Upgrade at the end of standard support instead of paying for extended support.
            upgradePolicy: { supportType: "STANDARD" },
            deletionProtection: managed.deletionProtection,
            tags,
        },
        { parent, dependsOn },
    );
}
