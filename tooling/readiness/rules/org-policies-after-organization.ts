import { Finding, ReadinessRule, stackKey, waitsFor } from "../rule";

const ORGANIZATION = "aws:organizations/organization:Organization";
const ORDERED = new Set([
  "aws:organizations/policy:Policy",
  "aws:organizations/policyAttachment:PolicyAttachment",
]);

export const orgPoliciesAfterOrganization: ReadinessRule = {
  name: "org-policies-after-organization",
  description:
    "Organizations policies and attachments are created only after the organization: CreatePolicy in " +
    "an account that is not yet an organization's management account fails with " +
    "AWSOrganizationsNotInUseException (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreatePolicy.html), " +
    "and a component's dependsOn is not inherited by its children (pulumi/pulumi#8721), so each " +
    "must depend on the Organization itself, directly or through what it depends on.",
  check(plans) {
    const findings: Finding[] = [];
    for (const plan of plans) {
      const org = plan.resources.find((r) => r.type === ORGANIZATION);
      if (!org) continue;
      const before = waitsFor(plan);
      for (const r of plan.resources) {
        if (!ORDERED.has(r.type) || before(r.urn).has(org.urn)) continue;
        findings.push({
          rule: "org-policies-after-organization",
          stack: stackKey(plan),
          urn: r.urn,
          message: `${r.type} ${r.name} may be created before the organization ${org.name}`,
          fix: `pass the Organization (not a component holding it) in dependsOn, or an input derived from it`,
        });
      }
    }
    return findings;
  },
};
