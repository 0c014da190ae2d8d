/**
 * Settings of the Pulumi Node.js runtime while the offline plan runs a program, and only then.
 * None changes what a program registers or what the plan reports; each removes work the runtime
 * does for a live deployment's diagnostics, which a 1,000-device plan paid for in minutes and GiB:
 *
 * - Stack traces are cut to their first line: the runtime captures one for every resource and
 *   internal promise, and the plan reports messages, not source positions.
 * - `debuggablePromise` (runtime/debuggable.js) gives every internal promise a stack trace, a
 *   context string and a place in a leak-candidate set read only when a real engine exits; here
 *   the promise is used as it is.
 * - `transferProperties` (runtime/rpc.js) makes an `Output` of four pending promises for every
 *   property of every custom resource at construction, although a program reads a few of them; here
 *   each is made on first read (or when the registration fails, so a failure surfaces as before).
 *   An Output read before registration completes is built exactly as the runtime builds it.
 *
 * The replaced functions are internal to @pulumi/pulumi: if their module shape differs from the one
 * this was written against (3.270), that setting is left alone and the plan is only slower.
 */
import * as pulumi from "@pulumi/pulumi";

type Resolver = (
  v: unknown,
  isKnown: boolean,
  isSecret: boolean,
  deps?: unknown[],
  err?: Error,
) => void;

export interface RuntimeModules {
  debuggable: { debuggablePromise: (p: Promise<unknown>, ctx: unknown) => Promise<unknown> };
  rpc: {
    transferProperties: (
      onto: any,
      label: string,
      props: Record<string, unknown>,
    ) => Record<string, Resolver>;
  };
  isGrpcError: (err: unknown) => boolean;
}

export function runtimeModules(): RuntimeModules | undefined {
  try {
    // Internal modules with no typings of their own: loaded untyped, checked for shape below.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const debuggable = require("@pulumi/pulumi/runtime/debuggable");
    const rpc = require("@pulumi/pulumi/runtime/rpc");
    const { isGrpcError } = require("@pulumi/pulumi/errors");
    /* eslint-enable @typescript-eslint/no-require-imports */
    if (
      typeof debuggable.debuggablePromise !== "function" ||
      typeof rpc.transferProperties !== "function" ||
      rpc.transferProperties.length !== 3 ||
      typeof isGrpcError !== "function"
    )
      return undefined;
    return { debuggable, rpc, isGrpcError };
  } catch {
    return undefined;
  }
}

