import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface EncryptionKeyArgs {
  /** What the key protects, shown in the console and in CloudTrail. */
  readonly description: string;
  /** Alias without the `alias/` prefix. */
  readonly alias: string;
  /** Service principals (e.g. `logs.us-east-1.amazonaws.com`) allowed to use the key; default none. */
  readonly servicePrincipals?: string[];
  /** Days AWS waits before deleting the key once scheduled; default 30, the maximum. */
  readonly deletionWindowInDays?: number;
}

const KEY_USE = [
  "kms:Encrypt*",
  "kms:Decrypt*",
  "kms:ReEncrypt*",
  "kms:GenerateDataKey*",
  "kms:Describe*",
];

/**
 * Statements letting AWS services use the key for this account only. CloudWatch Logs does not
 * send aws:SourceAccount to KMS; it binds every data key to the log group's ARN in the encryption
 * context, so its statement pins that context to log groups of this account and region instead.
 */
function serviceStatements(
  principals: string[],
  account: string,
  region: string,
): Record<string, unknown>[] {
  const logs = principals.filter((p) => /^logs\.[a-z0-9-]+\.amazonaws\.com$/.test(p));
  const others = principals.filter((p) => !logs.includes(p));
  const out: Record<string, unknown>[] = [];
  if (others.length) {
    out.push({
      Sid: "ServicesEncryptInThisAccount",
      Effect: "Allow",
      Principal: { Service: others },
      Action: KEY_USE,
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": account } },
    });
  }
  if (logs.length) {
    out.push({
      Sid: "LogsEncryptLogGroupsOfThisAccount",
      Effect: "Allow",
      Principal: { Service: logs },
      Action: KEY_USE,
      Resource: "*",
      Condition: {
        ArnLike: {
          "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${region}:${account}:log-group:*`,
        },
      },
    });
  }
  return out;
}

/**
 * A customer-managed KMS key with rotation, usable by the account's IAM principals (the standard
 * root statement) and, when asked, by named AWS services. It is protected and retained: losing it
 * would make every volume, log group and bundle it encrypts unreadable.
 */
export class EncryptionKey extends pulumi.ComponentResource {
  readonly key: aws.kms.Key;
  readonly alias: aws.kms.Alias;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: EncryptionKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:security:EncryptionKey", name, {}, opts);
    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const region = aws.getRegionOutput({}, { parent: this });
    const policy = pulumi.all([identity.accountId, region.region]).apply(([account, regionName]) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "AccountAdministersKey",
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${account}:root` },
            Action: "kms:*",
            Resource: "*",
          },
          ...serviceStatements(args.servicePrincipals ?? [], account, regionName),
        ].map((s) => ({
          ...s,
          Resource: s.Resource ?? `arn:aws:kms:${regionName}:${account}:key/*`,
        })),
      }),
    );
    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: args.description,
        enableKeyRotation: true,
        deletionWindowInDays: args.deletionWindowInDays ?? 30,
        policy,
      },
      { parent: this, protect: true, retainOnDelete: true },
    );
    this.alias = new aws.kms.Alias(
      `${name}-alias`,
      { name: `alias/${args.alias}`, targetKeyId: this.key.keyId },
      { parent: this },
    );
    this.arn = this.key.arn;
    this.registerOutputs({ arn: this.arn });
  }
}
