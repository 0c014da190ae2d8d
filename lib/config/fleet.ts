import {
  VpnAddressPlan,
  derivedDeviceAddress,
  derivedSlot,
  isStaticDeviceAddress,
  staticAddressAt,
  vpnAddressPlan,
} from "../openvpn/address-plan";
import { ipToInt, isIpv4 } from "../net/ipv4";
import { echo } from "./errors";

/** One device as the stacks build it: its identity, tunnel address and where it came from. */
export interface FleetDevice {
  readonly site: string;
  /** Device id: the certificate's common name, the ccd file name, the OpenEMS edge id. */
  readonly id: string;
  readonly address: string;
  /** True when the environment file fixes the address; false when it was derived from the id. */
  readonly pinned: boolean;
  readonly labels: Readonly<Record<string, string>>;
}

/** What the fleet plan reads of the edge section: sites and their devices. */
export interface FleetInput {
  readonly sites: readonly {
    readonly id: string;
    readonly devices: readonly {
      readonly id: string;
      readonly address?: string;
      readonly labels: Readonly<Record<string, string>>;
    }[];
  }[];
}

/** Admin VPN profiles are named admin-<name> by the network stack: devices may not look like them. */
export const RESERVED_DEVICE_PREFIX = "admin-";

/**
 * Longest device id. The id is in the device's certificate (CN) and in its tls-crypt-v2 key (the
 * metadata), so each character costs about 2.7 bytes of its VPN profile, which is one SSM
 * SecureString of the standard tier (4,096 bytes) and must hold two server CA generations during
 * a rollover: with 32 characters the worst case keeps about 10 % to spare
 * (lib/openvpn/test/client-profile.test.ts measures it). The certificate rules allow 63.
 */
export const MAX_DEVICE_ID_LENGTH = 32;

interface Entry {
  readonly site: string;
  readonly id: string;
  readonly address?: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The entry's key in the environment file, for messages. */
  readonly at: string;
}

/**
 * Checks the fleet against the VPN client range and gives every device its tunnel address: the one
 * pinned in the file, or else the one derived from a hash of its id ({@link derivedDeviceAddress}).
 * A device's address therefore depends on its own entry only: adding, removing or reordering other
 * devices never moves it. The price is that two devices may derive the same address; that fleet is
 * refused, asking to pin one of them (the one being added) to a free address the message suggests.
 * Returns every problem at once, each naming the entry.
 */
export function planFleet(
  edge: FleetInput,
  clientCidr: string,
): { devices: FleetDevice[]; problems: string[] } {
  const plan = vpnAddressPlan(clientCidr);
  const problems: string[] = [];
  const entries: Entry[] = edge.sites.flatMap((s, i) =>
    s.devices.map((d, j) => ({
      site: s.id,
      id: d.id,
      address: d.address,
      labels: d.labels,
      at: `platform:edge.sites[${i}].devices[${j}]`,
    })),
  );
  const range = `${plan.staticRange.first}-${plan.staticRange.last}`;
  if (entries.length > plan.staticRange.size) {
    problems.push(
      `platform:edge.sites: got ${entries.length} devices; expected at most ${plan.staticRange.size}, the static addresses of platform:network.vpn.clientCidr ${clientCidr} (${range}): widen the range`,
    );
    return { devices: [], problems };
  }

  // Pinned addresses first: each in the static range and used once.
  const pinnedBy = new Map<string, Entry>();
  for (const e of entries) {
    if (e.id.length > MAX_DEVICE_ID_LENGTH)
      problems.push(
        `${e.at}.id: got "${e.id}" (${e.id.length} characters); expected at most ${MAX_DEVICE_ID_LENGTH} characters (the id is in the device's certificate and tls-crypt-v2 key, and its VPN profile must fit one standard-tier SSM parameter of 4,096 bytes with two server CA generations)`,
      );
    if (e.id.startsWith(RESERVED_DEVICE_PREFIX))
      problems.push(
        `${e.at}.id: got "${e.id}"; expected an id not starting with "${RESERVED_DEVICE_PREFIX}" (reserved for admin VPN profiles)`,
      );
    if (e.address === undefined) continue;
    if (!isIpv4(e.address)) {
      problems.push(
        `${e.at}.address: got ${echo(e.address)}; expected an IPv4 address in ${range}`,
      );
    } else if (!isStaticDeviceAddress(plan, e.address)) {
      const where =
        e.address === plan.serverAddress
          ? "the server's own address"
          : isInPool(plan, e.address)
            ? `the admin pool ${plan.dynamicPool.first}-${plan.dynamicPool.last}`
            : `outside ${clientCidr}'s device addresses`;
      problems.push(
        `${e.at}.address: got ${echo(e.address)}, ${where}; expected an address in ${range}`,
      );
    } else if (pinnedBy.has(e.address)) {
      problems.push(
        `${e.at}.address: got ${echo(e.address)}; expected an address no other device has (also at ${pinnedBy.get(e.address)!.at})`,
      );
    } else {
      pinnedBy.set(e.address, e);
    }
  }

  // Derived addresses: refused when another device (pinned or derived) holds the same one. A
  // device id listed twice is reported by crossCheckEdge, so only its first entry counts here.
  const seenIds = new Set<string>();
  const unpinned = entries.filter(
    (e) => e.address === undefined && !seenIds.has(e.id) && seenIds.add(e.id),
  );
  const derived = new Map<string, Entry[]>();
  for (const e of unpinned) {
    const a = derivedDeviceAddress(plan, e.id);
    derived.set(a, [...(derived.get(a) ?? []), e]);
  }
  const held = new Set([...pinnedBy.keys(), ...derived.keys()]);
  const suggested = new Set<string>();
  for (const [address, holders] of derived) {
    const pin = pinnedBy.get(address);
    if (!pin && holders.length === 1) continue;
    const others = (e: Entry) =>
      [...(pin ? [pin] : []), ...holders.filter((h) => h !== e)]
        .map((o) => `"${o.id}" (${o.at}${o === pin ? ", pinned" : ""})`)
        .join(", ");
    for (const e of holders) {
      const free = freeAddressNear(plan, derivedSlot(plan, e.id), held, suggested);
      problems.push(
        `${e.at}.address: got nothing, and "${e.id}" derives ${address} from its id, which ${others(e)} also claims; expected a pinned address on this device or the other (pin the device being added, so that no deployed device moves)${free ? `, for example address: ${free}` : ""}`,
      );
    }
  }
  if (problems.length) return { devices: [], problems };

  const devices = entries.map((e) => ({
    site: e.site,
    id: e.id,
    address: e.address ?? derivedDeviceAddress(plan, e.id),
    pinned: e.address !== undefined,
    labels: e.labels,
  }));
  return { devices, problems };
}

/** The first static address after `slot` that no device holds or derives, for a message. */
function freeAddressNear(
  plan: VpnAddressPlan,
  slot: number,
  held: Set<string>,
  suggested: Set<string>,
): string | undefined {
  const size = plan.staticRange.size;
  for (let k = 1; k < size; k++) {
    const a = staticAddressAt(plan, (slot + k) % size);
    if (!held.has(a) && !suggested.has(a)) {
      suggested.add(a);
      return a;
    }
  }
  return undefined;
}

function isInPool(plan: VpnAddressPlan, address: string): boolean {
  const v = ipToInt(address);
  return v >= ipToInt(plan.dynamicPool.first) && v <= ipToInt(plan.dynamicPool.last);
}
