import { nonEmpty } from "../../tooling/testing/non-empty";
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
  byType,
  editedConfig,
  one,
  planExpectingError,
  planOne,
  stackOf,
} from "../../tooling/testing/harness";
import { PlatformMocks, PlannedResource } from "../../tooling/plan/mocks";
import type { StackPlan } from "../../tooling/plan/run";
import { renderAccessTable } from "../../tooling/controls/generate";
import { validateOrgConfig } from "../../lib/config/org";
import { ORG_STACK_FILE, readStackFile, REPO_ROOT } from "../../lib/repo";

const PS = "aws:ssoadmin/permissionSet:PermissionSet";
const ASSIGNMENT = "aws:ssoadmin/accountAssignment:AccountAssignment";
const GROUP = "aws:identitystore/group:Group";

/** Account ids by platform:accounts key, from the planned accounts; management is the caller. */
function accountIds(plan: StackPlan): Record<string, string> {
  const ids: Record<string, string> = { management: "111111111111" };
  for (const a of nonEmpty(
    byType(plan, "aws:organizations/account:Account"),
    'byType(plan, "aws:organizations/accou...',
  ))
    ids[a.name.replace(/^org-account-/, "")] = a.id!;
  return ids;
}

/** "group permission-set account" for every planned assignment, sorted. */
function assignmentRows(plan: StackPlan): string[] {
  const ids = accountIds(plan);
  const accountOf = Object.fromEntries(Object.entries(ids).map(([k, v]) => [v, k]));
  const groupOf = Object.fromEntries(
    byType(plan, GROUP).map((g) => [g.state.groupId, g.inputs.displayName]),
  );
  const setOf = Object.fromEntries(byType(plan, PS).map((p) => [p.state.arn, p.inputs.name]));
  return byType(plan, ASSIGNMENT)
    .map(
      (a) =>
        `${groupOf[a.inputs.principalId] ?? a.inputs.principalId} ${setOf[a.inputs.permissionSetArn]} ${accountOf[a.inputs.targetId]}`,
    )
    .sort();
}

const ALL = ["management", "log-archive", "dev", "stage", "prod", "sandbox"];
const MEMBERS = ALL.filter((a) => a !== "management");

