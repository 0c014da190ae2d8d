import { parseDirectives, singleDirective } from "./directives";
import { renderMetricsPublisher } from "./metrics-script";

import { USER_DATA_LIMIT_BYTES, userDataSize } from "../ec2-limits";

export { USER_DATA_LIMIT_BYTES };

// Fixed by the distribution's openvpn-server@.service: instance "server" reads server.conf from
// its WorkingDirectory.
const SERVER_DIR = "/etc/openvpn/server";
const SERVER_CONF = `${SERVER_DIR}/server.conf`;
const AWS_ENV_FILE = "/etc/sysconfig/openvpn-aws";
const METRICS_SCRIPT = "/usr/local/sbin/openvpn-publish-metrics";
const ISOLATION_RULESET = "/etc/nftables/openvpn-isolation.nft";

export interface ServerSsmParameters {
  /** SecureString holding the CA certificate PEM. */
  readonly caCert: string;
  /** SecureString holding the server certificate PEM. */
  readonly serverCert: string;
  /** SecureString holding the server private key PEM. */
  readonly serverKey: string;
  /** SecureString holding the tls-crypt key. */
  readonly tlsCryptKey: string;
}

export interface ServerUserDataOptions {
  /** The output of renderServerConfig; every path the script writes is read from it. */
  readonly serverConfig: string;
  /** Names of the SSM parameters holding the key material (read with the instance role). */
  readonly ssmParameters: ServerSsmParameters;
  /** Where the ccd entries live: one object per device, key = <prefix>/<common name>. */
  readonly ccdSource: { readonly bucket: string; readonly prefix: string };
  /** CloudWatch namespace and dimensions of the connection metrics. */
  readonly metrics: {
    readonly namespace: string;
    readonly dimensions: Readonly<Record<string, string>>;
    /** Publish DeviceConnected per device (default true); see MetricsPublisherOptions. */
    readonly perDeviceMetrics?: boolean;
    /** Publish DevicesAway for devices not connected this long; see MetricsPublisherOptions. */
    readonly awayAfterSeconds?: number;
  };
  /** Seconds between ccd syncs (default 60). */
  readonly ccdSyncIntervalSeconds?: number;
  /** Seconds between metric publications (default 60, CloudWatch's standard resolution). */
  readonly metricsIntervalSeconds?: number;
}

const SSM_NAME = /^\/?[A-Za-z0-9_.\-\/]{1,1011}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PREFIX = /^[A-Za-z0-9._\-\/]*$/;
const SAFE_PATH = /^\/[A-Za-z0-9._\/-]+$/;
const ACCOUNT_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

function fail(key: string, value: unknown, allowed: string): never {
  throw new Error(`renderServerUserData: '${key}' is ${JSON.stringify(value)}: ${allowed}.`);
}

function serverSettings(config: string) {
  if (/PRIVATE KEY|OpenVPN Static key/.test(config)) {
    fail(
      "serverConfig",
      "(contains key material)",
      "it must reference key files by path; keys come from SSM at boot, never from user data",
    );
  }
  const directives = parseDirectives(config);
  const inline = directives.find((d) => d.inline !== undefined);
  if (inline) {
    fail("serverConfig", `<${inline.name}> block`, "inline blocks are not allowed here");
  }
  const one = (name: string): readonly string[] => {
    try {
      return singleDirective(directives, name);
    } catch (err) {
      return fail("serverConfig", name, (err as Error).message.replace(/\.$/, ""));
    }
  };
  const [statusFile, statusInterval] = one("status");
  const settings = {
    ca: one("ca")[0],
    cert: one("cert")[0],
    key: one("key")[0],
    tlsCrypt: one("tls-crypt")[0],
    ccdDir: one("client-config-dir")[0],
    statusFile,
    statusIntervalSeconds: Number(statusInterval ?? "60"),
    group: one("group")[0],
  };
  for (const [name, value] of Object.entries(settings)) {
    const ok =
      name === "statusIntervalSeconds"
        ? Number.isInteger(value) && Number(value) > 0
        : name === "group"
          ? ACCOUNT_NAME.test(String(value))
          : SAFE_PATH.test(String(value));
    if (!ok) {
      fail("serverConfig", value, `its ${name} setting cannot be used safely in a shell script`);
    }
  }
  return settings;
}

