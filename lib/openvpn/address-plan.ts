import * as crypto from "crypto";
import { checkCidr, intToIp, netmask, parseIpv4 } from "../net/ipv4";

/**
 * How one environment's VPN client range is split. For a range of N addresses starting at `net`:
 *
 *   net + 0                      network address (unusable)
 *   net + 1                      the OpenVPN server's tun address (what `server` assigns itself)
 *   net + 2 ... net + 1 + P      dynamic pool: clients whose ccd entry has no `ifconfig-push`
 *                                (admin laptops); P defaults to N/4 - 2
 *   net + 2 + P ... net + N - 2  static range: device addresses pushed by their ccd entry
 *   net + N - 1                  broadcast (unusable)
 *
 * With the default P the server and the pool fill exactly the first quarter of the range (for
 * 10.100.0.0/22: pool 10.100.0.2-10.100.0.255, devices 10.100.1.0-10.100.3.254), so admin
 * clients are one CIDR (10.100.0.0/24) in security-group rules and flow-log queries.
 * OpenVPN never hands out a pool address that a ccd entry pushes, because the two ranges are
 * disjoint by construction; that is why the server config uses `server ... nopool` plus an
 * explicit `ifconfig-pool` instead of letting `server` claim the whole range.
 */
export interface VpnAddressPlan {
  /** The client range as given, e.g. "10.100.0.0/22". */
  readonly cidr: string;
  readonly network: string;
  readonly netmask: string;
  readonly prefixLength: number;
  readonly serverAddress: string;
  readonly dynamicPool: AddressRange;
  readonly staticRange: AddressRange;
}

export interface AddressRange {
  readonly first: string;
  readonly last: string;
  readonly size: number;
}

export interface VpnAddressPlanOptions {
  /** Number of dynamic-pool addresses (default: a quarter of the range minus network, server). */
  readonly dynamicPoolSize?: number;
}

// OpenVPN's `server` helper accepts /16 (IFCONFIG_POOL_MIN_NETBITS) to /29 for tun; /29 leaves
// no room for both a pool and static addresses, so /28 is the smallest usable plan.
export const MIN_CLIENT_PREFIX = 16;
export const MAX_CLIENT_PREFIX = 28;

export function vpnAddressPlan(
  clientCidr: string,
  opts: VpnAddressPlanOptions = {},
): VpnAddressPlan {
  const parsed = checkCidr(clientCidr);
  if (!parsed.ok) {
    throw new Error(`vpnAddressPlan: 'clientCidr' is "${clientCidr}": ${parsed.reason}.`);
  }
  const { first: network, prefix: prefixLength, size } = parsed.cidr;
  if (prefixLength < MIN_CLIENT_PREFIX || prefixLength > MAX_CLIENT_PREFIX) {
    throw new Error(
      `vpnAddressPlan: 'clientCidr' is "${clientCidr}": the prefix must be /${MIN_CLIENT_PREFIX} ` +
        `to /${MAX_CLIENT_PREFIX} (OpenVPN tun servers accept /16../29, and the plan needs room ` +
        `for a pool and static device addresses).`,
    );
  }
  // Usable addresses after the network address, the server and the broadcast address.
  const assignable = size - 3;
  const poolSize = opts.dynamicPoolSize ?? size / 4 - 2;
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > assignable - 1) {
    throw new Error(
      `vpnAddressPlan: 'dynamicPoolSize' is ${String(opts.dynamicPoolSize)}: it must be an ` +
        `integer from 1 to ${assignable - 1} for ${clientCidr}, leaving at least one static ` +
        `address.`,
    );
  }
  const poolFirst = network + 2;
  const poolLast = poolFirst + poolSize - 1;
  const staticFirst = poolLast + 1;
  const staticLast = network + size - 2;
  return {
    cidr: clientCidr,
    network: intToIp(network),
    netmask: netmask(prefixLength),
    prefixLength,
    serverAddress: intToIp(network + 1),
    dynamicPool: { first: intToIp(poolFirst), last: intToIp(poolLast), size: poolSize },
    staticRange: {
      first: intToIp(staticFirst),
      last: intToIp(staticLast),
      size: staticLast - staticFirst + 1,
    },
  };
}

/** True when `address` may be pushed to a device by its ccd entry. */
export function isStaticDeviceAddress(plan: VpnAddressPlan, address: string): boolean {
  const value = parseIpv4(address);
  const first = parseIpv4(plan.staticRange.first);
  const last = parseIpv4(plan.staticRange.last);
  return value !== undefined && first !== undefined && last !== undefined
    ? value >= first && value <= last
    : false;
}

/** Throws unless `address` lies in the plan's static range; `key` names the offending input. */
export function validateDeviceAddress(
  plan: VpnAddressPlan,
  address: string,
  key = "address",
): void {
  if (parseIpv4(address) === undefined) {
    throw new Error(`'${key}' is "${address}": not a dotted-quad IPv4 address.`);
  }
  if (!isStaticDeviceAddress(plan, address)) {
    throw new Error(
      `'${key}' is "${address}": device addresses must be in the static range ` +
        `${plan.staticRange.first}-${plan.staticRange.last} of ${plan.cidr} ` +
        `(the server is ${plan.serverAddress}, the dynamic pool is ` +
        `${plan.dynamicPool.first}-${plan.dynamicPool.last}).`,
    );
  }
}

/** The `index`-th static device address (0-based), for deterministic allocation. */
export function staticAddressAt(plan: VpnAddressPlan, index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= plan.staticRange.size) {
    throw new Error(
      `staticAddressAt: 'index' is ${index}: it must be an integer from 0 to ` +
        `${plan.staticRange.size - 1} (the static range of ${plan.cidr} has ` +
        `${plan.staticRange.size} addresses).`,
    );
  }
  return intToIp((parseIpv4(plan.staticRange.first) as number) + index);
}

/**
 * The static-range slot a device id derives, from the first four bytes of SHA-256 of the id modulo
 * the size of the static range. It depends on nothing but the id and the range, which is what
 * makes derived addresses stable: see {@link derivedDeviceAddress}.
 */
export function derivedSlot(plan: VpnAddressPlan, id: string): number {
  return crypto.createHash("sha256").update(id).digest().readUInt32BE(0) % plan.staticRange.size;
}

/**
 * The tunnel address a device without a pinned address gets: its id's slot in the static range.
 *
 * It is never probed onward when another device holds it. With probing (or any rule that lets
 * one device yield to another), adding device B can move device A: whatever order decides who
 * keeps a contested address, a newcomer that ranks first takes it. More generally, if the address
 * of A in a fleet must equal its address in the fleet {A} alone (A is unchanged in both), then it is
 * a function of A's own entry, and two devices whose functions agree can never both be in a valid
 * fleet. So a clash is refused and one of the two devices must pin an `address:` instead.
 */
export function derivedDeviceAddress(plan: VpnAddressPlan, id: string): string {
  return staticAddressAt(plan, derivedSlot(plan, id));
}
