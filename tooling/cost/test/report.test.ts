import { nonEmpty } from "../../testing/non-empty";
import * as assert from "assert";
import type { BudgetSummary } from "../../../lib/contracts";
import { repositoryPlan } from "../../testing/harness";
import { CostReport, estimateEnvironment, estimateOrganization } from "../estimate";
import { escapeHtml, renderReportHtml } from "../html";
import { loadPrices } from "../prices";
import { repositoryBudgets, repositoryCostReport } from "../repository";
import { DEFAULT_USAGE } from "../usage";
import { planned, stackPlan } from "../../testing/planned";

const prices = loadPrices();

/** Values of every attribute that can load or link something, in the page's tags (escaped text has no tags). */
function references(html: string): string[] {
  const tags = html.match(/<[a-zA-Z][^>]*>/g) ?? [];
  return tags.flatMap((tag) =>
    [
      ...tag.matchAll(
        /\s(?:src|href|action|xlink:href|poster|data|srcset)\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/gi,
      ),
    ].map((m) => m[2] ?? m[3] ?? m[4]),
  );
}

function sectionOf(html: string, env: string): string {
  const m = new RegExp(`<section [^>]*data-environment="${env}"[\\s\\S]*?</section>`).exec(html);
  assert.ok(m, `no section for ${env}`);
  return m[0];
}

const budget = (name: string, limit: number, freezeAtPercent: number | null): BudgetSummary => ({
  name,
  scope: "account",
  accountName: "openems-dev",
  accountId: "222222222222",
  limit,
  currency: "USD",
  thresholds: [
    { percent: 50, type: "actual" },
    { percent: 100, type: "forecasted" },
  ],
  subscribers: ["finance@example.com"],
  freezes: freezeAtPercent !== null,
  freezeAtPercent,
});

function fixtureReport(resourceName = "vpn"): { report: CostReport; budgets: BudgetSummary[] } {
  const plan = stackPlan([
    planned("aws:ec2/instance:Instance", resourceName, {
      instanceType: "t4g.nano",
      rootBlockDevice: { volumeSize: 8 },
    }),
    planned("aws:wafv2/webAcl:WebAcl", "waf"),
  ]);
  const budgets = [budget("platform-dev-monthly", 5, 100)];
  const dev = estimateEnvironment("dev", [plan], DEFAULT_USAGE, prices, budgets[0]);
  return {
    report: {
      estimates: [dev],
      organization: estimateOrganization([dev], undefined, 0.8),
      priceTables: [
        {
          region: "us-east-1",
          file: "tooling/cost/prices.us-east-1.json",
          readOn: ["2026-11-22"],
          entries: 1,
        },
      ],
      hoursPerMonth: 730,
    },
    budgets,
  };
}

describe("Cost report (HTML)", () => {
  it("is one self-contained page: no script, no stylesheet or font from elsewhere, no remote reference", async () => {
    const { report, budgets } = fixtureReport();
    const html = renderReportHtml(report, budgets, {
      prices,
      generatedAt: new Date("2026-11-22T00:00:00Z"),
    });
    assert.match(html, /^<!doctype html>/);
    assert.doesNotMatch(html, /<script|<link|<iframe|@import|url\(/i);
    assert.deepStrictEqual(
      references(html).filter((r) => /^(https?:)?\/\//i.test(r)),
      [],
    );
    assert.ok(
      references(html).every((r) => r.startsWith("#")),
      references(html).join(", "),
    );
  });

  it("shows the estimate against the budget as bars, with the warning share and the freeze point", async () => {
    const { report, budgets } = fixtureReport();
    const section = sectionOf(renderReportHtml(report, budgets), "dev");
    // t4g.nano 3.07 + 8 GB gp3 0.64 = 3.71 of a $5 budget: 74.2 %, under the 80 % warning share.
    assert.match(section, /data-total-usd="3\.71"/);
    assert.match(section, /data-budget-usd="5\.00"/);
    assert.match(
      section,
      /<svg role="img"[^>]*><title>dev: \$3\.71 of \$5\.00 \(74\.2 %\)<\/title>/,
    );
    assert.match(section, /warn 80 %/);
    assert.match(section, /freeze 100 %/);
    assert.match(section, /<td class="num" data-usd="3\.07">\$3\.07<\/td>/);
    assert.match(
      section,
      /Not priced, not counted in the total[\s\S]*aws:wafv2\/webAcl:WebAcl<\/code> waf/,
    );
  });

  it("lists every budget with its limit, thresholds, subscribers and freeze setting", async () => {
    const { report, budgets } = fixtureReport();
    const html = renderReportHtml(report, budgets);
    const row = /<tr data-budget="platform-dev-monthly">[\s\S]*?<\/tr>/.exec(html)?.[0] ?? "";
    assert.match(row, /data-limit-usd="5\.00"/);
    assert.match(row, /50 % actual, 100 % forecasted/);
    assert.match(row, /finance@example\.com/);
    assert.match(row, /yes, freeze SCP at 100 % of actual spend/);
  });

  it("escapes every interpolated string", async () => {
    const evil = `x"><script>alert(1)</script><img src=http://evil.example/x>`;
    const { report, budgets } = fixtureReport(evil);
    budgets[0].subscribers = [`<b onmouseover="x">`];
    const html = renderReportHtml(report, budgets, { prices });
    assert.ok(!html.includes("<script>alert(1)"), "the resource name reached the page unescaped");
    assert.ok(html.includes(escapeHtml(evil)));
    assert.ok(!html.includes(`<b onmouseover`));
    assert.deepStrictEqual(
      references(html).filter((r) => !r.startsWith("#")),
      [],
    );
  });

  it("carries the repository's figures: every scope's total, budget and the organization total", async function () {
    this.timeout(60000);
    const plans = await repositoryPlan();
    const report = repositoryCostReport(plans, { prices });
    const budgets = repositoryBudgets(plans);
    const html = renderReportHtml(report, budgets, { prices });
    for (const e of nonEmpty(report.estimates, "report.estimates")) {
      const section = sectionOf(html, e.environment);
      assert.match(
        section,
        new RegExp(`data-total-usd="${e.totalUsd.toFixed(2).replace(".", "\\.")}"`),
      );
      if (e.budget)
        assert.match(
          section,
          new RegExp(`data-budget-usd="${e.budget.limit.toFixed(2).replace(".", "\\.")}"`),
        );
      const cents = [...section.matchAll(/data-usd="([\d.]+)"/g)].reduce(
        (s, m) => s + Math.round(Number(m[1]) * 100),
        0,
      );
      assert.strictEqual(
        cents,
        Math.round(e.totalUsd * 100),
        `${e.environment}: the itemised rows do not add up to the total`,
      );
    }
    assert.match(
      html,
      new RegExp(
        `data-summary="organization"[\\s\\S]*?data-total-usd="${report.organization.totalUsd.toFixed(2).replace(".", "\\.")}"`,
      ),
    );
    for (const b of nonEmpty(budgets, "budgets"))
      assert.ok(html.includes(`<tr data-budget="${b.name}">`), `budget ${b.name} missing`);
    assert.deepStrictEqual(
      references(html).filter((r) => !r.startsWith("#")),
      [],
    );
  });
});
