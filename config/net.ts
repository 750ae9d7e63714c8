/** IPv4 and CIDR arithmetic for validation and topology (ipaddr.js does the parsing). */
import * as ipaddr from "ipaddr.js";

export interface Cidr {
    readonly base: number;
    readonly prefix: number;
}

function toInt(address: string): number {
    const bytes = ipaddr.IPv4.parse(address).toByteArray();
    return ((bytes[0] << 24) >>> 0) + (bytes[1] << 16) + (bytes[2] << 8) + bytes[3];
}

function fromInt(n: number): string {
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

function mask(prefix: number): number {
    return prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
}

export function parseCidr(cidr: string): Cidr {
    const [addr, prefix] = ipaddr.IPv4.parseCIDR(cidr);
    return { base: toInt(addr.toString()), prefix };
}

/** Size of a CIDR in addresses. */
export function cidrSize(cidr: string): number {
    return 2 ** (32 - parseCidr(cidr).prefix);
}

/** True when the CIDR's address has bits set past the prefix (e.g. 10.244.1.0/16). */
export function hasHostBits(cidr: string): boolean {
    const c = parseCidr(cidr);
    return ((c.base & mask(c.prefix)) >>> 0) !== c.base;
}

/** The CIDR with host bits cleared. */
export function networkOf(cidr: string): string {
    const c = parseCidr(cidr);
    return `${fromInt((c.base & mask(c.prefix)) >>> 0)}/${c.prefix}`;
}

export function overlaps(a: string, b: string): boolean {
    const x = parseCidr(a);
    const y = parseCidr(b);
    const p = Math.min(x.prefix, y.prefix);
    return ((x.base & mask(p)) >>> 0) === ((y.base & mask(p)) >>> 0);
}

export function contains(cidr: string, address: string): boolean {
    const c = parseCidr(cidr);
    return ((toInt(address) & mask(c.prefix)) >>> 0) === ((c.base & mask(c.prefix)) >>> 0);
}

/** True for the network and broadcast addresses of a CIDR shorter than /31. */
export function isReserved(cidr: string, address: string): boolean {
    const c = parseCidr(cidr);
    if (c.prefix >= 31) return false;
    const net = (c.base & mask(c.prefix)) >>> 0;
    const a = toInt(address);
    return a === net || a === net + 2 ** (32 - c.prefix) - 1;
}

/** The n-th address of a CIDR (0 is the network address). */
export function nthAddress(cidr: string, n: number): string {
    const c = parseCidr(cidr);
    if (n < 0 || n >= 2 ** (32 - c.prefix)) throw new RangeError(`${cidr} has no address number ${n}`);
    return fromInt(((c.base & mask(c.prefix)) >>> 0) + n);
}

export function isIPv4(value: string): boolean {
    return ipaddr.IPv4.isValidFourPartDecimal(value);
}
