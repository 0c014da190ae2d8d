import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { MockOptions, PlatformMocks } from "./mocks";
import type { StackPlan } from "../stack-plan";
import { planTimeRuntime } from "./runtime";
import {
  ENVIRONMENTS,
  ORG_STACK_FILE,
  REPO_ROOT,
  encodeConfigValues,
  environmentFile,
  readStackFile,
} from "../../lib/repo";

export type { StackPlan };

export interface PlanStackOptions extends MockOptions {
  readonly project: string;
  readonly stack: string;
  readonly stackName: string;
  /** The stack's config as the stack file holds it (namespaced keys, typed values). */
  readonly config: Record<string, unknown>;
  /** Folder of the Pulumi project; default: `<repo>/<project>`. */
  readonly programDir?: string;
  /**
   * Plan under the Pulumi runtime exactly as a deployment runs it, without the plan-time settings
   * of runtime.ts (slower, more memory): tests prove those settings change nothing.
   */
  readonly stockRuntime?: boolean;
}

async function resolveDeep(value: unknown): Promise<{ value: unknown; secret: boolean }> {
  if (pulumi.Output.isInstance(value)) {
    const secret = await pulumi.isSecret(value);
    const inner = await new Promise<unknown>((resolve) => value.apply((v) => resolve(v)));
    const r = await resolveDeep(inner);
    return { value: r.value, secret: secret || r.secret };
  }
  if (value instanceof Promise) return resolveDeep(await value);
  if (pulumi.Resource.isInstance(value)) return { value: "[resource]", secret: false };
  if (Array.isArray(value)) {
    const items = await Promise.all(value.map(resolveDeep));
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (value && typeof value === "object") {
    const entries = await Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await resolveDeep(v)] as const),
    );
    return {
      value: Object.fromEntries(entries.map(([k, r]) => [k, r.value])),
      secret: entries.some(([, r]) => r.secret),
    };
  }
  return { value, secret: false };
}

/** Loads a project's program the way the Pulumi Node.js host does: a default-exported function is called. */
function loadProgram(dir: string): () => Promise<Record<string, unknown>> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a computed path, loaded as the Pulumi host loads it
  const mod = require(path.join(dir, "index.ts"));
  const main = typeof mod === "function" ? mod : mod?.default;
  if (typeof main !== "function")
    throw new Error(`${dir}/index.ts must export a function (export = async () => {...})`);
  return main;
}

/**
 * Runs one project's real program in-process under the platform mocks and returns what it would
 * create. The program is the same entry point `pulumi up` runs; only the engine is replaced.
 */
export async function planStack(opts: PlanStackOptions): Promise<StackPlan> {
  // The runtime's diagnostics for live deployments cost a 1,000-device plan minutes and GiB; they
  // are switched off meanwhile (see runtime.ts).
  const restore = opts.stockRuntime ? () => {} : planTimeRuntime();
  // A resource whose inputs fail to resolve (a renderer refusing its input inside an apply) is a
  // rejected registration nobody awaits; the Pulumi host fails the program on it, and so does the plan.
  const rejected: unknown[] = [];
  const onRejection = (reason: unknown) => rejected.push(reason);
  process.on("unhandledRejection", onRejection);
  try {
    return await planWithMocks(opts, rejected);
  } finally {
    process.off("unhandledRejection", onRejection);
    restore();
  }
}

