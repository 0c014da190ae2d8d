/**
 * `unfreeze` on its less travelled paths: the account named ambiguously or padded, the refusals that
 * guard against reversing the wrong action, a reversal the tool cannot follow, and the exact words
 * of each message and record, which are what an admin acts on and what the ticket keeps.
 */
import * as assert from "assert";
import type { Action } from "@aws-sdk/client-budgets";
import { AccessDeniedException } from "@aws-sdk/client-budgets";
import { AwsCalls, OpsError } from "../aws";
import { unfreezeAccount } from "../freeze";
import { ACCOUNT_IDS, ACTION_IDS, ADMIN_ARN, OU_IDS, FakeState } from "./fake-aws";
import { fakeOrg, NOW, repositoryExpected, run } from "./harness";

const REASON = "Budget raised to 150 USD after review (FIN-42)";
const EXPERIMENTS_ID = "777777777777";

const freezeScp = (s: FakeState) => s.policies.find((p) => p.Name === "platform-freeze")!;
const devAction = (s: FakeState) => s.actions.find((a) => a.ActionId === ACTION_IDS.dev)!;

/** An account the stack file does not know (no platform:accounts key), frozen by hand. */
function frozenExperimentsAccount(s: FakeState): void {
  s.accounts.push({
    Id: EXPERIMENTS_ID,
    Name: "openems-experiments",
    Email: "aws+openems-experiments@example.com",
    State: "ACTIVE",
    ParentId: OU_IDS.sandbox,
  });
  freezeScp(s).targets.push(EXPERIMENTS_ID);
}

