import { Finding, ReadinessRule, stackKey } from "../rule";
import { attachedTagPolicies } from "../tag-policy";

const NAME = "tag-policy-enforceable-types";

/**
 * Resource types AWS supports for tag policy enforcement that a platform policy may name: the
 * subset of "Services and resource types that support enforcement"
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_supported-resources-enforcement.html)
 * covering what the platform creates. A type outside it fails policy validation; extend the list
 * from that page, never by guess.
 */
export const ENFORCEABLE = new Set([
  "ec2:instance",
  "ec2:volume",
  "s3:bucket",
  "lambda:function",
  "kms:key",
  "secretsmanager:secret",
]);

export const tagPolicyEnforceableTypes: ReadinessRule = {
  name: NAME,
  description:
    "Every enforced_for entry of a tag policy is a resource type AWS supports for enforcement " +
    "(https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_supported-resources-enforcement.html); " +
    "CreatePolicy refuses others with MalformedPolicyDocumentException.",
  check(plans) {
    const findings: Finding[] = [];
    for (const plan of plans)
      for (const { policy, rules } of attachedTagPolicies([plan]))
        for (const rule of rules)
          for (const type of rule.enforcedFor)
            if (!ENFORCEABLE.has(type))
              findings.push({
                rule: NAME,
                stack: stackKey(plan),
                urn: policy.urn,
                message: `tag ${rule.key} is enforced for ${type}, which tag policies cannot enforce`,
                fix: `remove ${type} from enforced_for, or use a type from the supported list`,
              });
    return findings;
  },
};
