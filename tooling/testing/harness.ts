import * as assert from "assert";
import { PlannedResource } from "../plan/mocks";
import { planAll, planStack, StackPlan } from "../plan/run";
import { environmentFile, ORG_STACK_FILE, readStackFile } from "../../lib/repo";

/** The mutant Stryker has switched on in this process, if any (`undefined` outside Stryker). */
function activeMutant(): unknown {
  return (globalThis as { __stryker__?: { activeMutant?: unknown } }).__stryker__?.activeMutant;
}

type PlansBy = Map<string, Promise<StackPlan[]>>;
/** Plans with no mutant active (the plain suite, Stryker's dry run), kept for the whole run. */
const unmutated: PlansBy = new Map();
/** Plans under the active mutant; dropped when Stryker switches to another. */
let mutated: { readonly mutant: unknown; readonly plans: PlansBy } | undefined;

function plansNow(): PlansBy {
  const mutant = activeMutant();
  if (mutant === undefined) return unmutated;
  if (mutated?.mutant !== mutant) mutated = { mutant, plans: new Map() };
  return mutated.plans;
}

/** Plans of `environments` (all when undefined) computed under the active mutant, at most once. */
function plansUnderMutant(environments?: readonly string[]): Promise<StackPlan[]> {
  const plans = plansNow();
  const key = environments ? environments.join(",") : "*";
  let found = plans.get(key);
  if (!found) {
    found = planAll(environments ? { environments } : {});
    plans.set(key, found);
  }
  return found;
}

/**
 * The plan of every stack with the repository's own files, computed once per test run. Under
 * Stryker one mocha process tests mutant after mutant (switched by `__stryker__.activeMutant`): a
 * plan computed under another mutant would hide this one, so the plan is computed again for each.
 */
export function repositoryPlan(): Promise<StackPlan[]> {
  return plansUnderMutant();
}

export async function stackOf(project: string, stack: string): Promise<StackPlan> {
  // Under a mutant, a test of one stack plans only that stack's chain (the org stack, and its
  // environment's stacks), which plan exactly as they do in the whole plan: the org stack first,
  // then each environment's stacks in order, each reading only the org's and its own outputs.
  const now = plansNow();
  const plans =
    activeMutant() === undefined || now.has("*")
      ? await repositoryPlan()
      : project === "org" && now.size > 0
        ? await [...now.values()][0]
        : await plansUnderMutant(project === "org" ? [] : [stack]);
  const plan = plans.find((p) => p.project === project && p.stack === stack);
  assert.ok(plan, `no plan for ${project}/${stack}`);
  return plan;
}

/** Planned outputs by stack name, to answer stack references when one stack is planned alone. */
export async function upstreamOutputs(): Promise<Map<string, Record<string, unknown>>> {
  return new Map((await repositoryPlan()).map((p) => [p.stackName, p.outputs]));
}

export function byType(plan: StackPlan, type: string): PlannedResource[] {
  return plan.resources.filter((r) => r.type === type);
}

export function one(plan: StackPlan, type: string, name?: string): PlannedResource {
  const found = byType(plan, type).filter((r) => name === undefined || r.name === name);
  assert.strictEqual(
    found.length,
    1,
    `expected one ${type}${name ? ` named ${name}` : ""}, found ${found.map((r) => r.name).join(", ") || "none"}`,
  );
  return found[0];
}

export function repositoryConfig(project: string, stack: string): Record<string, unknown> {
  return readStackFile(project === "org" ? ORG_STACK_FILE : environmentFile(stack));
}

/** A deep copy of the stack's config with `edit` applied, for table-driven bad-input tests. */
export function editedConfig(
  project: string,
  stack: string,
  edit: (c: any) => void,
): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(repositoryConfig(project, stack)));
  edit(copy);
  return copy;
}

/** Plans one stack; resolves to the thrown error and what was registered before it. */
export async function planExpectingError(
  project: string,
  stack: string,
  config: Record<string, unknown>,
  stackOutputs?: Map<string, Record<string, unknown>>,
) {
  try {
    await planStack({
      project,
      stack,
      stackName: `organization/${project}/${stack}`,
      config,
      stackOutputs: stackOutputs ?? (await upstreamOutputs()),
    });
  } catch (err) {
    return {
      message: (err as Error).message,
      registered: ((err as any).plannedResources ?? []) as PlannedResource[],
    };
  }
  throw new Error(`${project}/${stack} planned without error`);
}

export function planOne(
  project: string,
  stack: string,
  config: Record<string, unknown>,
  stackOutputs: Map<string, Record<string, unknown>>,
  stackSecretOutputs?: Map<string, readonly string[]>,
) {
  return planStack({
    project,
    stack,
    stackName: `organization/${project}/${stack}`,
    config,
    stackOutputs,
    stackSecretOutputs,
  });
}

/** How the engine receives a secret input: Pulumi's secret signature beside the value. */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** Unwraps a planned secret input, failing (with `what`) when the value is not a Pulumi secret. */
export function secretValue(v: any, what = "the value"): string {
  assert.ok(
    v && typeof v === "object" && v[SECRET_SIG_KEY] === SECRET_SIG_VALUE,
    `${what} is a Pulumi secret`,
  );
  return v.value;
}
