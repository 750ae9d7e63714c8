/**
 * etcd needs ⌊n/2⌋+1 members for every write. An even size adds a member without adding a
 * tolerated failure and lets a clean split stop both halves, so sizes are odd. In `ha`, etcd must
 * also survive the loss of any one zone: no zone may hold more members than the cluster can lose.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { clusterFacts, countBy, selfManaged } from "../lib/facts";

export const etcdQuorum: ResourceValidationPolicy = {
    name: "etcd-odd-quorum",
    description: "etcd has an odd number of members; in `ha` at least three, and no zone holds enough of them to take quorum down.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Use 3 or 5 etcd members (stacked: control planes; external: cluster.etcd.hosts) spread over three zones.",
    validateResource: (args, report) => {
        const facts = clusterFacts(args, report);
        if (!facts) return;
        selfManaged(args, facts);
        const { members, zones, topology } = facts.etcd;
        const what = `cluster ${args.name}: etcd (${topology}) has ${members} members`;
        if (members < 1) {
            report(`${what}: a self-managed cluster needs etcd. Fix: record the etcd members in the cluster facts`);
            return;
        }
        if (members % 2 === 0) {
            report(
                `${what}, an even count: it tolerates no more failures than ${members - 1} and a ${members / 2}:${members / 2} split stops both halves. ` +
                    `Fix: use ${members - 1} or ${members + 1} members`,
            );
        }
        if (facts.profile !== "ha") return;
        if (members < 3) {
            report(`${what}: ha needs at least 3 so that one member may fail. Fix: use 3 or 5 members`);
            return;
        }
        const tolerated = members - (Math.floor(members / 2) + 1);
        for (const [zone, n] of countBy(zones)) {
            if (n > tolerated) {
                report(
                    `${what}, ${n} of them in zone ${zone}: losing that zone loses quorum (at most ${tolerated} may fail). ` +
                        `Fix: spread the members so that no zone holds more than ${tolerated}`,
                );
            }
        }
    },
};
