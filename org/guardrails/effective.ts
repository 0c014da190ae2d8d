/**
 * Which SCPs reach an account: the chain of root, OUs and account, each with its attachments.
 */
import { FREEZE_POLICY_NAME } from "./catalogue";

/** The SCPs directly attached at one level of an account's chain. */
export interface ScpLevel {
  readonly target: string;
  readonly policies: readonly string[];
}

const PATH_SEGMENT = /^[a-z0-9][a-z0-9-]*$/;

/**
 * The chain of levels whose SCPs all apply to an account, root first: root, each OU from the top
 * (`workloads`, then `workloads/prod`), then the account, with `freeze` on the account when frozen.
 * FullAWSAccess is implied at every level and not listed.
 */
export function effectiveScpLevels(
  accountKey: string,
  ouPathOfAccount: string,
  attachments: Readonly<Record<string, readonly string[]>>,
  frozen: boolean,
): ScpLevel[] {
  if (!PATH_SEGMENT.test(accountKey)) {
    throw new Error(
      `accountKey must be a kebab-case account key; got ${JSON.stringify(accountKey)}`,
    );
  }
  const segments = ouPathOfAccount.split("/");
  if (ouPathOfAccount !== "" && !segments.every((s) => PATH_SEGMENT.test(s))) {
    throw new Error(
      `ouPathOfAccount must be an OU path such as "workloads/prod" (or "" for the root); ` +
        `got ${JSON.stringify(ouPathOfAccount)}`,
    );
  }
  const targets = [
    "root",
    ...(ouPathOfAccount === ""
      ? []
      : segments.map((_s, i) => `ou:${segments.slice(0, i + 1).join("/")}`)),
    `account:${accountKey}`,
  ];
  const entries = Object.entries(attachments);
  return targets.map((target) => {
    const policies = entries.filter(([, ts]) => ts.includes(target)).map(([name]) => name);
    if (frozen && target === `account:${accountKey}`) {
      policies.push(FREEZE_POLICY_NAME);
    }
    return { target, policies };
  });
}

/** Every SCP (besides FullAWSAccess) that applies to an account, in chain order. */
export function effectiveScps(
  accountKey: string,
  ouPathOfAccount: string,
  attachments: Readonly<Record<string, readonly string[]>>,
  frozen: boolean,
): string[] {
  return effectiveScpLevels(accountKey, ouPathOfAccount, attachments, frozen).flatMap((l) => [
    ...l.policies,
  ]);
}

/**
 * The chain of levels whose RCPs apply to an account's resources, root first, as for SCPs but never
 * with freeze. RCPFullAWSAccess is implied at every level and not listed. RCPs do not apply to the
 * management account's resources (Organizations User Guide, "Resource control policies").
 */
export function effectiveRcpLevels(
  accountKey: string,
  ouPathOfAccount: string,
  attachments: Readonly<Record<string, readonly string[]>>,
): ScpLevel[] {
  return effectiveScpLevels(accountKey, ouPathOfAccount, attachments, false);
}
