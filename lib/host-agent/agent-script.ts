// The host agent itself: one bash script, the same on every host. It reads the host's desired state
// (a JSON manifest, see manifest.ts) from one SSM parameter and converges the host to it. Needs
// bash, coreutils, jq and the AWS CLI (v1 or v2); the AWS calls it makes are
//   ssm get-parameter [--with-decryption]   (SSM API GetParameter)
//   s3api get-object                         (S3 API GetObject)
//   s3api list-objects-v2                    (S3 API ListObjectsV2; the CLI follows continuation tokens)
// https://docs.aws.amazon.com/cli/latest/reference/ssm/get-parameter.html
// https://docs.aws.amazon.com/cli/latest/reference/s3api/get-object.html
// https://docs.aws.amazon.com/cli/latest/reference/s3api/list-objects-v2.html
// Errors are told apart by the error code the CLI prints ("An error occurred (<Code>) when calling
// the <Operation> operation"): ParameterNotFound and NoSuchKey mean "not there yet", anything else
// (AccessDenied while a new role propagates, ThrottlingException, network errors) is retried.

/** Where user data installs the agent, its configuration and its state. */
export const HOST_AGENT_PATHS = {
  script: "/usr/local/sbin/host-agent",
  manifestParameterFile: "/etc/host-agent/manifest-parameter",
  stateDir: "/var/lib/host-agent",
  runDir: "/run/host-agent",
  status: "/run/host-agent/status",
} as const;

// String.raw keeps bash's backslashes; the few bash expansions that need braces use ${D}.
const D = "$";

