/**
 * Control planes and external etcd members: one EC2 instance each, in its zone's node subnet at
 * the topology's fixed private address (certificates and etcd's initial cluster name it before
 * boot), hardened the same way: IMDSv2 only with a hop limit of 1 (pods cannot reach the node's
 * credentials), encrypted gp3 root volume, no public address, an instance profile that can read
 * its role's secret and nothing else.
 *
 * User-data matters at first boot only (cloud-init runs it once per instance), and a fixed
 * address means a replacement must delete first. So image and user-data changes are ignored on
 * running machines: the alternative is EC2 stopping every control plane at once to swap a
 * user-data that would not run again. Replace machines deliberately, one at a time.
 */
import * as pulumi from "@pulumi/pulumi";
import * as ec2 from "@pulumi/aws/ec2";
import type { TopologyNode } from "../topology";
import { n, tags, type AwsContext } from "./common";
import type { UserData } from "../render/cloudinit";
import type { Identity } from "./secrets";
import { haTags } from "../tags";

/** Instance metadata: IMDSv2 required; hop limit 1 keeps it away from pods. */
export const METADATA_OPTIONS = { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" } as const;

export interface MachineArgs {
    readonly node: TopologyNode;
    readonly instanceType: string;
    readonly image: pulumi.Input<string>;
    readonly subnetId: pulumi.Input<string>;
    readonly securityGroupIds: pulumi.Input<string>[];
    readonly identity: Identity;
    readonly userData: pulumi.Output<UserData>;
    /** Whether the rendered user-data is gzipped (decided from a probe render: fixes the input used). */
    readonly gzipped: boolean;
    readonly keyName?: pulumi.Input<string>;
    readonly dependsOn: pulumi.Resource[];
}

export function createMachine(ctx: AwsContext, a: MachineArgs): ec2.Instance {
    const name = n(ctx, a.node.name);
    const role = a.node.role;
    return new ec2.Instance(
        name,
        {
            ami: a.image,
            instanceType: a.instanceType,
            subnetId: a.subnetId,
            privateIp: a.node.address,
            associatePublicIpAddress: false,
            vpcSecurityGroupIds: a.securityGroupIds,
            iamInstanceProfile: a.identity.profile,
            // Plain text where it fits, so a preview shows the whole script; gzip only when too large.
            ...(a.gzipped ? { userDataBase64: a.userData.apply((u) => u.base64) } : { userData: a.userData.apply((u) => u.text) }),
            metadataOptions: { ...METADATA_OPTIONS },
            rootBlockDevice: {
                volumeType: "gp3",
                volumeSize: ctx.spec.cloud.diskGb,
                encrypted: true,
                deleteOnTermination: true,
                tags: tags(ctx, `${name}-root`, haTags("aws", { role })),
            },
            ...(a.keyName !== undefined ? { keyName: a.keyName } : {}),
            tags: tags(ctx, name, haTags("aws", { role, zone: a.node.zone })),
        },
        { parent: ctx.parent, dependsOn: a.dependsOn, deleteBeforeReplace: true, ignoreChanges: ["ami", "userData", "userDataBase64"] },
    );
}
