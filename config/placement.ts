/**
 * Cloud placement (pure), shared by validation and topology: which zone each control plane and
 * external etcd member lands in, and the fixed private address each gets before boot, so
 * certificates and etcd's `initial-cluster` can name it.
 */
import { cidrSize, nthAddress, parseCidr } from "./net";

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
