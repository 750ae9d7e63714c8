/**
 * The few input properties the rules read, per provider resource, under the providers' own names.
 * The pack does not load the provider SDKs (hundreds of MB, and not needed at runtime); instead
 * `test/policy/provider-shapes.ts` proves at compile time that every property named here exists,
 * with a compatible type, in @pulumi/aws, @pulumi/gcp and @pulumi/azure-native.
 */

// ---- AWS -------------------------------------------------------------------------------------

export interface AwsMetadataOptions {
    readonly httpEndpoint?: string;
    readonly httpTokens?: string;
}

/** `aws:ec2/instance:Instance` */
export interface AwsInstance {
    readonly launchTemplate?: { readonly id?: string; readonly name?: string };
    readonly metadataOptions?: AwsMetadataOptions;
    readonly rootBlockDevice?: { readonly encrypted?: boolean };
    readonly ebsBlockDevices?: readonly { readonly deviceName: string; readonly encrypted?: boolean; readonly snapshotId?: string }[];
}

/** `aws:ec2/spotInstanceRequest:SpotInstanceRequest` (same shape as an instance where it matters). */
export type AwsSpotInstanceRequest = AwsInstance;

/** `aws:ec2/launchTemplate:LaunchTemplate`: note `ebs.encrypted` is the *string* "true"/"false". */
export interface AwsLaunchTemplate {
    readonly metadataOptions?: AwsMetadataOptions;
    readonly blockDeviceMappings?: readonly {
        readonly deviceName?: string;
        readonly noDevice?: string;
        readonly virtualName?: string;
        readonly ebs?: { readonly encrypted?: string; readonly snapshotId?: string };
    }[];
}

/** `aws:ebs/volume:Volume` */
export interface AwsEbsVolume {
    readonly encrypted?: boolean;
    readonly snapshotId?: string;
}

/** `aws:ec2/securityGroupRule:SecurityGroupRule` */
export interface AwsSecurityGroupRule {
    readonly type: string;
    readonly protocol: string;
    readonly fromPort: number;
    readonly toPort: number;
    readonly cidrBlocks?: readonly string[];
    readonly ipv6CidrBlocks?: readonly string[];
}

/** `aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule` */
export interface AwsSecurityGroupIngressRule {
    readonly ipProtocol: string;
    readonly fromPort?: number;
    readonly toPort?: number;
    readonly cidrIpv4?: string;
    readonly cidrIpv6?: string;
}

/** `aws:ec2/securityGroup:SecurityGroup` (inline rules) */
export interface AwsSecurityGroup {
    readonly ingress?: readonly {
        readonly protocol: string;
        readonly fromPort: number;
        readonly toPort: number;
        readonly cidrBlocks?: readonly string[];
        readonly ipv6CidrBlocks?: readonly string[];
    }[];
}

// ---- GCP -------------------------------------------------------------------------------------

/** `gcp:compute/firewall:Firewall` */
export interface GcpFirewall {
    readonly direction?: string;
    readonly disabled?: boolean;
    readonly sourceRanges?: readonly string[];
    readonly sourceTags?: readonly string[];
    readonly sourceServiceAccounts?: readonly string[];
    readonly allows?: readonly { readonly protocol: string; readonly ports?: readonly string[] }[];
}

/** `gcp:compute/instance:Instance` */
export interface GcpInstance {
    readonly bootDisk: { readonly kmsKeySelfLink?: string; readonly diskEncryptionKeyRaw?: string };
    readonly attachedDisks?: readonly { readonly source: string; readonly kmsKeySelfLink?: string; readonly diskEncryptionKeyRaw?: string }[];
}

/** `gcp:compute/instanceTemplate:InstanceTemplate` and `gcp:compute/regionInstanceTemplate:RegionInstanceTemplate` */
export interface GcpInstanceTemplate {
    readonly disks: readonly { readonly boot?: boolean; readonly diskEncryptionKey?: { readonly kmsKeySelfLink?: string } }[];
}

