/**
 * Adopting an existing organization: the Organization resource lists its trusted-access principals
 * and root policy types exclusively (terraform-provider-aws organization.go disables on update
 * whatever is not listed), so adoption must keep everything the organization already uses.
 */
import { nonEmpty } from "../../tooling/testing/non-empty";
import * as assert from "assert";
import { planStack, StackPlan } from "../../tooling/plan/run";
import { OrganizationFixture, PlannedResource } from "../../tooling/plan/mocks";
import { byType, editedConfig, one, stackOf } from "../../tooling/testing/harness";
import { validateOrgConfig } from "../../lib/config/org";
import { ConfigError } from "../../lib/config/errors";

const MANAGEMENT = "111111111111";
// An organization a team already runs: Identity Center, AWS Config and Backup policies in use.
const FIXTURE: OrganizationFixture = {
  id: "o-exist12345",
  rootId: "r-ex01",
  awsServiceAccessPrincipals: ["sso.amazonaws.com", "config.amazonaws.com"],
  enabledPolicyTypes: ["SERVICE_CONTROL_POLICY", "BACKUP_POLICY"],
  accounts: [
    { id: "222222222201", name: "legacy-logs" },
    { id: "222222222202", name: "legacy-dev" },
    { id: "222222222209", name: "someone-elses" },
  ],
  ous: { "r-ex01": ["ou-ex01-aaaaaaaa", "ou-ex01-bbbbbbbb", "ou-ex01-zzzzzzzz"] },
};
const ADOPT = {
  organizationId: "o-exist12345",
  ous: { security: "ou-ex01-aaaaaaaa", workloads: "ou-ex01-bbbbbbbb" },
  accounts: { "log-archive": "222222222201", dev: "222222222202" },
};

function adoptingConfig(edit: (c: any) => void = () => {}) {
  return editedConfig("org", "management", (c) => {
    c["platform:adopt"] = JSON.parse(JSON.stringify(ADOPT));
    edit(c);
  });
}

function planOrg(config: Record<string, unknown>, organization: OrganizationFixture = FIXTURE) {
  return planStack({
    project: "org",
    stack: "management",
    stackName: "organization/org/management",
    config,
    organization,
    defaultAccountId: MANAGEMENT,
  });
}

async function planError(config: Record<string, unknown>, organization = FIXTURE) {
  try {
    await planOrg(config, organization);
  } catch (err) {
    return {
      message: (err as Error).message,
      registered: ((err as any).plannedResources ?? []) as PlannedResource[],
    };
  }
  throw new Error("planned without error");
}

const ORG = "aws:organizations/organization:Organization";
const OU = "aws:organizations/organizationalUnit:OrganizationalUnit";
const ACCOUNT = "aws:organizations/account:Account";

