/**
 * Clients of an `ha` cluster dial one endpoint; it must stop sending them to an API server that is
 * down, which only a health check does (HAProxy's `/readyz` probe behind a VIP, a cloud load
 * balancer's health probe). A `direct` endpoint is the first control plane itself.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { clusterFacts, selfManaged } from "../lib/facts";

interface EndpointHealthConfig {
    /**
     * Trust an `external` endpoint (your own load balancer, which the stack does not create and
     * the facts cannot describe) to health-check the control planes. @default false
     */
    readonly trustExternalEndpoint: boolean;
}

export const endpointHealthCheck: ResourceValidationPolicy = {
    name: "ha-endpoint-health-check",
    description: "The API endpoint of an `ha` cluster balances over the control planes with a health check.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Use endpoint kind vip (HAProxy health-checks /readyz) or a load balancer with a health check, and record it in the cluster facts.",
    configSchema: {
        properties: {
            trustExternalEndpoint: { type: "boolean", default: false },
        },
    },
    validateResource: (args, report) => {
        const facts = clusterFacts(args, report);
        if (!facts) return;
        selfManaged(args, facts);
        if (facts.profile !== "ha") args.notApplicable(`cluster ${args.name} has profile ${facts.profile}, not ha`);
        const { kind, healthCheck } = facts.endpoint;
        const trustExternal = args.getConfig<Partial<EndpointHealthConfig>>().trustExternalEndpoint === true;
        if (kind === "external" && trustExternal) return;
        if (kind === "direct") {
            report(
                `cluster ${args.name}: the endpoint is direct (the first control plane), so losing that machine loses the API. ` +
                    "Fix: use endpoint kind vip or loadBalancer",
            );
        } else if ((typeof healthCheck !== "string" || healthCheck.trim() === "") && kind === "external") {
            report(
                `cluster ${args.name}: the external endpoint is your own load balancer, whose health check the cluster cannot show. ` +
                    "Fix: make it health-check /readyz on every control plane, then set this policy's trustExternalEndpoint: true",
            );
        } else if (typeof healthCheck !== "string" || healthCheck.trim() === "") {
            report(
                `cluster ${args.name}: the ${kind} endpoint has no health check, so it keeps sending clients to a control plane that is down. ` +
                    "Fix: configure a health check of /readyz on every control plane and record it in the cluster facts (endpoint.healthCheck)",
            );
        }
    },
};
