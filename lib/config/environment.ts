import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ConfigError, describeIssues } from "./errors";
import { accountKey, awsRegion } from "./primitives";
import { currentStackConfig, unknownKeys } from "./stack";
import { OrgConfig, validateOrgConfig } from "./org";
import {
  ENVIRONMENTS,
  EnvironmentName,
  ORG_STACK_FILE,
  environmentFile,
  readStackFile,
} from "../repo";

/**
 * Keys an environment file may hold. network, workloads and edge share the file, so each project
 * validates its own section but must know every other section's name to catch typos.
 */
export const ENV_FILE_KEYS = [
  "platform:environment",
  "platform:network",
  "platform:workloads",
  "platform:edge",
  "platform:cost",
] as const;

export const environmentSection = z.strictObject({
  /** Key of the member account in org/Pulumi.management.yaml; default: the environment name. */
  account: accountKey.optional(),
  /** Region of every resource of the environment; must be one of the organization's allowed regions. */
  region: awsRegion,
  /** Full stack reference names, only when they differ from `<pulumiOrg>/<project>/<stack>`. */
  stackRefs: z
    .strictObject({
      org: z.string().optional(),
      network: z.string().optional(),
      workloads: z.string().optional(),
    })
    .default({}),
});
export type EnvironmentSection = z.output<typeof environmentSection>;

/** What every environment project knows about where it runs, before creating anything. */
export interface EnvironmentContext {
  readonly name: EnvironmentName;
  /** `<project>/<stack>`, for messages. */
  readonly where: string;
  readonly section: EnvironmentSection & { account: string };
  readonly org: OrgConfig;
  /** Raw config of every environment file, this one included, for rules across environments. */
  readonly allEnvironments: Record<EnvironmentName, Record<string, unknown>>;
  /** This stack's raw config. */
  readonly raw: Record<string, unknown>;
}

/**
 * Validates what all environment projects share: the stack is a known environment, no unknown
 * keys, the account exists in the org config and the region is allowed there.
 */
export function validateEnvironment(
  stack: string,
  project: string,
  raw: Record<string, unknown>,
  org: OrgConfig,
  allEnvironments: Record<EnvironmentName, Record<string, unknown>>,
): EnvironmentContext {
  const where = `${project}/${stack}`;
  if (!(ENVIRONMENTS as readonly string[]).includes(stack)) {
    throw new ConfigError(where, [
      `stack name: got "${stack}"; expected one of ${ENVIRONMENTS.join(", ")} (one environment file each at the top of the repository)`,
    ]);
  }
  const problems = unknownKeys(raw, ENV_FILE_KEYS).map(
    (k) => `${k}: unknown key (allowed keys: ${ENV_FILE_KEYS.join(", ")})`,
  );
  const parsed = environmentSection.safeParse(raw["platform:environment"]);
  if (!parsed.success)
    problems.push(
      ...describeIssues(
        "platform:environment",
        environmentSection,
        raw["platform:environment"],
        parsed.error.issues,
      ),
    );
  if (problems.length) throw new ConfigError(where, problems);
  const section = { ...parsed.data!, account: parsed.data!.account ?? stack };
  const orgProblems: string[] = [];
  const accounts = org["platform:accounts"];
  if (!accounts[section.account]) {
    orgProblems.push(
      `platform:environment.account: got "${section.account}"; expected an account defined in org/Pulumi.management.yaml (${Object.keys(accounts).join(", ")})`,
    );
  } else if (accounts[section.account].environment !== stack) {
    orgProblems.push(
      `platform:environment.account: got "${section.account}"; that account is not marked environment: ${stack} in org/Pulumi.management.yaml`,
    );
  }
  const allowed = org["platform:organization"].allowedRegions;
  if (!allowed.includes(section.region)) {
    orgProblems.push(
      `platform:environment.region: got "${section.region}"; expected one of the organization's allowed regions (${allowed.join(", ")})`,
    );
  }
  if (orgProblems.length) throw new ConfigError(where, orgProblems);
  return { name: stack as EnvironmentName, where, section, org, allEnvironments, raw };
}

/**
 * Loads the running stack's context: its own config from Pulumi, the org config and the other
 * environment files from the repository (they sit beside each other by design).
 */
export function loadEnvironmentContext(): EnvironmentContext {
  const stack = pulumi.getStack();
  const org = validateOrgConfig(
    readStackFile(ORG_STACK_FILE),
    "org/management (read by environment stacks)",
  );
  const raw = currentStackConfig();
  const all = {} as Record<EnvironmentName, Record<string, unknown>>;
  for (const env of ENVIRONMENTS)
    all[env] = env === stack ? raw : readStackFile(environmentFile(env));
  return validateEnvironment(stack, pulumi.getProject(), raw, org, all);
}

/** Parses one project's section of the environment file with its schema; throws a ConfigError. */
export function parseSection<T extends z.ZodType>(
  ctx: EnvironmentContext,
  key: string,
  schema: T,
): z.output<T> {
  const value = ctx.raw[key];
  const r = schema.safeParse(value);
  if (!r.success)
    throw new ConfigError(ctx.where, describeIssues(key, schema, value, r.error.issues));
  return r.data;
}
