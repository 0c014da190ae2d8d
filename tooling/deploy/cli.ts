/**
 * npm run deploy -- --env <dev|stage|prod|all> [--preview] [--yes] [--secrets-provider <url>]
 *
 * See deploy.ts. Arguments are parsed with util.parseArgs; every failure ends with one message.
 */
import * as fs from "fs";
import * as readline from "readline";
import { parseArgs } from "util";
import { deploy, DeployError, markdownSummary, StackOutcome } from "./deploy";
import { secretsProviderUrl } from "../bootstrap/bootstrap";
import { ENVIRONMENTS, ORG_STACK_FILE, readStackFile } from "../../lib/repo";
import { validateOrgConfig } from "../../lib/config/org";

export const USAGE = `usage: npm run deploy -- --env <dev|stage|prod|all> [--preview] [--yes] [--without-org] [--secrets-provider <url>]

Runs the platform's stacks through the Pulumi CLI (Automation API), in this order:
  org/management, then for each environment network, workloads, edge (--env all: dev, stage, prod)
Each stack is created or selected with the secrets provider, previewed (environment stacks with
the policy pack in policies/pack), and after one confirmation updated in that order; org only
when its preview shows changes. The first failure stops the run and names the stack.

  --env <name>             dev, stage, prod or all; repeatable
  --preview                preview only, update nothing
  --yes                    update without asking (CI)
  --without-org            leave org/management out (CI: its roles cannot change the organization)
  --secrets-provider <url> default: awskms://alias/<prefix>-pulumi-secrets?region=<homeRegion>,
                           the key npm run bootstrap created (also PULUMI_SECRETS_PROVIDER)
  --help                   this text

Before the first run: npm run bootstrap, then the pulumi login line it prints.
This command never destroys anything.`;

export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly confirm: (question: string) => Promise<boolean>;
}

export async function runDeploy(
  argv: string[],
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
  orgConfig: () => Record<string, unknown> = () => readStackFile(ORG_STACK_FILE),
  root?: string,
): Promise<number> {
  let values: {
    env?: string[];
    preview?: boolean;
    yes?: boolean;
    "without-org"?: boolean;
    "secrets-provider"?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        env: { type: "string", multiple: true },
        preview: { type: "boolean" },
        yes: { type: "boolean" },
        "without-org": { type: "boolean" },
        "secrets-provider": { type: "string" },
        help: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const requested = values.env ?? [];
  if (!requested.length) {
    io.err(`--env: got nothing; expected ${ENVIRONMENTS.join(", ")} or all\n\n${USAGE}`);
    return 2;
  }
  const environments = requested.includes("all")
    ? [...ENVIRONMENTS]
    : ENVIRONMENTS.filter((e) => requested.includes(e));
  const unknown = requested.filter(
    (e) => e !== "all" && !(ENVIRONMENTS as readonly string[]).includes(e),
  );
  if (unknown.length) {
    io.err(
      `--env: got ${unknown.map((e) => `"${e}"`).join(", ")}; expected ${ENVIRONMENTS.join(", ")} or all`,
    );
    return 2;
  }
  let outcomes: StackOutcome[] = [];
  let code = 0;
  try {
    const config = validateOrgConfig(orgConfig(), "org/management (org/Pulumi.management.yaml)");
    const org = config["platform:organization"];
    const secretsProvider =
      values["secrets-provider"] ??
      env.PULUMI_SECRETS_PROVIDER ??
      secretsProviderUrl(org.prefix, org.homeRegion);
    outcomes = await deploy(
      {
        environments,
        previewOnly: Boolean(values.preview),
        yes: Boolean(values.yes),
        withoutOrg: Boolean(values["without-org"]),
        secretsProvider,
        root,
        envVars: {},
      },
      io,
    );
  } catch (err) {
    const e = err as Error;
    outcomes = err instanceof DeployError ? err.outcomes : [];
    io.err(
      err instanceof DeployError || e.name === "ConfigError"
        ? `\ndeploy stopped: ${e.message}`
        : `\ndeploy stopped: ${e.name}: ${e.message}`,
    );
    code = 1;
  }
  // In GitHub Actions, the same summary lands on the run's page.
  if (env.GITHUB_STEP_SUMMARY && outcomes.length) {
    const title = `${values.preview ? "Preview" : "Deploy"}: ${environments.join(", ")}`;
    fs.appendFileSync(env.GITHUB_STEP_SUMMARY, `${markdownSummary(outcomes, title)}\n`);
  }
  return code;
}

/** Reads one answer from stdin (a terminal or a pipe); end of input counts as no. */
export function stdinConfirm(question: string): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
    let answered = false;
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(/^y(es)?$/i.test(answer.trim()));
    });
    rl.on("close", () => {
      if (!answered) resolve(false);
    });
  });
}

if (require.main === module) {
  runDeploy(process.argv.slice(2), {
    out: (t) => console.log(t),
    err: (t) => console.error(t),
    confirm: stdinConfirm,
  }).then((code) => process.exit(code));
}
