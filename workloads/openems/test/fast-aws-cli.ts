// The backend apply step's AWS calls go to the one stand-in server of the test toolkit
// (tooling/testing/aws-standin.ts); this is the fast CLI the apply tests put on PATH.

/**
 * A fast `aws` for the apply step's one call (GetSecretValue), speaking the same protocol to the
 * stand-in with curl (the real CLI takes seconds to start; one test runs it for real). It logs
 * its arguments, and like the CLI it exits 255 on an error response.
 */
export function fastAwsCli(log: string): string {
  return `#!/bin/bash
set -euo pipefail
printf '%s\\n' "$*" >>${log}
call() {
  local out code
  out=$(curl -sS -o - -w '\\n%{http_code}' -X POST -H "X-Amz-Target: $1" \\
    -H 'Content-Type: application/x-amz-json-1.1' --data-binary "$2" "$AWS_ENDPOINT_URL/")
  code=\${out##*$'\\n'}
  out=\${out%$'\\n'*}
  if [ "$code" != 200 ]; then printf 'An error occurred: %s\\n' "$out" >&2; exit 255; fi
  printf '%s' "$out"
}
case "$1 $2" in
  "secretsmanager get-secret-value")
    shift 2; id=; while [ $# -gt 0 ]; do case $1 in --secret-id) id=$2; shift 2 ;; *) shift ;; esac; done
    call secretsmanager.GetSecretValue "$(jq -cn --arg id "$id" '{SecretId: $id}')" | jq -r .SecretString ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac
`;
}
