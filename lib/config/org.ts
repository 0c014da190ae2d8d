import { z } from "zod";
import { ConfigError, parseOrThrow, describeIssues, topLevelUnknownKey } from "./errors";
import {
  accountId,
  accountKey,
  awsRegion,
  currency,
  email,
  instanceTypePattern,
  logRetentionDays,
  positiveAmount,
  slug,
} from "./primitives";
import { unknownKeys } from "./stack";
import { ENVIRONMENTS } from "../repo";
import { crossCheckIdentity, identitySchema } from "./identity";

/**
 * The org stack's configuration (org/Pulumi.management.yaml). It lives in the shared library because
 * environment stacks validate their own files against it (allowed regions, account keys) before they
 * create anything.
 */

export const OU_PATHS = [
  "security",
  "workloads",
  "workloads/prod",
  "workloads/nonprod",
  "sandbox",
] as const;
export type OuPath = (typeof OU_PATHS)[number];

const threshold = z.strictObject({
  /** Percent of the budget; 0 < percent <= 100. */
  percent: z
    .number()
    .gt(0, { message: "expected a percentage above 0" })
    .lte(100, { message: "expected a percentage of at most 100" }),
  /** `actual` spend or AWS's `forecasted` spend for the month. */
  type: z.enum(["actual", "forecasted"], { message: 'expected "actual" or "forecasted"' }),
});
export type Threshold = z.output<typeof threshold>;

const accountBudget = z.strictObject({
  amount: positiveAmount,
  /** Percent of actual spend at which the freeze SCP is attached automatically; absent: never frozen. */
  freezeAtPercent: z
    .number()
    .gt(0, { message: "expected a percentage above 0" })
    .lte(100, { message: "expected a percentage of at most 100" })
    .optional(),
});

const account = z.strictObject({
  /** The account's display name in the organization; renaming it never replaces the account. */
  name: z
    .string()
    .min(1)
    .max(50, { message: "expected at most 50 characters (AWS account name limit)" }),
  email,
  ou: z.enum(OU_PATHS, { message: `expected one of the OUs ${OU_PATHS.join(", ")}` }),
  /** The environment (dev, stage, prod) whose stacks deploy into this account, if any. */
  environment: z
    .enum(ENVIRONMENTS, { message: `expected one of ${ENVIRONMENTS.join(", ")}` })
    .optional(),
  /**
   * How the org stack holds OrganizationAccountAccessRole here: `import` takes the role over with
   * the trust Organizations gave it (any principal of the management account), `narrowed` trusts
   * only those who run the org stack. An import must match the role as it is, so a new account
   * starts at `import` and moves to `narrowed` on the next deploy (org/access-role.ts).
   */
  accessRole: z
    .enum(["import", "narrowed"], { message: "expected import or narrowed" })
    .default("import"),
});

export const DEFAULT_THRESHOLDS: Threshold[] = [
  { percent: 50, type: "actual" },
  { percent: 80, type: "actual" },
  { percent: 100, type: "actual" },
  { percent: 100, type: "forecasted" },
];

// ---- Adopting an existing organization (platform:adopt) ------------------------------------------
// Kept apart from the rest of the schema: absent means greenfield (the org program creates the
// organization, its OUs and accounts); present, the named ones are imported instead of created.

const organizationId = z.string().regex(/^o-[a-z0-9]{10,32}$/, {
  message: "expected an organization id such as o-a1b2c3d4e5 (Organizations console, top right)",
});
/** The id format of DescribeOrganizationalUnit / CreateOrganizationalUnit. */
const ouId = z.string().regex(/^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/, {
  message: "expected an OU id such as ou-ab12-cdefgh34",
});

export const adoptSchema = z.strictObject({
  /** The organization the management account already runs (e.g. the one Identity Center lives in). */
  organizationId,
  /** Existing OUs to adopt, by the platform's OU path (security, workloads, workloads/prod, ...). */
  ous: z.record(z.string(), ouId).default({}),
  /** Existing member accounts to adopt, by account key of platform:accounts. */
  accounts: z.record(z.string(), accountId).default({}),
});
export type AdoptConfig = z.output<typeof adoptSchema>;

