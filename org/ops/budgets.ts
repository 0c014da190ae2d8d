/**
 * `budgets`: every budget of the management account with its limit, actual and forecasted spend,
 * the share of the limit used and a text bar. Read-only.
 */
import { ListAccountsCommand } from "@aws-sdk/client-organizations";
import { AwsCalls } from "./aws";
import { ExpectedState } from "./expected";
import {
  accountKeyOf,
  budgetFigures,
  BudgetFigures,
  CallerInfo,
  identifyCaller,
  listBudgets,
  percentOf,
} from "./live";
import { formatMoney, formatPercent, renderTable, spendBar } from "./render";

export interface BudgetRow extends BudgetFigures {
  /** Names of the linked accounts; `["all accounts"]` for an organization-wide budget. */
  readonly accountNames: readonly string[];
  readonly percentActual: number | null;
  readonly percentForecasted: number | null;
}

export interface BudgetReport {
  readonly checkedAt: string;
  readonly caller: CallerInfo;
  readonly budgets: readonly BudgetRow[];
}

/** Account id to a readable name (`openems-dev`), from one paginated ListAccounts. */
async function accountNames(aws: AwsCalls, expected: ExpectedState): Promise<Map<string, string>> {
  const accounts = await aws.collect(
    "organizations:ListAccounts",
    (NextToken) => aws.clients.organizations.send(new ListAccountsCommand({ NextToken })),
    (r) => r.Accounts,
  );
  return new Map(
    accounts.map((a) => {
      const key = accountKeyOf({ name: a.Name ?? "", email: a.Email ?? "" }, expected.config);
      return [a.Id ?? "", a.Name ?? key ?? a.Id ?? ""];
    }),
  );
}

/** Organization-wide budgets first, then by name, so the total heads the table. */
function byScopeThenName(a: BudgetRow, b: BudgetRow): number {
  const scope = Number(a.accountIds.length > 0) - Number(b.accountIds.length > 0);
  return scope !== 0 ? scope : a.name.localeCompare(b.name);
}

export function budgetRow(figures: BudgetFigures, names: ReadonlyMap<string, string>): BudgetRow {
  return {
    ...figures,
    accountNames:
      figures.accountIds.length === 0
        ? ["all accounts"]
        : figures.accountIds.map((id) => names.get(id) ?? id),
    percentActual: percentOf(figures.actual, figures.limit),
    percentForecasted: percentOf(figures.forecasted, figures.limit),
  };
}

export async function getBudgetReport(
  aws: AwsCalls,
  expected: ExpectedState,
  now: Date,
): Promise<BudgetReport> {
  const caller = await identifyCaller(aws, expected.config);
  const budgets = await listBudgets(aws, caller.managementAccountId);
  const names = await accountNames(aws, expected);
  return {
    checkedAt: now.toISOString(),
    caller,
    budgets: budgets.map((b) => budgetRow(budgetFigures(b), names)).sort(byScopeThenName),
  };
}

export const BAR_LEGEND =
  "bar: # actual spend, + forecast to the end of the period, . rest of the limit, ! over the limit";

export function renderBudgetTable(rows: readonly BudgetRow[]): string {
  return renderTable(
    [
      { header: "BUDGET" },
      { header: "ACCOUNT" },
      { header: "LIMIT", align: "right" },
      { header: "ACTUAL", align: "right" },
      { header: "FORECAST", align: "right" },
      { header: "USED", align: "right" },
      { header: "SPEND" },
    ],
    rows.map((r) => [
      r.name,
      r.accountNames.join(", "),
      formatMoney(r.limit, r.unit),
      formatMoney(r.actual, r.unit),
      formatMoney(r.forecasted, r.unit),
      formatPercent(r.percentActual),
      spendBar(r.percentActual, r.percentForecasted),
    ]),
  );
}

export function renderBudgetReport(report: BudgetReport): string {
  const head =
    `Budgets in management account ${report.caller.managementAccountId} ` +
    `(organization ${report.caller.organizationId}) at ${report.checkedAt}`;
  if (report.budgets.length === 0) {
    return `${head}\n\nNo budgets found. Deploy the org stack to create them.`;
  }
  const over = report.budgets.filter((b) => (b.percentActual ?? 0) > 100);
  const summary =
    over.length === 0
      ? `${report.budgets.length} budgets, none over its limit.`
      : `${report.budgets.length} budgets, ${over.length} over the limit: ` +
        `${over.map((b) => b.name).join(", ")}.`;
  return [head, "", renderBudgetTable(report.budgets), "", BAR_LEGEND, summary].join("\n");
}
