import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { read, show, UNKNOWN } from "../lib/values";

export const appliesTo = ["aws:kms/key:Key"] as const;

export const policy: ResourceValidationPolicy = {
  name: "kms-key-rotation-enabled",
  description:
    "Checks that every symmetric customer-managed KMS key has automatic key rotation enabled.",
  enforcementLevel: "mandatory",
  severity: "medium",
  validateResource: validateResourceOfType(aws.kms.Key, (key, args, report) => {
    // AWS rotates only symmetric encryption keys; asymmetric and HMAC keys cannot rotate at all.
    const spec = read(() => key.customerMasterKeySpec);
    if (spec !== undefined && spec !== UNKNOWN && spec !== "SYMMETRIC_DEFAULT") {
      args.notApplicable(`key spec ${show(spec)} cannot rotate automatically`);
    }
    const rotation = read(() => key.enableKeyRotation);
    if (rotation !== true && rotation !== UNKNOWN) {
      report(
        `KMS key has enableKeyRotation ${show(rotation)}; expected true (yearly automatic rotation).`,
      );
    }
  }),
};
