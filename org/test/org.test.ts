import { nonEmpty } from "../../tooling/testing/non-empty";
import * as assert from "assert";
import {
  byType,
  editedConfig,
  one,
  planExpectingError,
  planOne,
  stackOf,
} from "../../tooling/testing/harness";

describe("org stack", () => {
  it("creates an all-features organization with SCPs, RCPs and tag policies enabled", async () => {
    const org = one(
      await stackOf("org", "management"),
      "aws:organizations/organization:Organization",
    );
    assert.strictEqual(org.inputs.featureSet, "ALL");
    assert.deepStrictEqual(org.inputs.enabledPolicyTypes, [
      "RESOURCE_CONTROL_POLICY",
      "SERVICE_CONTROL_POLICY",
      "TAG_POLICY",
    ]);
    assert.ok(org.inputs.awsServiceAccessPrincipals.includes("cloudtrail.amazonaws.com"));
  });

  it("protects and retains accounts, never closes them, and ignores renames", async () => {
    const accounts = byType(
      await stackOf("org", "management"),
      "aws:organizations/account:Account",
    );
    assert.deepStrictEqual(accounts.map((a) => a.name).sort(), [
      "org-account-dev",
      "org-account-log-archive",
      "org-account-prod",
      "org-account-sandbox",
      "org-account-stage",
    ]);
    for (const a of accounts) {
      assert.ok(a.protect && a.retainOnDelete, a.name);
      assert.strictEqual(a.inputs.closeOnDeletion, false);
    }
  });

  it("protects and retains the trail bucket and every KMS key", async () => {
    const plan = await stackOf("org", "management");
    for (const r of nonEmpty(
      [...byType(plan, "aws:kms/key:Key"), ...byType(plan, "aws:s3/bucket:Bucket")],
      '[...byType(plan, "aws:kms/key:Key"), ...',
    ))
      assert.ok(r.protect && r.retainOnDelete, `${r.type} ${r.name}`);
  });

  it("puts each account in its OU", async () => {
    const plan = await stackOf("org", "management");
    const ous = Object.fromEntries(
      byType(plan, "aws:organizations/organizationalUnit:OrganizationalUnit").map((o) => [
        o.id,
        o.name,
      ]),
    );
    const parentOf = (name: string) =>
      ous[one(plan, "aws:organizations/account:Account", name).inputs.parentId];
    assert.strictEqual(parentOf("org-account-prod"), "org-ou-workloads-prod");
    assert.strictEqual(parentOf("org-account-dev"), "org-ou-workloads-nonprod");
    assert.strictEqual(parentOf("org-account-log-archive"), "org-ou-security");
  });

  it("loads every SCP from policies/scp and attaches it where the attachment table says", async () => {
    const plan = await stackOf("org", "management");
    const policies = byType(plan, "aws:organizations/policy:Policy").filter(
      (p) => p.inputs.type === "SERVICE_CONTROL_POLICY",
    );
    const fs = await import("fs");
    const files = fs
      .readdirSync("policies/scp")
      .map((f) => `platform-${f.replace(/\.json$/, "")}`)
      .sort();
    assert.deepStrictEqual(policies.map((p) => p.inputs.name).sort(), files);
    const freeze = policies.find((p) => p.inputs.name === "platform-freeze")!;
    const attachments = byType(plan, "aws:organizations/policyAttachment:PolicyAttachment");
    assert.ok(
      !attachments.some((a) => a.inputs.policyId === freeze.id),
      "freeze is attached only by the budget action",
    );
    const rootId = one(plan, "aws:organizations/organization:Organization").state.roots[0].id;
    const region = policies.find((p) => p.inputs.name === "platform-region-lock")!;
    assert.ok(
      attachments.some((a) => a.inputs.policyId === region.id && a.inputs.targetId === rootId),
    );
    assert.ok(
      JSON.parse(region.inputs.content).Statement.some((s: any) =>
        JSON.stringify(s).includes("us-west-2"),
      ),
    );
  });

  it("loads every RCP from policies/rcp, binds the organization id and attaches it after the Organization", async () => {
    const plan = await stackOf("org", "management");
    const org = one(plan, "aws:organizations/organization:Organization");
    const rcps = byType(plan, "aws:organizations/policy:Policy").filter(
      (p) => p.inputs.type === "RESOURCE_CONTROL_POLICY",
    );
    const fs = await import("fs");
    const files = fs
      .readdirSync("policies/rcp")
      .map((f) => `platform-${f.replace(/\.json$/, "")}`)
      .sort();
    assert.ok(files.length >= 2, "policies/rcp holds fewer than two files");
    assert.deepStrictEqual(rcps.map((p) => p.inputs.name).sort(), files);
    const perimeter = rcps.find((p) => p.inputs.name === "platform-data-perimeter")!;
    assert.ok(!perimeter.inputs.content.includes("{{"), "a token was left in the content");
    const orgIds = JSON.parse(perimeter.inputs.content).Statement.map(
      (s: any) =>
        s.Condition.StringNotEqualsIfExists["aws:PrincipalOrgID"] ??
        s.Condition.StringNotEqualsIfExists["aws:SourceOrgID"],
    );
    assert.deepStrictEqual(orgIds, [org.id, org.id]);
    const attachments = byType(plan, "aws:organizations/policyAttachment:PolicyAttachment").filter(
      (a) => rcps.some((p) => p.id === a.inputs.policyId),
    );
    const rootId = org.state.roots[0].id;
    const securityOu = byType(plan, "aws:organizations/organizationalUnit:OrganizationalUnit").find(
      (o) => o.inputs.name === "Security",
    )!;
    assert.deepStrictEqual(
      attachments
        .map((a) => [rcps.find((p) => p.id === a.inputs.policyId)!.inputs.name, a.inputs.targetId])
        .sort(),
      [
        ["platform-data-perimeter", rootId],
        ["platform-protect-trail-logs", securityOu.id],
      ],
    );
    // A child does not inherit its component's dependsOn: each names the Organization, which
    // enables RESOURCE_CONTROL_POLICY on the root.
    for (const r of nonEmpty([...rcps, ...attachments], "RCPs and attachments")) {
      assert.ok(r.dependencies.includes(org.urn), `${r.name} does not depend on the Organization`);
    }
  });

  it("creates deploy roles in every environment account trusting only the management admins, and the agent role only in dev", async () => {
    const plan = await stackOf("org", "management");
    const roles = byType(plan, "aws:iam/role:Role");
    const deploy = roles.filter((r) => r.inputs.name === "platform-deploy");
    assert.strictEqual(deploy.length, 3);
    for (const r of deploy) {
      const trust = JSON.parse(r.inputs.assumeRolePolicy);
      // The roles Identity Center provisions for AdministratorAccess in the management account
      // (111111111111 under the mocks), with and without the instance's region (us-east-1) in
      // the path, and the 16-character suffix Identity Center appends.
      assert.deepStrictEqual(trust.Statement[0].Condition.ArnLike["aws:PrincipalArn"], [
        "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_????????????????",
        "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/us-east-1/AWSReservedSSO_AdministratorAccess_????????????????",
      ]);
      assert.ok(r.protect);
    }
    const agents = roles.filter((r) => r.inputs.name === "platform-automation-agent");
    assert.deepStrictEqual(
      agents.map((r) => r.name),
      ["access-dev-agent"],
    );
    const boundary = one(plan, "aws:iam/policy:Policy", "access-dev-agent-boundary");
    assert.strictEqual(agents[0].inputs.permissionsBoundary, boundary.state.arn);
    const denied = JSON.parse(boundary.inputs.policy)
      .Statement.filter((s: any) => s.Effect === "Deny")
      .flatMap((s: any) => s.Action);
    for (const action of ["iam:CreateUser", "iam:CreateAccessKey", "organizations:*"])
      assert.ok(denied.includes(action), action);
    const env = (await stackOf("org", "management")).outputs.environments as any;
    assert.strictEqual(
      env.prod.deployRoleArn,
      deploy.find((r) => r.state.arn.includes(env.prod.accountId))!.state.arn,
    );
  });

  it("exports every budget for finance: account, limit, thresholds, subscribers and freeze", async () => {
    const plan = await stackOf("org", "management");
    const budgets = plan.outputs.budgets as any[];
    assert.deepStrictEqual(
      budgets.map((b) => b.name),
      [
        "platform-organization-monthly",
        "platform-log-archive-monthly",
        "platform-dev-monthly",
        "platform-stage-monthly",
        "platform-prod-monthly",
        "platform-sandbox-monthly",
      ],
    );
    const dev = budgets.find((b) => b.name === "platform-dev-monthly");
    const accounts = byType(plan, "aws:organizations/account:Account");
    assert.deepStrictEqual(dev, {
      name: "platform-dev-monthly",
      scope: "account",
      accountName: "openems-dev",
      accountId: accounts.find((a) => a.name === "org-account-dev")!.id,
      limit: 100,
      currency: "USD",
      thresholds: [
        { percent: 50, type: "actual" },
        { percent: 80, type: "actual" },
        { percent: 100, type: "actual" },
        { percent: 100, type: "forecasted" },
      ],
      subscribers: ["finance@example.com", "platform-team@example.com"],
      freezes: true,
      freezeAtPercent: 100,
    });
    assert.strictEqual(budgets.find((b) => b.name === "platform-prod-monthly").freezes, false);
  });

  it("notifies through an encrypted topic Budgets may publish to, and freezes dev and sandbox automatically", async () => {
    const plan = await stackOf("org", "management");
    const topic = one(plan, "aws:sns/topic:Topic", "money-alerts");
    assert.ok(topic.inputs.kmsMasterKeyId.startsWith("arn:aws:kms:"));
    const policy = JSON.parse(
      one(plan, "aws:sns/topicPolicy:TopicPolicy", "money-alerts").inputs.policy,
    );
    assert.deepStrictEqual(policy.Statement[0].Principal.Service, [
      "budgets.amazonaws.com",
      "costalerts.amazonaws.com",
    ]);
    const budget = one(plan, "aws:budgets/budget:Budget", "money-dev");
    assert.deepStrictEqual(
      budget.inputs.notifications.map((n: any) => `${n.notificationType}:${n.threshold}`),
      ["ACTUAL:50", "ACTUAL:80", "ACTUAL:100", "FORECASTED:100"],
    );
    assert.deepStrictEqual(budget.inputs.notifications[0].subscriberSnsTopicArns, [
      topic.state.arn,
    ]);
    const actions = byType(plan, "aws:budgets/budgetAction:BudgetAction");
    assert.deepStrictEqual(actions.map((a) => a.name).sort(), [
      "money-dev-freeze",
      "money-sandbox-freeze",
    ]);
    const freeze = byType(plan, "aws:organizations/policy:Policy").find(
      (p) => p.inputs.name === "platform-freeze",
    )!;
    for (const a of actions) {
      assert.strictEqual(a.inputs.actionType, "APPLY_SCP_POLICY");
      assert.strictEqual(a.inputs.approvalModel, "AUTOMATIC");
      assert.strictEqual(a.inputs.definition.scpActionDefinition.policyId, freeze.id);
    }
    const role = one(plan, "aws:iam/role:Role", "money-budget-action");
    const rolePolicy = one(plan, "aws:iam/rolePolicy:RolePolicy", "money-budget-action");
    assert.strictEqual(rolePolicy.inputs.role, role.id);
    const grant = JSON.parse(rolePolicy.inputs.policy).Statement[0];
    assert.deepStrictEqual(grant.Action, [
      "organizations:AttachPolicy",
      "organizations:DetachPolicy",
    ]);
    assert.strictEqual(grant.Resource[0], freeze.state.arn);
    assert.strictEqual(
      grant.Resource.length,
      3,
      "the freeze policy plus the two freezable accounts",
    );
  });

  it("activates the cost allocation tags only once platform:tags.activateInBilling says billing knows them", async () => {
    const ACTIVATION = "aws:costexplorer/costAllocationTag:CostAllocationTag";
    assert.deepStrictEqual(byType(await stackOf("org", "management"), ACTIVATION), []);
    const later = await planOne(
      "org",
      "management",
      editedConfig("org", "management", (c) => (c["platform:tags"].activateInBilling = true)),
      new Map(),
    );
    assert.deepStrictEqual(
      byType(later, ACTIVATION)
        .map((t) => [t.inputs.tagKey, t.inputs.status])
        .sort(),
      ["cost-center", "environment", "managed-by", "owner", "project"].map((k) => [k, "Active"]),
    );
  });

  it("constrains the cost allocation tags by tag policy and watches for anomalies", async () => {
    const plan = await stackOf("org", "management");
    const tagPolicy = byType(plan, "aws:organizations/policy:Policy").find(
      (p) => p.inputs.type === "TAG_POLICY",
    )!;
    assert.deepStrictEqual(
      JSON.parse(tagPolicy.inputs.content).tags["cost-center"].tag_value["@@assign"],
      ["energy-ops"],
    );
    assert.strictEqual(byType(plan, "aws:costexplorer/anomalyMonitor:AnomalyMonitor").length, 5);
    const sub = one(plan, "aws:costexplorer/anomalySubscription:AnomalySubscription");
    assert.deepStrictEqual(sub.inputs.thresholdExpression.dimension.values, ["20"]);
  });

  it("runs an organization trail in all regions with log validation into the log archive", async () => {
    const plan = await stackOf("org", "management");
    const trail = one(plan, "aws:cloudtrail/trail:Trail");
    assert.strictEqual(trail.inputs.isOrganizationTrail, true);
    assert.strictEqual(trail.inputs.isMultiRegionTrail, true);
    assert.strictEqual(trail.inputs.enableLogFileValidation, true);
    const bucket = one(plan, "aws:s3/bucket:Bucket");
    const archive = one(plan, "aws:organizations/account:Account", "org-account-log-archive");
    assert.strictEqual(bucket.inputs.bucket, `platform-org-trail-${archive.id}`);
    assert.strictEqual(
      one(plan, "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration.status,
      "Enabled",
    );
    const pab = one(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs;
    assert.ok(
      pab.blockPublicAcls &&
        pab.blockPublicPolicy &&
        pab.ignorePublicAcls &&
        pab.restrictPublicBuckets,
    );
    assert.strictEqual(one(plan, "aws:kms/key:Key", "audit-key").inputs.enableKeyRotation, true);
    assert.ok(
      one(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules[0]
        .expiration.days > 365,
    );
  });

  it("refuses SCP attachments over the per-target limit before creating anything", async () => {
    const config = editedConfig("org", "management", (c) => {
      c["platform:guardrails"].attachments = {
        "deny-leave-organization": ["root"],
        "region-lock": ["root"],
        "deny-root-user": ["root"],
        "protect-guardrails": ["root"],
        "lambda-url-iam-auth": ["root"],
      };
    });
    const { message, registered } = await planExpectingError("org", "management", config);
    assert.match(message, /root/);
    assert.match(message, /FullAWSAccess/);
    assert.strictEqual(registered.length, 0);
  });

  it("refuses RCP attachments to an unknown target or to RCPFullAWSAccess before creating anything", async () => {
    for (const [attachments, pattern] of [
      [
        { "data-perimeter": ["ou:nowhere"] },
        /RCP "data-perimeter" is attached to unknown target "ou:nowhere"/,
      ],
      [{ RCPFullAWSAccess: ["root"] }, /RCPFullAWSAccess is attached by AWS and always counted/],
    ] as const) {
      const config = editedConfig("org", "management", (c) => {
        c["platform:guardrails"].rcpAttachments = attachments;
      });
      const { message, registered } = await planExpectingError("org", "management", config);
      assert.match(message, pattern);
      assert.strictEqual(registered.length, 0);
    }
  });

  it("refuses an SCP over the size limit before creating anything", async () => {
    const config = editedConfig(
      "org",
      "management",
      (c) => (c["platform:guardrails"].maxPolicyChars = 300),
    );
    const { message, registered } = await planExpectingError("org", "management", config);
    assert.match(message, /SCP "[a-z-]+" .* characters minified; the limit maxPolicyChars is 300/);
    assert.strictEqual(registered.length, 0);
  });
});
