/**
 * The new VPC's layout (pure): private node subnets come from the topology (one per zone); the
 * public subnets (NAT gateways, an internet-facing NLB) take the space the topology leaves free,
 * one per zone; NAT gateways sit in every zone for profile `ha` (losing a zone must not cut the
 * others' egress) and in the first zone only otherwise (one NAT gateway: cheaper, not zone-proof).
 */
import type { CloudClusterSpec } from "../../config/spec";

/** One public subnet per zone from the space the node subnets leave (config/placement.ts: validation checks it too). */
export { publicSubnetCidrs } from "../../config/placement";

/** Zones that get a NAT gateway: every zone for profile `ha`, else the first one. */
export function natZones(spec: CloudClusterSpec): string[] {
    const zones = spec.cloud.zones;
    return spec.profile === "ha" ? [...zones] : zones.slice(0, 1);
}

/** The NAT gateway a zone's private subnet routes through: its own, else the first zone's. */
export function natZoneFor(zone: string, nat: readonly string[]): string {
    return nat.includes(zone) ? zone : nat[0];
}
