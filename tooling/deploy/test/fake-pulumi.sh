#!/usr/bin/env bash
# A stand-in for the `pulumi` executable, placed first on PATH by deploy.test.ts (bash, not node:
# the Automation API spawns the CLI ~30 times per environment, and a node start costs 100+ ms).
# It records every invocation (arguments and folder) as a JSON line in $FAKE_PULUMI_LOG and answers
# the subcommands the Automation API calls the way the CLI does, as read in
# node_modules/@pulumi/pulumi/automation: cmd.js `version`; localWorkspace.js
# `stack select --stack <s>` (stderr "no stack named ... found" makes it run `stack init`),
# `stack init <s> [--secrets-provider <p>]`, `stack output --json [--show-secrets]`, `config`;
# stack.js `preview ... --event-log <file>` (the change summary is read from that file),
# `up --yes --skip-preview`, `stack history --json`. Version 3.200.0 keeps the Automation API on
# the file event log (after 3.205.0 it serves gRPC instead).
#
# Set by the test:
#   FAKE_PULUMI_STATE       folder with one file per existing stack (<project>.<stack>)
#   FAKE_PULUMI_FAIL        "<op>:<project>/<stack>" makes that operation fail (op: preview, up)
#   FAKE_PULUMI_NO_CHANGES  comma-separated <project>/<stack> whose preview shows no changes
#   FAKE_PULUMI_FAIL_ONCE   "preview:<project>/<stack>" fails that preview the first time only (a
#                           stack reference to outputs its upstream has not written yet)
set -u

json=""
for a in "$@"; do
  a=${a//\\/\\\\}
  a=${a//\"/\\\"}
  json+="${json:+,}\"$a\""
done
cwd=${PWD//\"/\\\"}
printf '{"args":[%s],"cwd":"%s"}\n' "$json" "$cwd" >>"$FAKE_PULUMI_LOG"

flag() {
  local want=$1 prev=""
  for a in "${ARGS[@]}"; do
    if [[ $prev == "$want" ]]; then
      printf '%s' "$a"
      return
    fi
    prev=$a
  done
}
ARGS=("$@")
project=""
if [[ -f Pulumi.yaml ]]; then
  while IFS= read -r line; do
    if [[ $line =~ ^name:[[:space:]]*([^[:space:]]+) ]]; then
      project=${BASH_REMATCH[1]}
      break
    fi
  done <Pulumi.yaml
fi
stack=$(flag --stack)
fails() {
  [[ ${FAKE_PULUMI_FAIL:-} == "$1:$project/$stack" ]] && return 0
  if [[ ${FAKE_PULUMI_FAIL_ONCE:-} == "$1:$project/$stack" && ! -f $FAKE_PULUMI_STATE/failed-once ]]; then
    touch "$FAKE_PULUMI_STATE/failed-once"
    return 0
  fi
  return 1
}

case "${1:-} ${2:-}" in
"version "*)
  echo "v3.200.0"
  ;;
"stack select")
  if [[ ! -f $FAKE_PULUMI_STATE/$project.$stack ]]; then
    echo "error: no stack named '$stack' found" >&2
    exit 255
  fi
  ;;
"stack init")
  stack=$3
  if [[ -f $FAKE_PULUMI_STATE/$project.$stack ]]; then
    echo "error: stack '$stack' already exists" >&2
    exit 255
  fi
  flag --secrets-provider >"$FAKE_PULUMI_STATE/$project.$stack"
  echo "Created stack '$stack'"
  ;;
"stack output")
  echo "{}"
  ;;
"stack history")
  echo '[{"version":1,"kind":"update","startTime":"2026-01-01T00:00:00Z","endTime":"2026-01-01T00:00:01Z","message":"","result":"succeeded","environment":{},"config":{}}]'
  ;;
"config "*)
  echo "{}"
  ;;
"preview "*)
  if fails preview; then
    echo "error: preview of $project/$stack failed: AccessDenied: not authorized to perform sts:AssumeRole" >&2
    exit 255
  fi
  changes='{"create":3,"same":9}'
  if [[ ,${FAKE_PULUMI_NO_CHANGES:-}, == *",$project/$stack,"* ]]; then changes='{"same":12}'; fi
  printf '{"sequence":1,"timestamp":0,"summaryEvent":{"maybeCorrupt":false,"durationSeconds":1,"resourceChanges":%s,"policyPacks":{}}}\n' \
    "$changes" >>"$(flag --event-log)"
  echo "Previewing update ($stack)"
  # The Automation API tails the event log every 200 ms and reads once more when the command
  # exits, but that last read can lose the race against its cleanup: stay for one poll.
  sleep 0.25
  ;;
"up "*)
  echo "Updating ($stack)"
  if fails up; then
    echo "error: update of $project/$stack failed: creating EC2 Instance: UnauthorizedOperation" >&2
    exit 255
  fi
  echo "  + 3 created"
  ;;
*)
  echo "fake pulumi: unexpected invocation: $*" >&2
  exit 1
  ;;
esac