/** Rules of platform:adopt that span other keys: OU paths, account keys, the management account. */
export function adoptProblems(c: OrgConfig): string[] {
  const adopt = c["platform:adopt"];
  if (!adopt) return [];
  const problems: string[] = [];
  const keys = Object.keys(c["platform:accounts"]);
  for (const [path, id] of Object.entries(adopt.ous)) {
    if (!(OU_PATHS as readonly string[]).includes(path)) {
      problems.push(
        `platform:adopt.ous.${path}: got an OU path "${path}"; expected one of ${OU_PATHS.join(", ")}`,
      );
      continue;
    }
    // parentId of an OU forces replacement (organizational_unit.go): an adopted OU can only sit
    // under the root or under another adopted OU, never under one this program would create.
    const parent = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : undefined;
    if (parent && !adopt.ous[parent]) {
      problems.push(
        `platform:adopt.ous.${path}: got ${JSON.stringify(id)} under an OU "${parent}" that would be created; expected platform:adopt.ous.${parent} as well (an OU cannot be moved without replacing it)`,
      );
    }
  }
  const seenOu = new Map<string, string>();
  for (const [path, id] of Object.entries(adopt.ous)) {
    if (seenOu.has(id))
      problems.push(
        `platform:adopt.ous.${path}: got "${id}"; expected an OU no other path adopts (also ${seenOu.get(id)})`,
      );
    seenOu.set(id, path);
  }
  const seen = new Map<string, string>();
  const management = c["platform:organization"].managementAccountId;
  for (const [key, id] of Object.entries(adopt.accounts)) {
    if (!keys.includes(key))
      problems.push(
        `platform:adopt.accounts.${key}: got an account key "${key}" that platform:accounts does not define; expected one of ${keys.join(", ")}`,
      );
    if (management && id === management)
      problems.push(
        `platform:adopt.accounts.${key}: got "${id}", the management account; expected a member account (the management account is not an Organizations account resource)`,
      );
    if (seen.has(id))
      problems.push(
        `platform:adopt.accounts.${key}: got "${id}"; expected an account no other key adopts (also ${seen.get(id)})`,
      );
    seen.set(id, key);
  }
  return problems;
}

// ---- CI from GitHub Actions (platform:github) -----------------------------------------------------
// Absent: no OIDC provider and no CI roles. Present: the org stack trusts GitHub's OIDC tokens of
// this one repository (pull requests: preview role) and branch (merges: deploy path).

export const githubSchema = z.strictObject({
  /** The repository as `owner/name`, exactly as GitHub spells it in the token's `sub` claim. */
  repository: z.string().regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/, {
    message: "expected a GitHub repository as owner/name",
  }),
  /** The branch whose pushes deploy; pull requests into it only preview. */
  branch: z
    .string()
    .regex(/^[A-Za-z0-9._\/-]{1,200}$/, {
      message: "expected one branch name such as main (no wildcard)",
    })
    .default("main"),
});
export type GithubConfig = z.output<typeof githubSchema>;

