/**
 * MBE → OpenEMS B2B proxy: MBE stays on Vercel and reads OpenEMS through this function.
 *
 * A Lambda inside the VPC, behind a Function URL with AWS_IAM auth. It accepts one JSON-RPC 2.0
 * request per call, checks the method against an allowlist, and forwards it with HTTP Basic auth to
 * the OpenEMS Backend's Backend2Backend.Rest endpoint (`POST /jsonrpc`) on its private address.
 *
 * Packaging contract: this file is the whole Lambda. It imports only `node:` built-ins and loads
 * `@aws-sdk/client-secrets-manager` lazily (the Node.js 20/22 Lambda runtimes ship AWS SDK v3), so
 * the Pulumi program can turn it into `handler.js` with `ts.transpileModule` and nothing else. Keep
 * it one file with no relative imports; `test/bundle.test.ts` enforces that.
 */
import * as http from "node:http";
import * as https from "node:https";
import { TextDecoder } from "node:util";

/** What the Pulumi program needs to package and wire this handler (paths relative to here). */
export const bundleEntry = {
  /** The only source file; `ts.transpileModule` (CommonJS, ES2022) turns it into `outputFile`. */
  sourceFile: "handler.ts",
  outputFile: "handler.js",
  /** Lambda `handler` setting: `<file without extension>.<export>`. */
  handler: "handler.handler",
  /** Provided by the Lambda runtime: a bundler must leave these external, never inline them. */
  external: ["@aws-sdk/*"],
  runtimes: ["nodejs20.x", "nodejs22.x", "nodejs24.x"],
} as const;

// ---------------------------------------------------------------------------------------------
// Event and result shapes (Function URL payload format 2.0), only the fields this handler reads.
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// JSON-RPC
// ---------------------------------------------------------------------------------------------

export type JsonRpcId = string | number;

export interface JsonRpcRequest {
  readonly jsonrpc: "2.0";
  readonly method: string;
  readonly id: JsonRpcId;
  readonly params?: unknown;
}

/** Error codes this proxy answers with. -32000..-32099 is the spec's "server error" range. */
export const ErrorCode = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotAllowed: -32601,
  internalError: -32603,
  upstreamTimeout: -32001,
  upstreamUnavailable: -32002,
  upstreamAuthFailed: -32003,
  upstreamResponseTooLarge: -32004,
} as const;

/**
 * Wrapper methods that tunnel another request in `params.payload` (OpenEMS Backend
 * `CoreJsonRpcRequestHandler`/`EdgeRpcRequestHandler`). Allowing `edgeRpc` by itself would let
 * through every Edge method, writes such as `updateComponentConfig` and `setChannelValue` included,
 * so the allowlist names the inner method instead: `edgeRpc/queryHistoricTimeseriesEnergy`.
 */
export const TUNNEL_METHODS: readonly string[] = ["edgeRpc", "componentJsonApi"];

/** How deep `params.payload` may nest; OpenEMS goes edgeRpc → componentJsonApi → x at most. */
const MAX_TUNNEL_DEPTH = 4;

const METHOD_SEGMENT = /^[A-Za-z0-9_.-]+$/;
const SEGMENT_CHARS = "[A-Za-z0-9_.-]";

