/**
 * `freeze status` and `unfreeze`: which accounts the budget actions froze, and lifting a freeze in
 * the way that keeps AWS Budgets' own record straight.
 *
 * A freeze applied by a budget action is lifted by reversing that action (ExecuteBudgetAction with
 * REVERSE_BUDGET_ACTION): AWS Budgets then detaches the SCP itself and records REVERSE_SUCCESS. A
 * plain DetachPolicy behind its back would leave the action saying EXECUTION_SUCCESS for an
 * account that is no longer frozen. Only a freeze that no budget action applied (attached by hand)
 * is lifted with DetachPolicy.
 */
import {
  Action,
  DescribeBudgetActionCommand,
  ExecuteBudgetActionCommand,
} from "@aws-sdk/client-budgets";
import { DetachPolicyCommand } from "@aws-sdk/client-organizations";
import { AwsCalls, OpsError } from "./aws";
import { BudgetRow, budgetRow } from "./budgets";
import { ExpectedState, freezePolicyName } from "./expected";
import {
  actionTargets,
  budgetFigures,
  CallerInfo,
  describeTarget,
  findPolicyByName,
  freezeActions,
  identifyCaller,
  listBudgetActions,
  listBudgets,
  LiveAccount,
  OrgTree,
  policyTargetIds,
  readOrgTree,
  resolveTarget,
  TargetRef,
  targetText,
} from "./live";
import { formatMoney, formatPercent, renderTable } from "./render";

/** What each budget action status means for a freeze, in the words of the status table. */
export const ACTION_STATUS_MEANING: Readonly<Record<string, string>> = {
  STANDBY: "armed",
  PENDING: "threshold reached, awaiting approval",
  EXECUTION_IN_PROGRESS: "applying the freeze",
  EXECUTION_SUCCESS: "freeze applied",
  EXECUTION_FAILURE: "freeze failed",
  REVERSE_IN_PROGRESS: "lifting the freeze",
  REVERSE_SUCCESS: "freeze lifted",
  REVERSE_FAILURE: "lifting failed",
  RESET_IN_PROGRESS: "resetting",
  RESET_FAILURE: "reset failed",
};

const IN_PROGRESS = new Set(["EXECUTION_IN_PROGRESS", "REVERSE_IN_PROGRESS", "RESET_IN_PROGRESS"]);

export function describeActionStatus(status: string | undefined): string {
  if (!status) return "-";
  const meaning = ACTION_STATUS_MEANING[status];
  return meaning ? `${status} (${meaning})` : status;
}

export interface FreezeAction {
  readonly budgetName: string;
  readonly actionId: string;
  readonly status: string;
  readonly approvalModel: string;
  /** Threshold that triggers the action: value and `PERCENTAGE` or `ABSOLUTE_VALUE`. */
  readonly threshold: { readonly value: number | null; readonly type: string };
  /** `ACTUAL` or `FORECASTED` spend. */
  readonly notificationType: string;
  readonly targetIds: readonly string[];
}

function toFreezeAction(a: Action): FreezeAction {
  return {
    budgetName: a.BudgetName ?? "",
    actionId: a.ActionId ?? "",
    status: a.Status ?? "",
    approvalModel: a.ApprovalModel ?? "",
    threshold: {
      value: a.ActionThreshold?.ActionThresholdValue ?? null,
      type: a.ActionThreshold?.ActionThresholdType ?? "",
    },
    notificationType: a.NotificationType ?? "",
    targetIds: actionTargets(a),
  };
}

export interface FreezeAccountRow {
  readonly id: string;
  readonly name: string;
  readonly key: string | null;
  readonly ouPath: string;
  readonly state: string;
  readonly frozen: boolean;
  /** `budget-action` when a freeze action in EXECUTION_SUCCESS targets it, else `manual`. */
  readonly frozenBy: "budget-action" | "manual" | null;
  /** Budget whose freeze action targets the account, if any. */
  readonly freezeBudget: string | null;
  readonly actionStatus: string | null;
}

