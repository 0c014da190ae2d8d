import * as assert from "assert";
import { DEFAULT_SCP_ATTACHMENTS, effectiveScpLevels, effectiveScps } from "../../guardrails";

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

  // Organizations applies the SCPs of every level from the root down to the account (Organizations
  // User Guide, "SCP evaluation"); the budget action attaches freeze to the frozen account only.
  const small = { "region-lock": ["root"], "deny-agent-role": ["ou:sandbox"] };

  it("puts freeze on the account level and on no other level when frozen", async () => {
    assert.deepStrictEqual(effectiveScpLevels("sandbox", "sandbox", small, true), [
      { target: "root", policies: ["region-lock"] },
      { target: "ou:sandbox", policies: ["deny-agent-role"] },
      { target: "account:sandbox", policies: ["freeze"] },
    ]);
  });

  it("gives an account directly under the root no OU level", async () => {
    assert.deepStrictEqual(effectiveScpLevels("management", "", small, false), [
      { target: "root", policies: ["region-lock"] },
      { target: "account:management", policies: [] },
    ]);
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
