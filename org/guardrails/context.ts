/**
 * The guardrail config values, checked before any of them reaches a policy.
 */
import { GuardrailContext, GuardrailNames } from "../../lib/names";

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.(\*|[a-z0-9-]+)$/;
const BEDROCK_MODEL_ID = /^[a-z0-9][a-z0-9.:_-]*$/;
// IAM role and policy names: up to 64 (role) / 128 (policy) of [\w+=,.@-]; no paths, because the
// SCPs match `role/<name>` exactly and a `*` there would also match other roles' names.
const IAM_NAME = /^[\w+=,.@-]{1,64}$/;
const TRAIL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/;
const BUCKET_PREFIX = /^[a-z0-9][a-z0-9.-]{0,49}$/;
const KMS_ALIAS = /^alias\/[A-Za-z0-9/_-]{1,250}$/;
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;

function checkList(key: string, value: unknown, pattern: RegExp, allowed: string): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    return [`'${key}' must be a non-empty list of ${allowed}; got ${JSON.stringify(value)}`];
  }
  const problems: string[] = [];
  value.forEach((item, i) => {
    if (typeof item !== "string" || !pattern.test(item)) {
      problems.push(`'${key}[${i}]' must be ${allowed}; got ${JSON.stringify(item)}`);
    }
  });
  const dupes = value.filter((v, i) => value.indexOf(v) !== i);
  if (dupes.length > 0) {
    problems.push(`'${key}' lists ${JSON.stringify(dupes[0])} more than once`);
  }
  return problems;
}

function checkName(key: string, value: unknown, pattern: RegExp, allowed: string): string[] {
  return typeof value === "string" && pattern.test(value)
    ? []
    : [`'${key}' must be ${allowed}; got ${JSON.stringify(value)}`];
}

/**
 * Validates every field of a GuardrailContext before it reaches a policy: a malformed value would
 * widen a Deny silently (an empty region list, a `*` in a model id), so it is refused here.
 */
export function validateGuardrailContext(ctx: GuardrailContext): void {
  const problems = [
    ...checkList("allowedRegions", ctx.allowedRegions, REGION, "region codes such as eu-central-1"),
    ...checkList(
      "allowedInstanceTypes",
      ctx.allowedInstanceTypes,
      INSTANCE_TYPE,
      "instance types such as t3.micro or t4g.*",
    ),
    ...checkList(
      "allowedBedrockModels",
      ctx.allowedBedrockModels,
      BEDROCK_MODEL_ID,
      "Bedrock model ids without wildcards, such as anthropic.claude-3-haiku-20240307-v1:0",
    ),
  ];
  const iamNames: (keyof GuardrailNames)[] = [
    "breakGlassRoleName",
    "deployRoleName",
    "agentRoleName",
    "agentBoundaryName",
    "budgetActionRoleName",
  ];
  for (const key of iamNames) {
    problems.push(...checkName(key, ctx[key], IAM_NAME, "an IAM name of 1-64 [A-Za-z0-9+=,.@_-]"));
  }
  problems.push(
    ...checkName("trailName", ctx.trailName, TRAIL_NAME, "a CloudTrail trail name (3-128 chars)"),
    ...checkName(
      "trailBucketPrefix",
      ctx.trailBucketPrefix,
      BUCKET_PREFIX,
      "a lower-case S3 bucket name prefix of at most 50 chars",
    ),
    ...checkName("trailKeyAlias", ctx.trailKeyAlias, KMS_ALIAS, "a KMS alias starting with alias/"),
    ...checkName("alertTopicName", ctx.alertTopicName, TOPIC_NAME, "an SNS topic name"),
  );
  if (problems.length > 0) {
    throw new Error(`Invalid guardrail config: ${problems.join("; ")}`);
  }
}
