/**
 * Self-managed HA Kubernetes on Azure VMs (kubeadm), from the same spec and renderers as on-prem:
 * control planes (and external etcd members) as zonal VMs spread round-robin over zones 1–3 at
 * fixed private addresses, a Standard internal load balancer as the API endpoint (plus a public
 * one with `cloud.publicEndpoint`), one Flexible scale set per worker pool, secrets delivered
 * through Key Vault and read with each role's managed identity, egress through a NAT gateway,
 * etcd snapshots uploaded by every member to a blob container the stack creates (backup.ts).
 *
 * Boot order is the nodes' business (they wait for the endpoint and retry joins); the resources
 * only order what a node needs before it boots: its secret and permission, egress, the endpoint.
 */
import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources";
import * as tls from "@pulumi/tls";
import type { SelfManagedCloudSpec } from "../../config/spec";
import { cloudClusterOutputs, ClusterComponent } from "../outputs";
import { ClusterPki } from "../pki";
import { backupStoreUrl } from "../render/backup-store";
import { AZURE_CUSTOM_DATA, cloudUserData } from "../render/cloudinit";
import { cloudNodeScript, type CloudNode } from "../scripts";
import { createBackupWriter, createEtcdBackupStore } from "./backup";
import { azureName, n, nameOf, type AzureContext } from "./common";
import { createApiEndpoint } from "./endpoint";
import { parseImage, type ImageReference } from "./image";
import { createPool, createVm, type MachineBase } from "./machines";
import { createNetwork } from "./network";
import { azureNodes, CONTROL_PLANE_SECRET, etcdSecretName, internalEndpointAddress, WORKER_SECRET, type BackupTarget, type SecretSource } from "./boot";
import { createIdentity, createSecretReader, createVault } from "./vault";
import { haTags } from "../tags";

export interface AzureClusterArgs {
    /** A validated spec from `loadSpec` with `platform: azure` and family `self-managed`. */
    readonly spec: SelfManagedCloudSpec;
}

export class AzureCluster extends ClusterComponent {
    /** Where etcd snapshots are uploaded: `<storage account>/<container>`. */
    readonly etcdBackupContainer: pulumi.Output<string>;
    /** `https://<account>.blob.core.windows.net/<container>`. */
    readonly etcdBackupStore: pulumi.Output<string>;

