import * as assert from "assert";
import { readdirSync } from "node:fs";
import * as path from "node:path";
import { validateOrgConfig } from "../config/org";
import { budgetName, guardrailContext, scpPolicyName } from "../names";
import { byType, editedConfig, stackOf } from "../../tooling/testing/harness";
import { nonEmpty } from "../../tooling/testing/non-empty";

/** The org stack's own config with another prefix: every guardrail name must follow it. */
function contextWithPrefix(prefix: string) {
  const raw = editedConfig("org", "management", (c) => {
    c["platform:organization"].prefix = prefix;
  });
  return guardrailContext(validateOrgConfig(raw));
}

describe("names: what the guardrail resources are called in AWS", () => {
  it("every guardrail name follows the organization prefix, the trail key alias included", () => {
    const ctx = contextWithPrefix("acme");
    // Literal names: the SCPs protect these exact strings, the ops tool looks them up by them.
    const { allowedRegions, allowedInstanceTypes, allowedBedrockModels, ...names } = ctx;
    assert.deepStrictEqual(names, {
      breakGlassRoleName: "acme-break-glass",
      deployRoleName: "acme-deploy",
      agentRoleName: "acme-automation-agent",
      agentBoundaryName: "acme-agent-boundary",
      budgetActionRoleName: "acme-budget-action",
      trailName: "acme-org-trail",
      trailBucketPrefix: "acme-org-trail-",
      trailKeyAlias: "alias/acme-org-trail",
      alertTopicName: "acme-budget-alerts",
    });
  });

  it("an SCP is named <prefix>-<file name> and a budget <prefix>-<scope>-monthly", () => {
    assert.strictEqual(scpPolicyName("acme", "region-lock"), "acme-region-lock");
    assert.strictEqual(budgetName("acme", "organization"), "acme-organization-monthly");
  });

  it("the org plan creates each SCP under its <prefix>-<file name>, the name the ops tool looks up", async () => {
    const plan = await stackOf("org", "management");
    const names = byType(plan, "aws:organizations/policy:Policy")
      .filter((p) => p.inputs.type === "SERVICE_CONTROL_POLICY")
      .map((p) => p.inputs.name as string);
    // Every file of policies/scp/ reaches AWS under the prefix of org/Pulumi.management.yaml.
    const files = readdirSync(path.join(__dirname, "..", "..", "policies", "scp"))
      .filter((f) => f.endsWith(".json"))
      .map((f) => `platform-${f.replace(/\.json$/, "")}`);
    assert.deepStrictEqual([...names].sort(), nonEmpty(files, "policies/scp files").sort());
  });
});
