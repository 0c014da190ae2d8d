/**
 * Entry point of `npm run ops -- <command>`: the real clients, clock, terminal and output around
 * runOps. Everything else lives in modules the tests call directly.
 */
import { createAwsClients } from "./aws";
import { runOps } from "./commands";
import { loadExpectedState } from "./expected";

runOps(process.argv.slice(2), {
  awsClients: (expected) =>
    createAwsClients(
      process.env.AWS_REGION ??
        process.env.AWS_DEFAULT_REGION ??
        expected.config["platform:organization"].homeRegion,
    ),
  loadExpected: () => loadExpectedState(),
  now: () => new Date(),
  isTTY: Boolean(process.stdin.isTTY && process.stdout.isTTY),
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
}).then((code) => {
  process.exitCode = code;
});