    constructor(name: string, args: AzureClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        const spec = args.spec;
        super("hacluster:azure:Cluster", name, spec, opts);
        const topo = this.topology;
        const cloud = spec.cloud;
        if (spec.platform !== "azure") {
            throw new pulumi.ResourceError(`AzureCluster builds self-managed clusters on azure, got ${spec.family} on ${spec.platform}`, this);
        }
        if (spec.endpoint.kind !== "loadBalancer") {
            throw new pulumi.ResourceError(`cluster.endpoint.kind: ${spec.endpoint.kind} is not available on azure. Fix: use loadBalancer (the default on clouds)`, this);
        }
        let image: ImageReference;
        try {
            image = parseImage(cloud.image);
        } catch (e) {
            throw new pulumi.ResourceError((e as Error).message, this);
        }
        if (cloud.publicEndpoint && cloud.apiAllowedCidrs.length === 0) {
            pulumi.log.warn("cluster.cloud.publicEndpoint is set but cluster.cloud.apiAllowedCidrs is empty: the public address admits nobody. Fix: list the client CIDRs", this);
        }
        const parent = { parent: this };

        const resourceGroupName = cloud.resourceGroup ?? azureName({ name }, "resourceGroup", "rg");
        const resourceGroup = new resources.ResourceGroup(n({ name }, "rg"), { resourceGroupName, location: cloud.region, tags: haTags("dash", { cluster: spec.name }) }, parent);
        const ctx: AzureContext = { name, spec, cloud, topo, parent: this, resourceGroup, resourceGroupName: nameOf(resourceGroup, resourceGroupName) };

        const pki = new ClusterPki(
            n(ctx, "pki"),
            { cluster: spec.name, externalEtcdMembers: topo.etcd.map((e) => ({ name: e.name, address: e.address })), protectCAs: spec.profile === "ha", adminCredentials: true },
            parent,
        );
        const net = createNetwork(ctx);
        const internalAddress = internalEndpointAddress(topo);
        const api = createApiEndpoint(ctx, net.subnetId, internalAddress);
        /** The public IP once it exists ("" without one): a SAN of every control plane's certificate. */
        const publicAddress = api.publicAddress?.apply((ip) => ip ?? "") ?? pulumi.output("");

        // --- identities (one per reader), the vault, and each reader's secret ---
        const cpIdentity = createIdentity(ctx, "control-plane");
        const workerIdentity = createIdentity(ctx, "worker");
        // Every identity reports the tenant the vault must trust: no provider function call needed.
        const vault = createVault(ctx, cpIdentity.tenantId, net.subnetId);
        const cpReader = createSecretReader(ctx, vault, "control-plane", CONTROL_PLANE_SECRET, pki.controlPlaneFiles, cpIdentity);
        const workerReader = createSecretReader(ctx, vault, "worker", WORKER_SECRET, pki.workerFiles, workerIdentity);

        // --- etcd snapshots: a container written only by the identities of machines holding a member ---
        const backups = createEtcdBackupStore(ctx, net.subnetId);
        const backupTarget = pulumi.all([backups.accountName, backups.containerName]).apply(([account, container]) => ({ account, container }));
        /** Stacked etcd: the control planes' identity writes; external: each member's own (below). */
        const cpBackupWriter = spec.etcd.topology === "stacked" ? [createBackupWriter(ctx, backups, "control-plane", cpIdentity)] : [];

        // Without a key in the config the admin user still needs one (Azure refuses Linux VMs with
        // neither key nor password): a generated one, kept only in the state; SSH stays closed.
        const sshPublicKey = cloud.sshPublicKey ?? new tls.PrivateKey(n(ctx, "ssh-key"), { algorithm: "ED25519" }, parent).publicKeyOpenssh.apply((k) => k.trim());
        /** A machine's custom data: its node script read with `source`'s identity; `backup`: where its snapshots go. */
        const customData = (target: CloudNode, what: string, source: SecretSource, backup?: BackupTarget) =>
            cloudUserData(cloudNodeScript(azureNodes(spec, topo, source, backup), target), AZURE_CUSTOM_DATA, what).base64;
        const machine: MachineBase = { image, sshPublicKey, subnetId: net.subnetId, nsgId: net.nsg.id, encryptionAtHost: spec.cloud.encryptionAtHost ?? true };

        // --- external etcd members: each with its own identity, reading only its own key ---
        const etcdVms = topo.etcd.map((e) => {
            const identity = createIdentity(ctx, e.name);
            const reader = createSecretReader(ctx, vault, e.name, etcdSecretName(e.name), pki.etcdMemberFiles.get(e.name)!, identity);
            const writer = createBackupWriter(ctx, backups, e.name, identity);
            return createVm(ctx, {
                ...machine,
                node: e,
                size: spec.etcd.instanceType!,
                identityId: identity.id,
                asgIds: [net.asg.etcd!.id],
                customData: pulumi
                    .all([vault.name, identity.id, backupTarget])
                    .apply(([vaultName, identityId, backup]) => customData({ kind: "etcd", node: e }, e.name, { vaultName, identityId }, backup)),
                dependsOn: [...reader.ready, writer, ...net.egress],
            });
        });

        // --- control planes: the first runs kubeadm init, the others join through the endpoint ---
        const cpReady = [...cpReader.ready, ...cpBackupWriter, ...net.egress, ...api.loadBalancers];
        const controlPlanes = topo.controlPlanes.map((node, i) =>
            createVm(ctx, {
                ...machine,
                node,
                size: spec.controlPlane.instanceType!,
                identityId: cpIdentity.id,
                asgIds: [net.asg.controlPlanes.id, net.asg.nodes.id],
                backendPoolIds: api.backendPoolIds,
                customData:
                    i === 0
                        ? pulumi.all([vault.name, cpIdentity.id, publicAddress, backupTarget]).apply(([vaultName, identityId, ip, backup]) =>
                              customData({ kind: "init", node, extraSANs: [ip] }, node.name, { vaultName, identityId }, backup),
                          )
                        : pulumi.all([vault.name, cpIdentity.id, pki.discoveryHash, backupTarget]).apply(([vaultName, identityId, hash, backup]) =>
                              customData({ kind: "join-control-plane", node, caCertHash: hash }, node.name, { vaultName, identityId }, backup),
                          ),
                // etcd first: kubeadm init needs the external members answering.
                dependsOn: [...cpReady, ...(i === 0 ? etcdVms : [])],
            }),
        );

        // --- workers: one scale set per pool ---
        for (const pool of topo.pools) {
            createPool(ctx, {
                ...machine,
                pool,
                identityId: workerIdentity.id,
                asgIds: [net.asg.nodes.id],
                customData: pulumi.all([vault.name, workerIdentity.id, pki.discoveryHash]).apply(([vaultName, identityId, hash]) =>
                    customData({ kind: "pool", pool, caCertHash: hash }, `worker pool ${pool.name}`, { vaultName, identityId }),
                ),
                // Workers wait for the endpoint at boot; created after the control planes, they wait less.
                dependsOn: [...workerReader.ready, ...net.egress, ...api.loadBalancers, ...controlPlanes],
            });
        }

        // --- outputs: kubectl dials the public IP (with publicEndpoint) or the internal frontend ---
        const externalAddress = cloud.publicEndpoint ? publicAddress.apply((ip) => ip || topo.endpoint.host) : pulumi.output(internalAddress);
        this.etcdBackupContainer = pulumi.interpolate`${backups.accountName}/${backups.containerName}`;
        this.etcdBackupStore = pulumi
            .all([backups.accountName, backups.containerName])
            .apply(([account, container]) => backupStoreUrl({ kind: "azureBlob", account, container }));
        this.finish(cloudClusterOutputs(spec, topo, pki, externalAddress), { etcdBackupContainer: this.etcdBackupContainer, etcdBackupStore: this.etcdBackupStore });
    }
}
