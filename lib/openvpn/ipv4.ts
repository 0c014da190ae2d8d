// Minimal, strict IPv4 arithmetic for the VPN address plan and OpenVPN directives.
// Kept local (instead of a general CIDR library) because OpenVPN wants dotted netmasks and the
// validation here must reject forms that lenient parsers accept ("10.1", "010.0.0.1").

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** An IPv4 network in canonical form. `network` and `broadcast` are unsigned 32-bit integers. */
export interface Ipv4Cidr {
  readonly network: number;
  readonly prefixLength: number;
  readonly size: number;
  readonly broadcast: number;
}

/** Parses a dotted-quad IPv4 address ("10.0.0.1") into an unsigned integer, or undefined. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) {
    return undefined;
  }
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

export function netmaskOf(prefixLength: number): string {
  return formatIpv4(2 ** 32 - 2 ** (32 - prefixLength));
}

/** Prefix length of a contiguous dotted netmask ("255.255.252.0" -> 22), or undefined. */
export function prefixLengthOfNetmask(netmask: string): number | undefined {
  const value = parseIpv4(netmask);
  if (value === undefined) {
    return undefined;
  }
  for (let prefix = 0; prefix <= 32; prefix++) {
    if (2 ** 32 - 2 ** (32 - prefix) === value) {
      return prefix;
    }
  }
  return undefined;
}

export type CidrParseResult = { ok: true; cidr: Ipv4Cidr } | { ok: false; reason: string };

/**
 * Parses "a.b.c.d/n". Host bits must be zero: "10.0.1.5/16" is almost always a typo, and
 * silently masking it would push a different route than the one the operator wrote.
 */
export function parseCidr(text: string): CidrParseResult {
  const match = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  const address = match ? parseIpv4(match[1]) : undefined;
  const prefixLength = match ? Number(match[2]) : NaN;
  if (!match || address === undefined || prefixLength > 32) {
    return { ok: false, reason: "not an IPv4 CIDR such as 10.0.0.0/16" };
  }
  const size = 2 ** (32 - prefixLength);
  const network = address - (address % size);
  if (network !== address) {
    return {
      ok: false,
      reason: `host bits are set; the network address is ${formatIpv4(network)}/${prefixLength}`,
    };
  }
  return { ok: true, cidr: { network, prefixLength, size, broadcast: network + size - 1 } };
}

export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.network <= b.broadcast && b.network <= a.broadcast;
}

export function formatCidr(cidr: Ipv4Cidr): string {
  return `${formatIpv4(cidr.network)}/${cidr.prefixLength}`;
}
