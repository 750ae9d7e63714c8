/**
 * Self-managed HA Kubernetes on EC2 (kubeadm), from the same spec and renderers as on-prem:
 * control planes (and external etcd members) as instances spread round-robin over the zones at
 * fixed private addresses, an NLB as the API endpoint (named inside the VPC by a Route 53 private
 * zone), one Auto Scaling group per worker pool, secrets delivered through Secrets Manager, etcd
 * snapshots uploaded by every member to an S3 bucket the stack creates (backup.ts).
 *
 * Boot order is the nodes' business (they wait for the endpoint and retry joins); the resources
 * only order what a node needs before it boots: its secret and permission, egress, the endpoint.
 */
import * as pulumi from "@pulumi/pulumi";
import * as ec2 from "@pulumi/aws/ec2";
import * as ssm from "@pulumi/aws/ssm";
import type { SelfManagedCloudSpec } from "../../config/spec";
import { cloudClusterOutputs, ClusterComponent } from "../outputs";
import { ClusterPki } from "../pki";
import { backupStoreUrl } from "../render/backup-store";
import { cloudUserData, EC2_USER_DATA, type UserData } from "../render/cloudinit";
import { cloudNodeScript, type CloudNode } from "../scripts";
import { allowSnapshotUploads, createBackupBucket } from "./backup";
import { awsNodes } from "./boot";
import { n, type AwsContext } from "./common";
import { attachControlPlanes, createApiEndpoint } from "./endpoint";
import { createMachine } from "./machines";
import { createNetwork } from "./network";
import { createPool } from "./pools";
import { createIdentity } from "./secrets";
import { createSecurityGroups } from "./security";

export interface AwsClusterArgs {
    /** A validated spec from `loadSpec` with `platform: aws` and family `self-managed`. */
    readonly spec: SelfManagedCloudSpec;
}

/** Canonical's Ubuntu 24.04 LTS (amd64) AMI, read from SSM only when `cloud.image` is not set. */
export const UBUNTU_AMI_PARAMETER = "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id";

/** Stand-ins of the right size for values known only after resources exist: decide plain vs gzip user-data. */
const PROBE_HASH = `sha256:${"0".repeat(64)}`;
const PROBE_DNS = `${"x".repeat(32)}-${"0".repeat(16)}.elb.ap-southeast-4.amazonaws.com`;
/** The longest S3 bucket name. */
const PROBE_BUCKET = "x".repeat(63);

export class AwsCluster extends ClusterComponent {
    /** The S3 bucket every etcd member uploads its snapshots to (under `<member>/`). */
    readonly etcdBackupBucket: pulumi.Output<string>;
    /** `s3://<bucket>`. */
    readonly etcdBackupStore: pulumi.Output<string>;

