/**
 * disks-encrypted and aws-imdsv2-required: the shipped (on-prem) plans pass; machines, templates
 * and disks added to a copy of the dev plan are judged per cloud.
 */
import { strict as assert } from "node:assert";
import { awsImdsv2, disksEncrypted } from "../../policy/policies";
import { addResource, analyze, clonePlan, messages, planOf } from "./engine";
import { shippedPlans, type ShippedPlans } from "./plans";

const DISKS = disksEncrypted.name;
const IMDS = awsImdsv2.name;

async function check(policy: typeof disksEncrypted, type: string, inputs: Record<string, unknown>, config = {}) {
    return analyze(planOf({ type, name: "m", inputs }), [policy], config);
}

const goodInstance = {
    ami: "ami-1",
    instanceType: "m6i.large",
    metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
    rootBlockDevice: { encrypted: true, volumeSize: 50 },
    ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: true, volumeSize: 100 }],
};
const goodTemplate = {
    metadataOptions: { httpTokens: "required" },
    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeSize: 50 } }],
};

describe("policy: machines (disks-encrypted, aws-imdsv2-required)", () => {
    let plans: ShippedPlans;
    before(async function () {
        this.timeout(120_000);
        plans = await shippedPlans();
    });

    it("passes the shipped stacks", async () => {
        for (const plan of [plans.dev, plans.externalEtcd]) {
            const o = await analyze(plan, [disksEncrypted, awsImdsv2]);
            assert.deepEqual(o.violations, []);
        }
    });

    it("rejects an unencrypted volume and an instance with httpTokens optional added to the dev plan", async () => {
        const plan = clonePlan(plans.dev);
        addResource(plan, "aws:ebs/volume:Volume", "dev-etcd-data", { availabilityZone: "eu-west-1a", size: 20, encrypted: false });
        addResource(plan, "aws:ec2/instance:Instance", "dev-cp-a", { ...goodInstance, metadataOptions: { httpTokens: "optional" } });
        const o = await analyze(plan, [disksEncrypted, awsImdsv2]);
        assert.deepEqual(messages(o, DISKS), ["EBS volume dev-etcd-data is not encrypted. Fix: set encrypted: true"]);
        assert.deepEqual(messages(o, IMDS), ['instance dev-cp-a sets metadataOptions.httpTokens to "optional". Fix: set metadataOptions.httpTokens: "required"']);
    });

    describe(`${DISKS} on AWS`, () => {
        it("accepts encrypted instances, templates and volumes", async () => {
            for (const [type, inputs] of [
                ["aws:ec2/instance:Instance", goodInstance],
                ["aws:ec2/spotInstanceRequest:SpotInstanceRequest", goodInstance],
                ["aws:ec2/launchTemplate:LaunchTemplate", goodTemplate],
                ["aws:ebs/volume:Volume", { availabilityZone: "a", size: 1, encrypted: true }],
            ] as const) {
                assert.deepEqual(messages(await check(disksEncrypted, type, inputs), DISKS), [], type);
            }
        });

        it("rejects an instance without an encrypted root volume or with a plain EBS volume", async () => {
            const { rootBlockDevice: _root, ...noRoot } = goodInstance;
            assert.deepEqual(messages(await check(disksEncrypted, "aws:ec2/instance:Instance", noRoot), DISKS), [
                "instance m has no rootBlockDevice, so its root volume is unencrypted (the EC2 default). Fix: set rootBlockDevice: { encrypted: true }",
            ]);
            const plain = { ...goodInstance, rootBlockDevice: { volumeSize: 50 }, ebsBlockDevices: [{ deviceName: "/dev/sdf", snapshotId: "snap-1" }] };
            assert.deepEqual(messages(await check(disksEncrypted, "aws:ec2/instance:Instance", plain), DISKS), [
                "instance m: the root volume is not encrypted. Fix: set rootBlockDevice.encrypted: true",
                "instance m: the EBS volume /dev/sdf is not encrypted (it is made from snapshot snap-1: copy the snapshot encrypted and set encrypted). Fix: set encrypted: true",
            ]);
        });

        it("leaves an instance's root volume to its launch template", async () => {
            const fromTemplate = { instanceType: "m6i.large", launchTemplate: { id: "lt-1" } };
            assert.deepEqual(messages(await check(disksEncrypted, "aws:ec2/instance:Instance", fromTemplate), DISKS), []);
            assert.deepEqual(messages(await check(awsImdsv2, "aws:ec2/instance:Instance", fromTemplate), IMDS), []);
        });

        it("rejects a launch template with ebs.encrypted \"false\" or no EBS mapping", async () => {
            const plain = { ...goodTemplate, blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }] };
            assert.deepEqual(messages(await check(disksEncrypted, "aws:ec2/launchTemplate:LaunchTemplate", plain), DISKS), [
                'launch template m: the EBS volume /dev/xvda is not encrypted. Fix: set ebs.encrypted: "true"',
            ]);
            assert.deepEqual(messages(await check(disksEncrypted, "aws:ec2/launchTemplate:LaunchTemplate", { metadataOptions: { httpTokens: "required" } }), DISKS), [
                "launch template m maps no EBS volume, so the root volume is encrypted only if the AMI's snapshot or the account default says so. " +
                    'Fix: add blockDeviceMappings [{ deviceName: <the AMI\'s root device, e.g. /dev/xvda>, ebs: { encrypted: "true" } }]',
            ]);
        });
    });

    describe(`${DISKS} on GCP`, () => {
        const instance = { machineType: "e2-standard-4", zone: "europe-west1-b", bootDisk: { initializeParams: { image: "debian-12" } }, networkInterfaces: [{ network: "default" }] };
        it("does not apply by default (GCP encrypts every disk at rest)", async () => {
            const o = await check(disksEncrypted, "gcp:compute/instance:Instance", instance);
            assert.deepEqual(o.violations, []);
            assert.equal(o.notApplicable.get(`${DISKS} m`), "GCP encrypts every persistent disk at rest; set gcpRequireCustomerManagedKeys to require Cloud KMS keys");
        });

        it("requires Cloud KMS keys when configured", async () => {
            const cfg = { [DISKS]: { gcpRequireCustomerManagedKeys: true } };
            assert.deepEqual(messages(await check(disksEncrypted, "gcp:compute/instance:Instance", instance, cfg), DISKS), [
                "instance m: the boot disk uses Google-managed keys. Fix: set kmsKeySelfLink to a Cloud KMS key (bootDisk.kmsKeySelfLink)",
            ]);
            const withKey = { ...instance, bootDisk: { ...instance.bootDisk, kmsKeySelfLink: "projects/p/locations/l/keyRings/r/cryptoKeys/k" } };
            assert.deepEqual(messages(await check(disksEncrypted, "gcp:compute/instance:Instance", withKey, cfg), DISKS), []);
            assert.deepEqual(messages(await check(disksEncrypted, "gcp:compute/instanceTemplate:InstanceTemplate", { machineType: "e2", disks: [{ boot: true }] }, cfg), DISKS), [
                "instance template m: disks[0] uses Google-managed keys. Fix: set kmsKeySelfLink to a Cloud KMS key (disks[0].diskEncryptionKey.kmsKeySelfLink)",
            ]);
            assert.deepEqual(messages(await check(disksEncrypted, "gcp:compute/regionDisk:RegionDisk", { replicaZones: ["a", "b"] }, cfg), DISKS), [
                "regional disk m uses Google-managed keys. Fix: set diskEncryptionKey.kmsKeyName to a Cloud KMS key",
            ]);
        });
    });

    describe(`${DISKS} on Azure`, () => {
        const WHY = "its temporary disk and disk caches are stored unencrypted on the host";
        const FIX = "true, or give every managed disk a diskEncryptionSet (customer-managed keys)";
        const des = { managedDisk: { diskEncryptionSet: { id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/diskEncryptionSets/des" } } };
        it("rejects VMs, scale sets and AKS pools with platform keys only", async () => {
            const vm = { resourceGroupName: "rg", storageProfile: { osDisk: { createOption: "FromImage", managedDisk: { storageAccountType: "Premium_LRS" } } } };
            assert.deepEqual(messages(await check(disksEncrypted, "azure-native:compute:VirtualMachine", vm), DISKS), [
                `virtual machine m neither encrypts at host nor uses customer-managed keys on all its disks: ${WHY}. Fix: set securityProfile.encryptionAtHost: ${FIX}`,
            ]);
            assert.deepEqual(messages(await check(disksEncrypted, "azure-native:compute:VirtualMachineScaleSet", { resourceGroupName: "rg", virtualMachineProfile: {} }), DISKS), [
                `scale set m neither encrypts at host nor uses customer-managed keys on all its disks: ${WHY}. Fix: set virtualMachineProfile.securityProfile.encryptionAtHost: ${FIX}`,
            ]);
            const aks = { resourceGroupName: "rg", agentPoolProfiles: [{ name: "system", enableEncryptionAtHost: true }, { name: "workers" }] };
            assert.deepEqual(messages(await check(disksEncrypted, "azure-native:containerservice:ManagedCluster", aks), DISKS), [
                `AKS cluster m: node pool workers does not enable encryption at host: ${WHY}. Fix: set enableEncryptionAtHost: true, or the cluster's diskEncryptionSetID`,
            ]);
            assert.deepEqual(messages(await check(disksEncrypted, "azure-native:containerservice:AgentPool", { resourceGroupName: "rg", resourceName: "aks" }), DISKS), [
                `AKS node pool m does not enable encryption at host: ${WHY}. Fix: set enableEncryptionAtHost: true`,
            ]);
        });

        it("rejects customer-managed keys on some disks only", async () => {
            const vm = { resourceGroupName: "rg", storageProfile: { osDisk: { createOption: "FromImage", ...des }, dataDisks: [{ lun: 0, createOption: "Empty" }] } };
            assert.equal(messages(await check(disksEncrypted, "azure-native:compute:VirtualMachine", vm), DISKS).length, 1);
        });

        it("accepts encryption at host, or customer-managed keys on every disk; the requirement can be turned off", async () => {
            const atHost = { resourceGroupName: "rg", securityProfile: { encryptionAtHost: true } };
            assert.deepEqual(messages(await check(disksEncrypted, "azure-native:compute:VirtualMachine", atHost), DISKS), []);
            const cmk = { resourceGroupName: "rg", storageProfile: { osDisk: { createOption: "FromImage", ...des }, dataDisks: [{ lun: 0, createOption: "Empty", ...des }] } };
            assert.deepEqual(messages(await check(disksEncrypted, "azure-native:compute:VirtualMachine", cmk), DISKS), []);
            const vmss = { resourceGroupName: "rg", virtualMachineProfile: { storageProfile: { osDisk: { createOption: "FromImage", ...des } } } };
            assert.deepEqual(messages(await check(disksEncrypted, "azure-native:compute:VirtualMachineScaleSet", vmss), DISKS), []);
            const aks = { resourceGroupName: "rg", diskEncryptionSetID: des.managedDisk.diskEncryptionSet.id, agentPoolProfiles: [{ name: "system" }] };
            assert.deepEqual(messages(await check(disksEncrypted, "azure-native:containerservice:ManagedCluster", aks), DISKS), []);
            const o = await check(disksEncrypted, "azure-native:compute:VirtualMachine", { resourceGroupName: "rg" }, { [DISKS]: { azureRequireHostOrCustomerKeys: false } });
            assert.deepEqual(o.violations, []);
            assert.equal(o.notApplicable.get(`${DISKS} m`), "Azure encrypts managed disks at rest with platform keys; this pack's config accepts that");
        });
    });

    describe(IMDS, () => {
        it("rejects an instance without metadata options and a template with optional tokens", async () => {
            const { metadataOptions: _m, ...noOptions } = goodInstance;
            assert.deepEqual(messages(await check(awsImdsv2, "aws:ec2/instance:Instance", noOptions), IMDS), [
                'instance m does not set metadataOptions.httpTokens (the default allows IMDSv1). Fix: set metadataOptions.httpTokens: "required"',
            ]);
            assert.deepEqual(messages(await check(awsImdsv2, "aws:ec2/launchTemplate:LaunchTemplate", { ...goodTemplate, metadataOptions: { httpTokens: "optional" } }), IMDS), [
                'launch template m sets metadataOptions.httpTokens to "optional". Fix: set metadataOptions.httpTokens: "required"',
            ]);
        });

        it("accepts required tokens or a disabled metadata service", async () => {
            assert.deepEqual(messages(await check(awsImdsv2, "aws:ec2/instance:Instance", goodInstance), IMDS), []);
            assert.deepEqual(messages(await check(awsImdsv2, "aws:ec2/launchTemplate:LaunchTemplate", goodTemplate), IMDS), []);
            assert.deepEqual(messages(await check(awsImdsv2, "aws:ec2/instance:Instance", { ...goodInstance, metadataOptions: { httpEndpoint: "disabled" } }), IMDS), []);
        });
    });
});
