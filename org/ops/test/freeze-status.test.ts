import * as assert from "assert";
import { ACCOUNT_IDS, MANAGEMENT_ACCOUNT_ID, OU_IDS } from "./fake-aws";
import { fakeOrg, run } from "./harness";

describe("ops freeze status", () => {
  it("shows every account unfrozen and both freeze-enabled budgets armed in an unfrozen organization", async () => {
    const r = await run(fakeOrg(), ["freeze", "status"]);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(r.stdout, /No account is frozen \(6 accounts\)\./);
    for (const name of [
      "openems-management",
      "openems-log-archive",
      "openems-dev",
      "openems-stage",
      "openems-prod",
      "openems-sandbox",
    ]) {
      assert.match(
        r.stdout,
        new RegExp(`^${name}\\s+\\d{12}\\s+\\S+\\s+ACTIVE\\s+no\\s+-$`, "m"),
        name,
      );
    }
    assert.match(
      r.stdout,
      /^platform-dev-monthly\s+openems-dev\s+100\.00 USD\s+61\.20 USD\s+98\.50 USD\s+61%\s+100% actual\s+STANDBY \(armed\)$/m,
    );
    assert.match(
      r.stdout,
      /^platform-sandbox-monthly\s+openems-sandbox\s+50\.00 USD\s+12\.05 USD\s+31\.40 USD\s+24%\s+100% actual\s+STANDBY \(armed\)$/m,
    );
    assert.doesNotMatch(r.stdout, /Warnings:/);
    assert.doesNotMatch(r.stdout, /unfreeze <account>/);
  });

  it("shows the account a budget action froze, its spend over the limit and the action's state", async () => {
    const r = await run(fakeOrg({ frozen: ["dev"] }), ["freeze", "status"]);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^openems-dev\s+333333333333\s+workloads\/nonprod\s+ACTIVE\s+YES\s+budget platform-dev-monthly$/m,
    );
    assert.match(r.stdout, /^openems-sandbox\s+666666666666\s+sandbox\s+ACTIVE\s+no\s+-$/m);
    assert.match(r.stdout, /1 of 6 accounts frozen: openems-dev\./);
    assert.match(
      r.stdout,
      /^platform-dev-monthly\s+openems-dev\s+100\.00 USD\s+112\.40 USD\s+180\.00 USD\s+112%\s+100% actual\s+EXECUTION_SUCCESS \(freeze applied\)$/m,
    );
    assert.match(
      r.stdout,
      /Lift a freeze with: npm run ops -- unfreeze <account> --reason "<why>" --yes/,
    );
  });

  it("lists the management account first and the others in the stack file's order", async () => {
    const r = await run(fakeOrg(), ["freeze", "status"]);
    const order = [...r.stdout.matchAll(/^(openems-[a-z-]+)\s+\d{12}/gm)].map((m) => m[1]);
    assert.deepStrictEqual(order, [
      "openems-management",
      "openems-log-archive",
      "openems-dev",
      "openems-stage",
      "openems-prod",
      "openems-sandbox",
    ]);
  });

  it("reports a freeze attached by hand (no budget action applied it)", async () => {
    const fake = fakeOrg({
      edit: (s) =>
        s.policies.find((p) => p.Name === "platform-freeze")!.targets.push(ACCOUNT_IDS.stage),
    });
    const r = await run(fake, ["freeze", "status", "--json"]);
    const stage = JSON.parse(r.stdout).accounts.find((a: any) => a.key === "stage");
    assert.deepStrictEqual(
      { frozen: stage.frozen, frozenBy: stage.frozenBy, freezeBudget: stage.freezeBudget },
      { frozen: true, frozenBy: "manual", freezeBudget: null },
    );
    assert.match(
      (
        await run(
          fakeOrg({
            edit: (s) =>
              s.policies.find((p) => p.Name === "platform-freeze")!.targets.push(ACCOUNT_IDS.stage),
          }),
          ["freeze", "status"],
        )
      ).stdout,
      /^openems-stage\s+.*YES\s+attached by hand$/m,
    );
  });

  it("warns when a budget action says it froze an account whose freeze SCP was detached behind its back", async () => {
    const fake = fakeOrg({
      frozen: ["dev"],
      edit: (s) => (s.policies.find((p) => p.Name === "platform-freeze")!.targets = []),
    });
    const r = await run(fake, ["freeze", "status"]);
    assert.match(r.stdout, /^openems-dev\s+.*\s+no\s+-$/m);
    assert.match(
      r.stdout,
      /Budget platform-dev-monthly says its freeze is applied \(EXECUTION_SUCCESS\), but platform-freeze is not attached to openems-dev \(333333333333\): it was detached outside AWS Budgets\./,
    );
  });

  it("warns when an account marked to freeze has no budget action, and when the freeze SCP sits on an OU", async () => {
    const fake = fakeOrg({
      edit: (s) => {
        s.actions = s.actions.filter((a) => a.BudgetName !== "platform-sandbox-monthly");
        s.policies.find((p) => p.Name === "platform-freeze")!.targets.push(OU_IDS.sandbox);
      },
    });
    const r = await run(fake, ["freeze", "status"]);
    assert.match(
      r.stdout,
      /account:sandbox \(openems-sandbox \(666666666666\)\) has freezeAtPercent in the stack file, but no budget action attaches platform-freeze to it; run `pulumi up` in org\//,
    );
    assert.match(
      r.stdout,
      /platform-freeze is attached to ou:sandbox \(ou-a1b2-sbx00001\): every account below it is frozen\./,
    );
  });

  it("prints one JSON document with the caller, the accounts, the budgets and their action state", async () => {
    const r = await run(fakeOrg({ frozen: ["dev"] }), ["freeze", "status", "--json"]);
    assert.strictEqual(r.code, 0);
    const doc = JSON.parse(r.stdout);
    assert.strictEqual(doc.checkedAt, "2026-03-14T09:30:00.000Z");
    assert.strictEqual(doc.caller.managementAccountId, MANAGEMENT_ACCOUNT_ID);
    assert.deepStrictEqual(doc.freezePolicy, { id: "p-freeze000000", name: "platform-freeze" });
    assert.deepStrictEqual(
      doc.accounts
        .filter((a: any) => a.frozen)
        .map((a: any) => [a.key, a.frozenBy, a.actionStatus]),
      [["dev", "budget-action", "EXECUTION_SUCCESS"]],
    );
    const dev = doc.budgets.find((b: any) => b.name === "platform-dev-monthly");
    assert.deepStrictEqual(
      {
        limit: dev.limit,
        actual: dev.actual,
        forecasted: dev.forecasted,
        percentActual: dev.percentActual,
        status: dev.action.status,
        threshold: dev.action.threshold,
      },
      {
        limit: 100,
        actual: 112.4,
        forecasted: 180,
        percentActual: 112.4,
        status: "EXECUTION_SUCCESS",
        threshold: { value: 100, type: "PERCENTAGE" },
      },
    );
    assert.deepStrictEqual(doc.warnings, []);
  });

  it("reads every page of every list call and gives the same answer whatever the page size", async () => {
    const reports: string[] = [];
    for (const pageSize of [1, 2, 100]) {
      const fake = fakeOrg({ frozen: ["dev"], pageSize });
      const r = await run(fake, ["freeze", "status", "--json"]);
      reports.push(r.stdout);
      if (pageSize === 1) {
        // 11 SCPs (10 files + FullAWSAccess) one per page: 11 ListPolicies calls, chained by NextToken.
        const tokens = fake.callsOf("ListPolicies").map((c) => c.input.NextToken ?? null);
        assert.deepStrictEqual(tokens, [
          null,
          ...Array.from({ length: 10 }, (_, i) => `page-${i + 1}`),
        ]);
        assert.strictEqual(fake.callsOf("DescribeBudgets").length, 6);
        assert.strictEqual(fake.callsOf("DescribeBudgetActionsForAccount").length, 2);
      }
    }
    assert.strictEqual(reports[0], reports[1]);
    assert.strictEqual(reports[1], reports[2]);
  });
});
