/**
 * Self-managed HA cluster on Google Cloud (kubeadm on Compute Engine).
 *
 * From the topology: control planes (and external etcd members) as one instance each, round-robin
 * over `cloud.zones` at fixed private addresses; workers as one regional managed instance group
 * per pool; the API behind an internal passthrough load balancer at a fixed address (plus an
 * external one with `cloud.publicEndpoint`); a VPC with one regional subnet and Cloud NAT, or
 * the existing network; narrow firewall rules keyed on per-role service accounts. Root-only
 * files (CA keys, the join token, etcd keys) go through Secret Manager, read at boot with the
 * role's service account; user-data and metadata hold none of them. Every etcd member uploads its
 * snapshots to a Cloud Storage bucket the stack creates (backup.ts), written only by the accounts
 * of the machines that hold etcd members.
 *
 * Machines boot in any order: the node scripts wait for the endpoint and retry joins, so the only
 * ordering here is that a machine's secret, its permissions (secret, snapshot bucket) and the
 * network's egress exist first.
 */
import * as pulumi from "@pulumi/pulumi";
import type { SelfManagedCloudSpec } from "../../config/spec";
import { childName } from "../naming";
import { cloudClusterOutputs, ClusterComponent } from "../outputs";
import { ClusterPki } from "../pki";
import { backupStoreUrl } from "../render/backup-store";
import { cloudUserData, GCE_METADATA_VALUE } from "../render/cloudinit";
import { cloudNodeScript, type CloudNode } from "../scripts";
import { createEtcdBackups, type EtcdBackups } from "./backup";
import { gcpNodes, type EndpointAddresses } from "./boot";
import { DEFAULT_IMAGE, type GcpContext } from "./common";
import { createLoadBalancers, reserveEndpointAddresses, type LoadBalancers } from "./endpoint";
import { createFirewall } from "./firewall";
import { createMachine, type Machine } from "./machines";
import type { GcpRole } from "./names";
import { createNetwork } from "./network";
import { createPool, type Pool } from "./pools";
import type { Principal } from "./rules";
import { createIdentity, type Identity } from "./secrets";

export interface GcpClusterArgs {
    /** A validated spec from `loadSpec` with `platform: gcp` and family `self-managed`. */
    readonly spec: SelfManagedCloudSpec;
}

export class GcpCluster extends ClusterComponent {
    /** Control planes and external etcd members, by node name. */
    readonly machines: ReadonlyMap<string, Machine>;
    /** Worker pools, by pool name. */
    readonly pools: ReadonlyMap<string, Pool>;
    /** The API load balancers (endpoint kind `loadBalancer`). */
    readonly loadBalancers?: LoadBalancers;
    /** The Cloud Storage bucket every etcd member uploads its snapshots to, and who may write. */
    readonly etcdBackups: EtcdBackups;
    /** The snapshot bucket's name (objects `<member>/etcd-<UTC time>.db`). */
    readonly etcdBackupBucket: pulumi.Output<string>;
    /** `gs://<bucket>`. */
    readonly etcdBackupStore: pulumi.Output<string>;

