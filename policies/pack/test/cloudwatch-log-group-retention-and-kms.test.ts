import { policy } from "../policies/cloudwatch-log-group-retention-and-kms";
import { assertClean, assertOneViolation } from "./violations";
import { edited, planned } from "../../../tooling/testing/planned";

const group = planned("aws:cloudwatch/logGroup:LogGroup", "dev-flow-logs", {
  retentionInDays: 14,
  kmsKeyId: "arn:aws:kms:us-east-1:136345661854:key/525007c1-4fdd-df45-b89a-29ba67975a69",
});

describe("cloudwatch-log-group-retention-and-kms", () => {
  it("passes a group with a retention period and a KMS key", async () => {
    assertClean(policy, [group]);
  });

  const cases: { what: string; resource: ReturnType<typeof planned>; expect: RegExp[] }[] = [
    {
      what: "a group that keeps logs forever (no retention)",
      resource: edited(group, (r) => delete r.inputs.retentionInDays),
      expect: [/retentionInDays not set; expected a retention period/],
    },
    {
      what: "a group with retention 0 (never expire)",
      resource: edited(group, (r) => (r.inputs.retentionInDays = 0)),
      expect: [/retentionInDays 0/],
    },
    {
      what: "a group without a KMS key",
      resource: edited(group, (r) => delete r.inputs.kmsKeyId),
      expect: [/no kmsKeyId/],
    },
  ];
  for (const c of cases) {
    it(`reports ${c.what}`, async () => {
      assertOneViolation(policy, [c.resource], c.resource.urn, c.expect);
    });
  }
});
