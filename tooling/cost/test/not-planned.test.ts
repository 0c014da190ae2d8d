import * as assert from "assert";
import { repositoryPlan } from "../../testing/harness";
import { renderCostText, repositoryCostReport } from "..";

describe("Cost summary of a partial plan", () => {
  it("says an environment left out by --env was not planned instead of $0.00 ok", async () => {
    const devOnly = (await repositoryPlan()).filter(
      (p) => p.project === "org" || p.stack === "dev",
    );
    const report = repositoryCostReport(devOnly);
    const byScope = Object.fromEntries(report.estimates.map((e) => [e.environment, e]));
    assert.deepStrictEqual(
      report.estimates.filter((e) => e.notPlanned).map((e) => e.environment),
      ["stage", "prod"],
    );
    assert.ok(!byScope.dev.notPlanned && !byScope.sandbox.notPlanned);
    const summary = renderCostText(report).split("\nSummary\n")[1];
    assert.match(summary, /^\s+stage\s+-\s+\$120\.00\s+-\s+not planned$/m);
    assert.match(summary, /^\s+prod\s+-\s+\$200\.00\s+-\s+not planned$/m);
    assert.match(summary, /^\s+dev\s+\$\d+\.\d\d\s+\$100\.00\s+[\d.]+ %\s+ok$/m);
  });
});
