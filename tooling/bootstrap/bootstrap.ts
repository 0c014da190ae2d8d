/**
 * Creates, idempotently, what Pulumi needs before the first stack exists, in the management account:
 * a state bucket (S3 self-managed backend) and a KMS key for Pulumi's secrets provider. Every step
 * reads first and writes only what differs, so a second run reports "already in place" throughout.
 *
 * Formats: `pulumi login s3://<bucket>?region=<region>&awssdk=v2` and
 * `--secrets-provider awskms://alias/<name>?region=<region>`
 * (https://www.pulumi.com/docs/iac/concepts/state-and-backends/ and
 * https://www.pulumi.com/docs/iac/concepts/secrets/).
 */
import {
  CreateBucketCommand,
  type CreateBucketCommandInput,
  GetBucketEncryptionCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  GetKeyRotationStatusCommand,
  type KMSClient,
} from "@aws-sdk/client-kms";
import { GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";

export interface BootstrapClients {
  readonly s3: S3Client;
  readonly kms: KMSClient;
  readonly sts: STSClient;
}

export interface BootstrapOptions {
  readonly region: string;
  /** platform:organization.managementAccountId: nothing is created in any other account. */
  readonly expectedAccountId: string;
  /** platform:organization.prefix: names the bucket and the key aliases. */
  readonly prefix: string;
  /** Bucket name override; default `<prefix>-pulumi-state-<account>-<region>`. */
  readonly bucket?: string;
}

export type StepStatus = "created" | "updated" | "already in place";
export interface Step {
  readonly what: string;
  readonly status: StepStatus;
}

export interface BootstrapResult {
  readonly accountId: string;
  readonly bucket: string;
  readonly stateKeyArn: string;
  readonly secretsKeyArn: string;
  readonly steps: Step[];
  /** The line to run before any stack command. */
  readonly login: string;
  /** The value of `--secrets-provider` (and of `npm run deploy`'s secrets provider). */
  readonly secretsProvider: string;
}

/** An expected failure, told in one sentence with what to do; the CLI prints it without a trace. */
export class BootstrapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BootstrapError";
  }
}

export function defaultBucketName(prefix: string, accountId: string, region: string): string {
  return `${prefix}-pulumi-state-${accountId}-${region}`;
}
export function secretsKeyAlias(prefix: string): string {
  return `alias/${prefix}-pulumi-secrets`;
}
export function stateKeyAlias(prefix: string): string {
  return `alias/${prefix}-pulumi-state`;
}
export function loginUrl(bucket: string, region: string): string {
  return `s3://${bucket}?region=${region}&awssdk=v2`;
}
export function secretsProviderUrl(prefix: string, region: string): string {
  return `awskms://${secretsKeyAlias(prefix)}?region=${region}`;
}

/** Denies every request to the bucket that does not use TLS. */
export function tlsOnlyPolicy(bucket: string): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}

const PUBLIC_ACCESS_BLOCK = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

function errName(err: unknown): string {
  return (err as { name?: string })?.name ?? "";
}
function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/** Turns what AWS or the SDK threw into a sentence an admin can act on. */
export function explain(err: unknown, doing: string): Error {
  if (err instanceof BootstrapError) return err;
  const name = errName(err);
  const message = (err as Error)?.message ?? String(err);
  if (name === "CredentialsProviderError" || /Could not load credentials/i.test(message))
    return new BootstrapError(
      `no AWS credentials found while ${doing}: sign in to the management account (for example \`aws sso login --profile <profile>\` and AWS_PROFILE=<profile>) and run again`,
    );
  if (/ExpiredToken|TokenRefreshRequired/.test(name) || /token.*expired/i.test(message))
    return new BootstrapError(
      `the AWS credentials have expired while ${doing}: sign in again and rerun`,
    );
  if (name === "AccessDenied" || name === "AccessDeniedException" || httpStatus(err) === 403)
    return new BootstrapError(
      `access denied while ${doing}: use an administrator of the management account (${message})`,
    );
  return new BootstrapError(`${doing} failed: ${name || "error"}: ${message}`);
}

async function step<T>(doing: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw explain(err, doing);
  }
}

