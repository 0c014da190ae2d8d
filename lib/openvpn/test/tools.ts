// Shared helpers for tests that need real tools (shellcheck, openssl, nft, openvpn).
// Policy: on CI (process.env.CI set) a missing tool is a failure, because a skipped proof is no
// proof; on a developer machine the suite is skipped with the reason.
import { spawnSync } from "child_process";
import * as fs from "fs";

export function which(tool: string): string | undefined {
  const result = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" });
  const path = result.stdout.trim();
  return result.status === 0 && path !== "" ? path : undefined;
}

/** Problems that prevent real-tool tests from running here; empty when everything is present. */
export function missingPrerequisites(opts: {
  tools?: readonly string[];
  root?: boolean;
  tun?: boolean;
}): string[] {
  const missing = (opts.tools ?? [])
    .filter((t) => which(t) === undefined)
    .map((t) => `${t} is not installed`);
  if (opts.root && process.getuid?.() !== 0) {
    missing.push("not running as root (needed to create TUN devices)");
  }
  if (opts.tun && !fs.existsSync("/dev/net/tun")) {
    missing.push("/dev/net/tun is missing");
  }
  return missing;
}

/** Call from a `before` hook declared with `function`: fails on CI, skips elsewhere. */
export function requirePrerequisites(
  ctx: Mocha.Context,
  opts: { tools?: readonly string[]; root?: boolean; tun?: boolean },
): void {
  const missing = missingPrerequisites(opts);
  if (missing.length === 0) {
    return;
  }
  const reason = missing.join("; ");
  if (process.env.CI) {
    throw new Error(`CI must run this suite, but ${reason}.`);
  }
  // eslint-disable-next-line no-console
  console.warn(`    skipped: ${reason} (set CI=1 to make this a failure)`);
  ctx.skip();
}

export interface ShellcheckResult {
  readonly status: number | null;
  readonly output: string;
}

export function shellcheck(script: string): ShellcheckResult {
  const result = spawnSync("shellcheck", ["-s", "bash", "-"], {
    input: script,
    encoding: "utf8",
    timeout: 15000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
