/**
 * S3 Object Lock on the organization trail bucket: retention from platform:trail.objectLock,
 * switched on for the existing bucket without replacing it, and bad settings refused before any
 * resource is registered.
 */
import * as assert from "assert";
import {
  byType,
  editedConfig,
  one,
  planExpectingError,
  planOne,
  stackOf,
  upstreamOutputs,
} from "../../tooling/testing/harness";

const BUCKET = "aws:s3/bucket:Bucket";
const LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration";
const VERSIONING = "aws:s3/bucketVersioning:BucketVersioning";

describe("organization trail Object Lock", () => {
  it("locks every new log object for 365 days in GOVERNANCE mode by default, protected and retained", async () => {
    const plan = await stackOf("org", "management");
    const bucket = byType(plan, BUCKET).find((b) => b.name === "audit-bucket")!;
    const lock = one(plan, LOCK);
    assert.strictEqual(lock.inputs.bucket, bucket.id);
    assert.strictEqual(lock.inputs.objectLockEnabled, "Enabled");
    assert.deepStrictEqual(lock.inputs.rule, {
      defaultRetention: { mode: "GOVERNANCE", days: 365 },
    });
    assert.ok(lock.protect && lock.retainOnDelete, "deleting it would drop the default retention");
    // PutObjectLockConfiguration on an existing bucket needs versioning enabled first.
    const versioning = byType(plan, VERSIONING).find((v) => v.inputs.bucket === bucket.id)!;
    assert.strictEqual(versioning.inputs.versioningConfiguration.status, "Enabled");
    assert.ok(
      lock.dependencies.includes(versioning.urn),
      "Object Lock does not wait for versioning",
    );
  });

  it("never replaces the existing trail bucket: the ForceNew objectLockEnabled stays unset and no lock setting reaches the bucket", async () => {
    const base = await stackOf("org", "management");
    const config = editedConfig("org", "management", (c) => {
      c["platform:trail"].objectLock = { mode: "COMPLIANCE", days: 400 };
    });
    const changed = await planOne("org", "management", config, await upstreamOutputs());
    const before = byType(base, BUCKET).find((b) => b.name === "audit-bucket")!;
    const after = byType(changed, BUCKET).find((b) => b.name === "audit-bucket")!;
    // object_lock_enabled is ForceNew on aws_s3_bucket (terraform-provider-aws bucket.go): setting
    // it on an existing bucket would replace it, which the protected bucket refuses.
    assert.ok(!("objectLockEnabled" in before.inputs), "the Bucket sets objectLockEnabled");
    assert.ok(!("objectLockConfiguration" in before.inputs));
    assert.deepStrictEqual(after.inputs, before.inputs);
    assert.ok(before.protect && before.retainOnDelete);
    assert.deepStrictEqual(one(changed, LOCK).inputs.rule, {
      defaultRetention: { mode: "COMPLIANCE", days: 400 },
    });
  });

  const refusals: [string, unknown, RegExp][] = [
    [
      "an unknown mode",
      { mode: "LEGAL_HOLD", days: 365 },
      /platform:trail\.objectLock\.mode.*LEGAL_HOLD.*GOVERNANCE.*COMPLIANCE|platform:trail\.objectLock\.mode.*GOVERNANCE.*COMPLIANCE.*LEGAL_HOLD/s,
    ],
    ["zero days", { mode: "GOVERNANCE", days: 0 }, /platform:trail\.objectLock\.days/],
    [
      "a retention longer than the logs are kept",
      { mode: "GOVERNANCE", days: 800 },
      /platform:trail\.objectLock\.days: got 800; expected at most expireAfterDays \(730\)/,
    ],
    [
      "an unknown key",
      { mode: "GOVERNANCE", days: 365, years: 1 },
      /platform:trail\.objectLock\.years/,
    ],
  ];
  for (const [what, value, pattern] of refusals) {
    it(`refuses ${what} before registering anything`, async () => {
      const config = editedConfig("org", "management", (c) => {
        c["platform:trail"].objectLock = value;
      });
      const { message, registered } = await planExpectingError("org", "management", config);
      assert.match(message, pattern);
      assert.match(message, /org\/management/);
      assert.strictEqual(registered.length, 0);
    });
  }
});
