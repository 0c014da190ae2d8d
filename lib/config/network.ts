import { z } from "zod";
import { Checked, echo, parseSection } from "./errors";
import { caGenerations } from "./ca-generations";
import { ec2InstanceType, logRetentionDays, privateCidr } from "./primitives";
import { Cidr, overlaps, parseCidr, tryParseCidr } from "../net/ipv4";
import { vpnRanges } from "../net/vpn-ranges";
import { DEFAULT_VPN_PORT } from "../ports";
import { ENVIRONMENTS, EnvironmentName } from "../repo";

// Admin certificates are named admin-<name>; 40 characters leave room in a 63-character CN.
const ADMIN_PROFILE = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

/**
 * The floor of `maxAllowlistPrefix`. An allowlist names the egress addresses of offices and homes:
 * one address (/32) to a small block (/24). /16 (65,536 addresses) is already the size of a whole
 * campus or provider block, and the largest block a VPC may have, so no legitimate admin source is
 * wider; without the floor the bound could be set to 8 and one entry would admit a public /8.
 */
export const MIN_ALLOWLIST_PREFIX = 16;

export const NAT_STRATEGIES = ["none", "instance", "gateway", "gateway-per-az"] as const;

export const networkSection = z.strictObject({
  /** The VPC's block: private, /16 to /24, disjoint from every other environment's ranges. */
  vpcCidr: privateCidr({ min: 16, max: 24, what: "a VPC block" }),
  /** Zones to spread subnets over (public and private subnet in each); at least 2. */
  availabilityZones: z
    .number()
    .int()
    .min(2, { message: "expected at least 2 zones" })
    .max(3, { message: "expected at most 3 zones" })
    .default(2),
  /**
   * Optional: the zone IDs (e.g. use1-az1) to put the subnets in, one per zone, instead of the
   * first zones that offer every instance type the environment runs (network/zones.ts).
   */
  zoneIds: z
    .array(
      z
        .string()
        .regex(/^[a-z]{2,4}\d-az\d{1,2}$/, { message: "expected a zone ID such as use1-az1" }),
    )
    .optional(),
  /** How private subnets reach the internet: none, a NAT instance, one NAT gateway, or one per zone. */
  natStrategy: z.enum(NAT_STRATEGIES, { message: `expected one of ${NAT_STRATEGIES.join(", ")}` }),
  /** Interface endpoints for SSM, Secrets Manager and CloudWatch Logs (about $7.30/month each per zone). */
  interfaceEndpoints: z.boolean().default(false),
  flowLogRetentionDays: logRetentionDays.default(30),
  /**
   * The widest prefix any allowlist entry may have; /24 by default, never wider than
   * {@link MIN_ALLOWLIST_PREFIX} (/16).
   */
  maxAllowlistPrefix: z
    .number()
    .int()
    .min(MIN_ALLOWLIST_PREFIX, {
      message: `expected ${MIN_ALLOWLIST_PREFIX} to 32: a bound wider than /${MIN_ALLOWLIST_PREFIX} (65,536 addresses) would let an allowlist hold a public /8 (16.7 million addresses of strangers, a whole provider's allocation), where one office or home needs a /32 to /24`,
    })
    .max(32, { message: "expected at most 32 (a single address)" })
    .default(24),
  /** Admin source addresses (office, home) that reach UI 4200, Odoo 10016 and InfluxDB 8086. */
  // Each entry becomes three rules on the backend's group, whose inbound quota is 60.
  adminAllowlist: z
    .array(z.string())
    .max(16, { message: "expected at most 16 entries (each is 3 security group rules)" })
    .default([]),
  vpn: z.strictObject({
    /**
     * Tunnel addresses: the first quarter is the server and the admin pool (admin VPN profiles,
     * which reach the admin ports), the other three quarters are device addresses (8081 only).
     */
    clientCidr: privateCidr({ min: 16, max: 26, what: "a VPN client range" }),
    /** Admin VPN profiles to issue (certificate, key and .ovpn in SSM); names are hostname-safe. */
    adminProfiles: z.array(z.string()).default([]),
    port: z.number().int().min(1024).max(65535).default(DEFAULT_VPN_PORT),
    /** Sources allowed to reach the VPN port (UDP); empty: the internet (certificates still required). */
    allowlist: z
      .array(z.string())
      .max(50, { message: "expected at most 50 entries (a security group holds 60 inbound rules)" })
      .default([]),
    instanceType: ec2InstanceType.default("t4g.nano"),
    /** Server CA generations, oldest first; the oldest signs the server certificate (README, CA rollover). */
    serverCaGenerations: caGenerations,
  }),
});
export type NetworkConfig = z.output<typeof networkSection>;

