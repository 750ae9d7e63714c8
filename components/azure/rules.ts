/**
 * The network security group's inbound rules (pure: ids are type parameters, no provider here).
 *
 * Nodes are grouped by application security groups (ASGs): `controlPlanes`, `nodes` (every
 * machine running a kubelet: control planes and workers) and, with external etcd, `etcd`.
 * Allowed, each from the narrowest source that needs it:
 * - the API (6443 on the control planes) from the virtual network, `cloud.apiAllowedCidrs` and
 *   the load balancer's health probes (`AzureLoadBalancer`);
 * - etcd (2379 client, 2380 peer) only from control planes and, with external etcd, between
 *   members;
 * - the kubelet (10250) only from control planes (the API server's logs/exec/port-forward);
 * - the pod network's overlay between kubelet nodes: VXLAN (UDP 4789 Calico/Antrea, 8472 flannel
 *   and Cilium), Cilium's health checks (TCP 4240) and Calico Typha (TCP 5473). Azure's virtual
 *   network neither routes pod addresses nor carries IP-in-IP or BGP, so the CNI must run in
 *   VXLAN (or another UDP encapsulation) mode;
 * - SSH (22) only from `cloud.sshAllowedCidrs`.
 * Denied after them: etcd, the kubelet and SSH from anywhere else (even inside the virtual network,
 * whose default rule would allow them), and everything else from the Internet.
 *
 * Rules see the backend port: the load balancer forwards the endpoint port to 6443.
 */

export const API_SERVER_PORT = 6443;
const ETCD_PORTS = "2379-2380";
const KUBELET_PORT = "10250";
const CNI_UDP_PORTS = ["4789", "8472"] as const;
const CNI_TCP_PORTS = ["4240", "5473"] as const;

export interface RuleInput<Id> {
    readonly asg: { readonly controlPlanes: Id; readonly nodes: Id; readonly etcd?: Id };
    readonly apiAllowedCidrs: readonly string[];
    readonly sshAllowedCidrs: readonly string[];
}

type Ref<Id> = { readonly id: Id };

/** One inbound rule, in the shape of azure-native's `SecurityRuleArgs`. */
export interface SecurityRule<Id> {
    readonly name: string;
    readonly description: string;
    readonly priority: number;
    readonly direction: "Inbound";
    readonly access: "Allow" | "Deny";
    readonly protocol: "Tcp" | "Udp" | "*";
    readonly sourcePortRange: "*";
    readonly sourceAddressPrefix?: string;
    readonly sourceAddressPrefixes?: string[];
    readonly sourceApplicationSecurityGroups?: Ref<Id>[];
    readonly destinationAddressPrefix?: string;
    readonly destinationApplicationSecurityGroups?: Ref<Id>[];
    readonly destinationPortRange?: string;
    readonly destinationPortRanges?: string[];
}

type Source<Id> = { prefix: string } | { prefixes: readonly string[] } | { asg: Id };
type Destination<Id> = { any: true } | { asg: Id };

function rule<Id>(
    name: string,
    description: string,
    access: "Allow" | "Deny",
    protocol: "Tcp" | "Udp" | "*",
    from: Source<Id>,
    to: Destination<Id>,
    ports: string | readonly string[],
): Omit<SecurityRule<Id>, "priority"> {
    return {
        name,
        description,
        direction: "Inbound",
        access,
        protocol,
        sourcePortRange: "*",
        ...("prefix" in from
            ? { sourceAddressPrefix: from.prefix }
            : "prefixes" in from
              ? { sourceAddressPrefixes: [...from.prefixes] }
              : { sourceApplicationSecurityGroups: [{ id: from.asg }] }),
        ...("any" in to ? { destinationAddressPrefix: "*" } : { destinationApplicationSecurityGroups: [{ id: to.asg }] }),
        ...(typeof ports === "string" ? { destinationPortRange: ports } : { destinationPortRanges: [...ports] }),
    };
}

