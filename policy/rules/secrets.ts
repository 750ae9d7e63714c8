/**
 * Secrets stay secrets: the stdin of the on-prem secrets steps, credential-named properties
 * (private keys, passwords, kubeconfigs, tokens, raw disk keys) and any PEM private key or
 * kubeconfig with credentials must reach the engine as Pulumi secrets.
 *
 * Only a remediation sees which values are secret (validation gets them unwrapped), so this
 * policy runs at level `remediate`: its remediation finds the plain values, makes them secret for
 * this run (previews, PR comments and the state never show them) and remembers them; its
 * validation, which the engine runs right after on the same resource, reports each one, and the
 * engine counts a violation of a remediating policy as mandatory: the program must be fixed.
 * At any other level the engine skips the remediation and the policy reports "not applicable".
 */
import { Secret, type ResourceValidationPolicy } from "@pulumi/policy";
import { rawProps } from "../lib/engine";
import { plainSecrets, replaceAt, type PlainSecret } from "../lib/secrets";

/** Findings by URN, from a resource's remediation to its validation (one analyzer process serves a whole run). */
const pending = new Map<string, PlainSecret[]>();

export const secretsAreSecret: ResourceValidationPolicy = {
    name: "secrets-are-secret",
    description: "Private keys, passwords, tokens, kubeconfigs and the stdin of secrets steps are Pulumi secrets; no plain PEM private key anywhere.",
    enforcementLevel: "remediate",
    severity: "critical",
    remediationSteps: "Wrap the value in pulumi.secret(...) or read it with config.requireSecret(...).",
    remediateResource: (args) => {
        const raw = rawProps(args.props);
        const found = plainSecrets(args.type, args.name, raw);
        pending.set(args.urn, found);
        if (found.length === 0) return undefined;
        return replaceAt(
            raw,
            found.map((f) => f.path),
            (v) => new Secret(v),
        ) as Record<string, unknown>;
    },
    validateResource: (args, report) => {
        const found = pending.get(args.urn);
        if (found === undefined) {
            return args.notApplicable("runs only at enforcement level remediate: only a remediation sees which values are secret");
        }
        pending.delete(args.urn);
        for (const f of found) report(`${args.name}: ${f.message}`);
    },
};
