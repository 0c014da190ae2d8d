/**
 * What the org stack says should exist: its validated config and its SCP and RCP plans, computed by
 * the same functions `pulumi up` runs (validateOrgConfig, guardrailContext, planScps, planRcps), so the tool and the
 * stack can never disagree about a policy's content or where it is attached.
 */
import { OrgConfig, validateOrgConfig } from "../../lib/config/org";
import { ORG_STACK_FILE, readStackFile } from "../../lib/repo";
import { FREEZE_POLICY_NAME } from "../guardrails";
import { budgetName, GuardrailContext, guardrailContext, scpPolicyName } from "../../lib/names";
import { planRcps, planScps, RcpPlan, RCP_DIR, ScpPlan, SCP_DIR } from "../guardrail-plans";
import { OpsError } from "./aws";

export interface ExpectedState {
  readonly config: OrgConfig;
  /** `platform:organization.prefix`: every live policy and budget name starts with it. */
  readonly prefix: string;
  /** Names of the guardrail resources (roles, topic), as the org stack derives them. */
  readonly ctx: GuardrailContext;
  readonly plan: ScpPlan;
  /** The RCP plan: `render(organizationId)` gives the documents the stack sends for that id. */
  readonly rcps: RcpPlan;
  /** The stack file the config came from, for messages. */
  readonly stackFile: string;
}

export function freezePolicyName(expected: ExpectedState): string {
  return scpPolicyName(expected.prefix, FREEZE_POLICY_NAME);
}

/** The budget the org stack creates for an account key, or `organization` (lib/names budgetName). */
export function accountBudgetName(expected: ExpectedState, accountKey: string): string {
  return budgetName(expected.prefix, accountKey);
}

/**
 * Reads and validates the org stack file and plans the SCPs exactly as the org program does.
 * Any problem (invalid YAML, a config error, an SCP file that does not load) becomes an OpsError
 * that keeps the original message, which already names the key or file.
 */
export function loadExpectedState(
  stackFile = ORG_STACK_FILE,
  scpDir = SCP_DIR,
  rcpDir = RCP_DIR,
): ExpectedState {
  try {
    const config = validateOrgConfig(readStackFile(stackFile), "org/management");
    const ctx = guardrailContext(config);
    const plan = planScps(config, ctx, scpDir);
    const rcps = planRcps(config, ctx, rcpDir);
    return { config, prefix: config["platform:organization"].prefix, ctx, plan, rcps, stackFile };
  } catch (err) {
    throw new OpsError(
      `Cannot work out the expected state from ${stackFile}, ${scpDir} and ${rcpDir}:\n${(err as Error).message}`,
    );
  }
}
