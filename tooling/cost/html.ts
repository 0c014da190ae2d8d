import type { BudgetSummary } from "../../lib/contracts";
import { CostReport } from "./estimate";
import { CostEstimate } from "./model";
import { PriceBook, findPrice } from "./prices";
import { percent, usd } from "./render";

/**
 * The finance report: one self-contained HTML page (inline CSS and SVG, no script, no font, no
 * remote reference), so it opens offline and can be mailed as a file. Every interpolated string is
 * escaped.
 */

export function escapeHtml(value: unknown): string {
  return String(value).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}
const e = escapeHtml;

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;margin:2rem auto;max-width:1200px;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}h3{margin:1.2rem 0 .4rem;font-size:1rem}
.meta{color:#57606a}table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;vertical-align:top;text-align:left}
th{background:#f6f8fa}td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}tr.total td{font-weight:600;background:#f6f8fa}
.ok{color:#1a7f37}.warn{color:#9a6700;font-weight:600}.over{color:#cf222e;font-weight:600}.note{color:#57606a;font-size:.9em}
ul.warnings li{color:#9a6700}ul.unpriced li{color:#cf222e}svg{display:block;margin:.5rem 0}
`;

function statusClass(c: CostEstimate["budget"]): string {
  return !c ? "note" : c.overLimit ? "over" : c.overWarn ? "warn" : "ok";
}
function statusText(c: CostEstimate["budget"]): string {
  return !c
    ? "no budget"
    : c.overLimit
      ? "over budget"
      : c.overWarn
        ? `over ${(c.warnShare * 100).toFixed(0)} % of budget`
        : "within budget";
}

/** Estimate against budget as two horizontal bars, with the warning share and the freeze point marked. */
export function budgetChart(
  est: Pick<CostEstimate, "environment" | "totalUsd" | "budget">,
): string {
  const W = 640;
  const left = 90;
  const right = 110;
  const bar = 22;
  const b = est.budget;
  const max = Math.max(est.totalUsd, b?.limit ?? 0, 1) * 1.05;
  const x = (v: number) => left + ((W - left - right) * v) / max;
  const fill = !b ? "#57606a" : b.overLimit ? "#cf222e" : b.overWarn ? "#bf8700" : "#2da44e";
  const parts: string[] = [];
  parts.push(`<text x="${left - 8}" y="25" text-anchor="end">estimate</text>`);
  parts.push(
    `<rect x="${left}" y="10" width="${(x(est.totalUsd) - left).toFixed(1)}" height="${bar}" fill="${fill}"/>`,
  );
  parts.push(`<text x="${(x(est.totalUsd) + 6).toFixed(1)}" y="25">${e(usd(est.totalUsd))}</text>`);
  if (b) {
    parts.push(`<text x="${left - 8}" y="59" text-anchor="end">budget</text>`);
    parts.push(
      `<rect x="${left}" y="44" width="${(x(b.limit) - left).toFixed(1)}" height="${bar}" fill="#d0d7de"/>`,
    );
    parts.push(`<text x="${(x(b.limit) + 6).toFixed(1)}" y="59">${e(usd(b.limit))}</text>`);
    const warnX = x(b.limit * b.warnShare).toFixed(1);
    parts.push(
      `<line x1="${warnX}" y1="4" x2="${warnX}" y2="72" stroke="#9a6700" stroke-dasharray="4 3"/>`,
    );
    parts.push(
      `<text x="${warnX}" y="86" text-anchor="middle" font-size="11" fill="#9a6700">warn ${e((b.warnShare * 100).toFixed(0))} %</text>`,
    );
    if (b.freezes && b.freezeAtPercent !== null) {
      const fx = x((b.limit * b.freezeAtPercent) / 100).toFixed(1);
      parts.push(`<line x1="${fx}" y1="4" x2="${fx}" y2="72" stroke="#cf222e"/>`);
      parts.push(
        `<text x="${fx}" y="98" text-anchor="middle" font-size="11" fill="#cf222e">freeze ${e(b.freezeAtPercent)} %</text>`,
      );
    }
  }
  const title = b
    ? `${est.environment}: ${usd(est.totalUsd)} of ${usd(b.limit)} (${percent(b.share)})`
    : `${est.environment}: ${usd(est.totalUsd)}, no budget`;
  return `<svg role="img" width="${W}" height="${b ? 104 : 40}" viewBox="0 0 ${W} ${b ? 104 : 40}" font-size="12"><title>${e(title)}</title>${parts.join("")}</svg>`;
}

function estimateSection(est: CostEstimate): string {
  const b = est.budget;
  const rows = [...est.items]
    .sort(
      (a, z) =>
        a.stack.localeCompare(z.stack) ||
        z.monthlyUsd - a.monthlyUsd ||
        a.resource.localeCompare(z.resource),
    )
    .map(
      (i) =>
        `<tr><td>${e(i.stack)}</td><td>${e(i.resource)}</td><td><code>${e(i.type)}</code></td><td>${e(i.description)}</td><td class="num">${e(i.quantity.toLocaleString("en-US", { maximumFractionDigits: 4 }))}</td><td>${e(i.unit)}</td><td class="num">${e(`$${i.unitUsd}`)}</td><td class="num" data-usd="${e(i.monthlyUsd.toFixed(2))}">${e(usd(i.monthlyUsd))}</td></tr>`,
    );
  const heading =
    est.kind === "environment" ? `Environment ${est.environment}` : `Account ${est.environment}`;
  const account = est.accountName
    ? ` <span class="meta">(${e(est.accountName)}${est.accountId ? ` ${e(est.accountId)}` : ""})</span>`
    : "";
  const out: string[] = [];
  out.push(
    `<section id="${e(`scope-${est.environment}`)}" data-environment="${e(est.environment)}" data-total-usd="${e(est.totalUsd.toFixed(2))}"${b ? ` data-budget-usd="${e(b.limit.toFixed(2))}"` : ""}>`,
  );
  out.push(`<h2>${e(heading)}${account}</h2>`);
  out.push(
    `<p>Estimate <strong>${e(usd(est.totalUsd))}</strong> a month${b ? ` against budget <code>${e(b.name)}</code> of ${e(usd(b.limit))}: ${e(percent(b.share))}, <span class="${statusClass(b)}">${e(statusText(b))}</span> (warning above ${e((b.warnShare * 100).toFixed(0))} %)` : `, <span class="note">${e(est.kind === "environment" ? "no account budget" : "no account budget: counted in the organization budget")}</span>`}. Regions: ${e(est.regions.join(", ") || "none")}.</p>`,
  );
  out.push(budgetChart(est));
  if (est.warnings.length)
    out.push(`<ul class="warnings">${est.warnings.map((w) => `<li>${e(w)}</li>`).join("")}</ul>`);
  out.push(`<h3>Itemised monthly estimate</h3>`);
  out.push(
    `<table class="items"><thead><tr><th>stack</th><th>resource</th><th>type</th><th>what is charged</th><th class="num">quantity</th><th>unit</th><th class="num">unit price</th><th class="num">monthly</th></tr></thead><tbody>${rows.join("") || `<tr><td colspan="8" class="note">nothing priced</td></tr>`}<tr class="total"><td colspan="7">total</td><td class="num" data-total-usd="${e(est.totalUsd.toFixed(2))}">${e(usd(est.totalUsd))}</td></tr></tbody></table>`,
  );
  if (est.unpriced.length) {
    out.push(
      `<h3>Not priced, not counted in the total</h3><ul class="unpriced">${est.unpriced.map((u) => `<li><code>${e(u.type)}</code> ${e(u.resource)} (${e(u.stack)}): ${e(u.reason)}</li>`).join("")}</ul>`,
    );
  }
  if (est.free.length) {
    out.push(
      `<h3>No charge</h3><table class="free"><thead><tr><th>type</th><th class="num">count</th><th>why</th></tr></thead><tbody>${est.free.map((f) => `<tr><td><code>${e(f.type)}</code></td><td class="num">${e(f.count)}</td><td>${e(f.reason)}</td></tr>`).join("")}</tbody></table>`,
    );
  }
  out.push(`</section>`);
  return out.join("\n");
}

function budgetsTable(budgets: readonly BudgetSummary[]): string {
  const rows = budgets.map((b) => {
    const thresholds = b.thresholds.map((t) => `${t.percent} % ${t.type}`).join(", ");
    const freeze = b.freezes ? `yes, freeze SCP at ${b.freezeAtPercent} % of actual spend` : "no";
    return `<tr data-budget="${e(b.name)}"><td><code>${e(b.name)}</code></td><td>${e(b.scope)}</td><td>${e(b.accountName)}</td><td>${e(b.accountId)}</td><td class="num" data-limit-usd="${e(b.limit.toFixed(2))}">${e(usd(b.limit))} ${e(b.currency)}</td><td>${e(thresholds)}</td><td>${e(b.subscribers.join(", "))}</td><td>${e(freeze)}</td></tr>`;
  });
  return `<table class="budgets"><thead><tr><th>budget</th><th>scope</th><th>account</th><th>account id</th><th class="num">monthly limit</th><th>alert thresholds</th><th>notified</th><th>freezes</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function pricesTable(report: CostReport, prices: PriceBook | undefined): string {
  if (!prices) return "";
  const used = new Map<string, { region: string; key: string }>();
  for (const est of report.estimates)
    for (const i of est.items)
      used.set(`${i.region} ${i.priceKey}`, { region: i.region, key: i.priceKey });
  const rows = [...used.values()]
    .sort((a, b) => a.region.localeCompare(b.region) || a.key.localeCompare(b.key))
    .map(({ region, key }) => {
      const p = findPrice(prices, region, key)!;
      // Sources are shown as text, not links: the page must reference nothing remote.
      return `<tr><td>${e(region)}</td><td><code>${e(p.key)}</code></td><td>${e(p.description)}</td><td class="num">${e(`$${p.usd}`)}</td><td>${e(p.unit)}</td><td>${e(p.readOn)}</td><td class="note">${e(p.source)}</td><td class="note">${e(p.note ?? "")}</td></tr>`;
    });
  return `<h2>Prices used</h2><p class="meta">From ${report.priceTables.map((t) => `<code>${e(t.file)}</code>`).join(", ")}; the full tables hold every entry with its source.</p><table class="prices"><thead><tr><th>region</th><th>key</th><th>description</th><th class="num">USD</th><th>unit</th><th>read on</th><th>source</th><th>note</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

export interface ReportHtmlOptions {
  /** Shown in the header; default now. */
  readonly generatedAt?: Date;
  /** Price tables, to list every price the estimate used with its source. */
  readonly prices?: PriceBook;
}

/** The whole page: summary, one section per environment and account, budgets, prices used. */
export function renderReportHtml(
  report: CostReport,
  budgets: readonly BudgetSummary[],
  opts: ReportHtmlOptions = {},
): string {
  const generated = (opts.generatedAt ?? new Date()).toISOString();
  const o = report.organization;
  const summary = report.estimates
    .map(
      (est) =>
        `<tr data-summary="${e(est.environment)}"><td><a href="#${e(`scope-${est.environment}`)}">${e(est.environment)}</a></td><td>${e(est.kind)}</td><td class="num">${e(usd(est.totalUsd))}</td><td class="num">${est.budget ? e(usd(est.budget.limit)) : "-"}</td><td class="num">${est.budget ? e(percent(est.budget.share)) : "-"}</td><td class="${statusClass(est.budget)}">${e(statusText(est.budget))}${est.unpriced.length ? `, ${e(est.unpriced.length)} unpriced` : ""}</td></tr>`,
    )
    .join("");
  const orgRow = `<tr class="total" data-summary="organization"><td>organization</td><td>all accounts</td><td class="num" data-total-usd="${e(o.totalUsd.toFixed(2))}">${e(usd(o.totalUsd))}</td><td class="num">${o.budget ? e(usd(o.budget.limit)) : "-"}</td><td class="num">${o.budget ? e(percent(o.budget.share)) : "-"}</td><td class="${o.budget ? (o.budget.overWarn ? "warn" : "ok") : "note"}">${o.budget ? (o.budget.overWarn ? "over the warning share" : "within budget") : "no budget"}</td></tr>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Monthly cost estimate</title>
<style>${CSS}</style>
</head>
<body>
<h1>Monthly cost estimate</h1>
<p class="meta">From the offline plan (<code>npm run report</code>), generated ${e(generated)}. On-demand list prices, ${e(report.hoursPerMonth)} hours a month; usage assumptions from each environment file's <code>platform:cost</code> section. Free tiers are not subtracted. Resources listed as not priced are not in any total.</p>
<h2>Summary</h2>
<table class="summary"><thead><tr><th>scope</th><th>kind</th><th class="num">estimate</th><th class="num">budget</th><th class="num">share</th><th>status</th></tr></thead><tbody>${summary}${orgRow}</tbody></table>
${o.warnings.length ? `<ul class="warnings">${o.warnings.map((w) => `<li>${e(w)}</li>`).join("")}</ul>` : ""}
${report.estimates.map(estimateSection).join("\n")}
<h2>Budgets</h2>
<p class="meta">As the org stack's <code>budgets</code> output lists them (org/Pulumi.management.yaml): alerts go to the subscribers; accounts marked to freeze get the freeze SCP attached automatically at that share of actual spend.</p>
${budgetsTable(budgets)}
${pricesTable(report, opts.prices)}
</body>
</html>
`;
}
