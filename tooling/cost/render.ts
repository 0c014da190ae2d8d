import { CostReport } from "./estimate";
import { CostEstimate } from "./model";

export const usd = (n: number): string =>
  `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
export const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;
const unitPrice = (n: number): string =>
  `$${n.toLocaleString("en-US", { maximumFractionDigits: 10 })}`;
const qty = (n: number): string => n.toLocaleString("en-US", { maximumFractionDigits: 4 });

function status(e: Pick<CostEstimate, "budget" | "unpriced" | "notPlanned">): string {
  if (e.notPlanned) return "not planned";
  if (!e.budget) return "no budget";
  const s = e.budget.overLimit
    ? "OVER BUDGET"
    : e.budget.overWarn
      ? `WARN (over ${(e.budget.warnShare * 100).toFixed(0)} %)`
      : "ok";
  return e.unpriced.length ? `${s}, ${e.unpriced.length} unpriced` : s;
}

function heading(e: CostEstimate): string {
  const who =
    e.kind === "environment" ? `environment ${e.environment}` : `account ${e.environment}`;
  const account = e.accountName ? ` (${e.accountName}${e.accountId ? ` ${e.accountId}` : ""})` : "";
  const budget = e.budget
    ? `budget ${e.budget.name}: ${usd(e.budget.limit)} a month, warn above ${(e.budget.warnShare * 100).toFixed(0)} % = ${usd(e.budget.limit * e.budget.warnShare)}`
    : e.kind === "environment"
      ? "no account budget"
      : "no account budget (counted in the organization budget)";
  return `${who}${account}, ${e.regions.join(", ") || "no resources"}; ${budget}`;
}

/** The plan's human output for money: per environment an itemised monthly estimate, total, budget and warnings. */
export function renderCostText(report: CostReport): string {
  const out: string[] = [];
  const tables = report.priceTables
    .map((t) => `${t.file} (read ${t.readOn.join(", ")})`)
    .join("; ");
  out.push(
    `\nMonthly cost estimate: on-demand list prices, ${report.hoursPerMonth} h a month, usage assumptions from each environment's platform:cost`,
  );
  out.push(`  prices: ${tables || "none used"}`);
  for (const e of report.estimates) {
    out.push(`\n${heading(e)}`);
    const rows = [...e.items].sort(
      (a, b) =>
        a.stack.localeCompare(b.stack) ||
        b.monthlyUsd - a.monthlyUsd ||
        a.resource.localeCompare(b.resource),
    );
    const width = Math.max(8, ...rows.map((i) => usd(i.monthlyUsd).length));
    for (const i of rows) {
      out.push(
        `  ${usd(i.monthlyUsd).padStart(width)}  ${i.stack} ${i.resource}: ${i.description} [${qty(i.quantity)} × ${unitPrice(i.unitUsd)}/${i.unit}]`,
      );
    }
    if (!rows.length) out.push("  (nothing priced)");
    const share = e.budget ? ` = ${percent(e.budget.share)} of ${usd(e.budget.limit)}` : "";
    out.push(`  ${"-".repeat(width)}`);
    out.push(`  ${usd(e.totalUsd).padStart(width)}  total a month${share}  [${status(e)}]`);
    const freeCount = e.free.reduce((n, f) => n + f.count, 0);
    if (freeCount)
      out.push(
        `  free: ${freeCount} resource(s) of ${e.free.length} type(s) with no charge (listed with reasons in --json)`,
      );
    if (e.unpriced.length) {
      out.push("  unpriced, NOT counted in the total:");
      for (const u of e.unpriced) out.push(`    ${u.type} ${u.resource} (${u.stack}): ${u.reason}`);
    }
    for (const w of e.warnings) out.push(`  WARNING: ${w}`);
  }
  out.push("\nSummary");
  const envWidth = Math.max(12, ...report.estimates.map((e) => e.environment.length));
  out.push(
    `  ${"scope".padEnd(envWidth)}  ${"estimate".padStart(10)}  ${"budget".padStart(10)}  ${"share".padStart(8)}  status`,
  );
  for (const e of report.estimates) {
    out.push(
      `  ${e.environment.padEnd(envWidth)}  ${(e.notPlanned ? "-" : usd(e.totalUsd)).padStart(10)}  ${(e.budget ? usd(e.budget.limit) : "-").padStart(10)}  ${(e.budget && !e.notPlanned ? percent(e.budget.share) : "-").padStart(8)}  ${status(e)}`,
    );
  }
  const o = report.organization;
  out.push(
    `  ${"organization".padEnd(envWidth)}  ${usd(o.totalUsd).padStart(10)}  ${(o.budget ? usd(o.budget.limit) : "-").padStart(10)}  ${(o.budget ? percent(o.budget.share) : "-").padStart(8)}  ${o.budget ? (o.budget.overWarn ? "WARN" : "ok") : "no budget"}${o.unpricedCount ? `, ${o.unpricedCount} unpriced` : ""}`,
  );
  for (const w of o.warnings) out.push(`  WARNING: ${w}`);
  return out.join("\n");
}

/** The `cost` part of `npm run plan -- --json`: the same figures as the text, for tests and reviewers. */
export function costDocument(report: CostReport) {
  return {
    hoursPerMonth: report.hoursPerMonth,
    priceTables: report.priceTables,
    environments: report.estimates.map((e) => ({
      environment: e.environment,
      kind: e.kind,
      accountId: e.accountId,
      accountName: e.accountName,
      regions: e.regions,
      items: e.items.map((i) => ({
        stack: i.stack,
        resource: i.resource,
        urn: i.urn,
        type: i.type,
        description: i.description,
        quantity: i.quantity,
        unit: i.unit,
        unitUsd: i.unitUsd,
        priceKey: i.priceKey,
        monthlyUsd: i.monthlyUsd,
      })),
      unpriced: e.unpriced,
      free: e.free,
      totalUsd: e.totalUsd,
      budget: e.budget && {
        name: e.budget.name,
        limit: e.budget.limit,
        currency: e.budget.currency,
        share: Math.round(e.budget.share * 10_000) / 10_000,
        warnShare: e.budget.warnShare,
        overWarn: e.budget.overWarn,
        overLimit: e.budget.overLimit,
      },
      warnings: e.warnings,
      usage: e.usage,
    })),
    organization: {
      totalUsd: report.organization.totalUsd,
      budget: report.organization.budget && {
        name: report.organization.budget.name,
        limit: report.organization.budget.limit,
        currency: report.organization.budget.currency,
        share: Math.round(report.organization.budget.share * 10_000) / 10_000,
        warnShare: report.organization.budget.warnShare,
        overWarn: report.organization.budget.overWarn,
      },
      unpricedCount: report.organization.unpricedCount,
      warnings: report.organization.warnings,
    },
  };
}
