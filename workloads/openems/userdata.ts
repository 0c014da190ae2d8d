import {
  ComposeOptions,
  ResolvedComposeOptions,
  composeDataDirs,
  renderCompose,
  serviceEnvFile,
  validateComposeOptions,
} from "./compose";
import { renderFelixBash, shQuote } from "./felix";
import {
  HOST_SECRET_KEYS,
  SECRET_VALUE_REGEX_SOURCE,
  SERVICE_SECRET_ENV,
  ServiceWithSecrets,
} from "./secrets";

import { USER_DATA_LIMIT_BYTES, userDataSize } from "../../lib/ec2-limits";

export { USER_DATA_LIMIT_BYTES };

export function assertUserDataSize(script: string): void {
  const { bytes, fits } = userDataSize(script);
  if (!fits) {
    throw new Error(
      `Backend host user data is ${bytes} bytes; EC2 accepts less than ${USER_DATA_LIMIT_BYTES} bytes (16 KB raw). ` +
        `Shrink the compose file or move parts of the boot script to an S3 object or SSM document.`,
    );
  }
}

/**
 * Docker Compose v2 plugin. Amazon Linux 2023 packages `docker` but not the compose plugin
 * (amazonlinux/amazon-linux-2023 issue #186, still open), so the boot script downloads the release
 * binary and refuses it unless its sha256 matches. v2.40.3 is the last 2.x release; v5 exists but
 * is not proven against AL2023's Docker 25. Checksums as recorded for this release by
 * docker-library/docker (versions.json, `compose.arches.{amd64,arm64v8}.sha256`).
 */
export const DEFAULT_COMPOSE_PLUGIN: ComposePlugin = {
  version: "2.40.3",
  sha256: {
    x86_64: "dba9d98e1ba5bfe11d88c99b9bd32fc4a0624a30fafe68eea34d61a3e42fd372",
    aarch64: "d26373b19e89160546d15407516cc59f453030d9bc5b43ba7faf16f7b4980137",
  },
};

export interface ComposePlugin {
  /** Release of github.com/docker/compose, without the leading `v`. */
  readonly version: string;
  /** sha256 of `docker-compose-linux-<arch>` per `uname -m`. */
  readonly sha256: { readonly x86_64: string; readonly aarch64: string };
}

/** What the CloudWatch agent publishes, for the alarms the Pulumi program creates. */
export const HOST_METRICS = {
  namespace: "CWAgent",
  diskUsedPercent: "disk_used_percent",
  memUsedPercent: "mem_used_percent",
} as const;

/**
 * Dimensions of `disk_used_percent` for the data volume, exactly as the agent config below
 * publishes them (the device dimension is dropped because NVMe names are not stable). The
 * filesystem type is xfs because the boot script formats new volumes with xfs; a volume that
 * arrived with another filesystem reports that type instead.
 */
export function dataDiskMetricDimensions(
  instanceId: string,
  mountPoint = "/data",
): Record<string, string> {
  return { InstanceId: instanceId, path: mountPoint, fstype: "xfs" };
}

export interface HostUserDataOptions {
  /** The Compose stack: compose file, env files, data directories and Felix config derive from it. */
  readonly compose: ComposeOptions;
  /** EBS data volume id (`vol-` + 8 or 17 hex); the script waits for it under /dev/disk/by-id. */
  readonly dataVolumeId: string;
  /** ARN of the Secrets Manager secret holding the JSON of HOST_SECRET_KEYS (see secrets.ts). */
  readonly secretArn: string;
  /** Compose plugin release and checksums. Default {@link DEFAULT_COMPOSE_PLUGIN}. */
  readonly composePlugin?: ComposePlugin;
  /** Install the CloudWatch agent for disk_used_percent and mem_used_percent. Default true. */
  readonly cloudWatchAgent?: boolean;
  /** Where compose.yaml is written. Default `/opt/openems`. */
  readonly composeDir?: string;
}

