/**
 * `npm run bench`: wall time of the offline plan of every stack against the time to merely start
 * node and load @pulumi/pulumi and @pulumi/aws, as a ratio (target <= 3). Medians over several runs;
 * a benchmark, never a test.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { REPO_ROOT } from "./repo";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TARGET = 3;

function time(args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed:\n${r.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const baseline: number[] = [];
const plan: number[] = [];
for (let i = 0; i < RUNS; i++) {
  baseline.push(time(["-e", "require('@pulumi/pulumi'); require('@pulumi/aws')"]));
  plan.push(time([require.resolve("ts-node/dist/bin"), "--transpile-only", path.join("platform", "plan", "cli.ts"), "--json"]));
}
const ratio = median(plan) / median(baseline);
console.log(`load @pulumi/pulumi + @pulumi/aws: median ${median(baseline).toFixed(2)} s over ${RUNS} runs (${baseline.map((t) => t.toFixed(2)).join(", ")})`);
console.log(`npm run plan, every stack:         median ${median(plan).toFixed(2)} s over ${RUNS} runs (${plan.map((t) => t.toFixed(2)).join(", ")})`);
console.log(`ratio ${ratio.toFixed(2)} (target <= ${TARGET}): ${ratio <= TARGET ? "met" : "NOT met"}`);
