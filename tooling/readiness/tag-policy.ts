/**
 * The tag policies the organization stack creates and attaches, read back from the plan: the
 * allowed values and `enforced_for` types per tag key (tag policy syntax:
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_example-tag-policies.html).
 */
import type { PlannedResource, StackPlan } from "../stack-plan";
import { decoded } from "./rule";

export interface TagRule {
  readonly key: string;
  /** Allowed values; undefined when the policy does not constrain the value. */
  readonly values?: readonly string[];
  readonly enforcedFor: readonly string[];
}

export interface TagPolicy {
  readonly policy: PlannedResource;
  readonly rules: TagRule[];
}

const assigned = (v: any) => (v && typeof v === "object" ? v["@@assign"] : undefined);

/** Tag policies that some attachment in the same stack attaches (to the root, an OU or an account). */
export function attachedTagPolicies(plans: readonly StackPlan[]): TagPolicy[] {
  const out: TagPolicy[] = [];
  for (const plan of plans) {
    const attachedIds = new Set(
      plan.resources
        .filter((r) => r.type === "aws:organizations/policyAttachment:PolicyAttachment")
        .map((r) => r.inputs.policyId),
    );
    for (const r of plan.resources) {
      if (r.type !== "aws:organizations/policy:Policy" || r.inputs.type !== "TAG_POLICY") continue;
      if (!attachedIds.has(r.id)) continue;
      const doc = decoded(r.inputs.content) ?? {};
      const rules = Object.values<any>(doc.tags ?? {}).map((t) => {
        const values = assigned(t.tag_value);
        return {
          key: assigned(t.tag_key),
          values: Array.isArray(values) ? values : undefined,
          enforcedFor: assigned(t.enforced_for) ?? [],
        };
      });
      out.push({ policy: r, rules });
    }
  }
  return out;
}

/**
 * The tag-policy resource type of each Pulumi type the platform creates that a tag policy can
 * enforce on; what `enforced_for` names.
 */
export const ENFORCEMENT_TYPE: Readonly<Record<string, string>> = {
  "aws:ec2/instance:Instance": "ec2:instance",
  "aws:ebs/volume:Volume": "ec2:volume",
  "aws:s3/bucket:Bucket": "s3:bucket",
  "aws:s3/bucketV2:BucketV2": "s3:bucket",
  "aws:lambda/function:Function": "lambda:function",
  "aws:kms/key:Key": "kms:key",
  "aws:secretsmanager/secret:Secret": "secretsmanager:secret",
};

/**
 * Tags the resource is created with: its provider's `defaultTags` overlaid by its own `tags`
 * (a resource's own value wins over the provider's for the same key: "Tags configured on the
 * resource override provider default tags with matching keys", provider docs for `defaultTags`,
 * https://www.pulumi.com/registry/packages/aws/api-docs/provider/).
 */
export function effectiveTags(
  r: PlannedResource,
  providers: ReadonlyMap<string, PlannedResource>,
): Record<string, string> {
  const provider = r.provider ? providers.get(r.provider) : undefined;
  const defaults = decoded(provider?.inputs.defaultTags)?.tags ?? {};
  return { ...defaults, ...(r.inputs.tags ?? {}) };
}
