import { policy } from "../policies/s3-bucket-encrypted";
import { assertClean, assertOneViolation } from "./violations";
import { edited } from "../../../tooling/testing/planned";
import { only, privateBucket, without } from "./s3.fixtures";

const SSE =
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";

describe("s3-bucket-encrypted", () => {
  it("passes a bucket with a default encryption configuration", async () => {
    assertClean(policy, privateBucket("dev-vpn-ccd", "config"));
  });

  it("passes the deprecated inline configuration on the bucket itself", async () => {
    const set = privateBucket("dev-vpn-ccd", "config");
    const bucket = edited(
      set[0],
      (r) =>
        (r.state.serverSideEncryptionConfiguration = {
          rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
        }),
    );
    assertClean(policy, [bucket, ...without(set.slice(1), SSE)]);
  });

  it("reports a bucket that declares no default encryption", async () => {
    const set = privateBucket("dev-vpn-ccd", "config");
    assertOneViolation(policy, without(set, SSE), set[0].urn, [/declares no default encryption/]);
  });

  it("reports an algorithm S3 does not offer", async () => {
    const set = privateBucket("dev-vpn-ccd", "config");
    const sse = edited(
      only(set, SSE),
      (r) => (r.inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm = "aws:kmss"),
    );
    assertOneViolation(policy, [...without(set, SSE), sse], set[0].urn, [
      /uses sseAlgorithm aws:kmss; expected one of AES256, aws:kms, aws:kms:dsse/,
    ]);
  });
});
