import * as assert from "assert";
import type { ScpDocument, ScpStatement } from "../guardrails";
import {
  actionMatches,
  denyStatementsOf,
  guardrailCoverage,
  unexercisedExemptions,
} from "./scp-coverage";

function scp(name: string, statements: ScpStatement[]): ScpDocument {
  const document = { Version: "2012-10-17" as const, Statement: statements };
  return { name, file: `${name}.json`, description: name, document, minified: "" };
}

const FIXTURE = [
  scp("cost", [
    {
      Sid: "DenyBig",
      Effect: "Deny",
      Action: ["ec2:RunInstances", "rds:Create*"],
      Resource: "*",
      Condition: { StringNotLike: { "ec2:InstanceType": "t3.*" } },
    },
    { Sid: "DenyShield", Effect: "Deny", Action: "shield:CreateSubscription", Resource: "*" },
    { Sid: "AllowNothingSpecial", Effect: "Allow", Action: "s3:GetObject", Resource: "*" },
  ]),
  scp("regions", [
    {
      Sid: "DenyElsewhere",
      Effect: "Deny",
      NotAction: "iam:*",
      Resource: "*",
      Condition: { StringNotEquals: { "aws:RequestedRegion": "eu-central-1" } },
    },
  ]),
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
      {
        policy: "cost",
        sid: "DenyBig",
        actions: ["ec2:RunInstances", "rds:Create*"],
        notActions: undefined,
        conditional: true,
      },
      {
        policy: "cost",
        sid: "DenyShield",
        actions: ["shield:CreateSubscription"],
        notActions: undefined,
        conditional: false,
      },
      {
        policy: "regions",
        sid: "DenyElsewhere",
        actions: undefined,
        notActions: ["iam:*"],
        conditional: true,
      },
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
      uncoveredStatements: ["cost/DenyShield", "regions/DenyElsewhere"],
      uncoveredActions: ["cost/DenyBig: rds:Create*"],
      statements: 3,
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
      {
        scenario: "d",
        action: "shield:CreateSubscription",
        deniedBy: [{ policy: "cost", sid: "DenyShield" }],
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

  it("asks each conditional Deny statement for an allowed scenario that requests its actions", () => {
    // iam:CreateRole is excluded by the NotAction, so it exercises nothing; an unconditional
    // statement (DenyShield) lets nothing through and needs no allowed scenario.
    assert.deepStrictEqual(
      unexercisedExemptions(FIXTURE, [{ scenario: "role", action: "iam:CreateRole" }]),
      ["cost/DenyBig", "regions/DenyElsewhere"],
    );
    assert.deepStrictEqual(
      unexercisedExemptions(FIXTURE, [
        { scenario: "small rds", action: "rds:CreateDBInstance" },
        { scenario: "bucket here", action: "s3:CreateBucket" },
      ]),
      [],
    );
    assert.throws(() => unexercisedExemptions(FIXTURE, []), /legitimate-work list is empty/);
  });
});
