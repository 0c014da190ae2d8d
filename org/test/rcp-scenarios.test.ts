import { nonEmpty } from "../../tooling/testing/non-empty";
/**
 * Proves what the RCPs in policies/rcp do (the data perimeter and the trail log protection), by
 * evaluating requests against a member account's resources with the independent IAM evaluator
 * (@cloud-copilot/iam-simulate), which applies RCPs as Organizations does (RCPFullAWSAccess at
 * every level, then the attached RCPs of the resource account's chain).
 *
 * Each request carries what AWS would: the caller's identity policies (AdministratorAccess), the
 * SCP chain of the caller's account when it is a member account, the resource policy that grants
 * the access (a planted bucket policy, a key policy, a role trust), and the RCP chain of the
 * resource's account. A denial is therefore the perimeter's doing, not a missing grant: every
 * denial scenario has a grant that, without the RCPs, lets it through (checked below).
 */
import * as assert from "assert";
import * as path from "path";
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import {
  DEFAULT_ORG_LAYOUT,
  DEFAULT_RCP_ATTACHMENTS,
  DEFAULT_SCP_ATTACHMENTS,
  effectiveRcpLevels,
  effectiveScpLevels,
  loadRcps,
  loadScps,
  type ScpDocument,
} from "../guardrails";
import { GUARDRAIL_NAME_DEFAULTS, type GuardrailContext } from "../../lib/names";
import {
  guardrailCoverage,
  unexercisedExemptions,
  type CoverageReport,
  type DenialOutcome,
} from "./scp-coverage";
import {
  assertScenarioTable,
  FULL_AWS_ACCESS,
  rcpChain,
  scpChain,
} from "../../tooling/testing/iam";

const REPO = path.join(__dirname, "..", "..");
const CTX: GuardrailContext = {
  ...GUARDRAIL_NAME_DEFAULTS,
  allowedRegions: ["eu-central-1", "eu-west-1"],
  allowedInstanceTypes: ["t3.micro"],
  allowedBedrockModels: ["anthropic.claude-3-haiku-20240307-v1:0"],
};
const ORG_ID = "o-a1b2c3d4e5";
const OUTSIDE_ORG_ID = "o-zz9988776655";
const MANAGEMENT = "111111111111";
const OUTSIDER = "999999999999";

const ACCOUNT_IDS = {
  "log-archive": "210000000001",
  dev: "210000000002",
  stage: "210000000003",
  prod: "210000000004",
  sandbox: "210000000005",
} as const;
type AccountKey = keyof typeof ACCOUNT_IDS;

/** Who calls: a role in a member account, in management, in an outside account, or a service. */
type Caller =
  | { readonly kind: "member"; readonly account: AccountKey; readonly role: string }
  | { readonly kind: "management"; readonly role: string }
  | { readonly kind: "outsider"; readonly role: string }
  | {
      readonly kind: "service";
      readonly service: string;
      /** aws:SourceAccount / aws:SourceOrgID of the request, when the service sends them. */
      readonly source?: { readonly account: string; readonly orgId: string };
    };

interface Scenario {
  readonly name: string;
  readonly caller: Caller;
  /** The account that owns the resource: its RCP chain applies. */
  readonly account: AccountKey;
  readonly action: string;
  /** `{acct}` is the resource account's id. */
  readonly resource: string;
  /** The grant on the resource (bucket, key, secret, queue or trust policy). */
  readonly resourcePolicy?: object;
  readonly expect: "Allowed" | "ExplicitlyDenied";
  /** For denials: the RCP that must deny. */
  readonly deniedBy?: string;
  /** Whether the freeze SCP is on the caller's account (member callers only). */
  readonly frozen?: boolean;
}

const SSO_ADMIN =
  "aws-reserved/sso.amazonaws.com/eu-central-1/AWSReservedSSO_AdministratorAccess_0a1b2c3d4e5f6a7b";
