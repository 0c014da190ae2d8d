import { SECRET_VALUE_REGEX_SOURCE } from "./secrets";
import { shQuote } from "./felix";

/**
 * The backend host's apply step, the host-specific half of its convergence. host-agent
 * (lib/host-agent) installs the desired state the Pulumi program publishes (`host.json` and
 * `compose.yaml` under {@link DESIRED_DIR}, this script and its parts) and restarts
 * starts {@link APPLY_UNIT} on each of its runs (boot, then every few minutes: a oneshot is
 * inactive between runs), so a changed file or a rotated secret arrives within minutes without a
 * deployment. The script then does what a file copy cannot:
 * the compose plugin, the data volume (formatted only when blank), the secret from Secrets
 * Manager into tmpfs env files and the Felix files, and `docker compose up -d`, which recreates
 * only the services whose configuration changed. Nothing changed: no Compose call at all.
 *
 * Secrets only ever reach tmpfs env files and the Felix files on the data volume (0600), never a
 * command line (values go through pipes into jq), never the log. Every AWS call and download is
 * retried with backoff (the instance role can take seconds to work after launch), and the unit
 * restarts a failed run every 30 s without a start limit.
 */
export const APPLY_SCRIPT_PATH = "/usr/local/sbin/openems-apply";
export const APPLY_LIB_DIR = "/usr/local/lib/openems-apply";
/** Where host-agent installs host.json and compose.yaml. */
export const DESIRED_DIR = "/etc/openems/desired";
export const APPLY_UNIT = "openems-apply.service";

/** Packages the host needs (AL2023 repositories); host-agent installs them. */
export const HOST_PACKAGES = ["docker", "jq", "amazon-cloudwatch-agent"] as const;

/** The sourced parts, installed under {@link APPLY_LIB_DIR}; each fits an SSM parameter. */
function hostPart(): string[] {
  return [
    "# shellcheck shell=bash",
    "# openems-apply, host part: the compose plugin, the data volume. Sourced by openems-apply.",
    "install_compose_plugin() {",
    "  local arch sum tmp version=$PLUGIN_VERSION",
    '  case "$(uname -m)" in',
    "    x86_64) arch=x86_64 sum=$PLUGIN_SHA256_X86_64 ;;",
    "    aarch64) arch=aarch64 sum=$PLUGIN_SHA256_AARCH64 ;;",
    '    *) die "unsupported architecture $(uname -m)" ;;',
    "  esac",
    '  if [ -x "$PLUGIN_PATH" ] && printf \'%s  %s\\n\' "$sum" "$PLUGIN_PATH" | sha256sum -c --status; then return 0; fi',
    "  tmp=$(mktemp)",
    '  retry 5 curl -fsSL -o "$tmp" \\',
    '    "https://github.com/docker/compose/releases/download/v$version/docker-compose-linux-$arch"',
    '  if ! printf \'%s  %s\\n\' "$sum" "$tmp" | sha256sum -c --status; then',
    '    rm -f "$tmp"',
    '    die "docker-compose-linux-$arch v$version does not match its pinned sha256; not installing it"',
    "  fi",
    '  install -D -m 0755 "$tmp" "$PLUGIN_PATH"',
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
    '  if ! mountpoint -q "$MOUNT_POINT"; then',
    "    dev=$(wait_for_device)",
    '    [ -b "$dev" ] || die "$dev is not a block device"',
    '    fstype=$(ensure_filesystem "$dev")',
    '    uuid=$(blkid -p -s UUID -o value "$dev")',
    '    [ -n "$uuid" ] || die "no filesystem UUID on $dev"',
    '    mkdir -p "$MOUNT_POINT"',
    '    if ! grep -q "^UUID=$uuid " "$FSTAB"; then',
    "      # nofail: a missing volume must not block boot (SSM stays reachable to investigate).",
    '      printf \'UUID=%s %s %s defaults,nofail,x-systemd.device-timeout=60s 0 2\\n\' "$uuid" "$MOUNT_POINT" "$fstype" >>"$FSTAB"',
    "    fi",
    "    systemctl daemon-reload",
    '    mount "$MOUNT_POINT"',
    '    mountpoint -q "$MOUNT_POINT" || die "$MOUNT_POINT is not mounted"',
    "  fi",
    "  local dir",
    "  while IFS= read -r dir; do mkdir -p \"$dir\"; done < <(desired '.dataDirs[]')",
    "}",
    "",
  ];
}

