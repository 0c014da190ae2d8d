/**
 * `npm run bench`: a benchmark, never a test.
 *
 * 1. Wall time of the offline plan of every stack against the time to merely start node and load
 *    @pulumi/pulumi and @pulumi/aws, as a ratio (target <= 3). Medians over BENCH_RUNS runs.
 * 2. The edge stack of prod planned with the fixture fleet of 10, 100 and 1,000 devices: time,
 *    time per device (growth should read as near-linear) and memory; every generated artefact is
 *    checked against its AWS limit. A plan that fails or an artefact over its limit exits 1.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { REPO_ROOT } from "../lib/repo";
import { SSM_STANDARD_LIMIT_BYTES } from "../lib/components/parameters";
import { fleetSites } from "./testing/fleet";
import { editedConfig, planOne, secretValue, upstreamOutputs } from "./testing/harness";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TARGET = 3;
const FLEETS = (process.env.BENCH_FLEETS ?? "10,100,1000").split(",").map(Number);
/** AWS's limit of tags per resource. */
const MAX_TAGS = 50;

function time(args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, {
    cwd: REPO_ROOT,
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed:\n${r.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main() {
  const baseline: number[] = [];
  const plan: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    baseline.push(time(["-e", "require('@pulumi/pulumi'); require('@pulumi/aws')"]));
    plan.push(
      time([
        require.resolve("ts-node/dist/bin"),
        "--transpile-only",
        path.join("tooling", "plan", "cli.ts"),
        "--json",
      ]),
    );
  }
  const ratio = median(plan) / median(baseline);
  console.log(
    `load @pulumi/pulumi + @pulumi/aws: median ${median(baseline).toFixed(2)} s over ${RUNS} runs (${baseline.map((t) => t.toFixed(2)).join(", ")})`,
  );
  console.log(
    `npm run plan, every stack:         median ${median(plan).toFixed(2)} s over ${RUNS} runs (${plan.map((t) => t.toFixed(2)).join(", ")})`,
  );
  console.log(
    `ratio ${ratio.toFixed(2)} (target <= ${TARGET}): ${ratio <= TARGET ? "met" : "NOT met"}`,
  );

  const upstream = await upstreamOutputs();
  const violations: string[] = [];
  console.log("\nedge/prod with the fixture fleet:");
  for (const devices of FLEETS) {
    const start = process.hrtime.bigint();
    const result = await planOne(
      "edge",
      "prod",
      editedConfig("edge", "prod", (c) => (c["platform:edge"].sites = fleetSites(devices))),
      upstream,
    );
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    for (const r of result.resources) {
      if (r.type === "aws:ssm/parameter:Parameter") {
        const bytes = Buffer.byteLength(secretValue(r.inputs.value, r.inputs.name));
        if (bytes > SSM_STANDARD_LIMIT_BYTES)
          violations.push(
            `${devices} devices: ${r.inputs.name} is ${bytes} bytes (limit ${SSM_STANDARD_LIMIT_BYTES})`,
          );
      }
      const tags = Object.keys(r.inputs.tags ?? {}).length + 5; // plus the provider's default tags
      if (tags > MAX_TAGS)
        violations.push(`${devices} devices: ${r.name} has ${tags} tags (limit ${MAX_TAGS})`);
    }
    if (result.outputs.deviceCount !== devices)
      violations.push(`${devices} devices: deviceCount is ${String(result.outputs.deviceCount)}`);
    const rss = process.memoryUsage().rss / 2 ** 20;
    console.log(
      `  ${String(devices).padStart(5)} devices: ${String(result.resources.length).padStart(5)} resources in ${seconds.toFixed(1)} s ` +
        `(${((seconds * 1000) / devices).toFixed(1)} ms a device), rss ${rss.toFixed(0)} MiB`,
    );
  }
  if (violations.length) {
    console.error(`\nartefacts over their AWS limits:\n  ${violations.join("\n  ")}`);
    process.exit(1);
  }
  console.log("  every SSM parameter and tag set within its AWS limit");
}

main().catch((err: Error) => {
  console.error(`bench failed: ${err.message}`);
  process.exit(1);
});