/** nftables rules that stop VPN clients from reaching each other through the kernel. */
export function renderIsolationRuleset(): string {
  // Without client-to-client OpenVPN does not relay between clients itself, but with IP forwarding
  // on, a packet from one device to another leaves the tun device and the kernel routes it
  // straight back in. A compromised device at one site must not reach devices at other sites.
  // The declare/delete/define sequence makes `nft -f` safe to run again.
  return [
    "table inet openvpn_isolation",
    "delete table inet openvpn_isolation",
    "table inet openvpn_isolation {",
    "  chain forward {",
    "    type filter hook forward priority filter; policy accept;",
    '    iifname "tun*" oifname "tun*" drop',
    "  }",
    "}",
    "",
  ].join("\n");
}

function heredoc(path: string, content: string, delimiter: string): string {
  if (content.split("\n").includes(delimiter)) {
    fail("serverConfig", delimiter, "the content must not contain its here-document delimiter");
  }
  const body = content.endsWith("\n") ? content : `${content}\n`;
  return `cat > '${path}' <<'${delimiter}'\n${body}${delimiter}`;
}

function timer(description: string, seconds: number): string {
  return `[Unit]
Description=${description}

[Timer]
OnBootSec=30s
OnUnitActiveSec=${seconds}s
AccuracySec=5s

[Install]
WantedBy=timers.target
`;
}

/**
 * The boot script of the OpenVPN server: Amazon Linux 2023 on Graviton (arm64). Contains no
 * secrets and no per-device data, so its size does not grow with the fleet.
 */