export interface FreezeBudgetRow extends BudgetRow {
  readonly action: FreezeAction;
}

export interface FreezeStatus {
  readonly checkedAt: string;
  readonly caller: CallerInfo;
  readonly freezePolicy: { readonly id: string; readonly name: string };
  readonly accounts: readonly FreezeAccountRow[];
  /** Roots or OUs the freeze SCP is attached to: never done by the stack, always worth a look. */
  readonly otherFrozenTargets: readonly TargetRef[];
  readonly budgets: readonly FreezeBudgetRow[];
  readonly warnings: readonly string[];
}

/**
 * The management account first, then the accounts of the stack file in its order, then any other
 * account by name: people read the table next to org/Pulumi.management.yaml.
 */
function accountOrder(expected: ExpectedState, managementAccountId: string) {
  const keys = Object.keys(expected.config["platform:accounts"]);
  const rank = (a: LiveAccount) =>
    a.id === managementAccountId ? -1 : a.key !== null ? keys.indexOf(a.key) : keys.length;
  return (a: LiveAccount, b: LiveAccount) => rank(a) - rank(b) || a.name.localeCompare(b.name);
}

function accountLabel(tree: OrgTree, id: string): string {
  const a = tree.accounts.find((x) => x.id === id);
  return a ? `${a.name} (${id})` : id;
}

export async function getFreezeStatus(
  aws: AwsCalls,
  expected: ExpectedState,
  now: Date,
): Promise<FreezeStatus> {
  const caller = await identifyCaller(aws, expected.config);
  const tree = await readOrgTree(aws, expected.config);
  const policy = await findPolicyByName(aws, freezePolicyName(expected));
  const policyId = policy.Id!;
  const targets = await policyTargetIds(aws, policyId);
  const allActions = await listBudgetActions(aws, caller.managementAccountId);
  const actions = freezeActions(allActions, policyId).map(toFreezeAction);
  const budgets = await listBudgets(aws, caller.managementAccountId);
  const names = new Map(tree.accounts.map((a) => [a.id, a.name]));
  const warnings: string[] = [];

  const ordered = [...tree.accounts].sort(accountOrder(expected, caller.managementAccountId));
  const accounts = ordered.map((a): FreezeAccountRow => {
    const mine = actions.filter((x) => x.targetIds.includes(a.id));
    const applied = mine.find((x) => x.status === "EXECUTION_SUCCESS");
    const frozen = targets.includes(a.id);
    return {
      id: a.id,
      name: a.name,
      key: a.key,
      ouPath: a.ouPath,
      state: a.state,
      frozen,
      frozenBy: frozen ? (applied ? "budget-action" : "manual") : null,
      freezeBudget: (applied ?? mine[0])?.budgetName ?? null,
      actionStatus: (applied ?? mine[0])?.status ?? null,
    };
  });

  const budgetRows: FreezeBudgetRow[] = [];
  for (const action of actions) {
    const budget = budgets.find((b) => b.BudgetName === action.budgetName);
    if (!budget) {
      warnings.push(
        `Budget action ${action.actionId} belongs to budget ${action.budgetName}, ` +
          `which DescribeBudgets did not return.`,
      );
      continue;
    }
    budgetRows.push({ ...budgetRow(budgetFigures(budget), names), action });
    for (const id of action.targetIds) {
      if (action.status === "EXECUTION_SUCCESS" && !targets.includes(id)) {
        warnings.push(
          `Budget ${action.budgetName} says its freeze is applied (EXECUTION_SUCCESS), but ${policy.Name} ` +
            `is not attached to ${accountLabel(tree, id)}: it was detached outside AWS Budgets.`,
        );
      }
    }
    if (action.status.endsWith("_FAILURE")) {
      warnings.push(
        `The freeze action of budget ${action.budgetName} is ${action.status}; check its history in ` +
          `the AWS Budgets console and its execution role ${expected.ctx.budgetActionRoleName}.`,
      );
    }
  }
  budgetRows.sort((a, b) => a.name.localeCompare(b.name));

  // Accounts the stack file marks to freeze that no live action can freeze: no safety net.
  for (const target of expected.plan.freezeTargets) {
    const id = resolveTarget(tree, target);
    if (id === null) {
      warnings.push(
        `${target} is marked to freeze in ${expected.stackFile}, ` +
          `but no such account is in the organization.`,
      );
    } else if (!actions.some((x) => x.targetIds.includes(id))) {
      warnings.push(
        `${target} (${accountLabel(tree, id)}) has freezeAtPercent in the stack file, but no budget action ` +
          `attaches ${policy.Name} to it; run \`pulumi up\` in org/.`,
      );
    }
  }

  const accountIds = new Set(tree.accounts.map((a) => a.id));
  const otherFrozenTargets = targets
    .filter((id) => !accountIds.has(id))
    .map((id) => describeTarget(tree, id));
  for (const t of otherFrozenTargets) {
    warnings.push(
      `${policy.Name} is attached to ${targetText(t)}: every account below it is frozen.`,
    );
  }

  return {
    checkedAt: now.toISOString(),
    caller,
    freezePolicy: { id: policyId, name: policy.Name ?? "" },
    accounts,
    otherFrozenTargets,
    budgets: budgetRows,
    warnings,
  };
}