export const orgConfigSchema = z.strictObject({
  "platform:organization": z.strictObject({
    /** Prefix of every name this platform gives a resource; keeps its guardrails recognisable. */
    prefix: slug.default("platform"),
    /** When set, the providers refuse to run against any other management account. */
    managementAccountId: accountId.optional(),
    homeRegion: awsRegion,
    allowedRegions: z.array(awsRegion).min(1, { message: "expected at least one region" }),
    /**
     * Further IAM principals (patterns allowed) in the management account that may assume the
     * platform roles, such as a CI role. People come through the permission sets named in
     * platform:identity.trust, whose role patterns are derived, never typed here.
     */
    adminPrincipalArns: z
      .array(
        z
          .string()
          .regex(/^arn:aws:iam::(\d{12}|\*):(role|user)\/.+$/, {
            message: "expected an IAM role or user ARN",
          })
          .refine((arn) => !arn.includes("AWSReservedSSO"), {
            message:
              "expected no Identity Center role pattern here: name the permission set in platform:identity.trust instead",
          }),
      )
      .default([]),
    /** The Pulumi organization (or `organization` for self-managed backends) that owns the stacks. */
    pulumiOrg: z.string().min(1).default("organization"),
  }),
  "platform:tags": z.strictObject({
    project: slug,
    owner: z.string().min(1),
    costCenter: z.string().regex(/^[A-Za-z0-9-]{2,32}$/, {
      message: "expected a cost center code (letters, digits, dashes; 2–32)",
    }),
    /**
     * Activate the tag keys as cost allocation tags in billing. Off for the first deploy: billing
     * knows a key only once tagged usage has been recorded (up to 24 hours), and activating an
     * unknown key fails the update (terraform-provider-aws issues #29068, #31442).
     */
    activateInBilling: z.boolean().default(false),
  }),
  "platform:accounts": z
    .record(accountKey, account)
    .refine((a) => Object.keys(a).length > 0, { message: "expected at least one account" }),
  "platform:budgets": z.strictObject({
    currency: currency.default("USD"),
    /** Monthly limit for the whole organization. */
    organization: z.strictObject({ amount: positiveAmount }),
    thresholds: z.array(threshold).min(1).default(DEFAULT_THRESHOLDS),
    subscribers: z.array(email).min(1, { message: "expected at least one e-mail subscriber" }),
    accounts: z.record(z.string(), accountBudget),
    /** Production is never frozen automatically unless this is true. */
    allowProdFreeze: z.boolean().default(false),
    /** Alert when Cost Anomaly Detection finds an impact of at least this many dollars. */
    anomalyThresholdAmount: positiveAmount.default(20),
  }),
  "platform:guardrails": z.strictObject({
    maxPolicyChars: z.number().int().positive().default(5120),
    maxPoliciesPerTarget: z.number().int().min(2).default(5),
    /** Instance types non-production accounts may launch: exact types or whole families (`t4g.*`). */
    allowedInstanceTypes: z.array(instanceTypePattern).min(1),
    allowedBedrockModels: z.array(
      z.string().regex(/^[a-z0-9-]+\.[A-Za-z0-9.:-]+$/, {
        message: "expected a Bedrock model id such as anthropic.claude-3-haiku-20240307-v1:0",
      }),
    ),
    /** Override of which SCP file attaches to which target (`root`, `ou:<path>`, `account:<key>`). */
    attachments: z.record(z.string(), z.array(z.string())).optional(),
    /** Override of which RCP file attaches where (same targets); default org/guardrails/attachments.ts. */
    rcpAttachments: z.record(z.string(), z.array(z.string())).optional(),
  }),
  "platform:trail": z
    .strictObject({
      /** Days before log objects move to Glacier Instant Retrieval. */
      archiveAfterDays: z.number().int().positive().default(90),
      /** Days before log objects expire; audit frameworks commonly ask for at least a year. */
      expireAfterDays: z.number().int().positive().default(730),
      /**
       * S3 Object Lock default retention of every log object (org/trail.ts). GOVERNANCE by default:
       * the protect-trail-logs RCP denies s3:BypassGovernanceRetention to every member-account
       * principal, so only a change of the RCPs from the management account can lift it, whereas
       * COMPLIANCE can never be shortened or removed by anyone, AWS included, for the whole period.
       */
      objectLock: z
        .strictObject({
          mode: z.enum(["GOVERNANCE", "COMPLIANCE"]).default("GOVERNANCE"),
          /** Whole days, 1 to 36,500 (S3 allows up to 100 years). */
          days: z.number().int().min(1).max(36500).default(365),
        })
        .default({ mode: "GOVERNANCE", days: 365 }),
    })
    .default({
      archiveAfterDays: 90,
      expireAfterDays: 730,
      objectLock: { mode: "GOVERNANCE", days: 365 },
    }),
  "platform:logRetentionDays": logRetentionDays.default(365),
  /** IAM Identity Center: groups, permission sets and assignments (lib/config/identity.ts). */
  "platform:identity": identitySchema,
  "platform:adopt": adoptSchema.optional(),
  "platform:github": githubSchema.optional(),
});

export type OrgConfig = z.output<typeof orgConfigSchema>;
export const ORG_CONFIG_KEYS = Object.keys(orgConfigSchema.shape);

