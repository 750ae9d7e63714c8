/**
 * GKE from a cluster spec: a regional cluster (control plane over the region's zones, nodes in
 * `cloud.zones`), VPC-native networking with Cloud NAT, private nodes, Workload Identity, a KMS
 * key for Secrets, one node pool per pool, admins in IAM, and a kubeconfig authenticating
 * through `gke-gcloud-auth-plugin` (exported as a secret).
 */
import * as pulumi from "@pulumi/pulumi";
import type { ManagedClusterSpec } from "../../config/spec";
import { ClusterComponent } from "../outputs";
import { httpsEndpoint, managedOutputs, perZoneCount } from "./common";
import { gkeControlPlane } from "./gke/cluster";
import { gkeAdmins, gkeIdentity } from "./gke/identity";
import { gkeNetwork } from "./gke/network";
import { gkeNodePools } from "./gke/pools";
import { renderExecKubeconfig } from "./kubeconfig";

export interface GkeClusterArgs {
    readonly spec: ManagedClusterSpec;
}

export class GkeCluster extends ClusterComponent {
    /** The GKE cluster's name (= `cluster.name`). */
    readonly clusterName: pulumi.Output<string>;
    /** `<project>.svc.id.goog`: the Workload Identity pool Kubernetes service accounts map into. */
    readonly workloadPool: pulumi.Output<string>;
    /** E-mail of the service account the nodes run as. */
    readonly nodeServiceAccount: pulumi.Output<string>;

    constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        const spec = args.spec;
        super("hacluster:managed:Gke", name, spec, opts);
        const topo = this.topology;
        if (spec.platform !== "gcp" || !spec.cloud.project) {
            throw new pulumi.ResourceError(`GkeCluster needs a managed gcp spec with a project (got ${spec.family} on ${spec.platform})`, this);
        }
        const project = spec.cloud.project;

        const network = gkeNetwork(this, name, spec);
        const identity = gkeIdentity(this, name, spec);
        const cluster = gkeControlPlane(this, name, spec, network, identity);
        gkeNodePools(this, name, spec, topo, cluster, network, identity);
        gkeAdmins(this, name, project, spec.managed.adminPrincipals);

        this.clusterName = cluster.name;
        this.workloadPool = pulumi.output(`${project}.svc.id.goog`);
        this.nodeServiceAccount = identity.nodeAccount.email;
        const endpoint = httpsEndpoint(cluster.endpoint);
        const kubeconfig = pulumi.all([endpoint, cluster.masterAuth]).apply(([server, auth]) =>
            renderExecKubeconfig({
                name: `gke_${project}_${spec.cloud.region}_${spec.name}`,
                server: server ?? "",
                caData: auth?.clusterCaCertificate ?? "",
                exec: {
                    command: "gke-gcloud-auth-plugin",
                    args: [],
                    provideClusterInfo: true,
                    installHint: "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin (https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl)",
                },
            }),
        );
        // GKE rounds each pool up to whole nodes per zone: report what will run.
        this.finish(managedOutputs(topo, endpoint, kubeconfig, (p) => perZoneCount(p.count, p.zones.length) * p.zones.length), {
            clusterName: this.clusterName,
            workloadPool: this.workloadPool,
            nodeServiceAccount: this.nodeServiceAccount,
        });
    }
}
