/**
 * What `freeze status` prints, word for word: the tables, the summary line and the warnings an
 * admin acts on, and the JSON document scripts read. Also the budget action states in which
 * `unfreeze` must wait rather than touch the account.
 */
import * as assert from "assert";
import type { Action } from "@aws-sdk/client-budgets";
import { ACCOUNT_IDS, ACTION_IDS, FakeState, OU_IDS } from "./fake-aws";
import { fakeOrg, run } from "./harness";

const REASON = "Budget raised to 150 USD after review (FIN-42)";

function freezeTargets(s: FakeState): string[] {
  return s.policies.find((p) => p.Name === "platform-freeze")!.targets;
}

function actionOf(s: FakeState, key: string): Action {
  return s.actions.find((a) => a.ActionId === ACTION_IDS[key])!;
}

/** The lines of the "Freeze-enabled budgets" section, its heading excluded, up to the blank line. */
function budgetSection(stdout: string): string[] {
  const lines = stdout.split("\n");
  const start = lines.indexOf("Freeze-enabled budgets") + 1;
  assert.ok(start > 0, "no Freeze-enabled budgets section");
  const end = lines.indexOf("", start);
  return lines.slice(start, end === -1 ? undefined : end);
}

describe("ops freeze status: output", () => {
  it("prints the whole report with two accounts frozen and a warning, word for word", async () => {
    const fake = fakeOrg({
      frozen: ["dev", "sandbox"],
      edit: (s) => freezeTargets(s).push(OU_IDS["workloads/prod"]),
    });
    const r = await run(fake, ["freeze", "status"]);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.strictEqual(
      r.stdout,
      [
        "Freeze status at 2026-03-14T09:30:00.000Z",
        "Caller: arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_AdministratorAccess_5f2a9c1e7b3d4e60/alice@example.com (management account 111111111111, organization o-a1b2c3d4e5)",
        "Freeze SCP: platform-freeze (p-freeze000000)",
        "",
        "ACCOUNT              ID            OU                 STATE   FROZEN  BY",
        "openems-management   111111111111  (root)             ACTIVE  no      -",
        "openems-log-archive  222222222222  security           ACTIVE  no      -",
        "openems-dev          333333333333  workloads/nonprod  ACTIVE  YES     budget platform-dev-monthly",
        "openems-stage        444444444444  workloads/nonprod  ACTIVE  no      -",
        "openems-prod         555555555555  workloads/prod     ACTIVE  no      -",
        "openems-sandbox      666666666666  sandbox            ACTIVE  YES     budget platform-sandbox-monthly",
        "",
        "2 of 6 accounts frozen: openems-dev, openems-sandbox.",
        "",
        "Freeze-enabled budgets",
        "BUDGET                    ACCOUNT               LIMIT      ACTUAL    FORECAST  USED  FREEZES AT   ACTION",
        "platform-dev-monthly      openems-dev      100.00 USD  112.40 USD  180.00 USD  112%  100% actual  EXECUTION_SUCCESS (freeze applied)",
        "platform-sandbox-monthly  openems-sandbox   50.00 USD   55.10 USD   88.00 USD  110%  100% actual  EXECUTION_SUCCESS (freeze applied)",
        "",
        "Warnings:",
        "  - platform-freeze is attached to ou:workloads/prod (ou-a1b2-prd00001): every account below it is frozen.",
        "",
        'Lift a freeze with: npm run ops -- unfreeze <account> --reason "<why>" --yes',
      ].join("\n"),
    );
  });

  const meanings: [string, string][] = [
    ["PENDING", "PENDING (threshold reached, awaiting approval)"],
    ["EXECUTION_IN_PROGRESS", "EXECUTION_IN_PROGRESS (applying the freeze)"],
    ["EXECUTION_FAILURE", "EXECUTION_FAILURE (freeze failed)"],
    ["REVERSE_IN_PROGRESS", "REVERSE_IN_PROGRESS (lifting the freeze)"],
    ["REVERSE_SUCCESS", "REVERSE_SUCCESS (freeze lifted)"],
    ["REVERSE_FAILURE", "REVERSE_FAILURE (lifting failed)"],
    ["RESET_IN_PROGRESS", "RESET_IN_PROGRESS (resetting)"],
    ["RESET_FAILURE", "RESET_FAILURE (reset failed)"],
  ];
  for (const [status, shown] of meanings) {
    it(`says what ${status} means for the freeze in the ACTION column`, async () => {
      const fake = fakeOrg({
        edit: (s) => (actionOf(s, "sandbox").Status = status as Action["Status"]),
      });
      const r = await run(fake, ["freeze", "status"]);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.strictEqual(
        budgetSection(r.stdout)[2],
        `platform-sandbox-monthly  openems-sandbox   50.00 USD  12.05 USD  31.40 USD   24%  100% actual  ${shown}`,
      );
    });
  }

  it("shows - in the ACTION column for an action AWS returned without a status", async () => {
    const fake = fakeOrg({ edit: (s) => delete actionOf(s, "sandbox").Status });
    const r = await run(fake, ["freeze", "status"]);
    assert.strictEqual(
      budgetSection(r.stdout)[2],
      "platform-sandbox-monthly  openems-sandbox   50.00 USD  12.05 USD  31.40 USD   24%  100% actual  -",
    );
  });

  it("shows a threshold in money and a forecast-triggered action as such", async () => {
    const fake = fakeOrg({
      edit: (s) => {
        actionOf(s, "dev").ActionThreshold = {
          ActionThresholdValue: 90,
          ActionThresholdType: "ABSOLUTE_VALUE",
        };
        actionOf(s, "sandbox").NotificationType = "FORECASTED";
      },
    });
    const r = await run(fake, ["freeze", "status"]);
    assert.deepStrictEqual(budgetSection(r.stdout), [
      "BUDGET                    ACCOUNT               LIMIT     ACTUAL   FORECAST  USED  FREEZES AT       ACTION",
      "platform-dev-monthly      openems-dev      100.00 USD  61.20 USD  98.50 USD   61%  90 USD actual    STANDBY (armed)",
      "platform-sandbox-monthly  openems-sandbox   50.00 USD  12.05 USD  31.40 USD   24%  100% forecasted  STANDBY (armed)",
    ]);
  });

  it("lists the budgets by name whatever order AWS returns their actions in", async () => {
    const fake = fakeOrg({ edit: (s) => s.actions.reverse() });
    const r = await run(fake, ["freeze", "status"]);
    assert.deepStrictEqual(
      budgetSection(r.stdout).map((line) => line.split(" ")[0]),
      ["BUDGET", "platform-dev-monthly", "platform-sandbox-monthly"],
    );
  });

  it("names every account a budget covers in the ACCOUNT column", async () => {
    const fake = fakeOrg({
      edit: (s) =>
        (s.budgets.find((b) => b.BudgetName === "platform-sandbox-monthly")!.CostFilters = {
          LinkedAccount: [ACCOUNT_IDS.stage, ACCOUNT_IDS.sandbox],
        }),
    });
    const r = await run(fake, ["freeze", "status"]);
    assert.match(
      budgetSection(r.stdout)[2],
      /^platform-sandbox-monthly\s+openems-stage, openems-sandbox\s+50\.00 USD/,
    );
  });

  it("says so when no budget action attaches the freeze SCP", async () => {
    const fake = fakeOrg({ edit: (s) => (s.actions = []) });
    const r = await run(fake, ["freeze", "status"]);
    assert.deepStrictEqual(budgetSection(r.stdout), [
      "  none: no budget action attaches the freeze SCP.",
    ]);
  });

  it("warns about a freeze action whose budget DescribeBudgets does not return", async () => {
    const fake = fakeOrg({
      edit: (s) =>
        (s.budgets = s.budgets.filter((b) => b.BudgetName !== "platform-sandbox-monthly")),
    });
    const r = await run(fake, ["freeze", "status", "--json"]);
    assert.deepStrictEqual(JSON.parse(r.stdout).warnings, [
      "Budget action 0e6b2d94-58c1-4f3a-9b7e-c2d4f6a8e013 belongs to budget platform-sandbox-monthly, which DescribeBudgets did not return.",
    ]);
  });

  it("warns about a failed freeze action, naming the role to check", async () => {
    const fake = fakeOrg({ edit: (s) => (actionOf(s, "dev").Status = "EXECUTION_FAILURE") });
    const r = await run(fake, ["freeze", "status"]);
    assert.ok(
      r.stdout.endsWith(
        [
          "",
          "Warnings:",
          "  - The freeze action of budget platform-dev-monthly is EXECUTION_FAILURE; check its history in the AWS Budgets console and its execution role platform-budget-action.",
        ].join("\n"),
      ),
      r.stdout,
    );
  });

  it("warns about an account the stack file marks to freeze that is not in the organization", async () => {
    const fake = fakeOrg({
      edit: (s) => (s.accounts = s.accounts.filter((a) => a.Id !== ACCOUNT_IDS.sandbox)),
    });
    const r = await run(fake, ["freeze", "status", "--json"]);
    const warnings: string[] = JSON.parse(r.stdout).warnings;
    assert.strictEqual(warnings.length, 1, warnings.join("\n"));
    // The stack file is named by its absolute path, which depends on the checkout.
    assert.match(
      warnings[0],
      /^account:sandbox is marked to freeze in \/\S+\/org\/Pulumi\.management\.yaml, but no such account is in the organization\.$/,
    );
  });
});

