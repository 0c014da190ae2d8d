/**
 * Reads of the live organization, its SCPs and its budgets. Every list is paginated; every call
 * goes through AwsCalls (backoff, error messages). Nothing here changes anything in AWS.
 */
import {
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  PolicySummary,
} from "@aws-sdk/client-organizations";
import {
  Action,
  Budget,
  DescribeBudgetActionsForAccountCommand,
  DescribeBudgetsCommand,
} from "@aws-sdk/client-budgets";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { OrgConfig } from "../../lib/config/org";
import { AwsCalls, OpsError } from "./aws";

export interface CallerInfo {
  /** Account of the credentials in use. */
  readonly accountId: string;
  /** ARN of the signed-in principal: who did it, in the unfreeze record. */
  readonly arn: string;
  readonly organizationId: string;
  readonly managementAccountId: string;
}

/**
 * Who is calling, and a refusal unless it is the organization's management account (the only
 * account whose credentials can see and change SCP attachments, and where the budgets live). When
 * the stack file pins `managementAccountId`, the organization must be that one too.
 */
export async function identifyCaller(aws: AwsCalls, config: OrgConfig): Promise<CallerInfo> {
  const me = await aws.call("sts:GetCallerIdentity", () =>
    aws.clients.sts.send(new GetCallerIdentityCommand({})),
  );
  const org = await aws.call("organizations:DescribeOrganization", () =>
    aws.clients.organizations.send(new DescribeOrganizationCommand({})),
  );
  const caller: CallerInfo = {
    accountId: me.Account ?? "",
    arn: me.Arn ?? "",
    organizationId: org.Organization?.Id ?? "",
    managementAccountId: org.Organization?.MasterAccountId ?? "",
  };
  if (caller.accountId !== caller.managementAccountId) {
    throw new OpsError(
      `You are signed in to account ${caller.accountId} (${caller.arn}), a member of organization ` +
        `${caller.organizationId} whose management account is ${caller.managementAccountId}. ` +
        `Run the tool with credentials of the management account ${caller.managementAccountId} ` +
        `(for example its administrator permission set); nothing was read or changed.`,
    );
  }
  const pinned = config["platform:organization"].managementAccountId;
  if (pinned !== undefined && pinned !== caller.managementAccountId) {
    throw new OpsError(
      `You are signed in to the management account ${caller.managementAccountId} of organization ` +
        `${caller.organizationId}, but org/Pulumi.management.yaml pins ` +
        `platform:organization.managementAccountId ${pinned}. Sign in to the organization the org ` +
        `stack manages; nothing was read or changed.`,
    );
  }
  return caller;
}

export interface LiveOu {
  readonly id: string;
  readonly name: string;
  /** Lower-case path of OU names from the root, e.g. `workloads/nonprod`: the config's form. */
  readonly path: string;
}

export interface LiveAccount {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  /** ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED (the older Status field when State is absent). */
  readonly state: string;
  /** Path of the OU holding the account; `""` when it sits directly under the root. */
  readonly ouPath: string;
  /** The `platform:accounts` key it matches (by email, else by name), or null. */
  readonly key: string | null;
}

export interface OrgTree {
  readonly rootId: string;
  readonly ous: readonly LiveOu[];
  readonly accounts: readonly LiveAccount[];
}

/**
 * The config key of a live account. Email first: the org stack ignores later renames of both name
 * and email (structure.ts), so an account created by it still carries the email it was created
 * with unless someone changed it by hand; the name is the fallback.
 */
export function accountKeyOf(
  account: { name: string; email: string },
  config: OrgConfig,
): string | null {
  const accounts = Object.entries(config["platform:accounts"]);
  const byEmail = accounts.find(([, a]) => a.email.toLowerCase() === account.email.toLowerCase());
  if (byEmail) return byEmail[0];
  const byName = accounts.find(([, a]) => a.name === account.name);
  return byName ? byName[0] : null;
}

