import type { PlannedResource } from "../../../tooling/stack-plan";
import { planned } from "../../../tooling/testing/planned";

const KEY = "arn:aws:kms:us-east-1:136345661854:key/525007c1-4fdd-df45-b89a-29ba67975a69";

/**
 * A bucket and its companions as the plan records them: the bucket's physical name is in its
 * outputs, and each companion's `bucket` input is that name (the bucket's id).
 */
export function privateBucket(
  name: string,
  dataClass: string | undefined,
  physical = `${name}-5f0c2e1`,
): PlannedResource[] {
  const bucket = planned(
    "aws:s3/bucket:Bucket",
    name,
    { forceDestroy: false, ...(dataClass ? { tags: { "data-class": dataClass } } : {}) },
    { protect: true, retainOnDelete: true },
  );
  bucket.state = { ...bucket.inputs, bucket: physical, arn: `arn:aws:s3:::${physical}` };
  return [
    bucket,
    planned("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name, {
      bucket: physical,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }),
    planned("aws:s3/bucketVersioning:BucketVersioning", name, {
      bucket: physical,
      versioningConfiguration: { status: "Enabled" },
    }),
    planned(
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      name,
      {
        bucket: physical,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY },
            bucketKeyEnabled: true,
          },
        ],
      },
    ),
  ];
}

/** The resources of `set` other than those of `type`. */
export const without = (set: PlannedResource[], type: string) => set.filter((r) => r.type !== type);
export const only = (set: PlannedResource[], type: string) => set.find((r) => r.type === type)!;
