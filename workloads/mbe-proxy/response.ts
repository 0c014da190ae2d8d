/**
 * Response checks: what comes back from OpenEMS is passed on only when it is one JSON-RPC 2.0
 * response to this request; its errors are re-built (code and a bounded message), never passed
 * through as raw upstream text; and the whole answer must fit Lambda's response limit.
 */
import { describe, isObject, JsonRpcId } from "./contract";
import { jsonDepth, MAX_JSON_DEPTH } from "./request";

/**
 * RestHandler.handleJsonRpc answers failures found before dispatch with this placeholder id
 * (`new UUID(0L, 0L)`, io.openems.backend.b2brest/RestHandler.java); one request per call makes
 * such an error unambiguous.
 */
export const OPENEMS_PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000";

/** Longest OpenEMS error message passed on; they quote request values, which can be long. */
const MAX_ERROR_MESSAGE = 300;

export type UpstreamBody =
  | { readonly kind: "result" }
  | { readonly kind: "error"; readonly code: number; readonly message: string }
  | { readonly kind: "invalid"; readonly reason: string };

/** Checks an upstream body against the JSON-RPC response shape OpenEMS writes for `id`. */
export function checkUpstreamBody(body: Buffer, id: JsonRpcId): UpstreamBody {
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch {
    return { kind: "invalid", reason: "not JSON" };
  }
  if (!isObject(value) || jsonDepth(value, MAX_JSON_DEPTH * 4) > MAX_JSON_DEPTH * 4) {
    return { kind: "invalid", reason: "not a JSON-RPC response object" };
  }
  if (value.jsonrpc !== "2.0") return { kind: "invalid", reason: '"jsonrpc" is not "2.0"' };
  const hasResult = "result" in value;
  const hasError = "error" in value;
  if (hasResult === hasError) {
    return { kind: "invalid", reason: 'not exactly one of "result" and "error"' };
  }
  if (hasResult) {
    return value.id === id
      ? { kind: "result" }
      : { kind: "invalid", reason: `the id ${describe(value.id, 40)} is not the request's` };
  }
  if (value.id !== id && value.id !== OPENEMS_PLACEHOLDER_ID) {
    return { kind: "invalid", reason: `the id ${describe(value.id, 40)} is not the request's` };
  }
  const error = value.error;
  if (!isObject(error) || !Number.isInteger(error.code) || typeof error.message !== "string") {
    return { kind: "invalid", reason: "an error without an integer code and a message" };
  }
  const message =
    error.message.length > MAX_ERROR_MESSAGE
      ? `${error.message.slice(0, MAX_ERROR_MESSAGE - 3)}...`
      : error.message;
  return { kind: "error", code: error.code as number, message };
}

/** Lambda's limit for a synchronous response payload: 6 MB, the Function URL result included. */
export const LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024;

/** Size of the result as Lambda serialises it: the body is a JSON string inside JSON. */
export function resultBytes(result: object): number {
  return Buffer.byteLength(JSON.stringify(result), "utf8");
}