function stackPart(): string[] {
  return [
    "# shellcheck shell=bash",
    "# openems-apply, stack part: files in place and the Compose stack. Sourced by openems-apply.",
    "# put_file PATH MODE < CONTENT: replaces PATH atomically when CONTENT differs; status 0 when it",
    "# changed, 1 when it already held exactly that. The temporary file is 0600 from the start.",
    "put_file() {",
    "  local path=$1 mode=$2 dir=${1%/*} tmp",
    '  [ -d "$dir" ] || mkdir -p "$dir"',
    '  tmp=$(mktemp "$dir/.openems-apply.XXXXXX")',
    '  cat >"$tmp"',
    '  if [ -e "$path" ] && cmp -s "$tmp" "$path"; then',
    '    rm -f "$tmp"',
    '    chmod "$mode" "$path"',
    "    return 1",
    "  fi",
    '  chmod "$mode" "$tmp"',
    '  mv -f "$tmp" "$path"',
    "}",
    "",
    "# Docker must not start before the data volume is mounted: containers would otherwise create",
    "# fresh, empty databases on the root volume after a reboot where the volume came late.",
    "start_docker() {",
    '  if printf \'[Unit]\\nRequiresMountsFor=%s\\n\' "$MOUNT_POINT" | put_file "$DOCKER_DROPIN" 0644; then',
    "    systemctl daemon-reload",
    "  fi",
    "  systemctl enable --now docker",
    "}",
    "",
    "load_secrets() {",
    "  local bad",
    '  SECRET_JSON=$(retry 6 aws secretsmanager get-secret-value --region "$REGION" --secret-id "$SECRET_ARN" \\',
    '    --query SecretString --output text) || die "cannot read the secret $SECRET_ARN"',
    "  # jq's regular expressions (Oniguruma) read this bracket expression as JavaScript and bash do.",
    '  bad=$(printf \'%s\' "$SECRET_JSON" | jq -r --argjson keys "$(desired .secretKeys)" --arg re "$SECRET_RE" \\',
    "    '. as $s | $keys[] | select(($s[.] | type) != \"string\" or ($s[.] | test($re) | not))') ||",
    '    die "the secret $SECRET_ARN is not a JSON object"',
    '  if [ -n "$bad" ]; then',
    '    die "key \\"${bad%%$\'\\n\'*}\\" of $SECRET_ARN is missing or not 16-256 characters of A-Z a-z 0-9 . _ ~ + / = -"',
    "  fi",
    "}",
    "",
    "# Every file that holds secrets, rendered by one jq run: '<kind> <mode> <path> <base64>' a line.",
    "# Env files: NAME=value per variable, 0600 on tmpfs. Felix files, mode keep: written only when",
    "# missing (console edits survive); always: holds secrets, rewritten. A changed existing Felix",
    "# file restarts the backend, which reads Felix config only at start.",
    "ENV_CHANGED=0",
    "FELIX_CHANGED=0",
    "write_secret_files() {",
    "  local rendered kind mode path content existed",
    '  install -d -m 0700 "$SECRETS_DIR"',
    '  rendered=$(printf \'%s\' "$SECRET_JSON" | jq -er --argjson h "$HOST_JSON" \'',
    "    . as $s",
    '    | ($h.envFiles[] | ["env", "always", .path, [.vars[] | "\\(.[0])=\\($s[.[1]])"]]),',
    '      ($h.felix[] | ["felix", .mode, $h.felixDir + "/" + .path,',
    '         [.lines[] | if type == "string" then . else "\\(.key)=\\"\\($s[.secret])\\"" end]])',
    '    | "\\(.[0]) \\(.[1]) \\(.[2]) \\(.[3] | map(. + "\\n") | add | @base64)"\') ||',
    '    die "cannot render the env and Felix files of host.json"',
    "  while read -r kind mode path content; do",
    '    if [ "$mode" = keep ] && [ -e "$path" ]; then continue; fi',
    '    existed=0; if [ -e "$path" ]; then existed=1; fi',
    '    if printf \'%s\' "$content" | base64 -d | put_file "$path" 0600; then',
    '      if [ "$kind" = env ]; then ENV_CHANGED=1; elif [ "$existed" = 1 ]; then FELIX_CHANGED=1; fi',
    "    fi",
    "  done < <(printf '%s\\n' \"$rendered\")",
    "}",
    "",
    "COMPOSE_CHANGED=0",
    "write_compose_file() {",
    '  if put_file "$COMPOSE_DIR/compose.yaml" 0644 <"$DESIRED_DIR/compose.yaml"; then COMPOSE_CHANGED=1; fi',
    "}",
    "",
    "configure_cloudwatch_agent() {",
    '  if [ "$CWAGENT" != object ]; then return 0; fi',
    "  if desired '.cloudWatchAgent' | put_file \"$CWAGENT_CONFIG\" 0644; then",
    '    "$CWAGENT_CTL" -a fetch-config -m ec2 -s -c "file:$CWAGENT_CONFIG"',
    "  fi",
    "}",
    "",
    'compose() { docker compose -p openems -f "$COMPOSE_DIR/compose.yaml" "$@"; }',
    "",
    "# Compose recreates only the services whose configuration (image, environment, env files'",
    "# values, mounts) differs from the running container's; the others keep running. Nothing",
    "# changed: no call at all.",
    "converge_stack() {",
    '  if [ "$COMPOSE_CHANGED" = 1 ]; then',
    "    retry 3 compose pull --quiet",
    "    # Odoo runs as its own user; its bind-mounted directories start out owned by root.",
    "    compose run --rm --no-deps --user root --entrypoint chown odoo -R odoo:odoo /var/lib/odoo /mnt/extra-addons",
    "  fi",
    '  if [ "$COMPOSE_CHANGED" = 1 ] || [ "$ENV_CHANGED" = 1 ]; then compose up -d --remove-orphans; fi',
    '  if [ "$FELIX_CHANGED" = 1 ]; then compose restart openems-backend; fi',
    "}",
    "",
  ];
}

