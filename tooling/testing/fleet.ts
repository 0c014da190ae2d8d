/**
 * A synthetic fleet for scale tests and the benchmark: `count` devices in sites of ten, every
 * address derived from its id (none pinned), labelled like real installations.
 */
export function fleetSites(
  count: number,
): { id: string; devices: { id: string; labels: Record<string, string> }[] }[] {
  const sites: { id: string; devices: { id: string; labels: Record<string, string> }[] }[] = [];
  for (let i = 0; i < count; i++) {
    const site = Math.floor(i / 10);
    if (!sites[site]) sites[site] = { id: `site-${String(site).padStart(4, "0")}`, devices: [] };
    sites[site].devices.push({
      id: `edge-${String(i).padStart(5, "0")}`,
      labels: { meter: "sdm630", installer: "fixture" },
    });
  }
  return sites;
}