describe("Organization adoption", () => {
  let plan: StackPlan;
  before(async () => {
    plan = await planOrg(adoptingConfig());
  });

  it("imports the named organization instead of creating one", () => {
    assert.strictEqual(one(plan, ORG).import, "o-exist12345");
    assert.strictEqual(one(plan, ORG).state.roots[0].id, "r-ex01");
  });

  it("keeps every trusted-access principal and policy type already enabled", () => {
    const org = one(plan, ORG);
    for (const p of nonEmpty(
      FIXTURE.awsServiceAccessPrincipals,
      "FIXTURE.awsServiceAccessPrincipals",
    ))
      assert.ok(org.inputs.awsServiceAccessPrincipals.includes(p), `${p} would be disabled`);
    for (const t of nonEmpty(FIXTURE.enabledPolicyTypes, "FIXTURE.enabledPolicyTypes"))
      assert.ok(org.inputs.enabledPolicyTypes.includes(t), `${t} would be disabled`);
  });

  it("adds only what the platform needs and says which", () => {
    const org = one(plan, ORG);
    assert.ok(org.inputs.awsServiceAccessPrincipals.includes("cloudtrail.amazonaws.com"));
    assert.ok(org.inputs.enabledPolicyTypes.includes("TAG_POLICY"));
    const adoption = plan.outputs.adoption as any;
    assert.deepStrictEqual(adoption.addsPolicyTypes, ["RESOURCE_CONTROL_POLICY", "TAG_POLICY"]);
    assert.deepStrictEqual(adoption.addsServicePrincipals.sort(), [
      "cloudtrail.amazonaws.com",
      "tagpolicies.tag.amazonaws.com",
    ]);
    // Exactly the existing ones plus the added ones: nothing else appears either.
    assert.deepStrictEqual(
      [...org.inputs.awsServiceAccessPrincipals].sort(),
      [...FIXTURE.awsServiceAccessPrincipals, ...adoption.addsServicePrincipals].sort(),
    );
  });

  it("imports the named accounts and OUs with their ids, and creates the rest", () => {
    // OrganizationAccountAccessRole is imported in every account, created or adopted (its own test
    // is in trust-scenarios.test.ts).
    const imported = plan.resources.filter(
      (r) => r.import && r.import !== "OrganizationAccountAccessRole",
    );
    assert.deepStrictEqual(imported.map((r) => `${r.name}=${r.import}`).sort(), [
      "org-account-dev=222222222202",
      "org-account-log-archive=222222222201",
      "org-organization=o-exist12345",
      "org-ou-security=ou-ex01-aaaaaaaa",
      "org-ou-workloads=ou-ex01-bbbbbbbb",
    ]);
    for (const r of imported) assert.strictEqual(r.id, r.import, `${r.name} keeps its AWS id`);
    assert.ok(!one(plan, ACCOUNT, "org-account-prod").import, "prod is created");
    assert.ok(!one(plan, OU, "org-ou-workloads-prod").import, "workloads/prod is created");
  });

  it("never replaces an adopted OU: its parent is the root or another adopted OU", () => {
    // parentId of an OU is ForceNew (organizational_unit.go).
    const ous = byType(plan, OU);
    assert.strictEqual(one(plan, OU, "org-ou-security").inputs.parentId, "r-ex01");
    assert.strictEqual(one(plan, OU, "org-ou-workloads").inputs.parentId, "r-ex01");
    assert.strictEqual(
      one(plan, OU, "org-ou-workloads-prod").inputs.parentId,
      "ou-ex01-bbbbbbbb",
      "a created OU goes under the adopted parent",
    );
    assert.strictEqual(ous.length, 5);
  });

  it("keeps adopted accounts protected, retained and never closed", () => {
    for (const a of nonEmpty(
      byType(plan, ACCOUNT).filter((r) => r.import),
      "byType(plan, ACCOUNT).filter((r) => r...",
    )) {
      assert.ok(a.protect && a.retainOnDelete, a.name);
      assert.strictEqual(a.inputs.closeOnDeletion, false);
    }
  });

  it("reaches adopted accounts through the role in the existing account", () => {
    const provider = one(plan, "pulumi:providers:aws", "account-dev");
    assert.match(JSON.stringify(provider.inputs.assumeRoles), /arn:aws:iam::222222222202:role\//);
  });
});

describe("Organization adoption refusals", () => {
  const cases: {
    name: string;
    edit?: (c: any) => void;
    organization?: OrganizationFixture;
    expect: string[];
  }[] = [
    {
      name: "an organization id other than the one the credentials belong to",
      edit: (c) => (c["platform:adopt"].organizationId = "o-other00000"),
      expect: ["platform:adopt.organizationId", '"o-other00000"', '"o-exist12345"'],
    },
    {
      name: "an account that is not in the organization",
      edit: (c) => (c["platform:adopt"].accounts.prod = "333333333333"),
      expect: ["platform:adopt.accounts.prod", '"333333333333"', "expected an account of"],
    },
    {
      name: "credentials of a member account instead of the management account",
      organization: { ...FIXTURE, masterAccountId: "999999999999" },
      expect: ["managed from account 999999999999", "these are of 111111111111"],
    },
    {
      name: "an adopted OU that sits elsewhere than its path says",
      organization: {
        ...FIXTURE,
        ous: { "r-ex01": ["ou-ex01-aaaaaaaa"], "ou-ex01-aaaaaaaa": ["ou-ex01-bbbbbbbb"] },
      },
      expect: [
        "platform:adopt.ous.workloads",
        '"ou-ex01-bbbbbbbb"',
        "not directly under the root (r-ex01)",
      ],
    },
    {
      name: "the management account as a member account",
      edit: (c) => (c["platform:adopt"].accounts.sandbox = MANAGEMENT),
      expect: ["platform:adopt.accounts.sandbox", "the management account of o-exist12345"],
    },
    {
      name: "an organization without all features",
      organization: { ...FIXTURE, featureSet: "CONSOLIDATED_BILLING" },
      expect: ["feature set CONSOLIDATED_BILLING", "expected ALL"],
    },
    {
      name: "a suspended account",
      organization: {
        ...FIXTURE,
        accounts: [
          ...FIXTURE.accounts.slice(0, 1),
          { id: "222222222202", name: "x", status: "SUSPENDED" },
        ],
      },
      expect: ["platform:adopt.accounts.dev", "SUSPENDED", "ACTIVE"],
    },
  ];
  for (const c of cases) {
    it(`refuses ${c.name} before any organization resource`, async () => {
      const { message, registered } = await planError(adoptingConfig(c.edit), c.organization);
      for (const e of nonEmpty(c.expect, "c.expect"))
        assert.ok(message.includes(e), `${e} not in:\n${message}`);
      assert.ok(message.startsWith("Invalid configuration for org/management"), message);
      assert.deepStrictEqual(
        registered.filter((r) => r.type.startsWith("aws:organizations")).map((r) => r.name),
        [],
      );
    });
  }

  const configCases: { name: string; edit: (a: any, c: any) => void; expect: string[] }[] = [
    {
      name: "an OU path the platform does not have",
      edit: (a) => (a.ous.legacy = "ou-ex01-cccccccc"),
      expect: ["platform:adopt.ous.legacy", '"legacy"', "expected one of security"],
    },
    {
      name: "a nested OU whose parent would be created",
      edit: (a) => {
        delete a.ous.workloads;
        a.ous["workloads/prod"] = "ou-ex01-dddddddd";
      },
      expect: ["platform:adopt.ous.workloads/prod", "platform:adopt.ous.workloads as well"],
    },
    {
      name: "an account key platform:accounts does not define",
      edit: (a) => (a.accounts.qa = "222222222203"),
      expect: ["platform:adopt.accounts.qa", '"qa"', "expected one of log-archive"],
    },
    {
      name: "the management account as a member",
      edit: (a, c) => {
        c["platform:organization"].managementAccountId = "111111111111";
        a.accounts.sandbox = "111111111111";
      },
      expect: ["platform:adopt.accounts.sandbox", "the management account"],
    },
    {
      name: "one account id for two keys",
      edit: (a) => (a.accounts.stage = "222222222202"),
      expect: ["platform:adopt.accounts.", "also dev"],
    },
    {
      name: "a malformed organization id",
      edit: (a) => (a.organizationId = "org-123"),
      expect: ["platform:adopt.organizationId", '"org-123"', "o-a1b2c3d4e5"],
    },
    {
      name: "a malformed OU id",
      edit: (a) => (a.ous.security = "ou-1"),
      expect: ["platform:adopt.ous.security", '"ou-1"', "ou-ab12-cdefgh34"],
    },
  ];
  for (const c of configCases) {
    it(`rejects ${c.name} in config`, () => {
      const config = adoptingConfig((cfg) => c.edit(cfg["platform:adopt"], cfg));
      assert.throws(
        () => validateOrgConfig(config),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          for (const e of nonEmpty(c.expect, "c.expect"))
            assert.ok(err.message.includes(e), `${e} not in:\n${err.message}`);
          return true;
        },
      );
    });
  }
});

