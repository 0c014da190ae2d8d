import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import {
  decodeConfigValues,
  ENVIRONMENTS,
  environmentFile,
  ORG_STACK_FILE,
  readStackFile,
} from "../repo";

/** The file Pulumi reads a stack's config from: the org file, or `Pulumi.<env>.yaml` (stackConfigDir: ..). */
export function stackFileOf(project: string, stack: string): string | undefined {
  if (project === "org") return ORG_STACK_FILE;
  return (ENVIRONMENTS as readonly string[]).includes(stack) ? environmentFile(stack) : undefined;
}

/**
 * The current stack's whole config, typed back from Pulumi's string form. The CLI read the stack
 * file with a YAML 1.1 reader; the file is read here once more, so that a value the plan and the
 * tests (YAML 1.2) would read differently stops the program before anything is created
 * (lib/config/yaml.ts) instead of deploying what nobody previewed offline.
 */
export function currentStackConfig(
  file = stackFileOf(pulumi.getProject(), pulumi.getStack()),
): Record<string, unknown> {
  if (file && fs.existsSync(file)) readStackFile(file);
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