const VOLUME_ID = /^vol-([0-9a-f]{8}|[0-9a-f]{17})$/;
const SECRET_ARN = new RegExp(
  "^arn:aws[a-z-]*:secretsmanager:[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\\d:\\d{12}:secret:[A-Za-z0-9/_+=.@-]+$",
);
const SHA256 = /^[0-9a-f]{64}$/;
const SEMVER = /^\d+\.\d+\.\d+$/;
const ABS_PATH = /^(\/[A-Za-z0-9._-]+)+$/;
const OPTION_KEYS = [
  "compose",
  "dataVolumeId",
  "secretArn",
  "composePlugin",
  "cloudWatchAgent",
  "composeDir",
];
const show = (v: unknown): string => (v === undefined ? "nothing" : JSON.stringify(v));

export interface ResolvedHostUserDataOptions {
  readonly compose: ResolvedComposeOptions;
  readonly dataVolumeId: string;
  readonly secretArn: string;
  readonly composePlugin: ComposePlugin;
  readonly cloudWatchAgent: boolean;
  readonly composeDir: string;
}

/** Checks every option (the compose options too) and throws one Error listing every problem. */
export function validateHostUserDataOptions(
  opts: HostUserDataOptions,
): ResolvedHostUserDataOptions {
  const problems: string[] = [];
  for (const key of Object.keys(opts)) {
    if (!OPTION_KEYS.includes(key)) {
      problems.push(`unknown option "${key}"; allowed: ${OPTION_KEYS.join(", ")}`);
    }
  }
  let compose: ResolvedComposeOptions | undefined;
  try {
    compose = validateComposeOptions(opts.compose ?? ({} as ComposeOptions));
  } catch (e) {
    problems.push(`compose: ${(e as Error).message.replace(/\n/g, "\n  ")}`);
  }
  if (typeof opts.dataVolumeId !== "string" || !VOLUME_ID.test(opts.dataVolumeId)) {
    problems.push(
      `dataVolumeId: got ${show(opts.dataVolumeId)}; expected an EBS volume id such as "vol-0123456789abcdef0"`,
    );
  }
  if (typeof opts.secretArn !== "string" || !SECRET_ARN.test(opts.secretArn)) {
    problems.push(
      `secretArn: got ${show(opts.secretArn)}; expected a Secrets Manager secret ARN ` +
        `(arn:aws:secretsmanager:<region>:<account>:secret:<name>)`,
    );
  } else if (compose && opts.secretArn.split(":")[3] !== compose.region) {
    // The script asks Secrets Manager in the instance's own region (from IMDSv2).
    problems.push(
      `secretArn: the secret is in ${opts.secretArn.split(":")[3]} but the host runs in ` +
        `${compose.region}; expected a secret in the host's region`,
    );
  }
  const plugin = opts.composePlugin ?? DEFAULT_COMPOSE_PLUGIN;
  if (typeof plugin.version !== "string" || !SEMVER.test(plugin.version)) {
    problems.push(
      `composePlugin.version: got ${show(plugin.version)}; expected a release such as "2.40.3" (no leading v)`,
    );
  }
  for (const arch of ["x86_64", "aarch64"] as const) {
    const sum = plugin.sha256?.[arch];
    if (typeof sum !== "string" || !SHA256.test(sum)) {
      problems.push(
        `composePlugin.sha256.${arch}: got ${show(sum)}; expected 64 lowercase hex characters`,
      );
    }
  }
  const cloudWatchAgent = opts.cloudWatchAgent ?? true;
  if (typeof cloudWatchAgent !== "boolean") {
    problems.push(`cloudWatchAgent: got ${show(cloudWatchAgent)}; expected true or false`);
  }
  const composeDir = opts.composeDir ?? "/opt/openems";
  if (typeof composeDir !== "string" || !ABS_PATH.test(composeDir) || composeDir.includes("/..")) {
    problems.push(
      `composeDir: got ${show(opts.composeDir)}; expected an absolute path such as "/opt/openems"`,
    );
  }
  if (problems.length > 0 || !compose) {
    const list = problems.map((p) => `  - ${p}`).join("\n");
    throw new Error(`Invalid OpenEMS host user data options:\n${list}`);
  }
  return {
    compose,
    dataVolumeId: opts.dataVolumeId,
    secretArn: opts.secretArn,
    composePlugin: plugin,
    cloudWatchAgent,
    composeDir,
  };
}

