import { z } from "zod";
import { ConfigError } from "./errors";
import { EnvironmentContext, loadEnvironmentContext, parseSection } from "./environment";
import { slug } from "./primitives";
import { FleetDevice, planFleet } from "../../edge/fleet";
import { networkSection } from "./network";

const device = z.strictObject({
  /** Hostname-safe id; also the certificate's common name and the ccd file name. */
  id: slug,
  /** Fixed tunnel address inside the VPN client range's static part; assigned when absent. */
  address: z.string().optional(),
  /** Free-form labels (meter type, installer, ...), published with the device's settings. */
  labels: z.record(z.string(), z.string()).default({}),
});

const site = z.strictObject({
  id: slug,
  devices: z.array(device).default([]),
});

export const edgeSection = z.strictObject({
  /** Validity of device certificates; renewed early, `renewBeforeDays` before they expire. */
  certValidityDays: z.number().int().min(30).max(3650).default(730),
  renewBeforeDays: z.number().int().min(1).max(365).default(60),
  /** A device not connected for this long counts in DevicesAway, which alarms to the environment's topic. */
  awayAlarmMinutes: z.number().int().min(5).max(10080).default(30),
  sites: z.array(site).default([]),
});
export type EdgeConfig = z.output<typeof edgeSection>;

/** Rules across entries: site and device ids unique across the whole fleet, renewal before expiry. */
export function crossCheckEdge(ctx: EnvironmentContext, edge: EdgeConfig): void {
  const problems: string[] = [];
  const sites = new Set<string>();
  const devices = new Map<string, string>();
  edge.sites.forEach((s, i) => {
    if (sites.has(s.id))
      problems.push(`platform:edge.sites[${i}].id: got "${s.id}"; expected a site id used once`);
    sites.add(s.id);
    s.devices.forEach((d, j) => {
      const at = `platform:edge.sites[${i}].devices[${j}].id`;
      if (devices.has(d.id))
        problems.push(
          `${at}: got "${d.id}"; expected a device id unique in the fleet (also at ${devices.get(d.id)})`,
        );
      devices.set(d.id, at);
    });
  });
  if (edge.renewBeforeDays >= edge.certValidityDays) {
    problems.push(
      `platform:edge.renewBeforeDays: got ${edge.renewBeforeDays}; expected fewer days than certValidityDays (${edge.certValidityDays})`,
    );
  }
  if (problems.length) throw new ConfigError(ctx.where, problems);
}

export interface EdgeSettings {
  readonly env: EnvironmentContext;
  readonly edge: EdgeConfig;
  /** Every device with its tunnel address, checked against the VPN client range. */
  readonly fleet: FleetDevice[];
}

/** Refuses a malformed edge section, and a fleet that does not fit the VPN client range (addresses, capacity, reserved ids). */
export function validateEdge(env: EnvironmentContext): EdgeSettings {
  const edge = parseSection(env, "platform:edge", edgeSection);
  crossCheckEdge(env, edge);
  // The same environment file: the VPN client range the addresses must fit.
  const { clientCidr } = parseSection(env, "platform:network", networkSection).vpn;
  const { devices, problems } = planFleet(edge, clientCidr);
  if (problems.length) throw new ConfigError(env.where, problems);
  return { env, edge, fleet: devices };
}

export function loadEdgeConfig(): EdgeSettings {
  return validateEdge(loadEnvironmentContext());
}