/** The root, every OU (with its path) and every account, by walking the tree from the root. */
export async function readOrgTree(aws: AwsCalls, config: OrgConfig): Promise<OrgTree> {
  const org = aws.clients.organizations;
  const roots = await aws.collect(
    "organizations:ListRoots",
    (NextToken) => org.send(new ListRootsCommand({ NextToken })),
    (r) => r.Roots,
  );
  if (roots.length === 0 || !roots[0].Id) {
    throw new OpsError(
      "organizations:ListRoots returned no root; is this an organization with all features?",
    );
  }
  const rootId = roots[0].Id;
  const ous: LiveOu[] = [];
  const accounts: LiveAccount[] = [];
  // Breadth-first, one call at a time: Organizations allows only a few requests per second.
  const queue: { id: string; path: string }[] = [{ id: rootId, path: "" }];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    const children = await aws.collect(
      "organizations:ListOrganizationalUnitsForParent",
      (NextToken) =>
        org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parent.id, NextToken })),
      (r) => r.OrganizationalUnits,
    );
    for (const ou of children) {
      const name = ou.Name ?? ou.Id ?? "";
      const path = parent.path ? `${parent.path}/${name.toLowerCase()}` : name.toLowerCase();
      ous.push({ id: ou.Id ?? "", name, path });
      queue.push({ id: ou.Id ?? "", path });
    }
    const members = await aws.collect(
      "organizations:ListAccountsForParent",
      (NextToken) => org.send(new ListAccountsForParentCommand({ ParentId: parent.id, NextToken })),
      (r) => r.Accounts,
    );
    for (const a of members) {
      const name = a.Name ?? "";
      const email = a.Email ?? "";
      accounts.push({
        id: a.Id ?? "",
        name,
        email,
        state: a.State ?? a.Status ?? "UNKNOWN",
        ouPath: parent.path,
        key: accountKeyOf({ name, email }, config),
      });
    }
  }
  return { rootId, ous, accounts };
}

export interface TargetRef {
  readonly id: string;
  readonly type: "ROOT" | "ORGANIZATIONAL_UNIT" | "ACCOUNT" | "UNKNOWN";
  /** `root`, `ou:<path>`, `account:<key>` (the config's words), else `account <name>`. */
  readonly label: string;
  /** Account or OU name; the root's is `Root`. */
  readonly name: string;
}

/** Names a live target id in the vocabulary of the config, so reports read like the stack file. */
export function describeTarget(tree: OrgTree, id: string): TargetRef {
  if (id === tree.rootId) return { id, type: "ROOT", label: "root", name: "Root" };
  const ou = tree.ous.find((o) => o.id === id);
  if (ou) return { id, type: "ORGANIZATIONAL_UNIT", label: `ou:${ou.path}`, name: ou.name };
  const account = tree.accounts.find((a) => a.id === id);
  if (account) {
    const label = account.key ? `account:${account.key}` : `account ${account.name}`;
    return { id, type: "ACCOUNT", label, name: account.name };
  }
  return { id, type: "UNKNOWN", label: `unknown target`, name: id };
}

/** `root (r-a1b2)`, `ou:sandbox (ou-…)`, `account:dev (openems-dev, 333333333333)`. */
export function targetText(t: TargetRef): string {
  return t.type === "ACCOUNT" && t.label.startsWith("account:")
    ? `${t.label} (${t.name}, ${t.id})`
    : `${t.label} (${t.id})`;
}

/**
 * The live id of a config target (`root`, `ou:<path>`, `account:<key>`), or null when the
 * organization has no such OU or account. OU paths compare without case: the stack names OUs
 * `Workloads`, `Nonprod` from the config's `workloads/nonprod`.
 */
export function resolveTarget(tree: OrgTree, target: string): string | null {
  if (target === "root") return tree.rootId;
  const [kind, ref] = [target.slice(0, target.indexOf(":")), target.slice(target.indexOf(":") + 1)];
  if (kind === "ou") return tree.ous.find((o) => o.path === ref.toLowerCase())?.id ?? null;
  if (kind === "account") return tree.accounts.find((a) => a.key === ref)?.id ?? null;
  return null;
}

/** Every service control policy, AWS-managed ones (FullAWSAccess) included. */
export async function listScps(aws: AwsCalls): Promise<PolicySummary[]> {
  return listPolicies(aws, "SERVICE_CONTROL_POLICY");
}

/** Every policy of one type, AWS-managed ones (FullAWSAccess, RCPFullAWSAccess) included. */
export async function listPolicies(
  aws: AwsCalls,
  type: "SERVICE_CONTROL_POLICY" | "RESOURCE_CONTROL_POLICY",
): Promise<PolicySummary[]> {
  return aws.collect(
    "organizations:ListPolicies",
    (NextToken) =>
      aws.clients.organizations.send(new ListPoliciesCommand({ Filter: type, NextToken })),
    (r) => r.Policies,
  );
}

