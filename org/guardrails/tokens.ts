/**
 * The `{{token}}` values the SCP and RCP files reference, and their substitution into a parsed
 * document.
 */
import { GuardrailContext } from "../../lib/names";
import { PolicyValue } from "./document";

/**
 * Resource ARNs that `{{allowedBedrockModels}}` expands to. `bedrock:ModelId` (used by some
 * published examples) is not a condition key AWS evaluates, so the allowlist is a Deny with
 * NotResource. A model is reached either directly (`foundation-model/<id>`, no account) or through
 * a system cross-region inference profile `<geo>.<id>` (`us.`, `eu.`, `apac.`, `global.`); for a
 * profile AWS authorizes the profile and the foundation model in each destination region, so both
 * forms are listed. The Converse APIs have no IAM actions of their own: they are authorized as
 * InvokeModel / InvokeModelWithResponseStream.
 */
export function bedrockModelResourceArns(modelIds: readonly string[]): string[] {
  return modelIds.flatMap((id) => [
    `arn:aws:bedrock:*::foundation-model/${id}`,
    `arn:aws:bedrock:*:*:inference-profile/*.${id}`,
  ]);
}

/**
 * Inference-profile ARN patterns in the allowed regions. A cross-region inference profile invoked in
 * an allowed (source) region routes the request to destination regions that may lie outside the
 * allowlist; AWS authorizes that routed call with `aws:RequestedRegion` set to the destination and
 * `bedrock:InferenceProfileArn` set to the source-region profile, so region-lock exempts exactly the
 * calls whose profile lives in an allowed region.
 */
export function inferenceProfileArnsInRegions(regions: readonly string[]): string[] {
  return regions.map((region) => `arn:aws:bedrock:${region}:*:inference-profile/*`);
}

/**
 * The value of each `{{token}}`: one per GuardrailContext field, with the same name, plus the
 * derived `allowedRegionInferenceProfiles` (see inferenceProfileArnsInRegions).
 */
export function guardrailTokens(ctx: GuardrailContext): Record<string, PolicyValue> {
  return {
    allowedRegions: [...ctx.allowedRegions],
    allowedRegionInferenceProfiles: inferenceProfileArnsInRegions(ctx.allowedRegions),
    allowedInstanceTypes: [...ctx.allowedInstanceTypes],
    allowedBedrockModels: bedrockModelResourceArns(ctx.allowedBedrockModels),
    breakGlassRoleName: ctx.breakGlassRoleName,
    deployRoleName: ctx.deployRoleName,
    agentRoleName: ctx.agentRoleName,
    agentBoundaryName: ctx.agentBoundaryName,
    budgetActionRoleName: ctx.budgetActionRoleName,
    trailName: ctx.trailName,
    trailBucketPrefix: ctx.trailBucketPrefix,
    trailKeyAlias: ctx.trailKeyAlias,
    alertTopicName: ctx.alertTopicName,
  };
}

const WHOLE_TOKEN = /^\{\{([^{}]*)\}\}$/;
const ANY_TOKEN = /\{\{([^{}]*)\}\}/g;

function lookupToken(
  tokens: Record<string, PolicyValue>,
  name: string,
  file: string,
  where: string,
): PolicyValue {
  if (!Object.prototype.hasOwnProperty.call(tokens, name)) {
    throw new Error(
      `${file}: unknown token "{{${name}}}" at ${where}; ` +
        `known tokens: ${Object.keys(tokens).join(", ")}`,
    );
  }
  return tokens[name];
}

function substituteString(
  text: string,
  tokens: Record<string, PolicyValue>,
  file: string,
  where: string,
): PolicyValue {
  const whole = WHOLE_TOKEN.exec(text);
  if (whole) {
    const value = lookupToken(tokens, whole[1], file, where);
    return Array.isArray(value) ? [...value] : value;
  }
  return text.replace(ANY_TOKEN, (_match, name: string) => {
    const value = lookupToken(tokens, name, file, where);
    if (typeof value !== "string") {
      throw new Error(
        `${file}: token "{{${name}}}" holds a list and cannot be embedded in the longer string ` +
          `${JSON.stringify(text)} at ${where}; write it as the whole string "{{${name}}}"`,
      );
    }
    return value;
  });
}

/**
 * A parsed SCP file with every `{{token}}` in its string values replaced; `where` is the JSON path
 * of `value`, for error messages naming the file and the place.
 */
export function substitute(
  value: unknown,
  tokens: Record<string, PolicyValue>,
  file: string,
  where: string,
): unknown {
  if (typeof value === "string") {
    return substituteString(value, tokens, file, where);
  }
  if (Array.isArray(value)) {
    // A list token inside a list is spliced in, so `["{{allowedRegions}}", "x"]` stays flat.
    return value.flatMap((item, i) => {
      const out = substitute(item, tokens, file, `${where}[${i}]`);
      return Array.isArray(out) && typeof item === "string" ? out : [out];
    });
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      out[key] = substitute(child, tokens, file, where ? `${where}.${key}` : key);
    }
    return out;
  }
  return value;
}

/** An organization id as Organizations issues it: `o-` and 10 to 32 lower-case letters or digits. */
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

/**
 * The longest organization id Organizations issues, for checking an RCP's size before the real id
 * is known (the Organization resource's output): the size check then holds for any real id.
 */
export const LONGEST_ORGANIZATION_ID = `o-${"x".repeat(32)}`;

/**
 * The `{{organizationId}}` token of the RCPs. The id comes from the Organization resource (or the
 * live organization for drift); a malformed one would make `aws:PrincipalOrgID` match nobody and
 * lock every principal out, so it is refused here.
 */
export function organizationTokens(organizationId: string): Record<string, PolicyValue> {
  if (!ORGANIZATION_ID.test(organizationId)) {
    throw new Error(
      `organizationId must be an organization id such as o-a1b2c3d4e5 ` +
        `(o- and 10-32 lower-case letters or digits); got ${JSON.stringify(organizationId)}`,
    );
  }
  return { organizationId };
}
