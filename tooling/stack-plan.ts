/**
 * What the offline plan produces and everything downstream reads: the planned resources and outputs
 * of one stack. The plan engine (tooling/plan) writes these; the cost model (tooling/cost), the pack
 * evaluator (tooling/pack) and the tests read them. Its own module, so readers depend on the data
 * and not on the engine, and the plan's command line may use the readers without a cycle.
 */

/** One resource as the offline plan saw it: the JSON contract of `npm run plan --json`. */
export interface PlannedResource {
  urn: string;
  type: string;
  name: string;
  id: string | null;
  parent: string | null;
  protect: boolean;
  retainOnDelete: boolean;
  /** URN of the explicit provider, if any: the plan fails resources that fall back to ambient ones. */
  provider: string | null;
  /** URNs this resource waits for: explicit `dependsOn` plus the resources its inputs came from. */
  dependencies: string[];
  /** Deploy-behaviour options as the program set them (Pulumi defaults when unset). */
  deleteBeforeReplace: boolean;
  replaceOnChanges: string[];
  ignoreChanges: string[];
  /** Physical id the resource is adopted from (`import`), or null. */
  import: string | null;
  /** State properties the engine stores as secrets (`additionalSecretOutputs`); absent in fixtures. */
  additionalSecretOutputs?: string[];
  custom: boolean;
  inputs: Record<string, any>;
  state: Record<string, any>;
}

/** One stack as the offline plan ran it. */
export interface StackPlan {
  project: string;
  stack: string;
  /** Fully qualified name downstream stacks reference it by. */
  stackName: string;
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
  /** Names of outputs Pulumi would store as secrets. */
  secretOutputs: string[];
}
