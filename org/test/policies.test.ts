/**
 * What the org stack's resource policies, tag policy and budget actions say, statement by
 * statement, read from the plan of the real program (what `pulumi up` would send). Expected
 * values are written out here, from the repository's stack file (org/Pulumi.management.yaml) and
 * the AWS documentation cited beside them, never taken from the code under test.
 */
import { nonEmpty } from "../../tooling/testing/non-empty";
import * as assert from "assert";
import { byType, one, stackOf } from "../../tooling/testing/harness";
import type { StackPlan } from "../../tooling/plan/run";

const ORGANIZATION = "aws:organizations/organization:Organization";
const ACCOUNT = "aws:organizations/account:Account";
const OU = "aws:organizations/organizationalUnit:OrganizationalUnit";
const POLICY = "aws:organizations/policy:Policy";
const BUDGET_ACTION = "aws:budgets/budgetAction:BudgetAction";

const statements = (doc: string): any[] => {
  const parsed = JSON.parse(doc).Statement;
  assert.ok(Array.isArray(parsed) && parsed.length > 0, "the policy has statements");
  return parsed;
};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

function org(plan: StackPlan) {
  const organization = one(plan, ORGANIZATION);
  return { organization, id: organization.id!, rootId: organization.state.roots[0].id as string };
}

describe("org stack: the organization", () => {
  before(async function () {
    // The first plan of the repository takes a while on a busy machine.
    this.timeout(60_000);
    await stackOf("org", "management");
  });

  it("is protected and retained: a refactor or destroy never deletes the organization", async () => {
    const o = one(await stackOf("org", "management"), ORGANIZATION);
    assert.strictEqual(o.protect, true, "protect");
    assert.strictEqual(o.retainOnDelete, true, "retainOnDelete");
  });

  it("protects and retains every OU", async () => {
    const ous = byType(await stackOf("org", "management"), OU);
    // Five OUs: security, workloads, workloads/prod, workloads/nonprod, sandbox (lib/config/org).
    assert.strictEqual(ous.length, 5);
    for (const ou of ous) assert.ok(ou.protect && ou.retainOnDelete, ou.name);
  });
});

describe("org stack: trail bucket policy", () => {
  it("denies every S3 call over plain HTTP to anyone, on the bucket and its objects", async () => {
    const plan = await stackOf("org", "management");
    const bucket = one(plan, "aws:s3/bucket:Bucket", "audit-bucket").state.arn;
    const policy = one(plan, "aws:s3/bucketPolicy:BucketPolicy", "audit-bucket");
    const tls = statements(policy.inputs.policy).filter(
      (s) => s.Effect === "Deny" && JSON.stringify(s.Condition ?? {}).includes("SecureTransport"),
    );
    assert.strictEqual(tls.length, 1, "one TLS-only statement");
    const { Sid: _sid, ...rest } = tls[0];
    // AWS's recommended form (S3 User Guide, "Enforce encryption of data in transit":
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html).
    assert.deepStrictEqual(
      { ...rest, Resource: list(rest.Resource).slice().sort() },
      {
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucket, `${bucket}/*`].sort(),
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    );
  });

  it("lets CloudTrail write only for the organization trail (aws:SourceArn), nobody else", async () => {
    const plan = await stackOf("org", "management");
    const trail = one(plan, "aws:cloudtrail/trail:Trail");
    const policy = one(plan, "aws:s3/bucketPolicy:BucketPolicy", "audit-bucket");
    const allows = statements(policy.inputs.policy).filter((s) => s.Effect === "Allow");
    assert.ok(allows.length > 0);
    for (const s of allows) {
      assert.deepStrictEqual(s.Principal, { Service: "cloudtrail.amazonaws.com" }, s.Sid);
      assert.deepStrictEqual(
        s.Condition,
        // The trail in the management account (111111111111 under the mocks), home region us-east-1.
        { StringEquals: { "aws:SourceArn": trail.state.arn } },
        s.Sid,
      );
    }
    assert.strictEqual(
      trail.state.arn,
      "arn:aws:cloudtrail:us-east-1:111111111111:trail/platform-org-trail",
    );
  });
});

describe("org stack: trail key policy", () => {
  it("lets accounts read trail logs only when they belong to this organization (aws:PrincipalOrgID)", async () => {
    const plan = await stackOf("org", "management");
    const { id } = org(plan);
    const key = one(plan, "aws:kms/key:Key", "audit-key");
    const everyone = statements(key.inputs.policy).filter(
      (s) => s.Effect === "Allow" && JSON.stringify(s.Principal) === JSON.stringify({ AWS: "*" }),
    );
    // The organization-wide read (kms:Decrypt for everyone in the organization).
    const read = everyone.filter((s) => list(s.Action).includes("kms:Decrypt"));
    assert.strictEqual(read.length, 1, "one organization-wide decrypt statement");
    assert.strictEqual(read[0].Condition?.StringEquals?.["aws:PrincipalOrgID"], id);
    assert.match(id, /^o-/, "an organization id");
    // Only CloudTrail's log files: the encryption context names a trail of the management account
    // (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html).
    assert.strictEqual(
      read[0].Condition?.StringLike?.["kms:EncryptionContext:aws:cloudtrail:arn"],
      "arn:aws:cloudtrail:*:111111111111:trail/*",
    );
    // And no other grant to everyone escapes the organization condition.
    for (const s of nonEmpty(everyone, "everyone"))
      assert.strictEqual(s.Condition?.StringEquals?.["aws:PrincipalOrgID"], id, s.Sid);
  });
});

