/**
 * The command line of the ops tool: parses arguments, runs one command with injected clients,
 * clock and output, and returns the exit code. cli.ts only supplies the real world; tests call
 * {@link runOps} with mocked clients and read what it printed.
 */
import { parseArgs } from "util";
import { AwsCalls, AwsClients, OpsError, RetryOptions } from "./aws";
import { getBudgetReport, renderBudgetReport } from "./budgets";
import { driftExitCode, getScpDrift, renderScpDrift } from "./drift";
import { ExpectedState } from "./expected";
import {
  getFreezeStatus,
  renderFreezeStatus,
  renderUnfreeze,
  unfreezeAccount,
  unfreezeExitCode,
} from "./freeze";

export const EXIT_OK = 0;
export const EXIT_DRIFT = 1;
export const EXIT_ERROR = 2;

export const USAGE = `usage: npm run ops -- <command> [options]

commands:
  freeze status                  every account and whether the freeze SCP is attached to it now;
                                 each freeze-enabled budget: spend against its limit, action state
  unfreeze <account> --reason "<why>" --yes
                                 lift a freeze: reverses the budget action that applied it (or
                                 detaches the SCP when no action did); <account> is an account id,
                                 a platform:accounts key such as dev, or an account name
  scp drift                      compare the live SCPs and RCPs (content and targets) with
                                 policies/scp/, policies/rcp/ and org/Pulumi.management.yaml; exit
                                 code 1 on drift
  budgets                        every budget: limit, actual and forecasted spend, percentage, bar

options:
  --json          machine-readable JSON on stdout instead of tables
  --reason <why>  unfreeze: why the freeze is lifted (required; printed in the record)
  --yes           unfreeze: do it (without --yes it only says what it would do)
  -h, --help      this text

Runs against the organization's management account with your normal AWS credentials
(AWS_PROFILE / SSO / environment keys); region from AWS_REGION, else the org stack's homeRegion.
Exit codes: 0 ok, 1 drift found (scp drift only), 2 usage error or failure.`;

export interface OpsDeps {
  /** The AWS clients to use, built once the expected state (and so the home region) is known. */
  readonly awsClients: (expected: ExpectedState) => AwsClients;
  /** The org stack's config and SCP plan (cli.ts: org/Pulumi.management.yaml, policies/scp/). */
  readonly loadExpected: () => ExpectedState;
  readonly now: () => Date;
  /** Whether stdin and stdout are a terminal: a person is there. */
  readonly isTTY: boolean;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Backoff settings; tests pass a sleep that returns at once. */
  readonly retry?: Partial<RetryOptions>;
  /** How `unfreeze` follows a reversal: every `pollIntervalMs`, at most `pollAttempts` times. */
  readonly pollIntervalMs?: number;
  readonly pollAttempts?: number;
}

type Command =
  | { readonly name: "freeze status" }
  | {
      readonly name: "unfreeze";
      readonly account: string;
      readonly reason: string;
      readonly yes: boolean;
    }
  | { readonly name: "scp drift" }
  | { readonly name: "budgets" }
  | { readonly name: "help" };

export interface ParsedArgs {
  readonly command: Command;
  readonly json: boolean;
}

/** Parses argv (after `--`); throws an OpsError with the usage on anything it does not know. */
export function parseOpsArgs(argv: readonly string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: "boolean" },
        yes: { type: "boolean" },
        reason: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    throw new OpsError(`${(err as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const json = values.json === true;
  if (values.help) return { command: { name: "help" }, json };
  const words = positionals.join(" ");
  const onlyUnfreeze = (name: string) => {
    if (values.reason !== undefined || values.yes !== undefined) {
      throw new OpsError(`--reason and --yes belong to unfreeze, not to ${name}.\n\n${USAGE}`);
    }
  };
  if (words === "freeze status") {
    onlyUnfreeze(words);
    return { command: { name: "freeze status" }, json };
  }
  if (words === "scp drift") {
    onlyUnfreeze(words);
    return { command: { name: "scp drift" }, json };
  }
  if (words === "budgets") {
    onlyUnfreeze(words);
    return { command: { name: "budgets" }, json };
  }
  if (positionals[0] === "unfreeze") {
    if (positionals.length !== 2) {
      throw new OpsError(
        `unfreeze takes exactly one account; got ${positionals.length - 1}.\n\n${USAGE}`,
      );
    }
    const reason = (values.reason ?? "").trim();
    if (!reason) {
      throw new OpsError(
        `unfreeze needs --reason "<why>": the reason is part of the record.\n\n${USAGE}`,
      );
    }
    return {
      command: { name: "unfreeze", account: positionals[1], reason, yes: values.yes === true },
      json,
    };
  }
  throw new OpsError(
    `${positionals.length === 0 ? "no command given" : `unknown command "${words}"`}.\n\n${USAGE}`,
  );
}

function print(deps: OpsDeps, json: boolean, data: unknown, text: string): void {
  deps.stdout(json ? JSON.stringify(data, null, 2) : text);
}

/** Runs one command line; never throws; resolves to the process exit code. */
export async function runOps(argv: readonly string[], deps: OpsDeps): Promise<number> {
  let json = argv.includes("--json");
  try {
    const args = parseOpsArgs(argv);
    json = args.json;
    const command = args.command;
    if (command.name === "help") {
      deps.stdout(USAGE);
      return EXIT_OK;
    }
    const expected = deps.loadExpected();
    const aws = new AwsCalls(deps.awsClients(expected), deps.retry);
    const now = deps.now();
    switch (command.name) {
      case "freeze status": {
        const status = await getFreezeStatus(aws, expected, now);
        print(deps, json, status, renderFreezeStatus(status));
        return EXIT_OK;
      }
      case "unfreeze": {
        const result = await unfreezeAccount(aws, expected, command, now, {
          isTTY: deps.isTTY,
          pollIntervalMs: deps.pollIntervalMs,
          pollAttempts: deps.pollAttempts,
        });
        print(deps, json, result, renderUnfreeze(result));
        return unfreezeExitCode(result);
      }
      case "scp drift": {
        const report = await getScpDrift(aws, expected, now);
        print(deps, json, report, renderScpDrift(report));
        return driftExitCode(report);
      }
      case "budgets": {
        const report = await getBudgetReport(aws, expected, now);
        print(deps, json, report, renderBudgetReport(report));
        return EXIT_OK;
      }
    }
  } catch (err) {
    const known = err instanceof OpsError;
    const message = known
      ? err.message
      : `unexpected error: ${(err as Error)?.stack ?? String(err)}`;
    deps.stderr(`error: ${message}`);
    if (json) deps.stdout(JSON.stringify({ error: message.split("\n\n")[0] }, null, 2));
    return known ? err.exitCode : EXIT_ERROR;
  }
}
