/**
 * Runs the policy pack in-process against the offline plan, so `npm run plan` and the tests apply
 * the same policies `pulumi preview --policy-pack policies/pack` applies, without the Pulumi CLI.
 *
 * The arguments are built the way @pulumi/policy's analyzer server builds them from the engine's
 * requests (server.js, v1.21): resource policies get each resource's inputs, stack policies get
 * every resource's outputs with parents linked; `getConfig` returns the policy's config without
 * `enforcementLevel`; `notApplicable` throws and skips the policy for that resource; an enforcement
 * level from config overrides the policy's, `disabled` skips it and `remediate` reports as
 * `mandatory`. What the plan does not know is left empty rather than invented: `ignoreChanges`,
 * `aliases`, custom timeouts, `dependencies` and `propertyDependencies`. The plan does know
 * `retainOnDelete`, which the engine's protocol does not carry; it is added to `opts` (see
 * stateful-resources-protected.ts).
 *
 * Importing this never constructs a PolicyPack, so no analyzer server is started.
 */
import type {
  EnforcementLevel,
  Policies,
  PolicyPackConfig,
  PolicyProviderResource,
  PolicyResource,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { PlannedResource, StackPlan } from "../stack-plan";
import { policies as packPolicies } from "../../policies/pack/policies";
import type { PlatformResourceOptions } from "../../policies/pack/policies/stateful-resources-protected";

/** One policy violation found in a planned stack. */
export interface Violation {
  /** Name of the policy, e.g. `security-group-no-ssh-ingress`. */
  readonly policy: string;
  readonly enforcementLevel: EnforcementLevel;
  /** The offending resource; absent when a stack policy blames the whole stack. */
  readonly urn?: string;
  readonly message: string;
}

export interface EvaluateOptions {
  /** Policies to run; default: the whole pack. */
  readonly policies?: Policies;
  /** Per-policy configuration, the same shape as `--policy-pack-config`; default: the schemas' defaults. */
  readonly config?: PolicyPackConfig;
  /** Stack tags the engine would pass (`pulumi stack tag`); default none. */
  readonly stackTags?: ReadonlyMap<string, string>;
}

/** Violations of one stack, for {@link evaluateAll}. */
export interface StackViolations {
  readonly project: string;
  readonly stack: string;
  readonly stackName: string;
  readonly violations: Violation[];
}

/** The analyzer server's default when neither the pack nor the policy sets a level. */
const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "advisory";

class NotApplicableError extends Error {
  constructor(readonly reason?: string) {
    super(reason ?? "Policy does not apply");
  }
}

/**
 * Most policies do not apply to most resources, so this is thrown thousands of times a plan; the
 * error is caught below and its stack is never read, so none is captured (capturing one was a
 * tenth of the plan's time).
 */
const throwNotApplicable = (reason?: string): never => {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    throw new NotApplicableError(reason);
  } finally {
    Error.stackTraceLimit = limit;
  }
};

// Pulumi's wire marker for a secret value; the server deserializes with secrets unwrapped.
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** A deep copy with secret markers replaced by their plaintext, as policies see values. */
export function unwrapSecrets(value: unknown): any {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SECRET_SIG_KEY] === SECRET_SIG) return unwrapSecrets(obj.value);
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

/** Same test as the server's `isTypeOf`: the class's Pulumi type token, or its `isInstance`. */
function isTypeOf(type: string, resourceClass: unknown): boolean {
  const cls = resourceClass as { __pulumiType?: string; isInstance?: (o: unknown) => boolean };
  if (typeof cls.__pulumiType === "string") return cls.__pulumiType === type;
  return typeof cls.isInstance === "function" && cls.isInstance({ __pulumiType: type }) === true;
}

interface Resolved {
  readonly level: EnforcementLevel;
  readonly properties: Record<string, unknown>;
}

/**
 * The policy's enforcement level and config: schema defaults, overlaid with the given config
 * (a bare level string or an object that may hold `enforcementLevel`), as the engine resolves them.
 */
export function resolvePolicyConfig(
  policy: {
    name: string;
    enforcementLevel?: EnforcementLevel;
    configSchema?: { properties: Record<string, { default?: unknown }> };
  },
  config?: PolicyPackConfig,
): Resolved {
  const properties: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
    if (schema.default !== undefined) properties[key] = JSON.parse(JSON.stringify(schema.default));
  }
  const entry = config?.[policy.name];
  let level: EnforcementLevel | undefined;
  if (typeof entry === "string") level = entry;
  else if (entry) {
    const { enforcementLevel, ...rest } = entry;
    level = enforcementLevel;
    Object.assign(properties, rest);
  }
  return { level: level ?? policy.enforcementLevel ?? PACK_ENFORCEMENT_LEVEL, properties };
}

