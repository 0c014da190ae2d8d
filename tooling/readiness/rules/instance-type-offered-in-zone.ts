import { RegionZones, ZONE_OFFERINGS } from "../../plan/mocks";
import { Finding, ReadinessRule, eachResource } from "../rule";

const NAME = "instance-type-offered-in-zone";

/**
 * Every planned instance's type is offered in the zone its subnet is in, by the zone facts the
 * mocks answer with (tooling/plan/zone-offerings.json). Zones are compared by ID: names map to
 * different physical zones per account.
 */
export function instanceTypeOfferedInZone(
  zones: Readonly<Record<string, RegionZones>> = ZONE_OFFERINGS,
): ReadinessRule {
  return {
    name: NAME,
    description:
      "Every EC2 instance's type is offered in its subnet's Availability Zone: not every zone " +
      "offers every type (us-east-1's use1-az3 has no Nitro types, so neither t3 nor t4g), and " +
      "RunInstances there fails with Unsupported " +
      "(https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstanceTypeOfferings.html; " +
      "zone IDs: https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html).",
    check(plans) {
      const findings: Finding[] = [];
      for (const { plan, stack, resource: r } of eachResource(plans)) {
        if (r.type !== "aws:ec2/instance:Instance") continue;
        const zoneName = r.state.availabilityZone ?? r.inputs.availabilityZone;
        const type = r.inputs.instanceType;
        if (typeof zoneName !== "string" || typeof type !== "string") continue;
        const provider = plan.resources.find((p) => p.urn === r.provider);
        const region = String(provider?.inputs.region ?? zoneName.replace(/[a-z]$/, ""));
        const facts = zones[region];
        const zoneId = facts?.zones.find((z) => z.name === zoneName)?.zoneId;
        if (!facts || !zoneId) {
          findings.push({
            rule: NAME,
            stack,
            urn: r.urn,
            message: `zone ${zoneName} of ${region} is not in the zone facts, so its offerings cannot be checked`,
            fix: "add the region's zones and offerings to tooling/plan/zone-offerings.json",
          });
          continue;
        }
        if ((facts.families[type.split(".")[0]] ?? []).includes(zoneId)) continue;
        const offering = facts.zones
          .filter((z) => (facts.families[type.split(".")[0]] ?? []).includes(z.zoneId))
          .map((z) => z.zoneId);
        findings.push({
          rule: NAME,
          stack,
          urn: r.urn,
          message: `${type} is not offered in ${zoneName} (${zoneId}): RunInstances fails with Unsupported`,
          fix: `choose zones with aws.ec2.getInstanceTypeOfferings (network/zones.ts); zones of ${region} offering ${type}: ${offering.join(", ") || "none"}`,
        });
      }
      return findings;
    },
  };
}