/** Minimal CloudWatch agent config: disk and memory use, the metrics alarms need. */
export function renderCloudWatchAgentConfig(mountPoint: string): string {
  return JSON.stringify({
    agent: { metrics_collection_interval: 60 },
    metrics: {
      namespace: HOST_METRICS.namespace,
      append_dimensions: { InstanceId: "${aws:InstanceId}" },
      metrics_collected: {
        disk: { measurement: ["used_percent"], resources: [mountPoint, "/"], drop_device: true },
        mem: { measurement: ["used_percent"] },
      },
    },
  });
}

const COMPOSE_EOF = "OPENEMS_COMPOSE_YAML";
const AGENT_EOF = "OPENEMS_CWAGENT_JSON";

function envFilesBash(opts: ResolvedComposeOptions): string[] {
  const lines = ["write_env_files() {", '  install -d -m 0700 "$SECRETS_DIR"', "  ("];
  lines.push("    umask 077");
  for (const service of Object.keys(SERVICE_SECRET_ENV) as ServiceWithSecrets[]) {
    const file = serviceEnvFile(opts, service);
    const vars = Object.entries(SERVICE_SECRET_ENV[service]) as [string, string][];
    const printfs = vars.map(([env, key]) => `printf '%s=%s\\n' ${env} "\${SECRET[${key}]}"`);
    lines.push(`    { ${printfs.join("; ")}; } > ${shQuote(file)}`);
    lines.push(`    chmod 0600 ${shQuote(file)}`);
  }
  lines.push("  )", "}");
  return lines;
}

/**
 * The backend host's boot script (bash, Amazon Linux 2023 on x86_64 or arm64). In order: install
 * Docker, jq and the CloudWatch agent from the AL2023 repositories and the pinned compose plugin;
 * wait for the data volume, format it only if it carries no signature at all, mount it by UUID;
 * make Docker wait for that mount; fetch the secret with the instance role; write per-service env
 * files (tmpfs, 0600), the OpenEMS Felix config and the compose file; start the stack.
 *
 * Runs once per instance (cloud-init), and is safe to run again by hand to pick up rotated secrets.
 */
