/**
 * Cloud placement (pure), shared by validation and topology: which zone each control plane and
 * external etcd member lands in, and the fixed private address each gets before boot, so
 * certificates and etcd's `initial-cluster` can name it.
 */
import { cidrSize, nthAddress, overlaps, parseCidr } from "./net";

/** Zone of each of `count` machines, round-robin over `zones`. */
export function roundRobin(count: number, zones: readonly string[]): string[] {
    return Array.from({ length: count }, (_, i) => zones[i % zones.length]);
}

/** Host offsets inside a subnet: clouds reserve the first addresses (AWS and Azure .0–.3). */
export const OFFSET = { endpoint: 5, controlPlane: 10, etcd: 30, last: 49 } as const;

export interface PlacedSubnet {
    /** Zone of a zonal subnet (AWS), or undefined for a regional one (GCP, Azure). */
    readonly zone?: string;
    readonly cidr: string;
    /** Existing subnet id, when the network is not created by the stack. */
    readonly id?: string;
}

/** Bits that split a network into equal blocks: one per zone plus at least one spare. */
function splitBits(zones: number): number {
    return Math.ceil(Math.log2(zones + 1));
}

/** Prefix of each zone's block when {@link zoneSubnets} splits `networkCidr` (above 32: not even an address each). */
export function zoneBlockPrefix(networkCidr: string, zones: number): number {
    return parseCidr(networkCidr).prefix + splitBits(zones);
}

/**
 * Splits a network into equal blocks, one per zone (AWS subnets are zonal), keeping at least one
 * block free (e.g. for public subnets). 3 zones in a /16 → three /18s and one spare /18.
 */
export function zoneSubnets(networkCidr: string, zones: readonly string[]): PlacedSubnet[] {
    const c = parseCidr(networkCidr);
    const prefix = c.prefix + splitBits(zones.length);
    const size = 2 ** (32 - prefix);
    return zones.map((zone, i) => ({ zone, cidr: `${nthAddress(networkCidr, i * size)}/${prefix}` }));
}

/** The blocks left after {@link zoneSubnets} (never overlapping them), e.g. for public subnets. */
export function spareSubnets(networkCidr: string, zones: readonly string[]): string[] {
    const bits = splitBits(zones.length);
    const c = parseCidr(networkCidr);
    const prefix = c.prefix + bits;
    const size = 2 ** (32 - prefix);
    return Array.from({ length: 2 ** bits - zones.length }, (_, i) => `${nthAddress(networkCidr, (zones.length + i) * size)}/${prefix}`);
}

/** Address at a host offset inside a subnet. */
export function addressAt(subnetCidr: string, offset: number): string {
    if (offset >= cidrSize(subnetCidr) - 1) throw new RangeError(`${subnetCidr} has no host number ${offset}`);
    return nthAddress(subnetCidr, offset);
}

/** AWS's smallest subnet is a /28. */
const AWS_MIN_SUBNET_SIZE = 16;

/**
 * Public subnets of a new AWS VPC (NAT gateways, an internet-facing NLB), one per zone, from the
 * space the node subnets leave; undefined when there is none.
 */
export function publicSubnetCidrs(nodeCidr: string, zones: readonly string[], privateSubnets: readonly PlacedSubnet[]): string[] | undefined {
    const free = spareSubnets(nodeCidr, zones).filter((c) => !privateSubnets.some((p) => overlaps(p.cidr, c)));
    if (free.length >= zones.length) return free.slice(0, zones.length);
    if (free.length === 0) return undefined;
    // One spare block for several zones (e.g. 3 zones in a /16 leave one /18): split it per zone.
    const split = zoneSubnets(free[0], zones).map((s) => s.cidr);
    return split.every((c) => cidrSize(c) >= AWS_MIN_SUBNET_SIZE) ? split : undefined;
}

/**
 * Public subnets (NAT gateways, internet-facing load balancers) for a new EKS VPC: the node
 * subnets take the first blocks of `network.nodeCidr`, the first spare block is split into one
 * public subnet per zone. Undefined when no spare block can hold them (AWS's minimum is /28).
 */
export function eksPublicSubnets(nodeCidr: string, zones: readonly string[]): PlacedSubnet[] | undefined {
    const spare = spareSubnets(nodeCidr, zones)[0];
    if (!spare) return undefined;
    const prefix = parseCidr(spare).prefix + Math.ceil(Math.log2(Math.max(zones.length, 1)));
    if (prefix > 28) return undefined;
    return zones.map((zone, i) => ({ zone, cidr: `${nthAddress(spare, i * 2 ** (32 - prefix))}/${prefix}` }));
}

/** Candidates for a private GKE control plane's /28, in order of preference. */
const GKE_MASTER_CIDRS = ["172.16.0.0/28", "172.31.255.240/28", "192.168.255.240/28", "10.255.255.240/28"];

/** The first candidate /28 for GKE's private control plane that overlaps none of `taken`. */
export function gkeMasterCidr(taken: readonly string[]): string | undefined {
    return GKE_MASTER_CIDRS.find((c) => !taken.some((t) => overlaps(c, t)));
}
