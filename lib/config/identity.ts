import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { awsRegion } from "./primitives";

/**
 * `platform:identity` of the org stack: who may do what in which account, through IAM Identity
 * Center. Groups (made in the identity store, or coming from an external identity provider),
 * permission sets, and assignments of a group and a permission set to accounts or OUs. People are
 * never assigned one by one: an assignment names a group, and membership is managed where the people
 * are (the Identity Center console or the external IdP).
 */

/** The key that names the management account as an assignment target (`account:management`). */
export const MANAGEMENT_KEY = "management";

// AWS managed policy ARNs, generated from AWS's catalogue by `npm run managed-policies`.
const MANAGED_POLICY_LIST = path.join(__dirname, "aws-managed-policies.json");
let managedArns: Set<string> | undefined;
/** Every AWS managed policy ARN the catalogue lists, read once from the file shipped beside this module. */
export function awsManagedPolicyArns(): ReadonlySet<string> {
  managedArns ??= new Set(
    (JSON.parse(fs.readFileSync(MANAGED_POLICY_LIST, "utf8")) as { arns: string[] }).arns,
  );
  return managedArns;
}

/**
 * An ISO-8601 duration in hours and minutes. CreatePermissionSet takes SessionDuration as ISO-8601
 * and Identity Center allows 1 to 12 hours
 * (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreatePermissionSet.html,
 * https://docs.aws.amazon.com/singlesignon/latest/userguide/howtosessionduration.html).
 */
