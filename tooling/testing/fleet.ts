import {
  derivedDeviceAddress,
  staticAddressAt,
  vpnAddressPlan,
} from "../../lib/openvpn/address-plan";

type Site = {
  id: string;
  devices: { id: string; address?: string; labels: Record<string, string> }[];
};

/**
 * A synthetic fleet for scale tests and the benchmark: `count` devices in sites of ten, labelled
 * like real installations. Each device's address is derived from its id unless an earlier device
 * already holds that address; then it is pinned to the lowest free one, as an admin adding it would
 * be asked to. Device i's entry depends only on devices before it, so fleetSites(n) is a prefix of
 * fleetSites(m) for n < m: a growing fleet, as in the file. `clientCidr` is prod's range by default.
 */
export function fleetSites(count: number, clientCidr = "10.220.0.0/21"): Site[] {
  const plan = vpnAddressPlan(clientCidr);
  const held = new Set<string>();
  let lowestFree = 0;
  const sites: Site[] = [];
  for (let i = 0; i < count; i++) {
    const site = Math.floor(i / 10);
    if (!sites[site]) sites[site] = { id: `site-${String(site).padStart(4, "0")}`, devices: [] };
    const id = `edge-${String(i).padStart(5, "0")}`;
    const labels = { meter: "sdm630", installer: "fixture" };
    const derived = i < plan.staticRange.size ? derivedDeviceAddress(plan, id) : undefined;
    if (derived && !held.has(derived)) {
      held.add(derived);
      sites[site].devices.push({ id, labels });
      continue;
    }
    while (lowestFree < plan.staticRange.size && held.has(staticAddressAt(plan, lowestFree)))
      lowestFree++;
    // Past the range's capacity the device stays unpinned: the capacity check refuses the fleet.
    if (lowestFree >= plan.staticRange.size) {
      sites[site].devices.push({ id, labels });
      continue;
    }
    const address = staticAddressAt(plan, lowestFree);
    held.add(address);
    sites[site].devices.push({ id, address, labels });
  }
  return sites;
}