type Validation =
  | { readonly ok: true; readonly request: JsonRpcRequest; readonly methodPath: string }
  | { readonly ok: false; readonly id: JsonRpcId | null; readonly message: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is JsonRpcId {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}

/**
 * Checks that a parsed body is one JSON-RPC 2.0 request (not a notification, not a batch) and
 * computes its method path: the outer method followed by every method tunnelled in
 * `params.payload`, joined with "/".
 */
export function validateJsonRpcRequest(value: unknown): Validation {
  if (Array.isArray(value)) {
    // The OpenEMS B2B endpoint parses exactly one JSON object, and a batch would need one
    // allowlist decision per element; refuse it rather than half-support it.
    return { ok: false, id: null, message: "batch requests are not supported; send one object" };
  }
  if (!isObject(value)) {
    return { ok: false, id: null, message: "the body must be a JSON-RPC 2.0 request object" };
  }
  const id = isId(value.id) ? value.id : null;
  const fail = (message: string): Validation => ({ ok: false, id, message });
  if (value.jsonrpc !== "2.0") {
    return fail(`"jsonrpc" must be "2.0"; got ${describe(value.jsonrpc)}`);
  }
  if (!isId(value.id)) {
    // Notifications (no id) get no answer in JSON-RPC, but the caller always waits for one.
    return fail(`"id" must be a string or a number; got ${describe(value.id)}`);
  }
  if (typeof value.method !== "string" || !METHOD_SEGMENT.test(value.method)) {
    return fail(
      `"method" must be a non-empty string of ${SEGMENT_CHARS}; got ${describe(value.method)}`,
    );
  }
  if (value.params !== undefined && typeof value.params !== "object") {
    return fail(`"params" must be an object or an array; got ${describe(value.params)}`);
  }
  let methodPath = value.method;
  let params: unknown = value.params;
  for (let depth = 0; isObject(params) && isObject(params.payload); depth++) {
    const inner = params.payload;
    if (inner.method === undefined) break;
    if (typeof inner.method !== "string" || !METHOD_SEGMENT.test(inner.method)) {
      return fail(
        `"params.payload.method" under ${methodPath} must be a non-empty string of ` +
          `${SEGMENT_CHARS}; got ${describe(inner.method)}`,
      );
    }
    if (depth >= MAX_TUNNEL_DEPTH) {
      return fail(`requests may tunnel at most ${MAX_TUNNEL_DEPTH} levels of params.payload`);
    }
    methodPath += `/${inner.method}`;
    params = inner.params;
  }
  const request: JsonRpcRequest = { ...value, jsonrpc: "2.0", id: value.id, method: value.method };
  return { ok: true, request, methodPath };
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Parses and checks an allowlist: entries are method paths (`getEdgesStatus`,
 * `edgeRpc/queryHistoricTimeseriesEnergy`). `name` is what the error calls the setting.
 */
export function validateAllowedMethods(entries: readonly string[], name: string): string[] {
  if (entries.length === 0) {
    throw new Error(`${name} must list at least one JSON-RPC method; got an empty list`);
  }
  for (const entry of entries) {
    const segments = entry.split("/");
    if (entry === "" || !segments.every((s) => METHOD_SEGMENT.test(s))) {
      throw new Error(
        `${name} entry ${JSON.stringify(entry)} is not a method path; allowed: names of ` +
          `${SEGMENT_CHARS} joined by "/", e.g. "getEdgesStatus" or ` +
          `"edgeRpc/queryHistoricTimeseriesData"`,
      );
    }
    const last = segments[segments.length - 1];
    if (TUNNEL_METHODS.includes(last)) {
      throw new Error(
        `${name} entry ${JSON.stringify(entry)} would allow every method tunnelled through ` +
          `${last}, writes included; list the inner methods instead, ` +
          `e.g. "${entry}/queryHistoricTimeseriesEnergy"`,
      );
    }
  }
  return [...new Set(entries)];
}

function rpcError(id: JsonRpcId | null, code: number, message: string, data?: unknown): string {
  const error = data === undefined ? { code, message } : { code, message, data };
  return JSON.stringify({ jsonrpc: "2.0", id, error });
}

// ---------------------------------------------------------------------------------------------
// Credentials
// ---------------------------------------------------------------------------------------------

export interface OpenemsCredentials {
  readonly username: string;
  readonly password: string;
}

/** Where the OpenEMS credentials come from: the raw SecretString of the secret. */
export interface SecretSource {
  getSecretString(): Promise<string>;
}

export interface Clock {
  now(): number;
}

/**
 * Parses the secret `{"username": "...", "password": "..."}`. Error messages never quote the
 * secret: `JSON.parse`'s own message would echo part of it, which is why it is not passed on.
 */
export function parseCredentials(secretString: string): OpenemsCredentials {
  let value: unknown;
  try {
    value = JSON.parse(secretString);
  } catch {
    throw new Error(
      'the OpenEMS credentials secret is not JSON; expected {"username": "...", "password": "..."}',
    );
  }
  if (!isObject(value)) {
    throw new Error(
      'the OpenEMS credentials secret must be a JSON object {"username": "...", "password": "..."}',
    );
  }
  const bad = ["username", "password"].filter(
    (k) => typeof value[k] !== "string" || value[k] === "",
  );
  if (bad.length > 0) {
    throw new Error(
      `the OpenEMS credentials secret lacks a non-empty string ` +
        `${bad.map((k) => `"${k}"`).join(" and ")}; ` +
        `keys present: ${
          Object.keys(value)
            .map((k) => JSON.stringify(k))
            .join(", ") || "none"
        }`,
    );
  }
  const username = value.username as string;
  const password = value.password as string;
  // OpenEMS splits "user:password" at the first colon and trims both halves, so a colon in the
  // username or whitespace at either end of a value can never log in.
  if (username.includes(":")) {
    throw new Error(
      'the OpenEMS credentials secret "username" must not contain ":" (HTTP Basic auth)',
    );
  }
  for (const [key, v] of [
    ["username", username],
    ["password", password],
  ] as const) {
    if (v.trim() !== v) {
      throw new Error(
        `the OpenEMS credentials secret "${key}" starts or ends with whitespace, which OpenEMS ` +
          `trims away`,
      );
    }
  }
  return { username, password };
}

interface CredentialEntry {
  readonly authorization: string;
  readonly generation: number;
}

/**
 * Caches the Basic auth header built from the secret for `ttlMs`. Concurrent callers share one
 * fetch; a failed fetch is not cached. `invalidate(generation)` drops the entry only if it is still
 * the one the caller used, so a burst of rejected requests triggers one re-fetch, not one each.
 */
class CredentialCache {
  private entry: (CredentialEntry & { readonly fetchedAt: number }) | undefined;
  private inflight: Promise<CredentialEntry> | undefined;
  private generation = 0;

  constructor(
    private readonly source: SecretSource,
    private readonly ttlMs: number,
    private readonly clock: Clock,
    private readonly onSecret: (values: string[]) => void,
  ) {}

  get(): Promise<CredentialEntry> {
    const entry = this.entry;
    if (entry && this.clock.now() - entry.fetchedAt < this.ttlMs) return Promise.resolve(entry);
    this.inflight ??= this.fetch().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  invalidate(generation: number): void {
    if (this.entry?.generation === generation) this.entry = undefined;
  }

  private async fetch(): Promise<CredentialEntry> {
    const secretString = await this.source.getSecretString();
    const { username, password } = parseCredentials(secretString);
    const token = Buffer.from(`${username}:${password}`, "utf8").toString("base64");
    this.onSecret([password, username, token, `${username}:${password}`]);
    this.generation += 1;
    const entry = { authorization: `Basic ${token}`, generation: this.generation };
    this.entry = { ...entry, fetchedAt: this.clock.now() };
    return entry;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The part of `@aws-sdk/client-secrets-manager` this file uses. */
export interface SecretsManagerModule {
  SecretsManagerClient: new (config: Record<string, unknown>) => {
    send(command: unknown): Promise<{ SecretString?: string; SecretBinary?: Uint8Array }>;
  };
  GetSecretValueCommand: new (input: { SecretId: string }) => unknown;
}

function loadSecretsManagerSdk(): SecretsManagerModule {
  try {
    // Loaded here rather than imported at the top so the module loads (and tests run) where the
    // SDK is absent; in Lambda the Node.js runtime provides it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("@aws-sdk/client-secrets-manager") as SecretsManagerModule;
  } catch (err) {
    throw new Error(
      "cannot load @aws-sdk/client-secrets-manager: the Lambda Node.js runtime provides it; " +
        `package this handler with @aws-sdk/* external (${(err as Error).message.split("\n")[0]})`,
    );
  }
}

/** The production SecretSource: Secrets Manager GetSecretValue with the Lambda's own role. */
export function createSecretsManagerSource(
  secretId: string,
  loadSdk: () => SecretsManagerModule = loadSecretsManagerSdk,
): SecretSource {
  let client: InstanceType<SecretsManagerModule["SecretsManagerClient"]> | undefined;
  let sdk: SecretsManagerModule | undefined;
  return {
    async getSecretString(): Promise<string> {
      sdk ??= loadSdk();
      client ??= new sdk.SecretsManagerClient({});
      const out = await client.send(new sdk.GetSecretValueCommand({ SecretId: secretId }));
      if (typeof out.SecretString === "string") return out.SecretString;
      if (out.SecretBinary) return Buffer.from(out.SecretBinary).toString("utf8");
      throw new Error(`secret ${secretId} has neither SecretString nor SecretBinary`);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Logging
// ---------------------------------------------------------------------------------------------

/** Receives one serialised JSON line per request, already scrubbed of known secret values. */
export type LogSink = (line: string) => void;

const REDACTED = "[REDACTED]";
/** Values shorter than this are not scrubbed: replacing them would mangle ordinary log text. */
const MIN_REDACT_LENGTH = 4;

/**
 * Last line of defence: the handler never puts credentials into log fields, but an error message
 * from a dependency might, so every line is scrubbed of every secret value seen by this process.
 */
class Redactor {
  private readonly values: string[] = [];
  /** Longest first, so a value that contains another is replaced whole. */
  private byLength: string[] = [];

  add(values: readonly string[]): void {
    for (const value of values) {
      // Also the JSON-escaped form: how a value with quotes or backslashes appears in a line.
      for (const form of [value, JSON.stringify(value).slice(1, -1)]) {
        if (form.length >= MIN_REDACT_LENGTH && !this.values.includes(form)) this.values.push(form);
      }
    }
    // A process sees few rotations; keep the list bounded anyway, forgetting the oldest first.
    this.values.splice(0, Math.max(0, this.values.length - 64));
    this.byLength = [...this.values].sort((a, b) => b.length - a.length);
  }

  scrub(line: string): string {
    let out = line;
    for (const value of this.byLength) out = out.split(value).join(REDACTED);
    return out;
  }
}

const stdoutSink: LogSink = (line) => {
  // Raw stdout rather than console.log: Lambda's text log format would prefix console.log lines,
  // and CloudWatch Logs Insights discovers fields only in lines that are pure JSON.
  process.stdout.write(`${line}\n`);
};

// ---------------------------------------------------------------------------------------------
// Upstream HTTP
// ---------------------------------------------------------------------------------------------

type UpstreamResult =
  | { readonly kind: "response"; readonly status: number; readonly body: Buffer }
  | { readonly kind: "timeout" }
  | { readonly kind: "too-large" }
  | {
      readonly kind: "error";
      readonly code: string;
      readonly message: string;
      readonly staleSocket: boolean;
    };

/** A keep-alive socket the server closed while it sat idle fails like this on reuse. */
const STALE_SOCKET_CODES = new Set(["ECONNRESET", "EPIPE"]);
/** Bounds retries over stale pooled sockets (after a Lambda thaw, every idle one may be dead). */
const MAX_STALE_RETRIES = 3;

function postOnce(
  url: URL,
  agent: http.Agent,
  body: Buffer,
  authorization: string,
  timeoutMs: number,
  maxResponseBytes: number,
): Promise<UpstreamResult> {
  return new Promise((resolve) => {
    let settled = false;
    let gotResponse = false;
    const settle = (result: UpstreamResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = (url.protocol === "https:" ? https : http).request(url, {
      method: "POST",
      agent,
      headers: {
        "content-type": "application/json",
        "content-length": String(body.length),
        accept: "application/json",
        authorization,
        "user-agent": "mbe-proxy",
      },
    });
    // One deadline for connect, request and the whole response body. Destroying the request
    // destroys its socket, so a timed-out exchange never goes back into the pool half-read.
    const timer = setTimeout(() => {
      settle({ kind: "timeout" });
      request.destroy();
    }, timeoutMs);
    request.on("response", (response) => {
      gotResponse = true;
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size > maxResponseBytes) {
          settle({ kind: "too-large" });
          request.destroy();
          return;
        }
        chunks.push(chunk);
      });
      response.on("end", () => {
        const status = response.statusCode ?? 502;
        settle({ kind: "response", status, body: Buffer.concat(chunks) });
      });
      response.on("error", (err: NodeJS.ErrnoException) => {
        const code = err.code ?? "ERESPONSE";
        settle({ kind: "error", code, message: err.message, staleSocket: false });
      });
    });
    request.on("error", (err: NodeJS.ErrnoException) => {
      const code = err.code ?? "EREQUEST";
      const staleSocket = request.reusedSocket && !gotResponse && STALE_SOCKET_CODES.has(code);
      settle({ kind: "error", code, message: err.message, staleSocket });
    });
    request.end(body);
  });
}

// ---------------------------------------------------------------------------------------------
// The handler
// ---------------------------------------------------------------------------------------------

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
  /** Largest upstream body passed back. Default 5 MiB, under Lambda's 6 MB response limit. */
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

const MAX_FUNCTION_URL_BODY = 6 * 1024 * 1024;

function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}; got ${describe(value)}`);
  }
  return value;
}

/**
 * Checks an upstream URL: http(s), no credentials in it, path ending in `/jsonrpc` (OpenEMS
 * dispatches on that path segment and silently ignores others). Never echoes a URL that carries
 * credentials, because this message ends up in logs.
 */
export function validateUpstreamUrl(value: string, name: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} must be an absolute http:// or https:// URL; got ${describe(value)}`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new Error(
      `${name} must not carry credentials (they come from the secret); ` +
        `got a URL with user info (not shown)`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`${name} must use http:// or https://; got ${describe(value)}`);
  }
  if (!url.pathname.endsWith("/jsonrpc")) {
    throw new Error(
      `${name} must point at the OpenEMS B2B JSON-RPC path ending in /jsonrpc ` +
        `(e.g. http://10.10.1.23:8082/jsonrpc); got ${describe(value)}`,
    );
  }
  return url;
}

/** How one invocation ends: becomes both the response and the log line. */
interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly outcome: string;
  readonly upstreamStatus?: number;
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
    MAX_FUNCTION_URL_BODY,
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
  // Keep-alive: a warm Lambda reuses its connection to OpenEMS. `timeout` makes the agent destroy
  // sockets idle in its pool, so nothing lingers after a burst.
  const AgentClass = url.protocol === "https:" ? https.Agent : http.Agent;
  const agent = new AgentClass({
    keepAlive: true,
    maxSockets,
    maxFreeSockets: maxSockets,
    timeout: idleMs,
  });
  const decoder = new TextDecoder("utf-8", { fatal: true });

  async function forward(request: JsonRpcRequest, started: number): Promise<Answer> {
    const id = request.id;
    // Re-serialised rather than the raw bytes: OpenEMS parses leniently (Gson), so forwarding
    // exactly what was checked rules out parser differentials such as duplicate "method" keys.
    const body = Buffer.from(JSON.stringify(request), "utf8");
    // One deadline for the whole invocation, secret reads and retries included, so the Lambda
    // timeout only needs to exceed upstreamTimeoutMs by a small margin.
    const deadline = started + timeoutMs;
    let attempts = 0;
    let retriedAuth = false;
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

      if (result.kind === "response" && result.status === 401 && !retriedAuth) {
        // The secret may have been rotated since it was cached: read it again, once. Safe to
        // resend, because OpenEMS authenticates before it looks at the request.
        retriedAuth = true;
        credentials.invalidate(entry.generation);
        entry = await readCredentials(id, deadline, attempts);
        continue;
      }
      return mapUpstream(id, result, entry, attempts);
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
        error: err instanceof Error ? err.message : String(err),
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

  function mapUpstream(
    id: JsonRpcId,
    result: UpstreamResult,
    entry: CredentialEntry,
    attempts: number,
  ): Answer {
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
          error: `${result.code}: ${result.message}`,
        };
      case "response":
        break;
    }
    const upstreamStatus = result.status;
    if (upstreamStatus === 401) {
      // Still rejected with freshly read credentials: the proxy's own configuration is wrong, which
      // is not the caller's fault, so no 401 (the caller would suspect its SigV4 signature).
      return {
        status: 502,
        body: rpcError(
          id,
          ErrorCode.upstreamAuthFailed,
          "OpenEMS rejected the proxy's credentials",
          { upstreamStatus },
        ),
        outcome: "upstream-auth-failed",
        upstreamStatus,
        attempts,
      };
    }
    if (upstreamStatus >= 500) {
      // OpenEMS Backend2Backend.Rest answers a failed Basic login with a 500, not a 401 (its
      // RestHandler throws and Jetty turns that into a server error), so a 5xx may mean rotated
      // credentials. Resending is not safe here (the call may have run), but the next request
      // reads the secret again.
      credentials.invalidate(entry.generation);
      return {
        status: 502,
        body: rpcError(
          id,
          ErrorCode.upstreamUnavailable,
          `OpenEMS answered HTTP ${upstreamStatus}`,
          { upstreamStatus },
        ),
        outcome: "upstream-error",
        upstreamStatus,
        attempts,
      };
    }
    return {
      status: upstreamStatus,
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
          `HTTP method ${httpMethod || "(none)"} not allowed; use POST`,
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
    let parsed: unknown;
    try {
      const bytes = Buffer.from(raw, event.isBase64Encoded ? "base64" : "utf8");
      parsed = JSON.parse(decoder.decode(bytes));
    } catch {
      return {
        status: 400,
        body: rpcError(null, ErrorCode.parseError, "parse error: the body is not valid UTF-8 JSON"),
        outcome: "parse-error",
      };
    }
    const checked = validateJsonRpcRequest(parsed);
    if (!checked.ok) {
      return {
        status: 400,
        body: rpcError(checked.id, ErrorCode.invalidRequest, `invalid request: ${checked.message}`),
        outcome: "invalid-request",
        id: checked.id,
      };
    }
    const { request, methodPath } = checked;
    if (!allowed.has(methodPath)) {
      // 403 rather than the usual JSON-RPC 200: the refusal is the proxy's policy, and a 4xx shows
      // up in Function URL metrics where a misconfigured allowlist gets noticed.
      return {
        status: 403,
        body: rpcError(request.id, ErrorCode.methodNotAllowed, `method not allowed: ${methodPath}`),
        outcome: "method-not-allowed",
        method: methodPath,
        id: request.id,
      };
    }
    return { ...(await forward(request, started)), method: methodPath, id: request.id };
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
        error: (err as Error)?.stack ?? String(err),
      };
    }
    const entry = {
      time: new Date(clock.now()).toISOString(),
      level: outcome.status >= 500 ? "error" : outcome.status >= 400 ? "warn" : "info",
      msg: "mbe-proxy request",
      requestId: event?.requestContext?.requestId,
      caller: event?.requestContext?.authorizer?.iam?.userArn,
      method: truncate(outcome.method),
      id: typeof outcome.id === "string" ? truncate(outcome.id) : outcome.id,
      status: outcome.status,
      upstreamStatus: outcome.upstreamStatus,
      outcome: outcome.outcome,
      attempts: outcome.attempts,
      durationMs: clock.now() - started,
      error: truncate(outcome.error, 2000),
    };
    try {
      sink(redactor.scrub(JSON.stringify(entry)));
    } catch {
      // A failing log sink must not turn an answered request into a Lambda error.
    }
    return {
      statusCode: outcome.status,
      headers: { ...JSON_HEADERS, ...outcome.headers },
      body: outcome.body,
      isBase64Encoded: false,
    };
  };
  return Object.assign(handler, { close: () => agent.destroy() });
}