/** The agent script (static: it holds nothing host-specific). */
export function renderAgentScript(): string {
  return String.raw`#!/bin/bash
# host-agent: converges this host to the manifest in the SSM parameter named in
# ${HOST_AGENT_PATHS.manifestParameterFile}. Rendered by lib/host-agent/agent-script.ts; run by
# host-agent.service at boot and by host-agent.timer. Idempotent: a run without changes touches
# nothing and restarts nothing. Never prints the content of what it fetches.
#
# Environment (tests): HOST_AGENT_ROOT prefixes every path; HOST_AGENT_ATTEMPTS,
# HOST_AGENT_RETRY_SECONDS and HOST_AGENT_RETRY_MAX_SECONDS shape the retries.
set -euo pipefail
umask 077

readonly ROOT="${D}{HOST_AGENT_ROOT:-}"
readonly ATTEMPTS="${D}{HOST_AGENT_ATTEMPTS:-8}"
readonly RETRY_SECONDS="${D}{HOST_AGENT_RETRY_SECONDS:-2}"
readonly RETRY_MAX_SECONDS="${D}{HOST_AGENT_RETRY_MAX_SECONDS:-60}"
readonly PARAMETER_FILE="$ROOT${HOST_AGENT_PATHS.manifestParameterFile}"
readonly STATE_DIR="$ROOT${HOST_AGENT_PATHS.stateDir}"
readonly RUN_DIR="$ROOT${HOST_AGENT_PATHS.runDir}"
readonly STATUS_FILE="$ROOT${HOST_AGENT_PATHS.status}"

log() { printf 'host-agent: %s\n' "$*" >&2; }

failures=0
declare -a restart_units=() reload_units=()
daemon_reload=0

status() { printf '%s\t%s\n' "$1" "$2" >> "$STATUS_FILE.new"; }

# aws_call OUT ARGS...: runs the AWS CLI with retries and exponential backoff. Returns 0 with the
# output in OUT, 3 when the object is not there (ParameterNotFound, NoSuchKey, 404), 1 when every
# attempt failed. Only the CLI's error line is logged, never its output.
aws_call() {
  local out="$1" attempt=1 delay="$RETRY_SECONDS" err
  shift
  err="$(mktemp "$RUN_DIR/err.XXXXXX")"
  while :; do
    if aws "$@" > "$out" 2> "$err"; then
      rm -f "$err"
      return 0
    fi
    if grep -qE '\((ParameterNotFound|NoSuchKey|404)\)|NoSuchKey|Not Found' "$err"; then
      rm -f "$err"
      return 3
    fi
    if (( attempt >= ATTEMPTS )); then
      log "aws $1 $2 failed $attempt times, giving up: $(grep -m1 -E 'error|Error' "$err" | cut -c1-300)"
      rm -f "$err"
      return 1
    fi
    log "aws $1 $2 failed (attempt $attempt of $ATTEMPTS), retrying in ${D}{delay}s: $(grep -m1 -E 'error|Error' "$err" | cut -c1-200)"
    sleep "$delay"
    delay="$(awk -v d="$delay" -v m="$RETRY_MAX_SECONDS" 'BEGIN { d *= 2; print (d > m ? m : d) }')"
    attempt=$(( attempt + 1 ))
  done
}

# ssm_value NAME DECRYPT OUT: the parameter's value, byte for byte, in OUT.
ssm_value() {
  local name="$1" decrypt="$2" out="$3" json rc=0
  json="$(mktemp "$RUN_DIR/ssm.XXXXXX")"
  local -a args=(ssm get-parameter --name "$name" --output json)
  if [[ "$decrypt" == "true" ]]; then args+=(--with-decryption); fi
  aws_call "$json" "${D}{args[@]}" || rc=$?
  if (( rc == 0 )); then jq -j '.Parameter.Value' "$json" > "$out" || rc=1; fi
  rm -f "$json"
  return "$rc"
}

# parse SPEC: sets the spec's fields as shell variables (one jq call; @sh quotes every value).
parse() {
  local fields
  fields="$(jq -r '@sh "path=\(.path) mode=\(.mode // "0644") owner=\(.owner // "root")
    group=\(.group // "root") digest=\(.sha256 // "") secret=\(.secret // false) nvalidate=\(.validate // [] | length)
    kind=\(.source | if has("inline") then "inline" elif has("ssmParameter") then "ssm"
      elif has("s3Object") then "s3" else "tree" end)
    source_id=\(.source.ssmParameter // .source.s3Object.key // .source.s3Prefix.prefix // "")
    bucket=\(.source.s3Object.bucket // .source.s3Prefix.bucket // "")
    decrypt=\(.source.decrypt // false)"' <<< "$1")"
  eval "$fields"
}

# fetch SPEC OUT: the content the parsed spec names (inline, SSM parameter or S3 object), in OUT.
fetch() {
  local spec="$1" out="$2" rc=0
  case "$kind" in
    inline) jq -j '.source.inline' <<< "$spec" > "$out" ;;
    ssm) ssm_value "$source_id" "$decrypt" "$out" || rc=$? ;;
    s3) aws_call "$WORK/meta" s3api get-object --bucket "$bucket" --key "$source_id" "$out" || rc=$? ;;
  esac
  return "$rc"
}

source_name() {
  case "$kind" in
    inline) echo "inline content" ;;
    ssm) echo "SSM parameter $source_id" ;;
    *) echo "s3://$bucket/$source_id" ;;
  esac
}

# validate SPEC STAGED NAME: runs the spec's validate command on the staged file ({} is its path,
# {name} the file's name). Output is shown only for files that are not secret.
validate() {
  local spec="$1" staged="$2" name="$3" out rc=0 arg
  local -a argv=()
  (( nvalidate == 0 )) && return 0
  while IFS= read -r -d '' arg; do
    arg="${D}{arg//\{\}/$staged}"
    argv+=("${D}{arg//\{name\}/$name}")
  done < <(jq -j '.validate[] | ., "\u0000"' <<< "$spec")
  out="$(mktemp "$RUN_DIR/validate.XXXXXX")"
  "${D}{argv[@]}" > "$out" 2>&1 || rc=$?
  if (( rc != 0 )); then
    if [[ "$secret" == "true" ]]; then
      log "  ${D}{argv[0]} exited $rc (output withheld: secret)"
    else
      log "  ${D}{argv[0]} exited $rc: $(head -c 600 "$out" | tr '\n' ' ')"
    fi
  fi
  rm -f "$out"
  return "$rc"
}

# install_candidate SPEC CANDIDATE DEST NAME: validates and installs CANDIDATE as DEST with the
# parsed spec's mode and owner, through a file beside DEST and a rename, so DEST is never
# half-written. Returns 0 when DEST changed, 1 when it already had this content, 2 when refused.
install_candidate() {
  local spec="$1" candidate="$2" dest="$3" name="$4" staged
  mkdir -p "$(dirname "$dest")"
  if [[ -f "$dest" ]] && cmp -s "$candidate" "$dest"; then
    chown "$owner:$group" "$dest"
    chmod "$mode" "$dest"
    return 1
  fi
  staged="$(dirname "$dest")/.$(basename "$dest").host-agent"
  install -m "$mode" -o "$owner" -g "$group" "$candidate" "$staged"
  if ! validate "$spec" "$staged" "$name"; then
    rm -f "$staged"
    return 2
  fi
  mv -f "$staged" "$dest"
  return 0
}

notify() {
  local spec="$1" dest="$2" verb unit
  while IFS=$'\t' read -r verb unit; do
    if [[ "$verb" == restart ]]; then restart_units+=("$unit"); else reload_units+=("$unit"); fi
  done < <(jq -r '(.onChange.restart // [] | .[] | "restart\t\(.)"), (.onChange.reload // [] | .[] | "reload\t\(.)")' <<< "$spec")
  if [[ "$dest" == "$ROOT/etc/systemd/"* ]]; then daemon_reload=1; fi
  return 0
}

apply_directories() {
  local spec path mode owner group
  while IFS= read -r spec; do
    eval "$(jq -r '@sh "path=\(.path) mode=\(.mode // "0755") owner=\(.owner // "root") group=\(.group // "root")"' <<< "$spec")"
    install -d "$ROOT$path"
    chown "$owner:$group" "$ROOT$path"
    chmod "$mode" "$ROOT$path"
  done < <(jq -c '.directories[]' "$MANIFEST")
}

apply_files() {
  local spec path dest candidate rc mode owner group digest secret nvalidate kind source_id bucket decrypt
  while IFS= read -r spec; do
    parse "$spec"
    dest="$ROOT$path"
    candidate="$WORK/candidate"
    rc=0
    fetch "$spec" "$candidate" || rc=$?
    if (( rc == 3 )); then
      log "waiting: $path: $(source_name) does not exist yet"
      status waiting "$path"
      continue
    elif (( rc != 0 )); then
      log "failed: $path: cannot read $(source_name)"
      status failed "$path"
      failures=$(( failures + 1 ))
      continue
    fi
    if [[ -n "$digest" && "$(sha256sum < "$candidate" | cut -d' ' -f1)" != "$digest" ]]; then
      log "waiting: $path: $(source_name) does not hold the content the manifest names yet"
      status waiting "$path"
      continue
    fi
    rc=0
    install_candidate "$spec" "$candidate" "$dest" "$(basename "$path")" || rc=$?
    case "$rc" in
      0) log "installed: $path"; status installed "$path"; notify "$spec" "$dest" ;;
      1) status unchanged "$path" ;;
      *) log "refused: $path: validation failed, keeping the installed version"
         status refused "$path"; failures=$(( failures + 1 )) ;;
    esac
    rm -f "$candidate"
  done < <(jq -c '.files[]' "$MANIFEST")
}

# A tree mirrors every object under an S3 prefix into one directory (flat: object names without
# '/'). Objects are fetched only when their ETag or the validation rule changed since the last run;
# a refused object is removed locally, so a tampered entry fails closed.
apply_trees() {
  local spec path dir listing cache rule name etag key dest rc changed checker
  local mode owner group digest secret nvalidate kind source_id bucket decrypt prefix
  while IFS= read -r spec; do
    parse "$spec"
    prefix="$source_id"
    dir="$ROOT$path"
    listing="$WORK/listing"
    if ! aws_call "$listing" s3api list-objects-v2 --bucket "$bucket" --prefix "$prefix" --output json; then
      log "failed: $path: cannot list s3://$bucket/$prefix; nothing removed"
      status failed "$path"
      failures=$(( failures + 1 ))
      continue
    fi
    cache="$STATE_DIR/trees/$(printf '%s' "$path" | sha256sum | cut -c1-16)"
    mkdir -p "$dir" "$cache"
    # An object is checked again when its ETag, the rule or the checker script changed.
    rule="$(jq -c '.validate // []' <<< "$spec")"
    checker="$(jq -r '.validate[0] // empty' <<< "$spec")"
    if [[ -n "$checker" && -f "$ROOT$checker" ]]; then rule="$rule $(sha256sum < "$ROOT$checker")"; fi
    rule="$(printf '%s' "$rule" | sha256sum | cut -c1-64)"
    changed=0
    : > "$WORK/names"
    while IFS=$'\t' read -r key etag; do
      name="${D}{key#"$prefix"}"
      if [[ ! "$name" =~ ^[A-Za-z0-9_][A-Za-z0-9._-]*$ ]]; then
        [[ -n "$name" ]] && log "skipped: s3://$bucket/$key: not a plain file name"
        continue
      fi
      printf '%s\n' "$name" >> "$WORK/names"
      dest="$dir/$name"
      if [[ -f "$dest" && -f "$cache/$name" && "$(cat "$cache/$name")" == "$etag $rule" ]]; then
        continue
      fi
      rc=0
      aws_call "$WORK/meta" s3api get-object --bucket "$bucket" --key "$key" "$WORK/object" || rc=$?
      if (( rc == 3 )); then continue; fi
      if (( rc != 0 )); then
        log "failed: $path/$name: cannot read s3://$bucket/$key"
        failures=$(( failures + 1 ))
        continue
      fi
      rc=0
      install_candidate "$spec" "$WORK/object" "$dest" "$name" || rc=$?
      case "$rc" in
        0) log "installed: $path/$name"; changed=1; printf '%s' "$etag $rule" > "$cache/$name" ;;
        1) printf '%s' "$etag $rule" > "$cache/$name" ;;
        *) log "refused: $path/$name: s3://$bucket/$key is not what the platform writes; removed"
           if [[ -e "$dest" ]]; then changed=1; fi
           rm -f "$dest" "$cache/$name"
           status refused "$path/$name"
           failures=$(( failures + 1 )) ;;
      esac
    done < <(jq -r '.Contents // [] | .[] | [.Key, .ETag] | @tsv' "$listing")
    while IFS= read -r -d '' dest; do
      name="$(basename "$dest")"
      if ! grep -qxF "$name" "$WORK/names"; then
        rm -f "$dest" "$cache/$name"
        log "removed: $path/$name (no longer in s3://$bucket/$prefix)"
        changed=1
      fi
    done < <(find "$dir" -mindepth 1 -maxdepth 1 -type f ! -name '.*' -print0)
    status synced "$path"
    if (( changed )); then notify "$spec" "$dir"; fi
  done < <(jq -c '.trees[]' "$MANIFEST")
}

contains() { local x="$1"; shift; local e; for e in "$@"; do [[ "$e" == "$x" ]] && return 0; done; return 1; }

apply_units() {
  local spec unit state missing req
  if (( daemon_reload )); then systemctl daemon-reload; fi
  local -a managed=()
  while IFS= read -r spec; do
    eval "$(jq -r '@sh "unit=\(.name) state=\(.state)"' <<< "$spec")"
    managed+=("$unit")
    if [[ "$state" == "masked" ]]; then
      if [[ "$(systemctl is-enabled "$unit" 2>/dev/null || true)" != masked* ]]; then
        systemctl mask --now "$unit" || failures=$(( failures + 1 ))
        log "masked: $unit"
      fi
      continue
    fi
    missing=""
    while IFS= read -r req; do
      if [[ ! -e "$ROOT$req" ]]; then missing="$req"; break; fi
    done < <(jq -r '.requires // [] | .[]' <<< "$spec")
    if [[ -n "$missing" ]]; then
      log "waiting: $unit is not started until $missing exists"
      status waiting "$unit"
      continue
    fi
    systemctl is-enabled --quiet "$unit" 2>/dev/null || systemctl enable "$unit" || failures=$(( failures + 1 ))
    if ! systemctl is-active --quiet "$unit"; then
      log "starting: $unit"
      systemctl start "$unit" || { log "failed: $unit did not start"; failures=$(( failures + 1 )); }
    elif contains "$unit" "${D}{restart_units[@]}"; then
      log "restarting: $unit"
      systemctl restart "$unit" || { log "failed: $unit did not restart"; failures=$(( failures + 1 )); }
    elif contains "$unit" "${D}{reload_units[@]}"; then
      log "reloading: $unit"
      systemctl reload "$unit" || { log "failed: $unit did not reload"; failures=$(( failures + 1 )); }
    fi
    status "$state" "$unit"
  done < <(jq -c '.units[]' "$MANIFEST")
  # Units a file names that the manifest does not manage (systemd-sysctl.service, say).
  for unit in "${D}{restart_units[@]}" "${D}{reload_units[@]}"; do
    if ! contains "$unit" "${D}{managed[@]}"; then
      managed+=("$unit")
      log "restarting: $unit"
      systemctl restart "$unit" || failures=$(( failures + 1 ))
    fi
  done
}

apply_packages() {
  local -a missing=()
  local package attempt
  while IFS= read -r package; do
    rpm -q --quiet "$package" || missing+=("$package")
  done < <(jq -r '.packages[]' "$MANIFEST")
  (( ${D}{#missing[@]} == 0 )) && return 0
  for (( attempt = 1; attempt <= ATTEMPTS; attempt++ )); do
    if dnf install -y -q "${D}{missing[@]}" >&2; then log "installed packages: ${D}{missing[*]}"; return 0; fi
    sleep "$(( attempt * 5 ))"
  done
  log "failed: cannot install ${D}{missing[*]}"
  failures=$(( failures + 1 ))
}

region() {
  if [[ -n "${D}{AWS_REGION:-}" ]]; then export AWS_DEFAULT_REGION="$AWS_REGION"; return 0; fi
  local token
  token="$(curl -fsS --retry 10 --retry-connrefused -X PUT http://169.254.169.254/latest/api/token \
    -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')"
  AWS_REGION="$(curl -fsS --retry 10 --retry-connrefused -H "X-aws-ec2-metadata-token: $token" \
    http://169.254.169.254/latest/meta-data/placement/region)"
  export AWS_REGION AWS_DEFAULT_REGION="$AWS_REGION"
}

main() {
  if [[ "${D}{1:-apply}" != "apply" ]]; then echo "usage: host-agent [apply]" >&2; exit 2; fi
  mkdir -p "$RUN_DIR" "$STATE_DIR"
  exec 9> "$RUN_DIR/lock"
  if ! flock -n 9; then log "another run is in progress"; exit 0; fi
  WORK="$(mktemp -d "$RUN_DIR/work.XXXXXX")"
  trap 'rm -rf "$WORK"' EXIT
  : > "$STATUS_FILE.new"
  region
  local parameter rc=0
  parameter="$(tr -d '[:space:]' < "$PARAMETER_FILE")"
  MANIFEST="$WORK/manifest.json"
  ssm_value "$parameter" true "$MANIFEST" || rc=$?
  if (( rc != 0 )); then
    log "failed: cannot read the manifest from SSM parameter $parameter"
    exit 1
  fi
  if [[ "$(jq -r '.version' "$MANIFEST" 2>/dev/null)" != "1" ]]; then
    log "failed: SSM parameter $parameter is not a version 1 host manifest"
    exit 1
  fi
  apply_packages
  apply_directories
  apply_files
  apply_trees
  apply_units
  mv -f "$STATUS_FILE.new" "$STATUS_FILE"
  if (( failures > 0 )); then log "done with $failures problem(s)"; exit 1; fi
  log "done"
}

main "$@"
`;
}