const TRAIL_BUCKET = `arn:aws:s3:::${CTX.trailBucketPrefix}${ACCOUNT_IDS["log-archive"]}`;
const TRAIL_OBJECT = `${TRAIL_BUCKET}/AWSLogs/${ORG_ID}/210000000002/CloudTrail/eu-central-1/2026/12/01/log.json.gz`;
const DEV_BUCKET = "arn:aws:s3:::openems-dev-data";
const KEY = "arn:aws:kms:eu-central-1:{acct}:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/** A resource policy granting `principal` the actions on the resource (what an attacker plants). */
function grant(principal: object | string, actions: string | string[], resource: string): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Planted",
        Effect: "Allow",
        Principal: principal,
        Action: actions,
        Resource: resource,
      },
    ],
  };
}
const outsideAccount = { AWS: `arn:aws:iam::${OUTSIDER}:root` };

const SCENARIOS: readonly Scenario[] = [
  // --- Outside principals, whatever a resource policy grants them ---------------------------------
  {
    name: "an outside account reading a dev bucket through a bucket policy planted earlier, during a freeze",
    caller: { kind: "outsider", role: "exfil" },
    account: "dev",
    frozen: true,
    action: "s3:GetObject",
    resource: `${DEV_BUCKET}/exports/customers.csv`,
    resourcePolicy: grant(outsideAccount, ["s3:GetObject", "s3:ListBucket"], `${DEV_BUCKET}/*`),
    expect: "ExplicitlyDenied",
    deniedBy: "data-perimeter",
  },
  {
    name: "anyone on the internet reading a sandbox bucket made public by its policy",
    caller: { kind: "outsider", role: "anonymous-like" },
    account: "sandbox",
    action: "s3:GetObject",
    resource: "arn:aws:s3:::openems-sandbox-demo/index.html",
    resourcePolicy: grant("*", "s3:GetObject", "arn:aws:s3:::openems-sandbox-demo/*"),
    expect: "ExplicitlyDenied",
    deniedBy: "data-perimeter",
  },
  {
    name: "an outside account decrypting with a prod key whose policy names it",
    caller: { kind: "outsider", role: "exfil" },
    account: "prod",
    action: "kms:Decrypt",
    resource: KEY,
    resourcePolicy: grant(outsideAccount, ["kms:Decrypt", "kms:CreateGrant"], "*"),
    expect: "ExplicitlyDenied",
    deniedBy: "data-perimeter",
  },
  {
    name: "an outside account giving itself a grant on a dev key whose policy names it",
    caller: { kind: "outsider", role: "exfil" },
    account: "dev",
    action: "kms:CreateGrant",
    resource: KEY,
    resourcePolicy: grant(outsideAccount, "kms:CreateGrant", "*"),
    expect: "ExplicitlyDenied",
    deniedBy: "data-perimeter",
  },
  {
    name: "an outside account assuming a prod role whose trust policy names it",
    caller: { kind: "outsider", role: "exfil" },
    account: "prod",
    action: "sts:AssumeRole",
    resource: "arn:aws:iam::{acct}:role/openems-prod-reporting",
    resourcePolicy: grant(outsideAccount, "sts:AssumeRole", "*"),
    expect: "ExplicitlyDenied",
    deniedBy: "data-perimeter",
  },
  {
    name: "an outside account reading a stage secret whose resource policy names it",
    caller: { kind: "outsider", role: "exfil" },
    account: "stage",
    action: "secretsmanager:GetSecretValue",
    resource: "arn:aws:secretsmanager:eu-central-1:{acct}:secret:openems-stage-db-AbCdEf",
    resourcePolicy: grant(outsideAccount, "secretsmanager:GetSecretValue", "*"),
    expect: "ExplicitlyDenied",
    deniedBy: "data-perimeter",
  },
  {
    name: "an outside account reading a dev queue whose policy names it",
    caller: { kind: "outsider", role: "exfil" },
    account: "dev",
    action: "sqs:ReceiveMessage",
    resource: "arn:aws:sqs:eu-central-1:{acct}:openems-dev-events",
    resourcePolicy: grant(
      outsideAccount,
      "sqs:ReceiveMessage",
      "arn:aws:sqs:eu-central-1:{acct}:openems-dev-events",
    ),
    expect: "ExplicitlyDenied",
    deniedBy: "data-perimeter",
  },
  // --- AWS services acting for an outside account (confused deputy) ------------------------------
  {
    name: "an outside account's CloudTrail writing into a dev bucket that lets cloudtrail write",
    caller: {
      kind: "service",
      service: "cloudtrail.amazonaws.com",
      source: { account: OUTSIDER, orgId: OUTSIDE_ORG_ID },
    },
    account: "dev",
    action: "s3:PutObject",
    resource: `${DEV_BUCKET}/AWSLogs/${OUTSIDER}/log.json.gz`,
    resourcePolicy: grant(
      { Service: "cloudtrail.amazonaws.com" },
      "s3:PutObject",
      `${DEV_BUCKET}/*`,
    ),
    expect: "ExplicitlyDenied",
    deniedBy: "data-perimeter",
  },
  {
    name: "an outside account's CloudWatch Logs encrypting with a prod key that lets logs use it",
    caller: {
      kind: "service",
      service: "logs.amazonaws.com",
      source: { account: OUTSIDER, orgId: OUTSIDE_ORG_ID },
    },
    account: "prod",
    action: "kms:GenerateDataKey",
    resource: KEY,
    resourcePolicy: grant({ Service: "logs.amazonaws.com" }, "kms:GenerateDataKey", "*"),
    expect: "ExplicitlyDenied",
    deniedBy: "data-perimeter",
  },
  {
    name: "an outside account's SNS topic delivering into a dev queue that lets sns send",
    caller: {
      kind: "service",
      service: "sns.amazonaws.com",
      source: { account: OUTSIDER, orgId: OUTSIDE_ORG_ID },
    },
    account: "dev",
    action: "sqs:SendMessage",
    resource: "arn:aws:sqs:eu-central-1:{acct}:openems-dev-events",
    resourcePolicy: grant({ Service: "sns.amazonaws.com" }, "sqs:SendMessage", "*"),
    expect: "ExplicitlyDenied",
    deniedBy: "data-perimeter",
  },
  {
    name: "an outside account's AppFlow reading a stage secret that lets appflow read it",
    caller: {
      kind: "service",
      service: "appflow.amazonaws.com",
      source: { account: OUTSIDER, orgId: OUTSIDE_ORG_ID },
    },
    account: "stage",
    action: "secretsmanager:GetSecretValue",
    resource: "arn:aws:secretsmanager:eu-central-1:{acct}:secret:openems-stage-crm-AbCdEf",
    resourcePolicy: grant(
      { Service: "appflow.amazonaws.com" },
      "secretsmanager:GetSecretValue",
      "*",
    ),
    expect: "ExplicitlyDenied",
    deniedBy: "data-perimeter",
  },
  {
    name: "an outside account's EventBridge rule assuming a sandbox role that trusts events",
    caller: {
      kind: "service",
      service: "events.amazonaws.com",
      source: { account: OUTSIDER, orgId: OUTSIDE_ORG_ID },
    },
    account: "sandbox",
    action: "sts:AssumeRole",
    resource: "arn:aws:iam::{acct}:role/openems-sandbox-events",
    resourcePolicy: grant({ Service: "events.amazonaws.com" }, "sts:AssumeRole", "*"),
    expect: "ExplicitlyDenied",
    deniedBy: "data-perimeter",
  },
  // --- Trail log objects: nobody deletes them or lifts their retention -----------------------------
  {
    name: "the break-glass role deleting a trail log object version",
    caller: { kind: "member", account: "log-archive", role: CTX.breakGlassRoleName },
    account: "log-archive",
    action: "s3:DeleteObjectVersion",
    resource: TRAIL_OBJECT,
    expect: "ExplicitlyDenied",
    deniedBy: "protect-trail-logs",
  },
  {
    name: "the break-glass role bypassing the governance retention of a trail log",
    caller: { kind: "member", account: "log-archive", role: CTX.breakGlassRoleName },
    account: "log-archive",
    action: "s3:BypassGovernanceRetention",
    resource: TRAIL_OBJECT,
    expect: "ExplicitlyDenied",
    deniedBy: "protect-trail-logs",
  },
  {
    name: "OrganizationAccountAccessRole bypassing the governance retention of a trail log",
    caller: { kind: "member", account: "log-archive", role: "OrganizationAccountAccessRole" },
    account: "log-archive",
    action: "s3:BypassGovernanceRetention",
    resource: TRAIL_OBJECT,
    expect: "ExplicitlyDenied",
    deniedBy: "protect-trail-logs",
  },
  {
    name: "OrganizationAccountAccessRole deleting a trail log object",
    caller: { kind: "member", account: "log-archive", role: "OrganizationAccountAccessRole" },
    account: "log-archive",
    action: "s3:DeleteObject",
    resource: TRAIL_OBJECT,
    expect: "ExplicitlyDenied",
    deniedBy: "protect-trail-logs",
  },
  {
    name: "a management-account admin deleting a trail log version through a planted bucket policy",
    caller: { kind: "management", role: SSO_ADMIN },
    account: "log-archive",
    action: "s3:DeleteObjectVersion",
    resource: TRAIL_OBJECT,
    resourcePolicy: grant(
      { AWS: `arn:aws:iam::${MANAGEMENT}:root` },
      "s3:DeleteObjectVersion",
      `${TRAIL_BUCKET}/*`,
    ),
    expect: "ExplicitlyDenied",
    deniedBy: "protect-trail-logs",
  },

  // --- What must stay allowed --------------------------------------------------------------------
  {
    name: "the dev deploy role reading its own bucket",
    caller: { kind: "member", account: "dev", role: CTX.deployRoleName },
    account: "dev",
    action: "s3:GetObject",
    resource: `${DEV_BUCKET}/exports/customers.csv`,
    expect: "Allowed",
  },
  {
    name: "a prod role reading a stage bucket whose policy names prod (inside the organization)",
    caller: { kind: "member", account: "prod", role: CTX.deployRoleName },
    account: "stage",
    action: "s3:GetObject",
    resource: "arn:aws:s3:::openems-stage-artifacts/release.tar.gz",
    resourcePolicy: grant(
      { AWS: `arn:aws:iam::${ACCOUNT_IDS.prod}:root` },
      "s3:GetObject",
      "arn:aws:s3:::openems-stage-artifacts/*",
    ),
    expect: "Allowed",
  },
  {
    name: "the management AdministratorAccess set assuming the prod deploy role",
    caller: { kind: "management", role: SSO_ADMIN },
    account: "prod",
    action: "sts:AssumeRole",
    resource: `arn:aws:iam::{acct}:role/${CTX.deployRoleName}`,
    resourcePolicy: grant({ AWS: `arn:aws:iam::${MANAGEMENT}:root` }, "sts:AssumeRole", "*"),
    expect: "Allowed",
  },
  {
    name: "the stage deploy role decrypting with a stage key",
    caller: { kind: "member", account: "stage", role: CTX.deployRoleName },
    account: "stage",
    action: "kms:Decrypt",
    resource: KEY,
    resourcePolicy: grant({ AWS: `arn:aws:iam::${ACCOUNT_IDS.stage}:root` }, "kms:*", "*"),
    expect: "Allowed",
  },
  {
    name: "the organization trail (CloudTrail for the management account) writing a log object",
    caller: {
      kind: "service",
      service: "cloudtrail.amazonaws.com",
      source: { account: MANAGEMENT, orgId: ORG_ID },
    },
    account: "log-archive",
    action: "s3:PutObject",
    resource: TRAIL_OBJECT,
    resourcePolicy: grant(
      { Service: "cloudtrail.amazonaws.com" },
      "s3:PutObject",
      `${TRAIL_BUCKET}/*`,
    ),
    expect: "Allowed",
  },
  {
    name: "CloudWatch Logs encrypting a dev log group with a dev key",
    caller: {
      kind: "service",
      service: "logs.amazonaws.com",
      source: { account: ACCOUNT_IDS.dev, orgId: ORG_ID },
    },
    account: "dev",
    action: "kms:GenerateDataKey",
    resource: KEY,
    resourcePolicy: grant({ Service: "logs.amazonaws.com" }, "kms:GenerateDataKey", "*"),
    expect: "Allowed",
  },
  {
    name: "SNS decrypting with a prod key for an encrypted prod topic",
    caller: {
      kind: "service",
      service: "sns.amazonaws.com",
      source: { account: ACCOUNT_IDS.prod, orgId: ORG_ID },
    },
    account: "prod",
    action: "kms:Decrypt",
    resource: KEY,
    resourcePolicy: grant({ Service: "sns.amazonaws.com" }, "kms:Decrypt", "*"),
    expect: "Allowed",
  },
  {
    name: "EC2 assuming an instance role (no source account sent)",
    caller: { kind: "service", service: "ec2.amazonaws.com" },
    account: "dev",
    action: "sts:AssumeRole",
    resource: "arn:aws:iam::{acct}:role/openems-dev-backend",
    resourcePolicy: grant({ Service: "ec2.amazonaws.com" }, "sts:AssumeRole", "*"),
    expect: "Allowed",
  },
  {
    name: "an auditor in log-archive reading a trail log object",
    caller: { kind: "member", account: "log-archive", role: SSO_ADMIN },
    account: "log-archive",
    action: "s3:GetObject",
    resource: TRAIL_OBJECT,
    expect: "Allowed",
  },
  {
    name: "the break-glass role deleting an object of another log-archive bucket",
    caller: { kind: "member", account: "log-archive", role: CTX.breakGlassRoleName },
    account: "log-archive",
    action: "s3:DeleteObjectVersion",
    resource: "arn:aws:s3:::openems-log-archive-scratch/tmp/export.csv",
    expect: "Allowed",
  },
];

