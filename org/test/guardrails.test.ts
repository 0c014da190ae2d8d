import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
  AWS_SCP_QUOTA_CEILING,
  DEFAULT_ORG_LAYOUT,
  DEFAULT_SCP_ATTACHMENTS,
  DEFAULT_SCP_LIMITS,
  FREEZE_POLICY_NAME,
  GUARDRAIL_NAME_DEFAULTS,
  SCP_INTENTS,
  checkScpLimits,
  effectiveScpLevels,
  effectiveScps,
  loadScps,
  scpTargetsForLayout,
  type GuardrailContext,
  type ScpDocument,
} from "../guardrails";

const SCP_DIR = path.join(__dirname, "..", "..", "policies", "scp");
const FIXTURES = path.join(__dirname, "fixtures", "scp");

const CTX: GuardrailContext = {
  ...GUARDRAIL_NAME_DEFAULTS,
  allowedRegions: ["eu-central-1", "eu-west-1"],
  allowedInstanceTypes: ["t3.micro", "t3.small", "t4g.*"],
  allowedBedrockModels: ["anthropic.claude-3-haiku-20240307-v1:0", "amazon.titan-text-lite-v1"],
};

const TARGETS = scpTargetsForLayout(DEFAULT_ORG_LAYOUT);
const FREEZE_ACCOUNTS = ["account:dev", "account:sandbox"];

