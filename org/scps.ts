import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { OrgConfig, OU_PATHS } from "../lib/config/org";
import { REPO_ROOT } from "../lib/repo";
import { GuardrailContext, scpPolicyName } from "../lib/names";
import {
  checkScpLimits,
  DEFAULT_SCP_ATTACHMENTS,
  FREEZE_POLICY_NAME,
  loadScps,
  ScpDocument,
} from "./guardrails";

export const SCP_DIR = path.join(REPO_ROOT, "policies", "scp");

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
  const targets = [
    "root",
    ...OU_PATHS.map((p) => `ou:${p}`),
    ...Object.keys(config["platform:accounts"]).map((k) => `account:${k}`),
  ];
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

export interface GuardrailsArgs {
  readonly plan: ScpPlan;
  readonly prefix: string;
  /** Resolves `root`, `ou:<path>` and `account:<key>` to the organization's ids. */
  readonly targetId: (target: string) => pulumi.Input<string>;
  /**
   * CreatePolicy fails before the organization exists, and the component's own `dependsOn` does not
   * reach its children (pulumi/pulumi#8721): each policy depends on the Organization itself.
   */
  readonly organization: pulumi.Resource;
}

/** One Organizations policy per SCP file, attached where the plan says; `freeze` is only created. */
export class Guardrails extends pulumi.ComponentResource {
  readonly policies: Record<string, aws.organizations.Policy> = {};

  constructor(name: string, args: GuardrailsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:org:Guardrails", name, {}, opts);
    for (const scp of args.plan.policies) {
      this.policies[scp.name] = new aws.organizations.Policy(
        `${name}-${scp.name}`,
        {
          name: scpPolicyName(args.prefix, scp.name),
          description: scp.description.slice(0, 512),
          type: "SERVICE_CONTROL_POLICY",
          content: scp.minified,
        },
        { parent: this, dependsOn: [args.organization] },
      );
    }
    for (const [policy, targets] of Object.entries(args.plan.attachments)) {
      if (policy === FREEZE_POLICY_NAME) continue;
      for (const target of targets) {
        new aws.organizations.PolicyAttachment(
          `${name}-${policy}-${target.replace(/[:/]/g, "-")}`,
          { policyId: this.policies[policy].id, targetId: args.targetId(target) },
          { parent: this.policies[policy] },
        );
      }
    }
    this.registerOutputs({});
  }
}
