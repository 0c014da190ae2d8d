import { PolicyResource, PolicyResourceOptions, StackValidationPolicy } from "@pulumi/policy";

/**
 * Resources whose loss is not undone by running the program again: an account (closing one is
 * final for 90 days), a key (its data is unreadable without it), a bucket's objects, a data volume,
 * a secret whose value may have been set or rotated outside the program. SSM parameters are not on
 * the list: their values are written by the program from Pulumi state on every update (the VPN's
 * key material, say), so a replaced parameter is restored; the state they come from (the VPN CA's
 * key) is what the stacks protect.
 */
export const STATEFUL_TYPES: Readonly<Record<string, string>> = {
  "aws:organizations/account:Account": "account",
  "aws:kms/key:Key": "KMS key",
  "aws:s3/bucket:Bucket": "bucket",
  "aws:s3/bucketV2:BucketV2": "bucket",
  "aws:ebs/volume:Volume": "data volume",
  "aws:secretsmanager/secret:Secret": "secret",
};

export const appliesTo = Object.keys(STATEFUL_TYPES);

/**
 * What a stack policy can see of a resource's options. The engine's analyzer protocol carries
 * `protect` but not `retainOnDelete` (AnalyzerResourceOptions has no such field), so under
 * `pulumi preview --policy-pack` only `protect` counts and a resource that is retained but not
 * protected is reported. The in-process evaluation (evaluate.ts) knows both from the plan and fills
 * in `retainOnDelete`.
 */
export interface PlatformResourceOptions extends PolicyResourceOptions {
  readonly retainOnDelete?: boolean;
}

function isStateful(r: PolicyResource): boolean {
  return Object.prototype.hasOwnProperty.call(STATEFUL_TYPES, r.type);
}

export const policy: StackValidationPolicy = {
  name: "stateful-resources-protected",
  description:
    "Checks that every stateful resource (account, KMS key, S3 bucket, EBS data volume, Secrets Manager secret) " +
    "is protected or retained on delete.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateStack: (args, report) => {
    for (const r of args.resources.filter(isStateful)) {
      const opts = r.opts as PlatformResourceOptions;
      if (opts.protect || opts.retainOnDelete) continue;
      const seen =
        opts.retainOnDelete === undefined
          ? "protect is false (retainOnDelete is not visible to the engine's policy protocol)"
          : "neither protect nor retainOnDelete is set";
      report(
        `${STATEFUL_TYPES[r.type]} ${r.name}: ${seen}; a refactor or destroy would delete it. ` +
          "Set protect: true (and retainOnDelete: true).",
        r.urn,
      );
    }
  },
};
