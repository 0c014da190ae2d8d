/**
 * Where the org program attaches each SCP file by default. It lives in the library because the
 * environment config checks instance types against the SCP that reaches each account.
 */

/**
 * Where each SCP is attached: `root`, `ou:<path>` or `account:<key>`. `freeze` is absent on
 * purpose: the budget action attaches it. `lambda-url-iam-auth` sits on `ou:workloads` and
 * `ou:sandbox` rather than the root because the root already carries FullAWSAccess plus four
 * policies (quota 5).
 */
export const DEFAULT_SCP_ATTACHMENTS: Readonly<Record<string, readonly string[]>> = {
  "deny-leave-organization": ["root"],
  "region-lock": ["root"],
  "deny-root-user": ["root"],
  "protect-guardrails": ["root"],
  "lambda-url-iam-auth": ["ou:workloads", "ou:sandbox"],
  "deny-expensive-services": ["ou:workloads/nonprod", "ou:sandbox"],
  "ec2-instance-type-allowlist": ["ou:workloads/nonprod", "ou:sandbox"],
  "bedrock-model-allowlist": ["ou:workloads/nonprod", "ou:sandbox"],
  "deny-agent-role": ["account:stage", "ou:workloads/prod"],
};
