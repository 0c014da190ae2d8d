/**
 * Hand-made planned resources and stack plans, shaped like the ones the offline plan records
 * (inputs, state, protect, retainOnDelete, provider URN), for tests of what reads a plan: the
 * policy pack and its evaluator, the cost model.
 */
import type { PlannedResource, StackPlan } from "../stack-plan";

export const PROVIDER_URN = "urn:pulumi:dev::fixture::pulumi:providers:aws::dev";

/** The account the fixture provider is pinned to (`allowedAccountIds`). */
export const FIXTURE_ACCOUNT_ID = "222222222222";

/** The default tags the environment providers set (lib/tags.ts values from the org file). */
export const DEFAULT_TAGS: Readonly<Record<string, string>> = {
  project: "openems",
  environment: "dev",
  owner: "platform-team",
  "cost-center": "energy-ops",
  "managed-by": "pulumi",
};

export interface ProviderOptions {
  readonly region?: string;
  readonly accountId?: string;
  /** Default tags; `null`: no defaultTags. */
  readonly tags?: Record<string, string> | null;
  readonly urn?: string;
}

/** An AWS provider as the plan records it: object inputs JSON-encoded, outputs equal to inputs. */
export function awsProvider(opts: ProviderOptions = {}): PlannedResource {
  const urn = opts.urn ?? PROVIDER_URN;
  const tags = opts.tags === undefined ? { ...DEFAULT_TAGS } : opts.tags;
  const inputs: Record<string, unknown> = {
    region: opts.region ?? "us-east-1",
    allowedAccountIds: JSON.stringify([opts.accountId ?? FIXTURE_ACCOUNT_ID]),
  };
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

export interface PlannedOptions {
  readonly protect?: boolean;
  readonly retainOnDelete?: boolean;
  /** Outputs; default: the inputs (what a preview knows of a new resource). */
  readonly state?: Record<string, any>;
  /** Provider URN; default the fixture provider, `null` for none. */
  readonly provider?: string | null;
  readonly parent?: string | null;
  /** false for a component resource. */
  readonly custom?: boolean;
  /** Physical id; default `<name>-id`, `null` for none (components). */
  readonly id?: string | null;
  /** URNs the resource waits for; default none. */
  readonly dependencies?: string[];
  readonly deleteBeforeReplace?: boolean;
  readonly replaceOnChanges?: string[];
  readonly ignoreChanges?: string[];
  /** The `import` option: the id of an adopted resource; default none. */
  readonly import?: string | null;
}

/** A planned resource of `type` named `name`. */
export function planned(
  type: string,
  name: string,
  inputs: Record<string, any> = {},
  opts: PlannedOptions = {},
): PlannedResource {
  return {
    urn: `urn:pulumi:dev::fixture::${type}::${name}`,
    type,
    name,
    id: opts.id === undefined ? `${name}-id` : opts.id,
    parent: opts.parent ?? null,
    protect: opts.protect ?? false,
    retainOnDelete: opts.retainOnDelete ?? false,
    provider: opts.provider === undefined ? PROVIDER_URN : opts.provider,
    dependencies: opts.dependencies ?? [],
    deleteBeforeReplace: opts.deleteBeforeReplace ?? false,
    replaceOnChanges: opts.replaceOnChanges ?? [],
    ignoreChanges: opts.ignoreChanges ?? [],
    import: opts.import ?? null,
    custom: opts.custom ?? true,
    inputs,
    state: opts.state ?? inputs,
  };
}

/** An ARN in the fixture account, for outputs other resources refer to. */
export function fixtureArn(name: string, region = "us-east-1"): string {
  return `arn:aws:fixture:${region}:${FIXTURE_ACCOUNT_ID}:${name}`;
}

export interface PlanOptions {
  readonly project?: string;
  readonly stack?: string;
  readonly outputs?: Record<string, unknown>;
  /** The provider put first; default {@link awsProvider}(), `null` for none. */
  readonly provider?: PlannedResource | null;
}

/** A stack plan holding the fixture provider and `resources`. */
export function stackPlan(resources: PlannedResource[], opts: PlanOptions = {}): StackPlan {
  const project = opts.project ?? "fixture";
  const stack = opts.stack ?? "dev";
  const provider = opts.provider === undefined ? awsProvider() : opts.provider;
  return {
    project,
    stack,
    stackName: `organization/${project}/${stack}`,
    resources: provider ? [provider, ...resources] : resources,
    outputs: opts.outputs ?? {},
    secretOutputs: [],
  };
}

/**
 * A deep copy with `edit` applied: each table row changes one thing in the happy fixture. For a
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