export function sessionMinutes(duration: string): number | undefined {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(duration);
  if (!m || (m[1] === undefined && m[2] === undefined)) return undefined;
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

const sessionDuration = z.string().superRefine((text, ctx) => {
  const minutes = sessionMinutes(text);
  if (minutes === undefined)
    ctx.addIssue({
      code: "custom",
      message: "expected an ISO-8601 duration in hours and minutes such as PT1H, PT8H or PT1H30M",
    });
  else if (minutes < 60 || minutes > 720)
    ctx.addIssue({
      code: "custom",
      message: "expected a session duration from 1 to 12 hours (PT1H to PT12H)",
    });
});

// Limits and patterns of the SSO Admin API (CreatePermissionSet, CustomerManagedPolicyReference).
const permissionSetName = z.string().regex(/^[\w+=,.@-]{1,32}$/, {
  message: "expected a permission set name of 1-32 letters, digits and +=,.@_-",
});
const relayState = z
  .string()
  .min(1)
  .max(240, { message: "expected at most 240 characters" })
  .regex(/^https:\/\/[0-9A-Za-z&$@#\\/%?=~\-_'"|!:,.;*+[\] (){}]+$/, {
    message:
      "expected an https:// URL (the console page people land on), such as https://console.aws.amazon.com/billing/home",
  });
const policyName = z.string().regex(/^[\w+=,.@-]{1,128}$/, {
  message: "expected an IAM policy name (1-128 of letters, digits, +=,.@_-)",
});
const policyPath = z
  .string()
  .regex(/^\/([\w+=,.@-]+\/)*$/, { message: "expected an IAM path such as / or /platform/" })
  .max(512);

const managedPolicyArn = z
  .string()
  .regex(/^arn:aws:iam::aws:policy\/.+$/, {
    message: "expected an AWS managed policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess",
  })
  .refine((arn) => awsManagedPolicyArns().has(arn), {
    message:
      "expected an AWS managed policy that exists: this ARN is not in AWS's catalogue (lib/config/aws-managed-policies.json); check its name and path, e.g. job-function/Billing",
  });

const policyValue = z.union([z.string(), z.array(z.string()).min(1)]);
const statement = z
  .object({
    Sid: z
      .string()
      .regex(/^[A-Za-z0-9]*$/, { message: "expected letters and digits" })
      .optional(),
    Effect: z.enum(["Allow", "Deny"], { message: 'expected "Allow" or "Deny"' }),
    Action: policyValue.optional(),
    NotAction: policyValue.optional(),
    Resource: policyValue.optional(),
    NotResource: policyValue.optional(),
    Condition: z.record(z.string(), z.record(z.string(), policyValue)).optional(),
  })
  .strict()
  .refine((s) => (s.Action === undefined) !== (s.NotAction === undefined), {
    message: "expected exactly one of Action and NotAction",
  })
  .refine((s) => (s.Resource === undefined) !== (s.NotResource === undefined), {
    message: "expected exactly one of Resource and NotResource",
  });
/** An identity policy document, as IAM and Identity Center accept it. */
export const policyDocument = z.strictObject({
  Version: z.literal("2012-10-17", { message: 'expected Version "2012-10-17"' }),
  Statement: z.array(statement).min(1, { message: "expected at least one statement" }),
});
export type PolicyDocument = z.output<typeof policyDocument>;

/** A policy the org program creates in every account the permission set is assigned to. */
const customerManagedPolicy = z.strictObject({
  name: policyName,
  path: policyPath.default("/"),
  description: z.string().max(1000).optional(),
  document: policyDocument,
});
export type CustomerManagedPolicy = z.output<typeof customerManagedPolicy>;

const permissionSet = z.strictObject({
  description: z
    .string()
    .min(1)
    .max(700, { message: "expected at most 700 characters" })
    .optional(),
  /** AWS managed policies by ARN; each must exist in AWS's catalogue. */
  managedPolicies: z.array(managedPolicyArn).default([]),
  /** Created by the org program in each assigned account, then referenced by name and path. */
  customerManagedPolicies: z.array(customerManagedPolicy).default([]),
  /** Embedded in the permission set itself. */
  inlinePolicy: policyDocument.optional(),
  /**
   * Adds read access to the organization trail's bucket and the key that encrypts it (names known
   * only to the org program, so it writes that statement into the inline policy itself).
   */
  readsAuditTrail: z.boolean().default(false),
  /** The ceiling of the provisioned role: an AWS managed policy, or a policy created like the above. */
  permissionsBoundary: z
    .union([
      z.strictObject({ managedPolicyArn }),
      z.strictObject({ customerManaged: customerManagedPolicy }),
    ])
    .optional(),
  sessionDuration: sessionDuration.default("PT1H"),
  relayState: relayState.optional(),
});
export type PermissionSetConfig = z.output<typeof permissionSet>;

const group = z.union([
  /** Made in the Identity Center identity store by the org program. */
  z.strictObject({
    description: z.string().min(1).max(1024).optional(),
  }),
  /** Provisioned by an external IdP (SCIM): looked up by its display name (the key). */
  z.strictObject({ external: z.literal(true), description: z.string().optional() }),
  /** Provisioned by an external IdP, referenced by its identity store group id. */
  z.strictObject({
    groupId: z
      .string()
      .regex(
        /^([0-9a-f]{10}-)?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/,
        {
          message:
            "expected an identity store group id such as 9067a4d8-1011-70c5-5b7d-0b1b0e1c2d3e",
        },
      ),
    description: z.string().optional(),
  }),
]);
export type GroupConfig = z.output<typeof group>;

const groupName = z.string().regex(/^[A-Za-z0-9][\w+=,.@ -]{0,127}$/, {
  message: "expected a group display name (letters, digits, spaces and +=,.@_-)",
});

/** `root` (every account, management included), `ou:<path>` (its accounts and nested OUs'), `account:<key>`. */
const target = z.string().regex(/^(root|ou:[a-z/]+|account:[a-z][a-z0-9-]{1,30})$/, {
  message:
    "expected root, ou:<path> or account:<key> (account:management for the management account)",
});

const assignment = z.strictObject({
  group: z.string().min(1),
  permissionSet: z.string().min(1),
  targets: z.array(target).min(1, { message: "expected at least one target" }),
});
export type AssignmentConfig = z.output<typeof assignment>;

export const TRUSTING_ROLES = ["breakGlass", "deploy", "agent"] as const;
export type TrustingRole = (typeof TRUSTING_ROLES)[number];

export const identitySchema = z.strictObject({
  /** Region of the Identity Center instance; default the org's home region. */
  region: awsRegion.optional(),
  groups: z.record(groupName, group),
  permissionSets: z.record(z.string(), permissionSet).superRefine((sets, ctx) => {
    for (const name of Object.keys(sets)) {
      const r = permissionSetName.safeParse(name);
      if (!r.success)
        ctx.addIssue({ code: "custom", path: [name], message: r.error.issues[0].message });
    }
  }),
  assignments: z.array(assignment),
  /**
   * Which permission sets, used in the management account, may assume each platform role in the
   * member accounts. The trust policies name the roles Identity Center provisions for them.
   */
  trust: z.strictObject({
    breakGlass: z.array(z.string()).min(1),
    deploy: z.array(z.string()).min(1),
    agent: z.array(z.string()).min(1),
  }),
});
export type IdentityConfig = z.output<typeof identitySchema>;

export interface AccountRef {
  readonly ou: string;
}

/** The account keys a target reaches: `root` is every account and management; an OU includes nested OUs. */
export function expandTarget(t: string, accounts: Readonly<Record<string, AccountRef>>): string[] {
  const keys = Object.keys(accounts);
  if (t === "root") return [MANAGEMENT_KEY, ...keys];
  const [kind, ref] = [t.slice(0, t.indexOf(":")), t.slice(t.indexOf(":") + 1)];
  if (kind === "account") return ref === MANAGEMENT_KEY || accounts[ref] ? [ref] : [];
  return keys.filter((k) => accounts[k].ou === ref || accounts[k].ou.startsWith(`${ref}/`));
}

/** One group holding one permission set in one account. */
export interface AccessGrant {
  readonly group: string;
  readonly permissionSet: string;
  /** Account key, or `management`. */
  readonly account: string;
}

/** Every (group, permission set, account) the assignments grant, in config order, each once. */
export function accessGrants(
  identity: IdentityConfig,
  accounts: Readonly<Record<string, AccountRef>>,
): AccessGrant[] {
  const seen = new Set<string>();
  const grants: AccessGrant[] = [];
  for (const a of identity.assignments) {
    for (const account of a.targets.flatMap((t) => expandTarget(t, accounts))) {
      const id = `${a.group}|${a.permissionSet}|${account}`;
      if (seen.has(id)) continue;
      seen.add(id);
      grants.push({ group: a.group, permissionSet: a.permissionSet, account });
    }
  }
  return grants;
}

/** The accounts each permission set is assigned to (the accounts its customer managed policies go to). */
export function accountsOfPermissionSet(grants: readonly AccessGrant[], name: string): string[] {
  return [...new Set(grants.filter((g) => g.permissionSet === name).map((g) => g.account))];
}

/** "Who may do what": one row per group and permission set, with the accounts in account order. */
export interface AccessRow {
  readonly group: string;
  readonly permissionSet: string;
  readonly accounts: string[];
}
export function accessRows(
  identity: IdentityConfig,
  accounts: Readonly<Record<string, AccountRef>>,
): AccessRow[] {
  const order = [MANAGEMENT_KEY, ...Object.keys(accounts)];
  const rows = new Map<string, AccessRow>();
  for (const g of accessGrants(identity, accounts)) {
    const key = `${g.group}|${g.permissionSet}`;
    if (!rows.has(key))
      rows.set(key, { group: g.group, permissionSet: g.permissionSet, accounts: [] });
    rows.get(key)!.accounts.push(g.account);
  }
  for (const r of rows.values()) r.accounts.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return [...rows.values()];
}

/**
 * The `aws:PrincipalArn` patterns of the roles Identity Center provisions for a permission set in
 * one account: `AWSReservedSSO_<name>_<unique suffix>` under `/aws-reserved/sso.amazonaws.com/`,
 * with the instance's region as a further path segment for instances outside us-east-1
 * (https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html). The
 * suffix changes when the role is re-created, so it is a wildcard; {@link crossCheckIdentity}
 * refuses a permission set whose name would also match another's (`X` and `X_...`).
 */
export function permissionSetRolePatterns(accountId: string, names: readonly string[]): string[] {
  return names.flatMap((n) => [
    `arn:aws:iam::${accountId}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_${n}_*`,
    `arn:aws:iam::${accountId}:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_${n}_*`,
  ]);
}

/** The customer managed policies the org program creates for a permission set: attached ones and the boundary. */
export function createdPolicies(ps: PermissionSetConfig): CustomerManagedPolicy[] {
  const boundary =
    ps.permissionsBoundary && "customerManaged" in ps.permissionsBoundary
      ? [ps.permissionsBoundary.customerManaged]
      : [];
  return [...ps.customerManagedPolicies, ...boundary];
}

/**
 * The provisioned role's inline policies may total 10,240 characters (IAM quotas), less than the
 * 32,768 PutInlinePolicyToPermissionSet accepts; `readsAuditTrail` adds about 450 more.
 */
export const MAX_INLINE_CHARS = 10240;
const TRAIL_ROOM = 600;

/** IAM's default quota of managed policies attached to one role, which the provisioned role must meet. */
export const MAX_POLICIES_PER_ROLE = 10;

/**
 * Checks platform:identity against the accounts and OUs: every assignment names a defined group,
 * permission set and account or OU; each trusted permission set exists and is assigned in the
 * management account; no permission set's role name is a prefix match of another's.
 */
export function crossCheckIdentity(
  identity: IdentityConfig,
  accounts: Readonly<Record<string, AccountRef>>,
  ouPaths: readonly string[],
): string[] {
  const problems: string[] = [];
  const at = "platform:identity";
  const groups = Object.keys(identity.groups);
  const sets = Object.keys(identity.permissionSets);
  const accountKeys = Object.keys(accounts);
  if (accounts[MANAGEMENT_KEY])
    problems.push(
      `platform:accounts.${MANAGEMENT_KEY}: got an account keyed "${MANAGEMENT_KEY}"; expected another key (account:${MANAGEMENT_KEY} names the management account in platform:identity)`,
    );
  const where = new Map<string, string>();
  identity.assignments.forEach((a, i) => {
    const key = `${at}.assignments[${i}]`;
    if (!identity.groups[a.group])
      problems.push(
        `${key}.group: got "${a.group}"; expected one of the groups in ${at}.groups (${groups.join(", ")})`,
      );
    if (!identity.permissionSets[a.permissionSet])
      problems.push(
        `${key}.permissionSet: got "${a.permissionSet}"; expected one of ${at}.permissionSets (${sets.join(", ")})`,
      );
    a.targets.forEach((t, j) => {
      if (t.startsWith("account:") && expandTarget(t, accounts).length === 0)
        problems.push(
          `${key}.targets[${j}]: got "${t}"; expected account:${MANAGEMENT_KEY} or an account key of platform:accounts (${accountKeys.join(", ")})`,
        );
      if (t.startsWith("ou:")) {
        const ou = t.slice(3);
        if (!ouPaths.includes(ou))
          problems.push(
            `${key}.targets[${j}]: got "${t}"; expected one of the OUs ${ouPaths.map((p) => `ou:${p}`).join(", ")}`,
          );
        else if (expandTarget(t, accounts).length === 0)
          problems.push(
            `${key}.targets[${j}]: got "${t}", an OU without accounts; expected an OU that holds at least one account`,
          );
      }
    });
    for (const account of a.targets.flatMap((t) => expandTarget(t, accounts))) {
      const id = `${a.group}|${a.permissionSet}|${account}`;
      if (where.has(id) && where.get(id) !== key)
        problems.push(
          `${key}: got ${a.group} × ${a.permissionSet} in ${account} again; expected each group, permission set and account once (also in ${where.get(id)})`,
        );
      if (!where.has(id)) where.set(id, key);
    }
  });
  const grants = accessGrants(identity, accounts);
  for (const role of TRUSTING_ROLES) {
    identity.trust[role].forEach((name, i) => {
      const key = `${at}.trust.${role}[${i}]`;
      if (!identity.permissionSets[name])
        problems.push(
          `${key}: got "${name}"; expected one of ${at}.permissionSets (${sets.join(", ")})`,
        );
      else if (!grants.some((g) => g.permissionSet === name && g.account === MANAGEMENT_KEY))
        problems.push(
          `${key}: got "${name}", which no assignment gives in the management account; expected a permission set assigned to account:${MANAGEMENT_KEY} (its role there is what the trust names)`,
        );
    });
  }
  for (const a of sets)
    for (const b of sets)
      if (a !== b && b.startsWith(`${a}_`))
        problems.push(
          `${at}.permissionSets.${b}: got a name that starts with "${a}_"; expected names where none extends another by "_" (trust patterns AWSReservedSSO_${a}_* would also match ${b}'s roles)`,
        );
  const madeBy = new Map<string, string>();
  for (const [name, ps] of Object.entries(identity.permissionSets)) {
    const key = `${at}.permissionSets.${name}`;
    for (const p of createdPolicies(ps)) {
      const ref = `${p.path}${p.name}`;
      if (madeBy.has(ref) && madeBy.get(ref) !== name)
        problems.push(
          `${key}: got the customer managed policy "${ref}", which permission set ${madeBy.get(ref)} also defines; expected each policy name and path defined by one permission set (both would create it in the same accounts)`,
        );
      madeBy.set(ref, name);
    }
    const attached = ps.managedPolicies.length + ps.customerManagedPolicies.length;
    if (attached > MAX_POLICIES_PER_ROLE)
      problems.push(
        `${key}: got ${attached} managed and customer managed policies; expected at most ${MAX_POLICIES_PER_ROLE} (IAM's default quota of managed policies per role)`,
      );
    if (ps.inlinePolicy) {
      const chars = JSON.stringify(ps.inlinePolicy).length + (ps.readsAuditTrail ? TRAIL_ROOM : 0);
      if (chars > MAX_INLINE_CHARS)
        problems.push(
          `${key}.inlinePolicy: got ${chars} characters minified${ps.readsAuditTrail ? ` (with ${TRAIL_ROOM} kept for the trail statements)` : ""}; expected at most ${MAX_INLINE_CHARS} (IAM's limit for the inline policy of the role Identity Center provisions)`,
        );
    }
    const dup = ps.managedPolicies.find((p, i) => ps.managedPolicies.indexOf(p) !== i);
    if (dup) problems.push(`${key}.managedPolicies: got "${dup}" twice; expected each policy once`);
    const refs = ps.customerManagedPolicies.map((p) => `${p.path}${p.name}`);
    const dupRef = refs.find((r, i) => refs.indexOf(r) !== i);
    if (dupRef)
      problems.push(
        `${key}.customerManagedPolicies: got "${dupRef}" twice; expected each policy once`,
      );
    if (
      !ps.managedPolicies.length &&
      !ps.customerManagedPolicies.length &&
      !ps.inlinePolicy &&
      !ps.readsAuditTrail
    )
      problems.push(
        `${key}: got a permission set that grants nothing; expected managedPolicies, customerManagedPolicies or an inlinePolicy`,
      );
  }
  return problems;
}
