import * as ipaddr from "ipaddr.js";

/** An IPv4 CIDR block, parsed once so that range arithmetic never re-parses strings. */
export interface Cidr {
  readonly text: string;
  readonly prefix: number;
  /** First address as an unsigned 32-bit integer. */
  readonly first: number;
  /** Last address as an unsigned 32-bit integer. */
  readonly last: number;
}

export function ipToInt(ip: string): number {
  return ipaddr.IPv4.parse(ip)
    .toByteArray()
    .reduce((acc, b) => acc * 256 + b, 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

export function isIpv4(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text);
}

/**
 * Parses "a.b.c.d/n". Host bits must be zero: "10.0.0.1/16" is almost always a typo for a host address,
 * and AWS would silently normalise it, so it is rejected here with the canonical form in the message.
 */
export function parseCidr(text: string): Cidr {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(text);
  if (!m || !isIpv4(m[1]) || Number(m[2]) > 32) {
    throw new Error(`"${text}" is not an IPv4 CIDR block (expected a.b.c.d/n, n from 0 to 32)`);
  }
  const prefix = Number(m[2]);
  const size = 2 ** (32 - prefix);
  const addr = ipToInt(m[1]);
  const first = addr - (addr % size);
  if (first !== addr) {
    throw new Error(`"${text}" has host bits set; the network is ${intToIp(first)}/${prefix}`);
  }
  return { text, prefix, first, last: first + size - 1 };
}

export function tryParseCidr(text: string): Cidr | undefined {
  try {
    return parseCidr(text);
  } catch {
    return undefined;
  }
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

/** The dotted netmask of a prefix length, as OpenVPN and route tables want it. */
export function netmask(prefix: number): string {
  return intToIp(prefix === 0 ? 0 : 2 ** 32 - 2 ** (32 - prefix));
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
  return Array.from({ length: count }, (_, i) =>
    parseCidr(`${intToIp(block.first + i * size)}/${prefix}`),
  );
}