async function planWithMocks(
  opts: PlanStackOptions,
  rejected: readonly unknown[],
): Promise<StackPlan> {
  const mocks = new PlatformMocks(opts);
  await pulumi.runtime.setMocks(mocks, opts.project, opts.stack, false);
  mocks.attach();
  pulumi.runtime.setAllConfig(encodeConfigValues(opts.config));
  const main = loadProgram(opts.programDir ?? path.join(REPO_ROOT, opts.project));
  let exported: Record<string, unknown>;
  try {
    exported = (await main()) ?? {};
  } catch (err) {
    // Tests prove that bad input stops a program before anything is registered.
    throw Object.assign(err as Error, { plannedResources: mocks.resources });
  }
  const outputs: Record<string, unknown> = {};
  const secretOutputs: string[] = [];
  for (const [k, v] of Object.entries(exported)) {
    const r = await resolveDeep(v);
    outputs[k] = r.value;
    if (r.secret) secretOutputs.push(k);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- waitForRPCs is exported by runtime/settings.js but not declared in its typings
  await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
  // Unhandled rejections are reported after the microtask queue drains: give them one turn.
  await new Promise((resolve) => setImmediate(resolve));
  if (rejected.length) {
    const reason = rejected[0];
    const err = reason instanceof Error ? reason : new Error(String(reason));
    throw Object.assign(err, { plannedResources: mocks.resources });
  }
  const ambient = mocks.resources.filter(
    (r) => r.custom && !r.type.startsWith("pulumi:") && !r.provider,
  );
  if (ambient.length) {
    throw new Error(
      `${opts.project}/${opts.stack}: resources without an explicit provider would use ambient credentials: ${ambient.map((r) => `${r.type} ${r.name}`).join(", ")}`,
    );
  }
  return {
    project: opts.project,
    stack: opts.stack,
    stackName: opts.stackName,
    resources: mocks.resources,
    outputs,
    secretOutputs,
  };
}

export interface PlanAllOptions {
  /** Limit to org plus these environments; default all. */
  readonly environments?: readonly string[];
  /** Config per stack file, to plan a fixture instead of the repository's files. */
  readonly configOverride?: (
    project: string,
    stack: string,
    config: Record<string, unknown>,
  ) => Record<string, unknown>;
  /** Called after each stack, for progress output. */
  readonly onStack?: (plan: StackPlan) => void;
  /** See {@link PlanStackOptions.stockRuntime}. */
  readonly stockRuntime?: boolean;
}

export const ENV_PROJECTS = ["network", "workloads", "edge"] as const;

/**
 * Plans org, then network, workloads and edge for each environment, answering every stack
 * reference from the upstream stack's planned outputs.
 */
export async function planAll(opts: PlanAllOptions = {}): Promise<StackPlan[]> {
  const envs = opts.environments ?? ENVIRONMENTS;
  const unknown = envs.filter((e) => !(ENVIRONMENTS as readonly string[]).includes(e));
  if (unknown.length)
    throw new Error(
      `unknown environment(s) ${unknown.join(", ")}; expected ${ENVIRONMENTS.join(", ")}`,
    );
  const override = opts.configOverride ?? ((_p, _s, c) => c);
  const orgConfig = override("org", "management", readStackFile(ORG_STACK_FILE));
  const org = (orgConfig["platform:organization"] ?? {}) as {
    pulumiOrg?: string;
    managementAccountId?: string;
    homeRegion?: string;
  };
  const pulumiOrg = org.pulumiOrg ?? "organization";
  const stackOutputs = new Map<string, Record<string, unknown>>();
  const stackSecretOutputs = new Map<string, readonly string[]>();
  const plans: StackPlan[] = [];
  const run = async (project: string, stack: string, config: Record<string, unknown>) => {
    const stackName = `${pulumiOrg}/${project}/${stack}`;
    const plan = await planStack({
      project,
      stack,
      stackName,
      config,
      stackOutputs,
      stackSecretOutputs,
      defaultAccountId: org.managementAccountId,
      defaultRegion: org.homeRegion,
      stockRuntime: opts.stockRuntime,
    });
    stackOutputs.set(stackName, plan.outputs);
    stackSecretOutputs.set(stackName, plan.secretOutputs);
    plans.push(plan);
    opts.onStack?.(plan);
  };
  await run("org", "management", orgConfig);
  for (const env of envs) {
    const config = readStackFile(environmentFile(env));
    for (const project of ENV_PROJECTS) await run(project, env, override(project, env, config));
  }
  return plans;
}
