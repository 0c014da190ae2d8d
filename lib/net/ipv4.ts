import * as ipaddr from "ipaddr.js";

/**
 * The one IPv4 vocabulary of the platform: config validation, subnet layout, security-group rules,
 * the VPN address plan and the OpenVPN directives all count addresses with these functions.
 *
 * Parsing is strict on purpose: ipaddr.js's four-part decimal check refuses the forms lenient
 * parsers accept ("10.1", "010.0.0.1", "0x0a.0.0.1"), which `inet_aton` would read as other
 * addresses than the operator meant. OpenVPN wants dotted netmasks, hence {@link netmask}.
 */

/** An IPv4 CIDR block, parsed once so that range arithmetic never re-parses strings. */
export interface Cidr {
  /** The block as written (always canonical: host bits are refused, not masked). */
  readonly text: string;
  readonly prefix: number;
  /** First address (the network address) as an unsigned 32-bit integer. */
  readonly first: number;
  /** Last address (the broadcast address) as an unsigned 32-bit integer. */
  readonly last: number;
  /** Number of addresses in the block, 2^(32 - prefix). */
  readonly size: number;
}

/** True for a dotted-quad IPv4 address with four decimal octets, no leading zeros. */
export function isIpv4(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text);
}

/** A dotted-quad address as an unsigned integer, or undefined when it is not one. */
export function parseIpv4(text: string): number | undefined {
  return isIpv4(text) ? ipToInt(text) : undefined;
}

/** A dotted-quad address as an unsigned integer; throws when it is not one. */
export function ipToInt(ip: string): number {
  if (!isIpv4(ip)) throw new Error(`"${ip}" is not a dotted-quad IPv4 address`);
  return ipaddr.IPv4.parse(ip)
    .toByteArray()
    .reduce((acc, b) => acc * 256 + b, 0);
}

/** An unsigned 32-bit integer in dotted-quad form. */
export function intToIp(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
    throw new Error(`${n} is not an IPv4 address (an integer from 0 to 4294967295)`);
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** The dotted netmask of a prefix length, as OpenVPN and route tables want it. */
export function netmask(prefix: number): string {
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32)
    throw new Error(`/${prefix} is not an IPv4 prefix length (0 to 32)`);
  return intToIp(2 ** 32 - 2 ** (32 - prefix));
}

/** Prefix length of a contiguous dotted netmask ("255.255.252.0" -> 22), or undefined. */
export function prefixOfNetmask(mask: string): number | undefined {
  const value = parseIpv4(mask);
  if (value === undefined) return undefined;
  for (let prefix = 0; prefix <= 32; prefix++) {
    if (2 ** 32 - 2 ** (32 - prefix) === value) return prefix;
  }
  return undefined;
}

export type CidrParseResult = { ok: true; cidr: Cidr } | { ok: false; reason: string };

/**
 * Parses "a.b.c.d/n" and says why when it cannot. Host bits must be zero: "10.0.0.1/16" is almost
 * always a typo for a host address, and AWS (or OpenVPN's `route`) would silently normalise it, so
 * it is refused with the canonical form in the reason.
 */
export function checkCidr(text: string): CidrParseResult {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  if (!m || !isIpv4(m[1]) || Number(m[2]) > 32) {
    return { ok: false, reason: "not an IPv4 CIDR block (a.b.c.d/n with n from 0 to 32)" };
  }
  const prefix = Number(m[2]);
  const size = 2 ** (32 - prefix);
  const addr = ipToInt(m[1]);
  const first = addr - (addr % size);
  if (first !== addr) {
    return {
      ok: false,
      reason: `host bits are set; the network is ${intToIp(first)}/${prefix}`,
    };
  }
  return { ok: true, cidr: { text, prefix, first, last: first + size - 1, size } };
}

/** Parses "a.b.c.d/n"; throws naming the text and the reason (see {@link checkCidr}). */
export function parseCidr(text: string): Cidr {
  const r = checkCidr(text);
  if (!r.ok) throw new Error(`"${text}": ${r.reason}`);
  return r.cidr;
}

export function tryParseCidr(text: string): Cidr | undefined {
  const r = checkCidr(text);
  return r.ok ? r.cidr : undefined;
}

/** The block of `prefix` bits that starts at the integer address `first` (host bits must be clear). */
export function cidrAt(first: number, prefix: number): Cidr {
  return parseCidr(`${intToIp(first)}/${prefix}`);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.first <= b.last && b.first <= a.last;
}

export function contains(outer: Cidr, inner: Cidr): boolean {
  return outer.first <= inner.first && inner.last <= outer.last;
}

export function containsIp(outer: Cidr, ip: string): boolean {
  const n = ipToInt(ip);
  return outer.first <= n && n <= outer.last;
}

/** Splits a block into consecutive sub-blocks of the given prefix (the first `count` of them). */
export function subdivide(block: Cidr, prefix: number, count: number): Cidr[] {
  if (prefix < block.prefix)
    throw new Error(`cannot split ${block.text} into larger /${prefix} blocks`);
  const size = 2 ** (32 - prefix);
  const available = 2 ** (prefix - block.prefix);
  if (count > available) {
    throw new Error(
      `${block.text} holds only ${available} /${prefix} blocks, ${count} were asked for`,
    );
  }
  return Array.from({ length: count }, (_, i) => cidrAt(block.first + i * size, prefix));
}
