import { policy } from "../policies/s3-bucket-public-access-blocked";
import { assertClean, assertOneViolation } from "./violations";
import { edited, planned } from "../../../tooling/testing/planned";
import { only, privateBucket, without } from "./s3.fixtures";

const PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";

describe("s3-bucket-public-access-blocked", () => {
  it("passes buckets whose public access block sets all four flags", async () => {
    assertClean(policy, [
      ...privateBucket("dev-vpn-ccd", "config"),
      ...privateBucket("audit-bucket", "audit"),
    ]);
  });

  it("reports a bucket without a public access block, on the bucket", async () => {
    const set = privateBucket("dev-vpn-ccd", "config");
    assertOneViolation(policy, without(set, PAB), set[0].urn, [
      /bucket "dev-vpn-ccd-5f0c2e1" \(resource dev-vpn-ccd\) has no BucketPublicAccessBlock/,
    ]);
  });

  it("reports a block that leaves a flag off, on the block", async () => {
    const set = privateBucket("dev-vpn-ccd", "config");
    const block = edited(only(set, PAB), (r) => (r.inputs.restrictPublicBuckets = false));
    assertOneViolation(policy, [...without(set, PAB), block], block.urn, [
      /public access block dev-vpn-ccd leaves restrictPublicBuckets not true/,
    ]);
  });

  it("does not count a block that belongs to another bucket", async () => {
    const mine = privateBucket("dev-vpn-ccd", "config");
    const other = privateBucket("dev-other", "config");
    assertOneViolation(policy, [...without(mine, PAB), ...other], mine[0].urn, [
      /dev-vpn-ccd.* has no BucketPublicAccessBlock/,
    ]);
  });

  it("accepts an account-wide block with every flag set for the bucket's provider", async () => {
    const set = privateBucket("dev-vpn-ccd", "config");
    const account = planned(
      "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
      "dev-account",
      {
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
    );
    assertClean(policy, [...without(set, PAB), account]);
  });
});
