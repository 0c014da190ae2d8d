import * as assert from "assert";
import { evaluateReadiness, renderReadiness, rules } from "..";
import * as fs from "fs";
import { repositoryPlan } from "../../testing/harness";
import { TABLE_FILE, deprecatedInputs } from "../deprecations/generate";

describe("Readiness of the repository's stacks", () => {
  it("every rule cites a source and the planned stacks have no findings", async () => {
    const plans = await repositoryPlan();
    assert.ok(plans.length > 1, "the repository plan has stacks");
    assert.ok(rules.length > 0, "there are readiness rules");
    for (const r of rules)
      assert.match(r.description, /https:\/\/|terraform-provider-aws|pulumi\/pulumi#/, r.name);
    const report = evaluateReadiness(plans);
    assert.deepStrictEqual(report.findings, [], renderReadiness(report));
  });

  it("the deprecated-input table covers every planned AWS type (npm run deprecations)", async function () {
    this.timeout(60_000);
    const types = [
      ...new Set((await repositoryPlan()).flatMap((p) => p.resources.map((r) => r.type))),
    ].filter((t) => t.startsWith("aws:"));
    assert.ok(types.length > 10, "the plan has AWS types");
    assert.deepStrictEqual(
      deprecatedInputs(types),
      JSON.parse(fs.readFileSync(TABLE_FILE, "utf8")),
      "stale: run npm run deprecations",
    );
  });

  it("names each rule in the report, and prints findings with the resource and the fix", () => {
    const report = {
      rules: [{ name: "r", description: "d" }],
      findings: [
        {
          rule: "r",
          stack: "org/management",
          urn: "urn:pulumi:management::org::aws:kms/key:Key::trail",
          message: "would fail",
          fix: "do this",
        },
      ],
    };
    const text = renderReadiness(report);
    assert.match(text, /r {2}org\/management {2}aws:kms\/key:Key trail/);
    assert.match(text, /fix: do this/);
    assert.match(text, /1 finding\(s\) from 1 rules/);
  });
});
