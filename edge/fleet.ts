import * as crypto from "crypto";
import { EdgeConfig } from "../lib/config/edge";
import {
  isStaticDeviceAddress,
  staticAddressAt,
  vpnAddressPlan,
} from "../lib/openvpn/address-plan";
import { ipToInt, isIpv4 } from "../lib/net/ipv4";

/** One device as the stacks build it: its identity, tunnel address and where it came from. */
export interface FleetDevice {
  readonly site: string;
  /** Device id: the certificate's common name, the ccd file name, the OpenEMS edge id. */
  readonly id: string;
  readonly address: string;
  /** True when the environment file fixes the address; false when it was assigned. */
  readonly pinned: boolean;
  readonly labels: Readonly<Record<string, string>>;
}

/** Admin VPN profiles are named admin-<name> by the network stack: devices may not look like them. */
export const RESERVED_DEVICE_PREFIX = "admin-";

function slotOf(id: string, size: number): number {
  return crypto.createHash("sha256").update(id).digest().readUInt32BE(0) % size;
}

/**
 * Checks the fleet against the VPN client range and gives every device its tunnel address. A
 * device without an `address` gets one derived from a hash of its id (probing to the next free
 * address on a collision), so adding a device never moves the others; pin an address in the file
 * to make it permanent whatever else changes. Returns every problem at once, each naming the entry.
 */
export function planFleet(
  edge: EdgeConfig,
  clientCidr: string,
): { devices: FleetDevice[]; problems: string[] } {
  const plan = vpnAddressPlan(clientCidr);
  const problems: string[] = [];
  const taken = new Map<string, string>();
  const entries: {
    site: string;
    id: string;
    address?: string;
    labels: Record<string, string>;
    at: string;
  }[] = [];
  edge.sites.forEach((s, i) =>
    s.devices.forEach((d, j) =>
      entries.push({
        site: s.id,
        id: d.id,
        address: d.address,
        labels: d.labels,
        at: `platform:edge.sites[${i}].devices[${j}]`,
      }),
    ),
  );
  const range = `${plan.staticRange.first}-${plan.staticRange.last}`;
  if (entries.length > plan.staticRange.size) {
    problems.push(
      `platform:edge.sites: got ${entries.length} devices; expected at most ${plan.staticRange.size}, the static addresses of platform:network.vpn.clientCidr ${clientCidr} (${range}): widen the range`,
    );
  }
  for (const e of entries) {
    if (e.id.startsWith(RESERVED_DEVICE_PREFIX))
      problems.push(
        `${e.at}.id: got "${e.id}"; expected an id not starting with "${RESERVED_DEVICE_PREFIX}" (reserved for admin VPN profiles)`,
      );
    if (e.address === undefined) continue;
    if (!isIpv4(e.address)) {
      problems.push(`${e.at}.address: got "${e.address}"; expected an IPv4 address in ${range}`);
    } else if (!isStaticDeviceAddress(plan, e.address)) {
      const where =
        e.address === plan.serverAddress
          ? "the server's own address"
          : isInPool(plan, e.address)
            ? `the admin pool ${plan.dynamicPool.first}-${plan.dynamicPool.last}`
            : `outside ${clientCidr}'s device addresses`;
      problems.push(
        `${e.at}.address: got "${e.address}", ${where}; expected an address in ${range}`,
      );
    } else if (taken.has(e.address)) {
      problems.push(
        `${e.at}.address: got "${e.address}"; expected an address no other device has (also at ${taken.get(e.address)})`,
      );
    } else {
      taken.set(e.address, e.at);
    }
  }
  if (problems.length) return { devices: [], problems };

  const assigned = new Map<string, string>();
  const size = plan.staticRange.size;
  // Sorted by id: the result does not depend on the order of the file.
  for (const e of [...entries]
    .filter((x) => x.address === undefined)
    .sort((a, b) => a.id.localeCompare(b.id))) {
    let slot = slotOf(e.id, size);
    while (taken.has(staticAddressAt(plan, slot))) slot = (slot + 1) % size;
    const address = staticAddressAt(plan, slot);
    taken.set(address, e.at);
    assigned.set(e.id, address);
  }
  const devices = entries.map((e) => ({
    site: e.site,
    id: e.id,
    address: e.address ?? (assigned.get(e.id) as string),
    pinned: e.address !== undefined,
    labels: e.labels,
  }));
  return { devices, problems };
}

function isInPool(plan: ReturnType<typeof vpnAddressPlan>, address: string): boolean {
  const v = ipToInt(address);
  return v >= ipToInt(plan.dynamicPool.first) && v <= ipToInt(plan.dynamicPool.last);
}
