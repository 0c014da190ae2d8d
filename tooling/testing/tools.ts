/**
 * The gate for tests that drive real tools (shellcheck, openssl, openvpn, nft, docker-compose, ...)
 * and the helpers that run them. Policy: on CI (process.env.CI set) a missing prerequisite is a
 * failure, because a skipped proof is no proof; on a developer machine the suite is skipped, saying
 * why and which Debian package provides the tool.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";

/**
 * A tool a test needs: a name looked up on the PATH, or a command that must run and exit 0 (for
 * tools whose presence is not enough, or whose package is named differently).
 */
export type Tool =
  | string
  | { readonly command: string; readonly args: readonly string[]; readonly debianPackage: string };

export interface Prerequisites {
  readonly tools?: readonly Tool[];
  /** Root, for TUN devices and network namespaces. */
  readonly root?: boolean;
  /** /dev/net/tun, for OpenVPN tunnels. */
  readonly tun?: boolean;
}

export function which(tool: string): string | undefined {
  const result = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" });
  const path = result.stdout.trim();
  return result.status === 0 && path !== "" ? path : undefined;
}

/** Probed once per process: docker-compose alone takes about a second to start. */
const probes = new Map<string, string | undefined>();

/** Why `tool` cannot run here, or undefined when it can. */
function toolProblem(tool: Tool): string | undefined {
  const id = typeof tool === "string" ? tool : [tool.command, ...tool.args].join(" ");
  if (!probes.has(id)) {
    if (typeof tool === "string") {
      probes.set(id, which(tool) === undefined ? `${tool} is not installed` : undefined);
    } else {
      const probe = spawnSync(tool.command, [...tool.args], { encoding: "utf8", timeout: 10000 });
      probes.set(
        id,
        probe.error === undefined && probe.status === 0
          ? undefined
          : `${id} is not available (${probe.error?.message ?? `exit ${probe.status}`}); install the Debian package ${tool.debianPackage}`,
      );
    }
  }
  return probes.get(id);
}

/** Problems that prevent real-tool tests from running here; empty when everything is present. */
export function missingPrerequisites(needs: Prerequisites): string[] {
  const missing = (needs.tools ?? []).flatMap((t) => toolProblem(t) ?? []);
  if (needs.root && process.getuid?.() !== 0) {
    missing.push("not running as root (needed to create TUN devices)");
  }
  if (needs.tun && !fs.existsSync("/dev/net/tun")) {
    missing.push("/dev/net/tun is missing");
  }
  return missing;
}

/**
 * Call from a `before` hook or test declared with `function` (it needs mocha's `this`): throws on
 * CI, skips elsewhere.
 */
export function requirePrerequisites(
  ctx: Mocha.Context,
  needs: Prerequisites,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const missing = missingPrerequisites(needs);
  if (missing.length === 0) return;
  const reason = missing.join("; ");
  if (env.CI) throw new Error(`CI must run this suite, but ${reason}.`);
  console.warn(`      skipped: ${reason} (set CI=1 to make this a failure)`);
  ctx.skip();
}

/** {@link requirePrerequisites} for one tool that must run (`command args` exits 0). */
export function requireTool(
  ctx: Mocha.Context,
  command: string,
  args: string[],
  debianPackage: string,
): void {
  requirePrerequisites(ctx, { tools: [{ command, args, debianPackage }] });
}

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(
  command: string,
  args: string[],
  opts: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): RunResult {
  const r = spawnSync(command, args, { encoding: "utf8", timeout: 20000, ...opts });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Like {@link run} but without blocking, so slow tools (docker-compose starts Python) run side by side. */
export function runAsync(
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...opts, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 20000);
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

export interface ShellcheckResult {
  readonly status: number | null;
  readonly output: string;
}

/** shellcheck (bash dialect) over a script given as text. */
export function shellcheck(script: string): ShellcheckResult {
  const result = spawnSync("shellcheck", ["-s", "bash", "-"], {
    input: script,
    encoding: "utf8",
    timeout: 15000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The text of a top-level bash function: a one-liner `name() { ...; }` or a block up to the first `}` line. */
export function bashFunction(script: string, name: string): string {
  const m =
    new RegExp(`^${name}\\(\\) \\{ .*; \\}$`, "m").exec(script) ??
    new RegExp(`^${name}\\(\\) \\{\\n[\\s\\S]*?\\n\\}$`, "m").exec(script);
  if (!m) throw new Error(`function ${name} not found in the script`);
  return m[0];
}