describe("org stack: tag policy", () => {
  it("allows exactly the platform's values for each cost allocation tag, enforced on the platform's resource types, at the root", async () => {
    const plan = await stackOf("org", "management");
    const tagPolicies = byType(plan, POLICY).filter((p) => p.inputs.type === "TAG_POLICY");
    assert.strictEqual(tagPolicies.length, 1);
    // Tag policy syntax: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_example-tag-policies.html
    // Types that support enforcement: .../orgs_manage_policies_supported-resources-enforcement.html
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
    assert.deepStrictEqual(JSON.parse(tagPolicies[0].inputs.content), {
      tags: {
        // platform:tags in org/Pulumi.management.yaml: project openems, costCenter energy-ops.
        project: tag("project", ["openems"]),
        // The org stack's own tag, the log-archive account (its provider tags the trail bucket
        // and key there: without the value the trail could never be created), the three
        // environments and the sandbox account.
        environment: tag("environment", [
          "management",
          "log-archive",
          "dev",
          "stage",
          "prod",
          "sandbox",
        ]),
        "cost-center": tag("cost-center", ["energy-ops"]),
        // What Pulumi creates, and what someone made by hand (tagged as such, not untagged).
        "managed-by": tag("managed-by", ["pulumi", "manual"]),
      },
    });
    const attachments = byType(plan, "aws:organizations/policyAttachment:PolicyAttachment").filter(
      (a) => a.inputs.policyId === tagPolicies[0].id,
    );
    assert.deepStrictEqual(
      attachments.map((a) => a.inputs.targetId),
      [org(plan).rootId],
    );
  });
});

describe("org stack: budget freeze actions", () => {
  // platform:budgets.accounts in org/Pulumi.management.yaml: dev and sandbox freeze at 100 % of
  // actual spend; log-archive, stage and prod never freeze.
  const FREEZING = [
    { action: "money-dev-freeze", account: "org-account-dev", budget: "platform-dev-monthly" },
    {
      action: "money-sandbox-freeze",
      account: "org-account-sandbox",
      budget: "platform-sandbox-monthly",
    },
  ];

  it("exist only for the accounts marked to freeze", async () => {
    const actions = byType(await stackOf("org", "management"), BUDGET_ACTION);
    assert.deepStrictEqual(actions.map((a) => a.name).sort(), FREEZING.map((f) => f.action).sort());
  });

  for (const f of FREEZING) {
    it(`${f.budget}: at 100 % of ACTUAL spend, attaches the freeze SCP to that account alone, automatically, through the budget-action role`, async () => {
      const plan = await stackOf("org", "management");
      const action = one(plan, BUDGET_ACTION, f.action);
      const accountId = one(plan, ACCOUNT, f.account).id;
      const freeze = byType(plan, POLICY).filter((p) => p.inputs.name === "platform-freeze");
      assert.strictEqual(freeze.length, 1);
      assert.strictEqual(freeze[0].inputs.type, "SERVICE_CONTROL_POLICY");
      const role = one(plan, "aws:iam/role:Role", "money-budget-action");
      assert.strictEqual(role.inputs.name, "platform-budget-action");
      // Created only after the grant that lets its execution role attach the SCP, so an action
      // never exists with a role that cannot act.
      const grant = one(plan, "aws:iam/rolePolicy:RolePolicy", "money-budget-action");
      assert.ok(action.dependencies.includes(grant.urn), `${f.action} waits for ${grant.name}`);
      // Every field AWS Budgets acts on (CreateBudgetAction:
      // https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_CreateBudgetAction.html).
      assert.deepStrictEqual(
        {
          budgetName: action.inputs.budgetName,
          actionType: action.inputs.actionType,
          approvalModel: action.inputs.approvalModel,
          notificationType: action.inputs.notificationType,
          actionThreshold: action.inputs.actionThreshold,
          definition: action.inputs.definition,
          executionRoleArn: action.inputs.executionRoleArn,
          subscribers: action.inputs.subscribers,
        },
        {
          budgetName: f.budget,
          actionType: "APPLY_SCP_POLICY",
          approvalModel: "AUTOMATIC",
          notificationType: "ACTUAL",
          actionThreshold: { actionThresholdType: "PERCENTAGE", actionThresholdValue: 100 },
          definition: { scpActionDefinition: { policyId: freeze[0].id, targetIds: [accountId] } },
          executionRoleArn: role.state.arn,
          subscribers: [
            { address: "finance@example.com", subscriptionType: "EMAIL" },
            { address: "platform-team@example.com", subscriptionType: "EMAIL" },
          ],
        },
      );
      // Never the root or an OU: that would freeze every account below it.
      const { rootId } = org(plan);
      const ouIds = byType(plan, OU).map((o) => o.id);
      assert.ok(ouIds.length > 0);
      for (const target of nonEmpty<any>(
        action.inputs.definition.scpActionDefinition.targetIds,
        "action.inputs.definition.scpActionDef...",
      )) {
        assert.notStrictEqual(target, rootId);
        assert.ok(!ouIds.includes(target), `${target} is an OU`);
      }
      // The budget it watches is that account's own spend.
      const budget = byType(plan, "aws:budgets/budget:Budget").find(
        (b) => b.inputs.name === f.budget,
      );
      assert.ok(budget);
      assert.deepStrictEqual(budget.inputs.costFilters, [
        { name: "LinkedAccount", values: [accountId] },
      ]);
    });
  }

  it("runs as a role only AWS Budgets of the management account may assume", async () => {
    const role = one(
      await stackOf("org", "management"),
      "aws:iam/role:Role",
      "money-budget-action",
    );
    assert.deepStrictEqual(statements(role.inputs.assumeRolePolicy), [
      {
        Sid: "BudgetsOnly",
        Effect: "Allow",
        Principal: { Service: "budgets.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": "111111111111" } },
      },
    ]);
  });
});
