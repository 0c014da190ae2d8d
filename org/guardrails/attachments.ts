/**
 * Where SCPs and RCPs are attached: the default attachments and the organization layout whose root,
 * OUs and accounts are the targets.
 */

export { DEFAULT_SCP_ATTACHMENTS } from "../../lib/config/scp-attachments";

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

/**
 * Where each RCP file is attached by default. `data-perimeter` sits on the root so every member
 * account's resources are inside the perimeter; `protect-trail-logs` on the security OU, which
 * holds the log archive. With RCPFullAWSAccess the root carries two RCPs and the security OU two
 * (quota 5 each).
 */
export const DEFAULT_RCP_ATTACHMENTS: Readonly<Record<string, readonly string[]>> = {
  "data-perimeter": ["root"],
  "protect-trail-logs": ["ou:security"],
};