/** Rules that span several keys: which no schema of a single key can check. */
function crossCheck(c: OrgConfig): string[] {
  const problems: string[] = [];
  const org = c["platform:organization"];
  if (!org.allowedRegions.includes(org.homeRegion)) {
    problems.push(
      `platform:organization.homeRegion: got "${org.homeRegion}"; expected one of allowedRegions (${org.allowedRegions.join(", ")})`,
    );
  }
  const accounts = c["platform:accounts"];
  const keys = Object.keys(accounts);
  for (const env of ENVIRONMENTS) {
    const holders = keys.filter((k) => accounts[k].environment === env);
    if (holders.length !== 1) {
      problems.push(
        `platform:accounts: got ${holders.length ? holders.join(", ") : "no account"} for environment "${env}"; expected exactly one account with environment: ${env}`,
      );
    }
  }
  const seen = new Map<string, string>();
  for (const [k, a] of Object.entries(accounts)) {
    const lower = a.email.toLowerCase();
    if (seen.has(lower))
      problems.push(
        `platform:accounts.${k}.email: got "${a.email}"; expected an address no other account uses (also used by ${seen.get(lower)})`,
      );
    seen.set(lower, k);
  }
  const budgets = c["platform:budgets"];
  for (const [k, b] of Object.entries(budgets.accounts)) {
    if (!accounts[k]) {
      problems.push(
        `platform:budgets.accounts.${k}: got an account key "${k}" that platform:accounts does not define; expected one of ${keys.join(", ")}`,
      );
      continue;
    }
    if (
      b.freezeAtPercent !== undefined &&
      accounts[k].ou === "workloads/prod" &&
      !budgets.allowProdFreeze
    ) {
      problems.push(
        `platform:budgets.accounts.${k}.freezeAtPercent: got ${b.freezeAtPercent} on production account "${k}"; expected no freeze unless platform:budgets.allowProdFreeze is true`,
      );
    }
  }
  const seenT = new Set<string>();
  budgets.thresholds.forEach((t, i) => {
    const id = `${t.type}:${t.percent}`;
    if (seenT.has(id))
      problems.push(
        `platform:budgets.thresholds[${i}]: got a duplicate ${t.type} ${t.percent} %; expected each threshold once`,
      );
    seenT.add(id);
  });
  if (budgets.thresholds.length > 5) {
    problems.push(
      `platform:budgets.thresholds: got ${budgets.thresholds.length} thresholds; expected at most 5 (AWS Budgets allows 5 notifications per budget)`,
    );
  }
  if (budgets.subscribers.length > 10) {
    problems.push(
      `platform:budgets.subscribers: got ${budgets.subscribers.length} addresses; expected at most 10 (AWS Budgets limit per notification)`,
    );
  }
  // One lifecycle rule moves the logs to Glacier and later deletes them: S3 refuses a rule whose
  // Expiration days are not greater than its Transition days (PutBucketLifecycleConfiguration).
  const trail = c["platform:trail"];
  if (trail.expireAfterDays <= trail.archiveAfterDays) {
    problems.push(
      `platform:trail.expireAfterDays: got ${trail.expireAfterDays}; expected more days than archiveAfterDays (${trail.archiveAfterDays}): logs are archived before they expire`,
    );
  }
  // A locked version cannot be removed before its retention ends, so a lifecycle expiry earlier
  // than the retention would only pretend to delete the logs.
  if (trail.objectLock.days > trail.expireAfterDays) {
    problems.push(
      `platform:trail.objectLock.days: got ${trail.objectLock.days}; expected at most expireAfterDays (${trail.expireAfterDays}): log objects cannot expire while Object Lock retains them`,
    );
  }
  problems.push(...crossCheckIdentity(c["platform:identity"], accounts, OU_PATHS));
  return problems;
}

/** Validates the org stack's whole config; throws a ConfigError listing every problem. */
export function validateOrgConfig(
  raw: Record<string, unknown>,
  where = "org/management",
): OrgConfig {
  const strays = unknownKeys(raw, ORG_CONFIG_KEYS);
  const known = Object.fromEntries(
    Object.entries(raw).filter(([k]) => ORG_CONFIG_KEYS.includes(k)),
  );
  const result = orgConfigSchema.safeParse(known);
  const problems = strays.map((k) => topLevelUnknownKey(k, ORG_CONFIG_KEYS));
  if (!result.success)
    problems.push(
      ...describeIssues("", orgConfigSchema, known, result.error.issues).map((p) =>
        p.replace(/^\./, ""),
      ),
    );
  if (problems.length) throw new ConfigError(where, problems);
  const cross = [...crossCheck(result.data!), ...adoptProblems(result.data!)];
  if (cross.length) throw new ConfigError(where, cross);
  return result.data!;
}

export { parseOrThrow };
