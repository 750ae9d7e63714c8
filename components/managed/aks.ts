/**
 * AKS from a cluster spec: resource group, network (new vnet or an existing subnet), the
 * control-plane identity with its rights, KMS etcd encryption, the cluster with its inline
 * system pool over zones 1–3, one AgentPool per user pool, and the user kubeconfig from
 * AKS (kubelogin exec with Entra ID), exported as a secret.
 */
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as resources from "@pulumi/azure-native/resources";
import * as pulumi from "@pulumi/pulumi";
import type { ManagedClusterSpec } from "../../config/spec";
import { childName } from "../naming";
import { ClusterComponent } from "../outputs";
import { aksControlPlane } from "./aks/cluster";
import { aksIdentity } from "./aks/identity";
import { aksNetwork } from "./aks/network";
import { aksEntra, aksSystemCount, SYSTEM_POOL } from "./aks/plan";
import { aksUserPools } from "./aks/pools";
import { httpsEndpoint, managedOutputs } from "./common";
import { haTags } from "../tags";

export interface AksClusterArgs {
    readonly spec: ManagedClusterSpec;
}

/** The kubeconfig inside AKS's credential answer; "" when the answer is empty (offline mocks). */
export function decodeCredentials(answer: { kubeconfigs?: { value?: string }[] } | undefined): string {
    const value = answer?.kubeconfigs?.[0]?.value;
    return value ? Buffer.from(value, "base64").toString("utf8") : "";
}

export class AksCluster extends ClusterComponent {
    /** The AKS cluster's name (= `cluster.name`). */
    readonly clusterName: pulumi.Output<string>;
    /** Issuer URL for Workload Identity federated credentials. */
    readonly oidcIssuerUrl: pulumi.Output<string>;
    /** Client id of the control plane's user-assigned identity. */
    readonly identityClientId: pulumi.Output<string>;

    constructor(name: string, args: AksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        const spec = args.spec;
        super("hacluster:managed:Aks", name, spec, opts);
        const topo = this.topology;
        if (spec.platform !== "azure" || !spec.cloud.resourceGroup) {
            throw new pulumi.ResourceError(`AksCluster needs a managed azure spec (got ${spec.family} on ${spec.platform})`, this);
        }
        const cloud = spec.cloud;
        const tags = haTags("dash", { cluster: spec.name });

        const rg = new resources.ResourceGroup(childName(name, "rg"), { resourceGroupName: cloud.resourceGroup, location: cloud.region, tags }, { parent: this });
        // The configured name, carried by the group's output so that users wait for the group.
        const rgName = rg.name.apply(() => cloud.resourceGroup!);
        const network = aksNetwork(this, name, spec, rgName, tags);
        const identity = aksIdentity(this, name, spec, rgName, network.subnetId, tags);
        const cluster = aksControlPlane(this, name, spec, rgName, network.subnetId, identity, tags);
        const clusterName = cluster.name.apply(() => spec.name);
        aksUserPools(this, name, spec, topo, rgName, clusterName, network.subnetId);

        const entra = aksEntra(spec);
        // An invoke: during a preview of a new cluster it waits (unknown); offline it answers {}.
        const credentials = containerservice.listManagedClusterUserCredentialsOutput(
            { resourceGroupName: rgName, resourceName: clusterName, ...(entra ? { format: "exec" } : {}) },
            { parent: this, dependsOn: [cluster] },
        );
        this.clusterName = clusterName;
        this.oidcIssuerUrl = cluster.oidcIssuerProfile.apply((p) => p?.issuerURL) as pulumi.Output<string>;
        this.identityClientId = identity.identity.clientId;
        const endpoint = httpsEndpoint(cloud.publicEndpoint ? cluster.fqdn : cluster.privateFQDN, 443);
        const kubeconfig = credentials.apply((c) => decodeCredentials(c));
        const system = { name: SYSTEM_POOL, role: "worker" as const, zone: cloud.zones.join(","), count: aksSystemCount(spec) };
        this.finish(managedOutputs(topo, endpoint, kubeconfig, (p) => p.count, [system]), {
            clusterName: this.clusterName,
            oidcIssuerUrl: this.oidcIssuerUrl,
            identityClientId: this.identityClientId,
        });
    }
}
