/**
 * `npm run mutation [-- <group> ...]`: runs Stryker over each named group (all groups when none is
 * named), one after the other, and says where each report is. The groups are in groups.json.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

export interface MutationGroup {
  readonly why: string;
  readonly mutate: readonly string[];
  readonly spec: readonly string[];
  /** Stryker's coverageAnalysis for the group; default "perTest". */
  readonly coverageAnalysis?: "perTest" | "all" | "off";
}

/** The groups of groups.json, without its `$comment`. */
export function loadGroups(file = path.join(__dirname, "groups.json")): Map<string, MutationGroup> {
  const raw = JSON.parse(readFileSync(file, "utf8")) as Record<string, MutationGroup>;
  return new Map(Object.entries(raw).filter(([name]) => !name.startsWith("$")));
}

/** The groups to run for the command-line arguments: all when none, else each named one. */
export function selectGroups(args: readonly string[], known: readonly string[]): string[] {
  if (args.length === 0) return [...known];
  for (const arg of args) {
    if (!known.includes(arg)) {
      throw new Error(`mutation group: got "${arg}"; expected one of ${known.join(", ")}`);
    }
  }
  return [...new Set(args)];
}

function main(): void {
  const groups = loadGroups();
  let selected: string[];
  try {
    selected = selectGroups(process.argv.slice(2), [...groups.keys()]);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const failed: string[] = [];
  for (const name of selected) {
    console.log(`\n== mutation group ${name}: ${groups.get(name)!.why}`);
    const run = spawnSync("npx", ["stryker", "run", "stryker.config.mjs"], {
      cwd: ROOT,
      stdio: "inherit",
      env: { ...process.env, MUTATION_GROUP: name },
    });
    if (run.status !== 0) failed.push(name);
    console.log(`   report: reports/mutation/${name}.html (and ${name}.json)`);
  }
  if (failed.length > 0) {
    console.error(`mutation: Stryker failed for ${failed.join(", ")}`);
    process.exit(1);
  }
}

if (require.main === module) main();
