/**
 * Security-group rules as data (pure): which port is open from where, and why. security.ts turns
 * each rule into one `aws.vpc.SecurityGroupIngressRule`/`EgressRule`.
 *
 * Groups: `nodes` (every Kubernetes node: control planes and workers), `controlPlane`, `etcd`
 * (external members), `api` (the NLB). Nothing is open to 0.0.0.0/0 except egress.
 *
 * CNI: the rules carry what Calico needs between nodes (the project's choice on AWS: its manifest
 * takes the pod CIDR from kubeadm's config, unlike flannel's, which hardcodes 10.244.0.0/16):
 * BGP (179/tcp) and IP-in-IP (IP protocol 4) in its default mode, VXLAN (4789/udp) for its
 * VXLAN mode (no BGP mesh: the mode for large clusters), and Typha (5473/tcp). All of them only
 * between the cluster's nodes. Another CNI needs its own ports (flannel/Cilium VXLAN: 8472/udp).
 */
import type { SelfManagedCloudSpec } from "../../config/spec";
import { API_SERVER_PORT } from "./common";

export type GroupName = "nodes" | "controlPlane" | "etcd" | "api";

type Peer = { readonly group: GroupName } | { readonly cidr: string } | { readonly natIp: number };

export interface Rule {
    /** Unique within the plan: becomes part of the rule's resource name. */
    readonly id: string;
    readonly group: GroupName;
    readonly direction: "ingress" | "egress";
    /** `tcp`, `udp`, `-1` (all) or an IP protocol number (e.g. `4`). */
    readonly protocol: string;
    readonly fromPort?: number;
    readonly toPort?: number;
    readonly peer: Peer;
    readonly description: string;
}

/** Calico's needs between nodes (see the file comment). */
const CNI_RULES: readonly Omit<Rule, "group" | "direction" | "peer">[] = [
    { id: "bgp", protocol: "tcp", fromPort: 179, toPort: 179, description: "Calico BGP between nodes" },
    { id: "ipip", protocol: "4", description: "Calico IP-in-IP between nodes" },
    { id: "vxlan", protocol: "udp", fromPort: 4789, toPort: 4789, description: "Calico VXLAN between nodes" },
    { id: "typha", protocol: "tcp", fromPort: 5473, toPort: 5473, description: "Calico Typha from nodes" },
];

export interface RuleOptions {
    /** An NLB is the endpoint (kind loadBalancer). */
    readonly nlb: boolean;
    /** NAT gateways' public IPs, by index (a public NLB sees nodes coming from them). */
    readonly natIps: number;
}

const cidrId = (c: string) => c.replace(/[./]/g, "-");

export function securityRules(spec: SelfManagedCloudSpec, o: RuleOptions): Rule[] {
    const cloud = spec.cloud;
    const port = spec.endpoint.port;
    const rules: Rule[] = [];
    const add = (r: Rule) => rules.push(r);
    const tcp = (fromPort: number, toPort = fromPort) => ({ protocol: "tcp", fromPort, toPort });
    const external = spec.etcd.topology === "external";

    // --- every Kubernetes node ---
    add({ id: "kubelet", group: "nodes", direction: "ingress", ...tcp(10250), peer: { group: "controlPlane" }, description: "kubelet API from the control planes" });
    for (const r of CNI_RULES) add({ ...r, group: "nodes", direction: "ingress", peer: { group: "nodes" } });
    add({ id: "all", group: "nodes", direction: "egress", protocol: "-1", peer: { cidr: "0.0.0.0/0" }, description: "egress: packages, images, AWS APIs, other nodes" });

    // --- control planes ---
    // Pods reach the API through kube-proxy at the control planes' own addresses (SNAT to their node).
    add({ id: "api-nodes", group: "controlPlane", direction: "ingress", ...tcp(API_SERVER_PORT), peer: { group: "nodes" }, description: "Kubernetes API from the nodes" });
    if (o.nlb) {
        // Client IP preservation is off: connections and health checks come from the NLB itself.
        add({ id: "api-nlb", group: "controlPlane", direction: "ingress", ...tcp(API_SERVER_PORT), peer: { group: "api" }, description: "Kubernetes API through the NLB, and its health checks" });
    } else {
        for (const c of cloud.apiAllowedCidrs) {
            add({ id: `api-${cidrId(c)}`, group: "controlPlane", direction: "ingress", ...tcp(API_SERVER_PORT), peer: { cidr: c }, description: `Kubernetes API from ${c}` });
        }
    }
    if (!external) {
        add({ id: "etcd", group: "controlPlane", direction: "ingress", ...tcp(2379, 2380), peer: { group: "controlPlane" }, description: "stacked etcd: clients and peers between control planes" });
    }

    // --- external etcd members ---
    if (external) {
        add({ id: "etcd-clients", group: "etcd", direction: "ingress", ...tcp(2379), peer: { group: "controlPlane" }, description: "etcd clients: the API servers" });
        add({ id: "etcd-peers", group: "etcd", direction: "ingress", ...tcp(2379, 2380), peer: { group: "etcd" }, description: "etcd peers (and health checks) between members" });
        add({ id: "all", group: "etcd", direction: "egress", protocol: "-1", peer: { cidr: "0.0.0.0/0" }, description: "egress: the etcd release, packages, AWS APIs" });
    }

    // --- the NLB ---
    if (o.nlb) {
        add({ id: "nodes", group: "api", direction: "ingress", ...tcp(port), peer: { group: "nodes" }, description: "Kubernetes API endpoint from the nodes" });
        for (const c of cloud.apiAllowedCidrs) {
            add({ id: cidrId(c), group: "api", direction: "ingress", ...tcp(port), peer: { cidr: c }, description: `Kubernetes API endpoint from ${c}` });
        }
        for (let i = 0; i < o.natIps; i++) {
            add({ id: `nat-${i + 1}`, group: "api", direction: "ingress", ...tcp(port), peer: { natIp: i }, description: "Kubernetes API endpoint from the nodes through NAT (public endpoint)" });
        }
        add({ id: "control-planes", group: "api", direction: "egress", ...tcp(API_SERVER_PORT), peer: { group: "controlPlane" }, description: "to the API servers and their health checks" });
    }

    // --- break-glass SSH, closed unless configured ---
    for (const c of cloud.sshAllowedCidrs) {
        add({ id: `ssh-${cidrId(c)}`, group: "nodes", direction: "ingress", ...tcp(22), peer: { cidr: c }, description: `SSH from ${c}` });
        if (external) add({ id: `ssh-${cidrId(c)}`, group: "etcd", direction: "ingress", ...tcp(22), peer: { cidr: c }, description: `SSH from ${c}` });
    }
    return rules;
}
