/**
 * Machine disks hold etcd data, CA keys and join tokens, so every disk is encrypted at rest.
 * What that asks of each cloud (a policy sees resource inputs, not account settings):
 *
 * - AWS: EBS volumes are *not* encrypted unless asked (account-wide "encryption by default" is
 *   invisible to a policy), so every volume says so: an instance's `rootBlockDevice.encrypted` and
 *   each `ebsBlockDevices[].encrypted` is `true`, a launch template maps its volumes with
 *   `ebs.encrypted: "true"`, an `ebs.Volume` has `encrypted: true`.
 * - GCP: every persistent disk is encrypted at rest with Google-managed keys, always; nothing is
 *   required. With `gcpRequireCustomerManagedKeys` disks must name a Cloud KMS key (or a
 *   customer-supplied key, which the secrets rule then requires to be secret).
 * - Azure: managed disks are always encrypted at rest with platform keys, but the VM's temporary
 *   disk and disk caches on the host are not, and nobody but Microsoft holds the key. A machine
 *   therefore either encrypts at host (`securityProfile.encryptionAtHost: true`, which covers temp
 *   disk and caches; needs the subscription feature `Microsoft.Compute/EncryptionAtHost`) or uses
 *   customer-managed keys on every managed disk (`managedDisk.diskEncryptionSet.id`; AKS:
 *   `diskEncryptionSetID`). Accept platform keys alone with `azureRequireHostOrCustomerKeys: false`.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { list, resourceType } from "../lib/engine";
import {
    TYPES,
    type AwsEbsVolume,
    type AwsInstance,
    type AwsLaunchTemplate,
    type AzureAgentPool,
    type AzureManagedCluster,
    type AzureVirtualMachine,
    type AzureVirtualMachineScaleSet,
    type GcpDisk,
    type GcpInstance,
    type GcpInstanceTemplate,
    type GcpRegionDisk,
} from "../lib/shapes";

interface DisksEncryptedConfig {
    /** GCP disks must use a customer-managed (Cloud KMS) or customer-supplied key. @default false */
    readonly gcpRequireCustomerManagedKeys: boolean;
    /** Azure machines encrypt at host or use customer-managed keys on every disk. @default true */
    readonly azureRequireHostOrCustomerKeys: boolean;
}

const DEFAULTS: DisksEncryptedConfig = { gcpRequireCustomerManagedKeys: false, azureRequireHostOrCustomerKeys: true };

const AWS_TYPES: ReadonlySet<string> = new Set([TYPES.awsInstance, TYPES.awsSpotInstanceRequest, TYPES.awsLaunchTemplate, TYPES.awsEbsVolume]);
const GCP_TYPES: ReadonlySet<string> = new Set([TYPES.gcpInstance, TYPES.gcpInstanceTemplate, TYPES.gcpRegionInstanceTemplate, TYPES.gcpDisk, TYPES.gcpRegionDisk]);
const AZURE_TYPES: ReadonlySet<string> = new Set([TYPES.azureVirtualMachine, TYPES.azureVirtualMachineScaleSet, TYPES.azureManagedCluster, TYPES.azureAgentPool]);

function fromSnapshot(snapshotId: string | undefined): string {
    return snapshotId ? ` (it is made from snapshot ${snapshotId}: copy the snapshot encrypted and set encrypted)` : "";
}

