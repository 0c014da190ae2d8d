import { policy } from "../policies/kms-key-rotation-enabled";
import { assertClean, assertOneViolation } from "./violations";
import { edited, planned } from "../../../tooling/testing/planned";

const key = planned(
  "aws:kms/key:Key",
  "dev-workloads-key",
  { description: "OpenEMS dev", enableKeyRotation: true, deletionWindowInDays: 30 },
  { protect: true, retainOnDelete: true },
);
const signingKey = planned("aws:kms/key:Key", "dev-signing-key", {
  customerMasterKeySpec: "ECC_NIST_P256",
  keyUsage: "SIGN_VERIFY",
});

describe("kms-key-rotation-enabled", () => {
  it("passes a rotating symmetric key and skips asymmetric keys, which cannot rotate", async () => {
    assertClean(policy, [key, signingKey]);
  });

  it("reports a symmetric key without rotation", async () => {
    const off = edited(key, (r) => delete r.inputs.enableKeyRotation);
    assertOneViolation(policy, [off, signingKey], off.urn, [
      /enableKeyRotation not set; expected true/,
    ]);
  });

  it("reports a key that turns rotation off explicitly", async () => {
    const off = edited(key, (r) =>
      Object.assign(r.inputs, {
        enableKeyRotation: false,
        customerMasterKeySpec: "SYMMETRIC_DEFAULT",
      }),
    );
    assertOneViolation(policy, [off], off.urn, [/enableKeyRotation false/]);
  });
});
