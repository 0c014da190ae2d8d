import { Finding, ReadinessRule, eachResource } from "../rule";
import { ENFORCEMENT_TYPE, attachedTagPolicies, effectiveTags } from "../tag-policy";

const NAME = "tags-comply-with-tag-policy";

export const tagsComplyWithTagPolicy: ReadinessRule = {
  name: NAME,
  description:
    "A tag policy with enforced_for makes a create or tag call with a noncompliant value fail " +
    "(https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_tag-policies-enforcement.html). " +
    "Every planned resource's effective tags (provider defaultTags plus its own) must use a value " +
    "the organization's attached tag policies allow: on the types they enforce that is a failed " +
    "deploy, on any other tagged resource a compliance report entry.",
  check(plans) {
    const policies = attachedTagPolicies(plans);
    if (!policies.length) return [];
    const findings: Finding[] = [];
    const providers = new Map(
      plans
        .flatMap((p) => p.resources.filter((r) => r.type.startsWith("pulumi:providers:")))
        .map((r) => [r.urn, r]),
    );
    for (const { stack, resource: r } of eachResource(plans)) {
      if (!r.custom || !r.type.startsWith("aws:")) continue;
      // Resources without tags support get no default tags: look at enforced types and own tags.
      const enforcement = ENFORCEMENT_TYPE[r.type];
      if (!enforcement && r.inputs.tags === undefined) continue;
      const tags = effectiveTags(r, providers);
      for (const { policy, rules } of policies)
        for (const rule of rules) {
          const value = tags[rule.key];
          if (value === undefined || !rule.values || rule.values.includes(value)) continue;
          const enforced = enforcement !== undefined && rule.enforcedFor.includes(enforcement);
          findings.push({
            rule: NAME,
            stack,
            urn: r.urn,
            message:
              `tag ${rule.key}=${value} is not allowed by tag policy ${policy.inputs.name} ` +
              `(allowed: ${rule.values.join(", ")})` +
              (enforced ? `; enforced for ${enforcement}, so the create fails` : ""),
            fix: `allow ${value} in the tag policy, or tag the resource (or its provider) with an allowed value`,
          });
        }
    }
    return findings;
  },
};
