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
import type { ClusterSpec } from "../../config/spec";
import { clusterFacts, clusterOutputs, type ClusterOutputs, type NodeSummary } from "../outputs";
import { ClusterPki } from "../pki";
import { backupStoreUrl } from "../render/backup-store";
import { renderKubeconfig } from "../render/kubeconfig";
import { buildTopology, type Topology } from "../topology";
import { allowSnapshotUploads, createBackupBucket } from "./backup";
import { n, type AwsContext } from "./common";
import { attachControlPlanes, createApiEndpoint } from "./endpoint";
import { createMachine } from "./machines";
import { createNetwork } from "./network";
import { createPool } from "./pools";
import { ec2UserData, etcdNodeScript, initNodeScript, joinControlPlaneScript, poolScript, s3BackupStore, type Ec2UserData } from "./scripts";
import { createIdentity } from "./secrets";
import { createSecurityGroups } from "./security";

export interface AwsClusterArgs {
    /** A validated spec from `loadSpec` with `platform: aws` and family `self-managed`. */
    readonly spec: ClusterSpec;
}

/** Canonical's Ubuntu 24.04 LTS (amd64) AMI, read from SSM only when `cloud.image` is not set. */
export const UBUNTU_AMI_PARAMETER = "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id";

/** Stand-ins of the right size for values known only after resources exist: decide plain vs gzip user-data. */
const PROBE_HASH = `sha256:${"0".repeat(64)}`;
const PROBE_DNS = `${"x".repeat(32)}-${"0".repeat(16)}.elb.ap-southeast-4.amazonaws.com`;
/** The longest S3 bucket name. */
const PROBE_BUCKET = "x".repeat(63);

type Tolerance = ClusterOutputs["failureTolerance"] extends pulumi.Output<infer T> ? T : never;

export class AwsCluster extends pulumi.ComponentResource implements ClusterOutputs {
    readonly endpoint: pulumi.Output<string>;
    readonly kubeconfig: pulumi.Output<string>;
    readonly nodes: pulumi.Output<NodeSummary[]>;
    readonly failureTolerance: pulumi.Output<Tolerance>;
    readonly topology: Topology;
    /** The S3 bucket every etcd member uploads its snapshots to (under `<member>/`). */
    readonly etcdBackupBucket: pulumi.Output<string>;
    /** `s3://<bucket>`. */
    readonly etcdBackupStore: pulumi.Output<string>;

    constructor(name: string, args: AwsClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        const spec = args.spec;
        const topo = buildTopology(spec);
        // The cluster's facts are this component's inputs, so policy packs can check the HA shape.
        super("hacluster:aws:Cluster", name, { facts: clusterFacts(spec, topo) }, opts);
        const cloud = spec.cloud;
        if (spec.platform !== "aws" || spec.family !== "self-managed" || !cloud) {
            throw new pulumi.ResourceError(`AwsCluster builds self-managed clusters on aws, got ${spec.family} on ${spec.platform}`, this);
        }
        if (spec.endpoint.kind === "vip") throw new pulumi.ResourceError("a keepalived VIP cannot move between EC2 instances: use endpoint kind loadBalancer", this);
        this.topology = topo;
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
        /** User-data from values known later, plain or gzip as a probe render of the same size decides. */
        const userData = <T>(value: pulumi.Output<T>, probe: T, render: (v: T) => Ec2UserData) => ({
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
                ...userData(backups.name, PROBE_BUCKET, (bucket) => ec2UserData(etcdNodeScript(spec, topo, e, s3BackupStore(spec, bucket)), e.name)),
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
                          ec2UserData(initNodeScript(spec, topo, node, dns ? [dns] : [], s3BackupStore(spec, bucket)), node.name),
                      )
                    : userData(pulumi.all([pki.discoveryHash, backups.name]), [PROBE_HASH, PROBE_BUCKET], ([hash, bucket]) =>
                          ec2UserData(joinControlPlaneScript(spec, topo, node, hash, s3BackupStore(spec, bucket)), node.name),
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
                userDataBase64: pki.discoveryHash.apply((hash) => ec2UserData(poolScript(spec, topo, pool, hash)).base64),
                // Workers wait for the endpoint at boot; created after the control planes, they wait less.
                dependsOn: [...workerIdentity.ready, ...net.egress, ...(api?.ready ?? []), ...controlPlanes.values()],
            });
        }

        // --- outputs: kubectl dials the NLB's name (in the certificate) from outside the VPC ---
        const externalAddress = api ? api.dnsName.apply((d) => d || topo.endpoint.host) : undefined;
        const server = pulumi.interpolate`https://${externalAddress ?? topo.endpoint.address ?? topo.endpoint.host}:${topo.endpoint.port}`;
        const admin = pki.admin!;
        const rawKubeconfig = pulumi.secret(
            pulumi.all([server, pki.caCertPem, admin.certPem, admin.keyPem]).apply(([url, caPem, clientCertPem, clientKeyPem]) =>
                renderKubeconfig({ cluster: spec.name, server: url, caPem, user: "hacluster-admin", clientCertPem, clientKeyPem }),
            ),
        );
        const outputs = clusterOutputs({ spec, topology: topo, rawKubeconfig, ...(externalAddress ? { externalAddress } : {}) });
        this.endpoint = outputs.endpoint;
        this.kubeconfig = outputs.kubeconfig;
        this.nodes = outputs.nodes;
        this.failureTolerance = outputs.failureTolerance;
        this.etcdBackupBucket = backups.name;
        this.etcdBackupStore = backups.name.apply((bucket) => backupStoreUrl({ kind: "s3", bucket }));
        this.registerOutputs({
            endpoint: this.endpoint,
            kubeconfig: this.kubeconfig,
            nodes: this.nodes,
            failureTolerance: this.failureTolerance,
            etcdBackupBucket: this.etcdBackupBucket,
            etcdBackupStore: this.etcdBackupStore,
        });
    }
}
