import * as assert from "assert";
import type { ScpDocument, ScpStatement } from "../guardrails";
import { actionMatches, denyStatementsOf, guardrailCoverage } from "./scp-coverage";

function scp(name: string, statements: ScpStatement[]): ScpDocument {
  const document = { Version: "2012-10-17" as const, Statement: statements };
  return { name, file: `${name}.json`, description: name, document, minified: "" };
}

const FIXTURE = [
  scp("cost", [
    { Sid: "DenyBig", Effect: "Deny", Action: ["ec2:RunInstances", "rds:Create*"], Resource: "*" },
    { Sid: "AllowNothingSpecial", Effect: "Allow", Action: "s3:GetObject", Resource: "*" },
  ]),
  scp("regions", [{ Sid: "DenyElsewhere", Effect: "Deny", NotAction: "iam:*", Resource: "*" }]),
];

describe("guardrailCoverage", () => {
  it("matches IAM action patterns case-insensitively with * and ?", () => {
    const table: [string, string, boolean][] = [
      ["ec2:RunInstances", "ec2:runinstances", true],
      ["iam:Attach*", "iam:AttachRolePolicy", true],
      ["iam:Attach*", "iam:DetachRolePolicy", false],
      ["*", "s3:ListBucket", true],
      ["kafka:CreateCluster", "kafka:CreateClusterV2", false],
      ["s3:Get?bject", "s3:GetObject", true],
      ["s3:Get.bject", "s3:GetObject", false],
    ];
    for (const [pattern, action, expected] of table) {
      assert.strictEqual(actionMatches(pattern, action), expected, `${pattern} vs ${action}`);
    }
  });

  it("lists Deny statements only, with no action list for a NotAction statement", () => {
    assert.deepStrictEqual(denyStatementsOf(FIXTURE), [
      { policy: "cost", sid: "DenyBig", actions: ["ec2:RunInstances", "rds:Create*"] },
      { policy: "regions", sid: "DenyElsewhere", actions: undefined },
    ]);
  });

  it("names the statements and actions no denial came from", () => {
    const report = guardrailCoverage(FIXTURE, [
      {
        scenario: "big instance",
        action: "ec2:RunInstances",
        deniedBy: [{ policy: "cost", sid: "DenyBig" }],
      },
      // Denied by another statement: does not cover DenyBig's rds:Create*.
      {
        scenario: "rds elsewhere",
        action: "rds:CreateDBCluster",
        deniedBy: [{ policy: "other", sid: "DenyBig" }],
      },
    ]);
    assert.deepStrictEqual(report, {
      uncoveredStatements: ["regions/DenyElsewhere"],
      uncoveredActions: ["cost/DenyBig: rds:Create*"],
      statements: 2,
    });
  });

  it("counts an action pattern covered by any matching denied action", () => {
    const report = guardrailCoverage(FIXTURE, [
      { scenario: "a", action: "ec2:RunInstances", deniedBy: [{ policy: "cost", sid: "DenyBig" }] },
      {
        scenario: "b",
        action: "rds:CreateDBCluster",
        deniedBy: [{ policy: "cost", sid: "DenyBig" }],
      },
      {
        scenario: "c",
        action: "s3:ListBucket",
        deniedBy: [{ policy: "regions", sid: "DenyElsewhere" }],
      },
    ]);
    assert.deepStrictEqual(report.uncoveredStatements, []);
    assert.deepStrictEqual(report.uncoveredActions, []);
  });

  it("refuses to call anything covered when either side is empty", () => {
    assert.throws(() => guardrailCoverage(FIXTURE, []), /the scenario list is empty/);
    assert.throws(
      () => guardrailCoverage([], [{ scenario: "a", action: "s3:ListBucket", deniedBy: [] }]),
      /hold no Deny statement/,
    );
  });
});
