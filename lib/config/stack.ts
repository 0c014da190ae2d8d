import * as pulumi from "@pulumi/pulumi";
import { decodeConfigValues } from "../repo";

/** The current stack's whole config, typed back from Pulumi's string form. */
export function currentStackConfig(): Record<string, unknown> {
  return decodeConfigValues(pulumi.runtime.allConfig());
}

/**
 * Keys outside the platform's namespaces are typos or leftovers; Pulumi itself would ignore them,
 * which is how a misspelt allowlist silently reverts to a default. Only the listed keys, and Pulumi's
 * own `pulumi:` settings, may appear.
 */
export function unknownKeys(config: Record<string, unknown>, known: readonly string[]): string[] {
  return Object.keys(config).filter((k) => !known.includes(k) && !k.startsWith("pulumi:"));
}
