/**
 * The catalogue of SCPs: the one-sentence intent of each file in `policies/scp/`, and the names of
 * the policies the loader and the quota check treat specially.
 */

/** Name of the SCP that the budget action attaches; never attached statically. */
export const FREEZE_POLICY_NAME = "freeze";

/** The AWS-managed allow-all SCP on every root, OU and account; it counts towards the quota. */
export const FULL_AWS_ACCESS_POLICY_NAME = "FullAWSAccess";

/**
 * The AWS-managed allow-all RCP Organizations attaches to every root, OU and account once the
 * RESOURCE_CONTROL_POLICY type is enabled; it cannot be detached and counts towards the quota.
 */
export const RCP_FULL_AWS_ACCESS_POLICY_NAME = "RCPFullAWSAccess";

/**
 * One-sentence intent of each SCP file, keyed by file name without `.json`. The loader refuses a
 * file without an intent (and an intent without a file), so the auditors' README can be generated
 * from here.
 */
export const SCP_INTENTS: Readonly<Record<string, string>> = {
  "deny-leave-organization":
    "Keeps every member account inside the organization, so it cannot shed its guardrails, trail and budgets by leaving.",
  "region-lock":
    "Denies regional services outside the allowed regions (KMS, ACM, Config, Identity Center and WAF included; only truly global services such as IAM, Organizations, STS, Route 53, CloudFront, billing and support, the break-glass role, OrganizationAccountAccessRole and Bedrock calls routed by an inference profile invoked in an allowed region exempt), so nothing is created or runs in a forgotten region.",
  "deny-root-user":
    "Denies every action to the root user of member accounts, so people work through roles whose use is logged and scoped.",
  "protect-guardrails":
    "Stops anyone but the break-glass role and OrganizationAccountAccessRole from changing the organization trail's bucket, log objects and KMS key in the log archive account, the platform roles (the agent role included) and the agent permissions boundary, and from creating a role under a platform role's name where it does not exist yet (which would carry its exemptions). The trail itself, the budget alert topic and the budget-action role live in the management account, where no SCP applies.",
  "deny-expensive-services":
    "Denies services and purchases that can outrun a non-production budget in hours: ML training and hosting, analytics and streaming clusters, cache and database clusters, non-burstable database instances, EKS control planes and long-term commitments.",
  "ec2-instance-type-allowlist":
    "Limits EC2 launches, resizes and Auto Scaling instance-type overrides in non-production accounts to the allowed instance types.",
  "bedrock-model-allowlist":
    "Limits Bedrock model invocation in non-production accounts to the approved foundation models and their cross-region inference profiles.",
  "lambda-url-iam-auth":
    "Requires IAM (SigV4) authentication on every Lambda function URL and forbids granting public invocation through a URL.",
  "deny-agent-role":
    "Denies everything to the automation / AI agent role wherever it is attached, so the agent can only act in the dev account.",
  freeze:
    "Attached by the budget action when an account overspends: denies everything except the break-glass role and OrganizationAccountAccessRole, so people can investigate and lift it.",
};

/**
 * One-sentence intent of each RCP file in `policies/rcp/`, keyed by file name without `.json`; the
 * loader holds them to the same rule as SCP_INTENTS.
 */
export const RCP_INTENTS: Readonly<Record<string, string>> = {
  "data-perimeter":
    "Denies every principal outside the organization the use of member-account S3 buckets, KMS keys, Secrets Manager secrets, SQS queues and roles (sts:AssumeRole), whatever a bucket, key, secret, queue or trust policy grants, and denies AWS services acting on them for an account outside the organization; AWS services acting for the organization stay allowed.",
  "protect-trail-logs":
    "Denies every principal, break-glass and OrganizationAccountAccessRole included, deleting organization trail log objects or their versions and bypassing their Object Lock governance retention, in the security OU; lifecycle expiry after retention, which S3 performs itself, stays possible.",
};