describe("Organization adoption in the offline plan", () => {
  it("answers the lookup with an organization matching platform:adopt when no fixture is given", async () => {
    const plan = await planStack({
      project: "org",
      stack: "management",
      stackName: "organization/org/management",
      config: adoptingConfig(),
      defaultAccountId: MANAGEMENT,
    });
    assert.strictEqual(one(plan, ORG).import, "o-exist12345");
    assert.strictEqual(one(plan, ACCOUNT, "org-account-dev").import, "222222222202");
    // The default fixture runs Identity Center: adoption keeps it.
    assert.ok(one(plan, ORG).inputs.awsServiceAccessPrincipals.includes("sso.amazonaws.com"));
  });
});

describe("Greenfield organization", () => {
  it("creates everything and imports only the role Organizations makes when platform:adopt is absent", async () => {
    const plan = await stackOf("org", "management");
    assert.ok(byType(plan, ORG).length === 1 && byType(plan, ACCOUNT).length === 5);
    const imported = plan.resources.filter((r) => r.import);
    assert.deepStrictEqual(
      imported.map((r) => `${r.type} ${r.import}`),
      Array(5).fill("aws:iam/role:Role OrganizationAccountAccessRole"),
    );
    assert.strictEqual(plan.outputs.adoption, undefined);
  });
});
