/**
 * The two kinds of authorization policy the organization carries, described once so that loading,
 * validation, quotas, attachment and drift treat them alike:
 *
 * - service control policies (SCPs, `policies/scp/`): the most an organization's principals may do;
 * - resource control policies (RCPs, `policies/rcp/`): the most anyone, inside or outside the
 *   organization, may do with the member accounts' resources (AWS Organizations User Guide,
 *   "Resource control policies (RCPs)" and "RCP syntax").
 */
import { FULL_AWS_ACCESS_POLICY_NAME, RCP_FULL_AWS_ACCESS_POLICY_NAME } from "./catalogue";

export interface PolicyKindLimits {
  /** Largest minified document, in characters. */
  readonly maxPolicyChars: number;
  /** Most policies attached directly to one root, OU or account, the AWS-managed one included. */
  readonly maxPoliciesPerTarget: number;
}

export interface PolicyKind {
  /** Short name in messages: `SCP` or `RCP`. */
  readonly label: "SCP" | "RCP";
  /** Folder under `policies/` holding the files. */
  readonly folder: "scp" | "rcp";
  /** The Organizations policy type, also the root policy type that must be enabled. */
  readonly policyType: "SERVICE_CONTROL_POLICY" | "RESOURCE_CONTROL_POLICY";
  /** The AWS-managed allow-all policy on every root, OU and account; it counts towards the quota. */
  readonly managedPolicyName: string;
  /** Name of the intents table in catalogue.ts, for messages. */
  readonly intentsName: string;
  /** Defaults of the quotas when config does not raise them. */
  readonly defaultLimits: PolicyKindLimits;
  /** The AWS quotas: configured limits above these would only fail at deploy time. */
  readonly quotaCeiling: PolicyKindLimits;
  /**
   * Whether a statement may `Allow`. SCPs may; in an RCP only the AWS-managed RCPFullAWSAccess
   * allows ("The effect of Allow is only supported for the RCPFullAWSAccess policy", RCP syntax).
   */
  readonly allowStatements: boolean;
  /**
   * The Principal element: SCPs have none (they apply to the account's principals); every RCP
   * statement names `"Principal": "*"` and narrows with conditions (RCP syntax: Principal supports
   * only `*`; NotPrincipal and NotAction are not supported).
   */
  readonly principal: "none" | "wildcard";
  /** Whether NotAction is allowed (SCPs yes, RCPs no). */
  readonly notAction: boolean;
  /**
   * Service prefixes an Action may name, or undefined for any. An RCP action of a service RCPs do
   * not cover would be accepted by Organizations and silently never apply, so it is refused.
   */
  readonly supportedServices?: readonly string[];
}

export const SCP_KIND: PolicyKind = {
  label: "SCP",
  folder: "scp",
  policyType: "SERVICE_CONTROL_POLICY",
  managedPolicyName: FULL_AWS_ACCESS_POLICY_NAME,
  intentsName: "SCP_INTENTS",
  // The pre-2026 quotas, which every organization still honours; 10,240 and 10 since 2026.
  defaultLimits: { maxPolicyChars: 5120, maxPoliciesPerTarget: 5 },
  quotaCeiling: { maxPolicyChars: 10240, maxPoliciesPerTarget: 10 },
  allowStatements: true,
  principal: "none",
  notAction: true,
};

/**
 * RCP quotas (Organizations "Quotas and service limits"): 5,120 characters per RCP and five RCPs
 * per root, OU or account, RCPFullAWSAccess included. Not raised with the 2026 SCP quotas, so the
 * ceiling is the default.
 */
export const RCP_KIND: PolicyKind = {
  label: "RCP",
  folder: "rcp",
  policyType: "RESOURCE_CONTROL_POLICY",
  managedPolicyName: RCP_FULL_AWS_ACCESS_POLICY_NAME,
  intentsName: "RCP_INTENTS",
  defaultLimits: { maxPolicyChars: 5120, maxPoliciesPerTarget: 5 },
  quotaCeiling: { maxPolicyChars: 5120, maxPoliciesPerTarget: 5 },
  allowStatements: false,
  principal: "wildcard",
  notAction: false,
  // The services RCPs launched with (Organizations "List of AWS services that support RCPs", and
  // Control Tower's RCP controls): the perimeter covers these. AWS has added others since; add a
  // prefix here when a file needs one, after checking the list.
  supportedServices: ["s3", "sts", "kms", "sqs", "secretsmanager"],
};