function fill(template: string, account: AccountKey): string {
  return template.replace(/\{acct\}/g, ACCOUNT_IDS[account]);
}

function fillPolicy(policy: object | undefined, account: AccountKey): object | undefined {
  return policy === undefined ? undefined : JSON.parse(fill(JSON.stringify(policy), account));
}

/** The simulation of one scenario: the caller's side, the grant, and the resource's RCP chain. */
function buildSimulation(
  s: Scenario,
  scps: readonly ScpDocument[],
  rcps: readonly ScpDocument[] | "none",
): Simulation {
  const scpDocs = new Map(scps.map((p) => [p.name, p.document]));
  const rcpDocs = new Map(rcps === "none" ? [] : rcps.map((p) => [p.name, p.document]));
  const rcpLevels = effectiveRcpLevels(
    s.account,
    DEFAULT_ORG_LAYOUT.accounts[s.account],
    DEFAULT_RCP_ATTACHMENTS,
  );
  const c = s.caller;
  let principal: string;
  const context: Record<string, string> = { "aws:RequestedRegion": "eu-central-1" };
  let identity = true;
  let serviceControlPolicies: Simulation["serviceControlPolicies"] = [];
  if (c.kind === "service") {
    principal = c.service;
    identity = false;
    context["aws:PrincipalIsAWSService"] = "true";
    if (c.source) {
      context["aws:SourceAccount"] = c.source.account;
      context["aws:SourceOrgID"] = c.source.orgId;
    }
  } else {
    const account =
      c.kind === "member"
        ? ACCOUNT_IDS[c.account]
        : c.kind === "management"
          ? MANAGEMENT
          : OUTSIDER;
    const name = c.role.split("/").pop()!;
    principal = `arn:aws:sts::${account}:assumed-role/${name}/session-1`;
    context["aws:PrincipalArn"] = `arn:aws:iam::${account}:role/${c.role}`;
    context["aws:PrincipalAccount"] = account;
    context["aws:PrincipalIsAWSService"] = "false";
    // Organizations sets aws:PrincipalOrgID for principals of member and management accounts.
    if (c.kind !== "outsider") context["aws:PrincipalOrgID"] = ORG_ID;
    if (c.kind === "member") {
      const levels = effectiveScpLevels(
        c.account,
        DEFAULT_ORG_LAYOUT.accounts[c.account],
        DEFAULT_SCP_ATTACHMENTS,
        s.frozen ?? false,
      );
      serviceControlPolicies = scpChain(levels, scpDocs);
    }
  }
  const resourcePolicy = fillPolicy(s.resourcePolicy, s.account);
  return {
    request: {
      principal,
      action: s.action,
      resource: { resource: fill(s.resource, s.account), accountId: ACCOUNT_IDS[s.account] },
      contextVariables: context,
    },
    identityPolicies: identity ? [{ name: "AdministratorAccess", policy: FULL_AWS_ACCESS }] : [],
    serviceControlPolicies,
    resourceControlPolicies: rcps === "none" ? [] : rcpChain(rcpLevels, rcpDocs),
    ...(resourcePolicy ? { resourcePolicy } : {}),
  };
}

