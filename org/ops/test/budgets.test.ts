import * as assert from "assert";
import { ACCOUNT_IDS } from "./fake-aws";
import { fakeOrg, run } from "./harness";

describe("ops budgets", () => {
  it("lists every budget with limit, actual, forecast, percentage and a bar, the organization first", async () => {
    const r = await run(fakeOrg(), ["budgets"]);
    assert.strictEqual(r.code, 0, r.stderr);
    const rows = r.stdout.split("\n").filter((l) => l.startsWith("platform-"));
    assert.deepStrictEqual(
      rows.map((l) => l.split(/\s{2,}/)),
      [
        [
          "platform-organization-monthly",
          "all accounts",
          "500.00 USD",
          "238.52 USD",
          "444.60 USD",
          "48%",
          "[##########++++++++..]",
        ],
        [
          "platform-dev-monthly",
          "openems-dev",
          "100.00 USD",
          "61.20 USD",
          "98.50 USD",
          "61%",
          "[############++++++++]",
        ],
        [
          "platform-log-archive-monthly",
          "openems-log-archive",
          "10.00 USD",
          "3.12 USD",
          "6.50 USD",
          "31%",
          "[######+++++++.......]",
        ],
        [
          "platform-prod-monthly",
          "openems-prod",
          "200.00 USD",
          "97.35 USD",
          "190.20 USD",
          "49%",
          "[##########+++++++++.]",
        ],
        [
          "platform-sandbox-monthly",
          "openems-sandbox",
          "50.00 USD",
          "12.05 USD",
          "31.40 USD",
          "24%",
          "[#####++++++++.......]",
        ],
        [
          "platform-stage-monthly",
          "openems-stage",
          "120.00 USD",
          "64.80 USD",
          "118.00 USD",
          "54%",
          "[###########+++++++++]",
        ],
      ],
    );
    assert.match(r.stdout, /6 budgets, none over its limit\./);
  });

  it("marks a budget over its limit in a frozen organization", async () => {
    const r = await run(fakeOrg({ frozen: ["dev"] }), ["budgets"]);
    assert.match(
      r.stdout,
      /^platform-dev-monthly\s+openems-dev\s+100\.00 USD\s+112\.40 USD\s+180\.00 USD\s+112%\s+\[####################\]!$/m,
    );
    assert.match(r.stdout, /6 budgets, 1 over the limit: platform-dev-monthly\./);
  });

  it("prints numbers, not formatted text, with --json", async () => {
    const r = await run(fakeOrg({ frozen: ["dev"] }), ["budgets", "--json"]);
    const doc = JSON.parse(r.stdout);
    assert.deepStrictEqual(
      doc.budgets.find((b: any) => b.name === "platform-dev-monthly"),
      {
        name: "platform-dev-monthly",
        unit: "USD",
        limit: 100,
        actual: 112.4,
        forecasted: 180,
        accountIds: [ACCOUNT_IDS.dev],
        accountNames: ["openems-dev"],
        percentActual: 112.4,
        percentForecasted: 180,
      },
    );
  });

  it("shows a dash where AWS has no forecast yet, and reads a FilterExpression account filter", async () => {
    const fake = fakeOrg({
      edit: (s) => {
        const b = s.budgets.find((x) => x.BudgetName === "platform-stage-monthly")!;
        delete b.CalculatedSpend!.ForecastedSpend;
        b.CostFilters = undefined;
        b.FilterExpression = { Dimensions: { Key: "LINKED_ACCOUNT", Values: [ACCOUNT_IDS.stage] } };
      },
    });
    const r = await run(fake, ["budgets"]);
    assert.match(
      r.stdout,
      /^platform-stage-monthly\s+openems-stage\s+120\.00 USD\s+64\.80 USD\s+-\s+54%\s+\[###########\.{9}\]$/m,
    );
  });

  it("follows every page of DescribeBudgets and ListAccounts", async () => {
    const fake = fakeOrg({ pageSize: 2 });
    const r = await run(fake, ["budgets", "--json"]);
    assert.strictEqual(JSON.parse(r.stdout).budgets.length, 6);
    assert.deepStrictEqual(
      fake.callsOf("DescribeBudgets").map((c) => c.input.NextToken ?? null),
      [null, "page-2", "page-4"],
    );
    assert.deepStrictEqual(
      fake.callsOf("ListAccounts").map((c) => c.input.NextToken ?? null),
      [null, "page-2", "page-4"],
    );
  });
});
