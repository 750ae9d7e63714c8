/**
 * etcd (2379-2380) holds every secret of the cluster and the kubelet (10250) runs commands in
 * pods; neither may be reachable from anywhere. Checks every ingress rule the three clouds can
 * express: AWS security groups (inline, `SecurityGroupRule`, `vpc.SecurityGroupIngressRule`), GCP
 * firewalls and Azure network security groups (inline and `SecurityRule`).
 */
import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { list, resourceType } from "../lib/engine";
import { ALL_PORTS, allProtocols, carriesTcp, coveredPorts, DEFAULT_PROTECTED_PORTS, isWorld, parsePortRange, service, type PortRange } from "../lib/net";
import {
    TYPES,
    type AwsSecurityGroup,
    type AwsSecurityGroupIngressRule,
    type AwsSecurityGroupRule,
    type AzureNetworkSecurityGroup,
    type AzureSecurityRule,
    type GcpFirewall,
} from "../lib/shapes";

/** One rule letting traffic in, in cloud-neutral terms. */
interface Ingress {
    /** How the violation names it, e.g. `ingress[0] of security group web`. */
    readonly label: string;
    readonly sources: readonly string[];
    readonly protocol: string;
    readonly ports: readonly PortRange[];
    readonly fix: string;
}

const AWS_FIX = "allow only the cluster's own networks (the node subnets, or sourceSecurityGroupId / referencedSecurityGroupId)";

function awsPorts(protocol: string, from: number | undefined, to: number | undefined): readonly PortRange[] {
    if (allProtocols(protocol) || from === undefined) return ALL_PORTS;
    return [{ from: Math.min(from, to ?? from), to: Math.max(from, to ?? from) }];
}

function azureRule(label: string, r: AzureSecurityRule): Ingress[] {
    if (r.direction?.toLowerCase() !== "inbound" || r.access?.toLowerCase() !== "allow") return [];
    const ports = [r.destinationPortRange, ...list(r.destinationPortRanges)]
        .filter((p): p is string => typeof p === "string")
        .map((p) => parsePortRange(p) ?? ALL_PORTS[0]);
    return [
        {
            label,
            sources: [r.sourceAddressPrefix, ...list(r.sourceAddressPrefixes)].filter((s): s is string => typeof s === "string"),
            protocol: r.protocol,
            ports,
            fix: "set sourceAddressPrefix(es) to the virtual network (VirtualNetwork) or the node subnets",
        },
    ];
}

/** The ingress rules a resource declares; empty for resources this policy does not read. */
function ingressOf(args: ResourceValidationArgs): Ingress[] {
    const type = resourceType(args.type);
    const name = args.name;
    switch (type) {
        case TYPES.awsSecurityGroup: {
            const sg = args.props as AwsSecurityGroup;
            return list(sg.ingress).map((r, i) => ({
                label: `ingress[${i}] of security group ${name}`,
                sources: [...list(r.cidrBlocks), ...list(r.ipv6CidrBlocks)],
                protocol: r.protocol,
                ports: awsPorts(r.protocol, r.fromPort, r.toPort),
                fix: AWS_FIX,
            }));
        }
        case TYPES.awsSecurityGroupRule: {
            const r = args.props as AwsSecurityGroupRule;
            if (r.type !== "ingress") return [];
            return [
                {
                    label: `security group rule ${name}`,
                    sources: [...list(r.cidrBlocks), ...list(r.ipv6CidrBlocks)],
                    protocol: r.protocol,
                    ports: awsPorts(r.protocol, r.fromPort, r.toPort),
                    fix: AWS_FIX,
                },
            ];
        }
        case TYPES.awsSecurityGroupIngressRule: {
            const r = args.props as AwsSecurityGroupIngressRule;
            return [
                {
                    label: `security group ingress rule ${name}`,
                    sources: [r.cidrIpv4, r.cidrIpv6].filter((s): s is string => typeof s === "string"),
                    protocol: r.ipProtocol,
                    ports: awsPorts(r.ipProtocol, r.fromPort, r.toPort),
                    fix: AWS_FIX,
                },
            ];
        }
        case TYPES.gcpFirewall: {
            const fw = args.props as GcpFirewall;
            if ((fw.direction ?? "INGRESS").toUpperCase() !== "INGRESS" || fw.disabled === true) return [];
            // An ingress firewall with no source at all applies to 0.0.0.0/0 (GCP's default).
            const implicit = list(fw.sourceRanges).length === 0 && list(fw.sourceTags).length === 0 && list(fw.sourceServiceAccounts).length === 0;
            const sources = implicit ? ["0.0.0.0/0"] : list(fw.sourceRanges);
            return list(fw.allows).map((a, i) => ({
                label: `allows[${i}] of firewall ${name}${implicit ? " (no source given, so GCP applies it to 0.0.0.0/0)" : ""}`,
                sources,
                protocol: a.protocol,
                // No ports: every port of the protocol.
                ports: list(a.ports).length === 0 ? ALL_PORTS : list(a.ports).map((p) => parsePortRange(p) ?? ALL_PORTS[0]),
                fix: "set sourceRanges to the cluster's subnets, or use sourceTags / sourceServiceAccounts",
            }));
        }
        case TYPES.azureNetworkSecurityGroup: {
            const nsg = args.props as AzureNetworkSecurityGroup;
            return list(nsg.securityRules).flatMap((r, i) => azureRule(`security rule ${r.name ?? `[${i}]`} of network security group ${name}`, r));
        }
        case TYPES.azureSecurityRule:
            return azureRule(`security rule ${name}`, args.props as AzureSecurityRule);
        default:
            return [];
    }
}

interface NoPublicEtcdKubeletConfig {
    /** Ports no rule may open to the world. @default [2379, 2380, 10250] */
    readonly ports: readonly number[];
}

const INGRESS_TYPES: ReadonlySet<string> = new Set([
    TYPES.awsSecurityGroup,
    TYPES.awsSecurityGroupRule,
    TYPES.awsSecurityGroupIngressRule,
    TYPES.gcpFirewall,
    TYPES.azureNetworkSecurityGroup,
    TYPES.azureSecurityRule,
]);

export const noPublicEtcdKubelet: ResourceValidationPolicy = {
    name: "no-public-etcd-kubelet",
    description: "No firewall or security group rule lets 0.0.0.0/0, ::/0 or the Internet reach etcd (2379-2380) or the kubelet (10250).",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "Allow etcd and kubelet ports from the cluster's own subnets or security groups only.",
    configSchema: {
        properties: {
            ports: { type: "array", items: { type: "integer", minimum: 1, maximum: 65535 }, default: [...DEFAULT_PROTECTED_PORTS] },
        },
    },
    validateResource: (args, report) => {
        if (!INGRESS_TYPES.has(resourceType(args.type))) args.notApplicable("applies to security groups, firewalls and security rules only");
        const ports = args.getConfig<Partial<NoPublicEtcdKubeletConfig>>().ports ?? DEFAULT_PROTECTED_PORTS;
        for (const rule of ingressOf(args)) {
            if (!carriesTcp(rule.protocol)) continue;
            const world = rule.sources.filter(isWorld);
            const exposed = coveredPorts(rule.ports, ports);
            if (world.length === 0 || exposed.length === 0) continue;
            report(
                `${rule.label} lets ${world.join(", ")} reach ${exposed.map(service).join(", ")} (protocol ${rule.protocol}). ` +
                    `Fix: ${rule.fix}`,
            );
        }
    },
};
