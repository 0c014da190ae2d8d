/**
 * Assertions for the policy tests: violations of one policy over planned resources (built with
 * tooling/testing/planned.ts), run through the same evaluation the plan uses, which builds the
 * validation args @pulumi/policy 1.21 passes (stackTags, notApplicable, getConfig, opts, provider).
 */
import * as assert from "assert";
import type {
  PolicyPackConfig,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { PlannedResource } from "../../../tooling/stack-plan";
import { evaluatePolicies, Violation } from "../../../tooling/pack/evaluate";
import { stackPlan } from "../../../tooling/testing/planned";

type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** Violations of one policy over `resources` (plus the tagged provider). */
export function violationsOf(
  policy: AnyPolicy,
  resources: PlannedResource[],
  config?: PolicyPackConfig,
  provider?: PlannedResource | null,
): Violation[] {
  return evaluatePolicies(stackPlan(resources, { provider }), {
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
