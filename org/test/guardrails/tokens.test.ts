import * as assert from "assert";
import { FREEZE_POLICY_NAME, loadScps } from "../../guardrails";
import { CTX, fixture, LoadFailure, SCP_DIR } from "./fixtures";

describe("guardrailTokens and substitution, through loadScps", () => {
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
});

const tokenFailures: LoadFailure[] = [
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
];
describe("substitution errors, through loadScps", () => {
  for (const f of tokenFailures) {
    it(`rejects ${f.name}`, async () => {
      assert.throws(() => loadScps(fixture(f.dir), CTX, f.intents), f.message);
    });
  }
});
