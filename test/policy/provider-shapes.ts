/**
 * Compile-time proof that the policy pack reads real provider input names (and that its view of
 * the cluster facts is the one components record). Checked by `tsc` (root typecheck and
 * `provider-shapes.test.ts`); nothing here runs.
 *
 * `Problems<Mine, Theirs>` walks every property the pack declares and yields a message for one
 * that the SDK type lacks or types differently; `none<...>()` accepts only `never`, so a typo such
 * as `metadataOption` fails the compile with the property's path in the message.
 */
import type { Unwrap } from "@pulumi/pulumi";
import type { InstanceArgs } from "@pulumi/aws/ec2/instance";
import type { SpotInstanceRequestArgs } from "@pulumi/aws/ec2/spotInstanceRequest";
import type { LaunchTemplateArgs } from "@pulumi/aws/ec2/launchTemplate";
import type { VolumeArgs } from "@pulumi/aws/ebs/volume";
import type { SecurityGroupArgs } from "@pulumi/aws/ec2/securityGroup";
import type { SecurityGroupRuleArgs } from "@pulumi/aws/ec2/securityGroupRule";
import type { SecurityGroupIngressRuleArgs } from "@pulumi/aws/vpc/securityGroupIngressRule";
import type { FirewallArgs } from "@pulumi/gcp/compute/firewall";
import type { InstanceArgs as GcpInstanceArgs } from "@pulumi/gcp/compute/instance";
import type { InstanceTemplateArgs } from "@pulumi/gcp/compute/instanceTemplate";
import type { RegionInstanceTemplateArgs } from "@pulumi/gcp/compute/regionInstanceTemplate";
import type { DiskArgs } from "@pulumi/gcp/compute/disk";
import type { RegionDiskArgs } from "@pulumi/gcp/compute/regionDisk";
import type { NetworkSecurityGroupArgs } from "@pulumi/azure-native/network/networkSecurityGroup";
import type { SecurityRuleArgs } from "@pulumi/azure-native/network/securityRule";
import type { VirtualMachineArgs } from "@pulumi/azure-native/compute/virtualMachine";
import type { VirtualMachineScaleSetArgs } from "@pulumi/azure-native/compute/virtualMachineScaleSet";
import type { ManagedClusterArgs } from "@pulumi/azure-native/containerservice/managedCluster";
import type { AgentPoolArgs } from "@pulumi/azure-native/containerservice/agentPool";
import type { CommandArgs } from "@pulumi/command/remote/command";
import type { ClusterFacts as ComponentFacts } from "../../components/outputs";
import type * as S from "../../policy/lib/shapes";
import type { ClusterFacts as PolicyFacts } from "../../policy/lib/facts";

type NN<T> = NonNullable<T>;
type Scalar = string | number | boolean;

export type Problems<M, R, P extends string = ""> = [NN<M>] extends [readonly (infer ME)[]]
    ? [NN<R>] extends [readonly (infer RE)[]]
        ? Problems<ME, RE, `${P}[]`>
        : `${P}: not a list in the SDK`
    : [NN<M>] extends [Scalar]
      ? [NN<R>] extends [NN<M>]
          ? never
          : `${P}: the SDK's type is not assignable to the pack's`
      : {
            [K in keyof NN<M> & string]-?: K extends keyof NN<R> ? Problems<NN<M>[K], NN<R>[K], `${P}.${K}`> : `${P}.${K}: no such property in the SDK`;
        }[keyof NN<M> & string];

/** Compiles only when `T` is `never` (no problems). */
export function none<T extends never>(): T | undefined {
    return undefined;
}

none<Problems<S.AwsInstance, Unwrap<InstanceArgs>>>();
none<Problems<S.AwsSpotInstanceRequest, Unwrap<SpotInstanceRequestArgs>>>();
none<Problems<S.AwsLaunchTemplate, Unwrap<LaunchTemplateArgs>>>();
none<Problems<S.AwsEbsVolume, Unwrap<VolumeArgs>>>();
none<Problems<S.AwsSecurityGroup, Unwrap<SecurityGroupArgs>>>();
none<Problems<S.AwsSecurityGroupRule, Unwrap<SecurityGroupRuleArgs>>>();
none<Problems<S.AwsSecurityGroupIngressRule, Unwrap<SecurityGroupIngressRuleArgs>>>();
none<Problems<S.GcpFirewall, Unwrap<FirewallArgs>>>();
none<Problems<S.GcpInstance, Unwrap<GcpInstanceArgs>>>();
none<Problems<S.GcpInstanceTemplate, Unwrap<InstanceTemplateArgs>>>();
none<Problems<S.GcpInstanceTemplate, Unwrap<RegionInstanceTemplateArgs>>>();
none<Problems<S.GcpDisk, Unwrap<DiskArgs>>>();
none<Problems<S.GcpRegionDisk, Unwrap<RegionDiskArgs>>>();
none<Problems<S.AzureNetworkSecurityGroup, Unwrap<NetworkSecurityGroupArgs>>>();
none<Problems<S.AzureSecurityRule, Unwrap<SecurityRuleArgs>>>();
none<Problems<S.AzureVirtualMachine, Unwrap<VirtualMachineArgs>>>();
none<Problems<S.AzureVirtualMachineScaleSet, Unwrap<VirtualMachineScaleSetArgs>>>();
none<Problems<S.AzureManagedCluster, Unwrap<ManagedClusterArgs>>>();
none<Problems<S.AzureAgentPool, Unwrap<AgentPoolArgs>>>();
// The secrets rule names the command provider's `stdin`.
none<Problems<{ stdin?: string }, Unwrap<CommandArgs>>>();
// The facts the HA rules read are the facts the cluster components record.
none<Problems<PolicyFacts, ComponentFacts>>();

// The check itself catches what it is for: a misspelled property and a wrong type.
// @ts-expect-error `metadataOption` does not exist on aws.ec2.InstanceArgs
none<Problems<{ metadataOption?: { httpTokens?: string } }, Unwrap<InstanceArgs>>>();
// @ts-expect-error a launch template's ebs.encrypted is a string, not a boolean
none<Problems<{ blockDeviceMappings?: { ebs?: { encrypted?: boolean } }[] }, Unwrap<LaunchTemplateArgs>>>();
