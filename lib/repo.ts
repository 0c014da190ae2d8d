import * as fs from "fs";
import * as path from "path";
import { parseStackYaml } from "./config/yaml";

/** The environments this platform knows, in deploy order of their importance. */
export const ENVIRONMENTS = ["dev", "stage", "prod"] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

/** The top of the repository: the folder holding the environment files and every project. */
export const REPO_ROOT = path.resolve(__dirname, "..");

export function environmentFile(env: string, root = REPO_ROOT): string {
  return path.join(root, `Pulumi.${env}.yaml`);
}

export const ORG_STACK_FILE = path.join(REPO_ROOT, "org", "Pulumi.management.yaml");

/**
 * Reads a Pulumi stack file and returns its `config:` map with values as YAML typed them, after
 * refusing any value a YAML 1.1 reader (the Pulumi CLI) and a YAML 1.2 reader see differently. Secure
 * values (`secure:` objects) are kept as they are: none are expected, because no secret lives in
 * stack config on this platform.
 */
export function readStackFile(file: string): Record<string, unknown> {
  if (!fs.existsSync(file)) throw new Error(`stack file ${file} does not exist`);
  // Refuses values the Pulumi CLI (a YAML 1.1 reader) would read differently (lib/config/yaml.ts).
  const doc =
    (parseStackYaml(
      fs.readFileSync(file, "utf8"),
      path.relative(REPO_ROOT, file) || file,
    ) as any) ?? {};
  if (typeof doc !== "object" || Array.isArray(doc))
    throw new Error(`${file}: expected a YAML mapping`);
  const unknownTop = Object.keys(doc).filter(
    (k) =>
      !["config", "secretsprovider", "encryptionsalt", "encryptedkey", "environment"].includes(k),
  );
  if (unknownTop.length)
    throw new Error(
      `${file}: unknown top-level key(s) ${unknownTop.join(", ")} (a stack file holds config:)`,
    );
  return (doc.config ?? {}) as Record<string, unknown>;
}

/**
 * Pulumi passes stack config to programs as strings, structured values JSON-encoded. This turns that
 * form back into typed values so one validator serves the real CLI, the mocks and the offline plan.
 */
export function decodeConfigValues(raw: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    try {
      out[k] = JSON.parse(v);
    } catch {
      out[k] = v;
    }
  }
  return out;
}

/** The inverse of {@link decodeConfigValues}: what `pulumi.runtime.setAllConfig` expects. */
export function encodeConfigValues(config: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config))
    out[k] = typeof v === "string" ? v : JSON.stringify(v);
  return out;
}
