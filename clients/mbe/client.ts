import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";
import { randomUUID } from "node:crypto";
import {
  CredentialsOptions,
  HeadersLike,
  RoleCredentials,
  tokenFromHeaders,
  TokenSource,
} from "./credentials";
import { JsonRpcError, RequestValidationError, TransportError } from "./errors";
import {
  CHRONO_UNITS,
  ChannelAddress,
  EdgeConfig,
  GetEdgesChannelsValuesParams,
  GetEdgesChannelsValuesResult,
  GetEdgesStatusResult,
  JsonRpcErrorObject,
  JsonRpcRequest,
  QueryHistoricTimeseriesDataParams,
  QueryHistoricTimeseriesDataResult,
  QueryHistoricTimeseriesEnergyParams,
  QueryHistoricTimeseriesEnergyPerPeriodParams,
  QueryHistoricTimeseriesEnergyPerPeriodResult,
  QueryHistoricTimeseriesEnergyResult,
  Resolution,
} from "./types";

export interface MbeClientOptions {
  /** The proxy's Function URL (workloads output `mbeProxyUrl`). */
  readonly url: string;
  /** The MBE role (workloads output `mbeRoleArn`). */
  readonly roleArn: string;
  /** Taken from the Function URL (`<id>.lambda-url.<region>.on.aws`); required for other URLs. */
  readonly region?: string;
  /** Default: the `VERCEL_OIDC_TOKEN` environment variable. Calls may bring their own. */
  readonly token?: TokenSource;
  /** Whole-call deadline (signing, HTTP, body). Default 15000 ms, above the proxy's 10 s upstream. */
  readonly timeoutMs?: number;
  readonly sessionName?: string;
  /** Only for tests: an STS stand-in. */
  readonly stsEndpoint?: string;
  readonly now?: () => number;
}

/** Per call: the incoming request's headers, to take its `x-vercel-oidc-token`. */
export interface CallOptions {
  readonly headers?: HeadersLike;
}

const FUNCTION_URL = /^[a-z0-9]+\.lambda-url\.([a-z0-9-]+)\.on\.aws$/;

/** The region of a Lambda Function URL, or undefined for any other host. */
export function regionOfFunctionUrl(url: URL): string | undefined {
  return FUNCTION_URL.exec(url.hostname)?.[1];
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
function invalid(key: string, value: unknown, expected: string): never {
  throw new RequestValidationError(`${key}: got ${show(value)}; expected ${expected}`);
}
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// Checks mirror what the OpenEMS parsers reject, so MBE learns of a mistake before a round trip.
function checkIds(key: string, ids: readonly string[]): void {
  if (!Array.isArray(ids) || ids.length === 0) invalid(key, ids, "a non-empty list of Edge ids");
  ids.forEach((id, i) => {
    if (typeof id !== "string" || id === "") invalid(`${key}[${i}]`, id, "an Edge id");
  });
}
function checkChannels(key: string, channels: readonly ChannelAddress[]): void {
  if (!Array.isArray(channels) || channels.length === 0)
    invalid(key, channels, "a non-empty list of channel addresses");
  channels.forEach((c, i) => {
    // ChannelAddress.fromString: split("/") must give a component and a channel id.
    if (typeof c !== "string" || !/^[^/]+\/[^/]+$/.test(c))
      invalid(
        `${key}[${i}]`,
        c,
        'a channel address "Component/Channel", e.g. "_sum/GridBuyActiveEnergy"',
      );
  });
}
function checkDate(key: string, value: string): void {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value ?? "");
  const d = m ? new Date(`${value}T00:00:00Z`) : undefined;
  if (!m || !d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value)
    invalid(key, value, "a calendar date YYYY-MM-DD");
}
function checkPeriod(p: { fromDate: string; toDate: string; timezone: string }): void {
  checkDate("fromDate", p.fromDate);
  checkDate("toDate", p.toDate);
  if (p.toDate < p.fromDate)
    invalid("toDate", p.toDate, `a date on or after fromDate ${p.fromDate}`);
  if (typeof p.timezone !== "string" || p.timezone === "")
    invalid("timezone", p.timezone, 'a time zone id such as "Europe/Berlin"');
  try {
    new Intl.DateTimeFormat("en", { timeZone: p.timezone });
  } catch {
    invalid("timezone", p.timezone, 'a time zone id such as "Europe/Berlin"');
  }
}
function checkResolution(r: Resolution | undefined, required: boolean): void {
  if (r === undefined) {
    if (required)
      invalid("resolution", r, '{"value": <positive integer>, "unit": "MINUTES" | ...}');
    return;
  }
  if (!isObject(r) || !Number.isInteger(r.value) || r.value < 1)
    invalid("resolution.value", (r as Resolution | undefined)?.value, "a positive integer");
  if (!CHRONO_UNITS.includes(r.unit))
    invalid("resolution.unit", r.unit, `one of ${CHRONO_UNITS.join(", ")}`);
}