describe("ops freeze status --json: the fields scripts read", () => {
  it("names the top-level fields", async () => {
    const r = await run(fakeOrg(), ["freeze", "status", "--json"]);
    assert.deepStrictEqual(Object.keys(JSON.parse(r.stdout)), [
      "checkedAt",
      "caller",
      "freezePolicy",
      "accounts",
      "otherFrozenTargets",
      "budgets",
      "warnings",
    ]);
  });

  it("tells a freeze by a budget action from one attached by hand, and names each account's freeze budget", async () => {
    // sandbox: the freeze SCP attached by hand while its budget action is armed, not fired.
    const fake = fakeOrg({
      frozen: ["dev"],
      edit: (s) => freezeTargets(s).push(ACCOUNT_IDS.sandbox),
    });
    const r = await run(fake, ["freeze", "status", "--json"]);
    const unfrozen = { frozen: false, frozenBy: null, freezeBudget: null, actionStatus: null };
    assert.deepStrictEqual(JSON.parse(r.stdout).accounts, [
      {
        id: "111111111111",
        name: "openems-management",
        key: null,
        ouPath: "",
        state: "ACTIVE",
        ...unfrozen,
      },
      {
        id: "222222222222",
        name: "openems-log-archive",
        key: "log-archive",
        ouPath: "security",
        state: "ACTIVE",
        ...unfrozen,
      },
      {
        id: "333333333333",
        name: "openems-dev",
        key: "dev",
        ouPath: "workloads/nonprod",
        state: "ACTIVE",
        frozen: true,
        frozenBy: "budget-action",
        freezeBudget: "platform-dev-monthly",
        actionStatus: "EXECUTION_SUCCESS",
      },
      {
        id: "444444444444",
        name: "openems-stage",
        key: "stage",
        ouPath: "workloads/nonprod",
        state: "ACTIVE",
        ...unfrozen,
      },
      {
        id: "555555555555",
        name: "openems-prod",
        key: "prod",
        ouPath: "workloads/prod",
        state: "ACTIVE",
        ...unfrozen,
      },
      {
        id: "666666666666",
        name: "openems-sandbox",
        key: "sandbox",
        ouPath: "sandbox",
        state: "ACTIVE",
        frozen: true,
        frozenBy: "manual",
        freezeBudget: "platform-sandbox-monthly",
        actionStatus: "STANDBY",
      },
    ]);
  });

  it("names an unfrozen account's freeze budget and its armed action", async () => {
    const r = await run(fakeOrg(), ["freeze", "status", "--json"]);
    const dev = JSON.parse(r.stdout).accounts.find((a: { key: string }) => a.key === "dev");
    assert.deepStrictEqual(
      [dev.frozen, dev.frozenBy, dev.freezeBudget, dev.actionStatus],
      [false, null, "platform-dev-monthly", "STANDBY"],
    );
  });

  // The Budgets API always sends these members, but the SDK types make each optional: a record
  // without them must come out empty in the document, not with a made-up value.
  it("leaves empty, never invents, the members an action record lacks", async () => {
    const fake = fakeOrg({
      edit: (s) => {
        const dev = actionOf(s, "dev");
        delete dev.Status;
        delete dev.ApprovalModel;
        delete dev.NotificationType;
        dev.ActionThreshold = { ActionThresholdValue: 100 } as Action["ActionThreshold"];
        const sandbox = actionOf(s, "sandbox");
        delete sandbox.BudgetName;
        delete sandbox.ActionId;
      },
    });
    const doc = JSON.parse((await run(fake, ["freeze", "status", "--json"])).stdout);
    assert.deepStrictEqual(
      doc.budgets.map((b: { action: unknown }) => b.action),
      [
        {
          budgetName: "platform-dev-monthly",
          actionId: "7c1f3a52-9d0e-4b8a-a1c2-3e5f7a9b1d20",
          status: "",
          approvalModel: "",
          threshold: { value: 100, type: "" },
          notificationType: "",
          targetIds: ["333333333333"],
        },
      ],
    );
    const sandbox = doc.accounts.find((a: { key: string }) => a.key === "sandbox");
    assert.deepStrictEqual([sandbox.freezeBudget, sandbox.actionStatus], ["", "STANDBY"]);
    assert.deepStrictEqual(doc.warnings, [
      "Budget action  belongs to budget , which DescribeBudgets did not return.",
    ]);
  });
});

describe("ops unfreeze: while AWS Budgets is applying or resetting the freeze", () => {
  for (const status of ["EXECUTION_IN_PROGRESS", "RESET_IN_PROGRESS"] as const) {
    it(`refuses while the freeze action is ${status}, and changes nothing`, async () => {
      const fake = fakeOrg({
        frozen: ["dev"],
        edit: (s) => (actionOf(s, "dev").Status = status),
      });
      const r = await run(fake, ["unfreeze", "dev", "--reason", REASON, "--yes"]);
      assert.strictEqual(r.code, 2);
      assert.match(
        r.stderr,
        new RegExp(
          `The freeze action of budget platform-dev-monthly is ${status}: AWS Budgets is changing openems-dev \\(333333333333\\) right now\\. .*Nothing was changed\\.`,
        ),
      );
      assert.deepStrictEqual(fake.writes(), []);
      assert.deepStrictEqual(fake.policyByName("platform-freeze").targets, [ACCOUNT_IDS.dev]);
    });
  }
});
