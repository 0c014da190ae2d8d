import generated from "../deprecations/deprecated-inputs.json";
import type { DeprecationTable } from "../deprecations/generate";
import { Finding, ReadinessRule, decoded, eachResource } from "../rule";

const NAME = "no-deprecated-inputs";

/** A deprecation the provider's type definitions do not mark, with its source. */
interface HandDeprecation {
  readonly what: string;
  readonly uses: (inputs: Record<string, any>) => boolean;
  readonly fix: string;
  readonly source: string;
}

/**
 * Deprecations @pulumi/aws does not mark `@deprecated` in its .d.ts. terraform-provider-aws
 * deprecated aws_iam_role's inline_policy in v5.68.0 (hashicorp/terraform-provider-aws#39203,
 * message #39430) and managed_policy_arns in v5.72.0; pulumi-aws did not carry those deprecations
 * into its SDK (pulumi/pulumi-aws#4647, tracked in #4654), so the plan never sees them in the types,
 * while the bridged provider still warns.
 */
export const HAND_DEPRECATIONS: Readonly<Record<string, readonly HandDeprecation[]>> = {
  "aws:iam/role:Role": [
    {
      what: "managedPolicyArns",
      uses: (i) => i.managedPolicyArns !== undefined,
      fix: "one aws.iam.RolePolicyAttachment per policy",
      source:
        "terraform-provider-aws v5.72.0 (internal/service/iam/role.go); https://www.pulumi.com/registry/packages/aws/api-docs/iam/role/",
    },
    {
      what: "inlinePolicies",
      uses: (i) => i.inlinePolicies !== undefined,
      fix: "one aws.iam.RolePolicy per inline policy",
      source: "hashicorp/terraform-provider-aws#39203 (v5.68.0, internal/service/iam/role.go)",
    },
  ],
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": [
    {
      what: "an empty lifecycle rule filter",
      uses: (i) =>
        (decoded(i.rules) ?? []).some(
          (r: any) => r.filter && typeof r.filter === "object" && !Object.keys(r.filter).length,
        ),
      fix: 'filter: { prefix: "" } for every object',
      source:
        "terraform-provider-aws internal/service/s3/bucket_lifecycle_configuration.go; https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleRuleFilter.html",
    },
  ],
};

/** Whether a dotted path is set in the inputs, walking through arrays and JSON-encoded objects. */
function isSet(value: unknown, path: readonly string[]): boolean {
  const v = decoded(value);
  if (v === undefined || v === null) return false;
  if (!path.length) return true;
  if (Array.isArray(v)) return v.some((item) => isSet(item, path));
  if (typeof v !== "object") return false;
  return isSet((v as Record<string, unknown>)[path[0]], path.slice(1));
}

export function noDeprecatedInputs(
  table: DeprecationTable = generated,
  hand: Readonly<Record<string, readonly HandDeprecation[]>> = HAND_DEPRECATIONS,
): ReadinessRule {
  return {
    name: NAME,
    description:
      "No resource sets an input the AWS provider deprecates: the properties @pulumi/aws marks " +
      `@deprecated in its type definitions (${table.package}, <module>/<resource>.d.ts and ` +
      "types/input.d.ts, tabled by npm run deprecations in tooling/readiness/deprecations/), and " +
      "those it does not mark: aws.iam.Role managedPolicyArns and inlinePolicies " +
      "(hashicorp/terraform-provider-aws#39203, pulumi/pulumi-aws#4654, " +
      "https://www.pulumi.com/registry/packages/aws/api-docs/iam/role/) and an empty lifecycle " +
      "rule filter (terraform-provider-aws internal/service/s3/bucket_lifecycle_configuration.go). " +
      "The provider warns on each, and a deprecated input is removed in a later major version.",
    check(plans) {
      const findings: Finding[] = [];
      for (const { stack, resource: r } of eachResource(plans)) {
        for (const [at, why] of Object.entries(table.types[r.type] ?? {}))
          if (isSet(r.inputs, at.split(".")))
            findings.push({
              rule: NAME,
              stack,
              urn: r.urn,
              message: `sets ${at}, which ${table.package} deprecates: ${why}`,
              fix: "follow the deprecation message",
            });
        for (const d of hand[r.type] ?? [])
          if (d.uses(r.inputs))
            findings.push({
              rule: NAME,
              stack,
              urn: r.urn,
              message: `uses ${d.what}, which the provider deprecates (${d.source})`,
              fix: `use ${d.fix}`,
            });
      }
      return findings;
    },
  };
}
