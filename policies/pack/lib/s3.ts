import { PolicyResource } from "@pulumi/policy";
import { asList, read, UNKNOWN } from "./values";

/**
 * Buckets and the resources that configure them. Since AWS provider v4 a bucket's public access
 * block, default encryption and versioning are separate resources pointing at the bucket by name,
 * so these checks need the whole stack (stack policies) and find the companions here, once.
 */
export const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"] as const;
export const PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
export const ACCOUNT_PUBLIC_ACCESS_BLOCK =
  "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock";
export const ENCRYPTION_TYPES = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
] as const;
export const VERSIONING_TYPES = [
  "aws:s3/bucketVersioning:BucketVersioning",
  "aws:s3/bucketVersioningV2:BucketVersioningV2",
] as const;

/** Algorithms S3 accepts as default encryption. */
export const SSE_ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"] as const;

/** `bucket "name" (resource audit-bucket)`: the physical name when known, always the resource name. */
export function bucketLabel(bucket: PolicyResource): string {
  const name = read(() => bucket.props.bucket);
  return typeof name === "string"
    ? `bucket "${name}" (resource ${bucket.name})`
    : `bucket resource ${bucket.name}`;
}

export function isBucket(r: PolicyResource): boolean {
  return (BUCKET_TYPES as readonly string[]).includes(r.type);
}

/**
 * Resources of `types` that configure `bucket`. The engine records which resources each property
 * came from (`propertyDependencies.bucket`), which works even while the bucket's name is unknown
 * in a preview; without that record (an in-process plan) the `bucket` property is compared with
 * the bucket's name.
 */
export function companionsOf(
  bucket: PolicyResource,
  resources: readonly PolicyResource[],
  types: readonly string[],
): PolicyResource[] {
  const name = read(() => bucket.props.bucket);
  return resources.filter((r) => {
    if (!types.includes(r.type)) return false;
    const deps = r.propertyDependencies?.bucket;
    if (deps && deps.length > 0) return deps.some((d) => d === bucket || d.urn === bucket.urn);
    const target = read(() => r.props.bucket);
    return target !== UNKNOWN && name !== UNKNOWN && typeof name === "string" && target === name;
  });
}

const FLAGS = [
  "blockPublicAcls",
  "blockPublicPolicy",
  "ignorePublicAcls",
  "restrictPublicBuckets",
] as const;

/** The flags of a public access block that are not `true`. */
export function openFlags(block: PolicyResource): string[] {
  return FLAGS.filter((f) => read(() => block.props[f]) !== true);
}

/** An account-wide public access block in the stack, with every flag set, for the bucket's provider. */
export function accountBlockCovers(
  bucket: PolicyResource,
  resources: readonly PolicyResource[],
): boolean {
  return resources.some(
    (r) =>
      r.type === ACCOUNT_PUBLIC_ACCESS_BLOCK &&
      (r.provider?.urn ?? null) === (bucket.provider?.urn ?? null) &&
      openFlags(r).length === 0,
  );
}

/** Every `sseAlgorithm` inside an encryption configuration, however it is nested. */
export function sseAlgorithms(config: unknown): string[] {
  const out: string[] = [];
  const walk = (value: unknown, depth: number) => {
    if (depth > 6 || value === null || typeof value !== "object") return;
    for (const key of Object.keys(value as object)) {
      const v = read(() => (value as Record<string, unknown>)[key]);
      if (v === UNKNOWN) continue;
      if (key === "sseAlgorithm" && typeof v === "string") out.push(v);
      else walk(v, depth + 1);
    }
  };
  walk(
    read(() => config),
    0,
  );
  return out;
}

/** Default encryption algorithms set on the bucket itself (deprecated inline forms) or by companions. */
export function encryptionOf(
  bucket: PolicyResource,
  resources: readonly PolicyResource[],
): string[] {
  const inline = [
    ...sseAlgorithms(read(() => bucket.props.serverSideEncryptionConfiguration)),
    ...sseAlgorithms(read(() => bucket.props.serverSideEncryptionConfigurations)),
  ];
  const separate = companionsOf(bucket, resources, ENCRYPTION_TYPES).flatMap((c) =>
    sseAlgorithms(read(() => c.props.rules)),
  );
  return [...inline, ...separate];
}

/** `Enabled`, `Suspended`, `Disabled` from companions, or `Enabled` from the inline flag; none: never set. */
export function versioningOf(
  bucket: PolicyResource,
  resources: readonly PolicyResource[],
): string[] {
  const states: string[] = [];
  const inline = [
    read(() => bucket.props.versioning),
    ...asList(read(() => bucket.props.versionings)),
  ];
  for (const v of inline) {
    const enabled =
      v &&
      v !== UNKNOWN &&
      typeof v === "object" &&
      read(() => (v as Record<string, unknown>).enabled);
    if (enabled === true) states.push("Enabled");
  }
  for (const c of companionsOf(bucket, resources, VERSIONING_TYPES)) {
    const status = read(() => c.props.versioningConfiguration?.status);
    // An unknown status is an output the program chose; it cannot be judged until the update.
    states.push(status === UNKNOWN ? "unknown" : String(status));
  }
  return states;
}
