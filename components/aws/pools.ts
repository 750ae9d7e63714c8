/**
 * Worker pools: one launch template and one Auto Scaling group per pool over the pool's node
 * subnets, so a pool of 1000 workers is the same two resources as a pool of 3. Every instance
 * boots the same user-data (kubeadm takes the hostname as node name) and joins through the
 * endpoint name. A changed template rolls the pool through an instance refresh; control planes
 * never depend on a pool, so no pool change touches them.
 */
import * as pulumi from "@pulumi/pulumi";
import * as autoscaling from "@pulumi/aws/autoscaling";
import * as ec2 from "@pulumi/aws/ec2";
import type { PoolPlacement } from "../topology";
import { n, tags, type AwsContext } from "./common";
import { METADATA_OPTIONS } from "./machines";
import type { Identity } from "./secrets";
import { haTags } from "../tags";

/** Root device of Canonical's Ubuntu AMIs (a launch template maps the root volume by device name). */
const UBUNTU_ROOT_DEVICE = "/dev/sda1";

export interface PoolArgs {
    readonly pool: PoolPlacement;
    readonly image: pulumi.Input<string>;
    readonly subnetIds: pulumi.Input<string>[];
    readonly securityGroupIds: pulumi.Input<string>[];
    readonly identity: Identity;
    /** Base64 user-data (launch templates take nothing else). */
    readonly userDataBase64: pulumi.Output<string>;
    readonly keyName?: pulumi.Input<string>;
    readonly dependsOn: pulumi.Resource[];
}

export interface Pool {
    readonly launchTemplate: ec2.LaunchTemplate;
    readonly group: autoscaling.Group;
}

export function createPool(ctx: AwsContext, a: PoolArgs): Pool {
    const { spec, parent } = ctx;
    const p = a.pool;
    const groupName = n(ctx, p.name);
    const ltName = n(ctx, p.name, "template");
    const instanceTags = tags(ctx, groupName, haTags("aws", { role: "worker", pool: p.name }));
    const launchTemplate = new ec2.LaunchTemplate(
        ltName,
        {
            description: `hacluster ${spec.name}: workers of pool ${p.name}`,
            imageId: a.image,
            instanceType: p.instanceType,
            userData: a.userDataBase64,
            // An instance profile's id is its name.
            iamInstanceProfile: { name: a.identity.profile.id },
            // The interface says it: no public address, whatever the subnet's default.
            networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "false", deleteOnTermination: "true", securityGroups: a.securityGroupIds }],
            metadataOptions: { ...METADATA_OPTIONS },
            blockDeviceMappings: [
                { deviceName: UBUNTU_ROOT_DEVICE, ebs: { volumeType: "gp3", volumeSize: spec.cloud.diskGb, encrypted: "true", deleteOnTermination: "true" } },
            ],
            ...(a.keyName !== undefined ? { keyName: a.keyName } : {}),
            tagSpecifications: [
                { resourceType: "instance", tags: instanceTags },
                { resourceType: "volume", tags: instanceTags },
            ],
            updateDefaultVersion: true,
            tags: tags(ctx, ltName),
        },
        { parent },
    );
    const group = new autoscaling.Group(
        groupName,
        {
            vpcZoneIdentifiers: a.subnetIds,
            minSize: p.count,
            maxSize: p.count,
            desiredCapacity: p.count,
            // The version number makes a template change an update of the group, which starts the refresh.
            launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply((v) => (v === undefined ? "$Latest" : String(v))) },
            healthCheckType: "EC2",
            instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 90 } },
            tags: Object.entries(tags(ctx, groupName, haTags("aws", { pool: p.name }))).map(([key, value]) => ({ key, value, propagateAtLaunch: false })),
        },
        { parent, dependsOn: a.dependsOn },
    );
    return { launchTemplate, group };
}
