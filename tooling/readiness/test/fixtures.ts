import type { PlannedResource, StackPlan } from "../../stack-plan";

/** Hand-made plans for the rule tests: only what the rules read. */

export const PROVIDER = "urn:pulumi:fixture::fixture::pulumi:providers:aws::fixture";

export const urnOf = (type: string, name: string) =>
  `urn:pulumi:fixture::fixture::${type}::${name}`;

export function resource(
  type: string,
  name: string,
  inputs: Record<string, any> = {},
  extra: Partial<PlannedResource> = {},
): PlannedResource {
  return {
    urn: urnOf(type, name),
    type,
    name,
    id: `${name}-id`,
    parent: null,
    protect: false,
    retainOnDelete: false,
    provider: type.startsWith("pulumi:providers:") ? null : PROVIDER,
    dependencies: [],
    deleteBeforeReplace: false,
    replaceOnChanges: [],
    ignoreChanges: [],
    import: null,
    custom: true,
    inputs,
    state: inputs,
    ...extra,
  };
}

/** An AWS provider; `tags` become its defaultTags, JSON-encoded as the plan records them. */
export function provider(tags?: Record<string, string>, urn = PROVIDER): PlannedResource {
  const inputs: Record<string, any> = { region: "us-east-1" };
  if (tags) inputs.defaultTags = JSON.stringify({ tags });
  return resource("pulumi:providers:aws", urn.split("::").pop()!, inputs, { urn });
}

export function stack(
  resources: PlannedResource[],
  project = "fixture",
  name = "fixture",
): StackPlan {
  return {
    project,
    stack: name,
    stackName: `organization/${project}/${name}`,
    resources,
    outputs: {},
    secretOutputs: [],
  };
}
