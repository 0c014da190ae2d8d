import { planAll } from "./run";
import { planDocument, renderPlan } from "./render";
import { costDocument, renderCostText, repositoryCostReport } from "../cost";
import { countViolations, evaluateAll, renderViolations } from "../pack/evaluate";
import { evaluateReadiness, renderReadiness } from "../readiness";

function usage(): never {
  console.error("usage: npm run plan [-- --env <dev|stage|prod>]... [--json] [--strict]");
  process.exit(2);
}

async function main() {
  const args = process.argv.slice(2);
  const environments: string[] = [];
  let json = false;
  let strict = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--json") json = true;
    else if (args[i] === "--strict") strict = true;
    else if (args[i] === "--env" && args[i + 1]) environments.push(args[++i]);
    else if (args[i].startsWith("--env=")) environments.push(args[i].slice(6));
    else usage();
  }
  const plans = await planAll({
    environments: environments.length ? environments : undefined,
    onStack: json ? undefined : (p) => process.stderr.write(`planned ${p.project}/${p.stack}\n`),
  });
  const cost = repositoryCostReport(plans);
  // The CrossGuard pack, evaluated in-process on the planned resources (policies/pack).
  const policy = evaluateAll(plans);
  const counts = countViolations(policy);
  // The readiness rules (tooling/readiness): what real AWS would refuse that the mocks accept.
  const readiness = evaluateReadiness(plans);
  process.stdout.write(
    json
      ? `${JSON.stringify({ ...planDocument(plans), cost: costDocument(cost), policy: { ...counts, stacks: policy }, readiness }, null, 2)}\n`
      : `${renderPlan(plans)}\n\n${renderCostText(cost)}\n\n${renderViolations(policy)}\n${renderReadiness(readiness)}\n`,
  );
  if (strict && counts.total > 0) {
    console.error(`\n--strict: ${counts.total} policy violation(s)`);
    process.exitCode = 1;
  }
  if (strict && readiness.findings.length > 0) {
    console.error(`\n--strict: ${readiness.findings.length} readiness finding(s)`);
    process.exitCode = 1;
  }
}

main().catch((err: Error) => {
  console.error(`\nplan failed: ${err.message}`);
  process.exit(1);
});
