import { nonEmpty } from "../../testing/non-empty";
import * as assert from "assert";
import { repositoryPlan } from "../../testing/harness";
import { environmentFile, readStackFile } from "../../../lib/repo";
import { CostReport } from "../estimate";
import { CostEstimate } from "../model";
import { costDocument, renderCostText, usd } from "../render";
import { repositoryBudgets, repositoryCostReport } from "../repository";
import type { StackPlan } from "../../stack-plan";
import { PRICING_RULES, freeReason } from "../rules";

/** The shipped targets of the issue. */
const DEV_MONTHLY_LIMIT_USD = 60;

function itemised(e: CostEstimate): string {
  return [...e.items]
    .sort((a, b) => b.monthlyUsd - a.monthlyUsd)
    .map((i) => `  ${usd(i.monthlyUsd).padStart(9)}  ${i.stack} ${i.resource}: ${i.description}`)
    .join("\n");
}

describe("Cost model on the repository's plan", function () {
  this.timeout(60000);
  let report: CostReport;
  before(async () => {
    report = repositoryCostReport(await repositoryPlan());
  });

  it("classifies every resource type the stacks plan: priced by a rule, free for a reason, or a component whose children are planned", async () => {
    const plans = await repositoryPlan();
    const unclassified = new Map<string, string[]>();
    for (const plan of nonEmpty(plans, "plans")) {
      const parents = new Set(plan.resources.map((r) => r.parent));
      for (const r of nonEmpty(plan.resources, "plan.resources")) {
        if (PRICING_RULES[r.type] || freeReason(r.type) || (!r.custom && parents.has(r.urn)))
          continue;
        unclassified.set(r.type, [
          ...(unclassified.get(r.type) ?? []),
          `${plan.project}/${plan.stack} ${r.name}`,
        ]);
      }
    }
    assert.deepStrictEqual(
      [...unclassified].map(([type, where]) => `${type} (${where.join(", ")})`),
      [],
      "billable types missing from the cost model: add a pricing rule and its prices (tooling/cost/rules.ts, prices.<region>.json) or list the type as free with the reason",
    );
  });

  it("prices every planned resource: nothing is left unpriced", async () => {
    const unpriced = report.estimates.flatMap((e) =>
      e.unpriced.map((u) => `${e.environment}: ${u.type} ${u.resource} (${u.stack}): ${u.reason}`),
    );
    assert.deepStrictEqual(unpriced, []);
  });

  it("estimates every environment against its own account budget", async () => {
    const envs = report.estimates.filter((e) => e.kind === "environment");
    assert.deepStrictEqual(
      envs.map((e) => e.environment),
      ["dev", "stage", "prod"],
    );
    for (const e of envs) {
      assert.ok(e.budget, `${e.environment} has no budget`);
      const account =
        (
          readStackFile(environmentFile(e.environment))["platform:environment"] as {
            account?: string;
          }
        ).account ?? e.environment;
      assert.strictEqual(e.budget.name, `platform-${account}-monthly`);
      assert.ok(e.totalUsd > 0, `${e.environment}: nothing priced`);
    }
    assert.ok(report.organization.budget);
    assert.strictEqual(
      report.organization.totalUsd,
      Math.round(report.estimates.reduce((s, e) => s + e.totalUsd * 100, 0)) / 100,
    );
  });

  it(`meets the shipped targets: dev at most $${DEV_MONTHLY_LIMIT_USD} a month, every environment within its warning share of its budget`, async () => {
    const failures: string[] = [];
    for (const e of nonEmpty(
      report.estimates.filter((x) => x.kind === "environment"),
      "report.estimates.filter((x) => x.kind...",
    )) {
      if (e.environment === "dev" && e.totalUsd > DEV_MONTHLY_LIMIT_USD) {
        failures.push(
          `dev: ${usd(e.totalUsd)} a month is above the $${DEV_MONTHLY_LIMIT_USD} target\n${itemised(e)}`,
        );
      }
      if (e.budget && e.totalUsd > e.budget.limit * e.budget.warnShare) {
        failures.push(
          `${e.environment}: ${usd(e.totalUsd)} a month is ${(e.budget.share * 100).toFixed(1)} % of ${e.budget.name} (${usd(e.budget.limit)}), above its warning share ${(e.budget.warnShare * 100).toFixed(0)} %\n${itemised(e)}`,
        );
      }
    }
    assert.ok(failures.length === 0, `\n${failures.join("\n\n")}`);
  });

  it("prints, per environment, the itemised estimate, the total and the budget, and --json carries the same figures", async () => {
    const text = renderCostText(report);
    const doc = costDocument(report);
    for (const e of nonEmpty(report.estimates, "report.estimates")) {
      const d = doc.environments.find((x) => x.environment === e.environment)!;
      assert.strictEqual(d.totalUsd, e.totalUsd);
      assert.strictEqual(d.items.length, e.items.length);
      assert.strictEqual(
        Math.round(d.items.reduce((s, i) => s + i.monthlyUsd * 100, 0)),
        Math.round(d.totalUsd * 100),
      );
      const share = e.budget
        ? ` = ${(e.budget.share * 100).toFixed(1)} % of ${usd(e.budget.limit)}`
        : "";
      assert.ok(
        text.includes(`${usd(e.totalUsd)}  total a month${share}`),
        `no total line for ${e.environment}`,
      );
      // eslint-disable-next-line suite/no-unchecked-loop -- an environment may have no itemised cost; the estimates are asserted non-empty
      for (const i of e.items.slice(0, 5))
        assert.ok(
          text.includes(`${i.resource}: ${i.description}`),
          `item missing from the text: ${i.resource}`,
        );
    }
    assert.ok(JSON.parse(JSON.stringify(doc)), "the document is plain JSON");
  });

  it("warns when an estimate exceeds the configured share of the budget", async () => {
    const plans = await repositoryPlan();
    const strict = repositoryCostReport(plans, {
      environmentConfig: (env) => {
        const config = readStackFile(environmentFile(env));
        return env === "stage" ? { ...config, "platform:cost": { warnShare: 0.01 } } : config;
      },
    });
    const stage = strict.estimates.find((e) => e.environment === "stage")!;
    assert.strictEqual(stage.budget!.overWarn, true);
    assert.strictEqual(stage.budget!.warnShare, 0.01);
    const text = renderCostText(strict);
    assert.match(
      text,
      /WARNING: stage: estimate \$[\d.,]+ a month is [\d.]+ % of budget platform-stage-monthly \(\$120\.00\); the warning share is 1 % \(platform:cost\.warnShare\)/,
    );
    assert.match(text, /\n {2}stage\s+\$[\d.,]+\s+\$120\.00\s+[\d.]+ %\s+WARN/);
    assert.strictEqual(
      costDocument(strict).environments.find((e) => e.environment === "stage")!.budget!.overWarn,
      true,
    );
  });
});

