import { nonEmpty } from "../../../tooling/testing/non-empty";
import * as assert from "assert";
import { policy } from "../policies/stateful-resources-protected";
import { stackValidationArgs } from "../../../tooling/pack/evaluate";
import { assertClean, assertOneViolation } from "./violations";
import { edited, planned } from "../../../tooling/testing/planned";

const kept = { protect: true, retainOnDelete: true };
const HAPPY = [
  planned(
    "aws:organizations/account:Account",
    "org-account-dev",
    { name: "openems-dev", closeOnDeletion: false },
    kept,
  ),
  planned("aws:kms/key:Key", "dev-network-key", { enableKeyRotation: true }, kept),
  planned("aws:s3/bucket:Bucket", "dev-vpn-ccd", { forceDestroy: false }, kept),
  planned(
    "aws:ebs/volume:Volume",
    "dev-openems-data",
    { size: 30, encrypted: true },
    { protect: true },
  ),
  planned(
    "aws:secretsmanager/secret:Secret",
    "dev-openems-admin",
    { kmsKeyId: "k" },
    { retainOnDelete: true },
  ),
  // Derived from state on every update, so not stateful: the VPN key material in SSM.
  planned("aws:ssm/parameter:Parameter", "dev-vpn-server-key", {
    type: "SecureString",
    value: "pem",
  }),
];

describe("stateful-resources-protected", () => {
  it("passes stateful resources that are protected, retained or both, and ignores derived ones", async () => {
    assertClean(policy, HAPPY);
  });

  for (const [i, what] of nonEmpty(
    ["account", "KMS key", "bucket", "data volume", "secret"].entries(),
    '["account", "KMS key", "bucket", "dat...',
  )) {
    it(`reports a ${what} that is neither protected nor retained`, async () => {
      const bare = edited(HAPPY[i], (r) =>
        Object.assign(r, { protect: false, retainOnDelete: false }),
      );
      const others = HAPPY.filter((_, j) => j !== i);
      assertOneViolation(policy, [...others, bare], bare.urn, [
        new RegExp(`^${what} ${bare.name}: neither protect nor retainOnDelete is set`),
      ]);
    });
  }

  it("sees only protect under the engine, which does not send retainOnDelete", async () => {
    const retainedOnly = planned("aws:s3/bucket:Bucket", "dev-logs", {}, { retainOnDelete: true });
    const args = stackValidationArgs([retainedOnly]);
    // What `pulumi preview --policy-pack` hands the policy: options without retainOnDelete.
    delete (args.resources[0].opts as { retainOnDelete?: boolean }).retainOnDelete;
    const found: string[] = [];
    await policy.validateStack(args, (message) => found.push(message));
    assert.deepStrictEqual(found, [
      "bucket dev-logs: protect is false (retainOnDelete is not visible to the engine's policy protocol); a refactor or destroy would delete it. Set protect: true (and retainOnDelete: true).",
    ]);
  });
});