function truncate(value: string | undefined, max = 200): string | undefined {
  return value !== undefined && value.length > max ? `${value.slice(0, max)}...` : value;
}

// ---------------------------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------------------------

/** `process.env`, or any map of the same shape. */
export type Environment = Readonly<Record<string, string | undefined>>;

export interface ProxyEnvConfig {
  readonly upstreamUrl: string;
  readonly allowedMethods: string[];
  readonly maxBodyBytes: number;
  readonly upstreamTimeoutMs: number;
  readonly credentialsTtlMs: number;
  readonly secretArn: string;
}

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

function envInteger(
  env: Environment,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}; got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

function envRequired(env: Environment, name: string): string {
  const raw = env[name]?.trim();
  if (!raw) {
    throw new Error(`${name} is required and was ${env[name] === undefined ? "not set" : "empty"}`);
  }
  return raw;
}

/** Reads and checks the Lambda's environment; every error names the variable and its value. */
export function loadProxyConfigFromEnv(env: Environment): ProxyEnvConfig {
  const upstreamUrl = envRequired(env, "OPENEMS_B2B_URL");
  validateUpstreamUrl(upstreamUrl, "OPENEMS_B2B_URL");
  const allowedMethods = validateAllowedMethods(
    envRequired(env, "ALLOWED_METHODS")
      .split(",")
      .map((s) => s.trim()),
    "ALLOWED_METHODS",
  );
  const secretArn = envRequired(env, "OPENEMS_CREDENTIALS_SECRET_ARN");
  if (!SECRET_ARN.test(secretArn)) {
    throw new Error(
      `OPENEMS_CREDENTIALS_SECRET_ARN must be a Secrets Manager secret ARN ` +
        `(arn:aws:secretsmanager:<region>:<account>:secret:<name>); ` +
        `got ${JSON.stringify(secretArn)}`,
    );
  }
  return {
    upstreamUrl,
    allowedMethods,
    secretArn,
    maxBodyBytes: envInteger(env, "MAX_BODY_BYTES", 262_144, 1, MAX_FUNCTION_URL_BODY),
    upstreamTimeoutMs: envInteger(env, "UPSTREAM_TIMEOUT_MS", 10_000, 1, 900_000),
    credentialsTtlMs: envInteger(env, "CREDENTIALS_CACHE_TTL_MS", 300_000, 0, 86_400_000),
  };
}

/** Builds the production handler from the environment; `overrides` replaces any dependency. */
export function createHandlerFromEnv(
  env: Environment,
  overrides: Partial<ProxyDeps> = {},
): ProxyHandler {
  const config = loadProxyConfigFromEnv(env);
  return createHandler({
    upstreamUrl: config.upstreamUrl,
    allowedMethods: config.allowedMethods,
    maxBodyBytes: config.maxBodyBytes,
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    credentialsTtlMs: config.credentialsTtlMs,
    secretSource: createSecretsManagerSource(config.secretArn),
    ...overrides,
  });
}

let defaultHandler: ProxyHandler | undefined;

/** The Lambda entry point (`handler.handler`). */
export const handler = (event: FunctionUrlEvent): Promise<FunctionUrlResult> => {
  defaultHandler ??= createHandlerFromEnv(process.env);
  return defaultHandler(event);
};

// In Lambda, build at init so a bad environment fails the cold start with a message naming the
// variable, instead of failing every request. Elsewhere (tests, the Pulumi program reading
// `bundleEntry`) importing this file has no side effects.
if (process.env.AWS_LAMBDA_FUNCTION_NAME) {
  defaultHandler = createHandlerFromEnv(process.env);
}
