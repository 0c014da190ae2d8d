import { policy } from "../policies/s3-audit-bucket-versioned";
import { assertClean, assertOneViolation } from "./violations";
import { edited } from "../../../tooling/testing/planned";
import { only, privateBucket, without } from "./s3.fixtures";

const VERSIONING = "aws:s3/bucketVersioning:BucketVersioning";

describe("s3-audit-bucket-versioned", () => {
  it("passes versioned audit and backup buckets, and leaves other buckets alone", async () => {
    assertClean(policy, [
      ...privateBucket("audit-bucket", "audit"),
      ...privateBucket("dev-backup", "backup"),
      ...without(privateBucket("dev-vpn-ccd", "config"), VERSIONING),
    ]);
  });

  it("reports an audit bucket without versioning", async () => {
    const set = privateBucket("audit-bucket", "audit");
    assertOneViolation(policy, without(set, VERSIONING), set[0].urn, [
      /tagged data-class=audit but it has no BucketVersioning/,
    ]);
  });

  it("reports a backup bucket whose versioning is suspended", async () => {
    const set = privateBucket("dev-backup", "backup");
    const suspended = edited(
      only(set, VERSIONING),
      (r) => (r.inputs.versioningConfiguration.status = "Suspended"),
    );
    assertOneViolation(policy, [...without(set, VERSIONING), suspended], set[0].urn, [
      /data-class=backup but versioning is Suspended/,
    ]);
  });

  it("takes the data classes from the pack's config", async () => {
    const set = without(privateBucket("dev-vpn-ccd", "config"), VERSIONING);
    assertOneViolation(policy, set, set[0].urn, [/data-class=config/], {
      [policy.name]: { versionedDataClasses: ["config"] },
    });
  });
});
