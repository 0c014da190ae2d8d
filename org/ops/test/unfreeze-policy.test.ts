/**
 * `unfreeze` reverses only a budget action that applies the freeze SCP: a budget may carry other
 * actions (another SCP, an IAM policy), and reversing one of those would change something else
 * and leave the account frozen.
 */
import * as assert from "assert";
import type { Action } from "@aws-sdk/client-budgets";
import { ACCOUNT_IDS, MANAGEMENT_ACCOUNT_ID } from "./fake-aws";
import { fakeOrg, run } from "./harness";

const REASON = "Budget raised to 150 USD after review (FIN-42)";
const OTHER_ACTION_ID = "5d0c7e21-3b4a-4c6d-8e9f-0a1b2c3d4e5f";

/** A fired budget action of the dev budget that is not the freeze: each shape AWS allows. */
const UNRELATED: readonly [string, (otherScpId: string) => Action][] = [
  [
    "applies another SCP to the account",
    (otherScpId) => ({
      ActionId: OTHER_ACTION_ID,
      BudgetName: "platform-dev-monthly",
      NotificationType: "ACTUAL",
      ActionType: "APPLY_SCP_POLICY",
      ActionThreshold: { ActionThresholdValue: 80, ActionThresholdType: "PERCENTAGE" },
      Definition: {
        ScpActionDefinition: { PolicyId: otherScpId, TargetIds: [ACCOUNT_IDS.dev] },
      },
      ExecutionRoleArn: `arn:aws:iam::${MANAGEMENT_ACCOUNT_ID}:role/platform-budget-action`,
      ApprovalModel: "AUTOMATIC",
      Status: "EXECUTION_SUCCESS",
      Subscribers: [{ SubscriptionType: "EMAIL", Address: "finance@example.com" }],
    }),
  ],
  [
    "attaches an IAM policy",
    () => ({
      ActionId: OTHER_ACTION_ID,
      BudgetName: "platform-dev-monthly",
      NotificationType: "ACTUAL",
      ActionType: "APPLY_IAM_POLICY",
      ActionThreshold: { ActionThresholdValue: 80, ActionThresholdType: "PERCENTAGE" },
      Definition: {
        IamActionDefinition: {
          PolicyArn: `arn:aws:iam::${MANAGEMENT_ACCOUNT_ID}:policy/deny-ec2-run`,
          Roles: ["developers"],
        },
      },
      ExecutionRoleArn: `arn:aws:iam::${MANAGEMENT_ACCOUNT_ID}:role/platform-budget-action`,
      ApprovalModel: "AUTOMATIC",
      Status: "EXECUTION_SUCCESS",
      Subscribers: [{ SubscriptionType: "EMAIL", Address: "finance@example.com" }],
    }),
  ],
];

describe("ops unfreeze: only the freeze SCP's budget action", () => {
  for (const [what, action] of UNRELATED) {
    it(`detaches a hand-attached freeze, leaving alone a fired budget action that ${what}`, async () => {
      const fake = fakeOrg({
        edit: (s) => {
          const other = s.policies.find((p) => p.Name === "platform-deny-expensive-services")!;
          assert.ok(other, "the fake holds the other SCP");
          other.targets.push(ACCOUNT_IDS.dev);
          s.actions.push(action(other.Id));
          s.policies.find((p) => p.Name === "platform-freeze")!.targets.push(ACCOUNT_IDS.dev);
        },
      });
      const otherTargets = [...fake.policyByName("platform-deny-expensive-services").targets];
      const r = await run(fake, ["unfreeze", "dev", "--reason", REASON, "--yes"]);
      assert.strictEqual(r.code, 0, r.stderr);
      // The one change: the freeze SCP off dev (p-freeze000000 is the fake's id of platform-freeze).
      assert.deepStrictEqual(
        fake.writes().map((c) => [c.op, c.input]),
        [["DetachPolicy", { PolicyId: "p-freeze000000", TargetId: ACCOUNT_IDS.dev }]],
      );
      assert.deepStrictEqual(fake.policyByName("platform-freeze").targets, []);
      assert.deepStrictEqual(
        fake.policyByName("platform-deny-expensive-services").targets,
        otherTargets,
      );
      assert.strictEqual(
        fake.state.actions.find((a) => a.ActionId === OTHER_ACTION_ID)!.Status,
        "EXECUTION_SUCCESS",
      );
      assert.match(r.stdout, /detached platform-freeze, which no budget action had applied/);
    });
  }

  it("reverses the freeze action, not another fired action of the same budget", async () => {
    const fake = fakeOrg({
      frozen: ["dev"],
      edit: (s) => {
        const other = s.policies.find((p) => p.Name === "platform-deny-expensive-services")!;
        other.targets.push(ACCOUNT_IDS.dev);
        // Listed first, so a tool that ignored the policy would pick it.
        s.actions.unshift(UNRELATED[0][1](other.Id));
      },
    });
    const otherTargets = [...fake.policyByName("platform-deny-expensive-services").targets];
    assert.ok(otherTargets.includes(ACCOUNT_IDS.dev));
    const r = await run(fake, ["unfreeze", "dev", "--reason", REASON, "--yes"]);
    assert.strictEqual(r.code, 0, r.stderr);
    const writes = fake.writes();
    assert.deepStrictEqual(
      writes.map((c) => [c.op, c.input.ActionId]),
      [["ExecuteBudgetAction", "7c1f3a52-9d0e-4b8a-a1c2-3e5f7a9b1d20"]],
    );
    assert.deepStrictEqual(fake.policyByName("platform-freeze").targets, []);
    assert.deepStrictEqual(
      fake.policyByName("platform-deny-expensive-services").targets,
      otherTargets,
    );
  });
});
