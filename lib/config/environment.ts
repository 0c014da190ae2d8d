import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ConfigError, echo, parseSection, topLevelUnknownKey } from "./errors";
import { accountKey, awsRegion } from "./primitives";
import { currentStackConfig, unknownKeys } from "./stack";
import { OrgConfig, validateOrgConfig } from "./org";
import { NetworkConfig, validateNetwork } from "./network";
import { WorkloadsConfig, validateWorkloads } from "./workloads";
import { AdoptConfig, validateAdopt } from "./retained";
import { checkTestDevicesOnly, EdgeConfig, validateEdge } from "./edge";
import { FleetDevice } from "./fleet";
import { checkInstanceTypes } from "./instance-types";
import {
  ENVIRONMENTS,
  EnvironmentName,
  ORG_STACK_FILE,
  environmentFile,
  readStackFile,
} from "../repo";

/**
 * The environment file (`Pulumi.<env>.yaml`) as one model: network, workloads and edge share the
 * file, and each program takes what it needs from the one typed object {@link loadEnvironmentConfig}
 * returns. Each section has its schema beside its own rules (network.ts, workloads.ts, edge.ts);
 * this module runs them all, with the rules that span sections or files, and reports every problem
 * of the file in one error.
 */

/** Top-level keys an environment file may hold. `platform:cost` is read by the cost model. */
export const ENV_FILE_KEYS = [
  "platform:environment",
  "platform:network",
  "platform:workloads",
  "platform:edge",
  "platform:cost",
  "platform:adopt",
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

/** Where a stack runs: what every environment program needs before creating anything. */
export interface EnvironmentContext {
  readonly name: EnvironmentName;
  /** `<project>/<stack> (Pulumi.<stack>.yaml)`, for messages. */
  readonly where: string;
  readonly section: EnvironmentSection & { account: string };
  readonly org: OrgConfig;
}

/** The whole environment file, validated: every section typed, every rule checked. */
export interface EnvironmentConfig extends EnvironmentContext {
  readonly network: NetworkConfig;
  readonly workloads: WorkloadsConfig;
  readonly edge: EdgeConfig;
  /** Every device with its tunnel address, checked against the VPN client range. */
  readonly fleet: FleetDevice[];
  /** Retained fixed-name resources that exist already and are imported (lib/config/retained.ts). */
  readonly adopt: AdoptConfig;
}

/** What the model is validated from: the stack's file, the org file and the other environments. */
export interface EnvironmentInput {
  readonly stack: string;
  readonly project: string;
  /** This stack's config. */
  readonly raw: Record<string, unknown>;
  readonly org: OrgConfig;
  /** Config of every environment file, this one included, for rules across environments. */
  readonly allEnvironments: Record<EnvironmentName, Record<string, unknown>>;
}

/**
 * The project and stack each `stackRefs` key must name: the org stack, and this environment's own
 * network and workloads stacks. Only the Pulumi organization (the first part) may differ from the
 * default: a reference to another environment's stack would make this one consume its network (and
 * sign its devices with its CA), or run against the wrong account's outputs.
 */
function expectedStackRef(key: keyof EnvironmentSection["stackRefs"], env: EnvironmentName) {
  return key === "org" ? { project: "org", stack: "management" } : { project: key, stack: env };
}

// Pulumi organization, project and stack names: letters, digits, '-', '_' and '.'.
const STACK_REF =
  /^([A-Za-z0-9][A-Za-z0-9._-]*)\/([A-Za-z0-9][A-Za-z0-9._-]*)\/([A-Za-z0-9][A-Za-z0-9._-]*)$/;

/** Refuses a stack reference override that names another environment's or project's stack. */
export function checkStackRefs(
  env: EnvironmentName,
  refs: EnvironmentSection["stackRefs"],
): string[] {
  const problems: string[] = [];
  for (const key of ["org", "network", "workloads"] as const) {
    const ref = refs[key];
    if (ref === undefined) continue;
    const { project, stack } = expectedStackRef(key, env);
    const wanted = `"<pulumiOrg>/${project}/${stack}"`;
    const m = STACK_REF.exec(ref);
    const at = `platform:environment.stackRefs.${key}: got ${echo(ref)}`;
    if (!m) problems.push(`${at}; expected a full stack name ${wanted}`);
    else if (m[2] !== project || m[3] !== stack)
      problems.push(
        `${at}; expected ${wanted}: ${env} references only ${key === "org" ? "the org stack" : `its own ${key} stack`} (project ${project}, stack ${stack}), never another environment's or project's`,
      );
  }
  return problems;
}

/**
 * Validates what all environment projects share: the account exists in the org config and is this
 * environment's, and the region is allowed there. Returns the problems found.
 */
export function validateEnvironment(
  stack: EnvironmentName,
  section: EnvironmentSection,
  org: OrgConfig,
): string[] {
  const problems: string[] = [];
  const account = section.account ?? stack;
  const accounts = org["platform:accounts"];
  if (!accounts[account]) {
    problems.push(
      `platform:environment.account: got "${account}"; expected an account defined in org/Pulumi.management.yaml (${Object.keys(accounts).join(", ")})`,
    );
  } else if (accounts[account].environment !== stack) {
    problems.push(
      `platform:environment.account: got "${account}"; that account is not marked environment: ${stack} in org/Pulumi.management.yaml`,
    );
  }
  problems.push(...checkStackRefs(stack, section.stackRefs));
  const allowed = org["platform:organization"].allowedRegions;
  if (!allowed.includes(section.region)) {
    problems.push(
      `platform:environment.region: got "${section.region}"; expected one of the organization's allowed regions (${allowed.join(", ")})`,
    );
  }
  return problems;
}

/**
 * Validates the whole environment file once: unknown keys, every section's schema, then the rules
 * across keys, sections and files (other environments' ranges, the org's accounts, regions and
 * instance-type allowlist). Every problem is collected; a rule whose inputs failed their own schema
 * is skipped, since that failure is already reported. Throws one ConfigError listing them all.
 */
export function validateEnvironmentConfig(input: EnvironmentInput): EnvironmentConfig {
  const { stack, project, raw, org } = input;
  const where = `${project}/${stack} (Pulumi.${stack}.yaml)`;
  if (!(ENVIRONMENTS as readonly string[]).includes(stack)) {
    throw new ConfigError(`${project}/${stack}`, [
      `stack name: got "${stack}"; expected one of ${ENVIRONMENTS.join(", ")} (one environment file each at the top of the repository)`,
    ]);
  }
  const name = stack as EnvironmentName;
  const problems = unknownKeys(raw, ENV_FILE_KEYS).map((k) => topLevelUnknownKey(k, ENV_FILE_KEYS));
  const env = parseSection("platform:environment", environmentSection, raw["platform:environment"]);
  const net = validateNetwork(name, raw["platform:network"], input.allEnvironments);
  const work = validateWorkloads(raw["platform:workloads"], net.value);
  const edgeChecked = validateEdge(raw["platform:edge"], net.value);
  const adopt = validateAdopt(name, env.value?.region, raw["platform:adopt"]);
  const section = env.value;
  const network = net.value;
  const workloads = work.value;
  const edge = edgeChecked.value;
  for (const checked of [env, net, work, edgeChecked, adopt]) problems.push(...checked.problems);
  if (section) problems.push(...validateEnvironment(name, section, org));
  if (section && network && workloads)
    problems.push(...checkInstanceTypes(section.account ?? name, org, network, workloads));
  if (edge) problems.push(...checkTestDevicesOnly(name, edge));

  if (problems.length || !section || !network || !workloads || !edge || !adopt.value)
    throw new ConfigError(where, problems);
  return {
    name,
    where,
    section: { ...section, account: section.account ?? name },
    org,
    network,
    workloads,
    edge,
    fleet: edgeChecked.fleet,
    adopt: adopt.value,
  };
}

/**
 * Loads the running stack's environment file, validated as a whole: its own config from Pulumi,
 * the org config and the other environment files from the repository (they sit beside each other
 * by design). Each program calls it once and takes what it needs.
 */
export function loadEnvironmentConfig(): EnvironmentConfig {
  const stack = pulumi.getStack();
  const org = validateOrgConfig(
    readStackFile(ORG_STACK_FILE),
    "org/management (read by environment stacks)",
  );
  const raw = currentStackConfig();
  const allEnvironments = {} as Record<EnvironmentName, Record<string, unknown>>;
  for (const env of ENVIRONMENTS)
    allEnvironments[env] = env === stack ? raw : readStackFile(environmentFile(env));
  return validateEnvironmentConfig({
    stack,
    project: pulumi.getProject(),
    raw,
    org,
    allEnvironments,
  });
}
