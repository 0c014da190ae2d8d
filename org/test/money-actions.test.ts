/**
 * What the organization stack must keep exactly as it is: the Organization itself survives a
 * destroy, the tag policy allows every value the platform tags with (and only those), and each
 * budget action freezes the one account it belongs to, on actual spend, at the configured share.
 * Expected values are literals from org/Pulumi.management.yaml and the AWS Budgets API reference.
 */
import * as assert from "assert";
import { byType, one, stackOf } from "../../tooling/testing/harness";
import { nonEmpty } from "../../tooling/testing/non-empty";

describe("org stack: what a careless change must not lose", () => {
  it("protects the Organization and keeps it when the stack is destroyed", async () => {
    const org = one(
      await stackOf("org", "management"),
      "aws:organizations/organization:Organization",
    );
    // Deleting an organization removes every account's membership and its SCPs at once.
    assert.strictEqual(org.protect, true, "protect");
    assert.strictEqual(org.retainOnDelete, true, "retainOnDelete");
  });

  it("tag policy: every allowed value of every tag, enforced on the resources that carry costs", async () => {
    const tagPolicy = byType(await stackOf("org", "management"), "aws:organizations/policy:Policy")
      .filter((p) => p.inputs.type === "TAG_POLICY")
      .map((p) => JSON.parse(p.inputs.content));
    assert.strictEqual(tagPolicy.length, 1);
    // Tag policy syntax: tag_key / tag_value / enforced_for with @@assign (AWS Organizations User
    // Guide, "Tag policy syntax and examples").
    const enforcedFor = {
      "@@assign": [
        "ec2:instance",
        "ec2:volume",
        "s3:bucket",
        "lambda:function",
        "kms:key",
        "secretsmanager:secret",
      ],
    };
    const tag = (key: string, values: string[]) => ({
      tag_key: { "@@assign": key },
      tag_value: { "@@assign": values },
      enforced_for: enforcedFor,
    });
    assert.deepStrictEqual(tagPolicy[0], {
      tags: {
        project: tag("project", ["openems"]),
        // Each account of org/Pulumi.management.yaml tags its own environment or key.
        environment: tag("environment", [
          "management",
          "log-archive",
          "dev",
          "stage",
          "prod",
          "sandbox",
        ]),
        "cost-center": tag("cost-center", ["energy-ops"]),
        // Resources Pulumi manages, and the few made by hand (README, "Cost allocation tags").
        "managed-by": tag("managed-by", ["pulumi", "manual"]),
      },
    });
  });

  it("budget actions: every field, on actual spend, against the budget's own account only", async () => {
    const plan = await stackOf("org", "management");
    const accountId = (key: string) =>
      one(plan, "aws:organizations/account:Account", `org-account-${key}`).id;
    const freeze = byType(plan, "aws:organizations/policy:Policy").filter(
      (p) => p.inputs.name === "platform-freeze",
    );
    assert.strictEqual(freeze.length, 1);
    const role = one(plan, "aws:iam/role:Role", "money-budget-action");
    const grant = one(plan, "aws:iam/rolePolicy:RolePolicy", "money-budget-action");
    const planned = byType(plan, "aws:budgets/budgetAction:BudgetAction");
    const actions = new Map(planned.map((a) => [a.name, a.inputs]));
    // Created only after the grant that lets its execution role attach the SCP, so an action never
    // exists with a role that cannot act.
    for (const a of nonEmpty(planned, "budget action"))
      assert.ok(a.dependencies.includes(grant.urn), `${a.name} waits for ${grant.name}`);
    assert.deepStrictEqual([...actions.keys()].sort(), [
      "money-dev-freeze",
      "money-sandbox-freeze",
    ]);
    for (const key of ["dev", "sandbox"]) {
      assert.deepStrictEqual(actions.get(`money-${key}-freeze`), {
        budgetName: `platform-${key}-monthly`,
        actionType: "APPLY_SCP_POLICY",
        approvalModel: "AUTOMATIC",
        // ACTUAL, not FORECASTED: a forecast would freeze work that has not cost anything yet.
        notificationType: "ACTUAL",
        // freezeAtPercent: 100 for dev and sandbox in org/Pulumi.management.yaml.
        actionThreshold: { actionThresholdType: "PERCENTAGE", actionThresholdValue: 100 },
        // One target: this budget's account, never the root or an OU.
        definition: {
          scpActionDefinition: { policyId: freeze[0].id, targetIds: [accountId(key)] },
        },
        executionRoleArn: role.state.arn,
        // platform:budgets.subscribers: told when the action runs.
        subscribers: [
          { address: "finance@example.com", subscriptionType: "EMAIL" },
          { address: "platform-team@example.com", subscriptionType: "EMAIL" },
        ],
      });
    }
  });
});