/** Fixed priorities, so adding an optional rule (client or admin CIDRs) leaves the others unchanged. */
const PRIORITY: Readonly<Record<string, number>> = {
    "allow-api-from-vnet": 100,
    "allow-api-from-clients": 110,
    "allow-api-probe": 120,
    "allow-etcd-from-control-planes": 130,
    "allow-etcd-between-members": 140,
    "allow-kubelet-from-control-planes": 150,
    "allow-cni-overlay": 160,
    "allow-cni-agents": 170,
    "allow-ssh-from-admins": 180,
    "deny-etcd-from-others": 4000,
    "deny-kubelet-from-others": 4010,
    "deny-ssh-from-others": 4020,
    // Last: everything else from the Internet.
    "deny-internet": 4096,
};

/** Allow rules from priority 100, deny rules from 4000; the Internet deny is last (4096). */
export function securityRules<Id>(input: RuleInput<Id>): SecurityRule<Id>[] {
    const { controlPlanes, nodes, etcd } = input.asg;
    const api = String(API_SERVER_PORT);
    const members = etcd ?? controlPlanes;
    const r = (...args: Parameters<typeof rule<Id>>) => rule<Id>(...args);
    const allow: Omit<SecurityRule<Id>, "priority">[] = [
        r("allow-api-from-vnet", "Kubernetes API from the virtual network (nodes, the internal load balancer)", "Allow", "Tcp", { prefix: "VirtualNetwork" }, { asg: controlPlanes }, api),
        ...(input.apiAllowedCidrs.length > 0
            ? [r("allow-api-from-clients", "Kubernetes API from cloud.apiAllowedCidrs", "Allow", "Tcp", { prefixes: input.apiAllowedCidrs }, { asg: controlPlanes }, api)]
            : []),
        r("allow-api-probe", "load balancer health probes (HTTPS /readyz)", "Allow", "Tcp", { prefix: "AzureLoadBalancer" }, { asg: controlPlanes }, api),
        r("allow-etcd-from-control-planes", "etcd client and peer traffic from control planes", "Allow", "Tcp", { asg: controlPlanes }, { asg: members }, ETCD_PORTS),
        ...(etcd !== undefined ? [r("allow-etcd-between-members", "etcd peer traffic between external members", "Allow", "Tcp", { asg: etcd }, { asg: etcd }, ETCD_PORTS)] : []),
        r("allow-kubelet-from-control-planes", "kubelet API from control planes only", "Allow", "Tcp", { asg: controlPlanes }, { asg: nodes }, KUBELET_PORT),
        r("allow-cni-overlay", "pod network VXLAN between kubelet nodes (Calico/Antrea 4789, flannel/Cilium 8472)", "Allow", "Udp", { asg: nodes }, { asg: nodes }, CNI_UDP_PORTS),
        r("allow-cni-agents", "CNI agents between kubelet nodes (Cilium health 4240, Calico Typha 5473)", "Allow", "Tcp", { asg: nodes }, { asg: nodes }, CNI_TCP_PORTS),
        ...(input.sshAllowedCidrs.length > 0
            ? [r("allow-ssh-from-admins", "SSH from cloud.sshAllowedCidrs", "Allow", "Tcp", { prefixes: input.sshAllowedCidrs }, { any: true }, "22")]
            : []),
    ];
    const deny: Omit<SecurityRule<Id>, "priority">[] = [
        r("deny-etcd-from-others", "etcd only from control planes and members", "Deny", "Tcp", { prefix: "*" }, { any: true }, ETCD_PORTS),
        r("deny-kubelet-from-others", "kubelet only from control planes", "Deny", "Tcp", { prefix: "*" }, { any: true }, KUBELET_PORT),
        r("deny-ssh-from-others", "SSH only from cloud.sshAllowedCidrs (closed when empty)", "Deny", "Tcp", { prefix: "*" }, { any: true }, "22"),
    ];
    const last = r("deny-internet", "nothing else from the Internet", "Deny", "*", { prefix: "Internet" }, { any: true }, "*");
    return [...allow, ...deny, last].map((x) => ({ ...x, priority: PRIORITY[x.name] }));
}
