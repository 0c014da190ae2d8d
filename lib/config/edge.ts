import { z } from "zod";
import { Checked, parseSection } from "./errors";
import { caGenerations } from "./ca-generations";
import { slug } from "./primitives";
import { FleetDevice, planFleet } from "./fleet";
import type { NetworkConfig } from "./network";

/** Labels per device (see `labels`). */
const MAX_LABELS = 10;

const device = z.strictObject({
  /** Hostname-safe id; also the certificate's common name and the ccd file name. */
  id: slug,
  /** Fixed tunnel address inside the VPN client range's static part; assigned when absent. */
  address: z.string().optional(),
  /**
   * Free-form labels (meter type, installer, ...), published with the device's settings. Bounded
   * so the settings parameter always fits the SSM standard tier (4,096 bytes; at most 10 labels
   * of 32 + 128 characters leave it under half full): a larger one would fail at deploy time,
   * after other resources changed.
   */
  labels: z
    .record(
      z.string().regex(/^[A-Za-z0-9_.:-]{1,32}$/, {
        message: "expected a label name of 1 to 32 letters, digits, '_', '.', ':' or '-'",
      }),
      z.string().max(128, { message: "expected a label value of at most 128 characters" }),
    )
    .refine((l) => Object.keys(l).length <= MAX_LABELS, {
      message: `expected at most ${MAX_LABELS} labels`,
    })
    .default({}),
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
  /** Client CA generations, oldest first; the newest signs device certificates (README, CA rollover). */
  clientCaGenerations: caGenerations,
});
export type EdgeConfig = z.output<typeof edgeSection>;

/** Rules across entries: site and device ids unique across the whole fleet, renewal before expiry. */
export function crossCheckEdge(edge: EdgeConfig): string[] {
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
  return problems;
}

/**
 * Environments whose account holds the automation / AI agent role (the org program creates it
 * there only). An agent there can reach whatever the environment runs, so it holds test devices
 * only.
 */
export const AGENT_ENVIRONMENTS: readonly string[] = ["dev"];
export const TEST_DEVICE_PREFIX = "test-";

/**
 * Refuses, in an environment the agent role can reach, a site or device whose id does not start
 * with `test-`: a real site's device (its certificate, API key and bundle) never lives where an
 * agent works.
 */
export function checkTestDevicesOnly(environment: string, edge: EdgeConfig): string[] {
  if (!AGENT_ENVIRONMENTS.includes(environment)) return [];
  const why = `${environment} is reachable by the automation / AI agent role, so it holds test devices only`;
  const problems: string[] = [];
  edge.sites.forEach((s, i) => {
    if (!s.id.startsWith(TEST_DEVICE_PREFIX))
      problems.push(
        `platform:edge.sites[${i}].id: got "${s.id}"; expected an id starting with "${TEST_DEVICE_PREFIX}" (${why})`,
      );
    s.devices.forEach((d, j) => {
      if (!d.id.startsWith(TEST_DEVICE_PREFIX))
        problems.push(
          `platform:edge.sites[${i}].devices[${j}].id: got "${d.id}"; expected an id starting with "${TEST_DEVICE_PREFIX}" (${why})`,
        );
    });
  });
  return problems;
}

/** The edge section checked, and the fleet with its tunnel addresses when it is valid. */
export interface CheckedEdge extends Checked<EdgeConfig> {
  readonly fleet: FleetDevice[];
}

/**
 * Refuses a malformed edge section, and a fleet that does not fit the VPN client range (addresses,
 * capacity, reserved ids, two devices on one address). The fleet is planned only when the network
 * section (which holds the range) is valid.
 */
export function validateEdge(value: unknown, network?: NetworkConfig): CheckedEdge {
  const parsed = parseSection("platform:edge", edgeSection, value);
  if (!parsed.value) return { ...parsed, fleet: [] };
  const problems = crossCheckEdge(parsed.value);
  if (!network) return { value: parsed.value, problems, fleet: [] };
  const planned = planFleet(parsed.value, network.vpn.clientCidr);
  return {
    value: parsed.value,
    problems: [...problems, ...planned.problems],
    fleet: planned.devices,
  };
}
