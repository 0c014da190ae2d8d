import type { PlannedResource, StackPlan } from "../stack-plan";
import type { BudgetSummary } from "../../lib/contracts";
import { PriceBook, PriceEntry, findPrice } from "./prices";
import { Usage } from "./usage";

/**
 * The cost model: every resource of a plan is either priced by a rule (which reads its planned
 * inputs), free for a stated reason, or listed as unpriced. Nothing is silently counted as zero.
 */

/** One line of the itemised estimate: quantity × unit price, for one resource. */
export interface CostItem {
  /** `<project>/<stack>` the resource belongs to. */
  stack: string;
  resource: string;
  urn: string;
  type: string;
  /** What is charged and how the quantity was derived from the plan or the usage assumptions. */
  description: string;
  quantity: number;
  unit: string;
  unitUsd: number;
  priceKey: string;
  region: string;
  /** quantity × unitUsd, rounded to the cent; totals add these up exactly. */
  monthlyUsd: number;
}

export interface UnpricedResource {
  stack: string;
  resource: string;
  urn: string;
  type: string;
  reason: string;
}

/** Resources with no charge, by type, with the reason. */
export interface FreeResources {
  type: string;
  count: number;
  reason: string;
}

export interface BudgetCheck {
  name: string;
  accountName: string;
  limit: number;
  currency: string;
  /** Estimate ÷ limit. */
  share: number;
  warnShare: number;
  /** The estimate is above warnShare × limit. */
  overWarn: boolean;
  overLimit: boolean;
  thresholds: { percent: number; type: "actual" | "forecasted" }[];
  freezes: boolean;
  freezeAtPercent: number | null;
}

export interface CostEstimate {
  /** dev, stage, prod; or the account key for accounts no environment deploys into. */
  environment: string;
  kind: "environment" | "account";
  accountId: string | null;
  accountName: string | null;
  regions: string[];
  items: CostItem[];
  unpriced: UnpricedResource[];
  free: FreeResources[];
  totalUsd: number;
  budget: BudgetCheck | null;
  warnShare: number;
  /** Sentences for people: over the warn share, unpriced resources, no budget. */
  warnings: string[];
  usage: Usage;
  /** An environment's account whose stacks this plan did not include (`--env` limited it). */
  notPlanned?: boolean;
}

export interface StackEstimate {
  stack: string;
  items: CostItem[];
  unpriced: UnpricedResource[];
  free: FreeResources[];
  totalUsd: number;
}

/** What a rule asks to charge; the engine looks the price up in the resource's region. */
export interface ItemDraft {
  description: string;
  quantity: number;
  priceKey: string;
}
export type RuleResult = ItemDraft[] | { unpriced: string } | { free: string };

/** A scoped view of the plan that rules read. */
export interface RuleContext {
  readonly usage: Usage;
  readonly hoursPerMonth: number;
  /** Every resource in scope (all stacks of one environment, or one stack). */
  readonly resources: readonly PlannedResource[];
  /** Stack outputs in scope, by project. */
  readonly outputs: Readonly<Record<string, Record<string, unknown>>>;
  ofType(...types: string[]): PlannedResource[];
  /** The resource whose mock id is `id`, if it is in scope. */
  byId(id: unknown): PlannedResource | undefined;
  /** Subnets instances get a public IPv4 in by default (awsx public subnets, mapPublicIpOnLaunch). */
  readonly publicSubnetIds: ReadonlySet<string>;
}

export type PricingRule = (r: PlannedResource, ctx: RuleContext) => RuleResult;

export const HOURS_PER_MONTH = 730;
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

export const cents = (usd: number): number => Math.round(usd * 100);
export const usdFromCents = (c: number): number => c / 100;

