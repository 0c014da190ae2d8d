/**
 * What the automation / AI agent's permissions boundary lets it do, proven with an independent IAM
 * policy evaluator (@cloud-copilot/iam-simulate) on the boundary the org program would deploy in
 * dev. The agent's own policies are taken as "allow everything": the boundary is the ceiling
 * whatever is attached to the role, so every denial below is the boundary's alone (the SCPs add
 * more; org/test/scp-scenarios.test.ts proves those).
 */
import * as assert from "assert";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { one, stackOf } from "../../tooling/testing/harness";

interface Scenario {
  readonly name: string;
  readonly action: string;
  /** `{dev}` and `{prod}` are filled in with the planned account ids. */
  readonly resource: string;
  /** The account owning the resource; default dev. */
  readonly resourceAccount?: "dev" | "prod" | "management";
  readonly context?: Readonly<Record<string, string>>;
  readonly expect: "Allowed" | "ExplicitlyDenied";
  /** For denials: the Sid of the boundary statement that must be the one denying. */
  readonly deniedBy?: string;
}

// The names below are the platform's fixed role and policy names (lib/names.ts defaults, prefix
// "platform" in org/Pulumi.management.yaml), written out so a renamed guardrail shows here.
const BOUNDARY = "arn:aws:iam::{dev}:policy/platform-agent-boundary";
const WORKLOAD_ROLE = "arn:aws:iam::{dev}:role/openems-dev-worker";
const GUARDED_ROLES = [
  "platform-break-glass",
  "platform-deploy",
  "platform-automation-agent",
  "platform-budget-action",
];

