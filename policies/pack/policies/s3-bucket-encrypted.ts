import { StackValidationPolicy } from "@pulumi/policy";
import {
  BUCKET_TYPES,
  bucketLabel,
  ENCRYPTION_TYPES,
  encryptionOf,
  isBucket,
  SSE_ALGORITHMS,
} from "../lib/s3";

export const appliesTo = [...BUCKET_TYPES, ...ENCRYPTION_TYPES] as const;

export const policy: StackValidationPolicy = {
  name: "s3-bucket-encrypted",
  description:
    "Checks that every S3 bucket declares default server-side encryption (AES256, aws:kms or aws:kms:dsse) in " +
    "the program, rather than relying on the account's defaults.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateStack: (args, report) => {
    for (const bucket of args.resources.filter(isBucket)) {
      const algorithms = encryptionOf(bucket, args.resources);
      if (algorithms.length === 0) {
        report(
          `${bucketLabel(bucket)} declares no default encryption; add a BucketServerSideEncryptionConfiguration ` +
            "(aws:kms with the platform's key).",
          bucket.urn,
        );
        continue;
      }
      const invalid = algorithms.filter((a) => !(SSE_ALGORITHMS as readonly string[]).includes(a));
      if (invalid.length) {
        report(
          `${bucketLabel(bucket)} uses sseAlgorithm ${invalid.join(", ")}; expected one of ${SSE_ALGORITHMS.join(", ")}.`,
          bucket.urn,
        );
      }
    }
  },
};