describe("Budgets the cost model compares with", function () {
  this.timeout(60000);

  /** The repository's plan with the org stack's planned `budgets` output replaced. */
  async function withOrgBudgets(edit: (budgets: any[]) => unknown): Promise<StackPlan[]> {
    const plans = await repositoryPlan();
    return plans.map((p) => {
      if (p.project !== "org") return p;
      const budgets = JSON.parse(JSON.stringify(p.outputs.budgets));
      return { ...p, outputs: { ...p.outputs, budgets: edit(budgets) } };
    });
  }

  it("come from the org stack's planned budgets output, not from the org config", async () => {
    const plans = await withOrgBudgets((budgets) =>
      budgets.map((b: any) => (b.name === "platform-stage-monthly" ? { ...b, limit: 91 } : b)),
    );
    const stage = repositoryCostReport(plans).estimates.find((e) => e.environment === "stage")!;
    assert.strictEqual(stage.budget?.name, "platform-stage-monthly");
    assert.strictEqual(stage.budget?.limit, 91);
    assert.strictEqual(
      repositoryBudgets(plans).find((b) => b.name === "platform-stage-monthly")?.limit,
      91,
    );
  });

  it("are refused when the org stack's output breaks the org contract, naming the stack and the key", async () => {
    const plans = await withOrgBudgets((budgets) =>
      budgets.map((b: any) => (b.scope === "organization" ? { ...b, limit: "lots" } : b)),
    );
    assert.throws(
      () => repositoryCostReport(plans),
      /Upstream stack organization\/org\/management does not provide[\s\S]*output "budgets\.0\.limit"/,
    );
  });

  it("are none when the org stack is not in the plan", async () => {
    const plans = (await repositoryPlan()).filter((p) => p.project !== "org");
    assert.deepStrictEqual(repositoryBudgets(plans), []);
  });
});
