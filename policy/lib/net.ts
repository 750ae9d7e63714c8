/** Sources, protocols and port ranges of ingress rules, as the three clouds spell them. */

export interface PortRange {
    readonly from: number;
    readonly to: number;
}

/** All ports. */
export const ALL_PORTS: readonly PortRange[] = [{ from: 0, to: 65535 }];

/** Ports that must never face the internet, and what listens there. */
export const DEFAULT_PROTECTED_PORTS: readonly number[] = [2379, 2380, 10250];
const SERVICES: Readonly<Record<number, string>> = { 2379: "etcd client", 2380: "etcd peer", 10250: "kubelet" };

export function service(port: number): string {
    return SERVICES[port] ? `${SERVICES[port]} port ${port}` : `port ${port}`;
}

/**
 * True for a source meaning "anyone": a CIDR with prefix length 0 (`0.0.0.0/0`, `::/0`) or the
 * Azure wildcards `*`, `Any` and the `Internet` service tag.
 */
export function isWorld(source: string): boolean {
    const s = source.trim().toLowerCase();
    if (s === "*" || s === "any" || s === "internet") return true;
    return /^[0-9a-f:.]+\/0+$/.test(s);
}

/** Protocols that carry TCP (etcd and the kubelet are TCP): AWS `-1`/`all`, GCP `all`, Azure `*`, or TCP itself. */
export function carriesTcp(protocol: string): boolean {
    return ["-1", "all", "*", "tcp", "6"].includes(protocol.trim().toLowerCase());
}

/** Whether the protocol means every protocol and port (AWS `-1`/`all`, GCP `all`, Azure `*`). */
export function allProtocols(protocol: string): boolean {
    return ["-1", "all", "*"].includes(protocol.trim().toLowerCase());
}

/** `"2379-2380"`, `"10250"`, `"*"` → ranges; undefined when unparseable. */
export function parsePortRange(text: string): PortRange | undefined {
    const s = text.trim();
    if (s === "*") return ALL_PORTS[0];
    const m = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/.exec(s);
    if (!m) return undefined;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    return from <= to ? { from, to } : { from: to, to: from };
}

export function coveredPorts(ranges: readonly PortRange[], ports: readonly number[]): number[] {
    return ports.filter((p) => ranges.some((r) => r.from <= p && p <= r.to));
}
