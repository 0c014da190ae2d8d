import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GuardrailContext } from "../lib/names";

export interface AuditTrailArgs {
  readonly ctx: GuardrailContext;
  readonly organizationId: pulumi.Input<string>;
  readonly managementAccountId: pulumi.Input<string>;
  /** Account that holds the bucket and key (the log archive); the trail itself is in management. */
  readonly archiveAccountId: pulumi.Input<string>;
  readonly homeRegion: string;
  readonly archiveAfterDays: number;
  readonly expireAfterDays: number;
  /** Default S3 Object Lock retention of every log object (platform:trail.objectLock). */
  readonly objectLock: { readonly mode: "GOVERNANCE" | "COMPLIANCE"; readonly days: number };
  /** Provider of the archive account. */
  readonly archiveProvider: aws.Provider;
}

/**
 * The organization trail: every account, every region, log file validation, into a versioned,
 * KMS-encrypted, non-public bucket in the log archive account whose objects S3 Object Lock retains.
 * Bucket and key are protected and retained: audit evidence outlives the stack.
 */
export class AuditTrail extends pulumi.ComponentResource {
  readonly trail: aws.cloudtrail.Trail;
  readonly bucket: aws.s3.Bucket;
  readonly key: aws.kms.Key;
  readonly objectLock: aws.s3.BucketObjectLockConfiguration;

