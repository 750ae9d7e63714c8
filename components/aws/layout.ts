/**
 * The new VPC's layout (pure): private node subnets come from the topology (one per zone); the
 * public subnets (NAT gateways, an internet-facing NLB) take the space the topology leaves free,
 * one per zone; NAT gateways sit in every zone for profile `ha` (losing a zone must not cut the
 * others' egress) and in the first zone only otherwise (one NAT gateway: cheaper, not zone-proof).
 */
import { cidrSize, overlaps } from "../../config/net";
import { spareSubnets, zoneSubnets, type PlacedSubnet } from "../../config/placement";
import type { CloudClusterSpec } from "../../config/spec";

/** AWS's smallest subnet is a /28. */
const MIN_SUBNET_SIZE = 16;

/** One public subnet per zone from the space the node subnets leave; undefined when there is none. */
export function publicSubnetCidrs(nodeCidr: string, zones: readonly string[], privateSubnets: readonly PlacedSubnet[]): string[] | undefined {
    const free = spareSubnets(nodeCidr, zones).filter((c) => !privateSubnets.some((p) => overlaps(p.cidr, c)));
    if (free.length >= zones.length) return free.slice(0, zones.length);
    if (free.length === 0) return undefined;
    // One spare block for several zones (e.g. 3 zones in a /16 leave one /18): split it per zone.
    const split = zoneSubnets(free[0], zones).map((s) => s.cidr);
    return split.every((c) => cidrSize(c) >= MIN_SUBNET_SIZE) ? split : undefined;
}

/** Zones that get a NAT gateway: every zone for profile `ha`, else the first one. */
export function natZones(spec: CloudClusterSpec): string[] {
    const zones = spec.cloud.zones;
    return spec.profile === "ha" ? [...zones] : zones.slice(0, 1);
}

/** The NAT gateway a zone's private subnet routes through: its own, else the first zone's. */
export function natZoneFor(zone: string, nat: readonly string[]): string {
    return nat.includes(zone) ? zone : nat[0];
}