/** A promise with its settle functions, as the runtime's own transferProperties makes them. */
function deferred() {
  let resolve!: (v: unknown) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<unknown>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const PART_NAMES = ["transferProperty", "transferIsStable", "transferIsSecret", "transferDeps"];

/** Per property: its Output once built (with its promises while they are pending), or its settled parts. */
interface Slot {
  output?: pulumi.Output<unknown>;
  parts?: ReturnType<typeof deferred>[];
  settled?: unknown[];
}
interface LazyState {
  readonly label: string;
  readonly slots: Map<string, Slot>;
}
const LAZY = Symbol("plan.lazyOutputs");

/**
 * The runtime's transferProperties with the same contract (one Output property per key of
 * `props` but `id` and `urn`, resolvers keyed alike), each Output built when first read or, at the
 * latest, when its registration fails, and settled as the runtime settles it. An Output read first
 * after its registration succeeded is built from the settled values then, exactly as the runtime
 * builds one. Reads before settlement see the runtime's own construction, so promise reactions run
 * in the same order and resources register in the same order: the plan is the same byte for byte.
 * The accessors are shared by every resource (they find their state through `this`), so a
 * property nobody reads costs one resolver closure.
 */
export function lazyTransferProperties(modules: RuntimeModules) {
  const OutputImpl = pulumi.Output as unknown as new (...args: unknown[]) => pulumi.Output<unknown>;
  const build = (onto: any, state: LazyState, k: string): Slot => {
    const slot = state.slots.get(k) ?? {};
    const parts = [deferred(), deferred(), deferred(), deferred()];
    // Each wrapped as the runtime wraps it (read at call time: the lean wrapper while planning).
    const promises = parts.map((d, i) =>
      modules.debuggable.debuggablePromise(d.promise, `${PART_NAMES[i]}(${state.label}, ${k})`),
    );
    slot.output = new OutputImpl(onto, ...promises);
    if (slot.settled) slot.settled.forEach((v, i) => parts[i].resolve(v));
    else slot.parts = parts;
    slot.settled = undefined;
    state.slots.set(k, slot);
    return slot;
  };
  const accessors = new Map<string, PropertyDescriptor>();
  const accessor = (k: string): PropertyDescriptor => {
    let d = accessors.get(k);
    if (!d) {
      d = {
        enumerable: true,
        configurable: true,
        get(this: any) {
          const state: LazyState = this[LAZY];
          return (state.slots.get(k)?.output ? state.slots.get(k)! : build(this, state, k)).output;
        },
        // A subclass assigning the property replaces the Output, as it would replace the runtime's.
        set(this: any, value: unknown) {
          Object.defineProperty(this, k, {
            value,
            writable: true,
            enumerable: true,
            configurable: true,
          });
        },
      };
      accessors.set(k, d);
    }
    return d;
  };
  return (onto: any, label: string, props: Record<string, unknown>): Record<string, Resolver> => {
    const state: LazyState = { label, slots: new Map() };
    Object.defineProperty(onto, LAZY, { value: state, enumerable: false });
    const keys = Object.keys(props).filter((k) => k !== "id" && k !== "urn");
    for (const k of keys) {
      if (Object.prototype.hasOwnProperty.call(onto, k))
        throw new Error(`Property '${k}' is already initialized on target '${label}`);
      Object.defineProperty(onto, k, accessor(k));
    }
    const resolve = (
      k: string,
      ...[value, isKnown, isSecret, deps = [], err]: Parameters<Resolver>
    ) => {
      if (err && modules.isGrpcError(err)) return;
      const known = state.slots.get(k);
      const slot = known?.output ? known : err ? build(onto, state, k) : undefined;
      if (!slot) {
        state.slots.set(k, { settled: [value, isKnown, isSecret, deps] });
        return;
      }
      // Settled once, as the runtime's promises settle once; the settle functions go with it.
      const parts = slot.parts ?? [];
      slot.parts = undefined;
      if (err) for (const d of parts) d.reject(err);
      else [value, isKnown, isSecret, deps].forEach((v, i) => parts[i]?.resolve(v));
    };
    // The runtime reads the resolvers once, when the registration settles (`Object.keys`, then
    // `resolvers[k](...)`, runtime/rpc.js resolveProperties): each resolver is made as it is read,
    // so a pending resource holds its key list instead of one closure per property.
    const known = new Set(keys);
    const resolverOf = (k: string | symbol): Resolver | undefined =>
      typeof k === "string" && known.has(k) ? (...args) => resolve(k, ...args) : undefined;
    return new Proxy({} as Record<string, Resolver>, {
      ownKeys: () => keys,
      has: (_t, k) => typeof k === "string" && known.has(k),
      get: (_t, k) => resolverOf(k),
      getOwnPropertyDescriptor: (_t, k) => {
        const value = resolverOf(k);
        return value && { value, writable: true, enumerable: true, configurable: true };
      },
    });
  };
}

/**
 * The runtime's debuggablePromise without what only a live engine reads (stack, context, leak
 * set), keeping its two chained reactions so promises settle in the same order.
 */
const same = (v: unknown) => v;
function leanDebuggablePromise(p: Promise<unknown>): Promise<unknown> {
  return p.then(same).catch((err) => {
    if (err && typeof err === "object") (err as { promise?: unknown }).promise = p;
    throw err;
  });
}

function plainStackTrace(err: Error): string {
  return `${err.name}: ${err.message}`;
}

/** Applies the plan-time settings; the returned function restores the runtime as it was. */
export function planTimeRuntime(): () => void {
  const [mapped, limit] = [Error.prepareStackTrace, Error.stackTraceLimit];
  Error.prepareStackTrace = plainStackTrace;
  Error.stackTraceLimit = 0;
  const modules = runtimeModules();
  const original = modules && {
    debuggablePromise: modules.debuggable.debuggablePromise,
    transferProperties: modules.rpc.transferProperties,
  };
  if (modules) {
    modules.debuggable.debuggablePromise = leanDebuggablePromise;
    modules.rpc.transferProperties = lazyTransferProperties(modules);
  }
  return () => {
    Error.prepareStackTrace = mapped;
    Error.stackTraceLimit = limit;
    if (modules && original) {
      modules.debuggable.debuggablePromise = original.debuggablePromise;
      modules.rpc.transferProperties = original.transferProperties;
    }
  };
}