/** A key found by alias, or a new one with rotation; reports what it did. */
async function ensureKey(
  kms: KMSClient,
  alias: string,
  description: string,
  steps: Step[],
): Promise<string> {
  let arn: string | undefined;
  try {
    const found = await kms.send(new DescribeKeyCommand({ KeyId: alias }));
    const meta = found.KeyMetadata!;
    if (meta.KeyState === "PendingDeletion" || meta.KeyState === "Disabled")
      throw new BootstrapError(
        `KMS key ${alias} (${meta.Arn}) is ${meta.KeyState}: cancel its deletion or enable it (aws kms cancel-key-deletion / enable-key), then rerun`,
      );
    arn = meta.Arn!;
    steps.push({ what: `KMS key ${alias}`, status: "already in place" });
  } catch (err) {
    if (err instanceof BootstrapError) throw err;
    if (errName(err) !== "NotFoundException") throw explain(err, `looking up KMS key ${alias}`);
  }
  if (!arn) {
    const created = await step(`creating KMS key ${alias}`, () =>
      kms.send(
        new CreateKeyCommand({
          Description: description,
          KeyUsage: "ENCRYPT_DECRYPT",
          KeySpec: "SYMMETRIC_DEFAULT",
          Tags: [{ TagKey: "managed-by", TagValue: "platform-bootstrap" }],
        }),
      ),
    );
    arn = created.KeyMetadata!.Arn!;
    await step(`naming KMS key ${alias}`, () =>
      kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: arn })),
    );
    steps.push({ what: `KMS key ${alias}`, status: "created" });
  }
  const rotation = await step(`reading rotation of ${alias}`, () =>
    kms.send(new GetKeyRotationStatusCommand({ KeyId: arn })),
  );
  if (rotation.KeyRotationEnabled) {
    steps.push({ what: `yearly rotation of ${alias}`, status: "already in place" });
  } else {
    await step(`enabling rotation of ${alias}`, () =>
      kms.send(new EnableKeyRotationCommand({ KeyId: arn })),
    );
    steps.push({ what: `yearly rotation of ${alias}`, status: "updated" });
  }
  return arn;
}

/** Ours already (HeadBucket with ExpectedBucketOwner), someone else's, or free to create. */
async function ensureBucket(
  s3: S3Client,
  bucket: string,
  accountId: string,
  region: string,
  steps: Step[],
): Promise<void> {
  const taken = () =>
    new BootstrapError(
      `bucket name ${bucket} is already taken by another AWS account (S3 names are global): choose another with --bucket <name>`,
    );
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket, ExpectedBucketOwner: accountId }));
    steps.push({ what: `state bucket ${bucket}`, status: "already in place" });
    return;
  } catch (err) {
    const status = httpStatus(err);
    if (status === 403) throw taken();
    if (status === 301)
      throw new BootstrapError(
        `bucket ${bucket} exists in a region other than ${region}: rerun with --region <its region> or choose another with --bucket <name>`,
      );
    if (status !== 404 && errName(err) !== "NotFound")
      throw explain(err, `checking bucket ${bucket}`);
  }
  // us-east-1 is the one region whose CreateBucket takes no LocationConstraint (it rejects
  // "us-east-1" as one); there, creating a bucket one already owns also succeeds silently.
  const input: CreateBucketCommandInput = {
    Bucket: bucket,
    ObjectOwnership: "BucketOwnerEnforced",
    ...(region === "us-east-1"
      ? {}
      : { CreateBucketConfiguration: { LocationConstraint: region as any } }),
  };
  try {
    await s3.send(new CreateBucketCommand(input));
    steps.push({ what: `state bucket ${bucket}`, status: "created" });
  } catch (err) {
    if (errName(err) === "BucketAlreadyOwnedByYou") {
      steps.push({ what: `state bucket ${bucket}`, status: "already in place" });
      return;
    }
    if (errName(err) === "BucketAlreadyExists") throw taken();
    throw explain(err, `creating bucket ${bucket}`);
  }
}

/** Reads a bucket setting; `missing` names the error S3 answers when it was never set. */
async function readSetting<T>(
  what: string,
  missing: string[],
  read: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (missing.includes(errName(err))) return undefined;
    throw explain(err, `reading ${what}`);
  }
}

async function converge(
  steps: Step[],
  what: string,
  inPlace: boolean,
  write: () => Promise<unknown>,
): Promise<void> {
  if (inPlace) {
    steps.push({ what, status: "already in place" });
    return;
  }
  await step(`setting ${what}`, write);
  steps.push({ what, status: "updated" });
}

function sameJson(a: unknown, b: unknown): boolean {
  const norm = (v: unknown): string =>
    JSON.stringify(v, (_k, x) =>
      x && typeof x === "object" && !Array.isArray(x)
        ? Object.fromEntries(Object.entries(x).sort(([p], [q]) => (p < q ? -1 : 1)))
        : x,
    );
  return norm(a) === norm(b);
}

