/**
 * The allowlist as the handler applies it: entries are method paths of the OpenEMS B2B catalogue
 * (lib/openems/b2b-methods.ts), the same rule the environment files are checked against.
 */
import { allowlistProblem } from "../../lib/openems/b2b-methods";
import { describe, ProxyError } from "./contract";

/**
 * Checks an allowlist (`getEdgesStatus`, `edgeRpc/queryHistoricTimeseriesEnergy`, ...) and drops
 * duplicates. `name` is what the error calls the setting (the Lambda's environment variable).
 */
export function validateAllowedMethods(entries: readonly string[], name: string): string[] {
  if (entries.length === 0) {
    throw new ProxyError(`${name}: got an empty list; expected at least one method`);
  }
  for (const entry of entries) {
    const problem = allowlistProblem(entry);
    if (problem) throw new ProxyError(`${name}: got ${describe(entry)}; ${problem}`);
  }
  return [...new Set(entries)];
}
