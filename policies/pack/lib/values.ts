import { UnknownValueError } from "@pulumi/policy";

/**
 * What a property read returned during `pulumi preview`: the engine hands policies a proxy that
 * throws on values not known until the resource exists (an ARN of a key created in the same
 * update, say). A policy that let that error escape would be reported "can't run during preview"
 * instead of checking what it can, so reads go through {@link read}.
 */
export const UNKNOWN: unique symbol = Symbol("unknown until the update");
export type Read<T> = T | typeof UNKNOWN;

/** Runs `get`, turning the engine's unknown-value error into {@link UNKNOWN}. */
export function read<T>(get: () => T): Read<T> {
  try {
    return get();
  } catch (err) {
    if (err instanceof UnknownValueError) return UNKNOWN;
    throw err;
  }
}

/**
 * True when a value is given: an unknown value counts, because it is an output the program passed
 * (a key ARN, say) and will be set by the time the resource is created.
 */
export function isSet(value: unknown): boolean {
  return value === UNKNOWN || (value !== undefined && value !== null && value !== "");
}

/** A single value or a list as a list; `undefined` and unknowns as an empty list. */
export function asList<T>(value: Read<T | readonly T[] | undefined | null>): T[] {
  if (value === undefined || value === null || value === UNKNOWN) return [];
  return Array.isArray(value) ? [...(value as T[])] : [value as T];
}

/**
 * Provider inputs of object type (`defaultTags`, `assumeRoles`) reach policies JSON-encoded, as
 * they are stored in state; resource inputs do not. Accepts either form.
 */
export function objectOf(value: unknown): Record<string, any> | undefined {
  if (typeof value === "string") {
    try {
      const parsed = JSON.parse(value);
      return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return value && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, any>)
    : undefined;
}

/** A resource's own `tags` map as plain strings; an unknown or absent map is empty. */
export function tagsOf(props: Record<string, any>): Record<string, string> {
  const tags = read(() => props.tags);
  const map = tags === UNKNOWN ? undefined : objectOf(tags);
  const out: Record<string, string> = {};
  // Keys are always known; a value may not be (a tag set from another resource's output).
  for (const key of Object.keys(map ?? {})) {
    const value = read(() => map![key]);
    if (typeof value === "string") out[key] = value;
  }
  return out;
}

/** A read value for a message: strings as they are, unknowns named, the rest as JSON. */
export function show(value: unknown): string {
  if (value === UNKNOWN) return "(unknown until the update)";
  if (value === undefined) return "not set";
  return typeof value === "string" ? value : JSON.stringify(value);
}
