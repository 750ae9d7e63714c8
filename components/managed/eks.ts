/**
 * EKS from a cluster spec: network (new VPC or existing subnets), IAM roles, a KMS key for
 * Secrets, the control plane, an OIDC provider for IAM roles for service accounts, one managed
 * node group per pool, admin access entries, and a kubeconfig that authenticates through
 * `aws eks get-token` (no credential inside; exported as a secret all the same).
 */
import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import type { ManagedClusterSpec } from "../../config/spec";
import { childName } from "../naming";
import { ClusterComponent } from "../outputs";
import { httpsEndpoint, managedOutputs } from "./common";
import { eksAdmins } from "./eks/access";
import { eksControlPlane } from "./eks/cluster";
import { eksIdentity } from "./eks/iam";
import { eksNetwork } from "./eks/network";
import { eksAddons, eksNodeGroups } from "./eks/pools";
import { renderExecKubeconfig } from "./kubeconfig";
import { haTags } from "../tags";

export interface EksClusterArgs {
    readonly spec: ManagedClusterSpec;
}

export class EksCluster extends ClusterComponent {
    /** The EKS cluster's name (= `cluster.name`). */
    readonly clusterName: pulumi.Output<string>;
    /** ARN of the cluster's IAM OIDC provider: the federated principal of IAM roles for service accounts. */
    readonly oidcProviderArn: pulumi.Output<string>;
    /** ARN of the role every node runs as. */
    readonly nodeRoleArn: pulumi.Output<string>;

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        const spec = args.spec;
        super("hacluster:managed:Eks", name, spec, opts);
        const topo = this.topology;
        if (spec.platform !== "aws") {
            throw new pulumi.ResourceError(`EksCluster needs a managed aws spec (got ${spec.family} on ${spec.platform})`, this);
        }
        const region = spec.cloud.region;
        const tags = haTags("eks", { cluster: spec.name });

        const network = eksNetwork(this, name, spec, topo, tags);
        const identity = eksIdentity(this, name, spec, tags);
        const cluster = eksControlPlane(this, name, spec, network, identity, tags);
        // No thumbprint: IAM trusts the EKS issuers' certificate authority itself and ignores
        // thumbprints for them; fetching one would need a TLS call at preview time.
        const oidc = new iam.OpenIdConnectProvider(
            childName(name, "oidc"),
            {
                url: cluster.identities.apply((ids) => ids?.[0]?.oidcs?.[0]?.issuer) as pulumi.Output<string>,
                clientIdLists: ["sts.amazonaws.com"],
                tags,
            },
            { parent: this, dependsOn: [cluster] },
        );
        const nodeGroups = eksNodeGroups(this, name, spec, topo, cluster, network, identity, tags);
        eksAddons(this, name, region, cluster, nodeGroups);
        eksAdmins(this, name, region, cluster.name, spec.managed.adminPrincipals);
        if (spec.managed.adminPrincipals.length === 0) {
            pulumi.log.warn(
                "managed.adminPrincipals is empty: no IAM principal can use the kubeconfig until an EKS access entry exists. Fix: list your admin role ARN in cluster.managed.adminPrincipals",
                this,
            );
        }

        this.clusterName = cluster.name;
        this.oidcProviderArn = oidc.arn;
        this.nodeRoleArn = identity.nodeRole.arn;
        const endpoint = httpsEndpoint(cluster.endpoint);
        const kubeconfig = pulumi.all([endpoint, cluster.certificateAuthority, cluster.name]).apply(([server, ca, clusterName]) =>
            renderExecKubeconfig({
                name: clusterName,
                server: server ?? "",
                caData: ca?.data ?? "",
                exec: {
                    command: "aws",
                    args: ["--region", region, "eks", "get-token", "--cluster-name", clusterName, "--output", "json"],
                    installHint: "Install the AWS CLI v2 (https://docs.aws.amazon.com/cli/) and sign in as one of managed.adminPrincipals",
                },
            }),
        );
        this.finish(managedOutputs(topo, endpoint, kubeconfig, (p) => p.count), {
            clusterName: this.clusterName,
            oidcProviderArn: this.oidcProviderArn,
            nodeRoleArn: this.nodeRoleArn,
        });
    }
}
