/**
 * Request validation: what OpenEMS 2026.1.0 would refuse is refused here, before the secret is
 * read or a byte goes upstream, with a JSON-RPC error MBE can act on.
 *
 * OpenEMS's rules (io.openems.backend.b2brest/RestHandler.java, GenericJsonrpcRequest.java,
 * JsonrpcMessage.java, EdgeRpcRequest.java): a request has a string `method`, an object `params`
 * and a UUID string `id`; `edgeRpc` carries a string `edgeId` and a `payload` that is itself such a
 * request (RestHandler fills in a missing payload `id`, so only a present one must be a UUID).
 */
import { TextDecoder } from "node:util";
import { EDGE_RPC, ParamProblem, paramProblems } from "../../lib/openems/b2b-methods";
import { describe, ErrorCode, isObject, isUuid, JsonRpcId, JsonRpcRequest } from "./contract";

/** Longest method name accepted; the longest OpenEMS name is 38 characters. */
const MAX_METHOD_LENGTH = 64;
const METHOD_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
/** Deeper JSON is refused: re-serialising it would overflow the stack (a 500, not a 400). */
export const MAX_JSON_DEPTH = 32;

export type Refusal = {
  readonly ok: false;
  readonly status: number;
  readonly code: number;
  readonly id: JsonRpcId | null;
  readonly message: string;
  readonly data?: unknown;
  readonly outcome: string;
  readonly method?: string;
};

export type Validation =
  { readonly ok: true; readonly request: JsonRpcRequest; readonly methodPath: string } | Refusal;

/**
 * Nesting depth of a parsed JSON value, walked without recursion; stops counting past `limit`.
 */
export function jsonDepth(value: unknown, limit: number): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== "object" || node === null) continue;
    if (depth > max) max = depth;
    if (max > limit) return max;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return max;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Decodes the body (strict UTF-8) and parses it, refusing JSON nested deeper than the limit. */
export function parseBody(raw: string, base64: boolean): { ok: true; value: unknown } | Refusal {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(Buffer.from(raw, base64 ? "base64" : "utf8")));
  } catch {
    return refuse(400, ErrorCode.parseError, null, "parse error: the body is not valid UTF-8 JSON");
  }
  if (jsonDepth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    return refuse(
      400,
      ErrorCode.invalidRequest,
      null,
      `invalid request: JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
    );
  }
  return { ok: true, value };
}

function refuse(
  status: number,
  code: number,
  id: JsonRpcId | null,
  message: string,
  extra: { data?: unknown; outcome?: string; method?: string } = {},
): Refusal {
  return {
    ok: false,
    status,
    code,
    id,
    message,
    data: extra.data,
    outcome: extra.outcome ?? (code === ErrorCode.parseError ? "parse-error" : "invalid-request"),
    method: extra.method,
  };
}

function methodProblem(value: unknown, where: string): string | undefined {
  if (typeof value === "string" && value.length <= MAX_METHOD_LENGTH && METHOD_NAME.test(value)) {
    return undefined;
  }
  return `${where} must be a method name (a letter, then letters, digits or "_", at most ${MAX_METHOD_LENGTH}); got ${describe(value)}`;
}

/**
 * Checks that a parsed body is one JSON-RPC 2.0 request as OpenEMS parses it, that its method
 * path (`getEdgesStatus`, `edgeRpc/<inner method>`) is in `allowed`, and that its params carry
 * what the OpenEMS request class requires. On success, `request` holds only the members checked.
 */
export function validateJsonRpcRequest(value: unknown, allowed: ReadonlySet<string>): Validation {
  if (Array.isArray(value)) {
    // B2B REST parses exactly one JSON object (JettyUtils.parseJson); a batch would need one
    // allowlist decision per element.
    return refuse(
      400,
      ErrorCode.invalidRequest,
      null,
      "invalid request: batches are not supported; send one object",
    );
  }
  if (!isObject(value)) {
    return refuse(
      400,
      ErrorCode.invalidRequest,
      null,
      "invalid request: the body must be a JSON-RPC 2.0 request object",
    );
  }
  // Only a well-formed id is echoed: anything else could be large or ambiguous.
  const id = isUuid(value.id) ? value.id : null;
  const bad = (message: string) =>
    refuse(400, ErrorCode.invalidRequest, id, `invalid request: ${message}`);
  if (value.jsonrpc !== "2.0")
    return bad(`"jsonrpc" must be "2.0"; got ${describe(value.jsonrpc)}`);
  if (!isUuid(value.id)) {
    return bad(
      `"id" must be a UUID string such as "6f1c4f9e-2b1a-4c3d-9e8f-0a1b2c3d4e5f"; got ${describe(value.id)}`,
    );
  }
  const outer = methodProblem(value.method, '"method"');
  if (outer) return bad(outer);
  const method = value.method as string;
  if (!isObject(value.params))
    return bad(`"params" must be an object; got ${describe(value.params)}`);
  const params = value.params;

  let methodPath = method;
  let innerParams = params;
  if (method === EDGE_RPC) {
    if (typeof params.edgeId !== "string" || params.edgeId === "") {
      return bad(`"params.edgeId" must be the Edge's id; got ${describe(params.edgeId)}`);
    }
    const payload = params.payload;
    if (!isObject(payload))
      return bad(`"params.payload" must be an object; got ${describe(payload)}`);
    const inner = methodProblem(payload.method, '"params.payload.method"');
    if (inner) return bad(inner);
    if (payload.id !== undefined && !isUuid(payload.id)) {
      return bad(
        `"params.payload.id" must be a UUID string or absent; got ${describe(payload.id)}`,
      );
    }
    if (payload.jsonrpc !== undefined && payload.jsonrpc !== "2.0") {
      return bad(
        `"params.payload.jsonrpc" must be "2.0" or absent; got ${describe(payload.jsonrpc)}`,
      );
    }
    if (!isObject(payload.params)) {
      return bad(`"params.payload.params" must be an object; got ${describe(payload.params)}`);
    }
    methodPath = `${EDGE_RPC}/${payload.method as string}`;
    innerParams = payload.params;
  }

  if (!allowed.has(methodPath)) {
    // 403 rather than the usual JSON-RPC 200: the refusal is the proxy's policy, and a 4xx shows
    // up in Function URL metrics where a misconfigured allowlist gets noticed.
    return refuse(403, ErrorCode.methodNotAllowed, id, `method not allowed: ${methodPath}`, {
      data: { allowed: [...allowed] },
      outcome: "method-not-allowed",
      method: methodPath,
    });
  }
  const problems: ParamProblem[] = paramProblems(methodPath, innerParams);
  if (problems.length > 0) {
    const prefix = method === EDGE_RPC ? "params.payload.params" : "params";
    const listed = problems.map((p) => ({ path: `${prefix}.${p.path}`, expected: p.expected }));
    return refuse(
      400,
      ErrorCode.invalidParams,
      id,
      `invalid params for ${methodPath}: ${listed.map((p) => `${p.path} must be ${p.expected}`).join("; ")}`,
      { data: { problems: listed }, outcome: "invalid-params", method: methodPath },
    );
  }
  const request: JsonRpcRequest = { jsonrpc: "2.0", id: value.id, method, params };
  return { ok: true, request, methodPath };
}
