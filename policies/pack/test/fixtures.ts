/**
 * Fixtures for the policy tests: planned resources shaped like the ones the offline plan records
 * (inputs, state, protect, retainOnDelete, provider URN), run through the same evaluation the plan
 * uses, which builds the validation args @pulumi/policy 1.21 passes (stackTags, notApplicable,
 * getConfig, opts, provider).
 */
import * as assert from "assert";
import type {
  PolicyPackConfig,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { PlannedResource, StackPlan } from "../../../tooling/stack-plan";
import { evaluatePolicies, Violation } from "../../../tooling/pack/evaluate";

export const PROVIDER_URN = "urn:pulumi:dev::fixture::pulumi:providers:aws::dev";

/** The default tags the environment providers set (lib/tags.ts values from the org file). */
export const DEFAULT_TAGS: Readonly<Record<string, string>> = {
  project: "openems",
  environment: "dev",
  owner: "platform-team",
  "cost-center": "energy-ops",
  "managed-by": "pulumi",
};

/** An AWS provider as the plan records it: object inputs JSON-encoded; `null` tags: no defaultTags. */
export function awsProvider(
  tags: Record<string, string> | null = { ...DEFAULT_TAGS },
  urn = PROVIDER_URN,
): PlannedResource {
  const inputs: Record<string, unknown> = { region: "us-east-1" };
  if (tags) inputs.defaultTags = JSON.stringify({ tags });
  return {
    urn,
    type: "pulumi:providers:aws",
    name: urn.split("::").pop()!,
    id: "provider-1",
    parent: null,
    protect: false,
    retainOnDelete: false,
    provider: null,
    dependencies: [],
    deleteBeforeReplace: false,
    replaceOnChanges: [],
    ignoreChanges: [],
    import: null,
    custom: true,
    inputs,
    state: inputs,
  };
}

export interface FixtureOptions {
  readonly protect?: boolean;
  readonly retainOnDelete?: boolean;
  /** Outputs; default: the inputs (what a preview knows of a new resource). */
  readonly state?: Record<string, any>;
  /** Provider URN; default the fixture provider, `null` for none. */
  readonly provider?: string | null;
  readonly parent?: string;
}

/** A planned custom resource of `type` named `name`. */
export function planned(
  type: string,
  name: string,
  inputs: Record<string, any>,
  opts: FixtureOptions = {},
): PlannedResource {
  return {
    urn: `urn:pulumi:dev::fixture::${type}::${name}`,
    type,
    name,
    id: `${name}-id`,
    parent: opts.parent ?? null,
    protect: opts.protect ?? false,
    retainOnDelete: opts.retainOnDelete ?? false,
    provider: opts.provider === undefined ? PROVIDER_URN : opts.provider,
    dependencies: [],
    deleteBeforeReplace: false,
    replaceOnChanges: [],
    ignoreChanges: [],
    import: null,
    custom: true,
    inputs,
    state: opts.state ?? inputs,
  };
}

/** A stack plan holding the fixture provider and `resources`. */
export function stackOf(
  resources: PlannedResource[],
  provider: PlannedResource | null = awsProvider(),
): StackPlan {
  return {
    project: "fixture",
    stack: "dev",
    stackName: "organization/fixture/dev",
    resources: provider ? [provider, ...resources] : resources,
    outputs: {},
    secretOutputs: [],
  };
}

type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** Violations of one policy over `resources` (plus the tagged provider). */
export function violationsOf(
  policy: AnyPolicy,
  resources: PlannedResource[],
  config?: PolicyPackConfig,
  provider?: PlannedResource | null,
): Violation[] {
  return evaluatePolicies(stackOf(resources, provider === undefined ? awsProvider() : provider), {
    policies: [policy],
    config,
  });
}

/** Asserts no violation, showing them if there are. */
export function assertClean(
  policy: AnyPolicy,
  resources: PlannedResource[],
  config?: PolicyPackConfig,
): void {
  const found = violationsOf(policy, resources, config);
  assert.deepStrictEqual(
    found.map((v) => v.message),
    [],
    `${policy.name} should pass`,
  );
}

/** Asserts exactly one violation, of this policy, on `urn`, whose message matches every pattern. */
export function assertOneViolation(
  policy: AnyPolicy,
  resources: PlannedResource[],
  urn: string | undefined,
  patterns: RegExp[],
  config?: PolicyPackConfig,
): Violation {
  const found = violationsOf(policy, resources, config);
  assert.strictEqual(
    found.length,
    1,
    `expected exactly one violation, got ${found.length}: ${JSON.stringify(
      found.map((v) => v.message),
      null,
      2,
    )}`,
  );
  const [v] = found;
  assert.strictEqual(v.policy, policy.name);
  assert.strictEqual(v.urn, urn);
  for (const p of patterns) assert.match(v.message, p);
  return v;
}

/**
 * A deep copy with `edit` applied: each rule's fixture changes one thing in the happy one. For a
 * planned resource whose outputs are its inputs, an edit of the inputs shows in the outputs too,
 * as it would in a preview.
 */
export function edited<T>(value: T, edit: (copy: any) => void): T {
  const copy = JSON.parse(JSON.stringify(value));
  const mirrored =
    copy &&
    typeof copy === "object" &&
    "inputs" in copy &&
    JSON.stringify(copy.inputs) === JSON.stringify(copy.state);
  edit(copy);
  if (mirrored) copy.state = copy.inputs;
  return copy;
}
