import * as assert from "assert";
import { trailKeyPolicy as rule } from "../rules/trail-key-policy";
import { resource, stack } from "./fixtures";

const KEY_ARN = "arn:aws:kms:us-east-1:111111111111:key/k";
const TRAIL_ARN = "arn:aws:cloudtrail:us-east-1:111111111111:trail/t";
const context = {
  StringLike: {
    "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:111111111111:trail/*",
  },
};
const cloudtrail = (Action: string | string[], Condition: Record<string, unknown>) => ({
  Effect: "Allow",
  Principal: { Service: "cloudtrail.amazonaws.com" },
  Action,
  Resource: "*",
  Condition,
});
const source = { StringEquals: { "aws:SourceArn": TRAIL_ARN } };

function plan(statements: unknown[], bucketKey: boolean) {
  const key = resource(
    "aws:kms/key:Key",
    "k",
    {
      policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }),
    },
    { state: { arn: KEY_ARN } },
  );
  return stack([
    key,
    resource(
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      "sse",
      {
        bucket: "trail-bucket",
        rules: [
          {
            bucketKeyEnabled: bucketKey,
            applyServerSideEncryptionByDefault: { kmsMasterKeyId: KEY_ARN },
          },
        ],
      },
    ),
    resource("aws:cloudtrail/trail:Trail", "t", {
      name: "t",
      kmsKeyId: KEY_ARN,
      s3BucketName: "trail-bucket",
    }),
  ]);
}

describe("readiness rule trail-key-policy", () => {
  const cases = [
    {
      name: "fails DescribeKey conditioned on an encryption context and no Decrypt with a Bucket Key",
      statements: [
        cloudtrail(["kms:GenerateDataKey*", "kms:DescribeKey"], { ...source, ...context }),
      ],
      bucketKey: true,
      fails: /kms:DescribeKey without an encryption-context condition, kms:Decrypt/,
    },
    {
      name: "passes GenerateDataKey* with context, DescribeKey and Decrypt by source ARN",
      statements: [
        cloudtrail("kms:GenerateDataKey*", { ...source, ...context }),
        cloudtrail(["kms:DescribeKey", "kms:Decrypt"], source),
      ],
      bucketKey: true,
      fails: undefined,
    },
    {
      name: "does not ask for Decrypt when the bucket uses no Bucket Key",
      statements: [
        cloudtrail("kms:GenerateDataKey*", context),
        cloudtrail("kms:DescribeKey", source),
      ],
      bucketKey: false,
      fails: undefined,
    },
    {
      name: "fails a key that does not let CloudTrail generate data keys",
      statements: [cloudtrail(["kms:DescribeKey", "kms:Decrypt"], source)],
      bucketKey: true,
      fails: /kms:GenerateDataKey\*: creating the trail fails/,
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const findings = rule.check([plan(c.statements, c.bucketKey)]);
      if (!c.fails) return assert.deepStrictEqual(findings, []);
      assert.strictEqual(findings.length, 1);
      assert.match(findings[0].message, c.fails);
      assert.match(findings[0].urn, /aws:kms\/key:Key::k$/);
    });
});
