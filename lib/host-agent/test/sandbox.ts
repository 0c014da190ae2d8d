// Runs the real agent script in a sandbox: a temporary root (HOST_AGENT_ROOT), the real AWS CLI
// pointed at the stand-in on 127.0.0.1, and a systemctl that records what it is asked and keeps
// unit states in files, so a test can say exactly which units were started, restarted or reloaded.
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { HOST_AGENT_PATHS, renderAgentScript } from "../agent-script";
import { FAKE_AWS_CLI } from "./fake-aws-cli";
import { which } from "../../../tooling/testing/tools";
import { standInAwsEnv } from "../../../tooling/testing/aws-standin";

const SYSTEMCTL_STUB = `#!/bin/bash
# Test stand-in for systemctl: records the call, keeps unit states as files.
set -euo pipefail
state="$SANDBOX_UNITS"
printf '%s\\n' "$*" >> "$state/calls"
quiet=0
args=()
for a in "$@"; do
  case "$a" in --quiet) quiet=1 ;; --now|--no-block) ;; *) args+=("$a") ;; esac
done
verb="\${args[0]}"
unit="\${args[1]:-}"
case "$verb" in
  daemon-reload) ;;
  is-active) [[ -e "$state/active/$unit" ]] || exit 3 ;;
  is-enabled)
    if [[ -e "$state/masked/$unit" ]]; then echo masked; exit 1; fi
    if [[ -e "$state/enabled/$unit" ]]; then (( quiet )) || echo enabled; exit 0; fi
    (( quiet )) || echo disabled; exit 1 ;;
  enable) touch "$state/enabled/$unit" ;;
  mask) touch "$state/masked/$unit"; rm -f "$state/active/$unit" ;;
  start|restart|reload)
    if [[ -e "$state/fail/$unit" ]]; then exit 1; fi
    if [[ "$verb" == reload && ! -e "$state/active/$unit" ]]; then exit 1; fi
    # A oneshot runs its command and, once it ended, is inactive again (no RemainAfterExit).
    if [[ "$verb" != reload && -x "$state/oneshot/$unit" ]]; then exec "$state/oneshot/$unit"; fi
    touch "$state/active/$unit" ;;
  stop) rm -f "$state/active/$unit" ;;
  *) echo "stub systemctl: unsupported $verb" >&2; exit 1 ;;
esac
`;

export interface AgentRun {
  readonly status: number | null;
  readonly stderr: string;
  readonly stdout: string;
  /** systemctl calls of this run that change something (start, restart, reload, mask, enable...). */
  readonly actions: string[];
}

export class AgentSandbox {
  readonly dir: string;
  readonly root: string;
  private readonly bin: string;
  private readonly units: string;
  private readonly agent: string;

  constructor(
    private readonly endpoint: string,
    manifestParameter: string,
    realCli = false,
  ) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "host-agent-"));
    this.root = path.join(this.dir, "root");
    this.bin = path.join(this.dir, "bin");
    this.units = path.join(this.dir, "units");
    for (const d of [
      this.root,
      this.bin,
      ...["active", "enabled", "masked", "fail", "oneshot"].map((s) => path.join(this.units, s)),
    ]) {
      fs.mkdirSync(d, { recursive: true });
    }
    // The stand-in CLI by default; the real one (slow: seconds a call) when asked for.
    const aws = which("aws");
    if (realCli && aws === undefined) throw new Error("the AWS CLI is not installed");
    fs.writeFileSync(
      path.join(this.bin, "aws"),
      realCli ? `#!/bin/sh\nexec ${aws} --endpoint-url '${endpoint}' "$@"\n` : FAKE_AWS_CLI,
      { mode: 0o755 },
    );
    fs.writeFileSync(path.join(this.bin, "systemctl"), SYSTEMCTL_STUB, { mode: 0o755 });
    this.agent = path.join(this.dir, "host-agent");
    fs.writeFileSync(this.agent, renderAgentScript(), { mode: 0o755 });
    this.write(HOST_AGENT_PATHS.manifestParameterFile, `${manifestParameter}\n`);
  }

  /** A path inside the sandbox root. */
  path(p: string): string {
    return path.join(this.root, p);
  }

  write(p: string, content: string, mode = 0o644): void {
    fs.mkdirSync(path.dirname(this.path(p)), { recursive: true });
    fs.writeFileSync(this.path(p), content, { mode });
  }

  read(p: string): string {
    return fs.readFileSync(this.path(p), "utf8");
  }

  exists(p: string): boolean {
    return fs.existsSync(this.path(p));
  }

  isActive(unit: string): boolean {
    return fs.existsSync(path.join(this.units, "active", unit));
  }

  isMasked(unit: string): boolean {
    return fs.existsSync(path.join(this.units, "masked", unit));
  }

  /** Puts a stand-in for a host tool (rpm, dnf, ...) on the agent's PATH. */
  tool(name: string, script: string): void {
    fs.writeFileSync(path.join(this.bin, name), script, { mode: 0o755 });
  }

  /**
   * Makes `unit` a oneshot whose `systemctl start|restart` runs `script` to its end, as systemd
   * does for Type=oneshot: the call fails when the script fails, and the unit is inactive after.
   */
  oneshot(unit: string, script: string): void {
    fs.writeFileSync(path.join(this.units, "oneshot", unit), script, { mode: 0o755 });
  }

  /** Make `systemctl start|restart <unit>` fail, as a unit whose dependency failed does. */
  failUnit(unit: string, failing = true): void {
    const marker = path.join(this.units, "fail", unit);
    if (failing) fs.writeFileSync(marker, "");
    else fs.rmSync(marker, { force: true });
  }

  private calls(): string[] {
    const file = path.join(this.units, "calls");
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
  }

  /** Runs `host-agent apply` (asynchronously: the stand-in answers from this same process). */
  async apply(env: NodeJS.ProcessEnv = {}): Promise<AgentRun> {
    const before = this.calls().length;
    const child = spawn("bash", [this.agent, "apply"], {
      env: {
        PATH: `${this.bin}:${process.env.PATH}`,
        HOME: this.dir,
        HOST_AGENT_ROOT: this.root,
        HOST_AGENT_ATTEMPTS: "4",
        HOST_AGENT_RETRY_SECONDS: "0.1",
        HOST_AGENT_RETRY_MAX_SECONDS: "0.2",
        SANDBOX_UNITS: this.units,
        ...standInAwsEnv(this.endpoint),
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const status = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), 60000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    const actions = this.calls()
      .slice(before)
      .filter((c) => !/^(is-active|is-enabled)\b/.test(c));
    return { status, stdout, stderr, actions };
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
