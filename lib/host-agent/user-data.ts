// The user data of every host that runs the agent: it installs the agent and its units, names the
// manifest parameter, and starts the first run. Nothing else, so a configuration change (which
// changes the manifest, not this script) never touches the instance's user data.
import * as zlib from "zlib";
import { HOST_AGENT_PATHS, renderAgentScript } from "./agent-script";
import { USER_DATA_LIMIT_BYTES, userDataSize } from "../ec2-limits";

export const HOST_AGENT_UNITS = {
  service: "host-agent.service",
  timer: "host-agent.timer",
} as const;

export interface HostAgentTiming {
  /** Minutes between runs after boot (default 3): how long a configuration change takes to arrive. */
  readonly intervalMinutes?: number;
}

function fail(key: string, value: unknown, allowed: string): never {
  throw new Error(`renderHostUserData: ${key}: got ${JSON.stringify(value)}; expected ${allowed}`);
}

/** The oneshot run at every boot; the timer starts the same unit again. */
export function renderAgentService(): string {
  return `[Unit]
Description=Converge this host to its manifest (host-agent)
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
ExecStart=${HOST_AGENT_PATHS.script} apply
# A boot run waits for IAM, SSM and S3 with its retries; a stuck call must still end.
TimeoutStartSec=20min
NoNewPrivileges=yes

[Install]
WantedBy=multi-user.target
`;
}

export function renderAgentTimer(timing: HostAgentTiming = {}): string {
  const minutes = timing.intervalMinutes ?? 3;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 60) {
    fail("intervalMinutes", minutes, "an integer from 1 to 60");
  }
  return `[Unit]
Description=Run host-agent every ${minutes} minutes

[Timer]
OnBootSec=${minutes}min
OnUnitActiveSec=${minutes}min
RandomizedDelaySec=30s

[Install]
WantedBy=timers.target
`;
}

/** The SSM parameter of a host's manifest: /openems/<env>/hosts/<role>/manifest. */
export function hostManifestParameterName(env: string, role: string): string {
  for (const [key, value] of [
    ["env", env],
    ["role", role],
  ]) {
    if (!/^[a-z0-9][a-z0-9-]{0,40}$/.test(value)) {
      throw new Error(
        `hostManifestParameterName: ${key}: got ${JSON.stringify(value)}; expected lower-case letters, digits and -`,
      );
    }
  }
  return `/openems/${env}/hosts/${role}/manifest`;
}

const SSM_NAME = /^\/[A-Za-z0-9_.\-\/]{1,1010}$/;

/** The agent, gzip-compressed and base64-encoded: EC2 allows 16 KB of user data. */
function packedAgent(): string {
  const gz = zlib.gzipSync(Buffer.from(renderAgentScript(), "utf8"), { level: 9 });
  return gz.toString("base64").replace(/.{76}/g, "$&\n");
}

function heredoc(path: string, content: string, delimiter: string): string {
  return `cat > '${path}' <<'${delimiter}'\n${content.endsWith("\n") ? content : `${content}\n`}${delimiter}`;
}

export interface HostUserDataOptions {
  /** The SSM parameter holding the host's manifest (renderHostManifest): the only host-specific value. */
  readonly manifestParameter: string;
  readonly timing?: HostAgentTiming;
}

/** User data of a host converged by the agent (Amazon Linux 2023). */
export function renderHostUserData(opts: HostUserDataOptions): string {
  if (!SSM_NAME.test(opts.manifestParameter) || /^\/(aws|ssm)/i.test(opts.manifestParameter)) {
    fail(
      "manifestParameter",
      opts.manifestParameter,
      "an SSM parameter name starting with / (not /aws or /ssm)",
    );
  }
  const script = `#!/bin/bash
# Boot script of a host converged by host-agent. Rendered by lib/host-agent/user-data.ts: it
# installs the agent and names the host's manifest parameter; everything else comes from the
# manifest, at every boot and every few minutes after.
set -euo pipefail
umask 022

# No SSH on any host (Session Manager only): stopped before anything else, masked by the agent too.
systemctl mask --now sshd.service sshd.socket || true

for attempt in 1 2 3 4 5 6; do
  if dnf install -y -q awscli-2 jq; then break; fi
  echo "dnf install failed (attempt \${attempt}); retrying" >&2
  sleep $(( attempt * 10 ))
done
command -v aws > /dev/null && command -v jq > /dev/null

install -d -m 0755 /etc/host-agent /usr/local/sbin
printf '%s\\n' '${opts.manifestParameter}' > '${HOST_AGENT_PATHS.manifestParameterFile}'
base64 -d > /tmp/host-agent.gz <<'HOST_AGENT'
${packedAgent()}
HOST_AGENT
gunzip -c /tmp/host-agent.gz > '${HOST_AGENT_PATHS.script}'
rm -f /tmp/host-agent.gz
chmod 0755 '${HOST_AGENT_PATHS.script}'
${heredoc(`/etc/systemd/system/${HOST_AGENT_UNITS.service}`, renderAgentService(), "UNIT")}
${heredoc(`/etc/systemd/system/${HOST_AGENT_UNITS.timer}`, renderAgentTimer(opts.timing), "UNIT")}
systemctl daemon-reload
systemctl enable ${HOST_AGENT_UNITS.service} ${HOST_AGENT_UNITS.timer}
# --no-block: this script runs inside cloud-final, which the agent's run must not wait for.
systemctl start --no-block ${HOST_AGENT_UNITS.service} ${HOST_AGENT_UNITS.timer}
`;
  const { bytes, fits } = userDataSize(script);
  if (!fits) fail("(user data)", `${bytes} bytes`, `less than ${USER_DATA_LIMIT_BYTES} bytes`);
  return script;
}