type Response = Awaited<ReturnType<typeof runSimulation>>;

/** The RCP statements the evaluator reports as denying the request (policy name and Sid). */
function rcpDenials(response: Response): { policy: string; sid: string }[] {
  if (response.resultType !== "single") return [];
  return (response.result.analysis.rcpAnalysis?.ouAnalysis ?? []).flatMap((ou) =>
    ou.denyStatements.map((st) => ({
      policy: st.policyId,
      sid: st.statement.sid() ?? `#${st.statement.index()}`,
    })),
  );
}

async function run(
  s: Scenario,
  scps: readonly ScpDocument[],
  rcps: readonly ScpDocument[] | "none",
) {
  return runSimulation(buildSimulation(s, scps, rcps), {});
}

async function denialOutcomes(
  scenarios: readonly Scenario[],
  scps: readonly ScpDocument[],
  rcps: readonly ScpDocument[],
): Promise<DenialOutcome[]> {
  const out: DenialOutcome[] = [];
  for (const s of nonEmpty(
    scenarios.filter((x) => x.expect === "ExplicitlyDenied"),
    "denial scenarios",
  )) {
    out.push({
      scenario: s.name,
      action: s.action,
      deniedBy: rcpDenials(await run(s, scps, rcps)),
    });
  }
  return out;
}

