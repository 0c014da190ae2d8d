import type { StackPlan } from "../stack-plan";
import type { BudgetSummary } from "../../lib/contracts";
import {
  BudgetCheck,
  Classifier,
  CostEstimate,
  CostItem,
  StackEstimate,
  budgetCheck,
  buildContext,
  environmentAccountIds,
  priceScope,
  scopeOf,
  totalOf,
  usdFromCents,
  cents,
  warningsFor,
} from "./model";
import { PriceBook, findPrice } from "./prices";
import { PLATFORM_CLASSIFIER } from "./rules";
import { Usage } from "./usage";

/** One stack on its own: cross-stack facts (public subnets of another stack) are not seen. */
export function estimateStack(
  plan: StackPlan,
  usage: Usage,
  prices: PriceBook,
  classifier: Classifier = PLATFORM_CLASSIFIER,
): StackEstimate {
  const scoped = scopeOf([plan], () => true);
  const ctx = buildContext(scoped, [plan], usage);
  const r = priceScope(scoped, ctx, prices, classifier);
  return { stack: `${plan.project}/${plan.stack}`, ...r, totalUsd: totalOf(r.items) };
}

/**
 * An environment's monthly estimate: every resource of its network, workloads and edge stacks, plus
 * what the org stack creates inside its account (so the total is what its account budget sees),
 * compared with that budget.
 */
export function estimateEnvironment(
  env: string,
  plans: readonly StackPlan[],
  usage: Usage,
  prices: PriceBook,
  budget: BudgetSummary | null | undefined,
  classifier: Classifier = PLATFORM_CLASSIFIER,
): CostEstimate {
  const own = plans.filter((p) => p.project !== "org" && p.stack === env);
  if (!own.length)
    throw new Error(
      `no planned stacks for environment "${env}" (plan network/${env}, workloads/${env} and edge/${env} first)`,
    );
  const accounts = new Set(environmentAccountIds(env, plans));
  const scoped = scopeOf(plans, (plan, _r, accountId) =>
    plan.project !== "org" ? plan.stack === env : accountId !== null && accounts.has(accountId),
  );
  const ctx = buildContext(scoped, own, usage);
  const priced = priceScope(scoped, ctx, prices, classifier);
  const region = scoped.find((s) => s.plan.project !== "org")?.region ?? "us-east-1";
  for (const extra of classifier.environmentItems?.(ctx, own) ?? []) {
    for (const d of extra.drafts) {
      const p = findPrice(prices, region, d.priceKey);
      const at = {
        stack: extra.stack,
        resource: `(${extra.label})`,
        urn: `${extra.stack}::usage::${extra.label}`,
        type: "usage",
        region,
      };
      if (!p)
        priced.unpriced.push({
          ...at,
          reason: `no price "${d.priceKey}" in tooling/cost/prices.${region}.json`,
        });
      else
        priced.items.push({
          ...at,
          description: d.description,
          quantity: d.quantity,
          unit: p.unit,
          unitUsd: p.usd,
          priceKey: d.priceKey,
          monthlyUsd: usdFromCents(cents(d.quantity * p.usd)),
        });
    }
  }
  const totalUsd = totalOf(priced.items);
  const check = budgetCheck(totalUsd, budget, usage.warnShare);
  const estimate: CostEstimate = {
    environment: env,
    kind: "environment",
    accountId: [...accounts][0] ?? budget?.accountId ?? null,
    accountName: budget?.accountName ?? null,
    regions: [...new Set(scoped.map((s) => s.region))].sort(),
    ...priced,
    totalUsd,
    budget: check,
    warnShare: usage.warnShare,
    warnings: [],
    usage,
  };
  estimate.warnings = warningsFor(estimate);
  return estimate;
}

/** An account no environment deploys into (management, log archive, sandbox): what the org stack puts there. */
export function estimateAccount(
  key: string,
  accountId: string | null,
  plans: readonly StackPlan[],
  usage: Usage,
  prices: PriceBook,
  budget: BudgetSummary | null | undefined,
  opts: { isDefault?: boolean; classifier?: Classifier } = {},
): CostEstimate {
  const org = plans.filter((p) => p.project === "org");
  const scoped = scopeOf(org, (_p, _r, id) =>
    opts.isDefault ? id === null || id === accountId : id !== null && id === accountId,
  );
  const ctx = buildContext(scoped, org, usage);
  const priced = priceScope(scoped, ctx, prices, opts.classifier ?? PLATFORM_CLASSIFIER);
  const totalUsd = totalOf(priced.items);
  const estimate: CostEstimate = {
    environment: key,
    kind: "account",
    accountId,
    accountName: budget?.accountName ?? null,
    regions: [...new Set(scoped.map((s) => s.region))].sort(),
    ...priced,
    totalUsd,
    budget: budgetCheck(totalUsd, budget, usage.warnShare),
    warnShare: usage.warnShare,
    warnings: [],
    usage,
  };
  estimate.warnings = warningsFor(estimate);
  return estimate;
}

export interface OrganizationEstimate {
  totalUsd: number;
  budget: BudgetCheck | null;
  unpricedCount: number;
  warnings: string[];
}

/** Everything together against the organization budget. */
export function estimateOrganization(
  estimates: readonly CostEstimate[],
  budget: BudgetSummary | null | undefined,
  warnShare: number,
): OrganizationEstimate {
  const totalUsd = usdFromCents(estimates.reduce((s, e) => s + cents(e.totalUsd), 0));
  const check = budgetCheck(totalUsd, budget, warnShare);
  const warnings: string[] = [];
  if (check?.overWarn)
    warnings.push(
      `organization: estimate $${totalUsd.toFixed(2)} a month is ${(check.share * 100).toFixed(1)} % of budget ${check.name} ($${check.limit.toFixed(2)})`,
    );
  return {
    totalUsd,
    budget: check,
    unpricedCount: estimates.reduce((n, e) => n + e.unpriced.length, 0),
    warnings,
  };
}

/** The whole result `npm run plan` and `npm run report` print. */
export interface CostReport {
  estimates: CostEstimate[];
  organization: OrganizationEstimate;
  /** Tables used, for the reader to check: region, file, when the figures were read. */
  priceTables: { region: string; file: string; readOn: string[]; entries: number }[];
  hoursPerMonth: number;
}

export function priceTablesUsed(
  prices: PriceBook,
  estimates: readonly CostEstimate[],
): CostReport["priceTables"] {
  const regions = new Set(estimates.flatMap((e) => e.items.map((i: CostItem) => i.region)));
  return Object.values(prices.tables)
    .filter((t) => regions.has(t.region))
    .map((t) => ({
      region: t.region,
      file: `tooling/cost/prices.${t.region}.json`,
      readOn: [...new Set(t.prices.map((p) => p.readOn))].sort(),
      entries: t.prices.length,
    }));
}
