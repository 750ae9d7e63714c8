/**
 * hacluster's CrossGuard policy pack: the HA shape of every cluster and the security floor of the
 * machines and networks under it. Run with `pulumi preview --policy-pack policy` (after
 * `npm install` in this directory); see README.md here for the rules.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policies } from "./policies";

new PolicyPack(PACK_NAME, {
    description: "HA Kubernetes clusters: control planes and etcd spread over zones, a health-checked endpoint, no public etcd or kubelet, encrypted disks, IMDSv2, secrets as secrets.",
    displayName: "hacluster HA and security rules",
    enforcementLevel: "mandatory",
    tags: ["kubernetes", "high-availability", "security"],
    policies,
});