export function renderServerUserData(opts: ServerUserDataOptions): string {
  const s = serverSettings(opts.serverConfig);
  for (const [name, value] of Object.entries(opts.ssmParameters)) {
    if (!SSM_NAME.test(value) || /^\/?(aws|ssm)/i.test(value)) {
      fail(
        `ssmParameters.${name}`,
        value,
        "it must be an SSM parameter name (letters, digits, _ . - /) not starting with aws or ssm",
      );
    }
  }
  if (!BUCKET.test(opts.ccdSource.bucket)) {
    fail("ccdSource.bucket", opts.ccdSource.bucket, "it must be an S3 bucket name");
  }
  if (!PREFIX.test(opts.ccdSource.prefix)) {
    fail("ccdSource.prefix", opts.ccdSource.prefix, "it must be letters, digits and . _ - /");
  }
  const syncSeconds = opts.ccdSyncIntervalSeconds ?? 60;
  const metricsSeconds = opts.metricsIntervalSeconds ?? 60;
  for (const [key, value] of [
    ["ccdSyncIntervalSeconds", syncSeconds],
    ["metricsIntervalSeconds", metricsSeconds],
  ] as const) {
    if (!Number.isInteger(value) || value < 10 || value > 3600) {
      fail(key, value, "it must be an integer from 10 to 3600");
    }
  }
  const prefix = opts.ccdSource.prefix.replace(/^\/+|\/+$/g, "");
  const s3Url = `s3://${opts.ccdSource.bucket}/${prefix === "" ? "" : `${prefix}/`}`;
  const metricsScript = renderMetricsPublisher({
    statusFile: s.statusFile,
    statusIntervalSeconds: s.statusIntervalSeconds,
    ccdDir: s.ccdDir,
    namespace: opts.metrics.namespace,
    dimensions: opts.metrics.dimensions,
    perDeviceMetrics: opts.metrics.perDeviceMetrics,
    awayAfterSeconds: opts.metrics.awayAfterSeconds,
  });
  const p = opts.ssmParameters;
  const syncTimer = timer("Sync the OpenVPN client-config-dir from S3", syncSeconds);
  const metricsTimer = timer("Publish OpenVPN connection metrics", metricsSeconds);

  const script = `#!/bin/bash
# Boot script of the OpenEMS OpenVPN server (Amazon Linux 2023, arm64). Rendered by
# network/openvpn/server-userdata.ts. Safe to run again: every step converges to the same state.
# It carries no key material (keys come from SSM Parameter Store) and no per-device data (the
# ccd entries are synced from S3), so adding or removing devices never replaces the instance.
set -euo pipefail
umask 022

readonly OPENVPN_GROUP='${s.group}'
readonly CCD_DIR='${s.ccdDir}'

# openvpn is in the AL2023 repository since release 2023.6 (AL2023 cannot use EPEL); awscli-2 and
# nftables are not on the minimal AMI.
dnf install -y openvpn awscli-2 nftables
if ! getent group "\${OPENVPN_GROUP}" > /dev/null; then
  echo "group \${OPENVPN_GROUP} (from server.conf) does not exist on this host" >&2
  exit 1
fi

# The region, for the aws CLI here and in the timers (IMDSv2: token first).
imds_token="$(curl -fsS --retry 5 -X PUT http://169.254.169.254/latest/api/token \\
  -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')"
AWS_REGION="$(curl -fsS --retry 5 -H "X-aws-ec2-metadata-token: \${imds_token}" \\
  http://169.254.169.254/latest/meta-data/placement/region)"
export AWS_REGION
printf 'AWS_REGION=%s\\nAWS_DEFAULT_REGION=%s\\n' "\${AWS_REGION}" "\${AWS_REGION}" \\
  > '${AWS_ENV_FILE}'

# Routed, not NATed: security groups see the devices' VPN addresses. The VPC routes the client
# range to this instance (source/destination check off).
printf 'net.ipv4.ip_forward = 1\\n' > /etc/sysctl.d/90-openvpn-forwarding.conf
sysctl -q -p /etc/sysctl.d/90-openvpn-forwarding.conf

install -d -m 0755 /etc/nftables
${heredoc(ISOLATION_RULESET, renderIsolationRuleset(), "OPENVPN_ISOLATION_RULESET")}

# The server reads ccd entries after dropping to its own account, so its group needs the path.
mkdir -p '${SERVER_DIR}'
chown root:"\${OPENVPN_GROUP}" '${SERVER_DIR}'
chmod 0750 '${SERVER_DIR}'
install -d -m 0755 "\${CCD_DIR}"

# Key material from SSM SecureString parameters, written through a private temporary file so a
# half-written or world-readable key never exists. Read as root before the server drops privileges.
fetch_parameter() {
  local name="$1" dest="$2" tmp
  mkdir -p "$(dirname "\${dest}")"
  tmp="$(mktemp "\${dest}.XXXXXX")"
  if ! aws ssm get-parameter --name "\${name}" --with-decryption \\
    --query Parameter.Value --output text > "\${tmp}"; then
    rm -f "\${tmp}"
    echo "cannot read SSM parameter \${name}" >&2
    return 1
  fi
  chmod 0600 "\${tmp}"
  mv -f "\${tmp}" "\${dest}"
}
fetch_parameter '${p.caCert}' '${s.ca}'
fetch_parameter '${p.serverCert}' '${s.cert}'
fetch_parameter '${p.serverKey}' '${s.key}'
fetch_parameter '${p.tlsCryptKey}' '${s.tlsCrypt}'

${heredoc(SERVER_CONF, opts.serverConfig, "OPENVPN_SERVER_CONF")}
chmod 0644 '${SERVER_CONF}'

${heredoc(METRICS_SCRIPT, metricsScript, "OPENVPN_METRICS_SCRIPT")}
chmod 0755 '${METRICS_SCRIPT}'

${heredoc(
  "/etc/systemd/system/openvpn-isolation.service",
  `[Unit]
Description=Drop forwarding between OpenVPN clients
Before=openvpn-server@server.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/sbin/nft -f ${ISOLATION_RULESET}
ExecStop=/usr/sbin/nft delete table inet openvpn_isolation

[Install]
WantedBy=multi-user.target
`,
  "UNIT",
)}

${heredoc(
  "/etc/systemd/system/openvpn-ccd-sync.service",
  `[Unit]
Description=Sync the OpenVPN client-config-dir from S3
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
EnvironmentFile=${AWS_ENV_FILE}
UMask=0022
ExecStart=/usr/bin/aws s3 sync --delete --only-show-errors ${s3Url} ${s.ccdDir}
`,
  "UNIT",
)}

${heredoc("/etc/systemd/system/openvpn-ccd-sync.timer", syncTimer, "UNIT")}

${heredoc(
  "/etc/systemd/system/openvpn-metrics.service",
  `[Unit]
Description=Publish OpenVPN connection metrics to CloudWatch

[Service]
Type=oneshot
EnvironmentFile=${AWS_ENV_FILE}
ExecStart=${METRICS_SCRIPT}
`,
  "UNIT",
)}

${heredoc("/etc/systemd/system/openvpn-metrics.timer", metricsTimer, "UNIT")}

systemctl daemon-reload
systemctl enable --now openvpn-isolation.service
# A failed first sync is not fatal: devices are refused until the timer's next run succeeds.
if ! systemctl start openvpn-ccd-sync.service; then
  echo "initial ccd sync from ${s3Url} failed; the timer retries" >&2
fi
systemctl enable --now openvpn-ccd-sync.timer openvpn-metrics.timer
systemctl enable openvpn-server@server.service
systemctl restart openvpn-server@server.service
`;
  const { bytes, fits } = userDataSize(script);
  if (!fits) {
    fail(
      "serverConfig",
      `${bytes} bytes of user data`,
      `EC2 accepts less than ${USER_DATA_LIMIT_BYTES} bytes; shorten the config`,
    );
  }
  return script;
}
