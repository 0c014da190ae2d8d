/**
 * Names the platform gives its guardrail resources, SCPs and budgets. The org program creates them
 * under these names, the SCPs protect them by name, the policy pack and the ops tool look them up:
 * all read them from here, so none can drift from the others.
 */
import { OrgConfig } from "./config/org";

/** Config values that the SCP files reference as `{{token}}`. Field names are the token names. */
export interface GuardrailContext {
  /** Regions where regional services may be used, e.g. `["eu-central-1"]`. Non-empty. */
  readonly allowedRegions: readonly string[];
  /** EC2 instance types allowed in non-production accounts; `t4g.*` style wildcards allowed. */
  readonly allowedInstanceTypes: readonly string[];
  /** Bedrock foundation-model ids allowed in non-production accounts (no wildcards). */
  readonly allowedBedrockModels: readonly string[];
  /** Break-glass role: exempt from region lock, guardrail protection and freeze. */
  readonly breakGlassRoleName: string;
  /** Role that environment stacks assume to deploy. */
  readonly deployRoleName: string;
  /** Automation / AI agent role, allowed in dev only. */
  readonly agentRoleName: string;
  /** Managed policy used as the agent role's permissions boundary. */
  readonly agentBoundaryName: string;
  /** Role AWS Budgets uses to attach the freeze SCP. */
  readonly budgetActionRoleName: string;
  /** Name of the organization CloudTrail trail. */
  readonly trailName: string;
  /** Prefix of the trail bucket name (the bucket is `<prefix><accountid>`). */
  readonly trailBucketPrefix: string;
  /** Alias of the KMS key that encrypts the trail, including the `alias/` prefix. */
  readonly trailKeyAlias: string;
  /** SNS topic that receives budget alerts. */
  readonly alertTopicName: string;
}

/** The names in a GuardrailContext: every field but the three config lists. */
export type GuardrailNames = Omit<
  GuardrailContext,
  "allowedRegions" | "allowedInstanceTypes" | "allowedBedrockModels"
>;

/** Default names of the roles and guardrail resources; config may override each one. */
export const GUARDRAIL_NAME_DEFAULTS: GuardrailNames = {
  breakGlassRoleName: "platform-break-glass",
  deployRoleName: "platform-deploy",
  agentRoleName: "platform-automation-agent",
  agentBoundaryName: "platform-agent-boundary",
  budgetActionRoleName: "platform-budget-action",
  trailName: "platform-org-trail",
  trailBucketPrefix: "platform-org-trail-",
  trailKeyAlias: "alias/platform-org-trail",
  alertTopicName: "platform-budget-alerts",
};

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

/** Name of an SCP in AWS Organizations: `<prefix>-<file name>`, e.g. `platform-region-lock`. */
export function scpPolicyName(prefix: string, policy: string): string {
  return `${prefix}-${policy}`;
}

/** Name of the monthly budget of an account key, or of `organization`: `<prefix>-<scope>-monthly`. */
export function budgetName(prefix: string, scope: string): string {
  return `${prefix}-${scope}-monthly`;
}
