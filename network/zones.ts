import * as aws from "@pulumi/aws";
import { ConfigError } from "../lib/config/errors";
import type { EnvironmentConfig } from "../lib/config/environment";

/** An instance type the environment runs, with the key that configures it. */
export interface ZoneDemand {
  readonly key: string;
  readonly instanceType: string;
}

/** What AWS answers: the region's zones (names and IDs, same order) and the type offerings by zone ID. */
export interface ZoneFacts {
  readonly region: string;
  readonly names: readonly string[];
  readonly zoneIds: readonly string[];
  /** Parallel lists, as DescribeInstanceTypeOfferings with location type availability-zone-id answers. */
  readonly offerings: {
    readonly instanceTypes: readonly string[];
    readonly locations: readonly string[];
  };
}

export interface ZoneChoice {
  readonly names: string[];
  readonly zoneIds: string[];
}

/**
 * The instance types the environment launches in its subnets: the VPN server (and the NAT
 * instance, which shares its type) and the OpenEMS backend host.
 */
export function zoneDemands(env: Pick<EnvironmentConfig, "network" | "workloads">): ZoneDemand[] {
  return [
    { key: "platform:network.vpn.instanceType", instanceType: env.network.vpn.instanceType },
    {
      key: "platform:workloads.openems.instanceType",
      instanceType: env.workloads.openems.instanceType,
    },
  ];
}

/**
 * Picks `count` zones that offer every demanded instance type: the pinned zone IDs when given (each
 * must exist and offer them), otherwise the first such zones in the region's order. By zone ID,
 * because zone names map to different physical zones in each account while IDs do not
 * (https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html); not every zone
 * offers every type (us-east-1's use1-az3 has no Nitro types, so neither t3 nor t4g), and a
 * launch there fails with Unsupported.
 */
export function chooseZones(
  where: string,
  facts: ZoneFacts,
  demands: readonly ZoneDemand[],
  count: number,
  pinned?: readonly string[],
): ZoneChoice {
  const offered = new Map<string, Set<string>>();
  facts.offerings.instanceTypes.forEach((t, i) => {
    if (!offered.has(t)) offered.set(t, new Set());
    offered.get(t)!.add(facts.offerings.locations[i]);
  });
  const missing = (zoneId: string) =>
    demands.filter((d) => !offered.get(d.instanceType)?.has(zoneId));
  const types = [...new Set(demands.map((d) => d.instanceType))].join(", ");
  const problems: string[] = [];
  let ids: string[];
  if (pinned && pinned.length) {
    ids = [...pinned];
    pinned.forEach((id, i) => {
      const at = `platform:network.zoneIds[${i}]`;
      if (!facts.zoneIds.includes(id))
        problems.push(
          `${at}: got "${id}"; expected a zone ID of ${facts.region}: ${facts.zoneIds.join(", ")}`,
        );
      else
        for (const d of missing(id))
          problems.push(
            `${at}: got "${id}", which does not offer ${d.instanceType} (${d.key}); zones of ${facts.region} that offer ${types}: ${suitable().join(", ") || "none"}`,
          );
    });
  } else {
    ids = suitable().slice(0, count);
    if (ids.length < count)
      problems.push(
        `platform:network.availabilityZones: got ${count}; only ${ids.length} zone(s) of ${facts.region} (${ids.join(", ") || "none"}) offer every instance type the environment runs (${demands.map((d) => `${d.key} ${d.instanceType}`).join(", ")}); expected fewer zones or instance types every zone offers`,
      );
  }
  if (problems.length) throw new ConfigError(where, problems);
  return { names: ids.map((id) => facts.names[facts.zoneIds.indexOf(id)]), zoneIds: ids };

  function suitable() {
    return facts.zoneIds.filter((id) => missing(id).length === 0);
  }
}

/**
 * Reads the region's zones and which of them offer the environment's instance types
 * (aws.ec2.getInstanceTypeOfferings, location type availability-zone-id), then chooses.
 */
export async function environmentZones(
  env: EnvironmentConfig,
  provider: aws.Provider,
): Promise<ZoneChoice> {
  const demands = zoneDemands(env);
  const [zones, offerings] = await Promise.all([
    aws.getAvailabilityZones({ state: "available" }, { provider }),
    aws.ec2.getInstanceTypeOfferings(
      {
        locationType: "availability-zone-id",
        filters: [
          { name: "instance-type", values: [...new Set(demands.map((d) => d.instanceType))] },
        ],
      },
      { provider },
    ),
  ]);
  return chooseZones(
    env.where,
    { region: env.section.region, names: zones.names, zoneIds: zones.zoneIds, offerings },
    demands,
    env.network.availabilityZones,
    env.network.zoneIds,
  );
}
