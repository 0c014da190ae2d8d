/**
 * What the MBE proxy speaks: the Function URL event and result (payload format 2.0, only the
 * fields read here), JSON-RPC ids, error codes and the error body every refusal uses.
 */

export interface FunctionUrlEvent {
  readonly requestContext: {
    readonly requestId?: string;
    readonly http: { readonly method: string };
    readonly authorizer?: { readonly iam?: { readonly userArn?: string } };
  };
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}

export interface FunctionUrlResult {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly isBase64Encoded: false;
}

/** OpenEMS ids are UUID strings (JsonUtils.getAsUUID in GenericJsonrpcRequest.java). */
export type JsonRpcId = string;

export interface JsonRpcRequest {
  readonly jsonrpc: "2.0";
  readonly id: JsonRpcId;
  readonly method: string;
  readonly params: Record<string, unknown>;
}

/**
 * Error codes this proxy answers with. JSON-RPC's own codes for the caller's mistakes;
 * -32000..-32099 (the spec's "server error" range) for what went wrong between proxy and OpenEMS.
 * Errors OpenEMS itself raised keep OpenEMS's code (OpenemsError.java: 1003 authentication failed,
 * 3000 edge not connected, 4001 unhandled method, ...).
 */
export const ErrorCode = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotAllowed: -32601,
  invalidParams: -32602,
  internalError: -32603,
  upstreamTimeout: -32001,
  upstreamUnavailable: -32002,
  upstreamAuthFailed: -32003,
  upstreamResponseTooLarge: -32004,
  upstreamInvalidResponse: -32005,
} as const;

/** Canonical 8-4-4-4-12 hex; a subset of what java.util.UUID.fromString takes. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A value for an error message: JSON, at most `max` characters, so no input is echoed whole. */
export function describe(value: unknown, max = 80): string {
  if (value === undefined) return "nothing";
  let text: string;
  try {
    // Only functions and symbols have no JSON form; neither comes out of a parsed body.
    text = JSON.stringify(value) ?? typeof value;
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

export function truncate(value: string | undefined, max = 200): string | undefined {
  return value !== undefined && value.length > max ? `${value.slice(0, max)}...` : value;
}

export function rpcError(
  id: JsonRpcId | null,
  code: number,
  message: string,
  data?: unknown,
): string {
  const error = data === undefined ? { code, message } : { code, message, data };
  return JSON.stringify({ jsonrpc: "2.0", id, error });
}

/** An error whose message was written by this proxy and is safe to log. */
export class ProxyError extends Error {
  override readonly name = "ProxyError";
}
