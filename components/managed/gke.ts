/**
 * GKE from a cluster spec: a regional cluster (control plane over the region's zones, nodes in
 * `cloud.zones`), VPC-native networking with Cloud NAT, private nodes, Workload Identity, a KMS
 * key for Secrets, one node pool per pool, admins in IAM, and a kubeconfig authenticating
 * through `gke-gcloud-auth-plugin` (exported as a secret).
 */
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../../config/spec";
import { clusterFacts, type ClusterOutputs } from "../outputs";
import { buildTopology } from "../topology";
import { httpsEndpoint, managedNodeSummaries, perZoneCount } from "./common";
import { gkeControlPlane } from "./gke/cluster";
import { gkeAdmins, gkeIdentity } from "./gke/identity";
import { gkeNetwork } from "./gke/network";
import { gkeNodePools } from "./gke/pools";
import { renderExecKubeconfig } from "./kubeconfig";

export interface GkeClusterArgs {
    readonly spec: ClusterSpec;
}

export class GkeCluster extends pulumi.ComponentResource implements ClusterOutputs {
    readonly endpoint: pulumi.Output<string>;
    readonly kubeconfig: pulumi.Output<string>;
    readonly nodes: ClusterOutputs["nodes"];
    readonly failureTolerance: ClusterOutputs["failureTolerance"];
    /** The GKE cluster's name (= `cluster.name`). */
    readonly clusterName: pulumi.Output<string>;
    /** `<project>.svc.id.goog`: the Workload Identity pool Kubernetes service accounts map into. */
    readonly workloadPool: pulumi.Output<string>;
    /** E-mail of the service account the nodes run as. */
    readonly nodeServiceAccount: pulumi.Output<string>;

    constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        const spec = args.spec;
        const topo = buildTopology(spec);
        super("hacluster:managed:Gke", name, { facts: clusterFacts(spec, topo) }, opts);
        if (spec.family !== "managed" || spec.platform !== "gcp" || !spec.cloud?.project || !spec.managed) {
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
        this.endpoint = httpsEndpoint(cluster.endpoint);
        this.kubeconfig = pulumi.secret(
            pulumi.all([this.endpoint, cluster.masterAuth]).apply(([server, auth]) =>
                renderExecKubeconfig({
                    name: `gke_${project}_${spec.cloud!.region}_${spec.name}`,
                    server: server ?? "",
                    caData: auth?.clusterCaCertificate ?? "",
                    exec: {
                        command: "gke-gcloud-auth-plugin",
                        args: [],
                        provideClusterInfo: true,
                        installHint: "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin (https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl)",
                    },
                }),
            ),
        );
        // GKE rounds each pool up to whole nodes per zone: report what will run.
        this.nodes = pulumi.output(managedNodeSummaries(topo, (p) => perZoneCount(p.count, p.zones.length) * p.zones.length));
        this.failureTolerance = pulumi.output(topo.tolerance);
        this.registerOutputs({
            endpoint: this.endpoint,
            kubeconfig: this.kubeconfig,
            nodes: this.nodes,
            failureTolerance: this.failureTolerance,
            clusterName: this.clusterName,
            workloadPool: this.workloadPool,
            nodeServiceAccount: this.nodeServiceAccount,
        });
    }
}
