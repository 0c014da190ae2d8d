import * as fs from "fs";
import * as path from "path";
import { planAll } from "../plan/run";
import { REPO_ROOT } from "../../lib/repo";
import { renderReportHtml } from "./html";
import { loadPrices } from "./prices";
import { repositoryBudgets, repositoryCostReport } from "./repository";

/**
 * `npm run report`: plans every stack offline, estimates each environment and writes the finance
 * report, one self-contained HTML page (default report/index.html, git-ignored).
 */

function usage(): never {
  console.error("usage: npm run report [-- --env <dev|stage|prod>]... [--out <file>]");
  process.exit(2);
}

async function main() {
  const args = process.argv.slice(2);
  const environments: string[] = [];
  let out = path.join(REPO_ROOT, "report", "index.html");
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--env" && args[i + 1]) environments.push(args[++i]);
    else if (args[i].startsWith("--env=")) environments.push(args[i].slice(6));
    else if (args[i] === "--out" && args[i + 1]) out = path.resolve(args[++i]);
    else usage();
  }
  const plans = await planAll({
    environments: environments.length ? environments : undefined,
    onStack: (p) => process.stderr.write(`planned ${p.project}/${p.stack}\n`),
  });
  const prices = loadPrices();
  const report = repositoryCostReport(plans, { prices });
  const html = renderReportHtml(report, repositoryBudgets(plans), { prices });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, html);
  for (const est of report.estimates) {
    const b = est.budget;
    process.stdout.write(
      `${est.environment}: $${est.totalUsd.toFixed(2)} a month${b ? ` of $${b.limit.toFixed(2)} (${(b.share * 100).toFixed(1)} %)` : ""}${est.unpriced.length ? `, ${est.unpriced.length} unpriced` : ""}\n`,
    );
    for (const w of est.warnings) process.stdout.write(`  WARNING: ${w}\n`);
  }
  process.stdout.write(`report written to ${path.relative(process.cwd(), out) || out}\n`);
}

main().catch((err: Error) => {
  console.error(`\nreport failed: ${err.message}`);
  process.exit(1);
});
