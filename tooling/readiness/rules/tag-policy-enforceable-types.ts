import { Finding, ReadinessRule, stackKey } from "../rule";
import { attachedTagPolicies } from "../tag-policy";

const NAME = "tag-policy-enforceable-types";

/**
 * Resource types AWS supports for tag policy enforcement that a platform policy may name: the
 * subset of "Services and resource types that support enforcement"
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_supported-resources-enforcement.html)
 * covering what the platform creates. A type outside it fails policy validation; extend the list
 * from that page, never by guess. The page's table is rendered only on the AWS documentation site
 * (its source text links out to it), so each entry is kept with what it rests on. Every entry is
 * also a tag-policy resource type in the provider's own table of them,
 * hashicorp/terraform-provider-aws internal/tags/tagpolicy/tagris-terraform-mapping.hcl
 * (`tagtype "s3:bucket" { terraform_resource_types = ["aws_s3_bucket"] }`, and likewise
 * ec2:instance, ec2:volume, lambda:function, kms:key, secretsmanager:secret).
 */
export const ENFORCEABLE: ReadonlyMap<string, string> = new Map([
  // The enforcement page's EC2 rows (instance and volume); the platform's hosts and data volume.
  ["ec2:instance", "orgs_manage_policies_supported-resources-enforcement.html (Amazon EC2)"],
  ["ec2:volume", "orgs_manage_policies_supported-resources-enforcement.html (Amazon EC2)"],
  ["s3:bucket", "orgs_manage_policies_supported-resources-enforcement.html (Amazon S3)"],
  ["lambda:function", "orgs_manage_policies_supported-resources-enforcement.html (AWS Lambda)"],
  ["kms:key", "orgs_manage_policies_supported-resources-enforcement.html (AWS KMS)"],
  // Also the example of https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_example-tag-policies.html,
  // which enforces for every supported Secrets Manager type.
  [
    "secretsmanager:secret",
    "orgs_manage_policies_supported-resources-enforcement.html (AWS Secrets Manager); orgs_manage_policies_example-tag-policies.html",
  ],
]);

/**
 * Whether an enforced_for entry is supported: a listed type, or every supported type of a listed
 * service (`<service>:ALL_SUPPORTED`, and the older `<service>:*`, as the syntax page's example
 * writes it).
 */
export function enforceable(entry: string): boolean {
  if (ENFORCEABLE.has(entry)) return true;
  const [service, type] = entry.split(":");
  return (
    (type === "ALL_SUPPORTED" || type === "*") &&
    [...ENFORCEABLE.keys()].some((t) => t.startsWith(`${service}:`))
  );
}

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
            if (!enforceable(type))
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
