import * as http from "http";
import { AddressInfo } from "net";

/**
 * A local stand-in for the two AWS APIs the backend host's apply step calls, on 127.0.0.1: SSM
 * `GetParameters` and Secrets Manager `GetSecretValue`, both AWS JSON 1.1 (`X-Amz-Target:
 * AmazonSSM.GetParameters`, `secretsmanager.GetSecretValue`; request and response shapes as in the
 * SSM and Secrets Manager API references). `failFirst` answers that many requests with the
 * AccessDenied error a fresh instance role returns before IAM has propagated.
 */
export interface StandIn {
  readonly url: string;
  parameters: Map<string, string>;
  secrets: Map<string, string>;
  failFirst: number;
  /** Every request: target and body. */
  readonly requests: { target: string; body: any }[];
  close(): Promise<void>;
}

export async function startAwsStandIn(): Promise<StandIn> {
  const state = {
    parameters: new Map<string, string>(),
    secrets: new Map<string, string>(),
    failFirst: 0,
    requests: [] as { target: string; body: any }[],
  };
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (d: Buffer) => (raw += d.toString()));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const body = raw ? JSON.parse(raw) : {};
      state.requests.push({ target, body });
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify(payload));
      };
      if (state.failFirst > 0) {
        state.failFirst--;
        return send(400, {
          __type: "AccessDeniedException",
          message: "User is not authorized to perform this operation",
        });
      }
      if (target === "AmazonSSM.GetParameters") {
        const names: string[] = body.Names ?? [];
        return send(200, {
          Parameters: names
            .filter((n) => state.parameters.has(n))
            .map((n) => ({ Name: n, Type: "String", Value: state.parameters.get(n), Version: 1 })),
          InvalidParameters: names.filter((n) => !state.parameters.has(n)),
        });
      }
      if (target === "secretsmanager.GetSecretValue") {
        const value = state.secrets.get(body.SecretId);
        if (value === undefined)
          return send(400, { __type: "ResourceNotFoundException", message: "not found" });
        return send(200, {
          ARN: body.SecretId,
          Name: "openems",
          SecretString: value,
          VersionId: "v1",
        });
      }
      send(400, { __type: "UnknownOperationException", message: target });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/**
 * A fast `aws` for the apply step's two calls, speaking the same protocol to the stand-in with
 * curl (the real CLI takes seconds to start; one test runs it for real). It logs its arguments,
 * and like the CLI it exits 255 on an error response.
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
  "ssm get-parameters")
    shift 2; names=(); while [ $# -gt 0 ]; do case $1 in --names) shift; while [ $# -gt 0 ] && [[ $1 != --* ]]; do names+=("$1"); shift; done ;; *) shift ;; esac; done
    call AmazonSSM.GetParameters "$(jq -cn '{Names: $ARGS.positional}' --args "\${names[@]}")" ;;
  "secretsmanager get-secret-value")
    shift 2; id=; while [ $# -gt 0 ]; do case $1 in --secret-id) id=$2; shift 2 ;; *) shift ;; esac; done
    call secretsmanager.GetSecretValue "$(jq -cn --arg id "$id" '{SecretId: $id}')" | jq -r .SecretString ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac
`;
}
