/**
 * `ha` clusters keep serving the API when a zone is lost: at least three control planes, spread
 * over at least three zones (two zones cannot outvote each other; one zone is a single failure).
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { clusterFacts, countBy, plural, selfManaged } from "../lib/facts";

const MIN_HA_CONTROL_PLANES = 3;
const MIN_HA_ZONES = 3;

export const haControlPlanes: ResourceValidationPolicy = {
    name: "ha-control-planes",
    description: "An `ha` cluster has at least three control planes spread over at least three zones.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Add control-plane hosts (cluster.controlPlane.hosts on-prem, cluster.controlPlane.count on clouds) and place them in three zones.",
    validateResource: (args, report) => {
        const facts = clusterFacts(args, report);
        if (!facts) return;
        selfManaged(args, facts);
        if (facts.profile !== "ha") args.notApplicable(`cluster ${args.name} has profile ${facts.profile}, not ha`);
        const { count, zones } = facts.controlPlanes;
        if (count < MIN_HA_CONTROL_PLANES) {
            report(
                `cluster ${args.name}: ha needs at least ${MIN_HA_CONTROL_PLANES} control planes, it has ${count}. ` +
                    `Fix: add control planes until there are ${MIN_HA_CONTROL_PLANES} or more`,
            );
        }
        const byZone = countBy(zones);
        if (byZone.size < MIN_HA_ZONES) {
            const where = [...byZone].map(([z, n]) => `${z}: ${n}`).join(", ") || "none";
            report(
                `cluster ${args.name}: ha needs control planes in at least ${MIN_HA_ZONES} zones, they are in ${plural(byZone.size, "zone")} (${where}). ` +
                    `Fix: give the control planes ${MIN_HA_ZONES} different zones`,
            );
        }
    },
};
