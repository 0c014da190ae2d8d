/**
 * What the org program attaches, checked before any resource exists: the SCP and RCP files loaded
 * and measured against the Organizations quotas. Pure (no Pulumi import), so the ops tool works out
 * the expected state from the same functions without loading the Pulumi SDKs.
 */
import * as path from "path";
import { OrgConfig, OU_PATHS } from "../lib/config/org";
import { REPO_ROOT } from "../lib/repo";
import { GuardrailContext } from "../lib/names";
import {
  checkRcpLimits,
  checkScpLimits,
  DEFAULT_RCP_ATTACHMENTS,
  DEFAULT_SCP_ATTACHMENTS,
  loadRcps,
  loadScps,
  LONGEST_ORGANIZATION_ID,
  RCP_KIND,
  ScpDocument,
  SCP_KIND,
} from "./guardrails";

export const SCP_DIR = path.join(REPO_ROOT, "policies", SCP_KIND.folder);
export const RCP_DIR = path.join(REPO_ROOT, "policies", RCP_KIND.folder);

export interface ScpPlan {
  readonly policies: ScpDocument[];
  readonly attachments: Readonly<Record<string, readonly string[]>>;
  /** `account:<key>` of every account the budget action may freeze. */
  readonly freezeTargets: string[];
}

/**
 * Loads the SCP files and checks them against the quotas before any resource exists: a policy too
 * large or a target with too many policies is an error naming it, never a failed deploy halfway.
 */
export function planScps(config: OrgConfig, ctx: GuardrailContext, dir = SCP_DIR): ScpPlan {
  const policies = loadScps(dir, ctx);
  const attachments = config["platform:guardrails"].attachments ?? DEFAULT_SCP_ATTACHMENTS;
  const freezeTargets = Object.entries(config["platform:budgets"].accounts)
    .filter(([, b]) => b.freezeAtPercent !== undefined)
    .map(([k]) => `account:${k}`);
  const targets = targetsOf(config);
  const g = config["platform:guardrails"];
  checkScpLimits(
    policies,
    attachments,
    { maxPolicyChars: g.maxPolicyChars, maxPoliciesPerTarget: g.maxPoliciesPerTarget },
    freezeTargets,
    targets,
  );
  return { policies, attachments, freezeTargets };
}

export interface RcpPlan {
  /** The RCPs with the longest possible organization id: what the quota check measured. */
  readonly policies: ScpDocument[];
  readonly attachments: Readonly<Record<string, readonly string[]>>;
  /** The RCPs with `{{organizationId}}` bound to the real id, as sent to AWS. */
  readonly render: (organizationId: string) => ScpDocument[];
}

function targetsOf(config: OrgConfig): string[] {
  return [
    "root",
    ...OU_PATHS.map((p) => `ou:${p}`),
    ...Object.keys(config["platform:accounts"]).map((k) => `account:${k}`),
  ];
}

/**
 * Loads the RCP files and checks them against the RCP quotas before any resource exists. The
 * organization id is an output of the Organization resource, so the size is checked with the
 * longest id Organizations issues; the content sent to AWS binds the real one.
 */
export function planRcps(config: OrgConfig, ctx: GuardrailContext, dir = RCP_DIR): RcpPlan {
  const policies = loadRcps(dir, ctx, LONGEST_ORGANIZATION_ID);
  const attachments = config["platform:guardrails"].rcpAttachments ?? DEFAULT_RCP_ATTACHMENTS;
  checkRcpLimits(policies, attachments, targetsOf(config));
  return { policies, attachments, render: (id) => loadRcps(dir, ctx, id) };
}