function mainPart(sourced: string[]): string[] {
  return [
    "#!/bin/bash",
    "# openems-apply: converge the OpenEMS backend host on its desired state (host.json and",
    "# compose.yaml, which host-agent installs) and its secret. Rendered by workloads/openems/apply.ts.",
    "# Safe to run at any time; restarts only what changed.",
    "set -euo pipefail",
    "umask 022",
    "",
    `readonly SECRET_RE=${shQuote(SECRET_VALUE_REGEX_SOURCE)}`,
    `: "\${DESIRED_DIR:=${DESIRED_DIR}}"`,
    `: "\${APPLY_LIB:=${APPLY_LIB_DIR}}"`,
    ': "${STATE_DIR:=/var/lib/openems-apply}"',
    ': "${PLUGIN_PATH:=/usr/local/lib/docker/cli-plugins/docker-compose}"',
    ': "${CWAGENT_CTL:=/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl}"',
    ': "${CWAGENT_CONFIG:=/opt/aws/amazon-cloudwatch-agent/etc/openems-agent.json}"',
    ': "${DOCKER_DROPIN:=/etc/systemd/system/docker.service.d/10-openems-data.conf}"',
    ': "${FSTAB:=/etc/fstab}"',
    ': "${RETRY_DELAY:=2}"',
    "",
    "log() { printf 'openems-apply: %s\\n' \"$*\" >&2; }",
    'die() { log "ERROR: $*"; exit 1; }',
    "",
    "# retry ATTEMPTS COMMAND...: backoff from RETRY_DELAY seconds, doubling up to 60.",
    "retry() {",
    "  local attempts=$1 n=1 delay=$RETRY_DELAY",
    "  shift",
    '  until "$@"; do',
    '    if ((n >= attempts)); then log "$1 failed $n times; giving up"; return 1; fi',
    '    log "$1 failed (attempt $n of $attempts); again in ${delay}s"',
    '    sleep "$delay"',
    "    n=$((n + 1))",
    "    delay=$((delay * 2 > 60 ? 60 : delay * 2))",
    "  done",
    "}",
    "",
    "instance_region() {",
    '  if [ -n "${AWS_REGION:-}" ]; then printf \'%s\\n\' "$AWS_REGION"; return 0; fi',
    "  local token",
    "  token=$(curl -fsS --retry 5 --retry-connrefused -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' http://169.254.169.254/latest/api/token)",
    '  curl -fsS --retry 5 --retry-connrefused -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/placement/region',
    "}",
    "",
    "# The agent installs host.json and compose.yaml one after the other, each only with the",
    "# content its manifest names; a compose.yaml whose sha256 differs from the one host.json names",
    "# is half of an update, and the run stops without touching anything.",
    "read_desired() {",
    "  local sum",
    '  HOST_JSON=$(<"$DESIRED_DIR/host.json") || die "no desired state at $DESIRED_DIR/host.json"',
    '  [ -r "$DESIRED_DIR/compose.yaml" ] || die "no Compose file at $DESIRED_DIR/compose.yaml"',
    "  load_settings",
    "  sum=$(sha256sum <\"$DESIRED_DIR/compose.yaml\" | cut -d ' ' -f 1)",
    '  if [ "$sum" != "$COMPOSE_SHA256" ]; then',
    '    die "compose.yaml (sha256 $sum) is not the one host.json names; an update is being written"',
    "  fi",
    "}",
    "",
    'desired() { jq -er "$1" <<<"$HOST_JSON"; }',
    "",
    "# Every scalar setting in one jq run (@sh quotes each value for the shell).",
    "DATA_VOLUME_ID='' MOUNT_POINT='' SECRET_ARN='' SECRETS_DIR='' COMPOSE_DIR='' COMPOSE_SHA256=''",
    "PLUGIN_VERSION='' PLUGIN_SHA256_X86_64='' PLUGIN_SHA256_AARCH64='' CWAGENT=''",
    "load_settings() {",
    "  local settings",
    '  settings=$(desired \'if .version != 1 then error("not version 1") else . end | @sh "' +
      "DATA_VOLUME_ID=\\(.dataVolumeId) MOUNT_POINT=\\(.mountPoint) SECRET_ARN=\\(.secretArn) " +
      "SECRETS_DIR=\\(.secretsDir) COMPOSE_DIR=\\(.composeDir) COMPOSE_SHA256=\\(.composeSha256) " +
      "PLUGIN_VERSION=\\(.composePlugin.version) PLUGIN_SHA256_X86_64=\\(.composePlugin.sha256.x86_64) " +
      "PLUGIN_SHA256_AARCH64=\\(.composePlugin.sha256.aarch64) " +
      "CWAGENT=\\(.cloudWatchAgent | type)\"') ||",
    '    die "$DESIRED_DIR/host.json is not version 1 of the desired state"',
    '  eval "$settings"',
    "}",
    "",
    ...sourced,
    "",
    "main() {",
    '  install -d -m 0700 "$STATE_DIR"',
    '  exec 9>"$STATE_DIR/lock"',
    '  flock -n 9 || { log "another run holds $STATE_DIR/lock"; exit 0; }',
    '  REGION=$(retry 5 instance_region) || die "cannot read the region from the instance metadata"',
    "  read_desired",
    "  install_compose_plugin",
    "  mount_data_volume",
    "  start_docker",
    "  load_secrets",
    "  write_secret_files",
    "  write_compose_file",
    "  configure_cloudwatch_agent",
    "  converge_stack",
    '  log "converged (compose changed: $COMPOSE_CHANGED, env files: $ENV_CHANGED, Felix: $FELIX_CHANGED)"',
    "}",
    "",
    'main "$@"',
    "",
  ];
}