function optionsOf(r: PlannedResource): PlatformResourceOptions {
  return {
    protect: r.protect,
    retainOnDelete: r.retainOnDelete,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...(r.parent ? { parent: r.parent } : {}),
  };
}

const indexes = new WeakMap<readonly PlannedResource[], ReadonlyMap<string, PlannedResource>>();

/** Resources by URN, built once per resource list. */
function indexOf(resources: readonly PlannedResource[]): ReadonlyMap<string, PlannedResource> {
  let index = indexes.get(resources);
  if (!index) {
    index = new Map(resources.map((x) => [x.urn, x]));
    indexes.set(resources, index);
  }
  return index;
}

function providerOf(
  r: PlannedResource,
  byUrn: ReadonlyMap<string, PlannedResource>,
): PolicyProviderResource | undefined {
  const p = r.provider ? byUrn.get(r.provider) : undefined;
  return p ? { type: p.type, props: unwrapSecrets(p.inputs), urn: p.urn, name: p.name } : undefined;
}

/** What a resource validation receives for one planned resource: its inputs as `props`. */
export function resourceValidationArgs(
  r: PlannedResource,
  resources: readonly PlannedResource[],
  properties: Record<string, unknown> = {},
  stackTags: ReadonlyMap<string, string> = new Map(),
): ResourceValidationArgs {
  const byUrn = indexOf(resources);
  const props = unwrapSecrets(r.inputs) as Record<string, any>;
  const args: ResourceValidationArgs = {
    type: r.type,
    props,
    urn: r.urn,
    name: r.name,
    opts: optionsOf(r),
    stackTags,
    isType: (cls) => isTypeOf(r.type, cls),
    asType: ((cls: unknown) =>
      isTypeOf(r.type, cls) ? props : undefined) as ResourceValidationArgs["asType"],
    getConfig: <T extends object>() => ({ ...properties }) as T,
    notApplicable: throwNotApplicable,
  };
  const provider = providerOf(r, byUrn);
  if (provider) args.provider = provider;
  return args;
}

/** What a stack validation receives: every resource's outputs as `props`, parents linked. */
export function stackValidationArgs(
  resources: readonly PlannedResource[],
  properties: Record<string, unknown> = {},
  stackTags: ReadonlyMap<string, string> = new Map(),
): StackValidationArgs {
  const byUrn = indexOf(resources);
  const converted = new Map<string, PolicyResource>();
  for (const r of resources) {
    const props = unwrapSecrets(r.state) as Record<string, any>;
    const resource: PolicyResource = {
      type: r.type,
      props,
      urn: r.urn,
      name: r.name,
      opts: optionsOf(r),
      dependencies: [],
      propertyDependencies: {},
      isType: (cls) => isTypeOf(r.type, cls),
      asType: ((cls: unknown) =>
        isTypeOf(r.type, cls) ? props : undefined) as PolicyResource["asType"],
    };
    const provider = providerOf(r, byUrn);
    if (provider) resource.provider = provider;
    converted.set(r.urn, resource);
  }
  for (const r of resources) {
    const parent = r.parent ? converted.get(r.parent) : undefined;
    if (parent) converted.get(r.urn)!.parent = parent;
  }
  return {
    resources: [...converted.values()],
    stackTags,
    getConfig: <T extends object>() => ({ ...properties }) as T,
    notApplicable: throwNotApplicable,
  };
}

function isStackPolicy(
  p: ResourceValidationPolicy | StackValidationPolicy,
): p is StackValidationPolicy {
  return typeof (p as StackValidationPolicy).validateStack === "function";
}

/**
 * Runs a validation; true when it applied. Not-applicable is a normal outcome, a promise is not
 * (the plan is synchronous).
 */
function run(policyName: string, call: () => void | Promise<void>): boolean {
  try {
    const result = call();
    if (result && typeof (result as Promise<void>).then === "function") {
      throw new Error(
        `policy ${policyName} returned a promise; the in-process evaluation runs synchronous policies only`,
      );
    }
    return true;
  } catch (err) {
    if (err instanceof NotApplicableError) return false;
    throw err;
  }
}