function callerLine(caller: CallerInfo): string {
  return (
    `Caller: ${caller.arn} (management account ${caller.managementAccountId}, ` +
    `organization ${caller.organizationId})`
  );
}

export function renderFreezeStatus(s: FreezeStatus): string {
  const out: string[] = [
    `Freeze status at ${s.checkedAt}`,
    callerLine(s.caller),
    `Freeze SCP: ${s.freezePolicy.name} (${s.freezePolicy.id})`,
    "",
    renderTable(
      ["ACCOUNT", "ID", "OU", "STATE", "FROZEN", "BY"].map((header) => ({ header })),
      s.accounts.map((a) => [
        a.name,
        a.id,
        a.ouPath || "(root)",
        a.state,
        a.frozen ? "YES" : "no",
        a.frozenBy === "budget-action"
          ? `budget ${a.freezeBudget}`
          : a.frozenBy === "manual"
            ? "attached by hand"
            : "-",
      ]),
    ),
    "",
  ];
  const frozen = s.accounts.filter((a) => a.frozen);
  out.push(
    frozen.length === 0
      ? `No account is frozen (${s.accounts.length} accounts).`
      : `${frozen.length} of ${s.accounts.length} accounts frozen: ` +
          `${frozen.map((a) => a.name).join(", ")}.`,
  );
  out.push("", "Freeze-enabled budgets");
  out.push(
    s.budgets.length === 0
      ? "  none: no budget action attaches the freeze SCP."
      : renderTable(
          [
            { header: "BUDGET" },
            { header: "ACCOUNT" },
            { header: "LIMIT", align: "right" },
            { header: "ACTUAL", align: "right" },
            { header: "FORECAST", align: "right" },
            { header: "USED", align: "right" },
            { header: "FREEZES AT" },
            { header: "ACTION" },
          ],
          s.budgets.map((b) => [
            b.name,
            b.accountNames.join(", "),
            formatMoney(b.limit, b.unit),
            formatMoney(b.actual, b.unit),
            formatMoney(b.forecasted, b.unit),
            formatPercent(b.percentActual),
            b.action.threshold.type === "PERCENTAGE"
              ? `${b.action.threshold.value}% ${b.action.notificationType.toLowerCase()}`
              : `${b.action.threshold.value} ${b.unit} ${b.action.notificationType.toLowerCase()}`,
            describeActionStatus(b.action.status),
          ]),
        ),
  );
  if (s.warnings.length > 0) {
    out.push("", "Warnings:", ...s.warnings.map((w) => `  - ${w}`));
  }
  if (frozen.length > 0) {
    out.push("", 'Lift a freeze with: npm run ops -- unfreeze <account> --reason "<why>" --yes');
  }
  return out.join("\n");
}

// ---------------------------------------------------------------------------------------------
// unfreeze

