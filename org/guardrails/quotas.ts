/**
 * The AWS Organizations quotas: the size of each SCP and RCP and the number of policies of each
 * kind on each target, checked before anything is deployed.
 */
import { FREEZE_POLICY_NAME } from "./catalogue";
import { ScpDocument } from "./document";
import { PolicyKind, RCP_KIND, SCP_KIND } from "./kinds";

export interface ScpLimits {
  /** Largest minified SCP document, in characters. AWS default 5,120 (10,240 since 2026). */
  readonly maxPolicyChars: number;
  /** Most SCPs attached directly to one root, OU or account, FullAWSAccess included. Default 5. */
  readonly maxPoliciesPerTarget: number;
}

/** Conservative defaults: the pre-2026 quotas, which every organization still honours. */
export const DEFAULT_SCP_LIMITS: ScpLimits = SCP_KIND.defaultLimits;

/** The raised 2026 quotas: configured limits above these would only fail at deploy time. */
export const AWS_SCP_QUOTA_CEILING: ScpLimits = SCP_KIND.quotaCeiling;

function checkLimits(kind: PolicyKind, limits: ScpLimits): void {
  for (const key of ["maxPolicyChars", "maxPoliciesPerTarget"] as const) {
    const value = limits[key];
    const ceiling = kind.quotaCeiling[key];
    if (!Number.isInteger(value) || value < 1 || value > ceiling) {
      throw new Error(
        `${kind.label} limit '${key}' must be an integer from 1 to ${ceiling} (the AWS quota); got ${value}`,
      );
    }
  }
}

/**
 * Checks the SCPs and their attachments against the Organizations quotas before anything is
 * deployed: the minified size of every policy, and the number of policies directly attached to each
 * target, counting FullAWSAccess and, for `freezeTargets`, the slot the budget action needs for
 * `freeze`. Also refuses attachments to unknown policies or targets, and a static `freeze`.
 */
export function checkScpLimits(
  policies: readonly ScpDocument[],
  attachments: Readonly<Record<string, readonly string[]>>,
  limits: ScpLimits,
  freezeTargets: readonly string[],
  knownTargets: readonly string[],
): void {
  checkPolicyLimits(SCP_KIND, policies, attachments, limits, freezeTargets, knownTargets);
}

/**
 * The same checks for the RCPs, at the RCP quotas: 5,120 characters per policy and five per target,
 * RCPFullAWSAccess counted. RCPs have no freeze slot.
 */
export function checkRcpLimits(
  policies: readonly ScpDocument[],
  attachments: Readonly<Record<string, readonly string[]>>,
  knownTargets: readonly string[],
  limits: ScpLimits = RCP_KIND.defaultLimits,
): void {
  checkPolicyLimits(RCP_KIND, policies, attachments, limits, [], knownTargets);
}

/** The quota checks of one policy kind (see checkScpLimits). */
export function checkPolicyLimits(
  kind: PolicyKind,
  policies: readonly ScpDocument[],
  attachments: Readonly<Record<string, readonly string[]>>,
  limits: ScpLimits,
  freezeTargets: readonly string[],
  knownTargets: readonly string[],
): void {
  checkLimits(kind, limits);
  const label = kind.label;
  const managed = kind.managedPolicyName;
  for (const p of policies) {
    if (p.minified.length > limits.maxPolicyChars) {
      throw new Error(
        `${label} "${p.name}" (${p.file}) is ${p.minified.length} characters minified; ` +
          `the limit maxPolicyChars is ${limits.maxPolicyChars}`,
      );
    }
  }
  const policyNames = new Set(policies.map((p) => p.name));
  const known = new Set(knownTargets);
  const byTarget = new Map<string, string[]>();
  for (const [policy, targets] of Object.entries(attachments)) {
    if (kind === SCP_KIND && policy === FREEZE_POLICY_NAME) {
      throw new Error(
        `SCP "${FREEZE_POLICY_NAME}" must not be attached statically ` +
          `(targets ${JSON.stringify(targets)}); the budget action attaches it, ` +
          `list the accounts in freezeTargets instead`,
      );
    }
    if (!policyNames.has(policy)) {
      const hint =
        policy === managed
          ? `; ${managed} is attached by AWS and always counted, do not list it`
          : "";
      throw new Error(
        `${label} attachments name unknown policy "${policy}"; ` +
          `loaded policies: ${[...policyNames].join(", ")}${hint}`,
      );
    }
    targets.forEach((target) => {
      if (!known.has(target)) {
        throw new Error(
          `${label} "${policy}" is attached to unknown target "${target}"; ` +
            `known targets: ${knownTargets.join(", ")}`,
        );
      }
      const list = byTarget.get(target) ?? [];
      if (list.includes(policy)) {
        throw new Error(`${label} "${policy}" is attached to target "${target}" more than once`);
      }
      byTarget.set(target, [...list, policy]);
    });
  }
  if (freezeTargets.length > 0 && !policyNames.has(FREEZE_POLICY_NAME)) {
    throw new Error(
      `freezeTargets ${JSON.stringify(freezeTargets)} need the "${FREEZE_POLICY_NAME}" SCP, ` +
        `which was not loaded`,
    );
  }
  for (const target of freezeTargets) {
    if (!known.has(target)) {
      throw new Error(
        `freeze target "${target}" is unknown; known targets: ${knownTargets.join(", ")}`,
      );
    }
  }
  for (const target of knownTargets) {
    const attached = byTarget.get(target) ?? [];
    const counted = [managed, ...attached];
    if (freezeTargets.includes(target)) {
      counted.push(`${FREEZE_POLICY_NAME} (slot reserved for the budget action)`);
    }
    if (counted.length > limits.maxPoliciesPerTarget) {
      throw new Error(
        `${label} target "${target}" would carry ${counted.length} policies: ${counted.join(", ")}; ` +
          `the limit maxPoliciesPerTarget is ${limits.maxPoliciesPerTarget} ` +
          `(${managed} counts` +
          (kind === SCP_KIND ? `, and freeze-enabled targets keep a slot free for freeze)` : ")"),
      );
    }
  }
}

/**
 * IAM's quota for one customer managed policy: 6,144 characters, white space not counted (IAM and
 * AWS STS quotas, "IAM object quotas"). Checked before deploy, so an oversized permissions
 * boundary fails the plan instead of CreatePolicy.
 */
export const MAX_MANAGED_POLICY_CHARS = 6144;

/** Characters of a policy as IAM counts them: every character but white space. */
export function managedPolicyChars(json: string): number {
  return json.replace(/\s/g, "").length;
}

/** Refuses a customer managed policy larger than IAM's 6,144-character quota, naming it. */
export function checkManagedPolicySize(name: string, json: string): void {
  const chars = managedPolicyChars(json);
  if (chars > MAX_MANAGED_POLICY_CHARS)
    throw new Error(
      `managed policy ${name}: got ${chars} characters (white space not counted); expected at most ${MAX_MANAGED_POLICY_CHARS}, IAM's quota for a managed policy`,
    );
}
