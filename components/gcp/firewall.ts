/**
 * VPC firewall rules (rules.ts says which and why): one `compute.Firewall` per rule, machines
 * matched by their role's service account.
 */
import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/gcp/compute";
import { n, type GcpContext } from "./common";
import type { Network } from "./network";
import { firewallRules, type Principal } from "./rules";
import type { Identity } from "./secrets";

export function createFirewall(ctx: GcpContext, net: Network, identities: ReadonlyMap<Principal, readonly Identity[]>, lb: { loadBalancer: boolean; publicEndpoint: boolean }): compute.Firewall[] {
    const { spec, parent, project } = ctx;
    const emails = (ps: readonly Principal[]): pulumi.Output<string>[] => ps.flatMap((p) => (identities.get(p) ?? []).map((i) => i.email));
    return firewallRules(spec, { nodeCidr: net.cidr, ...lb }).map((r) => {
        // An empty list of target accounts would mean "every instance in the network".
        for (const ps of [r.targets, "principals" in r.source ? r.source.principals : []]) {
            if (ps.length > 0 && emails(ps).length === 0) throw new pulumi.ResourceError(`firewall rule ${r.id}: no machines of ${ps.join(", ")}`, parent);
        }
        const block = r.rules.map((x) => ({ protocol: x.protocol, ...(x.ports ? { ports: [...x.ports] } : {}) }));
        return new compute.Firewall(
            n(ctx, "fw", r.id),
            {
                project,
                network: net.networkId,
                description: `hacluster ${spec.name}: ${r.description}`,
                direction: "INGRESS",
                priority: r.priority ?? 1000,
                ...(r.action === "allow" ? { allows: block } : { denies: block }),
                targetServiceAccounts: emails(r.targets),
                ...("ranges" in r.source ? { sourceRanges: [...r.source.ranges] } : { sourceServiceAccounts: emails(r.source.principals) }),
            },
            { parent },
        );
    });
}