const SCENARIOS: readonly Scenario[] = [
  // --- roles the agent creates carry this same boundary, and keep it --------------------------
  {
    name: "creating a role without a boundary",
    action: "iam:CreateRole",
    resource: WORKLOAD_ROLE,
    expect: "ExplicitlyDenied",
    deniedBy: "NoRoleWithoutThisBoundary",
  },
  {
    name: "creating a role with another boundary of the account",
    action: "iam:CreateRole",
    resource: WORKLOAD_ROLE,
    context: { "iam:PermissionsBoundary": "arn:aws:iam::{dev}:policy/permissive-boundary" },
    expect: "ExplicitlyDenied",
    deniedBy: "NoRoleWithoutThisBoundary",
  },
  {
    name: "creating a role with AdministratorAccess as its boundary",
    action: "iam:CreateRole",
    resource: WORKLOAD_ROLE,
    context: { "iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess" },
    expect: "ExplicitlyDenied",
    deniedBy: "NoRoleWithoutThisBoundary",
  },
  {
    name: "creating a role with a boundary of the same name in another account",
    action: "iam:CreateRole",
    resource: WORKLOAD_ROLE,
    context: { "iam:PermissionsBoundary": "arn:aws:iam::{prod}:policy/platform-agent-boundary" },
    expect: "ExplicitlyDenied",
    deniedBy: "NoRoleWithoutThisBoundary",
  },
  {
    name: "creating a role with the platform boundary",
    action: "iam:CreateRole",
    resource: WORKLOAD_ROLE,
    context: { "iam:PermissionsBoundary": BOUNDARY },
    expect: "Allowed",
  },
  {
    name: "swapping a role's boundary for another",
    action: "iam:PutRolePermissionsBoundary",
    resource: WORKLOAD_ROLE,
    context: { "iam:PermissionsBoundary": "arn:aws:iam::{dev}:policy/permissive-boundary" },
    expect: "ExplicitlyDenied",
    deniedBy: "NoRoleWithoutThisBoundary",
  },
  {
    name: "setting the platform boundary on a role",
    action: "iam:PutRolePermissionsBoundary",
    resource: WORKLOAD_ROLE,
    context: { "iam:PermissionsBoundary": BOUNDARY },
    expect: "Allowed",
  },
  {
    name: "removing a role's boundary",
    action: "iam:DeleteRolePermissionsBoundary",
    resource: WORKLOAD_ROLE,
    expect: "ExplicitlyDenied",
    deniedBy: "NoRemovingBoundaries",
  },
  {
    name: "deleting the boundary policy",
    action: "iam:DeletePolicy",
    resource: BOUNDARY,
    expect: "ExplicitlyDenied",
    deniedBy: "NoChangesToGuardrailRoles",
  },

  // --- the guardrail roles stay as the platform made them --------------------------------------
  ...(
    [
      ["iam:UpdateAssumeRolePolicy", "platform-break-glass"],
      ["iam:PutRolePolicy", "platform-deploy"],
      ["iam:AttachRolePolicy", "platform-automation-agent"],
      ["iam:DetachRolePolicy", "platform-automation-agent"],
      ["iam:DeleteRole", "platform-budget-action"],
      ["iam:TagRole", "platform-deploy"],
      ["iam:UntagRole", "platform-deploy"],
    ] as const
  ).map(([action, role]): Scenario => ({
    name: `changing the guardrail role ${role} (${action})`,
    action,
    resource: `arn:aws:iam::{dev}:role/${role}`,
    expect: "ExplicitlyDenied",
    deniedBy: "NoChangesToGuardrailRoles",
  })),

  // --- no long-lived credentials ---------------------------------------------------------------
  ...(
    [
      ["iam:CreateUser", "arn:aws:iam::{dev}:user/agent-bot"],
      ["iam:CreateAccessKey", "arn:aws:iam::{dev}:user/agent-bot"],
      ["iam:CreateLoginProfile", "arn:aws:iam::{dev}:user/agent-bot"],
      ["iam:UpdateLoginProfile", "arn:aws:iam::{dev}:user/agent-bot"],
      ["iam:CreateServiceSpecificCredential", "arn:aws:iam::{dev}:user/agent-bot"],
    ] as const
  ).map(([action, resource]): Scenario => ({
    name: `creating long-lived credentials (${action})`,
    action,
    resource,
    expect: "ExplicitlyDenied",
    deniedBy: "NoLongLivedCredentials",
  })),

  // --- never leaving the account ---------------------------------------------------------------
  {
    name: "assuming a role in the prod account",
    action: "sts:AssumeRole",
    resource: "arn:aws:iam::{prod}:role/platform-deploy",
    resourceAccount: "prod",
    expect: "ExplicitlyDenied",
    deniedBy: "NoLeavingTheAccount",
  },
  {
    name: "changing the organization",
    action: "organizations:LeaveOrganization",
    resource: "*",
    resourceAccount: "management",
    expect: "ExplicitlyDenied",
    deniedBy: "NoLeavingTheAccount",
  },
  {
    name: "changing another account's settings",
    action: "account:PutAlternateContact",
    resource: "arn:aws:account::{prod}:account",
    resourceAccount: "prod",
    expect: "ExplicitlyDenied",
    deniedBy: "NoLeavingTheAccount",
  },

  // --- the work the agent is there for ---------------------------------------------------------
  {
    name: "assuming a workload role in its own account",
    action: "sts:AssumeRole",
    resource: WORKLOAD_ROLE,
    expect: "Allowed",
  },
  {
    name: "giving a workload role its inline policy",
    action: "iam:PutRolePolicy",
    resource: WORKLOAD_ROLE,
    expect: "Allowed",
  },
  {
    name: "launching an instance",
    action: "ec2:RunInstances",
    resource: "arn:aws:ec2:us-east-1:{dev}:instance/i-0123456789abcdef0",
    expect: "Allowed",
  },
];

interface Outcome {
  readonly scenario: Scenario;
  readonly result: string;
  readonly deniedBy: string[];
  readonly ignoredContextKeys: string[];
  readonly error?: string;
}

