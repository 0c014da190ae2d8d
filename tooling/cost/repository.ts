import type { StackPlan } from "../stack-plan";
import { validateOrgConfig, OrgConfig } from "../../lib/config/org";
import { ENVIRONMENTS, ORG_STACK_FILE, environmentFile, readStackFile } from "../../lib/repo";
import { BudgetSummary, checkOutputs, orgContract } from "../../lib/contracts";
import { budgetName } from "../../lib/names";
import {
  CostReport,
  estimateAccount,
  estimateEnvironment,
  estimateOrganization,
  priceTablesUsed,
} from "./estimate";
import { CostEstimate, HOURS_PER_MONTH, placements } from "./model";
import { PriceBook, loadPrices } from "./prices";
import { DEFAULT_USAGE, usageFromConfig } from "./usage";

/**
 * The repository's own inputs to the cost model: the org stack's planned `budgets` output, the org
 * config (accounts), each environment file (usage assumptions, account) and the price tables
 * beside this file.
 */

/** Account ids as the org plan's mocks gave them, by account key (matched on the configured name). */
function accountIdsFromPlan(config: OrgConfig, org: StackPlan | undefined): Record<string, string> {
  const ids: Record<string, string> = {};
  const accounts =
    org?.resources.filter((r) => r.type === "aws:organizations/account:Account") ?? [];
  for (const [key, a] of Object.entries(config["platform:accounts"])) {
    const r = accounts.find((x) => x.inputs.name === a.name);
    if (r?.id) ids[key] = r.id;
  }
  return ids;
}

/**
 * Every budget as the org stack's planned `budgets` output lists it, checked against the org
 * contract: the cost model reads what the org stack exports, as finance does, not the org program's
 * code. No org stack in `plans`: no budgets.
 */
export function repositoryBudgets(plans: readonly StackPlan[]): BudgetSummary[] {
  const org = plans.find((p) => p.project === "org");
  if (!org) return [];
  const budgetsOnly = {
    project: orgContract.project,
    shape: { budgets: orgContract.shape.budgets },
  };
  return checkOutputs(budgetsOnly, org.stackName, org.outputs).budgets;
}

export interface RepositoryCostOptions {
  readonly prices?: PriceBook;
  /** Config of an environment file, to estimate a fixture instead of the repository's file. */
  readonly environmentConfig?: (env: string) => Record<string, unknown>;
}

/** Estimates every environment in `plans`, the other accounts the org stack deploys into, and the organization. */
export function repositoryCostReport(
  plans: readonly StackPlan[],
  opts: RepositoryCostOptions = {},
): CostReport {
  const prices = opts.prices ?? loadPrices();
  const orgConfig = validateOrgConfig(readStackFile(ORG_STACK_FILE));
  const budgets = repositoryBudgets(plans);
  const prefix = orgConfig["platform:organization"].prefix;
  const accounts = orgConfig["platform:accounts"];
  const budgetOf = (key: string) =>
    budgets.find((b) => b.scope === "account" && b.name === budgetName(prefix, key));
  const estimates: CostEstimate[] = [];
  const envAccounts = new Set<string>();
  for (const env of ENVIRONMENTS) {
    if (!plans.some((p) => p.project !== "org" && p.stack === env)) continue;
    const config = opts.environmentConfig?.(env) ?? readStackFile(environmentFile(env));
    const usage = usageFromConfig(config, `Pulumi.${env}.yaml`);
    const key = ((config["platform:environment"] as { account?: string } | undefined)?.account ??
      env) as string;
    envAccounts.add(key);
    estimates.push(estimateEnvironment(env, plans, usage, prices, budgetOf(key)));
  }
  // The org stack's resources outside the environment accounts, by the account their provider targets.
  const org = plans.find((p) => p.project === "org");
  if (org) {
    const ids = accountIdsFromPlan(orgConfig, org);
    const used = new Set([...placements(org).values()].map((p) => p.accountId));
    estimates.push(
      estimateAccount("management", null, plans, DEFAULT_USAGE, prices, undefined, {
        isDefault: true,
      }),
    );
    for (const key of Object.keys(accounts)) {
      if (envAccounts.has(key)) continue;
      const id = ids[key] ?? null;
      if (!budgetOf(key) && !used.has(id)) continue;
      const estimate = estimateAccount(key, id, plans, DEFAULT_USAGE, prices, budgetOf(key));
      // An environment left out by --env: its $0.00 would read as "ok" though nothing was planned.
      estimates.push(accounts[key].environment ? { ...estimate, notPlanned: true } : estimate);
    }
  }
  const orgBudget = budgets.find((b) => b.scope === "organization");
  return {
    estimates,
    organization: estimateOrganization(estimates, orgBudget, DEFAULT_USAGE.warnShare),
    priceTables: priceTablesUsed(prices, estimates),
    hoursPerMonth: HOURS_PER_MONTH,
  };
}
