import { OrgConfig } from "./config/org";
import { GuardrailContext, GUARDRAIL_NAME_DEFAULTS } from "../org/guardrails";

/**
 * Names of the platform's guardrail resources, derived from the org prefix. The SCPs protect these
 * exact names, so the resources and the policies read them from this one place.
 */
export function guardrailContext(config: OrgConfig): GuardrailContext {
  const prefix = config["platform:organization"].prefix;
  const g = config["platform:guardrails"];
  const rename = (name: string) => name.replace(/^platform/, prefix);
  return {
    allowedRegions: config["platform:organization"].allowedRegions,
    allowedInstanceTypes: g.allowedInstanceTypes,
    allowedBedrockModels: g.allowedBedrockModels,
    breakGlassRoleName: rename(GUARDRAIL_NAME_DEFAULTS.breakGlassRoleName),
    deployRoleName: rename(GUARDRAIL_NAME_DEFAULTS.deployRoleName),
    agentRoleName: rename(GUARDRAIL_NAME_DEFAULTS.agentRoleName),
    agentBoundaryName: rename(GUARDRAIL_NAME_DEFAULTS.agentBoundaryName),
    budgetActionRoleName: rename(GUARDRAIL_NAME_DEFAULTS.budgetActionRoleName),
    trailName: rename(GUARDRAIL_NAME_DEFAULTS.trailName),
    trailBucketPrefix: rename(GUARDRAIL_NAME_DEFAULTS.trailBucketPrefix),
    trailKeyAlias: GUARDRAIL_NAME_DEFAULTS.trailKeyAlias.replace(
      "alias/platform",
      `alias/${prefix}`,
    ),
    alertTopicName: rename(GUARDRAIL_NAME_DEFAULTS.alertTopicName),
  };
}