    constructor(name: string, args: GcpClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        const spec = args.spec;
        super("hacluster:gcp:Cluster", name, spec, opts);
        const topo = this.topology;
        if (spec.platform !== "gcp") {
            throw new pulumi.ResourceError(`GcpCluster builds self-managed clusters on platform gcp, got ${spec.family} on ${spec.platform}`, this);
        }
        const cloud = spec.cloud;
        if (!cloud.project) throw new pulumi.ResourceError("GcpCluster needs cluster.cloud.project", this);
        const ctx: GcpContext = { name, spec, topo, parent: this, project: cloud.project, region: cloud.region };

        const net = createNetwork(ctx);
        const pki = new ClusterPki(
            childName(name, "pki"),
            {
                cluster: spec.name,
                externalEtcdMembers: topo.etcd.map((e) => ({ name: e.name, address: e.address })),
                protectCAs: spec.profile === "ha",
                // The kubeconfig is made here: nothing reads admin.conf back from a cloud machine.
                adminCredentials: true,
            },
            { parent: this },
        );

        // --- identities: a service account and a secret per role ---
        const cpIdentity = createIdentity(ctx, "control-plane", pki.controlPlaneFiles);
        const workerIdentity = createIdentity(ctx, "worker", pki.workerFiles);
        const etcdIdentities = new Map<string, Identity>(topo.etcd.map((e) => [e.name, createIdentity(ctx, e.name as GcpRole, pki.etcdMemberFiles.get(e.name)!)]));
        const byPrincipal = new Map<Principal, Identity[]>([
            ["control-plane", [cpIdentity]],
            ["worker", [workerIdentity]],
            ["etcd", [...etcdIdentities.values()]],
        ]);

        // --- etcd snapshots: written only by the accounts of machines that hold a member ---
        const stacked = spec.etcd.topology === "stacked";
        const backups = createEtcdBackups(ctx, stacked ? [cpIdentity] : [...etcdIdentities.values()]);
        this.etcdBackups = backups;
        this.etcdBackupBucket = backups.bucket.name;
        this.etcdBackupStore = backups.bucket.name.apply((bucket) => backupStoreUrl({ kind: "gcs", bucket }));

        // --- network rules and the endpoint's addresses (fixed before any machine boots) ---
        const loadBalanced = spec.endpoint.kind === "loadBalancer";
        createFirewall(ctx, net, byPrincipal, { loadBalancer: loadBalanced, publicEndpoint: loadBalanced && cloud.publicEndpoint });
        const reserved = loadBalanced ? reserveEndpointAddresses(ctx, net) : undefined;
        if (reserved?.external && cloud.apiAllowedCidrs.length === 0) {
            pulumi.log.warn("cluster.cloud.publicEndpoint is set but cluster.cloud.apiAllowedCidrs is empty: the firewall admits nobody from outside. Fix: list the client CIDRs", this);
        }
        const [first, ...others] = topo.controlPlanes;
        // Kind `external` with a DNS name has no address: nodes ask DNS for the endpoint name.
        const internal = reserved?.internal ?? topo.endpoint.address;
        const addresses: EndpointAddresses = { ...(internal ? { internal } : {}), firstControlPlane: first.address };
        const image = cloud.image ?? DEFAULT_IMAGE;
        /** A machine's user-data: instance metadata `user-data`, which cloud-init reads on Ubuntu's GCE images. */
        const gceUserData = (target: CloudNode, what: string) =>
            cloudUserData(cloudNodeScript(gcpNodes(spec, topo, addresses, backups.store), target), GCE_METADATA_VALUE, what).text;
        const machines = new Map<string, Machine>();

        // --- external etcd members ---
        for (const e of topo.etcd) {
            const identity = etcdIdentities.get(e.name)!;
            machines.set(
                e.name,
                createMachine(ctx, {
                    node: e,
                    machineType: spec.etcd.instanceType ?? spec.controlPlane.instanceType!,
                    image,
                    net,
                    identity,
                    userData: gceUserData({ kind: "etcd", node: e }, e.name),
                    dependsOn: [...identity.ready, ...backups.ready, ...net.egress],
                }),
            );
        }
        const etcdMachines = [...machines.values()].map((m) => m.instance);

        // --- control planes: the first runs kubeadm init, the others join ---
        const cpDeps = [...cpIdentity.ready, ...(stacked ? backups.ready : []), ...net.egress, ...etcdMachines];
        const publicAddress = reserved?.external?.address;
        // The external load balancer's address is known once reserved; the certificate names it.
        // With a public endpoint the topology presets no address: add the internal one here too.
        const internalSANs = reserved ? [reserved.internal] : [];
        const extraSANs = publicAddress ? publicAddress.apply((a) => [...internalSANs, ...(a ? [a] : [])]) : pulumi.output(internalSANs);
        const cpType = spec.controlPlane.instanceType!;
        machines.set(
            first.name,
            createMachine(ctx, {
                node: first,
                machineType: cpType,
                image,
                net,
                identity: cpIdentity,
                userData: extraSANs.apply((sans) => gceUserData({ kind: "init", node: first, extraSANs: sans }, first.name)),
                dependsOn: cpDeps,
            }),
        );
        for (const cp of others) {
            machines.set(
                cp.name,
                createMachine(ctx, {
                    node: cp,
                    machineType: cpType,
                    image,
                    net,
                    identity: cpIdentity,
                    userData: pki.discoveryHash.apply((hash) => gceUserData({ kind: "join-control-plane", node: cp, caCertHash: hash }, cp.name)),
                    dependsOn: cpDeps,
                }),
            );
        }
        this.machines = machines;
        const controlPlanes = topo.controlPlanes.map((cp) => machines.get(cp.name)!);
        const lbs = reserved ? createLoadBalancers(ctx, net, reserved, controlPlanes) : undefined;
        if (lbs) this.loadBalancers = lbs;

        // --- worker pools ---
        const pools = new Map<string, Pool>();
        for (const pool of topo.pools) {
            pools.set(
                pool.name,
                createPool(ctx, {
                    pool,
                    image,
                    net,
                    identity: workerIdentity,
                    userData: pki.discoveryHash.apply((hash) => gceUserData({ kind: "pool", pool, caCertHash: hash }, pool.name)),
                    dependsOn: [...workerIdentity.ready, ...net.egress, ...(lbs ? [lbs.internal] : [])],
                }),
            );
        }
        this.pools = pools;

        // --- outputs: kubectl dials the external load balancer's address, else the internal one ---
        const outside = publicAddress
            ? publicAddress.apply((a) => a || topo.endpoint.host) // the name until the address is known
            : pulumi.output(addresses.internal ?? topo.endpoint.host);
        this.finish(cloudClusterOutputs(spec, topo, pki, outside), { etcdBackupBucket: this.etcdBackupBucket, etcdBackupStore: this.etcdBackupStore });
    }
}
