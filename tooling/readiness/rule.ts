/**
 * A readiness rule encodes one documented AWS or provider behaviour that the mocks cannot refuse
 * but a real `pulumi up` would: a create that fails, an update that can never succeed, an order the
 * engine does not guarantee. Rules read the offline plan (tooling/stack-plan.ts) and nothing else.
 */
import type { PlannedResource, StackPlan } from "../stack-plan";

/** One thing real AWS would refuse, on one planned resource. */
export interface Finding {
  readonly rule: string;
  /** `<project>/<stack>` of the resource. */
  readonly stack: string;
  readonly urn: string;
  /** What would fail, and when. */
  readonly message: string;
  /** What to change so it does not. */
  readonly fix: string;
}

export interface ReadinessRule {
  /** Kebab-case name, e.g. `org-policies-after-organization`. */
  readonly name: string;
  /** The behaviour the rule encodes, citing its source (AWS documentation URL or provider file). */
  readonly description: string;
  /** Every finding in the planned stacks; rules that compare stacks (tag policy) get them all. */
  readonly check: (plans: readonly StackPlan[]) => Finding[];
}

export const stackKey = (p: StackPlan) => `${p.project}/${p.stack}`;

/** Planned stacks' resources with their stack key, for rules that look at one resource at a time. */
export function* eachResource(
  plans: readonly StackPlan[],
): Generator<{ plan: StackPlan; stack: string; resource: PlannedResource }> {
  for (const plan of plans)
    for (const resource of plan.resources) yield { plan, stack: stackKey(plan), resource };
}

/** Provider inputs of object type are recorded JSON-encoded (see tooling/plan/mocks.ts). */
export function decoded(v: unknown): any {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** A resource's name as findings print it: `<type> <name>`. */
export const shortUrn = (urn: string) => urn.split("::").slice(-2).join(" ");

/**
 * URNs a resource cannot be created before, as the engine orders creates: its `dependencies`, and
 * its parent when the parent is a custom resource (the Node SDK awaits the parent's URN, which
 * resolves only once the parent is registered). A component parent orders nothing.
 */
export function waitsFor(plan: StackPlan): (urn: string) => Set<string> {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const memo = new Map<string, Set<string>>();
  const direct = (r: PlannedResource) => {
    const deps = [...r.dependencies];
    if (r.parent && byUrn.get(r.parent)?.custom) deps.push(r.parent);
    return deps;
  };
  return (urn) => {
    const cached = memo.get(urn);
    if (cached) return cached;
    const seen = new Set<string>();
    const stack = [urn];
    while (stack.length) {
      const r = byUrn.get(stack.pop()!);
      if (!r) continue;
      for (const d of direct(r)) {
        if (seen.has(d)) continue;
        seen.add(d);
        stack.push(d);
      }
    }
    memo.set(urn, seen);
    return seen;
  };
}
