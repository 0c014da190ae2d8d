import { Finding, ReadinessRule, eachResource } from "../rule";
import { effectiveTags } from "../tag-policy";

const NAME = "cost-allocation-tag-keys-in-use";
const ACTIVATION = "aws:costexplorer/costAllocationTag:CostAllocationTag";

export const costAllocationTagKeysInUse: ReadinessRule = {
  name: NAME,
  description:
    "A cost allocation tag can be activated only once billing has seen the key on tagged usage " +
    "(up to 24 hours after the first tagged resource, " +
    "https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/activating-tags.html); activating " +
    "an unknown key fails the create (terraform-provider-aws issues #29068 and #31442, " +
    "internal/service/ce/cost_allocation_tag.go). No plan activates a key that no planned resource " +
    "carries; that a carried key is already known to billing only a real account can tell, so " +
    "activation stays off on a first deploy (platform:tags.activateInBilling).",
  check(plans) {
    const providers = new Map(
      plans
        .flatMap((p) => p.resources.filter((r) => r.type.startsWith("pulumi:providers:")))
        .map((r) => [r.urn, r]),
    );
    const carried = new Set<string>();
    for (const { resource: r } of eachResource(plans))
      if (r.custom && r.type.startsWith("aws:") && r.type !== ACTIVATION)
        for (const key of Object.keys(effectiveTags(r, providers))) carried.add(key);
    const findings: Finding[] = [];
    for (const { stack, resource: r } of eachResource(plans)) {
      if (r.type !== ACTIVATION || r.inputs.status === "Inactive") continue;
      if (carried.has(r.inputs.tagKey)) continue;
      findings.push({
        rule: NAME,
        stack,
        urn: r.urn,
        message: `activates tag key "${r.inputs.tagKey}", which no planned resource carries: billing never sees it, and the activation fails`,
        fix: "tag resources with the key (provider defaultTags) and activate it a day after they exist, or drop the activation",
      });
    }
    return findings;
  },
};