async function simulate(
  s: Scenario,
  boundary: object,
  ids: Record<string, string>,
): Promise<Outcome> {
  const fill = (t: string) => t.replace(/\{dev\}/g, ids.dev).replace(/\{prod\}/g, ids.prod);
  const response = await runSimulation(
    {
      request: {
        principal: `arn:aws:sts::${ids.dev}:assumed-role/platform-automation-agent/agent-session`,
        action: s.action,
        resource: { resource: fill(s.resource), accountId: ids[s.resourceAccount ?? "dev"] },
        contextVariables: {
          "aws:PrincipalArn": `arn:aws:iam::${ids.dev}:role/platform-automation-agent`,
          "aws:PrincipalAccount": ids.dev,
          "aws:RequestedRegion": "us-east-1",
          // AWS puts the owner of the resource in every request's context; the evaluator needs
          // it given.
          "aws:ResourceAccount": ids[s.resourceAccount ?? "dev"],
          ...Object.fromEntries(Object.entries(s.context ?? {}).map(([k, v]) => [k, fill(v)])),
        },
      },
      identityPolicies: [
        {
          name: "whatever-the-role-carries",
          policy: {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
          },
        },
      ],
      permissionBoundaryPolicies: [{ name: "platform-agent-boundary", policy: boundary }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (response.resultType !== "single")
    return {
      scenario: s,
      result: response.resultType,
      deniedBy: [],
      ignoredContextKeys: [],
      error: JSON.stringify(response),
    };
  const pb = (response.result.analysis as any).permissionBoundaryAnalysis;
  return {
    scenario: s,
    result: response.overallResult,
    deniedBy: (pb?.denyStatements ?? []).map((st: any) => st.statement.sid()),
    ignoredContextKeys: response.result.ignoredContextKeys ?? [],
  };
}

describe("agent permissions boundary (iam-simulate on the planned boundary)", () => {
  let boundary: any;
  const outcomes = new Map<string, Outcome>();
  before(async function () {
    // The first plan of the repository and the evaluator's first load of its data take a while.
    this.timeout(60_000);
    const plan = await stackOf("org", "management");
    const policy = one(plan, "aws:iam/policy:Policy", "access-dev-agent-boundary");
    boundary = JSON.parse(policy.inputs.policy);
    const ids: Record<string, string> = { management: "111111111111" };
    for (const key of ["dev", "prod"])
      ids[key] = one(plan, "aws:organizations/account:Account", `org-account-${key}`).id!;
    // The boundary the agent role carries is this policy, under this name, in dev.
    const agent = one(plan, "aws:iam/role:Role", "access-dev-agent");
    assert.strictEqual(agent.inputs.permissionsBoundary, policy.state.arn);
    assert.strictEqual(policy.state.arn, BOUNDARY.replace("{dev}", ids.dev));
    for (const s of SCENARIOS) outcomes.set(s.name, await simulate(s, boundary, ids));
  });

  it("has unique scenario names, and both allowances and denials", () => {
    assert.strictEqual(new Set(SCENARIOS.map((s) => s.name)).size, SCENARIOS.length);
    assert.ok(SCENARIOS.some((s) => s.expect === "Allowed"));
    assert.ok(SCENARIOS.some((s) => s.expect === "ExplicitlyDenied"));
  });

  for (const s of SCENARIOS) {
    it(`${s.expect === "Allowed" ? "allows" : "denies"} ${s.name} (${s.action})`, () => {
      const o = outcomes.get(s.name)!;
      assert.strictEqual(o.error, undefined, o.error);
      assert.deepStrictEqual(o.ignoredContextKeys, [], "context keys the action does not use");
      assert.strictEqual(o.result, s.expect);
      if (s.deniedBy)
        assert.ok(
          o.deniedBy.includes(s.deniedBy),
          `expected ${s.deniedBy} to deny; denied by ${JSON.stringify(o.deniedBy)}`,
        );
    });
  }

  it("has every Deny statement, and every action it denies, proven by a scenario", () => {
    const denies = boundary.Statement.filter((st: any) => st.Effect === "Deny");
    assert.ok(denies.length > 0, "the boundary denies something");
    for (const st of denies) {
      const mine = SCENARIOS.filter(
        (s) => s.expect === "ExplicitlyDenied" && outcomes.get(s.name)!.deniedBy.includes(st.Sid),
      );
      assert.ok(mine.length > 0, `no scenario is denied by ${st.Sid}`);
      for (const entry of [].concat(st.Action) as string[]) {
        const pattern = new RegExp(`^${entry.replace(/\*/g, ".*")}$`, "i");
        assert.ok(
          mine.some((s) => pattern.test(s.action)),
          `${st.Sid}: no scenario is denied for ${entry}`,
        );
      }
    }
    // The boundary itself and every guardrail role are among what NoChangesToGuardrailRoles guards.
    const guard = denies.find((st: any) => st.Sid === "NoChangesToGuardrailRoles");
    const resources: string[] = [].concat(guard?.Resource ?? []);
    for (const role of GUARDED_ROLES)
      assert.ok(
        resources.some((r) => r.endsWith(`:role/${role}`)),
        `${role} is guarded`,
      );
  });
});