export const disksEncrypted: ResourceValidationPolicy = {
    name: "disks-encrypted",
    description: "Every machine disk is encrypted at rest (AWS: EBS encrypted; GCP: always, optionally with customer keys; Azure: at host or with customer keys).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "AWS: set encrypted on every EBS volume and mapping. Azure: set securityProfile.encryptionAtHost (or disk encryption sets). GCP: name a kmsKeySelfLink when customer keys are required.",
    configSchema: {
        properties: {
            gcpRequireCustomerManagedKeys: { type: "boolean", default: DEFAULTS.gcpRequireCustomerManagedKeys },
            azureRequireHostOrCustomerKeys: { type: "boolean", default: DEFAULTS.azureRequireHostOrCustomerKeys },
        },
    },
    validateResource: (args, report) => {
        const type = resourceType(args.type);
        const cfg: DisksEncryptedConfig = { ...DEFAULTS, ...args.getConfig<Partial<DisksEncryptedConfig>>() };
        const name = args.name;
        if (AWS_TYPES.has(type)) {
            if (type === TYPES.awsEbsVolume) {
                const v = args.props as AwsEbsVolume;
                if (v.encrypted !== true) report(`EBS volume ${name} is not encrypted${fromSnapshot(v.snapshotId)}. Fix: set encrypted: true`);
            } else if (type === TYPES.awsLaunchTemplate) {
                const lt = args.props as AwsLaunchTemplate;
                const ebs = list(lt.blockDeviceMappings).filter((m) => m.ebs !== undefined && m.noDevice === undefined);
                if (ebs.length === 0) {
                    report(
                        `launch template ${name} maps no EBS volume, so the root volume is encrypted only if the AMI's snapshot or the account default says so. ` +
                            `Fix: add blockDeviceMappings [{ deviceName: <the AMI's root device, e.g. /dev/xvda>, ebs: { encrypted: "true" } }]`,
                    );
                }
                for (const m of ebs) {
                    const enc = m.ebs?.encrypted as unknown;
                    if (enc !== "true" && enc !== true) {
                        report(`launch template ${name}: the EBS volume ${m.deviceName ?? "(no device name)"} is not encrypted${fromSnapshot(m.ebs?.snapshotId)}. Fix: set ebs.encrypted: "true"`);
                    }
                }
            } else {
                const i = args.props as AwsInstance;
                const what = type === TYPES.awsInstance ? `instance ${name}` : `spot instance request ${name}`;
                if (i.rootBlockDevice === undefined) {
                    // From a launch template the template's mappings apply; that template is checked itself.
                    if (i.launchTemplate === undefined) {
                        report(`${what} has no rootBlockDevice, so its root volume is unencrypted (the EC2 default). Fix: set rootBlockDevice: { encrypted: true }`);
                    }
                } else if (i.rootBlockDevice.encrypted !== true) {
                    report(`${what}: the root volume is not encrypted. Fix: set rootBlockDevice.encrypted: true`);
                }
                for (const d of list(i.ebsBlockDevices)) {
                    if (d.encrypted !== true) report(`${what}: the EBS volume ${d.deviceName} is not encrypted${fromSnapshot(d.snapshotId)}. Fix: set encrypted: true`);
                }
            }
            return;
        }
        if (GCP_TYPES.has(type)) {
            if (!cfg.gcpRequireCustomerManagedKeys) {
                args.notApplicable("GCP encrypts every persistent disk at rest; set gcpRequireCustomerManagedKeys to require Cloud KMS keys");
            }
            const fix = "Fix: set kmsKeySelfLink to a Cloud KMS key";
            if (type === TYPES.gcpInstance) {
                const i = args.props as GcpInstance;
                if (!i.bootDisk.kmsKeySelfLink && !i.bootDisk.diskEncryptionKeyRaw) report(`instance ${name}: the boot disk uses Google-managed keys. ${fix} (bootDisk.kmsKeySelfLink)`);
            } else if (type === TYPES.gcpDisk) {
                const d = args.props as GcpDisk;
                if (!d.diskEncryptionKey?.kmsKeySelfLink && !d.diskEncryptionKey?.rawKey) report(`disk ${name} uses Google-managed keys. ${fix} (diskEncryptionKey.kmsKeySelfLink)`);
            } else if (type === TYPES.gcpRegionDisk) {
                const d = args.props as GcpRegionDisk;
                if (!d.diskEncryptionKey?.kmsKeyName && !d.diskEncryptionKey?.rawKey) report(`regional disk ${name} uses Google-managed keys. Fix: set diskEncryptionKey.kmsKeyName to a Cloud KMS key`);
            } else {
                list((args.props as GcpInstanceTemplate).disks).forEach((d, i) => {
                    if (!d.diskEncryptionKey?.kmsKeySelfLink) report(`instance template ${name}: disks[${i}] uses Google-managed keys. ${fix} (disks[${i}].diskEncryptionKey.kmsKeySelfLink)`);
                });
            }
            return;
        }
        if (AZURE_TYPES.has(type)) {
            if (!cfg.azureRequireHostOrCustomerKeys) {
                args.notApplicable("Azure encrypts managed disks at rest with platform keys; this pack's config accepts that");
            }
            const why = "its temporary disk and disk caches are stored unencrypted on the host";
            const fix = (at: string) => `Fix: set ${at}: true, or give every managed disk a diskEncryptionSet (customer-managed keys)`;
            if (type === TYPES.azureVirtualMachine || type === TYPES.azureVirtualMachineScaleSet) {
                const vm = type === TYPES.azureVirtualMachine;
                const profile = vm ? (args.props as AzureVirtualMachine) : (args.props as AzureVirtualMachineScaleSet).virtualMachineProfile;
                if (profile?.securityProfile?.encryptionAtHost === true) return;
                const disks = [profile?.storageProfile?.osDisk, ...list(profile?.storageProfile?.dataDisks)];
                if (disks.every((d) => !!d?.managedDisk?.diskEncryptionSet?.id)) return;
                report(
                    `${vm ? "virtual machine" : "scale set"} ${name} neither encrypts at host nor uses customer-managed keys on all its disks: ${why}. ` +
                        fix(vm ? "securityProfile.encryptionAtHost" : "virtualMachineProfile.securityProfile.encryptionAtHost"),
                );
            } else if (type === TYPES.azureManagedCluster) {
                const aks = args.props as AzureManagedCluster;
                if (aks.diskEncryptionSetID) return;
                for (const p of list(aks.agentPoolProfiles)) {
                    if (p.enableEncryptionAtHost !== true) {
                        report(`AKS cluster ${name}: node pool ${p.name} does not enable encryption at host: ${why}. Fix: set enableEncryptionAtHost: true, or the cluster's diskEncryptionSetID`);
                    }
                }
            } else if ((args.props as AzureAgentPool).enableEncryptionAtHost !== true) {
                // The cluster's diskEncryptionSetID is not visible from a pool; encryption at host is.
                report(`AKS node pool ${name} does not enable encryption at host: ${why}. Fix: set enableEncryptionAtHost: true`);
            }
            return;
        }
        args.notApplicable("applies to machines, templates and disks on AWS, GCP and Azure");
    },
};
