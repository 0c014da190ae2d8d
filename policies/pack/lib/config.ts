import { PolicyConfigSchema } from "@pulumi/policy";

/** The part of the validation args that carries the policy's configuration. */
interface HasConfig {
  getConfig<T extends object>(): T;
}

/**
 * The policy's effective configuration: its defaults overlaid with what the engine passes. The
 * Pulumi engine already fills in schema defaults, but a policy that relied on that alone would
 * crash under any caller that does not (an older CLI, a unit test), so the defaults are applied
 * here too, from the same object the schema is built from.
 */
export function settings<T extends object>(args: HasConfig, defaults: T): T {
  const given = args.getConfig<Partial<T>>() ?? {};
  const out = { ...defaults } as T;
  for (const [key, value] of Object.entries(given)) {
    if (value !== undefined && key !== "enforcementLevel")
      (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

type Property = PolicyConfigSchema["properties"][string];

/** A config schema property for a string with a default and its meaning. */
export function stringProperty(description: string, defaultValue: string): Property {
  return { type: "string", minLength: 1, description, default: defaultValue };
}

/** A config schema property for a list of non-empty strings. */
export function stringListProperty(description: string, defaultValue: readonly string[]): Property {
  return {
    type: "array",
    items: { type: "string", minLength: 1 },
    uniqueItems: true,
    description,
    default: [...defaultValue],
  };
}

/** A config schema property for a TCP/UDP port. */
export function portProperty(description: string, defaultValue: number): Property {
  return { type: "integer", minimum: 1, maximum: 65535, description, default: defaultValue };
}