/** `gcp:compute/disk:Disk` */
export interface GcpDisk {
    readonly diskEncryptionKey?: { readonly kmsKeySelfLink?: string; readonly rawKey?: string };
}

/** `gcp:compute/regionDisk:RegionDisk`: the KMS key is `kmsKeyName` here. */
export interface GcpRegionDisk {
    readonly diskEncryptionKey?: { readonly kmsKeyName?: string; readonly rawKey?: string };
}

// ---- Azure (azure-native) --------------------------------------------------------------------

/** `azure-native:network:SecurityRule`, and each of a NetworkSecurityGroup's `securityRules`. */
export interface AzureSecurityRule {
    readonly name?: string;
    readonly direction: string;
    readonly access: string;
    readonly protocol: string;
    readonly sourceAddressPrefix?: string;
    readonly sourceAddressPrefixes?: readonly string[];
    readonly destinationPortRange?: string;
    readonly destinationPortRanges?: readonly string[];
}

/** `azure-native:network:NetworkSecurityGroup` */
export interface AzureNetworkSecurityGroup {
    readonly securityRules?: readonly AzureSecurityRule[];
}

/** A managed disk's customer-managed key: a disk encryption set. */
interface AzureManagedDisk {
    readonly managedDisk?: { readonly diskEncryptionSet?: { readonly id?: string } };
}

/** `azure-native:compute:VirtualMachine` */
export interface AzureVirtualMachine {
    readonly securityProfile?: { readonly encryptionAtHost?: boolean };
    readonly storageProfile?: { readonly osDisk?: AzureManagedDisk; readonly dataDisks?: readonly AzureManagedDisk[] };
}

/** `azure-native:compute:VirtualMachineScaleSet` */
export interface AzureVirtualMachineScaleSet {
    readonly virtualMachineProfile?: {
        readonly securityProfile?: { readonly encryptionAtHost?: boolean };
        readonly storageProfile?: { readonly osDisk?: AzureManagedDisk; readonly dataDisks?: readonly AzureManagedDisk[] };
    };
}

/** `azure-native:containerservice:ManagedCluster` (AKS) */
export interface AzureManagedCluster {
    readonly diskEncryptionSetID?: string;
    readonly agentPoolProfiles?: readonly { readonly name: string; readonly enableEncryptionAtHost?: boolean }[];
}

/** `azure-native:containerservice:AgentPool` (AKS) */
export interface AzureAgentPool {
    readonly enableEncryptionAtHost?: boolean;
}

/** Type tokens, in one place. */
export const TYPES = {
    awsInstance: "aws:ec2/instance:Instance",
    awsSpotInstanceRequest: "aws:ec2/spotInstanceRequest:SpotInstanceRequest",
    awsLaunchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    awsEbsVolume: "aws:ebs/volume:Volume",
    awsSecurityGroup: "aws:ec2/securityGroup:SecurityGroup",
    awsSecurityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    awsSecurityGroupIngressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    gcpFirewall: "gcp:compute/firewall:Firewall",
    gcpInstance: "gcp:compute/instance:Instance",
    gcpInstanceTemplate: "gcp:compute/instanceTemplate:InstanceTemplate",
    gcpRegionInstanceTemplate: "gcp:compute/regionInstanceTemplate:RegionInstanceTemplate",
    gcpDisk: "gcp:compute/disk:Disk",
    gcpRegionDisk: "gcp:compute/regionDisk:RegionDisk",
    azureNetworkSecurityGroup: "azure-native:network:NetworkSecurityGroup",
    azureSecurityRule: "azure-native:network:SecurityRule",
    azureVirtualMachine: "azure-native:compute:VirtualMachine",
    azureVirtualMachineScaleSet: "azure-native:compute:VirtualMachineScaleSet",
    azureManagedCluster: "azure-native:containerservice:ManagedCluster",
    azureAgentPool: "azure-native:containerservice:AgentPool",
} as const;