describe("ops unfreeze: less travelled paths", () => {
  describe("finding the account", () => {
    it("ignores spaces around the account a person typed or pasted", async () => {
      const fake = fakeOrg({ frozen: ["dev"] });
      const r = await run(fake, ["unfreeze", " 333333333333 ", "--reason", REASON, "--yes"]);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.deepStrictEqual(
        fake.writes().map((c) => [c.op, c.input.ActionId]),
        [["ExecuteBudgetAction", "7c1f3a52-9d0e-4b8a-a1c2-3e5f7a9b1d20"]],
      );
    });

    it("lists every known account, by key or else by name, in the organization's order, when none matches", async () => {
      const fake = fakeOrg({ frozen: ["dev"] });
      const r = await run(fake, ["unfreeze", "qa", "--reason", REASON, "--yes"]);
      assert.strictEqual(r.code, 2);
      assert.strictEqual(
        r.stderr,
        'error: No account in the organization matches "qa"; give an account id, a platform:accounts key ' +
          "or an account name. Known: openems-management (openems-management, 111111111111), " +
          "log-archive (openems-log-archive, 222222222222), sandbox (openems-sandbox, 666666666666), " +
          "prod (openems-prod, 555555555555), dev (openems-dev, 333333333333), " +
          "stage (openems-stage, 444444444444).",
      );
      assert.deepStrictEqual(fake.writes(), []);
    });

    it("refuses a name two accounts share and asks for the account id", async () => {
      // AWS does not keep account names unique: stage renamed to dev's name by mistake.
      const fake = fakeOrg({
        frozen: ["dev"],
        edit: (s) => (s.accounts.find((a) => a.Id === ACCOUNT_IDS.stage)!.Name = "openems-dev"),
      });
      const r = await run(fake, ["unfreeze", "openems-dev", "--reason", REASON, "--yes"]);
      assert.strictEqual(r.code, 2);
      assert.strictEqual(
        r.stderr,
        'error: "openems-dev" matches 2 accounts (333333333333, 444444444444); give the account id.',
      );
      assert.deepStrictEqual(fake.writes(), []);
    });
  });

  describe("the reason", () => {
    const call = (fake: ReturnType<typeof fakeOrg>, reason: string) =>
      unfreezeAccount(
        new AwsCalls(fake.activate().clients, { sleep: async () => undefined }),
        repositoryExpected(),
        { account: "dev", reason, yes: true },
        NOW,
        { isTTY: true, pollIntervalMs: 0, pollAttempts: 5 },
      );

    it("is refused when blank, before any call to AWS", async () => {
      const fake = fakeOrg({ frozen: ["dev"] });
      await assert.rejects(call(fake, "  \t "), (err: unknown) => {
        assert.ok(err instanceof OpsError);
        assert.strictEqual(
          err.message,
          'unfreeze needs --reason "<why>": the reason is part of the record.',
        );
        return true;
      });
      assert.deepStrictEqual(fake.calls, []);
    });

    it("is kept in the record without the spaces around it", async () => {
      const fake = fakeOrg({ frozen: ["dev"] });
      const result = await call(fake, "  FIN-42 ");
      assert.strictEqual(result.outcome, "reversed");
      assert.strictEqual(result.reason, "FIN-42");
    });
  });

  describe("refusing what it cannot prove is the one freeze", () => {
    it("refuses when two budget actions report that they froze the account", async () => {
      const fake = fakeOrg({
        frozen: ["dev"],
        edit: (s) => {
          const second: Action = {
            ...devAction(s),
            ActionId: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
            BudgetName: "platform-organization-monthly",
          };
          s.actions.push(second);
        },
      });
      const r = await run(fake, ["unfreeze", "dev", "--reason", REASON, "--yes"]);
      assert.strictEqual(r.code, 2);
      assert.strictEqual(
        r.stderr,
        "error: 2 budget actions (platform-dev-monthly, platform-organization-monthly) report that they " +
          "froze openems-dev (333333333333); reverse them in the AWS Budgets console one by one. " +
          "Nothing was changed.",
      );
      assert.deepStrictEqual(fake.writes(), []);
      assert.deepStrictEqual(fake.policyByName("platform-freeze").targets, [ACCOUNT_IDS.dev]);
    });

    it("names every other account an action froze", async () => {
      const fake = fakeOrg({
        frozen: ["dev"],
        edit: (s) => {
          devAction(s).Definition!.ScpActionDefinition!.TargetIds!.push(
            ACCOUNT_IDS.stage,
            ACCOUNT_IDS.prod,
          );
          freezeScp(s).targets.push(ACCOUNT_IDS.stage, ACCOUNT_IDS.prod);
        },
      });
      const r = await run(fake, ["unfreeze", "dev", "--reason", REASON, "--yes"]);
      assert.strictEqual(r.code, 2);
      assert.strictEqual(
        r.stderr,
        "error: The freeze action of budget platform-dev-monthly also froze openems-stage (444444444444), " +
          "openems-prod (555555555555); reversing it would unfreeze them too. Reverse it in the AWS " +
          "Budgets console if that is intended. Nothing was changed.",
      );
      assert.deepStrictEqual(fake.writes(), []);
    });
    for (const status of ["EXECUTION_FAILURE", "REVERSE_FAILURE", "RESET_FAILURE"] as const) {
      it(`refuses, and does not detach the SCP itself, when the freeze action is ${status}`, async () => {
        const fake = fakeOrg({ frozen: ["dev"], edit: (s) => (devAction(s).Status = status) });
        const r = await run(fake, ["unfreeze", "dev", "--reason", REASON, "--yes"]);
        assert.strictEqual(r.code, 2);
        assert.strictEqual(
          r.stderr,
          `error: The freeze action of budget platform-dev-monthly is ${status}: AWS Budgets did not ` +
            "finish changing openems-dev (333333333333), so the tool cannot tell whether the attached " +
            "platform-freeze is that action's freeze. Check the action's history in the AWS Budgets " +
            "console and lift the freeze there. Nothing was changed.",
        );
        assert.deepStrictEqual(fake.writes(), []);
        assert.deepStrictEqual(fake.policyByName("platform-freeze").targets, [ACCOUNT_IDS.dev]);
      });
    }

    it("after a failed reversal, a second unfreeze leaves the freeze to AWS Budgets", async () => {
      const fake = fakeOrg({ frozen: ["dev"], reversalResult: "REVERSE_FAILURE" });
      const first = await run(fake, ["unfreeze", "dev", "--reason", REASON, "--yes"]);
      assert.strictEqual(first.code, 2);
      assert.match(
        first.stderr,
        /reports REVERSE_FAILURE; openems-dev \(333333333333\) is still frozen/,
      );
      const again = await run(fake, ["unfreeze", "dev", "--reason", REASON, "--yes"]);
      assert.strictEqual(again.code, 2);
      assert.match(again.stderr, /is REVERSE_FAILURE: AWS Budgets did not finish changing/);
      // The one write is the first run's reversal: no DetachPolicy claiming no action applied it.
      assert.deepStrictEqual(
        fake.writes().map((c) => c.op),
        ["ExecuteBudgetAction"],
      );
      assert.deepStrictEqual(fake.policyByName("platform-freeze").targets, [ACCOUNT_IDS.dev]);
    });
  });

  describe("the messages and the record", () => {
    it("says, without --yes, that it would detach a freeze no budget action applied", async () => {
      const fake = fakeOrg({ edit: (s) => freezeScp(s).targets.push(ACCOUNT_IDS.stage) });
      const r = await run(fake, ["unfreeze", "stage", "--reason", REASON]);
      assert.strictEqual(r.code, 2);
      assert.strictEqual(
        r.stdout,
        "Refusing to unfreeze without --yes. This would detach platform-freeze from openems-stage " +
          "(444444444444) (no budget action applied this freeze). Re-run with --yes to do it. " +
          "Nothing was changed.",
      );
      assert.deepStrictEqual(fake.writes(), []);
    });

    it("notes in full that a budget action's record disagrees with the detached SCP", async () => {
      const fake = fakeOrg({ frozen: ["dev"], edit: (s) => (freezeScp(s).targets = []) });
      const r = await run(fake, ["unfreeze", "dev", "--reason", REASON]);
      assert.strictEqual(r.code, 0);
      assert.strictEqual(
        r.stdout,
        "openems-dev (333333333333) is not frozen: platform-freeze is not attached to it. Nothing to do; " +
          "nothing was changed.\n" +
          "Note: Budget platform-dev-monthly still reports its freeze action as EXECUTION_SUCCESS: " +
          "the SCP was detached outside AWS Budgets.",
      );
    });

    it("prints the record of a detach, with no budget advice for an account the stack file does not know", async () => {
      const fake = fakeOrg({ edit: frozenExperimentsAccount });
      const r = await run(fake, ["unfreeze", EXPERIMENTS_ID, "--reason", REASON, "--yes"]);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.strictEqual(
        r.stdout,
        [
          "Unfroze openems-experiments (777777777777): detached platform-freeze, which no budget action had applied.",
          `  who:  ${ADMIN_ARN}`,
          "  when: 2026-03-14T09:30:00.000Z",
          `  why:  ${REASON}`,
          "  how:  detached platform-freeze (p-freeze000000) with organizations:DetachPolicy",
          "Keep this record with the ticket: CloudTrail logs the call and the caller, not the reason.",
        ].join("\n"),
      );
      assert.deepStrictEqual(fake.policyByName("platform-freeze").targets, []);
    });

    it("prints only the message when someone else detached the SCP first", async () => {
      const fake = fakeOrg({ edit: (s) => freezeScp(s).targets.push(ACCOUNT_IDS.stage) });
      fake.after("ListTargetsForPolicy", () => (fake.policyByName("platform-freeze").targets = []));
      const r = await run(fake, ["unfreeze", "stage", "--reason", REASON, "--yes"]);
      assert.strictEqual(r.code, 0, r.stderr);
      assert.strictEqual(
        r.stdout,
        "openems-stage (444444444444) is no longer frozen: platform-freeze was detached by someone else " +
          "meanwhile. Nothing was changed.",
      );
    });

    it("says in full what to check when AWS Budgets cannot reverse the action", async () => {
      const fake = fakeOrg({ frozen: ["dev"], reversalResult: "REVERSE_FAILURE" });
      const r = await run(fake, ["unfreeze", "dev", "--reason", REASON, "--yes"]);
      assert.strictEqual(r.code, 2);
      assert.strictEqual(
        r.stderr,
        "error: AWS Budgets accepted the reversal of budget platform-dev-monthly's freeze action but " +
          "reports REVERSE_FAILURE; openems-dev (333333333333) is still frozen. Check the action's " +
          "history in the AWS Budgets console (its execution role platform-budget-action must be " +
          "allowed to detach platform-freeze), then retry the reversal there.",
      );
    });

    it("keeps the record of a reversal it could not follow, and notes why", async () => {
      const denied = new AccessDeniedException({
        Message: "denied",
        message: "not authorized to perform: budgets:DescribeBudgetAction",
        $metadata: { httpStatusCode: 400 },
      });
      const fake = fakeOrg({ frozen: ["dev"] }).failAlways("DescribeBudgetAction", denied);
      const r = await run(fake, ["unfreeze", "dev", "--reason", REASON, "--yes"]);
      // The reversal was asked for: a success that could not be watched, not an error.
      assert.strictEqual(r.code, 0, r.stderr);
      assert.strictEqual(fake.callsOf("ExecuteBudgetAction").length, 1);
      assert.strictEqual(
        r.stdout,
        [
          "Asked AWS Budgets to reverse the freeze action of budget platform-dev-monthly; it is still " +
            "being reversed. Check with `npm run ops -- freeze status` in a minute.",
          `  who:  ${ADMIN_ARN}`,
          "  when: 2026-03-14T09:30:00.000Z",
          `  why:  ${REASON}`,
          "  how:  reversed budget action 7c1f3a52-9d0e-4b8a-a1c2-3e5f7a9b1d20 of budget " +
            "platform-dev-monthly (EXECUTION_SUCCESS -> REVERSE_IN_PROGRESS)",
          "Keep this record with the ticket: CloudTrail logs the call and the caller, not the reason.",
          "If dev needs more money this period, raise platform:budgets.accounts.dev.amount in " +
            "org/Pulumi.management.yaml and run `pulumi up` in org/.",
          "Note: Could not follow the reversal: AWS denied budgets:DescribeBudgetAction " +
            "(AccessDeniedException: not authorized to perform: budgets:DescribeBudgetAction). Run the " +
            "tool with a role of the management account that allows budgets:DescribeBudgetAction (the " +
            "administrator permission set does), or ask an admin to grant it.",
        ].join("\n"),
      );
    });
  });
});