function fixture(dir: string): string {
  return path.join(FIXTURES, dir);
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

describe("loadScps", () => {
  it("loads every file in policies/scp with its intent, and every intent has a file", async () => {
    const scps = loadScps(SCP_DIR, CTX);
    assert.deepStrictEqual(scps.map((p) => p.name).sort(), Object.keys(SCP_INTENTS).sort());
    for (const p of scps) {
      assert.strictEqual(p.description, SCP_INTENTS[p.name]);
      assert.strictEqual(p.file, path.join(SCP_DIR, `${p.name}.json`));
      assert.strictEqual(p.minified, JSON.stringify(p.document));
      assert.ok(!p.minified.includes("{{"), `${p.name} still holds a token`);
    }
  });

  it("substitutes whole-string list tokens, splices list tokens, fills string tokens", async () => {
    const [scp] = loadScps(fixture("tokens"), CTX, { tokens: "Token substitution sample." });
    const [whole, spliced, embedded] = scp.document.Statement;
    assert.deepStrictEqual(whole.Condition, {
      StringNotEquals: { "aws:RequestedRegion": ["eu-central-1", "eu-west-1"] },
    });
    assert.deepStrictEqual(spliced.NotResource, [
      "arn:aws:bedrock:*::foundation-model/amazon.titan-embed-text-v2:0",
      "arn:aws:bedrock:*::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
      "arn:aws:bedrock:*:*:inference-profile/*.anthropic.claude-3-haiku-20240307-v1:0",
      "arn:aws:bedrock:*::foundation-model/amazon.titan-text-lite-v1",
      "arn:aws:bedrock:*:*:inference-profile/*.amazon.titan-text-lite-v1",
    ]);
    assert.deepStrictEqual(embedded.Resource, [
      "arn:aws:iam::*:role/platform-deploy",
      "arn:aws:iam::*:role/platform-break-glass-platform-automation-agent",
    ]);
  });

  it("derives the allowed regions' inference-profile patterns for region-lock", async () => {
    const regionLock = loadScps(SCP_DIR, CTX).find((p) => p.name === "region-lock");
    const routed = regionLock?.document.Statement.find((st) => st.Action !== undefined);
    assert.deepStrictEqual(routed?.Condition?.ArnNotLike?.["bedrock:InferenceProfileArn"], [
      "arn:aws:bedrock:eu-central-1:*:inference-profile/*",
      "arn:aws:bedrock:eu-west-1:*:inference-profile/*",
    ]);
  });

  it("uses the configured names, not the defaults, when config overrides them", async () => {
    const scps = loadScps(SCP_DIR, { ...CTX, breakGlassRoleName: "acme-emergency" });
    const freeze = scps.find((p) => p.name === FREEZE_POLICY_NAME);
    assert.ok(freeze?.minified.includes("role/acme-emergency"));
    assert.ok(!freeze?.minified.includes("platform-break-glass"));
  });

  interface LoadFailure {
    readonly name: string;
    readonly dir: string;
    readonly intents: Record<string, string>;
    readonly message: RegExp;
  }
  const failures: LoadFailure[] = [
    {
      name: "an unknown token, naming the file and the token",
      dir: "unknown-token",
      intents: { "unknown-token": "x" },
      message: new RegExp(
        'unknown-token\\.json: unknown token "\\{\\{allowedRegion\\}\\}" at ' +
          "Statement\\[0\\]\\.Condition\\.StringNotEquals\\.aws:RequestedRegion; " +
          "known tokens: allowedRegions,",
      ),
    },
    {
      name: "a list token inside a longer string",
      dir: "list-in-string",
      intents: { "list-in-string": "x" },
      message:
        /list-in-string\.json: token "\{\{allowedInstanceTypes\}\}" holds a list and cannot be/,
    },
    {
      name: "a statement without Sid, naming the file and the statement",
      dir: "missing-sid",
      intents: { "missing-sid": "x" },
      message: /missing-sid\.json: Statement\[1\] has no Sid/,
    },
    {
      name: "duplicate Sids, naming the file and the Sid",
      dir: "duplicate-sid",
      intents: { "duplicate-sid": "x" },
      message:
        /duplicate-sid\.json: duplicate Sid "DenyExpensiveServices" in Statement\[0\] and .*\[1\]/,
    },
    {
      name: "a file without an intent",
      dir: "tokens",
      intents: {},
      message: /tokens\.json: policy "tokens" has no intent; add a one-sentence entry to SCP_INT/,
    },
    {
      name: "an intent without a file",
      dir: "tokens",
      intents: { tokens: "x", "region-lock": "y" },
      message: /SCP_INTENTS names "region-lock" but .* has no such file/,
    },
    {
      name: "a file that is not an SCP JSON file in the policy folder",
      dir: "stray-file",
      intents: { "deny-leave-organization": "x" },
      message: /README\.md: .* must hold SCP JSON files only/,
    },
  ];
  describe("validateScpDocument and the loader's file checks, through loadScps", () => {
    for (const f of failures) {
      it(`rejects ${f.name}`, async () => {
        assert.throws(() => loadScps(fixture(f.dir), CTX, f.intents), f.message);
      });
    }
  });

  const badContexts: [keyof GuardrailContext, unknown, RegExp][] = [
    ["allowedRegions", [], /'allowedRegions' must be a non-empty list/],
    ["allowedRegions", ["Frankfurt"], /'allowedRegions\[0\]' must be region codes .*"Frankfurt"/],
    ["allowedBedrockModels", ["anthropic.*"], /'allowedBedrockModels\[0\]' must be .*without wild/],
    ["allowedInstanceTypes", ["t3.micro", "t3.micro"], /lists "t3.micro" more than once/],
    ["breakGlassRoleName", "ops/break-glass", /'breakGlassRoleName' must be an IAM name .*"ops\//],
    ["trailKeyAlias", "platform-org-trail", /'trailKeyAlias' must be a KMS alias starting with/],
  ];
  describe("validateGuardrailContext, through loadScps", () => {
    for (const [key, value, message] of badContexts) {
      it(`rejects ${key} = ${JSON.stringify(value)} before reading any file`, async () => {
        const ctx = { ...CTX, [key]: value } as GuardrailContext;
        assert.throws(() => loadScps("/nonexistent", ctx), message);
      });
    }
  });
});

describe("checkScpLimits", () => {
  let real: ScpDocument[];
  before(() => {
    real = loadScps(SCP_DIR, CTX);
  });

  it("passes the defaults under the 5 / 5,120 limits with freeze on dev and sandbox", async () => {
    assert.doesNotThrow(() =>
      checkScpLimits(real, DEFAULT_SCP_ATTACHMENTS, DEFAULT_SCP_LIMITS, FREEZE_ACCOUNTS, TARGETS),
    );
  });

  it("attaches every policy except freeze somewhere, and never freeze", async () => {
    const attached = Object.keys(DEFAULT_SCP_ATTACHMENTS).sort();
    const expected = real
      .map((p) => p.name)
      .filter((n) => n !== FREEZE_POLICY_NAME)
      .sort();
    assert.deepStrictEqual(attached, expected);
  });

  it("keeps the largest real policy at most 80 % of the conservative size limit", async () => {
    const largest = Math.max(...real.map((p) => p.minified.length));
    const budget = DEFAULT_SCP_LIMITS.maxPolicyChars * 0.8;
    assert.ok(largest <= budget, `largest SCP is ${largest} chars`);
  });

  it("rejects an oversized policy, naming it, its size and the limit", async () => {
    const big = loadScps(fixture("oversized"), CTX, { "spelled-out-actions": "x" });
    const size = big[0].minified.length;
    const onRoot = { "spelled-out-actions": ["root"] };
    assert.throws(
      () => checkScpLimits(big, onRoot, DEFAULT_SCP_LIMITS, [], TARGETS),
      new RegExp(
        `SCP "spelled-out-actions" \\(.*spelled-out-actions\\.json\\) is ${size} characters ` +
          "minified; the limit maxPolicyChars is 5120",
      ),
    );
    // The 2026 quota admits it once configured.
    const raised = { ...DEFAULT_SCP_LIMITS, maxPolicyChars: 10240 };
    assert.doesNotThrow(() => checkScpLimits(big, onRoot, raised, [], TARGETS));
  });

  it("rejects a sixth policy on the root, listing them and counting FullAWSAccess", async () => {
    const attachments = readJson<Record<string, string[]>>(
      fixture("attachments/lambda-url-on-root.json"),
    );
    assert.throws(
      () => checkScpLimits(real, attachments, DEFAULT_SCP_LIMITS, FREEZE_ACCOUNTS, TARGETS),
      new RegExp(
        'SCP target "root" would carry 6 policies: FullAWSAccess, deny-leave-organization, ' +
          "region-lock, deny-root-user, protect-guardrails, lambda-url-iam-auth; " +
          "the limit maxPoliciesPerTarget is 5 \\(FullAWSAccess counts",
      ),
    );
    const raised = { ...DEFAULT_SCP_LIMITS, maxPoliciesPerTarget: 10 };
    assert.doesNotThrow(() => checkScpLimits(real, attachments, raised, FREEZE_ACCOUNTS, TARGETS));
  });

  it("counts the slot reserved for freeze on a full target", async () => {
    const freezeOnOu = ["ou:sandbox"];
    assert.throws(
      () => checkScpLimits(real, DEFAULT_SCP_ATTACHMENTS, DEFAULT_SCP_LIMITS, freezeOnOu, TARGETS),
      /"ou:sandbox" would carry 6 policies: .*freeze \(slot reserved for the budget action\)/,
    );
  });

  const misuse: [string, Record<string, string[]>, string[], RegExp][] = [
    [
      "an unknown policy",
      { "deny-everything": ["root"] },
      [],
      /unknown policy "deny-everything"; loaded policies: bedrock-model-allowlist/,
    ],
    [
      "FullAWSAccess listed explicitly",
      { FullAWSAccess: ["root"] },
      [],
      /FullAWSAccess is attached by AWS and always counted/,
    ],
    [
      "an unknown target",
      { "region-lock": ["ou:workload"] },
      [],
      /"region-lock" is attached to unknown target "ou:workload"; known targets: root, ou:secu/,
    ],
    [
      "a target listed twice",
      { "region-lock": ["root", "root"] },
      [],
      /attached to target "root" more than once/,
    ],
    [
      "freeze attached statically",
      { freeze: ["account:dev"] },
      [],
      /SCP "freeze" must not be attached statically/,
    ],
    ["an unknown freeze target", {}, ["account:qa"], /freeze target "account:qa" is unknown/],
  ];
  for (const [name, attachments, freeze, message] of misuse) {
    it(`rejects ${name}`, async () => {
      assert.throws(
        () => checkScpLimits(real, attachments, DEFAULT_SCP_LIMITS, freeze, TARGETS),
        message,
      );
    });
  }

  it("rejects limits that are not integers or exceed the AWS quota", async () => {
    const tooMany = { ...DEFAULT_SCP_LIMITS, maxPoliciesPerTarget: 11 };
    assert.throws(
      () => checkScpLimits(real, {}, tooMany, [], TARGETS),
      /SCP limit 'maxPoliciesPerTarget' must be an integer from 1 to 10 \(the AWS quota\); got 11/,
    );
    const fractional = { ...DEFAULT_SCP_LIMITS, maxPolicyChars: 5120.5 };
    assert.throws(
      () => checkScpLimits(real, {}, fractional, [], TARGETS),
      /'maxPolicyChars' must be an integer from 1 to 10240/,
    );
    assert.deepStrictEqual(AWS_SCP_QUOTA_CEILING, {
      maxPolicyChars: 10240,
      maxPoliciesPerTarget: 10,
    });
  });
});

describe("effectiveScps", () => {
  it("walks root, each OU from the top, then the account", async () => {
    const levels = effectiveScpLevels("prod", "workloads/prod", DEFAULT_SCP_ATTACHMENTS, false);
    assert.deepStrictEqual(
      levels.map((l) => l.target),
      ["root", "ou:workloads", "ou:workloads/prod", "account:prod"],
    );
    const prod = effectiveScps("prod", "workloads/prod", DEFAULT_SCP_ATTACHMENTS, false);
    assert.deepStrictEqual(prod, [
      "deny-leave-organization",
      "region-lock",
      "deny-root-user",
      "protect-guardrails",
      "lambda-url-iam-auth",
      "deny-agent-role",
    ]);
  });

  it("gives stage the agent denial and dev not", async () => {
    const stage = effectiveScps("stage", "workloads/nonprod", DEFAULT_SCP_ATTACHMENTS, false);
    const dev = effectiveScps("dev", "workloads/nonprod", DEFAULT_SCP_ATTACHMENTS, false);
    assert.ok(stage.includes("deny-agent-role"));
    assert.ok(!dev.includes("deny-agent-role"));
    const nonprod = [
      "deny-expensive-services",
      "ec2-instance-type-allowlist",
      "bedrock-model-allowlist",
    ];
    for (const p of nonprod) {
      assert.ok(dev.includes(p) && stage.includes(p), p);
    }
  });

  it("adds freeze on the account level only when frozen", async () => {
    const frozen = effectiveScpLevels("sandbox", "sandbox", DEFAULT_SCP_ATTACHMENTS, true);
    assert.deepStrictEqual(frozen[frozen.length - 1], {
      target: "account:sandbox",
      policies: ["freeze"],
    });
    const thawed = effectiveScps("sandbox", "sandbox", DEFAULT_SCP_ATTACHMENTS, false);
    assert.ok(!thawed.includes("freeze"));
  });

  it("gives the log-archive account only the organization-wide policies", async () => {
    assert.deepStrictEqual(
      effectiveScps("log-archive", "security", DEFAULT_SCP_ATTACHMENTS, false),
      ["deny-leave-organization", "region-lock", "deny-root-user", "protect-guardrails"],
    );
  });

  it("rejects a malformed OU path, naming the value", async () => {
    assert.throws(
      () => effectiveScps("prod", "/workloads/prod/", DEFAULT_SCP_ATTACHMENTS, false),
      /ouPathOfAccount must be an OU path such as "workloads\/prod" .*got "\/workloads\/prod\/"/,
    );
  });
});
