import { Finding, ReadinessRule, eachResource } from "../rule";

const NAME = "deprecated-arguments";

/** Arguments the v7 provider deprecates or warns about, by type: the test and the replacement. */
const DEPRECATED: Readonly<
  Record<string, { what: string; uses: (inputs: Record<string, any>) => boolean; fix: string }[]>
> = {
  "aws:iam/role:Role": [
    {
      what: "managedPolicyArns",
      uses: (i) => i.managedPolicyArns !== undefined,
      fix: "one aws.iam.RolePolicyAttachment per policy",
    },
    {
      what: "inlinePolicies",
      uses: (i) => i.inlinePolicies !== undefined,
      fix: "one aws.iam.RolePolicy per inline policy",
    },
  ],
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": [
    {
      what: "an empty lifecycle rule filter",
      uses: (i) =>
        (i.rules ?? []).some(
          (r: any) => r.filter && typeof r.filter === "object" && !Object.keys(r.filter).length,
        ),
      fix: 'filter: { prefix: "" } for every object',
    },
  ],
};

export const deprecatedArguments: ReadinessRule = {
  name: NAME,
  description:
    "No resource uses an argument the AWS provider deprecates: aws.iam.Role managedPolicyArns and " +
    "inlinePolicies (https://www.pulumi.com/registry/packages/aws/api-docs/iam/role/), and an " +
    "empty lifecycle rule filter, which the provider warns about and will refuse " +
    "(terraform-provider-aws internal/service/s3/bucket_lifecycle_configuration.go; " +
    "https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleRuleFilter.html).",
  check(plans) {
    const findings: Finding[] = [];
    for (const { stack, resource: r } of eachResource(plans))
      for (const d of DEPRECATED[r.type] ?? [])
        if (d.uses(r.inputs))
          findings.push({
            rule: NAME,
            stack,
            urn: r.urn,
            message: `uses ${d.what}, which the provider deprecates`,
            fix: `use ${d.fix}`,
          });
    return findings;
  },
};
