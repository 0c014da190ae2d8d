import { spawn, spawnSync } from "child_process";

/**
 * Whether an external tool runs here. In CI (process.env.CI set) a missing tool is a failure: the
 * check it backs would otherwise pass silently. Elsewhere the test is skipped, saying why.
 */
const probes = new Map<string, string | undefined>();

export function requireTool(
  ctx: Mocha.Context,
  command: string,
  args: string[],
  debianPackage: string,
): void {
  const id = [command, ...args].join(" ");
  if (!probes.has(id)) {
    // Probed once per process: docker-compose alone takes about a second to start.
    const probe = spawnSync(command, args, { encoding: "utf8", timeout: 10000 });
    probes.set(
      id,
      probe.error === undefined && probe.status === 0
        ? undefined
        : (probe.error?.message ?? `exit ${probe.status}`),
    );
  }
  const failure = probes.get(id);
  if (failure === undefined) return;
  const reason = `${id} is not available (${failure}); install the Debian package ${debianPackage}`;
  if (process.env.CI) throw new Error(`CI is set, so this check may not be skipped: ${reason}`);
  console.warn(`      skipped: ${reason}`);
  ctx.skip();
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

/** The text of a top-level bash function: a one-liner `name() { ...; }` or a block up to the first `}` line. */
export function bashFunction(script: string, name: string): string {
  const m =
    new RegExp(`^${name}\\(\\) \\{ .*; \\}$`, "m").exec(script) ??
    new RegExp(`^${name}\\(\\) \\{\\n[\\s\\S]*?\\n\\}$`, "m").exec(script);
  if (!m) throw new Error(`function ${name} not found in the script`);
  return m[0];
}

/** Like {@link run} but without blocking, so slow tools (docker-compose starts Python) run side by side. */
export function runAsync(
  command: string,
  args: string[],
  opts: { cwd?: string } = {},
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
