import * as assert from "assert";
import { ACCOUNT_IDS, ACTION_IDS, ADMIN_ARN, MANAGEMENT_ACCOUNT_ID } from "./fake-aws";
import { fakeOrg, run } from "./harness";

const REASON = "Budget raised to 150 USD after review (FIN-42)";
const freezeTargets = (fake: ReturnType<typeof fakeOrg>) =>
  fake.policyByName("platform-freeze").targets;

describe("ops unfreeze", () => {
  it("reverses the budget action that froze the account, waits for AWS Budgets, and prints who, when and why", async () => {
    const fake = fakeOrg({ frozen: ["dev"] });
    const r = await run(fake, ["unfreeze", "dev", "--reason", REASON, "--yes"]);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.deepStrictEqual(
      fake.writes().map((c) => [c.op, c.input]),
      [
        [
          "ExecuteBudgetAction",
          {
            AccountId: MANAGEMENT_ACCOUNT_ID,
            BudgetName: "platform-dev-monthly",
            ActionId: ACTION_IDS.dev,
            ExecutionType: "REVERSE_BUDGET_ACTION",
          },
        ],
      ],
    );
    assert.deepStrictEqual(freezeTargets(fake), []);
    assert.strictEqual(
      fake.state.actions.find((a) => a.ActionId === ACTION_IDS.dev)!.Status,
      "REVERSE_SUCCESS",
    );
    assert.match(
      r.stdout,
      /^Unfroze openems-dev \(333333333333\): AWS Budgets reversed the freeze action of budget platform-dev-monthly\.$/m,
    );
    assert.ok(r.stdout.includes(`  who:  ${ADMIN_ARN}`));
    assert.ok(r.stdout.includes("  when: 2026-03-14T09:30:00.000Z"));
    assert.ok(r.stdout.includes(`  why:  ${REASON}`));
    assert.match(
      r.stdout,
      /how:  reversed budget action 7c1f3a52-9d0e-4b8a-a1c2-3e5f7a9b1d20 of budget platform-dev-monthly \(EXECUTION_SUCCESS -> REVERSE_SUCCESS\)/,
    );
    // The reversal is asynchronous: the tool polled, with the injected sleep.
    assert.deepStrictEqual(r.sleeps, [5000, 5000]);
  });

  it("detaches the freeze SCP when no budget action applied it", async () => {
    const fake = fakeOrg({
      edit: (s) =>
        s.policies.find((p) => p.Name === "platform-freeze")!.targets.push(ACCOUNT_IDS.stage),
    });
    const r = await run(fake, ["unfreeze", "openems-stage", "--reason", REASON, "--yes"]);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.deepStrictEqual(
      fake.writes().map((c) => [c.op, c.input]),
      [["DetachPolicy", { PolicyId: "p-freeze000000", TargetId: ACCOUNT_IDS.stage }]],
    );
    assert.deepStrictEqual(freezeTargets(fake), []);
    assert.match(
      r.stdout,
      /Unfroze openems-stage \(444444444444\): detached platform-freeze, which no budget action had applied\./,
    );
    assert.match(
      r.stdout,
      /how:  detached platform-freeze \(p-freeze000000\) with organizations:DetachPolicy/,
    );
  });

  it("is a clear no-op, exit 0 and no change, for an account that is not frozen", async () => {
    const fake = fakeOrg({ frozen: ["dev"] });
    const r = await run(fake, ["unfreeze", "sandbox", "--reason", REASON, "--yes"]);
    assert.strictEqual(r.code, 0);
    assert.strictEqual(
      r.stdout,
      "openems-sandbox (666666666666) is not frozen: platform-freeze is not attached to it. Nothing to do; nothing was changed.",
    );
    assert.deepStrictEqual(fake.writes(), []);
  });

  it("needs no --yes for the no-op, and says when a budget action's record disagrees", async () => {
    const fake = fakeOrg({
      frozen: ["dev"],
      edit: (s) => (s.policies.find((p) => p.Name === "platform-freeze")!.targets = []),
    });
    const r = await run(fake, ["unfreeze", "dev", "--reason", REASON]);
    assert.strictEqual(r.code, 0);
    assert.match(r.stdout, /is not frozen/);
    assert.match(
      r.stdout,
      /Note: Budget platform-dev-monthly still reports its freeze action as EXECUTION_SUCCESS/,
    );
    assert.deepStrictEqual(fake.writes(), []);
  });

  for (const isTTY of [true, false]) {
    it(`refuses without --yes ${isTTY ? "on an interactive terminal" : "when no terminal is attached"}, says what it would do, and changes nothing`, async () => {
      const fake = fakeOrg({ frozen: ["dev"] });
      const r = await run(fake, ["unfreeze", "dev", "--reason", REASON], { isTTY });
      assert.strictEqual(r.code, 2);
      assert.match(r.stdout, /^Refusing to unfreeze without --yes/);
      assert.strictEqual(/not an interactive terminal/.test(r.stdout), !isTTY);
      assert.match(
        r.stdout,
        /This would reverse the freeze action 7c1f3a52-9d0e-4b8a-a1c2-3e5f7a9b1d20 of budget platform-dev-monthly/,
      );
      assert.match(r.stdout, /Nothing was changed\.$/);
      assert.deepStrictEqual(fake.writes(), []);
      assert.deepStrictEqual(freezeTargets(fake), [ACCOUNT_IDS.dev]);
    });
  }

  const ways: [string, string][] = [
    ["its account id", "333333333333"],
    ["its platform:accounts key", "dev"],
    ["its account name", "openems-dev"],
    ["its account name in other case", "OpenEMS-Dev"],
    ["its email", "aws+openems-dev@example.com"],
  ];
  for (const [how, query] of ways) {
    it(`finds the account by ${how}`, async () => {
      const fake = fakeOrg({ frozen: ["dev"] });
      const r = await run(fake, ["unfreeze", query, "--reason", REASON, "--yes", "--json"]);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.strictEqual(JSON.parse(r.stdout).account.id, ACCOUNT_IDS.dev);
    });
  }

  it("names the known accounts when the account does not exist, and changes nothing", async () => {
    const fake = fakeOrg({ frozen: ["dev"] });
    const r = await run(fake, ["unfreeze", "qa", "--reason", REASON, "--yes"]);
    assert.strictEqual(r.code, 2);
    assert.match(
      r.stderr,
      /No account in the organization matches "qa"; .* Known: .*dev \(openems-dev, 333333333333\)/,
    );
    assert.deepStrictEqual(fake.writes(), []);
  });

  it("refuses while AWS Budgets is already changing the action", async () => {
    const fake = fakeOrg({
      frozen: ["dev"],
      edit: (s) =>
        (s.actions.find((a) => a.ActionId === ACTION_IDS.dev)!.Status = "REVERSE_IN_PROGRESS"),
    });
    const r = await run(fake, ["unfreeze", "dev", "--reason", REASON, "--yes"]);
    assert.strictEqual(r.code, 2);
    assert.match(
      r.stderr,
      /The freeze action of budget platform-dev-monthly is REVERSE_IN_PROGRESS: AWS Budgets is changing openems-dev \(333333333333\) right now\. .*Nothing was changed\./,
    );
    assert.deepStrictEqual(fake.writes(), []);
  });

  it("refuses to reverse an action that also froze other accounts", async () => {
    const fake = fakeOrg({
      frozen: ["dev"],
      edit: (s) => {
        s.actions
          .find((a) => a.ActionId === ACTION_IDS.dev)!
          .Definition!.ScpActionDefinition!.TargetIds!.push(ACCOUNT_IDS.stage);
        s.policies.find((p) => p.Name === "platform-freeze")!.targets.push(ACCOUNT_IDS.stage);
      },
    });
    const r = await run(fake, ["unfreeze", "dev", "--reason", REASON, "--yes"]);
    assert.strictEqual(r.code, 2);
    assert.match(
      r.stderr,
      /also froze openems-stage \(444444444444\); reversing it would unfreeze them too/,
    );
    assert.deepStrictEqual(fake.writes(), []);
  });

  it("reports a reversal still running after the wait as pending, with exit 0", async () => {
    const fake = fakeOrg({ frozen: ["dev"], reversalPolls: 50 });
    const r = await run(fake, ["unfreeze", "dev", "--reason", REASON, "--yes", "--json"]);
    assert.strictEqual(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.strictEqual(doc.outcome, "reversal-pending");
    assert.strictEqual(doc.budgetAction.statusAfter, "REVERSE_IN_PROGRESS");
    assert.match(doc.message, /Check with `npm run ops -- freeze status` in a minute/);
    assert.strictEqual(fake.callsOf("DescribeBudgetAction").length, 5);
    assert.strictEqual(fake.writes().length, 1);
  });

  it("fails with what to check when AWS Budgets cannot reverse the action", async () => {
    const fake = fakeOrg({ frozen: ["dev"], reversalResult: "REVERSE_FAILURE" });
    const r = await run(fake, ["unfreeze", "dev", "--reason", REASON, "--yes"]);
    assert.strictEqual(r.code, 2);
    assert.match(
      r.stderr,
      /reports REVERSE_FAILURE; openems-dev \(333333333333\) is still frozen\. .*execution role platform-budget-action must be allowed/,
    );
  });

  it("treats a freeze lifted by someone else between the check and the detach as done", async () => {
    const fake = fakeOrg({
      edit: (s) =>
        s.policies.find((p) => p.Name === "platform-freeze")!.targets.push(ACCOUNT_IDS.stage),
    });
    // Another admin detaches it right after the tool has seen it attached.
    fake.after("ListTargetsForPolicy", () => (fake.policyByName("platform-freeze").targets = []));
    const r = await run(fake, ["unfreeze", "stage", "--reason", REASON, "--yes"]);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.strictEqual(fake.callsOf("DetachPolicy").length, 1);
    assert.match(
      r.stdout,
      /openems-stage \(444444444444\) is no longer frozen: platform-freeze was detached by someone else meanwhile\. Nothing was changed\./,
    );
  });

  it("prints the record as JSON with --json", async () => {
    const fake = fakeOrg({ frozen: ["sandbox"] });
    const r = await run(fake, ["unfreeze", "sandbox", "--reason", REASON, "--yes", "--json"]);
    assert.strictEqual(r.code, 0);
    const doc = JSON.parse(r.stdout);
    assert.deepStrictEqual(
      {
        outcome: doc.outcome,
        method: doc.method,
        by: doc.by,
        at: doc.at,
        reason: doc.reason,
        account: doc.account,
      },
      {
        outcome: "reversed",
        method: "reverse-budget-action",
        by: ADMIN_ARN,
        at: "2026-03-14T09:30:00.000Z",
        reason: REASON,
        account: { id: ACCOUNT_IDS.sandbox, name: "openems-sandbox", key: "sandbox" },
      },
    );
    assert.deepStrictEqual(doc.budgetAction, {
      budgetName: "platform-sandbox-monthly",
      actionId: ACTION_IDS.sandbox,
      statusBefore: "EXECUTION_SUCCESS",
      statusAfter: "REVERSE_SUCCESS",
    });
  });
});
