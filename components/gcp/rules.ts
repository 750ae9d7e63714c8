/**
 * VPC firewall rules as data (pure): which port is open from where, and why. firewall.ts turns
 * each rule into one `compute.Firewall`.
 *
 * Machines are matched by service account, not by network tag: there is one account per role
 * (control planes, workers, each external etcd member), and while anybody who may edit an
 * instance can change its tags, attaching an account needs `iam.serviceAccountUser` on it.
 * Ranges are used only where the peer is not one of our machines (load-balancer health checks,
 * your admin networks) and for the API port, which is reached through the load balancer from the
 * whole node network.
 *
 * Nothing is allowed from 0.0.0.0/0. The API port is open to the node network, the configured
 * `cloud.apiAllowedCidrs` and Google's health-check ranges; etcd only between etcd members and the
 * control planes; the kubelet only from the control planes; SSH only from `cloud.sshAllowedCidrs`.
 * A low-priority deny of all other ingress to the cluster's machines neutralises the broad
 * `default-allow-*` rules (priority 65534) of an existing default network; rules you add at
 * the default priority 1000 still win over it.
 *
 * CNI: the rules carry what Calico needs between nodes (the project's choice on clouds: its
 * manifest takes the pod CIDR from kubeadm's config, unlike flannel's, which hardcodes
 * 10.244.0.0/16; Calico's GCE guide uses IP-in-IP): BGP (179/tcp) and IP-in-IP (`ipip`) in its
 * default mode, VXLAN (4789/udp) for its VXLAN mode, Typha (5473/tcp), and ICMP (path MTU
 * discovery, ping). All of them only between the cluster's Kubernetes nodes. Another CNI needs
 * its own ports (flannel/Cilium VXLAN: 8472/udp).
 */
import type { SelfManagedCloudSpec } from "../../config/spec";

/** Machines of a role; `etcd` means every external etcd member's account. */
export type Principal = "control-plane" | "worker" | "etcd";

interface Allowed {
    /** `tcp`, `udp`, `icmp`, `ipip`, ... */
    readonly protocol: string;
    readonly ports?: readonly string[];
}

export interface FirewallRule {
    /** Unique: becomes part of the rule's resource name. */
    readonly id: string;
    readonly description: string;
    readonly action: "allow" | "deny";
    readonly rules: readonly Allowed[];
    /** Machines the rule applies to. */
    readonly targets: readonly Principal[];
    /** Where traffic may come from: machines (by account) or address ranges. */
    readonly source: { readonly principals: readonly Principal[] } | { readonly ranges: readonly string[] };
    /** @default 1000 */
    readonly priority?: number;
}

/** The kube-apiserver port on each control plane (passthrough load balancers keep the port). */
export const API_SERVER_PORT = 6443;

/** Where Google's health checks of internal passthrough load balancers come from. */
const INTERNAL_HEALTH_CHECK_RANGES = ["35.191.0.0/16", "130.211.0.0/22"] as const;
/** Where Google's health checks of external passthrough load balancers come from. */
const EXTERNAL_HEALTH_CHECK_RANGES = ["35.191.0.0/16", "209.85.152.0/22", "209.85.204.0/22"] as const;

/** Calico's needs between nodes (see the file comment). */
const CNI_ALLOWED: readonly Allowed[] = [
    { protocol: "tcp", ports: ["179", "5473"] },
    { protocol: "udp", ports: ["4789"] },
    { protocol: "ipip" },
    { protocol: "icmp" },
];

/** Below every allow rule here (1000) and above a default network's `default-allow-*` (65534). */
const DENY_PRIORITY = 65000;

export interface RuleOptions {
    /** The node subnet's CIDR (the API port is reached through the load balancer from all of it). */
    readonly nodeCidr: string;
    /** Load balancers are the endpoint (kind `loadBalancer`): their health checks need in. */
    readonly loadBalancer: boolean;
    /** An external passthrough load balancer exists too (`cloud.publicEndpoint`). */
    readonly publicEndpoint: boolean;
}

export function firewallRules(spec: SelfManagedCloudSpec, o: RuleOptions): FirewallRule[] {
    const cloud = spec.cloud;
    const external = spec.etcd.topology === "external";
    const nodes: Principal[] = ["control-plane", "worker"];
    const machines: Principal[] = external ? [...nodes, "etcd"] : nodes;
    const tcp = (ports: string[] = [String(API_SERVER_PORT)]) => [{ protocol: "tcp", ports }];
    const rules: FirewallRule[] = [
        {
            id: "api-nodes",
            description: "Kubernetes API from the node network (through the load balancer, and pods via the kubernetes service)",
            action: "allow",
            rules: tcp(),
            targets: ["control-plane"],
            source: { ranges: [o.nodeCidr] },
        },
    ];
    if (o.loadBalancer) {
        rules.push({
            id: "api-health-checks",
            description: "Google's load-balancer health checks of /readyz on the API servers",
            action: "allow",
            rules: tcp(),
            targets: ["control-plane"],
            source: { ranges: [...new Set([...INTERNAL_HEALTH_CHECK_RANGES, ...(o.publicEndpoint ? EXTERNAL_HEALTH_CHECK_RANGES : [])])] },
        });
    }
    if (cloud.apiAllowedCidrs.length > 0) {
        rules.push({
            id: "api-clients",
            description: "Kubernetes API from cluster.cloud.apiAllowedCidrs (passthrough: clients keep their address)",
            action: "allow",
            rules: tcp(),
            targets: ["control-plane"],
            source: { ranges: [...cloud.apiAllowedCidrs] },
        });
    }
    if (external) {
        rules.push(
            {
                id: "etcd-clients",
                description: "etcd clients: the API servers, and members' own checks",
                action: "allow",
                rules: tcp(["2379"]),
                targets: ["etcd"],
                source: { principals: ["control-plane", "etcd"] },
            },
            { id: "etcd-peers", description: "etcd peers between members", action: "allow", rules: tcp(["2380"]), targets: ["etcd"], source: { principals: ["etcd"] } },
        );
    } else {
        rules.push({
            id: "etcd",
            description: "stacked etcd: clients and peers between control planes",
            action: "allow",
            rules: tcp(["2379-2380"]),
            targets: ["control-plane"],
            source: { principals: ["control-plane"] },
        });
    }
    rules.push(
        { id: "kubelet", description: "kubelet API from the control planes", action: "allow", rules: tcp(["10250"]), targets: nodes, source: { principals: ["control-plane"] } },
        { id: "cni", description: "Calico between nodes: BGP, IP-in-IP, VXLAN, Typha, ICMP", action: "allow", rules: CNI_ALLOWED, targets: nodes, source: { principals: nodes } },
    );
    if (cloud.sshAllowedCidrs.length > 0) {
        rules.push({
            id: "ssh",
            description: "break-glass SSH from cluster.cloud.sshAllowedCidrs",
            action: "allow",
            rules: tcp(["22"]),
            targets: machines,
            source: { ranges: [...cloud.sshAllowedCidrs] },
        });
    }
    rules.push({
        id: "deny-other",
        description: "no other ingress to the cluster's machines (overrides a default network's default-allow-* rules)",
        action: "deny",
        rules: [{ protocol: "all" }],
        targets: machines,
        source: { ranges: ["0.0.0.0/0"] },
        priority: DENY_PRIORITY,
    });
    return rules;
}
