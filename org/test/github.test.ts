/**
 * The CI roles' trust, proven with the independent evaluator (@cloud-copilot/iam-simulate) on the
 * policies org/github.ts generates: the right repository, branch and audience get in; another
 * repository, another branch, a fork's pull request or another audience do not.
 */
import { evaluateReadiness, renderReadiness } from "../../tooling/readiness";
import * as assert from "assert";
import { nonEmpty } from "../../tooling/testing/non-empty";
import {
  deployTrustPolicy,
  environmentPreviewTrust,
  GITHUB_OIDC_HOST,
  previewTrustPolicy,
} from "../github";
import { planStack, StackPlan } from "../../tooling/plan/run";
import {
  byType,
  editedConfig,
  one,
  planOne,
  repositoryConfig,
  stackOf,
  upstreamOutputs,
} from "../../tooling/testing/harness";
import { validateOrgConfig } from "../../lib/config/org";
import { MANAGEMENT_ACCOUNT_ID as MANAGEMENT, trustDecision } from "../../tooling/testing/iam";

const PROVIDER = `arn:aws:iam::${MANAGEMENT}:oidc-provider/${GITHUB_OIDC_HOST}`;
const REPO = "acme/openems-platform";
const GH = { repository: REPO, branch: "main" };

/**
 * The evaluator's action data (AWS's service authorization reference) lists GitHub's
 * `repository`, `ref` and `environment` claims as condition keys of AssumeRoleWithWebIdentity, but
 * not `aud` and `sub`, which IAM documents under OIDC federation; it would drop them. Those two
 * keys are evaluated under a provider prefix the data does list (same claims, same operators);
 * everything else is evaluated exactly as generated.
 */
const ALIAS: Record<string, string> = {
  [`${GITHUB_OIDC_HOST}:aud`]: "accounts.google.com:aud",
  [`${GITHUB_OIDC_HOST}:sub`]: "accounts.google.com:sub",
};
function forEvaluator(policy: object): object {
  let text = JSON.stringify(policy);
  for (const [from, to] of nonEmpty(Object.entries(ALIAS), "Object.entries(ALIAS)"))
    text = text.split(`"${from}"`).join(`"${to}"`);
  return JSON.parse(text);
}

interface Token {
  sub: string;
  aud?: string;
  repository?: string;
  ref: string;
  environment?: string;
}

async function assume(policy: object, role: string, token: Token) {
  const claims: Record<string, string> = {
    [`${GITHUB_OIDC_HOST}:aud`]: token.aud ?? "sts.amazonaws.com",
    [`${GITHUB_OIDC_HOST}:sub`]: token.sub,
    [`${GITHUB_OIDC_HOST}:repository`]: token.repository ?? token.sub.split(":")[1],
    [`${GITHUB_OIDC_HOST}:ref`]: token.ref,
    ...(token.environment ? { [`${GITHUB_OIDC_HOST}:environment`]: token.environment } : {}),
  };
  const contextVariables = Object.fromEntries(
    Object.entries(claims).map(([k, v]) => [ALIAS[k] ?? k, v]),
  );
  return trustDecision(
    {
      principal: PROVIDER,
      action: "sts:AssumeRoleWithWebIdentity",
      roleArn: `arn:aws:iam::${MANAGEMENT}:role/${role}`,
      account: MANAGEMENT,
      contextVariables,
    },
    forEvaluator(policy),
  );
}

const pr = (repo = REPO): Token => ({ sub: `repo:${repo}:pull_request`, ref: "refs/pull/7/merge" });
const push = (branch: string): Token => ({
  sub: `repo:${REPO}:ref:refs/heads/${branch}`,
  ref: `refs/heads/${branch}`,
});
const envJob = (env: string, branch = "main", repo = REPO): Token => ({
  sub: `repo:${repo}:environment:${env}`,
  ref: `refs/heads/${branch}`,
  environment: env,
});