  constructor(name: string, args: AuditTrailArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:org:AuditTrail", name, {}, opts);
    const inArchive = { parent: this, provider: args.archiveProvider };
    const keep = { ...inArchive, protect: true, retainOnDelete: true };
    const { ctx } = args;
    const trailArn = pulumi.interpolate`arn:aws:cloudtrail:${args.homeRegion}:${args.managementAccountId}:trail/${ctx.trailName}`;

    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: "Organization trail log files",
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "ArchiveAccountAdministers",
              Effect: "Allow",
              Principal: { AWS: pulumi.interpolate`arn:aws:iam::${args.archiveAccountId}:root` },
              Action: "kms:*",
              Resource: "*",
            },
            {
              Sid: "CloudTrailEncryptsForThisTrail",
              Effect: "Allow",
              Principal: { Service: "cloudtrail.amazonaws.com" },
              Action: "kms:GenerateDataKey*",
              Resource: "*",
              Condition: {
                StringEquals: { "aws:SourceArn": trailArn },
                StringLike: {
                  "kms:EncryptionContext:aws:cloudtrail:arn": pulumi.interpolate`arn:aws:cloudtrail:*:${args.managementAccountId}:trail/*`,
                },
              },
            },
            {
              // DescribeKey carries no encryption context, so it has its own statement; Decrypt is
              // required because the bucket uses an S3 Bucket Key (CloudTrail's "Configure AWS KMS
              // key policies for CloudTrail": required sections for trails).
              Sid: "CloudTrailDescribesKeyAndUsesBucketKey",
              Effect: "Allow",
              Principal: { Service: "cloudtrail.amazonaws.com" },
              Action: ["kms:DescribeKey", "kms:Decrypt"],
              Resource: "*",
              Condition: { StringEquals: { "aws:SourceArn": trailArn } },
            },
            {
              Sid: "OrganizationReadsLogs",
              Effect: "Allow",
              Principal: { AWS: "*" },
              Action: ["kms:Decrypt", "kms:ReEncryptFrom"],
              Resource: "*",
              Condition: {
                StringEquals: { "aws:PrincipalOrgID": args.organizationId },
                StringLike: {
                  "kms:EncryptionContext:aws:cloudtrail:arn": pulumi.interpolate`arn:aws:cloudtrail:*:${args.managementAccountId}:trail/*`,
                },
              },
            },
          ],
        }),
      },
      keep,
    );
    new aws.kms.Alias(
      `${name}-key`,
      { name: ctx.trailKeyAlias, targetKeyId: this.key.keyId },
      inArchive,
    );

    this.bucket = new aws.s3.Bucket(
      `${name}-bucket`,
      {
        bucket: pulumi.interpolate`${ctx.trailBucketPrefix}${args.archiveAccountId}`,
        forceDestroy: false,
        tags: { "data-class": "audit" },
      },
      keep,
    );
    new aws.s3.BucketPublicAccessBlock(
      `${name}-bucket`,
      {
        bucket: this.bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      inArchive,
    );
    new aws.s3.BucketOwnershipControls(
      `${name}-bucket`,
      { bucket: this.bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      inArchive,
    );
    const versioning = new aws.s3.BucketVersioning(
      `${name}-bucket`,
      { bucket: this.bucket.id, versioningConfiguration: { status: "Enabled" } },
      keep,
    );
    // Object Lock without replacing the bucket. `objectLockEnabled` on the Bucket is ForceNew (a
    // new, empty bucket, and the protected one refusing the replacement), so the Bucket leaves it
    // unset: it is Optional and Computed, and reading back `true` later is no diff. S3 enables
    // Object Lock on an existing bucket through PutObjectLockConfiguration with ObjectLockEnabled,
    // once versioning is enabled (S3 User Guide, "Configuring S3 Object Lock": enable Object Lock on
    // an existing bucket); that is what this resource's create sends (terraform-provider-aws
    // internal/service/s3/bucket_object_lock_configuration.go, object_lock_enabled defaults to
    // Enabled). A new estate gets the same call right after creating the bucket. Object Lock cannot
    // be switched off again, and versioning can then no longer be suspended.
    // The default retention applies to every object written afterwards; objects already in the
    // bucket are not locked retroactively. Deleting this resource would send a configuration
    // without a rule (no default retention): it is protected and retained like the bucket.
    this.objectLock = new aws.s3.BucketObjectLockConfiguration(
      `${name}-bucket`,
      {
        bucket: this.bucket.id,
        objectLockEnabled: "Enabled",
        rule: {
          defaultRetention: { mode: args.objectLock.mode, days: args.objectLock.days },
        },
      },
      { ...keep, dependsOn: [versioning] },
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-bucket`,
      {
        bucket: this.bucket.id,
        rules: [
          {
            applyServerSideEncryptionByDefault: {
              sseAlgorithm: "aws:kms",
              kmsMasterKeyId: this.key.arn,
            },
            bucketKeyEnabled: true,
          },
        ],
      },
      inArchive,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-bucket`,
      {
        bucket: this.bucket.id,
        rules: [
          {
            id: "archive-then-expire",
            status: "Enabled",
            // Every object: an empty filter is deprecated by the provider; an empty prefix is not.
            filter: { prefix: "" },
            transitions: [{ days: args.archiveAfterDays, storageClass: "GLACIER_IR" }],
            expiration: { days: args.expireAfterDays },
            noncurrentVersionExpiration: { noncurrentDays: 90 },
          },
        ],
      },
      inArchive,
    );
    const policy = new aws.s3.BucketPolicy(
      `${name}-bucket`,
      {
        bucket: this.bucket.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "CloudTrailChecksAcl",
              Effect: "Allow",
              Principal: { Service: "cloudtrail.amazonaws.com" },
              Action: "s3:GetBucketAcl",
              Resource: this.bucket.arn,
              Condition: { StringEquals: { "aws:SourceArn": trailArn } },
            },
            {
              Sid: "CloudTrailWritesOrganizationLogs",
              Effect: "Allow",
              Principal: { Service: "cloudtrail.amazonaws.com" },
              Action: "s3:PutObject",
              Resource: [
                pulumi.interpolate`${this.bucket.arn}/AWSLogs/${args.managementAccountId}/*`,
                pulumi.interpolate`${this.bucket.arn}/AWSLogs/${args.organizationId}/*`,
              ],
              Condition: { StringEquals: { "aws:SourceArn": trailArn } },
            },
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
      inArchive,
    );
    this.trail = new aws.cloudtrail.Trail(
      `${name}-trail`,
      {
        name: ctx.trailName,
        s3BucketName: this.bucket.id,
        isOrganizationTrail: true,
        isMultiRegionTrail: true,
        includeGlobalServiceEvents: true,
        enableLogFileValidation: true,
        kmsKeyId: this.key.arn,
      },
      { parent: this, dependsOn: [policy], protect: true },
    );
    this.registerOutputs({ trailArn: this.trail.arn, bucket: this.bucket.id });
  }
}
