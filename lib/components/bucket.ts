import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** What a bucket holds; audit and backup buckets must be versioned (the policy pack checks it). */
export type DataClass = "audit" | "backup" | "config";

export interface PrivateBucketArgs {
  /** Customer-managed key every object is encrypted with (SSE-KMS, bucket key on). */
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly dataClass: DataClass;
  /** Days a replaced or deleted object version is kept before it expires; default 90. */
  readonly noncurrentVersionDays?: number;
  /** Extra statements for the bucket policy (beside the TLS-only deny). */
  readonly policyStatements?: pulumi.Input<Record<string, unknown>>[];
}

/**
 * A bucket nobody outside the account can read: public access blocked, ACLs disabled, SSE-KMS
 * with a customer-managed key, versioned, TLS-only. The bucket is protected and retained, so a
 * rename or a `destroy` never deletes what it holds.
 */
export class PrivateBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: PrivateBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:storage:PrivateBucket", name, {}, opts);
    const child = { parent: this };
    this.bucket = new aws.s3.Bucket(
      name,
      { forceDestroy: false, tags: { "data-class": args.dataClass } },
      { ...child, protect: true, retainOnDelete: true },
    );
    const bucket = this.bucket.id;
    new aws.s3.BucketPublicAccessBlock(
      name,
      {
        bucket,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      child,
    );
    new aws.s3.BucketOwnershipControls(
      name,
      { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
      child,
    );
    new aws.s3.BucketVersioning(
      name,
      { bucket, versioningConfiguration: { status: "Enabled" } },
      child,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      name,
      {
        bucket,
        rules: [
          {
            applyServerSideEncryptionByDefault: {
              sseAlgorithm: "aws:kms",
              kmsMasterKeyId: args.kmsKeyArn,
            },
            bucketKeyEnabled: true,
          },
        ],
      },
      child,
    );
    new aws.s3.BucketLifecycleConfiguration(
      name,
      {
        bucket,
        rules: [
          {
            id: "expire-old-versions",
            status: "Enabled",
            // Every object: an empty filter is deprecated by the provider; an empty prefix is not.
            filter: { prefix: "" },
            noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays ?? 90 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
      },
      child,
    );
    new aws.s3.BucketPolicy(
      name,
      {
        bucket,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            ...(args.policyStatements ?? []),
            {
              Sid: "DenyInsecureTransport",
              Effect: "Deny",
              Principal: "*",
              Action: "s3:*",
              Resource: [this.bucket.arn, pulumi.interpolate`${this.bucket.arn}/*`],
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ],
        }),
      },
      child,
    );
    this.name = this.bucket.bucket;
    this.arn = this.bucket.arn;
    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}
