/**
 * The proxy: one Function URL request in, at most one allowlisted, checked JSON-RPC call to
 * OpenEMS out, one answer and one log line back. Everything it needs comes in `ProxyDeps`.
 */
import {
  describe,
  ErrorCode,
  FunctionUrlEvent,
  FunctionUrlResult,
  JsonRpcId,
  JsonRpcRequest,
  ProxyError,
  rpcError,
  truncate,
} from "./contract";
import { validateAllowedMethods } from "./allowlist";
import { Clock, CredentialCache, CredentialEntry, SecretSource, withTimeout } from "./credentials";
import { describeError, LogSink, Redactor, stdoutSink } from "./log";
import { parseBody, validateJsonRpcRequest } from "./request";
import { checkUpstreamBody, LAMBDA_RESPONSE_LIMIT, resultBytes } from "./response";
import { createAgent, postOnce, UpstreamResult, validateUpstreamUrl } from "./upstream";

export interface ProxyDeps {
  /** OpenEMS Backend2Backend.Rest JSON-RPC URL, e.g. `http://10.10.1.23:8082/jsonrpc`. */
  readonly upstreamUrl: string;
  /** Method paths that may be forwarded (see `validateAllowedMethods`). Nothing else is. */
  readonly allowedMethods: readonly string[];
  /** Largest request body accepted, in decoded bytes; larger gets 413. */
  readonly maxBodyBytes: number;
  /** Deadline for one invocation's upstream work (secret reads and retries included); then 504. */
  readonly upstreamTimeoutMs: number;
  /** Where the `{"username","password"}` secret is read from. */
  readonly secretSource: SecretSource;
  /** How long fetched credentials are reused. Default 300000 (5 min); 0 re-reads every request. */
  readonly credentialsTtlMs?: number;
  /** Deadline for one secret read, within the upstream deadline. Default 5000. */
  readonly secretTimeoutMs?: number;
  /** Largest upstream body read. Default 5 MiB; the answer must also fit Lambda's 6 MB. */
  readonly maxResponseBytes?: number;
  /** Connection pool size towards OpenEMS. Default 50. */
  readonly maxSockets?: number;
  /** Idle pooled sockets are closed after this. Default 15000, under Jetty's 30 s idle timeout. */
  readonly idleSocketTimeoutMs?: number;
  /** Default: one JSON line on stdout. */
  readonly log?: LogSink;
  /** Default: `Date`. Used for the credentials TTL, deadlines and durations. */
  readonly clock?: Clock;
}

export interface ProxyHandler {
  (event: FunctionUrlEvent): Promise<FunctionUrlResult>;
  /** Closes every pooled upstream socket. Lambda never needs it; tests and embedders do. */
  close(): void;
}

/** Largest Function URL request body. */
export const MAX_FUNCTION_URL_BODY = 6 * 1024 * 1024;
/** Bounds retries over stale pooled sockets (after a Lambda thaw, every idle one may be dead). */
const MAX_STALE_RETRIES = 3;

export function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ProxyError(
      `${name} must be an integer from ${min} to ${max}; got ${describe(value)}`,
    );
  }
  return value;
}

/** How one invocation ends: becomes both the response and the log line. */
interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly outcome: string;
  readonly upstreamStatus?: number;
  readonly upstreamCode?: number;
  readonly attempts?: number;
  readonly error?: string;
}

interface Outcome extends Answer {
  readonly method?: string;
  readonly id?: JsonRpcId | null;
}

const JSON_HEADERS = { "content-type": "application/json", "cache-control": "no-store" };

