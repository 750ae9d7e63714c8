/**
 * The payments team's stack: one hacluster OnPremCluster per stack, configured in this project's
 * own namespace (`payments-clusters:cluster`, the same shape as `hacluster:cluster`), named after
 * the team and the stack. Everything else here is the team's: its outputs, its naming, its stacks.
 *
 * In another repository the import reads `from "hacluster/components"` (see docs/reuse.md); in
 * this repository the example imports the folder, so tests compile and synth it against the code
 * next to it.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, formatProblem, loadSpec, OnPremCluster } from "../../components";

const config = new pulumi.Config();
const stack = pulumi.getStack();

// Validate before creating anything: every config mistake is reported at once, with its path.
let loaded: ReturnType<typeof loadSpec>;
try {
    loaded = loadSpec(
        {
            profile: config.get("profile"),
            platform: "onprem",
            cluster: { name: `payments-${stack}`, ...config.requireObject<Record<string, unknown>>("cluster") },
        },
        { stack },
    );
} catch (e) {
    // A RunError prints the problems without a stack trace.
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
}
for (const w of loaded.warnings) pulumi.log.warn(formatProblem(w));
const { spec } = loaded;
// OnPremCluster takes the on-prem variant of the spec: the compiler checks this stack is one.
if (spec.platform !== "onprem") throw new pulumi.RunError(`this stack builds on-prem clusters, the config says platform ${spec.platform}`);

// The SSH key stays a secret end to end: read with requireSecret, passed as an Output.
const keyName = spec.ssh?.privateKeySecret;
const cluster = new OnPremCluster(spec.name, {
    spec,
    ...(keyName ? { sshPrivateKey: config.requireSecret(keyName) } : {}),
});

export const endpoint = cluster.endpoint;
/** Secret: `pulumi stack output kubeconfig --show-secrets > ~/.kube/payments.conf`. */
export const kubeconfig = cluster.kubeconfig;
export const failureTolerance = cluster.failureTolerance;
export const nodes = cluster.nodes;
export const controlPlanes = cluster.nodes.apply((all) => all.filter((n) => n.role === "control-plane").map((n) => `${n.name} (${n.zone})`));