/** Ids of the roots, OUs and accounts a policy is directly attached to. */
export async function policyTargetIds(aws: AwsCalls, policyId: string): Promise<string[]> {
  const targets = await aws.collect(
    "organizations:ListTargetsForPolicy",
    (NextToken) =>
      aws.clients.organizations.send(
        new ListTargetsForPolicyCommand({ PolicyId: policyId, NextToken }),
      ),
    (r) => r.Targets,
  );
  return targets.map((t) => t.TargetId ?? "").filter((id) => id !== "");
}

export async function policyContent(aws: AwsCalls, policyId: string): Promise<string> {
  const r = await aws.call("organizations:DescribePolicy", () =>
    aws.clients.organizations.send(new DescribePolicyCommand({ PolicyId: policyId })),
  );
  return r.Policy?.Content ?? "";
}

/** One SCP by its live name (the freeze SCP); an error naming the fix when it does not exist. */
export async function findPolicyByName(aws: AwsCalls, name: string): Promise<PolicySummary> {
  const found = (await listScps(aws)).filter((p) => p.Name === name);
  if (found.length !== 1 || !found[0].Id) {
    throw new OpsError(
      found.length === 0
        ? `No service control policy named ${name} exists in this organization. Deploy the org ` +
            `stack (\`pulumi up\` in org/) or check platform:organization.prefix.`
        : `${found.length} service control policies are named ${name}; expected one.`,
    );
  }
  return found[0];
}

/** Every budget of the management account, with its calculated actual and forecasted spend. */
export async function listBudgets(aws: AwsCalls, accountId: string): Promise<Budget[]> {
  return aws.collect(
    "budgets:ViewBudget",
    (NextToken) =>
      aws.clients.budgets.send(new DescribeBudgetsCommand({ AccountId: accountId, NextToken })),
    (r) => r.Budgets,
  );
}

export async function listBudgetActions(aws: AwsCalls, accountId: string): Promise<Action[]> {
  return aws.collect(
    "budgets:DescribeBudgetActionsForAccount",
    (NextToken) =>
      aws.clients.budgets.send(
        new DescribeBudgetActionsForAccountCommand({ AccountId: accountId, NextToken }),
      ),
    (r) => r.Actions,
  );
}

/** Budget actions that attach `policyId` as an SCP: the freeze actions. */
export function freezeActions(actions: readonly Action[], policyId: string): Action[] {
  return actions.filter(
    (a) =>
      a.ActionType === "APPLY_SCP_POLICY" &&
      a.Definition?.ScpActionDefinition?.PolicyId === policyId,
  );
}

export function actionTargets(action: Action): string[] {
  return action.Definition?.ScpActionDefinition?.TargetIds ?? [];
}

/** A budget's amounts as numbers; `forecasted` is null while AWS has no forecast (new budgets). */
export interface BudgetFigures {
  readonly name: string;
  readonly unit: string;
  readonly limit: number;
  readonly actual: number;
  readonly forecasted: number | null;
  /** Linked accounts the budget is filtered to; empty for an organization-wide budget. */
  readonly accountIds: readonly string[];
}

function amount(value: string | undefined): number {
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

/** The LinkedAccount filter, from CostFilters (what the org stack sets) or a FilterExpression. */
function linkedAccounts(budget: Budget): string[] {
  const fromFilters = budget.CostFilters?.LinkedAccount;
  if (fromFilters && fromFilters.length > 0) return [...fromFilters];
  const dims = budget.FilterExpression?.Dimensions;
  return dims?.Key === "LINKED_ACCOUNT" ? [...(dims.Values ?? [])] : [];
}

export function budgetFigures(budget: Budget): BudgetFigures {
  const forecast = budget.CalculatedSpend?.ForecastedSpend?.Amount;
  return {
    name: budget.BudgetName ?? "",
    unit: budget.BudgetLimit?.Unit ?? budget.CalculatedSpend?.ActualSpend?.Unit ?? "",
    limit: amount(budget.BudgetLimit?.Amount),
    actual: amount(budget.CalculatedSpend?.ActualSpend?.Amount),
    forecasted: forecast === undefined ? null : amount(forecast),
    accountIds: linkedAccounts(budget),
  };
}

/** Percent of the limit, one decimal; null when the budget has no limit. */
export function percentOf(value: number | null, limit: number): number | null {
  if (value === null || limit <= 0) return null;
  return Math.round((value / limit) * 1000) / 10;
}
