/**
 * Who may use the EKS cluster: an access entry plus the `AmazonEKSClusterAdminPolicy` association
 * per `managed.adminPrincipals` (authentication mode API: no aws-auth ConfigMap). Names derive
 * from a hash of the ARN, so reordering the list replaces nothing.
 */
import * as eks from "@pulumi/aws/eks";
import * as pulumi from "@pulumi/pulumi";
import { childName } from "../../naming";
import { stableId } from "../common";
import { eksAccessPolicy } from "./plan";

export function eksAdmins(parent: pulumi.Resource, name: string, region: string, clusterName: pulumi.Input<string>, principals: readonly string[]): eks.AccessPolicyAssociation[] {
    return principals.map((principalArn) => {
        const id = stableId(principalArn);
        const entry = new eks.AccessEntry(childName(name, "admin", id), { region, clusterName, principalArn, type: "STANDARD" }, { parent });
        return new eks.AccessPolicyAssociation(
            childName(name, "admin", id, "policy"),
            { region, clusterName, principalArn: entry.principalArn, policyArn: eksAccessPolicy(region, "AmazonEKSClusterAdminPolicy"), accessScope: { type: "cluster" } },
            { parent, dependsOn: [entry] },
        );
    });
}