export function createHandler(deps: ProxyDeps): ProxyHandler {
  const url = validateUpstreamUrl(deps.upstreamUrl, "upstreamUrl");
  const allowed = new Set(validateAllowedMethods(deps.allowedMethods, "allowedMethods"));
  const maxBodyBytes = checkInteger("maxBodyBytes", deps.maxBodyBytes, 1, MAX_FUNCTION_URL_BODY);
  const timeoutMs = checkInteger("upstreamTimeoutMs", deps.upstreamTimeoutMs, 1, 900_000);
  const ttlMs = checkInteger("credentialsTtlMs", deps.credentialsTtlMs ?? 300_000, 0, 86_400_000);
  const secretTimeoutMs = checkInteger("secretTimeoutMs", deps.secretTimeoutMs ?? 5_000, 1, 60_000);
  const maxResponseBytes = checkInteger(
    "maxResponseBytes",
    deps.maxResponseBytes ?? 5 * 1024 * 1024,
    1,
    LAMBDA_RESPONSE_LIMIT,
  );
  const maxSockets = checkInteger("maxSockets", deps.maxSockets ?? 50, 1, 1024);
  const idleMs = checkInteger(
    "idleSocketTimeoutMs",
    deps.idleSocketTimeoutMs ?? 15_000,
    1,
    600_000,
  );
  const clock = deps.clock ?? Date;
  const sink = deps.log ?? stdoutSink;
  const redactor = new Redactor();
  const credentials = new CredentialCache(deps.secretSource, ttlMs, clock, (v) => redactor.add(v));
  const agent = createAgent(url, maxSockets, idleMs);

  async function forward(request: JsonRpcRequest, started: number): Promise<Answer> {
    const id = request.id;
    // Re-serialised rather than the raw bytes: OpenEMS parses leniently (Gson), so forwarding
    // exactly what was checked rules out parser differentials such as duplicate "method" keys.
    const body = Buffer.from(JSON.stringify(request), "utf8");
    // One deadline for the whole invocation, secret reads and retries included, so the Lambda
    // timeout only needs to exceed upstreamTimeoutMs by a small margin.
    const deadline = started + timeoutMs;
    let attempts = 0;
    let reread = false;
    let entry = await readCredentials(id, deadline, attempts);
    for (;;) {
      if (!("generation" in entry)) return entry;
      let result: UpstreamResult;
      let staleRetries = 0;
      do {
        const remaining = deadline - clock.now();
        attempts += 1;
        result =
          remaining <= 0
            ? { kind: "timeout" }
            : await postOnce(url, agent, body, entry.authorization, remaining, maxResponseBytes);
      } while (result.kind === "error" && result.staleSocket && staleRetries++ < MAX_STALE_RETRIES);

      const status = result.kind === "response" ? result.status : 0;
      if ((status === 401 || status === 500) && !reread) {
        // OpenEMS B2B REST answers a failed Basic login with a 500: RestHandler.handle
        // authenticates first and hands the exception to Jetty (callback.failed), which writes a
        // server error; only a JSON-RPC error raised later becomes a 400 or 401
        // (JettyUtils.sendErrorResponse). So a 500 may mean a rotated password: read the secret
        // again and resend, once. Safe because every allowlisted method is a read.
        reread = true;
        credentials.invalidate(entry.generation);
        entry = await readCredentials(id, deadline, attempts);
        continue;
      }
      return mapUpstream(id, result, attempts);
    }
  }

  async function readCredentials(
    id: JsonRpcId,
    deadline: number,
    attempts: number,
  ): Promise<CredentialEntry | Answer> {
    const remaining = deadline - clock.now();
    if (remaining <= 0) return timedOut(id, attempts);
    const limit = Math.min(remaining, secretTimeoutMs);
    try {
      return await withTimeout(
        credentials.get(),
        limit,
        `reading the OpenEMS credentials secret did not finish within ${limit} ms`,
      );
    } catch (err) {
      return {
        status: 500,
        body: rpcError(id, ErrorCode.internalError, "proxy credentials unavailable"),
        outcome: "credentials-unavailable",
        attempts,
        error: describeError(err),
      };
    }
  }

  function timedOut(id: JsonRpcId, attempts: number): Answer {
    return {
      status: 504,
      body: rpcError(id, ErrorCode.upstreamTimeout, `no answer from OpenEMS in ${timeoutMs} ms`),
      outcome: "upstream-timeout",
      attempts,
    };
  }

  function invalid(
    id: JsonRpcId,
    upstreamStatus: number,
    reason: string,
    attempts: number,
  ): Answer {
    return {
      status: 502,
      body: rpcError(
        id,
        ErrorCode.upstreamInvalidResponse,
        `OpenEMS answered HTTP ${upstreamStatus} with ${reason}`,
        {
          upstreamStatus,
        },
      ),
      outcome: "upstream-invalid-response",
      upstreamStatus,
      attempts,
    };
  }

  function mapUpstream(id: JsonRpcId, result: UpstreamResult, attempts: number): Answer {
    switch (result.kind) {
      case "timeout":
        return timedOut(id, attempts);
      case "too-large":
        return {
          status: 502,
          body: rpcError(
            id,
            ErrorCode.upstreamResponseTooLarge,
            `OpenEMS answer exceeds ${maxResponseBytes} bytes`,
          ),
          outcome: "upstream-response-too-large",
          attempts,
        };
      case "error":
        return {
          status: 502,
          body: rpcError(id, ErrorCode.upstreamUnavailable, "OpenEMS unreachable", {
            code: result.code,
          }),
          outcome: "upstream-unreachable",
          attempts,
          error: result.code,
        };
      case "response":
        break;
    }
    const upstreamStatus = result.status;
    if (upstreamStatus === 401 || upstreamStatus === 500) {
      // Still refused with freshly read credentials. Not the caller's fault, so no 401 (the caller
      // would suspect its SigV4 signature); the body (an error page) is not passed on.
      return {
        status: 502,
        body: rpcError(
          id,
          ErrorCode.upstreamAuthFailed,
          `OpenEMS answered HTTP ${upstreamStatus} also with freshly read credentials: ` +
            `the proxy's B2B login failed (OpenEMS answers a failed login with 500) or OpenEMS failed`,
          { upstreamStatus },
        ),
        outcome: "upstream-auth-failed",
        upstreamStatus,
        attempts,
      };
    }
    if (upstreamStatus !== 200 && upstreamStatus !== 400) {
      return {
        status: 502,
        body: rpcError(
          id,
          ErrorCode.upstreamUnavailable,
          `OpenEMS answered HTTP ${upstreamStatus}`,
          {
            upstreamStatus,
          },
        ),
        outcome: "upstream-error",
        upstreamStatus,
        attempts,
      };
    }
    const checked = checkUpstreamBody(result.body, id);
    if (checked.kind === "invalid") return invalid(id, upstreamStatus, checked.reason, attempts);
    if (checked.kind === "error") {
      // OpenEMS's own error (JettyUtils.sendErrorResponse: HTTP 400, OpenemsError code): re-built
      // with the request's id, its code and a bounded, scrubbed message.
      return {
        status: 400,
        body: rpcError(id, checked.code, redactor.scrub(checked.message)),
        outcome: "upstream-rpc-error",
        upstreamStatus,
        upstreamCode: checked.code,
        attempts,
      };
    }
    if (upstreamStatus !== 200) return invalid(id, upstreamStatus, "a result", attempts);
    return {
      status: 200,
      body: result.body.toString("utf8"),
      outcome: "forwarded",
      upstreamStatus,
      attempts,
    };
  }

  async function handle(event: FunctionUrlEvent, started: number): Promise<Outcome> {
    const httpMethod = event.requestContext?.http?.method ?? "";
    if (httpMethod !== "POST") {
      return {
        status: 405,
        headers: { allow: "POST" },
        body: rpcError(
          null,
          ErrorCode.invalidRequest,
          `HTTP method ${describe(httpMethod || "(none)", 20)} not allowed; use POST`,
        ),
        outcome: "http-method-not-allowed",
      };
    }
    const raw = event.body ?? "";
    const size = Buffer.byteLength(raw, event.isBase64Encoded ? "base64" : "utf8");
    if (size > maxBodyBytes) {
      return {
        status: 413,
        body: rpcError(
          null,
          ErrorCode.invalidRequest,
          `request body of ${size} bytes exceeds the limit of ${maxBodyBytes}`,
        ),
        outcome: "body-too-large",
      };
    }
    const parsed = parseBody(raw, event.isBase64Encoded === true);
    const checked = parsed.ok ? validateJsonRpcRequest(parsed.value, allowed) : parsed;
    if (!checked.ok) {
      return {
        status: checked.status,
        body: rpcError(checked.id, checked.code, checked.message, checked.data),
        outcome: checked.outcome,
        method: checked.method,
        id: checked.id,
      };
    }
    const { request, methodPath } = checked;
    return { ...(await forward(request, started)), method: methodPath, id: request.id };
  }

  function fit(outcome: Outcome): FunctionUrlResult {
    const result: FunctionUrlResult = {
      statusCode: outcome.status,
      headers: { ...JSON_HEADERS, ...outcome.headers },
      body: outcome.body,
      isBase64Encoded: false,
    };
    if (resultBytes(result) <= LAMBDA_RESPONSE_LIMIT) return result;
    // Escaping inside the result can make an answer under maxResponseBytes too large for Lambda,
    // which would otherwise fail the invocation with an error MBE cannot read.
    return {
      ...result,
      statusCode: 502,
      body: rpcError(
        outcome.id ?? null,
        ErrorCode.upstreamResponseTooLarge,
        `OpenEMS answer does not fit Lambda's ${LAMBDA_RESPONSE_LIMIT}-byte response limit; ask for a shorter period or fewer channels`,
      ),
    };
  }

  const handler = async (event: FunctionUrlEvent): Promise<FunctionUrlResult> => {
    const started = clock.now();
    let outcome: Outcome;
    try {
      outcome = await handle(event, started);
    } catch (err) {
      outcome = {
        status: 500,
        body: rpcError(null, ErrorCode.internalError, "internal error"),
        outcome: "internal-error",
        error: describeError(err),
      };
    }
    const result = fit(outcome);
    const entry = {
      time: new Date(clock.now()).toISOString(),
      level: result.statusCode >= 500 ? "error" : result.statusCode >= 400 ? "warn" : "info",
      msg: "mbe-proxy request",
      requestId: truncate(event?.requestContext?.requestId, 100),
      caller: truncate(event?.requestContext?.authorizer?.iam?.userArn, 300),
      method: truncate(outcome.method, 140),
      id: outcome.id,
      status: result.statusCode,
      upstreamStatus: outcome.upstreamStatus,
      upstreamCode: outcome.upstreamCode,
      outcome: result.statusCode === outcome.status ? outcome.outcome : "response-too-large",
      attempts: outcome.attempts,
      durationMs: clock.now() - started,
      error: truncate(outcome.error, 500),
    };
    try {
      sink(redactor.scrub(JSON.stringify(entry)));
    } catch {
      // A failing log sink must not turn an answered request into a Lambda error.
    }
    return result;
  };
  return Object.assign(handler, { close: () => agent.destroy() });
}
