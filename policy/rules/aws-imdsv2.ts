/**
 * IMDSv1 answers any process (or SSRF) on the machine with the instance role's credentials;
 * IMDSv2 needs a session token obtained with a PUT that a hop limit of 1 keeps inside the host.
 * Every AWS machine therefore requires tokens (or turns the metadata service off).
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { resourceType } from "../lib/engine";
import { TYPES, type AwsInstance, type AwsLaunchTemplate, type AwsMetadataOptions } from "../lib/shapes";

function problem(m: AwsMetadataOptions | undefined): string | undefined {
    if (m?.httpEndpoint === "disabled") return undefined;
    if (m?.httpTokens === "required") return undefined;
    return m?.httpTokens === undefined ? "does not set metadataOptions.httpTokens (the default allows IMDSv1)" : `sets metadataOptions.httpTokens to ${JSON.stringify(m.httpTokens)}`;
}

export const awsImdsv2: ResourceValidationPolicy = {
    name: "aws-imdsv2-required",
    description: "AWS instances and launch templates require IMDSv2 (metadataOptions.httpTokens = required).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: 'Set metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } on every instance and launch template.',
    validateResource: (args, report) => {
        const type = resourceType(args.type);
        const fix = 'Fix: set metadataOptions.httpTokens: "required"';
        if (type === TYPES.awsLaunchTemplate) {
            const p = problem((args.props as AwsLaunchTemplate).metadataOptions);
            if (p) report(`launch template ${args.name} ${p}. ${fix}`);
        } else if (type === TYPES.awsInstance || type === TYPES.awsSpotInstanceRequest) {
            const i = args.props as AwsInstance;
            // Launched from a template without its own options: the template's options apply (checked there).
            if (i.metadataOptions === undefined && i.launchTemplate !== undefined) return;
            const p = problem(i.metadataOptions);
            if (p) report(`${type === TYPES.awsInstance ? "instance" : "spot instance request"} ${args.name} ${p}. ${fix}`);
        } else {
            args.notApplicable("applies to AWS instances and launch templates only");
        }
    },
};