/** The apply step as installed: the main script and the two parts it sources. */
export function applyScriptFiles(): {
  readonly name: string;
  readonly path: string;
  readonly content: string;
}[] {
  const source = (name: string) => ["# shellcheck source=/dev/null", `. "$APPLY_LIB/${name}"`];
  return [
    {
      name: "openems-apply",
      path: APPLY_SCRIPT_PATH,
      content: mainPart([...source("host.sh"), ...source("stack.sh")]).join("\n"),
    },
    { name: "host.sh", path: `${APPLY_LIB_DIR}/host.sh`, content: hostPart().join("\n") + "\n" },
    { name: "stack.sh", path: `${APPLY_LIB_DIR}/stack.sh`, content: stackPart().join("\n") + "\n" },
  ];
}

/** The three parts as one program, as it runs (for shellcheck and the function tests). */
export function renderApplyScript(): string {
  const strip = (part: string[]) => part.filter((l) => l !== "# shellcheck shell=bash");
  return mainPart([...strip(hostPart()), ...strip(stackPart())]).join("\n");
}

/**
 * Boot and on demand: a oneshot that systemd restarts every 30 s until it succeeds, with no start
 * limit (a host that booted before its role worked keeps trying). Restart= on a oneshot needs
 * systemd 244 or later; Amazon Linux 2023 ships 252.
 */
export function renderApplyService(scriptPath = APPLY_SCRIPT_PATH): string {
  return [
    "[Unit]",
    "Description=OpenEMS backend: converge on the desired state host-agent installed",
    "Wants=network-online.target",
    "After=network-online.target",
    "StartLimitIntervalSec=0",
    "",
    "[Service]",
    "Type=oneshot",
    `ExecStart=${scriptPath}`,
    "Restart=on-failure",
    "RestartSec=30",
    "TimeoutStartSec=30min",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}
