/**
 * `npm run controls`: writes policies/CONTROLS.md from the code. `--check` writes nothing and exits
 * 1 when the committed file is stale (what CI runs).
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../lib/repo";
import { renderControlMatrix } from "./generate";

export const CONTROLS_FILE = path.join(REPO_ROOT, "policies", "CONTROLS.md");

function main(args: string[]): number {
  const unknown = args.filter((a) => a !== "--check");
  if (unknown.length) {
    console.error(`usage: npm run controls [-- --check]; unknown argument(s) ${unknown.join(" ")}`);
    return 2;
  }
  const rendered = renderControlMatrix();
  const current = fs.existsSync(CONTROLS_FILE) ? fs.readFileSync(CONTROLS_FILE, "utf8") : "";
  if (args.includes("--check")) {
    if (current === rendered) return 0;
    console.error(`${path.relative(REPO_ROOT, CONTROLS_FILE)} is stale: run npm run controls`);
    return 1;
  }
  fs.writeFileSync(CONTROLS_FILE, rendered);
  const rows = rendered.split("\n").filter((l) => l.startsWith("| `")).length;
  const unchanged = current === rendered ? " (unchanged)" : "";
  console.log(`wrote ${path.relative(REPO_ROOT, CONTROLS_FILE)}: ${rows} controls${unchanged}`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