    constructor(name: string, args: AwsClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        const spec = args.spec;
        super("hacluster:aws:Cluster", name, spec, opts);
        const topo = this.topology;
        const cloud = spec.cloud;
        if (spec.platform !== "aws") {
            throw new pulumi.ResourceError(`AwsCluster builds self-managed clusters on aws, got ${spec.family} on ${spec.platform}`, this);
        }
        if (spec.endpoint.kind === "vip") throw new pulumi.ResourceError("a keepalived VIP cannot move between EC2 instances: use endpoint kind loadBalancer", this);
        const ctx: AwsContext = { name, spec, topo, parent: this };
        const parent = { parent: this };

        const pki = new ClusterPki(
            n(ctx, "pki"),
            { cluster: spec.name, externalEtcdMembers: topo.etcd.map((e) => ({ name: e.name, address: e.address })), protectCAs: spec.profile === "ha", adminCredentials: true },
            parent,
        );
        const net = createNetwork(ctx);
        const nlb = spec.endpoint.kind === "loadBalancer";
        const sgs = createSecurityGroups(ctx, net, nlb);
        const api = nlb ? createApiEndpoint(ctx, net, sgs) : undefined;

        const image: pulumi.Input<string> = cloud.image ?? ssm.getParameterOutput({ name: UBUNTU_AMI_PARAMETER }, parent).value;
        const keyName = cloud.sshPublicKey ? new ec2.KeyPair(n(ctx, "ssh"), { publicKey: cloud.sshPublicKey }, parent).id : undefined; // a key pair's id is its name
        const machine = { image, ...(keyName ? { keyName } : {}) };
        /** A machine's user-data as EC2 takes it; `bucket`: where its etcd snapshots go (machines holding a member). */
        const ec2UserData = (target: CloudNode, hostname?: string, bucket?: string): UserData =>
            cloudUserData(cloudNodeScript(awsNodes(spec, topo, bucket), target), EC2_USER_DATA, hostname ?? "a worker pool", hostname);
        /** User-data from values known later, plain or gzip as a probe render of the same size decides. */
        const userData = <T>(value: pulumi.Output<T>, probe: T, render: (v: T) => UserData) => ({
            userData: value.apply(render),
            gzipped: render(probe).gzipped,
        });

        // --- etcd snapshots leave the cluster: one bucket; only etcd-holding roles may put into it ---
        const backups = createBackupBucket(ctx);
        const stacked = spec.etcd.topology === "stacked";

        // --- external etcd members: each reads only its own secret (its own server/peer key) ---
        const etcdMachines = topo.etcd.map((e) => {
            const identity = createIdentity(ctx, e.name, pki.etcdMemberFiles.get(e.name)!);
            const upload = allowSnapshotUploads(ctx, backups, identity.role, e.name, [e.name]);
            return createMachine(ctx, {
                ...machine,
                ...userData(backups.name, PROBE_BUCKET, (bucket) => ec2UserData({ kind: "etcd", node: e }, e.name, bucket)),
                node: e,
                instanceType: spec.etcd.instanceType!,
                subnetId: net.subnetId(e.zone),
                securityGroupIds: [sgs.etcd!.id],
                identity,
                dependsOn: [...identity.ready, upload, ...net.egress],
            });
        });

        // --- control planes: the first runs kubeadm init (its SANs name the NLB), the others join ---
        const cpIdentity = createIdentity(ctx, "control-plane", pki.controlPlaneFiles);
        const cpBase = {
            ...machine,
            instanceType: spec.controlPlane.instanceType!,
            securityGroupIds: [sgs.nodes.id, sgs.controlPlane.id],
            identity: cpIdentity,
        };
        // With stacked etcd the control planes hold the members: their role may upload, under their names.
        const cpUpload = stacked ? [allowSnapshotUploads(ctx, backups, cpIdentity.role, "control-plane", topo.controlPlanes.map((c) => c.name))] : [];
        const cpReady = [...cpIdentity.ready, ...cpUpload, ...net.egress, ...(api?.ready ?? [])];
        const controlPlanes = new Map<string, ec2.Instance>();
        topo.controlPlanes.forEach((node, i) => {
            // The store is handed over always; the shared renderer uses it only on a node holding a member.
            const ud =
                i === 0
                    ? userData(pulumi.all([api?.dnsName ?? pulumi.output(""), backups.name]), [PROBE_DNS, PROBE_BUCKET], ([dns, bucket]) =>
                          ec2UserData({ kind: "init", node, extraSANs: dns ? [dns] : [] }, node.name, bucket),
                      )
                    : userData(pulumi.all([pki.discoveryHash, backups.name]), [PROBE_HASH, PROBE_BUCKET], ([hash, bucket]) =>
                          ec2UserData({ kind: "join-control-plane", node, caCertHash: hash }, node.name, bucket),
                      );
            controlPlanes.set(
                node.name,
                // etcd first: kubeadm init needs the external members answering.
                createMachine(ctx, { ...cpBase, ...ud, node, subnetId: net.subnetId(node.zone), dependsOn: [...cpReady, ...(i === 0 ? etcdMachines : [])] }),
            );
        });
        if (api) attachControlPlanes(ctx, api, controlPlanes);

        // --- workers: one scaling group per pool ---
        const workerIdentity = createIdentity(ctx, "worker", pki.workerFiles);
        for (const pool of topo.pools) {
            if (pool.subnets.length === 0) throw new pulumi.ResourceError(`worker pool ${pool.name} has no subnet in its zones ${pool.zones.join(", ")}`, this);
            createPool(ctx, {
                ...machine,
                pool,
                subnetIds: pool.subnets.map((s) => net.subnetId(s.zone!)),
                securityGroupIds: [sgs.nodes.id],
                identity: workerIdentity,
                userDataBase64: pki.discoveryHash.apply((hash) => ec2UserData({ kind: "pool", pool, caCertHash: hash }).base64),
                // Workers wait for the endpoint at boot; created after the control planes, they wait less.
                dependsOn: [...workerIdentity.ready, ...net.egress, ...(api?.ready ?? []), ...controlPlanes.values()],
            });
        }

        // --- outputs: kubectl dials the NLB's name (in the certificate) from outside the VPC ---
        const externalAddress = api ? api.dnsName.apply((d) => d || topo.endpoint.host) : undefined;
        this.etcdBackupBucket = backups.name;
        this.etcdBackupStore = backups.name.apply((bucket) => backupStoreUrl({ kind: "s3", bucket }));
        this.finish(cloudClusterOutputs(spec, topo, pki, externalAddress), { etcdBackupBucket: this.etcdBackupBucket, etcdBackupStore: this.etcdBackupStore });
    }
}