function describeGaps(report: CoverageReport): string {
  return (
    `${report.uncoveredStatements.length} of ${report.statements} RCP Deny statements are the ` +
    `reason for no denial scenario; add one in org/test/rcp-scenarios.test.ts for each:\n  ` +
    report.uncoveredStatements.join("\n  ")
  );
}

describe("RCP scenarios (iam-simulate on the real policies/rcp files)", () => {
  let scps: ScpDocument[];
  let rcps: ScpDocument[];

  before(() => {
    scps = loadScps(path.join(REPO, "policies", "scp"), CTX);
    rcps = loadRcps(path.join(REPO, "policies", "rcp"), CTX, ORG_ID);
  });

  it("has denials and allowances, with unique names, on every member account", () => {
    assertScenarioTable(SCENARIOS, Object.keys(ACCOUNT_IDS), 25);
  });

  for (const s of SCENARIOS) {
    const verb = s.expect === "Allowed" ? "allows" : "denies";
    it(`${verb} ${s.name} (${s.account}: ${s.action})`, async () => {
      const response = await run(s, scps, rcps);
      assert.strictEqual(
        response.resultType,
        "single",
        `simulation rejected the input: ${JSON.stringify(
          response.resultType === "error" ? response.errors : response.resultType,
        )}`,
      );
      if (response.resultType !== "single") return;
      assert.deepStrictEqual(
        response.result.ignoredContextKeys,
        [],
        "context keys not used by this action",
      );
      assert.strictEqual(response.overallResult, s.expect);
      const denying = rcpDenials(response).map((d) => d.policy);
      if (s.expect === "Allowed") {
        assert.deepStrictEqual(denying, []);
      } else {
        assert.ok(s.deniedBy, "a denial scenario must name the RCP expected to deny");
        assert.ok(
          denying.includes(s.deniedBy),
          `expected ${s.deniedBy} to deny; denying RCPs: ${JSON.stringify(denying)}`,
        );
      }
    });
  }

  it("denies only because of the RCPs: without them each denial scenario is allowed or stopped by the caller's own SCPs", async () => {
    const denials = SCENARIOS.filter((s) => s.expect === "ExplicitlyDenied");
    assert.ok(denials.length > 0);
    const stillDenied: string[] = [];
    for (const s of denials) {
      const response = await run(s, scps, "none");
      // A member caller may also be stopped by its own SCPs (protect-guardrails covers the trail
      // bucket for most roles); the grant must at least get past the resource side.
      if (response.resultType !== "single") {
        stillDenied.push(`${s.name}: ${response.resultType}`);
        continue;
      }
      const scpDenied = (response.result.analysis.scpAnalysis?.ouAnalysis ?? []).some(
        (ou) => ou.denyStatements.length > 0,
      );
      if (response.overallResult !== "Allowed" && !scpDenied) {
        stillDenied.push(`${s.name}: ${response.overallResult}`);
      }
    }
    assert.deepStrictEqual(stillDenied, []);
  });

  describe("coverage", () => {
    let outcomes: DenialOutcome[];
    before(async () => {
      outcomes = await denialOutcomes(SCENARIOS, scps, rcps);
    });

    it("makes every Deny statement of every RCP file the reason for at least one denial", () => {
      const report = guardrailCoverage(rcps, outcomes);
      assert.deepStrictEqual(report.uncoveredStatements, [], describeGaps(report));
    });

    it("denies every action an RCP names in at least one scenario, through that statement", () => {
      const report = guardrailCoverage(rcps, outcomes);
      assert.deepStrictEqual(report.uncoveredActions, [], report.uncoveredActions.join("\n  "));
    });

    it("names an RCP statement no scenario reaches once its denials are removed", () => {
      const victim = {
        policy: "data-perimeter",
        sid: "DenyServicesActingForOutsideTheOrganization",
      };
      const fewer = outcomes.filter(
        (o) => !o.deniedBy.some((d) => d.policy === victim.policy && d.sid === victim.sid),
      );
      assert.ok(fewer.length < outcomes.length, "no scenario is denied by the victim");
      assert.deepStrictEqual(guardrailCoverage(rcps, fewer).uncoveredStatements, [
        `${victim.policy}/${victim.sid}`,
      ]);
    });

    it("lets legitimate work through every conditional RCP statement in at least one scenario", async () => {
      const allowed: { scenario: string; action: string }[] = [];
      for (const s of nonEmpty(
        SCENARIOS.filter((x) => x.expect === "Allowed"),
        "allowed scenarios",
      )) {
        const response = await run(s, scps, rcps);
        if (response.resultType === "single" && response.overallResult === "Allowed") {
          allowed.push({ scenario: s.name, action: s.action });
        }
      }
      assert.deepStrictEqual(unexercisedExemptions(rcps, allowed), []);
    });
  });
});