/** What one evaluation found, and how many resources each policy actually examined. */
export interface Evaluation {
  readonly violations: Violation[];
  /** Per policy: resources a resource policy applied to, or 1 for a stack policy that ran. */
  readonly checked: ReadonlyMap<string, number>;
}

/**
 * Every violation of the pack (or `options.policies`) in one planned stack, in policy order, then
 * resource order, with the number of resources each policy examined (so a test can tell "no
 * violations" from "nothing looked at").
 */
export function evaluateStack(plan: StackPlan, options: EvaluateOptions = {}): Evaluation {
  const violations: Violation[] = [];
  const checked = new Map<string, number>();
  const stackTags = options.stackTags ?? new Map<string, string>();
  for (const policy of options.policies ?? packPolicies) {
    const resolved = resolvePolicyConfig(policy, options.config);
    if (resolved.level === "disabled") continue;
    // Nothing is remediated here, so a remediate-level policy reports as the server does: mandatory.
    const level: EnforcementLevel = resolved.level === "remediate" ? "mandatory" : resolved.level;
    let count = 0;
    if (isStackPolicy(policy)) {
      const report: ReportViolation = (message, urn) =>
        violations.push({
          policy: policy.name,
          enforcementLevel: level,
          ...(urn ? { urn } : {}),
          message,
        });
      const args = stackValidationArgs(plan.resources, resolved.properties, stackTags);
      if (run(policy.name, () => policy.validateStack(args, report))) count = 1;
    } else if (policy.validateResource) {
      const validations: ResourceValidation[] = Array.isArray(policy.validateResource)
        ? policy.validateResource
        : [policy.validateResource];
      for (const r of plan.resources) {
        // The engine always blames the resource being validated, whatever urn the policy passes.
        const report: ReportViolation = (message) =>
          violations.push({ policy: policy.name, enforcementLevel: level, urn: r.urn, message });
        let applied = false;
        // The server deserializes afresh per validation; one copy per resource and policy is
        // equivalent for policies that do not write to their arguments, and much cheaper.
        const args = resourceValidationArgs(r, plan.resources, resolved.properties, stackTags);
        for (const validation of validations) {
          if (run(policy.name, () => validation(args, report))) applied = true;
        }
        if (applied) count++;
      }
    }
    checked.set(policy.name, count);
  }
  return { violations, checked };
}

/** Every violation of the pack (or `options.policies`) in one planned stack. */
export function evaluatePolicies(plan: StackPlan, options: EvaluateOptions = {}): Violation[] {
  return evaluateStack(plan, options).violations;
}

/** {@link evaluatePolicies} for every planned stack, in plan order. */
export function evaluateAll(
  plans: readonly StackPlan[],
  options: EvaluateOptions = {},
): StackViolations[] {
  return plans.map((p) => ({
    project: p.project,
    stack: p.stack,
    stackName: p.stackName,
    violations: evaluatePolicies(p, options),
  }));
}

/** Violations by enforcement level, for a summary or a `--strict` exit code. */
export function countViolations(results: readonly StackViolations[]): {
  total: number;
  mandatory: number;
  advisory: number;
} {
  const all = results.flatMap((r) => r.violations);
  const at = (level: EnforcementLevel) => all.filter((v) => v.enforcementLevel === level).length;
  return { total: all.length, mandatory: at("mandatory"), advisory: at("advisory") };
}

/** Human output for `npm run plan`: one block per violation, grouped by stack, then a summary line. */
export function renderViolations(results: readonly StackViolations[]): string {
  const lines: string[] = [];
  for (const r of results) {
    if (!r.violations.length) continue;
    lines.push(`\n${r.project}/${r.stack}: ${r.violations.length} policy violation(s)`);
    for (const v of r.violations) {
      const resource = v.urn ? v.urn.split("::").slice(-2).join(" ") : "(stack)";
      lines.push(`  [${v.enforcementLevel}] ${v.policy}  ${resource}`);
      lines.push(`      ${v.message}`);
    }
  }
  const n = countViolations(results);
  const dirty = results.filter((r) => r.violations.length).length;
  lines.push(
    n.total === 0
      ? `\nPolicy pack openems-platform: no violations in ${results.length} stacks.`
      : `\nPolicy pack openems-platform: ${n.total} violation(s) (${n.mandatory} mandatory, ` +
          `${n.advisory} advisory) in ${dirty} of ${results.length} stacks.`,
  );
  return lines.join("\n");
}