describe("GitHub CI roles: trust (iam-simulate)", () => {
  const preview = previewTrustPolicy(PROVIDER, GH);
  const deploy = deployTrustPolicy(PROVIDER, GH, ["dev", "stage", "prod"]);
  const cases: { role: string; policy: object; name: string; token: Token; expect: string }[] = [
    {
      role: "preview",
      policy: preview,
      name: "a pull request of the repository",
      token: pr(),
      expect: "Allowed",
    },
    {
      role: "preview",
      policy: preview,
      name: "a push to main",
      token: push("main"),
      expect: "Allowed",
    },
    {
      role: "preview",
      policy: preview,
      name: "another repository",
      token: pr("acme/other"),
      expect: "ImplicitlyDenied",
    },
    {
      role: "preview",
      policy: preview,
      name: "a fork's pull request",
      token: pr("mallory/openems-platform"),
      expect: "ImplicitlyDenied",
    },
    {
      role: "preview",
      policy: preview,
      name: "a push to another branch",
      token: push("feature"),
      expect: "ImplicitlyDenied",
    },
    {
      role: "preview",
      policy: preview,
      name: "another audience",
      token: { ...pr(), aud: "https://example.com" },
      expect: "ImplicitlyDenied",
    },
    {
      role: "preview",
      policy: preview,
      name: "a claimed repository that is not the sub's",
      token: { ...pr("acme/other"), repository: REPO },
      expect: "ImplicitlyDenied",
    },
    {
      role: "deploy",
      policy: deploy,
      name: "the dev deploy job on main",
      token: envJob("dev"),
      expect: "Allowed",
    },
    {
      role: "deploy",
      policy: deploy,
      name: "the prod deploy job on main",
      token: envJob("prod"),
      expect: "Allowed",
    },
    {
      role: "deploy",
      policy: deploy,
      name: "a deploy job started from another branch",
      token: envJob("dev", "feature"),
      expect: "ImplicitlyDenied",
    },
    {
      role: "deploy",
      policy: deploy,
      name: "an environment the platform does not have",
      token: envJob("qa"),
      expect: "ImplicitlyDenied",
    },
    {
      role: "deploy",
      policy: deploy,
      name: "a pull request",
      token: pr(),
      expect: "ImplicitlyDenied",
    },
    {
      role: "deploy",
      policy: deploy,
      name: "a push to main outside an environment",
      token: push("main"),
      expect: "ImplicitlyDenied",
    },
    {
      role: "deploy",
      policy: deploy,
      name: "another repository's deploy job",
      token: envJob("dev", "main", "acme/other"),
      expect: "ImplicitlyDenied",
    },
    {
      role: "deploy",
      policy: deploy,
      name: "another audience",
      token: { ...envJob("dev"), aud: "api://AzureADTokenExchange" },
      expect: "ImplicitlyDenied",
    },
  ];
  for (const c of cases) {
    it(`${c.expect === "Allowed" ? "lets in" : "refuses"} ${c.name} (${c.role} role)`, async () => {
      assert.strictEqual(await assume(c.policy, `platform-ci-${c.role}`, c.token), c.expect);
    });
  }

  it("lets only the CI preview role into an environment's read-only twin", async () => {
    const trust = environmentPreviewTrust(MANAGEMENT, "platform-ci-preview");
    const sim = (principal: string) =>
      trustDecision(
        {
          principal,
          action: "sts:AssumeRole",
          roleArn: "arn:aws:iam::210000000002:role/platform-deploy-preview",
          account: "210000000002",
          contextVariables: { "aws:PrincipalArn": principal },
          identityPolicies: [
            {
              name: "assume",
              policy: {
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }],
              },
            },
          ],
        },
        trust,
      );
    assert.strictEqual(await sim(`arn:aws:iam::${MANAGEMENT}:role/platform-ci-preview`), "Allowed");
    assert.notStrictEqual(
      await sim(`arn:aws:iam::${MANAGEMENT}:role/platform-ci-deploy`),
      "Allowed",
    );
  });
});