/**
 * MBE's client for the OpenEMS proxy: Vercel OIDC token → the MBE role → SigV4-signed JSON-RPC
 * POSTs to the proxy's Function URL (service `lambda`). Make one per process (module scope), so
 * the role's credentials are reused across requests until shortly before they expire.
 */
export class MbeClient {
  readonly url: URL;
  readonly region: string;
  readonly credentials: RoleCredentials;
  private readonly timeoutMs: number;

  constructor(options: MbeClientOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      invalid("url", options.url, "the proxy's Function URL (workloads output mbeProxyUrl)");
    }
    const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost";
    if (url.protocol !== "https:" && !(loopback && url.protocol === "http:"))
      invalid("url", options.url, "an https:// Function URL");
    const region = options.region ?? regionOfFunctionUrl(url);
    if (!region)
      invalid(
        "region",
        options.region,
        `a region, since ${url.hostname} is not <id>.lambda-url.<region>.on.aws`,
      );
    this.url = url;
    this.region = region;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    const credentialOptions: CredentialsOptions = {
      roleArn: options.roleArn,
      region,
      token: options.token,
      sessionName: options.sessionName,
      stsEndpoint: options.stsEndpoint,
      now: options.now,
    };
    this.credentials = new RoleCredentials(credentialOptions);
  }

  /** `getEdgesStatus`: which of these Edges are online (unknown Edges are an OpenEMS error). */
  async getEdgesStatus(
    edgeIds: readonly string[],
    opts?: CallOptions,
  ): Promise<GetEdgesStatusResult> {
    checkIds("edgeIds", edgeIds);
    return this.call(
      "getEdgesStatus",
      { edgeIds: [...edgeIds] },
      opts,
    ) as Promise<GetEdgesStatusResult>;
  }

  /** `getEdgesChannelsValues`: current values of channels on several Edges. */
  async getEdgesChannelsValues(
    params: GetEdgesChannelsValuesParams,
    opts?: CallOptions,
  ): Promise<GetEdgesChannelsValuesResult> {
    checkIds("ids", params.ids);
    checkChannels("channels", params.channels);
    return this.call(
      "getEdgesChannelsValues",
      { ids: [...params.ids], channels: [...params.channels] },
      opts,
    ) as Promise<GetEdgesChannelsValuesResult>;
  }

  async queryHistoricTimeseriesData(
    edgeId: string,
    params: QueryHistoricTimeseriesDataParams,
    opts?: CallOptions,
  ): Promise<QueryHistoricTimeseriesDataResult> {
    checkPeriod(params);
    checkChannels("channels", params.channels);
    checkResolution(params.resolution, false);
    return this.edgeRpc(
      edgeId,
      "queryHistoricTimeseriesData",
      { ...params },
      opts,
    ) as Promise<QueryHistoricTimeseriesDataResult>;
  }

  async queryHistoricTimeseriesEnergy(
    edgeId: string,
    params: QueryHistoricTimeseriesEnergyParams,
    opts?: CallOptions,
  ): Promise<QueryHistoricTimeseriesEnergyResult> {
    checkPeriod(params);
    checkChannels("channels", params.channels);
    return this.edgeRpc(
      edgeId,
      "queryHistoricTimeseriesEnergy",
      { ...params },
      opts,
    ) as Promise<QueryHistoricTimeseriesEnergyResult>;
  }

  async queryHistoricTimeseriesEnergyPerPeriod(
    edgeId: string,
    params: QueryHistoricTimeseriesEnergyPerPeriodParams,
    opts?: CallOptions,
  ): Promise<QueryHistoricTimeseriesEnergyPerPeriodResult> {
    checkPeriod(params);
    checkChannels("channels", params.channels);
    checkResolution(params.resolution, true);
    return this.edgeRpc(
      edgeId,
      "queryHistoricTimeseriesEnergyPerPeriod",
      { ...params },
      opts,
    ) as Promise<QueryHistoricTimeseriesEnergyPerPeriodResult>;
  }

  /** `getEdgeConfig`: the Edge's components and factories, e.g. to discover its meters. */
  async getEdgeConfig(edgeId: string, opts?: CallOptions): Promise<EdgeConfig> {
    return this.edgeRpc(edgeId, "getEdgeConfig", {}, opts) as Promise<EdgeConfig>;
  }

  /**
   * `edgeRpc` with `payload` = the inner request; answers the inner result. Both levels carry a
   * UUID id (EdgeRpcRequest.from parses the payload with GenericJsonrpcRequest.from).
   */
  async edgeRpc(
    edgeId: string,
    method: string,
    params: Record<string, unknown>,
    opts?: CallOptions,
  ): Promise<unknown> {
    if (typeof edgeId !== "string" || edgeId === "") invalid("edgeId", edgeId, "an Edge id");
    const payload: JsonRpcRequest = { jsonrpc: "2.0", id: randomUUID(), method, params };
    const label = `edgeRpc/${method}`;
    const result = await this.call("edgeRpc", { edgeId, payload }, opts, label);
    // EdgeRpcResponse.java: {"payload": <the inner JsonrpcResponseSuccess>}.
    const inner = isObject(result) ? result.payload : undefined;
    if (!isObject(inner) || !("result" in inner)) {
      throw new TransportError(
        label,
        "protocol",
        `edgeRpc result has no payload.result: ${show(result)}`,
      );
    }
    if (inner.id !== payload.id) {
      throw new TransportError(
        label,
        "protocol",
        `inner response id ${show(inner.id)} does not match the request's ${payload.id}`,
      );
    }
    return inner.result;
  }

  /** One JSON-RPC call with a fresh UUID id; resolves to `result` or throws a typed error. */
  async call(
    method: string,
    params: Record<string, unknown>,
    opts?: CallOptions,
    label = method,
  ): Promise<unknown> {
    const id = randomUUID();
    const body = JSON.stringify({ jsonrpc: "2.0", id, method, params });
    const credentials = await this.credentials.get(tokenFromHeaders(opts?.headers));
    const signer = new SignatureV4({
      service: "lambda",
      region: this.region,
      credentials,
      sha256: Sha256,
    });
    const path = this.url.pathname || "/";
    const signed = await signer.sign({
      method: "POST",
      protocol: this.url.protocol,
      hostname: this.url.hostname,
      port: this.url.port ? Number(this.url.port) : undefined,
      path,
      query: Object.fromEntries(this.url.searchParams),
      headers: { host: this.url.host, "content-type": "application/json" },
      body,
    });
    const headers = Object.fromEntries(
      Object.entries(signed.headers).filter(([k]) => k.toLowerCase() !== "host"),
    );
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.url, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      if (e.name === "TimeoutError" || e.name === "AbortError") {
        throw new TransportError(label, "timeout", `no answer within ${this.timeoutMs} ms`);
      }
      throw new TransportError(label, "network", e.cause?.code ?? e.message);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const status = response.status;
    if (isObject(json) && isObject(json.error) && typeof json.error.code === "number") {
      throw new JsonRpcError(label, status, json.error as unknown as JsonRpcErrorObject);
    }
    if (status === 403 || status === 401) {
      // The Function URL's IAM check ({"Message":"Forbidden"}): the credentials may be stale or
      // belong to another role; fetch new ones next time.
      this.credentials.invalidate();
      throw new TransportError(label, "forbidden", `HTTP ${status} ${text.slice(0, 200)}`, status);
    }
    if (status !== 200 || !isObject(json) || !("result" in json)) {
      throw new TransportError(
        label,
        "protocol",
        `HTTP ${status}, not a JSON-RPC result: ${text.slice(0, 200)}`,
        status,
      );
    }
    if (json.id !== id) {
      throw new TransportError(
        label,
        "protocol",
        `response id ${show(json.id)} is not ${id}`,
        status,
      );
    }
    return json.result;
  }
}