describe("IdentityCenter", () => {
  it("creates the default permission sets with their session durations, relay state and AWS managed policies", async () => {
    const plan = await stackOf("org", "management");
    const sets: Record<string, PlannedResource> = Object.fromEntries(
      byType(plan, PS).map((p) => [p.inputs.name, p]),
    );
    assert.deepStrictEqual(Object.keys(sets).sort(), [
      "AdministratorAccess",
      "AuditAccess",
      "BillingAccess",
      "ReadOnlyAccess",
    ]);
    assert.strictEqual(sets.AdministratorAccess.inputs.sessionDuration, "PT2H");
    assert.strictEqual(sets.AuditAccess.inputs.sessionDuration, "PT8H");
    assert.strictEqual(
      sets.BillingAccess.inputs.relayState,
      "https://console.aws.amazon.com/costmanagement/home",
    );
    const instance = sets.AdministratorAccess.inputs.instanceArn;
    assert.match(instance, /^arn:aws:sso:::instance\/ssoins-[0-9a-f]{16}$/);
    const managed = (name: string) =>
      byType(plan, "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment")
        .filter((m) => m.inputs.permissionSetArn === sets[name].state.arn)
        .map((m) => m.inputs.managedPolicyArn)
        .sort();
    assert.deepStrictEqual(managed("AuditAccess"), [
      "arn:aws:iam::aws:policy/ReadOnlyAccess",
      "arn:aws:iam::aws:policy/SecurityAudit",
    ]);
    assert.deepStrictEqual(managed("BillingAccess"), [
      "arn:aws:iam::aws:policy/AWSBillingReadOnlyAccess",
      "arn:aws:iam::aws:policy/AWSBudgetsReadOnlyAccess",
    ]);
    assert.deepStrictEqual(managed("AdministratorAccess"), [
      "arn:aws:iam::aws:policy/AdministratorAccess",
    ]);
    for (const p of nonEmpty(Object.values(sets), "Object.values(sets)"))
      assert.strictEqual(p.inputs.instanceArn, instance);
  });

  it("gives auditors the trail bucket and its key in their inline policy, and denies secret values", async () => {
    const plan = await stackOf("org", "management");
    const audit = byType(plan, PS).find((p) => p.inputs.name === "AuditAccess")!;
    const inline = byType(
      plan,
      "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",
    ).find((p) => p.inputs.permissionSetArn === audit.state.arn)!;
    const doc = JSON.parse(inline.inputs.inlinePolicy);
    const bucket = one(plan, "aws:s3/bucket:Bucket", "audit-bucket");
    const key = one(plan, "aws:kms/key:Key", "audit-key");
    const sid = (s: string) => doc.Statement.find((st: any) => st.Sid === s);
    assert.deepStrictEqual(sid("ReadTheOrganizationTrail").Resource, [
      bucket.state.arn,
      `${bucket.state.arn}/*`,
    ]);
    assert.strictEqual(sid("DecryptTheOrganizationTrail").Resource, key.state.arn);
    assert.strictEqual(sid("NoSecretValues").Effect, "Deny");
  });

  it("assigns each group its permission sets in exactly the accounts the config names, to groups only", async () => {
    const plan = await stackOf("org", "management");
    const expected = [
      ...ALL.map((a) => `platform-admins AdministratorAccess ${a}`),
      "engineers BillingAccess management",
      ...MEMBERS.map((a) => `engineers AdministratorAccess ${a}`),
      "leadership BillingAccess management",
      ...ALL.map((a) => `leadership ReadOnlyAccess ${a}`),
      "finance BillingAccess management",
      ...ALL.map((a) => `auditors AuditAccess ${a}`),
    ].sort();
    assert.deepStrictEqual(assignmentRows(plan), expected);
    for (const a of nonEmpty(byType(plan, ASSIGNMENT), "byType(plan, ASSIGNMENT)")) {
      assert.strictEqual(a.inputs.principalType, "GROUP");
      assert.strictEqual(a.inputs.targetType, "AWS_ACCOUNT");
    }
  });

  it("creates the groups in the instance's identity store and keeps them (their members are state)", async () => {
    const plan = await stackOf("org", "management");
    const groups = byType(plan, GROUP);
    assert.deepStrictEqual(groups.map((g) => g.inputs.displayName).sort(), [
      "auditors",
      "engineers",
      "finance",
      "leadership",
      "platform-admins",
    ]);
    for (const g of groups) {
      assert.match(g.inputs.identityStoreId, /^d-[0-9a-f]{10}$/);
      assert.ok(g.protect && g.retainOnDelete, g.name);
    }
  });

  it("exports access: who has which permission set in which account, with the account's id", async () => {
    const plan = await stackOf("org", "management");
    const ids = accountIds(plan);
    const access = plan.outputs.access as {
      group: string;
      permissionSet: string;
      account: string;
      accountName: string;
      accountId: string;
    }[];
    assert.deepStrictEqual(
      access.map((r) => `${r.group} ${r.permissionSet} ${r.account}`).sort(),
      assignmentRows(plan),
    );
    for (const r of access) assert.strictEqual(r.accountId, ids[r.account], JSON.stringify(r));
    const finance = access.filter((r) => r.group === "finance");
    assert.deepStrictEqual(finance, [
      {
        group: "finance",
        permissionSet: "BillingAccess",
        account: "management",
        accountName: "management",
        accountId: "111111111111",
      },
    ]);
  });

  it("makes the platform roles trust the roles of the permission sets platform:identity.trust names", async () => {
    const config = editedConfig("org", "management", (c) => {
      c["platform:identity"].trust.deploy = ["ReadOnlyAccess", "AdministratorAccess"];
    });
    const plan = await planOne("org", "management", config, new Map());
    const trustOf = (r: PlannedResource) =>
      JSON.parse(r.inputs.assumeRolePolicy).Statement[0].Condition.ArnLike["aws:PrincipalArn"];
    const roles = byType(plan, "aws:iam/role:Role");
    const deploy = roles.filter((r) => r.inputs.name === "platform-deploy");
    assert.strictEqual(deploy.length, 3);
    for (const r of deploy)
      assert.deepStrictEqual(
        trustOf(r).map((p: string) => p.replace(/^.*AWSReservedSSO_/, "")),
        [
          "ReadOnlyAccess_????????????????",
          "ReadOnlyAccess_????????????????",
          "AdministratorAccess_????????????????",
          "AdministratorAccess_????????????????",
        ],
      );
    const breakGlass = roles.filter((r) => r.inputs.name === "platform-break-glass");
    assert.strictEqual(breakGlass.length, 5);
    for (const r of breakGlass) {
      assert.deepStrictEqual(trustOf(r), [
        "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_????????????????",
        "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/us-east-1/AWSReservedSSO_AdministratorAccess_????????????????",
      ]);
    }
  });

  it("creates a customer managed policy in every account its permission set is assigned to, before attaching it", async () => {
    const config = editedConfig("org", "management", (c) => {
      c["platform:identity"].permissionSets.Operators = {
        customerManagedPolicies: [
          {
            name: "platform-operators",
            path: "/platform/",
            document: {
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Action: "ssm:StartSession", Resource: "*" }],
            },
          },
        ],
        permissionsBoundary: { managedPolicyArn: "arn:aws:iam::aws:policy/PowerUserAccess" },
        sessionDuration: "PT1H30M",
      };
      c["platform:identity"].assignments.push({
        group: "engineers",
        permissionSet: "Operators",
        targets: ["ou:workloads/nonprod", "account:management"],
      });
    });
    const plan = await planOne("org", "management", config, new Map());
    const set = byType(plan, PS).find((p) => p.inputs.name === "Operators")!;
    assert.strictEqual(set.inputs.sessionDuration, "PT1H30M");
    const ids = accountIds(plan);
    // The account a resource lands in: its provider's pinned account (JSON-encoded, as the
    // engine hands provider inputs over), or the management account's caller for the unpinned one.
    const accountOf = (r: PlannedResource) => {
      const provider = byType(plan, "pulumi:providers:aws").find((p) => p.urn === r.provider)!;
      const pinned = provider.inputs.allowedAccountIds;
      return pinned ? JSON.parse(pinned)[0] : ids.management;
    };
    const policies = byType(plan, "aws:iam/policy:Policy").filter(
      (p) => p.inputs.name === "platform-operators",
    );
    assert.deepStrictEqual(
      policies.map(accountOf).sort(),
      [ids.management, ids.dev, ids.stage].sort(),
    );
    for (const p of policies) assert.strictEqual(p.inputs.path, "/platform/");
    const attachment = one(
      plan,
      "aws:ssoadmin/customerManagedPolicyAttachment:CustomerManagedPolicyAttachment",
    );
    assert.deepStrictEqual(attachment.inputs.customerManagedPolicyReference, {
      name: "platform-operators",
      path: "/platform/",
    });
    assert.strictEqual(attachment.inputs.permissionSetArn, set.state.arn);
    const boundary = one(
      plan,
      "aws:ssoadmin/permissionsBoundaryAttachment:PermissionsBoundaryAttachment",
    );
    assert.deepStrictEqual(boundary.inputs.permissionsBoundary, {
      managedPolicyArn: "arn:aws:iam::aws:policy/PowerUserAccess",
    });
    assert.ok(
      assignmentRows(plan).includes("engineers Operators dev") &&
        assignmentRows(plan).includes("engineers Operators management") &&
        !assignmentRows(plan).includes("engineers Operators prod"),
    );
  });

  it("reaches an Identity Center instance outside the home region through its own provider", async () => {
    const config = editedConfig("org", "management", (c) => {
      c["platform:identity"].region = "us-west-2";
    });
    const plan = await planOne("org", "management", config, new Map());
    const provider = one(plan, "pulumi:providers:aws", "identity-center");
    assert.strictEqual(provider.inputs.region, "us-west-2");
    const sets = byType(plan, PS);
    assert.strictEqual(sets.length, 4);
    for (const r of nonEmpty(
      [...sets, ...byType(plan, ASSIGNMENT), ...byType(plan, GROUP)],
      "[...sets, ...byType(plan, ASSIGNMENT)...",
    ))
      assert.strictEqual(r.provider, provider.urn, r.name);
  });

  it("references groups from an external identity provider by display name or id instead of creating them", async () => {
    const config = editedConfig("org", "management", (c) => {
      c["platform:identity"].groups.auditors = { external: true };
      c["platform:identity"].groups.finance = {
        groupId: "9067a4d8-1011-70c5-5b7d-0b1b0e1c2d3e",
      };
    });
    const plan = await planOne("org", "management", config, new Map());
    assert.deepStrictEqual(
      byType(plan, GROUP)
        .map((g) => g.inputs.displayName)
        .sort(),
      ["engineers", "leadership", "platform-admins"],
    );
    const rows = assignmentRows(plan);
    assert.ok(rows.includes("9067a4d8-1011-70c5-5b7d-0b1b0e1c2d3e BillingAccess management"));
    const external = rows.filter((r) => r.endsWith(" AuditAccess dev"));
    assert.strictEqual(external.length, 1);
    assert.match(external[0], /^[0-9a-f]{8}-[0-9a-f]{4}-/, "the looked-up group id");
  });

  it('lists in the README\'s "Who may do what" the same rows as the control matrix and the config', async () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Who may do what"));
    const tableLines = section
      .slice(0, section.indexOf("\n## ", 3))
      .split("\n")
      .filter((l) => l.startsWith("|"));
    const expected = renderAccessTable(validateOrgConfig(readStackFile(ORG_STACK_FILE)));
    assert.ok(expected.length > 2, "the config assigns something");
    assert.deepStrictEqual(tableLines, expected);
    // And each row is what the plan assigns.
    const plan = await stackOf("org", "management");
    const planned = new Set(assignmentRows(plan).map((r) => r.split(" ").slice(0, 2).join(" ")));
    const rows = expected
      .slice(2)
      .map(
        (l) =>
          l.split("|")[1].trim().replace(/`/g, "") + " " + l.split("|")[2].trim().replace(/`/g, ""),
      );
    assert.deepStrictEqual(new Set(rows), planned);
  });

  it("stops before creating anything but providers when Identity Center is not enabled, saying how to enable it", async () => {
    const original = PlatformMocks.prototype.call;
    PlatformMocks.prototype.call = async function (args) {
      if (args.token === "aws:ssoadmin/getInstances:getInstances")
        return { arns: [], identityStoreIds: [], id: "us-east-1", region: "us-east-1" };
      return original.call(this, args);
    };
    try {
      const config = editedConfig("org", "management", () => undefined);
      const { message, registered } = await planExpectingError("org", "management", config);
      assert.match(message, /IAM Identity Center is not enabled in us-east-1/);
      assert.match(message, /management account's console/);
      assert.match(message, /organization instance/);
      assert.match(message, /platform:identity\.region/);
      assert.deepStrictEqual(
        registered.filter((r) => r.type !== "pulumi:providers:aws"),
        [],
      );
    } finally {
      PlatformMocks.prototype.call = original;
    }
  });
});
