import { z } from "zod";
import { Checked, parseSection } from "./errors";

/**
 * Resources the environment stacks keep on delete (`retainOnDelete`) under a fixed physical name:
 * log groups that hold evidence and secrets whose values must survive. Because they outlive the
 * stack, creating them again (after a destroy, a rename without an alias, or a new stack) fails:
 * CreateLogGroup with ResourceAlreadyExistsException
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html),
 * CreateSecret with ResourceExistsException, and a deleted secret's name stays taken for its
 * recovery window, up to 30 days (RecoveryWindowInDays,
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html).
 * The path that works is to adopt them: list them under `platform:adopt` and the stack imports them.
 */
export const RETAINED_NAMES = {
  logGroups: (env: string) => [
    `/openems/${env}-flow-logs`,
    `/openems/${env}/backend`,
    `/aws/lambda/openems-${env}-mbe-proxy`,
  ],
  secrets: (env: string) => [`openems/${env}/backend-host`, `openems/${env}/mbe-proxy-b2b`],
} as const;

/** A secret's ARN: the name plus the six characters Secrets Manager appends. */
const SECRET_ARN =
  /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:(.+)-[A-Za-z0-9]{6}$/;

export const adoptSection = z
  .strictObject({
    /** Retained log groups that already exist: imported by name. */
    logGroups: z.array(z.string()).default([]),
    /** Retained secrets that already exist, by name: their ARN (console or `aws secretsmanager describe-secret`). */
    secrets: z.record(z.string(), z.string()).default({}),
  })
  .default({ logGroups: [], secrets: {} });
export type AdoptConfig = z.output<typeof adoptSection>;

/** Refuses names the stack does not keep, and ARNs of another name or region. */
export function validateAdopt(
  env: string,
  region: string | undefined,
  value: unknown,
): Checked<AdoptConfig> {
  const parsed = parseSection("platform:adopt", adoptSection, value);
  if (!parsed.value) return parsed;
  const problems: string[] = [];
  const logGroups = RETAINED_NAMES.logGroups(env);
  parsed.value.logGroups.forEach((name, i) => {
    if (!logGroups.includes(name))
      problems.push(
        `platform:adopt.logGroups[${i}]: got "${name}"; expected a log group the stack keeps: ${logGroups.join(", ")}`,
      );
  });
  const secrets = RETAINED_NAMES.secrets(env);
  for (const [name, arn] of Object.entries(parsed.value.secrets)) {
    const at = `platform:adopt.secrets.${name}`;
    const m = SECRET_ARN.exec(arn);
    if (!secrets.includes(name))
      problems.push(`${at}: unknown secret; expected one the stack keeps: ${secrets.join(", ")}`);
    else if (!m || m[3] !== name)
      problems.push(
        `${at}: got "${arn}"; expected the secret's ARN, arn:aws:secretsmanager:<region>:<account>:secret:${name}-XXXXXX`,
      );
    else if (region && m[1] !== region)
      problems.push(
        `${at}: got "${arn}"; expected a secret in ${region} (platform:environment.region)`,
      );
  }
  return { value: parsed.value, problems };
}

/**
 * The options of a retained fixed-name resource: kept on delete, and imported when `platform:adopt`
 * lists it (log groups import by name, secrets by ARN).
 */
export function retainedOptions(
  adopt: AdoptConfig,
  kind: "logGroups" | "secrets",
  name: string,
): { retainOnDelete: true; import?: string } {
  const id =
    kind === "logGroups"
      ? adopt.logGroups.includes(name)
        ? name
        : undefined
      : adopt.secrets[name];
  return id ? { retainOnDelete: true, import: id } : { retainOnDelete: true };
}
