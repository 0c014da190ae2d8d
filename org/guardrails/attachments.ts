/**
 * Where SCPs are attached: the default attachments and the organization layout whose root, OUs and
 * accounts are the targets.
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

/** OUs (by path) and accounts (by key, with the path of their OU). */
export interface OrgLayout {
  readonly ouPaths: readonly string[];
  readonly accounts: Readonly<Record<string, string>>;
}

/** The fixed organization model the org program builds. */
export const DEFAULT_ORG_LAYOUT: OrgLayout = {
  ouPaths: ["security", "workloads", "workloads/prod", "workloads/nonprod", "sandbox"],
  accounts: {
    "log-archive": "security",
    dev: "workloads/nonprod",
    stage: "workloads/nonprod",
    prod: "workloads/prod",
    sandbox: "sandbox",
  },
};

/** Every attachment target of a layout: `root`, then `ou:<path>` and `account:<key>` for each. */
export function scpTargetsForLayout(layout: OrgLayout): string[] {
  return [
    "root",
    ...layout.ouPaths.map((p) => `ou:${p}`),
    ...Object.keys(layout.accounts).map((k) => `account:${k}`),
  ];
}