export function renderHostUserData(options: HostUserDataOptions): string {
  const o = validateHostUserDataOptions(options);
  const c = o.compose;
  const composeYaml = renderCompose(options.compose);
  if (composeYaml.split("\n").includes(COMPOSE_EOF)) {
    throw new Error(`compose file contains the heredoc terminator line ${COMPOSE_EOF}`);
  }
  const dataDirs = composeDataDirs(c).map(shQuote).join(" ");

  const script = [
    "#!/bin/bash",
    "# OpenEMS backend host boot script, rendered by renderHostUserData() in workloads/openems/userdata.ts.",
    "# Holds no secrets. Runs once per instance; running it again re-reads the secret and restarts what changed.",
    "set -euo pipefail",
    "umask 022",
    "",
    `readonly DATA_VOLUME_ID=${shQuote(o.dataVolumeId)}`,
    `readonly MOUNT_POINT=${shQuote(c.mountPoint)}`,
    `readonly SECRET_ARN=${shQuote(o.secretArn)}`,
    `readonly SECRETS_DIR=${shQuote(c.secretsDir)}`,
    `readonly COMPOSE_DIR=${shQuote(o.composeDir)}`,
    `readonly COMPOSE_VERSION=${shQuote(o.composePlugin.version)}`,
    `readonly COMPOSE_SHA256_X86_64=${shQuote(o.composePlugin.sha256.x86_64)}`,
    `readonly COMPOSE_SHA256_AARCH64=${shQuote(o.composePlugin.sha256.aarch64)}`,
    `readonly SECRET_RE=${shQuote(SECRET_VALUE_REGEX_SOURCE)}`,
    `readonly SECRET_KEYS=(${HOST_SECRET_KEYS.join(" ")})`,
    `readonly DATA_DIRS=(${dataDirs})`,
    "declare -gA SECRET=()",
    "",
    "log() { printf 'openems-boot: %s\\n' \"$*\" >&2; }",
    'die() { log "ERROR: $*"; exit 1; }',
    "",
    "install_packages() {",
    `  dnf install -y docker jq${o.cloudWatchAgent ? " amazon-cloudwatch-agent" : ""}`,
    "}",
    "",
    "install_compose_plugin() {",
    "  local arch sum tmp plugin=/usr/local/lib/docker/cli-plugins/docker-compose",
    '  case "$(uname -m)" in',
    "    x86_64) arch=x86_64 sum=$COMPOSE_SHA256_X86_64 ;;",
    "    aarch64) arch=aarch64 sum=$COMPOSE_SHA256_AARCH64 ;;",
    '    *) die "unsupported architecture $(uname -m)" ;;',
    "  esac",
    '  if [ -x "$plugin" ] && printf \'%s  %s\\n\' "$sum" "$plugin" | sha256sum -c --status; then return 0; fi',
    "  tmp=$(mktemp)",
    '  curl -fsSL --retry 5 --retry-connrefused -o "$tmp" \\',
    '    "https://github.com/docker/compose/releases/download/v$COMPOSE_VERSION/docker-compose-linux-$arch"',
    '  if ! printf \'%s  %s\\n\' "$sum" "$tmp" | sha256sum -c --status; then',
    '    rm -f "$tmp"',
    '    die "docker-compose-linux-$arch v$COMPOSE_VERSION does not match its pinned sha256; not installing it"',
    "  fi",
    '  install -D -m 0755 "$tmp" "$plugin"',
    '  rm -f "$tmp"',
    "}",
    "",
    "# On Nitro instances an EBS volume is an NVMe device whose serial is the volume id without",
    "# its dash; udev links it under /dev/disk/by-id. The attachment may come after boot.",
    "wait_for_device() {",
    '  local i link="/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${DATA_VOLUME_ID//-/}"',
    "  for ((i = 0; i < 120; i++)); do",
    '    if [ -e "$link" ]; then readlink -f "$link"; return 0; fi',
    "    sleep 5",
    "  done",
    '  die "data volume $DATA_VOLUME_ID did not appear at $link within 600 s"',
    "}",
    "",
    "# Never format a volume that holds anything: only blkid exit status 2 (no signature at all)",
    "# leads to mkfs. A filesystem, a partition table, an ambivalent probe or a read error stops here.",
    "# blkid also exits 2 for a path it cannot open, hence the read test first.",
    "ensure_filesystem() {",
    "  local dev=$1 rc=0 fstype",
    '  dd if="$dev" of=/dev/null bs=4096 count=1 status=none || die "cannot read $dev; refusing to format it"',
    '  blkid -p "$dev" >/dev/null 2>&1 || rc=$?',
    "  case $rc in",
    "    0) ;;",
    '    2) log "no filesystem on $dev: creating xfs"; mkfs.xfs -q -L openems-data "$dev" >&2 ;;',
    '    *) die "blkid -p $dev exited $rc (ambivalent or unreadable); refusing to format it" ;;',
    "  esac",
    '  fstype=$(blkid -p -s TYPE -o value "$dev" 2>/dev/null || true)',
    '  [ -n "$fstype" ] || die "$dev holds a signature but no filesystem (partition table?); refusing to format or mount it"',
    "  printf '%s\\n' \"$fstype\"",
    "}",
    "",
    "mount_data_volume() {",
    "  local dev fstype uuid",
    "  dev=$(wait_for_device)",
    '  [ -b "$dev" ] || die "$dev is not a block device"',
    '  fstype=$(ensure_filesystem "$dev")',
    '  uuid=$(blkid -p -s UUID -o value "$dev")',
    '  [ -n "$uuid" ] || die "no filesystem UUID on $dev"',
    '  mkdir -p "$MOUNT_POINT"',
    '  if ! grep -q "^UUID=$uuid " /etc/fstab; then',
    "    # nofail: a missing volume must not block boot (SSM stays reachable to investigate).",
    '    printf \'UUID=%s %s %s defaults,nofail,x-systemd.device-timeout=60s 0 2\\n\' "$uuid" "$MOUNT_POINT" "$fstype" >>/etc/fstab',
    "  fi",
    "  systemctl daemon-reload",
    '  mountpoint -q "$MOUNT_POINT" || mount "$MOUNT_POINT"',
    '  mountpoint -q "$MOUNT_POINT" || die "$MOUNT_POINT is not mounted"',
    '  mkdir -p "${DATA_DIRS[@]}"',
    "}",
    "",
    "# Docker must not start before the data volume is mounted: containers would otherwise create",
    "# fresh, empty databases on the root volume after a reboot where the volume came late.",
    "start_docker() {",
    "  install -d /etc/systemd/system/docker.service.d",
    "  printf '[Unit]\\nRequiresMountsFor=%s\\n' \"$MOUNT_POINT\" >/etc/systemd/system/docker.service.d/10-openems-data.conf",
    "  systemctl daemon-reload",
    "  systemctl enable --now docker",
    "}",
    "",
    "load_secrets() {",
    "  local token region json key value",
    "  token=$(curl -fsS --retry 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' http://169.254.169.254/latest/api/token)",
    '  region=$(curl -fsS --retry 5 -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/placement/region)',
    '  json=$(aws secretsmanager get-secret-value --region "$region" --secret-id "$SECRET_ARN" --query SecretString --output text)',
    '  for key in "${SECRET_KEYS[@]}"; do',
    '    value=$(jq -r --arg k "$key" \'.[$k] // empty | strings\' <<<"$json")',
    '    [[ $value =~ $SECRET_RE ]] || die "key \\"$key\\" of $SECRET_ARN is missing or not 16-256 characters of A-Z a-z 0-9 . _ ~ + / = -"',
    "    SECRET[$key]=$value",
    "  done",
    "}",
    "",
    ...envFilesBash(c),
    "",
    "# keep: written only when missing (Felix console edits survive); always: holds secrets, rewritten.",
    "# A changed existing file restarts the backend, which reads Felix config only at start.",
    "FELIX_CHANGED=0",
    "felix_file() {",
    "  local file=$1/$2 mode=$3 new",
    "  shift 3",
    '  if [ "$mode" = keep ] && [ -e "$file" ]; then return 0; fi',
    "  new=$(printf '%s\\n' \"$@\")",
    '  if [ -e "$file" ] && [ "$(<"$file")" = "$new" ]; then return 0; fi',
    '  if [ -e "$file" ]; then FELIX_CHANGED=1; fi',
    '  mkdir -p "$(dirname "$file")"',
    '  (umask 077 && printf \'%s\\n\' "$new" >"$file")',
    "}",
    "",
    renderFelixBash(c),
    "",
    "write_compose_file() {",
    '  install -d -m 0755 "$COMPOSE_DIR"',
    `  cat >"$COMPOSE_DIR/compose.yaml" <<'${COMPOSE_EOF}'`,
    composeYaml.replace(/\n$/, ""),
    COMPOSE_EOF,
    "}",
    "",
    ...(o.cloudWatchAgent
      ? [
          "configure_cloudwatch_agent() {",
          "  local cfg=/opt/aws/amazon-cloudwatch-agent/etc/openems-agent.json",
          `  cat >"$cfg" <<'${AGENT_EOF}'`,
          renderCloudWatchAgentConfig(c.mountPoint),
          AGENT_EOF,
          '  /opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c "file:$cfg"',
          "}",
          "",
        ]
      : []),
    'compose() { docker compose -p openems -f "$COMPOSE_DIR/compose.yaml" "$@"; }',
    "",
    "start_stack() {",
    "  compose pull --quiet",
    "  # Odoo runs as its own user; its bind-mounted directories start out owned by root.",
    "  compose run --rm --no-deps --user root --entrypoint chown odoo -R odoo:odoo /var/lib/odoo /mnt/extra-addons",
    "  compose up -d --remove-orphans",
    '  if [ "$FELIX_CHANGED" = 1 ]; then compose restart openems-backend; fi',
    "}",
    "",
    "main() {",
    "  install_packages",
    "  install_compose_plugin",
    "  mount_data_volume",
    "  start_docker",
    "  load_secrets",
    "  write_env_files",
    '  write_felix_config "$MOUNT_POINT/openems/config"',
    "  write_compose_file",
    ...(o.cloudWatchAgent ? ["  configure_cloudwatch_agent"] : []),
    "  start_stack",
    '  log "OpenEMS stack started"',
    "}",
    "",
    'main "$@"',
    "",
  ].join("\n");

  assertUserDataSize(script);
  return script;
}
