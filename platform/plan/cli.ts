import { planAll } from "./run";
import { planDocument, renderPlan } from "./render";
import { costDocument, renderCostText, repositoryCostReport } from "../cost";

function usage(): never {
  console.error("usage: npm run plan [-- --env <dev|stage|prod>]... [--json]");
  process.exit(2);
}

async function main() {
  const args = process.argv.slice(2);
  const environments: string[] = [];
  let json = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--json") json = true;
    else if (args[i] === "--env" && args[i + 1]) environments.push(args[++i]);
    else if (args[i].startsWith("--env=")) environments.push(args[i].slice(6));
    else usage();
  }
  const plans = await planAll({
    environments: environments.length ? environments : undefined,
    onStack: json ? undefined : (p) => process.stderr.write(`planned ${p.project}/${p.stack}\n`),
  });
  const cost = repositoryCostReport(plans);
  process.stdout.write(
    json
      ? `${JSON.stringify({ ...planDocument(plans), cost: costDocument(cost) }, null, 2)}\n`
      : `${renderPlan(plans)}\n\n${renderCostText(cost)}\n`,
  );
}

main().catch((err: Error) => {
  console.error(`\nplan failed: ${err.message}`);
  process.exit(1);
});