export interface UnfreezeRequest {
  /** Account id, `platform:accounts` key, account name or email. */
  readonly account: string;
  /** Why the freeze is lifted; printed in the record. */
  readonly reason: string;
  /** The explicit confirmation; without it nothing is changed. */
  readonly yes: boolean;
}

export interface UnfreezeOptions {
  /** Whether a person is at the terminal: only changes the wording of a refusal. */
  readonly isTTY: boolean;
  /** How often to check a reversal, and how many times, before reporting it as still running. */
  readonly pollIntervalMs?: number;
  readonly pollAttempts?: number;
}

export type UnfreezeOutcome =
  "not-frozen" | "refused" | "reversed" | "reversal-pending" | "detached";

export interface UnfreezeResult {
  readonly outcome: UnfreezeOutcome;
  readonly account: { readonly id: string; readonly name: string; readonly key: string | null };
  readonly freezePolicy: { readonly id: string; readonly name: string };
  /** How the freeze is (or would be) lifted. */
  readonly method: "reverse-budget-action" | "detach-policy" | null;
  readonly budgetAction: {
    readonly budgetName: string;
    readonly actionId: string;
    readonly statusBefore: string;
    readonly statusAfter: string | null;
  } | null;
  /** Who, when and why: the record of the decision. */
  readonly by: string;
  readonly at: string;
  readonly reason: string;
  readonly message: string;
  readonly notes: readonly string[];
}

/** Exit status of an unfreeze: 2 when it refused, 0 when it did (or had nothing to do). */
export function unfreezeExitCode(result: UnfreezeResult): number {
  return result.outcome === "refused" ? 2 : 0;
}

/** Finds the account a person named, by id, config key, name or email. */
export function resolveAccount(tree: OrgTree, query: string): LiveAccount {
  const q = query.trim().toLowerCase();
  const matches = tree.accounts.filter(
    (a) => a.id === q || a.key === q || a.name.toLowerCase() === q || a.email.toLowerCase() === q,
  );
  if (matches.length === 1) return matches[0];
  const known = tree.accounts.map((a) => `${a.key ?? a.name} (${a.name}, ${a.id})`).join(", ");
  throw new OpsError(
    matches.length === 0
      ? `No account in the organization matches "${query}"; give an account id, a ` +
          `platform:accounts key or an account name. Known: ${known}.`
      : `"${query}" matches ${matches.length} accounts ` +
          `(${matches.map((a) => a.id).join(", ")}); give the account id.`,
  );
}

async function waitForReversal(
  aws: AwsCalls,
  managementAccountId: string,
  action: FreezeAction,
  opts: UnfreezeOptions,
): Promise<string> {
  const attempts = opts.pollAttempts ?? 12;
  let status = "REVERSE_IN_PROGRESS";
  for (let i = 0; i < attempts && status === "REVERSE_IN_PROGRESS"; i++) {
    await aws.retry.sleep(opts.pollIntervalMs ?? 5000);
    const r = await aws.call("budgets:DescribeBudgetAction", () =>
      aws.clients.budgets.send(
        new DescribeBudgetActionCommand({
          AccountId: managementAccountId,
          BudgetName: action.budgetName,
          ActionId: action.actionId,
        }),
      ),
    );
    status = r.Action?.Status ?? status;
  }
  return status;
}

/**
 * Lifts the freeze of one account. Every read and check happens first (caller, account, policy,
 * attachment, budget actions, confirmation); then exactly one changing call is made, so a failure
 * at any point leaves the account as it was.
 */