function checkAllowlist(
  key: string,
  entries: string[],
  widest: number,
  port: number,
  problems: string[],
) {
  entries.forEach((entry, i) => {
    const at = `platform:network.${key}[${i}]`;
    if (entry === "0.0.0.0/0" || entry === "::/0") {
      problems.push(
        `${at}: got ${echo(entry)}; the whole internet is never allowed on an allowlist (only UDP ${port} without an allowlist is open)`,
      );
      return;
    }
    const c = tryParseCidr(entry);
    if (!c)
      problems.push(
        `${at}: got ${echo(entry)}; expected an IPv4 CIDR block such as 203.0.113.10/32 (host bits clear)`,
      );
    else if (c.prefix < widest)
      problems.push(
        `${at}: got ${echo(entry)}; expected a range no wider than /${widest} (platform:network.maxAllowlistPrefix)`,
      );
  });
}

function rangesOf(net: { vpcCidr: string; vpn?: { clientCidr?: string } }): [string, Cidr][] {
  const out: [string, Cidr][] = [];
  const add = (key: string, v: string | undefined) => {
    const c = v ? tryParseCidr(v) : undefined;
    if (c) out.push([key, c]);
  };
  add("vpcCidr", net.vpcCidr);
  add("vpn.clientCidr", net.vpn?.clientCidr);
  return out;
}

/**
 * The ranges inside the platform, each with where it is defined: this environment's VPC, its VPN
 * client range and, within it, the admin pool and the device ranges, then the other environments'
 * VPC and VPN ranges (routed to this one over peering or the VPN later).
 */
export function internalRanges(
  name: EnvironmentName,
  net: NetworkConfig,
  allEnvironments: Readonly<Record<EnvironmentName, Record<string, unknown>>>,
): { what: string; cidr: Cidr }[] {
  const out: { what: string; cidr: Cidr }[] = [];
  const add = (what: string, text: string | undefined) => {
    const c = typeof text === "string" ? tryParseCidr(text) : undefined;
    if (c) out.push({ what, cidr: c });
  };
  add("the VPC (platform:network.vpcCidr)", net.vpcCidr);
  const client = tryParseCidr(net.vpn.clientCidr);
  if (client) {
    const ranges = vpnRanges(net.vpn.clientCidr);
    ranges.deviceCidrs.forEach((d) =>
      add("the VPN device range (devices would reach the UI, Odoo and InfluxDB)", d),
    );
    add("the VPN admin pool (platform:network.vpn.clientCidr, first quarter)", ranges.adminCidr);
    add("the whole VPN client range (platform:network.vpn.clientCidr)", net.vpn.clientCidr);
  }
  for (const env of ENVIRONMENTS) {
    if (env === name) continue;
    const other = allEnvironments[env]?.["platform:network"];
    if (!other || typeof other !== "object") continue;
    for (const [key, c] of rangesOf(other as NetworkConfig))
      out.push({ what: `${env}'s ${key} (Pulumi.${env}.yaml)`, cidr: c });
  }
  return out;
}

/**
 * An admin allowlist entry is an outside address (an office, a home): one that overlaps a range
 * inside the platform would open the admin ports (UI 4200, Odoo 10016, InfluxDB 8086) to whatever
 * sits there, the VPN devices first. Each entry is refused naming every internal range it
 * overlaps; the security group rule would otherwise look like a legitimate one.
 */
function internalAdminSources(
  name: EnvironmentName,
  net: NetworkConfig,
  allEnvironments: Readonly<Record<EnvironmentName, Record<string, unknown>>>,
): string[] {
  const internal = internalRanges(name, net, allEnvironments);
  const problems: string[] = [];
  net.adminAllowlist.forEach((entry, i) => {
    const c = tryParseCidr(entry);
    if (!c) return; // reported by checkAllowlist
    const hits = internal.filter((r) => overlaps(c, r.cidr));
    if (hits.length)
      problems.push(
        `platform:network.adminAllowlist[${i}]: got ${echo(entry)}; it overlaps ${hits.map((h) => `${h.cidr.text} (${h.what})`).join(", ")}; expected an outside admin source (an office or home egress address) that overlaps no range inside the platform`,
      );
  });
  return problems;
}

