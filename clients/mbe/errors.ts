import type { JsonRpcErrorObject } from "./types";

/**
 * Every failure of the client is one of three classes, so a caller can tell "OpenEMS or the proxy
 * answered no" (retrying the same request will not help) from "the call did not get through"
 * (retrying later may) and from "this deployment cannot get AWS credentials" (a setup problem).
 */
export class MbeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A JSON-RPC error object from the proxy (its own refusals: codes -32xxx) or from OpenEMS
 * (OpenemsError codes such as 1 GENERIC, 1003 COMMON_AUTHENTICATION_FAILED, 4001
 * JSONRPC_UNHANDLED_METHOD; io.openems.common/.../exceptions/OpenemsError.java).
 */
export class JsonRpcError extends MbeError {
  readonly code: number;
  readonly data: unknown;
  constructor(
    readonly method: string,
    readonly httpStatus: number,
    error: JsonRpcErrorObject,
  ) {
    super(`${method}: JSON-RPC error ${error.code} (HTTP ${httpStatus}): ${error.message}`);
    this.code = error.code;
    this.data = error.data;
  }
}

export type TransportFailure =
  /** No HTTP answer: DNS, connection refused or reset. */
  | "network"
  /** No answer within the client's timeout. */
  | "timeout"
  /** The Function URL refused the signature or the role (IAM), before the proxy ran. */
  | "forbidden"
  /** An HTTP answer that is not a JSON-RPC response for this request. */
  | "protocol";

/** The request did not get a JSON-RPC answer. */
export class TransportError extends MbeError {
  constructor(
    readonly method: string,
    readonly failure: TransportFailure,
    detail: string,
    readonly httpStatus?: number,
  ) {
    super(`${method}: ${failure}: ${detail}`);
  }
}

/** No OIDC token, or STS refused to exchange it for the MBE role's credentials. */
export class CredentialsError extends MbeError {
  constructor(
    message: string,
    /** The STS error code (`AccessDenied`, `ExpiredTokenException`, `InvalidIdentityToken`...). */
    readonly stsCode?: string,
  ) {
    super(message);
  }
}

/** Input the client refuses before sending, in the project's `key: got <value>; expected ...` form. */
export class RequestValidationError extends MbeError {}