export async function unfreezeAccount(
  aws: AwsCalls,
  expected: ExpectedState,
  request: UnfreezeRequest,
  now: Date,
  opts: UnfreezeOptions,
): Promise<UnfreezeResult> {
  const reason = request.reason.trim();
  if (!reason)
    throw new OpsError('unfreeze needs --reason "<why>": the reason is part of the record.');
  const caller = await identifyCaller(aws, expected.config);
  const tree = await readOrgTree(aws, expected.config);
  const account = resolveAccount(tree, request.account);
  const policy = await findPolicyByName(aws, freezePolicyName(expected));
  const freezePolicy = { id: policy.Id!, name: policy.Name ?? "" };
  const frozen = (await policyTargetIds(aws, freezePolicy.id)).includes(account.id);
  const allActions = await listBudgetActions(aws, caller.managementAccountId);
  const actions = freezeActions(allActions, freezePolicy.id)
    .map(toFreezeAction)
    .filter((a) => a.targetIds.includes(account.id));
  const base = {
    account: { id: account.id, name: account.name, key: account.key },
    freezePolicy,
    by: caller.arn,
    at: now.toISOString(),
    reason,
  };
  const who = `${account.name} (${account.id})`;

  if (!frozen) {
    const stale = actions.find((a) => a.status === "EXECUTION_SUCCESS");
    return {
      ...base,
      outcome: "not-frozen",
      method: null,
      budgetAction: null,
      message:
        `${who} is not frozen: ${freezePolicy.name} is not attached to it. ` +
        `Nothing to do; nothing was changed.`,
      notes: stale
        ? [
            `Budget ${stale.budgetName} still reports its freeze action as EXECUTION_SUCCESS: ` +
              `the SCP was detached outside AWS Budgets.`,
          ]
        : [],
    };
  }

  const busy = actions.find((a) => IN_PROGRESS.has(a.status));
  if (busy) {
    throw new OpsError(
      `The freeze action of budget ${busy.budgetName} is ${busy.status}: AWS Budgets is changing ${who} right now. ` +
        `Wait a minute, check \`npm run ops -- freeze status\`, then try again. Nothing was changed.`,
    );
  }
  // A failed action may or may not have attached the SCP (or failed to detach it): detaching it
  // here would record the freeze as one no budget action applied, behind AWS Budgets' back.
  const failed = actions.find((a) => a.status.endsWith("_FAILURE"));
  if (failed) {
    throw new OpsError(
      `The freeze action of budget ${failed.budgetName} is ${failed.status}: AWS Budgets did not finish ` +
        `changing ${who}, so the tool cannot tell whether the attached ${freezePolicy.name} is that action's ` +
        `freeze. Check the action's history in the AWS Budgets console and lift the freeze there. ` +
        `Nothing was changed.`,
    );
  }
  const applied = actions.filter((a) => a.status === "EXECUTION_SUCCESS");
  if (applied.length > 1) {
    throw new OpsError(
      `${applied.length} budget actions (${applied.map((a) => a.budgetName).join(", ")}) report that they froze ${who}; ` +
        `reverse them in the AWS Budgets console one by one. Nothing was changed.`,
    );
  }
  const action = applied[0];
  if (action && action.targetIds.length > 1) {
    const others = action.targetIds
      .filter((id) => id !== account.id)
      .map((id) => accountLabel(tree, id));
    throw new OpsError(
      `The freeze action of budget ${action.budgetName} also froze ${others.join(", ")}; reversing it would ` +
        `unfreeze them too. Reverse it in the AWS Budgets console if that is intended. Nothing was changed.`,
    );
  }
  const method = action ? "reverse-budget-action" : "detach-policy";
  const plan = action
    ? `reverse the freeze action ${action.actionId} of budget ${action.budgetName} ` +
      `(AWS Budgets then detaches ${freezePolicy.name} from ${who})`
    : `detach ${freezePolicy.name} from ${who} (no budget action applied this freeze)`;
  const budgetAction = action
    ? {
        budgetName: action.budgetName,
        actionId: action.actionId,
        statusBefore: action.status,
        statusAfter: null,
      }
    : null;

  if (!request.yes) {
    const why = opts.isTTY ? "" : " (not an interactive terminal: nobody can confirm)";
    return {
      ...base,
      outcome: "refused",
      method,
      budgetAction,
      message:
        `Refusing to unfreeze without --yes${why}. This would ${plan}. ` +
        `Re-run with --yes to do it. Nothing was changed.`,
      notes: [],
    };
  }

  if (action) {
    await aws.call(
      "budgets:ExecuteBudgetAction",
      () =>
        aws.clients.budgets.send(
          new ExecuteBudgetActionCommand({
            AccountId: caller.managementAccountId,
            BudgetName: action.budgetName,
            ActionId: action.actionId,
            ExecutionType: "REVERSE_BUDGET_ACTION",
          }),
        ),
      { write: true },
    );
    // The reversal is asynchronous. The change is made by now, so a failure to observe it is a
    // note, never an error that would suggest nothing happened.
    const notes: string[] = [];
    let statusAfter: string | null = null;
    try {
      statusAfter = await waitForReversal(aws, caller.managementAccountId, action, opts);
    } catch (err) {
      notes.push(`Could not follow the reversal: ${(err as Error).message}`);
    }
    if (statusAfter === "REVERSE_FAILURE") {
      throw new OpsError(
        `AWS Budgets accepted the reversal of budget ${action.budgetName}'s freeze action but ` +
          `reports REVERSE_FAILURE; ${who} is still frozen. Check the action's history in the AWS ` +
          `Budgets console (its execution role ${expected.ctx.budgetActionRoleName} must be allowed ` +
          `to detach ${freezePolicy.name}), then retry the reversal there.`,
      );
    }
    const done = statusAfter === "REVERSE_SUCCESS";
    return {
      ...base,
      outcome: done ? "reversed" : "reversal-pending",
      method,
      budgetAction: { ...budgetAction!, statusAfter },
      message: done
        ? `Unfroze ${who}: AWS Budgets reversed the freeze action of budget ${action.budgetName}.`
        : `Asked AWS Budgets to reverse the freeze action of budget ${action.budgetName}; it is still ` +
          `${statusAfter ?? "being reversed"}. Check with \`npm run ops -- freeze status\` in a minute.`,
      notes,
    };
  }

  try {
    await aws.call(
      "organizations:DetachPolicy",
      () =>
        aws.clients.organizations.send(
          new DetachPolicyCommand({ PolicyId: freezePolicy.id, TargetId: account.id }),
        ),
      { write: true },
    );
  } catch (err) {
    if (err instanceof OpsError && err.awsErrorName === "PolicyNotAttachedException") {
      return {
        ...base,
        outcome: "not-frozen",
        method,
        budgetAction: null,
        message:
          `${who} is no longer frozen: ${freezePolicy.name} was detached by someone else ` +
          `meanwhile. Nothing was changed.`,
        notes: [],
      };
    }
    throw err;
  }
  return {
    ...base,
    outcome: "detached",
    method,
    budgetAction: null,
    message: `Unfroze ${who}: detached ${freezePolicy.name}, which no budget action had applied.`,
    notes: [],
  };
}

export function renderUnfreeze(r: UnfreezeResult): string {
  const out = [r.message];
  if (r.outcome === "reversed" || r.outcome === "reversal-pending" || r.outcome === "detached") {
    const how =
      r.method === "reverse-budget-action"
        ? `reversed budget action ${r.budgetAction!.actionId} of budget ${r.budgetAction!.budgetName} ` +
          `(${r.budgetAction!.statusBefore} -> ${r.budgetAction!.statusAfter ?? "REVERSE_IN_PROGRESS"})`
        : `detached ${r.freezePolicy.name} (${r.freezePolicy.id}) with organizations:DetachPolicy`;
    out.push(
      `  who:  ${r.by}`,
      `  when: ${r.at}`,
      `  why:  ${r.reason}`,
      `  how:  ${how}`,
      "Keep this record with the ticket: CloudTrail logs the call and the caller, not the reason.",
    );
    if (r.account.key) {
      out.push(
        `If ${r.account.key} needs more money this period, raise platform:budgets.accounts.${r.account.key}.amount ` +
          "in org/Pulumi.management.yaml and run `pulumi up` in org/.",
      );
    }
  }
  out.push(...r.notes.map((n) => `Note: ${n}`));
  return out.join("\n");
}