describe("GitHub CI roles in the org stack", () => {
  let plan: StackPlan;
  before(async () => {
    plan = await planStack({
      project: "org",
      stack: "management",
      stackName: "organization/org/management",
      config: editedConfig(
        "org",
        "management",
        (c) => (c["platform:github"] = { repository: REPO }),
      ),
      defaultAccountId: MANAGEMENT,
    });
  });

  it("creates GitHub's OIDC provider with the STS audience", () => {
    const p = one(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    assert.strictEqual(p.inputs.url, "https://token.actions.githubusercontent.com");
    assert.deepStrictEqual(p.inputs.clientIdLists, ["sts.amazonaws.com"]);
  });

  it("gives the preview role read-only access and the deploy role no policy but the deploy roles", () => {
    const roles = byType(plan, "aws:iam/role:Role");
    const preview = roles.find((r) => r.inputs.name === "platform-ci-preview")!;
    const deploy = roles.find((r) => r.inputs.name === "platform-ci-deploy")!;
    const attached = (role: string) =>
      byType(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        .filter((a) => a.inputs.role === role)
        .map((a) => a.inputs.policyArn);
    const inline = (role: string) =>
      byType(plan, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === role);
    assert.deepStrictEqual(attached("platform-ci-preview"), [
      "arn:aws:iam::aws:policy/ReadOnlyAccess",
    ]);
    assert.deepStrictEqual(
      inline("platform-ci-preview").map((p) => p.inputs.name),
      ["state-and-previews"],
    );
    assert.deepStrictEqual(
      attached("platform-ci-deploy"),
      [],
      "no managed policy on the deploy role",
    );
    assert.strictEqual(inline("platform-ci-deploy").length, 1);
    for (const role of [preview, deploy]) {
      assert.strictEqual(
        role.inputs.managedPolicyArns,
        undefined,
        "no deprecated managedPolicyArns",
      );
      assert.strictEqual(role.inputs.inlinePolicies, undefined, "no deprecated inlinePolicies");
    }
    const assumes = JSON.parse(inline("platform-ci-deploy")[0].inputs.policy).Statement.find(
      (s: any) => s.Sid === "EnvironmentDeployRoles",
    );
    assert.strictEqual(assumes.Resource.length, 3);
    for (const arn of assumes.Resource)
      assert.match(arn, /^arn:aws:iam::\d{12}:role\/platform-deploy$/);
    const trust = JSON.parse(deploy.inputs.assumeRolePolicy);
    assert.strictEqual(
      trust.Statement[0].Condition.StringEquals[`${GITHUB_OIDC_HOST}:ref`],
      "refs/heads/main",
    );
  });

  it("lets the CI deploy role assume the environments' deploy roles, and nothing else more", () => {
    const deployRoles = byType(plan, "aws:iam/role:Role").filter(
      (r) => r.inputs.name === "platform-deploy",
    );
    assert.strictEqual(deployRoles.length, 3);
    for (const r of deployRoles) {
      const arns = JSON.parse(r.inputs.assumeRolePolicy).Statement[0].Condition.ArnLike[
        "aws:PrincipalArn"
      ];
      assert.ok(arns.includes(`arn:aws:iam::${MANAGEMENT}:role/platform-ci-deploy`), r.name);
    }
    const breakGlass = byType(plan, "aws:iam/role:Role").filter(
      (r) => r.inputs.name === "platform-break-glass",
    );
    assert.ok(breakGlass.length > 0);
    for (const r of breakGlass)
      assert.ok(!r.inputs.assumeRolePolicy.includes("platform-ci-deploy"), r.name);
  });

  it("creates the read-only twin in each environment account, through that account's provider", () => {
    const twins = byType(plan, "aws:iam/role:Role").filter(
      (r) => r.inputs.name === "platform-deploy-preview",
    );
    assert.deepStrictEqual(twins.map((t) => t.provider?.split("::").pop()).sort(), [
      "account-dev",
      "account-prod",
      "account-stage",
    ]);
  });

  it("passes the readiness rules, deprecated inputs included", () => {
    const report = evaluateReadiness([plan]);
    assert.ok(report.rules.some((r) => r.name === "no-deprecated-inputs"));
    assert.deepStrictEqual(report.findings, [], renderReadiness(report));
  });

  it("creates none of it without platform:github", async () => {
    const greenfield = await stackOf("org", "management");
    assert.deepStrictEqual(
      byType(greenfield, "aws:iam/openIdConnectProvider:OpenIdConnectProvider"),
      [],
    );
    assert.ok(
      !byType(greenfield, "aws:iam/role:Role").some((r) =>
        /ci-|deploy-preview/.test(r.inputs.name),
      ),
    );
  });

  const bad: { name: string; value: unknown; expect: string }[] = [
    {
      name: "a repository without owner",
      value: { repository: "openems" },
      expect: "platform:github.repository",
    },
    {
      name: "a branch pattern",
      value: { repository: REPO, branch: "release/*" },
      expect: "no wildcard",
    },
  ];
  for (const b of bad) {
    it(`rejects ${b.name}`, () => {
      assert.throws(
        () =>
          validateOrgConfig(
            editedConfig("org", "management", (c) => (c["platform:github"] = b.value)),
          ),
        (e: Error) => e.message.includes(b.expect),
      );
    });
  }
});

describe("Environment stacks in a CI preview", () => {
  const roleOf = async (readOnly: boolean) => {
    const saved = process.env.PLATFORM_CI_READ_ONLY;
    if (readOnly) process.env.PLATFORM_CI_READ_ONLY = "true";
    else delete process.env.PLATFORM_CI_READ_ONLY;
    try {
      const plan = await planOne(
        "network",
        "dev",
        repositoryConfig("network", "dev"),
        await upstreamOutputs(),
      );
      const provider = byType(plan, "pulumi:providers:aws").find((p) => p.inputs.assumeRoles);
      assert.ok(provider, "the environment provider assumes a role");
      return JSON.parse(provider.inputs.assumeRoles)[0].roleArn as string;
    } finally {
      if (saved === undefined) delete process.env.PLATFORM_CI_READ_ONLY;
      else process.env.PLATFORM_CI_READ_ONLY = saved;
    }
  };

  it("assume the deploy role's read-only twin when PLATFORM_CI_READ_ONLY=true, the deploy role otherwise", async () => {
    assert.match(await roleOf(false), /:role\/platform-deploy$/);
    assert.match(await roleOf(true), /:role\/platform-deploy-preview$/);
  });
});