/** Rules no single key can check: allowlists against their bound, overlaps within and across environments. */
export function crossCheckNetwork(
  name: EnvironmentName,
  net: NetworkConfig,
  allEnvironments: Readonly<Record<EnvironmentName, Record<string, unknown>>>,
): string[] {
  const problems: string[] = [];
  const { maxAllowlistPrefix: widest } = net;
  checkAllowlist("adminAllowlist", net.adminAllowlist, widest, net.vpn.port, problems);
  problems.push(...internalAdminSources(name, net, allEnvironments));
  checkAllowlist("vpn.allowlist", net.vpn.allowlist, widest, net.vpn.port, problems);
  const seen = new Set<string>();
  net.vpn.adminProfiles.forEach((name, i) => {
    const at = `platform:network.vpn.adminProfiles[${i}]`;
    if (!ADMIN_PROFILE.test(name))
      problems.push(
        `${at}: got ${echo(name)}; expected 1-40 characters of a-z, 0-9 and '-', starting and ending with a letter or digit (it becomes the certificate name admin-<name>)`,
      );
    else if (seen.has(name))
      problems.push(`${at}: got "${name}"; expected each admin profile once`);
    seen.add(name);
  });
  if (net.natStrategy === "none" && !net.interfaceEndpoints) {
    problems.push(
      `platform:network.natStrategy: got "none" with interfaceEndpoints false; expected interfaceEndpoints: true (without a NAT, Session Manager and Secrets Manager are reachable only through the endpoints) or another natStrategy (${NAT_STRATEGIES.join(", ")})`,
    );
  }
  const own = rangesOf(net);
  for (let i = 0; i < own.length; i++) {
    for (let j = i + 1; j < own.length; j++) {
      if (overlaps(own[i][1], own[j][1])) {
        problems.push(
          `platform:network.${own[j][0]}: got "${own[j][1].text}"; expected a range disjoint from ${own[i][0]} ${own[i][1].text}`,
        );
      }
    }
  }
  for (const env of ENVIRONMENTS) {
    if (env === name) continue;
    const other = allEnvironments[env]?.["platform:network"] as NetworkConfig | undefined;
    if (!other || typeof other !== "object") continue;
    for (const [key, mine] of own) {
      for (const [otherKey, theirs] of rangesOf(other)) {
        if (overlaps(mine, theirs)) {
          problems.push(
            `platform:network.${key}: got "${mine.text}"; expected a range disjoint from ${env}'s ${otherKey} ${theirs.text} (Pulumi.${env}.yaml): environments are peered or routed over VPN later, and overlapping blocks cannot be`,
          );
        }
      }
    }
  }
  if (net.zoneIds) {
    const ids = net.zoneIds;
    if (ids.length !== net.availabilityZones || new Set(ids).size !== ids.length)
      problems.push(
        `platform:network.zoneIds: got ${JSON.stringify(ids)}; expected ${net.availabilityZones} distinct zone IDs, one per zone (platform:network.availabilityZones)`,
      );
  }
  const vpc = parseCidr(net.vpcCidr);
  // Two subnets per zone, each a quarter of the block at most: a /24 still gives /28s (11 usable).
  if (vpc.prefix + 3 > 28)
    problems.push(
      `platform:network.vpcCidr: got "${net.vpcCidr}"; expected /25 or wider to fit subnets`,
    );
  return problems;
}

/** Refuses a malformed network section (CIDRs, zones, NAT strategy, retention, allowlist sizes) and breaks of the cross-key rules. */
export function validateNetwork(
  name: EnvironmentName,
  value: unknown,
  allEnvironments: Readonly<Record<EnvironmentName, Record<string, unknown>>>,
): Checked<NetworkConfig> {
  const parsed = parseSection("platform:network", networkSection, value);
  if (!parsed.value) return parsed;
  return { value: parsed.value, problems: crossCheckNetwork(name, parsed.value, allEnvironments) };
}