/** Provider inputs of object type reach the mocks JSON-encoded; resource inputs do not. */
function decoded(v: unknown): any {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

interface Placement {
  accountId: string | null;
  region: string | null;
}

/** Account and region of each resource, from the explicit provider it was registered with. */
export function placements(plan: StackPlan): Map<string, Placement> {
  const providers = new Map<string, Placement>();
  for (const r of plan.resources) {
    if (r.type !== "pulumi:providers:aws") continue;
    const allowed = decoded(r.inputs.allowedAccountIds) as string[] | undefined;
    const roles = decoded(r.inputs.assumeRoles) as { roleArn?: string }[] | undefined;
    const fromRole = roles?.[0]?.roleArn?.split(":")[4];
    providers.set(r.urn, {
      accountId: allowed?.[0] ?? fromRole ?? null,
      region: typeof r.inputs.region === "string" ? r.inputs.region : null,
    });
  }
  const defaultProvider = [...providers.values()].find((p) => p.region) ?? {
    accountId: null,
    region: null,
  };
  const out = new Map<string, Placement>();
  for (const r of plan.resources) {
    const p = r.provider ? providers.get(r.provider) : undefined;
    out.set(r.urn, {
      accountId: p?.accountId ?? null,
      region: p?.region ?? defaultProvider.region,
    });
  }
  return out;
}

/** The account ids an environment's own stacks deploy into. */
export function environmentAccountIds(env: string, plans: readonly StackPlan[]): string[] {
  const ids = new Set<string>();
  for (const p of plans.filter((p) => p.project !== "org" && p.stack === env)) {
    for (const pl of placements(p).values()) if (pl.accountId) ids.add(pl.accountId);
  }
  return [...ids];
}

interface Scoped {
  plan: StackPlan;
  resource: PlannedResource;
  region: string;
}

export function buildContext(
  scoped: readonly Scoped[],
  plans: readonly StackPlan[],
  usage: Usage,
): RuleContext {
  const resources = scoped.map((s) => s.resource);
  const ids = new Map<string, PlannedResource>();
  for (const r of resources) if (r.id) ids.set(r.id, r);
  const publicSubnetIds = new Set<string>();
  for (const r of resources) {
    if (r.type === "awsx:ec2:Vpc")
      for (const id of (r.state.publicSubnetIds as string[] | undefined) ?? [])
        publicSubnetIds.add(id);
    if (r.type === "aws:ec2/subnet:Subnet" && r.inputs.mapPublicIpOnLaunch === true && r.id)
      publicSubnetIds.add(r.id);
  }
  const outputs: Record<string, Record<string, unknown>> = {};
  for (const p of plans) outputs[p.project] = p.outputs;
  return {
    usage,
    hoursPerMonth: HOURS_PER_MONTH,
    resources,
    outputs,
    ofType: (...types) => resources.filter((r) => types.includes(r.type)),
    byId: (id) => (typeof id === "string" ? ids.get(id) : undefined),
    publicSubnetIds,
  };
}

export interface Classifier {
  rules: Readonly<Record<string, PricingRule>>;
  free(type: string): string | undefined;
  /** Items that belong to the environment rather than to one resource (metrics hosts publish). */
  environmentItems?(
    ctx: RuleContext,
    plans: readonly StackPlan[],
  ): { stack: string; label: string; drafts: ItemDraft[] }[];
}

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

function priceItems(
  drafts: ItemDraft[],
  at: { stack: string; resource: string; urn: string; type: string; region: string },
  prices: PriceBook,
): { items: CostItem[] } | { missing: string } {
  const items: CostItem[] = [];
  for (const d of drafts) {
    const p: PriceEntry | undefined = findPrice(prices, at.region, d.priceKey);
    if (!p) return { missing: `no price "${d.priceKey}" in tooling/cost/prices.${at.region}.json` };
    items.push({
      ...at,
      description: d.description,
      quantity: round4(d.quantity),
      unit: p.unit,
      unitUsd: p.usd,
      priceKey: d.priceKey,
      monthlyUsd: usdFromCents(cents(d.quantity * p.usd)),
    });
  }
  return { items };
}

/** Prices every scoped resource with `classifier`; the core of every estimate. */
export function priceScope(
  scoped: readonly Scoped[],
  ctx: RuleContext,
  prices: PriceBook,
  classifier: Classifier,
): Omit<StackEstimate, "stack" | "totalUsd"> {
  const items: CostItem[] = [];
  const unpriced: UnpricedResource[] = [];
  const free = new Map<string, FreeResources>();
  // A component's children may sit in another account's scope (the org stack's per-account roles).
  const plans = new Set(scoped.map((s) => s.plan));
  const parents = new Set(
    [...plans].flatMap((p) => p.resources.map((r) => r.parent)).filter((p): p is string => !!p),
  );
  const addFree = (type: string, reason: string) => {
    const key = `${type}\u0000${reason}`;
    const f = free.get(key) ?? { type, count: 0, reason };
    f.count++;
    free.set(key, f);
  };
  for (const { plan, resource: r, region } of scoped) {
    const at = {
      stack: `${plan.project}/${plan.stack}`,
      resource: r.name,
      urn: r.urn,
      type: r.type,
      region,
    };
    const rule = classifier.rules[r.type];
    if (rule) {
      let result: RuleResult;
      try {
        result = rule(r, ctx);
      } catch (err) {
        result = { unpriced: `pricing rule failed: ${(err as Error).message}` };
      }
      if ("unpriced" in result) unpriced.push({ ...at, reason: result.unpriced });
      else if ("free" in result) addFree(r.type, result.free);
      else {
        const priced = priceItems(result, at, prices);
        if ("missing" in priced) unpriced.push({ ...at, reason: priced.missing });
        else items.push(...priced.items);
      }
      continue;
    }
    const reason = classifier.free(r.type);
    if (reason) addFree(r.type, reason);
    else if (!r.custom && parents.has(r.urn))
      addFree(r.type, "component: charges nothing itself; its child resources are itemised");
    else
      unpriced.push({
        ...at,
        reason: r.custom
          ? "no pricing rule for this type"
          : "remote component without a pricing rule: its resources are not registered in the plan",
      });
  }
  return { items, unpriced, free: [...free.values()].sort((a, b) => a.type.localeCompare(b.type)) };
}

export function totalOf(items: readonly CostItem[]): number {
  return usdFromCents(items.reduce((s, i) => s + cents(i.monthlyUsd), 0));
}

export function budgetCheck(
  totalUsd: number,
  row: BudgetSummary | undefined | null,
  warnShare: number,
): BudgetCheck | null {
  if (!row) return null;
  const share = row.limit > 0 ? totalUsd / row.limit : Infinity;
  return {
    name: row.name,
    accountName: row.accountName,
    limit: row.limit,
    currency: row.currency,
    share,
    warnShare,
    overWarn: share > warnShare,
    overLimit: share > 1,
    thresholds: row.thresholds,
    freezes: row.freezes,
    freezeAtPercent: row.freezeAtPercent,
  };
}

export function scopeOf(
  plans: readonly StackPlan[],
  include: (plan: StackPlan, r: PlannedResource, accountId: string | null) => boolean,
): Scoped[] {
  const out: Scoped[] = [];
  for (const plan of plans) {
    const where = placements(plan);
    for (const r of plan.resources) {
      const pl = where.get(r.urn)!;
      if (include(plan, r, pl.accountId))
        out.push({ plan, resource: r, region: pl.region ?? "us-east-1" });
    }
  }
  return out;
}

export function warningsFor(
  e: Pick<CostEstimate, "environment" | "totalUsd" | "budget" | "unpriced" | "kind">,
): string[] {
  const w: string[] = [];
  const usd = (n: number) => `$${n.toFixed(2)}`;
  if (e.budget?.overLimit) {
    w.push(
      `${e.environment}: estimate ${usd(e.totalUsd)} a month is above its whole budget ${e.budget.name} (${usd(e.budget.limit)})`,
    );
  } else if (e.budget?.overWarn) {
    w.push(
      `${e.environment}: estimate ${usd(e.totalUsd)} a month is ${(e.budget.share * 100).toFixed(1)} % of budget ${e.budget.name} (${usd(e.budget.limit)}); the warning share is ${(e.budget.warnShare * 100).toFixed(0)} % (platform:cost.warnShare)`,
    );
  }
  if (!e.budget && e.kind === "environment")
    w.push(
      `${e.environment}: no account budget found in org/Pulumi.management.yaml (platform:budgets.accounts)`,
    );
  if (e.unpriced.length)
    w.push(
      `${e.environment}: ${e.unpriced.length} resource(s) not priced and not counted in the total: ${[...new Set(e.unpriced.map((u) => u.type))].join(", ")}`,
    );
  return w;
}
