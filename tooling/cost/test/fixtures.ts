import type { PlannedResource, StackPlan } from "../../stack-plan";

/** Small hand-made plans: the pricing rules read only types, inputs, state, ids and providers. */

const PROVIDER_URN = "urn:pulumi:dev::fixture::pulumi:providers:aws::dev";

export function provider(
  region = "us-east-1",
  accountId = "222222222222",
  urn = PROVIDER_URN,
): PlannedResource {
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
    inputs: { region, allowedAccountIds: JSON.stringify([accountId]) },
    state: {},
  };
}

export function res(
  type: string,
  name: string,
  inputs: Record<string, any> = {},
  extra: Partial<PlannedResource> = {},
): PlannedResource {
  return {
    urn: `urn:pulumi:dev::fixture::${type}::${name}`,
    type,
    name,
    id: `${name}-id`,
    parent: null,
    protect: false,
    retainOnDelete: false,
    provider: PROVIDER_URN,
    dependencies: [],
    deleteBeforeReplace: false,
    replaceOnChanges: [],
    ignoreChanges: [],
    import: null,
    custom: true,
    inputs,
    state: { ...inputs, arn: `arn:aws:fixture:us-east-1:222222222222:${name}` },
    ...extra,
  };
}

export function stackPlan(
  resources: PlannedResource[],
  opts: {
    project?: string;
    stack?: string;
    outputs?: Record<string, unknown>;
    region?: string;
  } = {},
): StackPlan {
  const project = opts.project ?? "network";
  const stack = opts.stack ?? "dev";
  return {
    project,
    stack,
    stackName: `organization/${project}/${stack}`,
    resources: [provider(opts.region), ...resources],
    outputs: opts.outputs ?? {},
    secretOutputs: [],
  };
}
