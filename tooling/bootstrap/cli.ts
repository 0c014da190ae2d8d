/**
 * npm run bootstrap [-- --region <r>] [--bucket <name>]
 *
 * Creates the Pulumi state bucket and secrets key in the management account (see bootstrap.ts),
 * then prints how to log in. Every failure ends with one sentence, never a stack trace.
 */
import { parseArgs } from "util";
import { S3Client } from "@aws-sdk/client-s3";
import { KMSClient } from "@aws-sdk/client-kms";
import { STSClient } from "@aws-sdk/client-sts";
import { bootstrap, BootstrapClients, BootstrapError } from "./bootstrap";
import { ORG_STACK_FILE, readStackFile } from "../../lib/repo";
import { validateOrgConfig } from "../../lib/config/org";

export const USAGE = `usage: npm run bootstrap [-- --region <region>] [--bucket <name>]

Creates, in the management account and idempotently:
  - a KMS key (alias/<prefix>-pulumi-state, yearly rotation) encrypting
  - a versioned S3 bucket for Pulumi state: public access blocked, TLS only, BucketOwnerEnforced
  - a KMS key for Pulumi's secrets provider (alias/<prefix>-pulumi-secrets, yearly rotation)
then prints the \`pulumi login\` line and the --secrets-provider value.

  --region   where to create them (default: platform:organization.homeRegion)
  --bucket   state bucket name (default: <prefix>-pulumi-state-<account>-<region>)
  --help     this text

Run it with credentials of the management account named by
platform:organization.managementAccountId in org/Pulumi.management.yaml.`;

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** The command without process globals, so tests drive it with mocked clients. */
export async function runBootstrap(
  argv: string[],
  io: CliIo,
  makeClients: (region: string) => BootstrapClients,
  orgConfig: () => Record<string, unknown> = () => readStackFile(ORG_STACK_FILE),
): Promise<number> {
  let values: { region?: string; bucket?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        region: { type: "string" },
        bucket: { type: "string" },
        help: { type: "boolean" },
      },
      strict: true,
    }));
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  try {
    const config = validateOrgConfig(orgConfig(), "org/management (org/Pulumi.management.yaml)");
    const org = config["platform:organization"];
    if (!org.managementAccountId) {
      io.err(
        "platform:organization.managementAccountId: got nothing; expected the 12-digit id of the management account in org/Pulumi.management.yaml (bootstrap creates state only there)",
      );
      return 1;
    }
    const region = values.region ?? org.homeRegion;
    const result = await bootstrap(makeClients(region), {
      region,
      expectedAccountId: org.managementAccountId,
      prefix: org.prefix,
      bucket: values.bucket,
    });
    io.out(`Bootstrap in account ${result.accountId}, ${region}:`);
    for (const s of result.steps) io.out(`  ${s.status.padEnd(16)}  ${s.what}`);
    const changed = result.steps.filter((s) => s.status !== "already in place").length;
    io.out(changed ? `\n${changed} change(s) made.` : "\nEverything was already in place.");
    io.out(`\nLog in to the state backend:\n  ${result.login}`);
    io.out(
      `Secrets provider of every stack (npm run deploy uses it):\n  ${result.secretsProvider}`,
    );
    return 0;
  } catch (err) {
    const e = err as Error;
    io.err(
      e instanceof BootstrapError || e.name === "ConfigError"
        ? `bootstrap failed: ${e.message}`
        : `bootstrap failed: ${e.name}: ${e.message}`,
    );
    return 1;
  }
}

if (require.main === module) {
  runBootstrap(
    process.argv.slice(2),
    { out: (l) => console.log(l), err: (l) => console.error(l) },
    (region) => ({
      s3: new S3Client({ region }),
      kms: new KMSClient({ region }),
      sts: new STSClient({ region }),
    }),
  ).then((code) => process.exit(code));
}
