/**
 * `npm run bench`: a benchmark, never a test.
 *
 * 1. Wall time of `npm run plan` (every stack, the command package.json runs) against the time to
 *    merely start node and load @pulumi/pulumi and @pulumi/aws, as a ratio (goal <= 3). Both are
 *    measured in this run on this machine, interleaved, after one warm-up run of each; medians over
 *    BENCH_RUNS runs. The machine's load is printed beside them: a loaded machine stretches both.
 * 2. The edge stack of prod planned with the fixture fleet of 10, 100 and 1,000 devices, each in a
 *    fresh process started like `npm run plan`: time, time per device (growth should read as
 *    near-linear) and peak RSS of that process (goal <= 600 MiB); every generated artefact is checked
 *    against its AWS limit.
 *
 * Exits 1 when a plan fails, an artefact is over its limit, or a goal is not met.
 *
 * `npm run bench -- --limits` runs part 2 for its artefact limits only: whether the 1,000-device
 * fleet's parameters and tags fit AWS is correctness, which CI checks on every run; the speed and
 * memory goals are figures of this machine, which CI does not gate on.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../lib/repo";
import { SSM_STANDARD_LIMIT_BYTES } from "../lib/components/parameters";
import { planAll } from "./plan/run";
import { fleetSites } from "./testing/fleet";
import { editedConfig, planOne, secretValue } from "./testing/harness";

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const RATIO_GOAL = 3;
const RSS_GOAL_MIB = 600;
const FLEETS = (process.env.BENCH_FLEETS ?? "10,100,1000").split(",").map(Number);
/** AWS's limit of tags per resource. */
const MAX_TAGS = 50;

/** Node's arguments in the `plan` script of package.json (`node <flags> <cli> ...`). */
export function planScriptArgs(scripts: Record<string, string>): {
  flags: string[];
  cli: string[];
} {
  const words = (scripts.plan ?? "").trim().split(/\s+/);
  if (words[0] !== "node")
    throw new Error(
      `package.json scripts.plan: got ${JSON.stringify(scripts.plan)}; expected "node <flags> <file.ts>"`,
    );
  const file = words.findIndex((w, i) => i > 0 && w.endsWith(".ts"));
  if (file < 0)
    throw new Error(
      `package.json scripts.plan: got ${JSON.stringify(scripts.plan)}; expected a .ts entry point`,
    );
  return { flags: words.slice(1, file), cli: words.slice(file) };
}

function planScript() {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  return planScriptArgs(pkg.scripts);
}

function run(args: string[]): { seconds: number; stdout: string } {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
    maxBuffer: 256 * 2 ** 20,
  });
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} failed:\n${r.stderr}`);
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, stdout: r.stdout };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

interface FleetResult {
  devices: number;
  resources: number;
  seconds: number;
  rssMiB: number;
  violations: string[];
}

/**
 * In the child: edge/prod with `devices`, its stack references answered from the planned outputs
 * of org and prod's network and workloads in `upstreamFile` (as `pulumi preview` of edge reads them
 * from the service): the process holds what planning edge takes, nothing else.
 */
async function fleetPlan(devices: number, upstreamFile: string): Promise<FleetResult> {
  const upstream = new Map<string, Record<string, unknown>>(
    Object.entries(JSON.parse(fs.readFileSync(upstreamFile, "utf8"))),
  );
  const start = process.hrtime.bigint();
  const result = await planOne(
    "edge",
    "prod",
    editedConfig("edge", "prod", (c) => (c["platform:edge"].sites = fleetSites(devices))),
    upstream,
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const violations: string[] = [];
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
  // resourceUsage reports KiB: the peak of the whole process, upstream plans included.
  const rssMiB = process.resourceUsage().maxRSS / 1024;
  return { devices, resources: result.resources.length, seconds, rssMiB, violations };
}

async function main(limitsOnly: boolean) {
  const { flags, cli } = planScript();
  const failures: string[] = [];
  console.log(`machine: ${os.cpus().length} cores, load average ${load()} (1, 5, 15 min)`);
  if (!limitsOnly) measureRatio(flags, cli, failures);
  await measureFleets(flags, failures, limitsOnly);
  if (failures.length) {
    console.error(`\nbench failed:\n  ${failures.join("\n  ")}`);
    process.exit(1);
  }
}

function measureRatio(flags: string[], cli: string[], failures: string[]): void {
  const baselineArgs = ["-e", "require('@pulumi/pulumi'); require('@pulumi/aws')"];
  const planArgs = [...flags, ...cli, "--json"];
  // Warm-up: file-system cache and esbuild's binary, for both commands alike.
  run(baselineArgs);
  run(planArgs);
  const baseline: number[] = [];
  const plan: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    baseline.push(run(baselineArgs).seconds);
    plan.push(run(planArgs).seconds);
  }
  const ratio = median(plan) / median(baseline);
  const list = (xs: number[]) => xs.map((t) => t.toFixed(2)).join(", ");
  console.log(
    `load @pulumi/pulumi + @pulumi/aws: median ${median(baseline).toFixed(2)} s over ${RUNS} runs (${list(baseline)})`,
  );
  console.log(
    `npm run plan, every stack:         median ${median(plan).toFixed(2)} s over ${RUNS} runs (${list(plan)})`,
  );
  console.log(
    `ratio ${ratio.toFixed(2)} (goal <= ${RATIO_GOAL}): ${ratio <= RATIO_GOAL ? "met" : "NOT met"}; load average now ${load()}`,
  );
  if (ratio > RATIO_GOAL) failures.push(`plan/load ratio ${ratio.toFixed(2)} > ${RATIO_GOAL}`);
}

async function measureFleets(flags: string[], failures: string[], limitsOnly: boolean) {
  console.log("\nedge/prod with the fixture fleet, each in its own process:");
  const upstream = Object.fromEntries(
    (await planAll({ environments: ["prod"] }))
      .filter((p) => p.project !== "edge")
      .map((p) => [p.stackName, p.outputs]),
  );
  const upstreamFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-")), "upstream.json");
  fs.writeFileSync(upstreamFile, JSON.stringify(upstream));
  for (const devices of FLEETS) {
    const out = run([...flags, __filename, "--fleet", String(devices), upstreamFile]).stdout;
    const r = JSON.parse(out.trim().split("\n").pop() ?? "{}") as FleetResult;
    console.log(
      `  ${String(devices).padStart(5)} devices: ${String(r.resources).padStart(5)} resources in ${r.seconds.toFixed(1)} s ` +
        `(${((r.seconds * 1000) / devices).toFixed(1)} ms a device), peak rss ${r.rssMiB.toFixed(0)} MiB`,
    );
    failures.push(...r.violations);
    if (!limitsOnly && r.rssMiB > RSS_GOAL_MIB)
      failures.push(
        `${devices} devices: peak rss ${r.rssMiB.toFixed(0)} MiB > ${RSS_GOAL_MIB} MiB`,
      );
  }
  if (failures.length === 0)
    console.log(
      limitsOnly
        ? "  every SSM parameter and tag set within its AWS limit"
        : `  every SSM parameter and tag set within its AWS limit; peak rss within ${RSS_GOAL_MIB} MiB`,
    );
}

if (require.main === module) {
  const i = process.argv.indexOf("--fleet");
  (i > 0
    ? fleetPlan(Number(process.argv[i + 1]), process.argv[i + 2]).then((r) =>
        console.log(JSON.stringify(r)),
      )
    : main(process.argv.includes("--limits"))
  ).catch((err: Error) => {
    console.error(`bench failed: ${err.message}`);
    process.exit(1);
  });
}
