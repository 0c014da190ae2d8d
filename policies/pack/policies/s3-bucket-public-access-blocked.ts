import { StackValidationPolicy } from "@pulumi/policy";
import {
  accountBlockCovers,
  BUCKET_TYPES,
  bucketLabel,
  companionsOf,
  isBucket,
  openFlags,
  PUBLIC_ACCESS_BLOCK,
} from "../lib/s3";

export const appliesTo = [...BUCKET_TYPES, PUBLIC_ACCESS_BLOCK] as const;

export const policy: StackValidationPolicy = {
  name: "s3-bucket-public-access-blocked",
  description:
    "Checks that every S3 bucket has a public access block with all four settings on (or the stack sets them " +
    "account-wide), so no ACL or bucket policy can make it public.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateStack: (args, report) => {
    for (const bucket of args.resources.filter(isBucket)) {
      const blocks = companionsOf(bucket, args.resources, [PUBLIC_ACCESS_BLOCK]);
      if (blocks.length === 0) {
        if (!accountBlockCovers(bucket, args.resources)) {
          report(
            `${bucketLabel(bucket)} has no BucketPublicAccessBlock; add one with blockPublicAcls, ` +
              "blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets true.",
            bucket.urn,
          );
        }
        continue;
      }
      for (const block of blocks) {
        const open = openFlags(block);
        if (open.length) {
          report(
            `${bucketLabel(bucket)}: public access block ${block.name} leaves ${open.join(", ")} not true.`,
            block.urn,
          );
        }
      }
    }
  },
};