export async function bootstrap(
  clients: BootstrapClients,
  opts: BootstrapOptions,
): Promise<BootstrapResult> {
  const identity = await step("reading the caller identity (sts:GetCallerIdentity)", () =>
    clients.sts.send(new GetCallerIdentityCommand({})),
  );
  const accountId = identity.Account ?? "";
  if (accountId !== opts.expectedAccountId)
    throw new BootstrapError(
      `the credentials are of account ${accountId} (${identity.Arn}); expected the management account ${opts.expectedAccountId} (platform:organization.managementAccountId in org/Pulumi.management.yaml): sign in to that account and rerun`,
    );
  const { s3, kms } = clients;
  const region = opts.region;
  const bucket = opts.bucket ?? defaultBucketName(opts.prefix, accountId, region);
  const steps: Step[] = [];

  // The name is checked (and taken) first, so a name someone else owns leaves nothing behind.
  await ensureBucket(s3, bucket, accountId, region, steps);
  const stateKeyArn = await ensureKey(
    kms,
    stateKeyAlias(opts.prefix),
    "Encrypts the Pulumi state bucket",
    steps,
  );
  const secretsKeyArn = await ensureKey(
    kms,
    secretsKeyAlias(opts.prefix),
    "Pulumi secrets provider of the platform's stacks",
    steps,
  );

  const ownership = await readSetting("object ownership", ["OwnershipControlsNotFoundError"], () =>
    s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket })),
  );
  await converge(
    steps,
    "object ownership BucketOwnerEnforced (no ACLs)",
    ownership?.OwnershipControls?.Rules?.[0]?.ObjectOwnership === "BucketOwnerEnforced",
    () =>
      s3.send(
        new PutBucketOwnershipControlsCommand({
          Bucket: bucket,
          OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] },
        }),
      ),
  );

  const pab = await readSetting(
    "public access block",
    ["NoSuchPublicAccessBlockConfiguration"],
    () => s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })),
  );
  await converge(
    steps,
    "public access block (all four settings)",
    sameJson(pab?.PublicAccessBlockConfiguration, PUBLIC_ACCESS_BLOCK),
    () =>
      s3.send(
        new PutPublicAccessBlockCommand({
          Bucket: bucket,
          PublicAccessBlockConfiguration: PUBLIC_ACCESS_BLOCK,
        }),
      ),
  );

  const versioning = await readSetting("versioning", [], () =>
    s3.send(new GetBucketVersioningCommand({ Bucket: bucket })),
  );
  await converge(steps, "versioning", versioning?.Status === "Enabled", () =>
    s3.send(
      new PutBucketVersioningCommand({
        Bucket: bucket,
        VersioningConfiguration: { Status: "Enabled" },
      }),
    ),
  );

  const encryption = await readSetting(
    "default encryption",
    ["ServerSideEncryptionConfigurationNotFoundError"],
    () => s3.send(new GetBucketEncryptionCommand({ Bucket: bucket })),
  );
  const rule = encryption?.ServerSideEncryptionConfiguration?.Rules?.[0];
  await converge(
    steps,
    `default encryption with ${stateKeyAlias(opts.prefix)}`,
    rule?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm === "aws:kms" &&
      rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID === stateKeyArn &&
      rule.BucketKeyEnabled === true,
    () =>
      s3.send(
        new PutBucketEncryptionCommand({
          Bucket: bucket,
          ServerSideEncryptionConfiguration: {
            Rules: [
              {
                ApplyServerSideEncryptionByDefault: {
                  SSEAlgorithm: "aws:kms",
                  KMSMasterKeyID: stateKeyArn,
                },
                BucketKeyEnabled: true,
              },
            ],
          },
        }),
      ),
  );

  const policy = await readSetting("bucket policy", ["NoSuchBucketPolicy"], () =>
    s3.send(new GetBucketPolicyCommand({ Bucket: bucket })),
  );
  const desired = tlsOnlyPolicy(bucket);
  let current: unknown;
  try {
    current = policy?.Policy ? JSON.parse(policy.Policy) : undefined;
  } catch {
    current = undefined;
  }
  await converge(steps, "TLS-only bucket policy", sameJson(current, desired), () =>
    s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(desired) })),
  );

  return {
    accountId,
    bucket,
    stateKeyArn,
    secretsKeyArn,
    steps,
    login: `pulumi login '${loginUrl(bucket, region)}'`,
    secretsProvider: secretsProviderUrl(opts.prefix, region),
  };
}
