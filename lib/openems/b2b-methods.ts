/**
 * The OpenEMS Backend2Backend JSON-RPC contract as release 2026.1.0 serves it, the one source for
 * the environment files' `mbe.allowedMethods` rule (lib/config/workloads.ts) and for the MBE
 * proxy's checks before it forwards a call (workloads/mbe-proxy). Pure: no node built-ins, so the
 * proxy's bundle can include it.
 *
 * Read from OpenEMS/openems at tag 2026.1.0:
 * - io.openems.backend.core/.../jsonrpcrequesthandler/CoreJsonRpcRequestHandlerImpl.java: B2B REST
 *   dispatches exactly `edgeRpc`, `getEdgesStatus`, `getEdgesChannelsValues` and
 *   `setGridConnSchedule`; anything else is OpenemsError.JSONRPC_UNHANDLED_METHOD (HTTP 400).
 * - .../EdgeRpcRequestHandler.java: inside `edgeRpc` the backend answers
 *   `queryHistoricTimeseriesData`, `queryHistoricTimeseriesEnergy`,
 *   `queryHistoricTimeseriesEnergyPerPeriod`, `queryHistoricTimeseriesExportXlxs`,
 *   `getEdgeConfig`, `appCenter` and `componentJsonApi` itself, and relays every other method to
 *   the Edge, writes (updateComponentConfig, setChannelValue, ...) included.
 * - io.openems.common/.../jsonrpc/base/GenericJsonrpcRequest.java and JsonrpcMessage.java: a
 *   request has `method`, an object `params` and a UUID `id` (JsonUtils.getAsUUID); the payload of
 *   `edgeRpc` is parsed the same way (EdgeRpcRequest.java).
 * - The request classes (GetEdgesStatusRequest.java, GetEdgesChannelsValuesRequest.java,
 *   QueryHistoricTimeseries*Request.java, GetEdgeConfigRequest.java) for the required params.
 */

/** The OpenEMS release this catalogue was read from. */
export const OPENEMS_RELEASE = "2026.1.0";

/** The wrapper whose `params.payload` carries a request for one Edge (EdgeRpcRequest.java). */
export const EDGE_RPC = "edgeRpc";

/** A failed check of one request's params: where (a dotted path) and what was expected. */
export interface ParamProblem {
  readonly path: string;
  readonly expected: string;
}

type ParamCheck = (params: Record<string, unknown>) => ParamProblem[];

interface MethodSpec {
  /** How the allowlist names it: `getEdgesStatus` or `edgeRpc/<inner method>`. */
  readonly path: string;
  /** The OpenEMS class that parses it, for the error text and reviewers. */
  readonly source: string;
  readonly check: ParamCheck;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringArray(p: Record<string, unknown>, key: string, item?: RegExp, itemName?: string) {
  const value = p[key];
  if (!Array.isArray(value)) return [{ path: key, expected: "an array of strings" }];
  const bad = value.findIndex(
    (v) => typeof v !== "string" || (item !== undefined && !item.test(v)),
  );
  return bad === -1 ? [] : [{ path: `${key}[${bad}]`, expected: itemName ?? "a string" }];
}

/** ChannelAddress.fromString: `<component>/<channel>`, both parts present. */
const CHANNEL_ADDRESS = /^[^/\s]+\/[^/\s]+$/;
/** JsonUtils.getAsZonedDateWithZeroTime: `yyyy-mm-dd`, split at "-". */
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function date(p: Record<string, unknown>, key: string): ParamProblem[] {
  const value = p[key];
  return typeof value === "string" && DATE.test(value)
    ? []
    : [{ path: key, expected: 'a date "yyyy-mm-dd"' }];
}

/** A zone name such as "Europe/Berlin", or (UI before 2022.4.0) an offset in minutes. */
function timezone(p: Record<string, unknown>): ParamProblem[] {
  const value = p.timezone;
  return (typeof value === "string" && value !== "") || Number.isInteger(value)
    ? []
    : [{ path: "timezone", expected: 'a time zone such as "Europe/Berlin"' }];
}

/** Resolution: seconds as an integer, or `{value: <int>, unit: "<ChronoUnit>"}`. */
function resolution(p: Record<string, unknown>, required: boolean): ParamProblem[] {
  const value = p.resolution;
  if (value === undefined && !required) return [];
  if (Number.isInteger(value)) return [];
  if (isObject(value) && Number.isInteger(value.value) && typeof value.unit === "string") return [];
  return [{ path: "resolution", expected: 'seconds, or {"value": 15, "unit": "minutes"}' }];
}

const period = (p: Record<string, unknown>) => [
  ...timezone(p),
  ...date(p, "fromDate"),
  ...date(p, "toDate"),
];
const channels = (p: Record<string, unknown>) =>
  stringArray(p, "channels", CHANNEL_ADDRESS, 'a channel address "<component>/<channel>"');

/** The read-only methods of the B2B contract: the only ones an allowlist may name. */
const READ_METHODS: readonly MethodSpec[] = [
  {
    path: "getEdgesStatus",
    source: "GetEdgesStatusRequest.java",
    check: (p) => stringArray(p, "edgeIds"),
  },
  {
    path: "getEdgesChannelsValues",
    source: "GetEdgesChannelsValuesRequest.java",
    check: (p) => [...stringArray(p, "ids"), ...channels(p)],
  },
  { path: `${EDGE_RPC}/getEdgeConfig`, source: "GetEdgeConfigRequest.java", check: () => [] },
  {
    path: `${EDGE_RPC}/queryHistoricTimeseriesData`,
    source: "QueryHistoricTimeseriesDataRequest.java",
    check: (p) => [...period(p), ...resolution(p, false), ...channels(p)],
  },
  {
    path: `${EDGE_RPC}/queryHistoricTimeseriesEnergy`,
    source: "QueryHistoricTimeseriesEnergyRequest.java",
    check: (p) => [...period(p), ...channels(p)],
  },
  {
    path: `${EDGE_RPC}/queryHistoricTimeseriesEnergyPerPeriod`,
    source: "QueryHistoricTimeseriesEnergyPerPeriodRequest.java",
    check: (p) => [...period(p), ...resolution(p, true), ...channels(p)],
  },
  {
    path: `${EDGE_RPC}/queryHistoricTimeseriesExportXlxs`,
    source: "QueryHistoricTimeseriesExportXlxsRequest.java",
    check: period,
  },
];

/** Methods OpenEMS serves that change something; named so a refusal can say why. */
const WRITE_METHODS: readonly string[] = [
  "setGridConnSchedule",
  `${EDGE_RPC}/componentJsonApi`,
  `${EDGE_RPC}/appCenter`,
  `${EDGE_RPC}/updateComponentConfig`,
  `${EDGE_RPC}/createComponentConfig`,
  `${EDGE_RPC}/deleteComponentConfig`,
  `${EDGE_RPC}/setChannelValue`,
];

/** Every method path an allowlist may name, in catalogue order. */
export const B2B_READ_METHODS: readonly string[] = READ_METHODS.map((m) => m.path);

/**
 * What MBE calls: edge status, energy per billing period, historic energy and data, and the Edge
 * configuration for meter discovery.
 */
export const DEFAULT_ALLOWED_METHODS: readonly string[] = [
  "getEdgesStatus",
  `${EDGE_RPC}/queryHistoricTimeseriesEnergyPerPeriod`,
  `${EDGE_RPC}/queryHistoricTimeseriesEnergy`,
  `${EDGE_RPC}/queryHistoricTimeseriesData`,
  `${EDGE_RPC}/getEdgeConfig`,
];

const SPECS = new Map(READ_METHODS.map((m) => [m.path, m]));

/**
 * Why `entry` may not be allowlisted, or undefined when it may: the reason and the valid method
 * paths, in the form that follows "got <value>; " in the project's error dialect.
 */
export function allowlistProblem(entry: string): string | undefined {
  if (SPECS.has(entry)) return undefined;
  const valid = `expected one of ${B2B_READ_METHODS.join(", ")}`;
  if (entry === EDGE_RPC) {
    return `a bare ${EDGE_RPC} would let through every Edge method, writes included; ${valid}`;
  }
  if (WRITE_METHODS.includes(entry)) return `a write, which the proxy never forwards; ${valid}`;
  if (!entry.includes("/") && SPECS.has(`${EDGE_RPC}/${entry}`)) {
    return `OpenEMS ${OPENEMS_RELEASE} serves it only inside ${EDGE_RPC} ("${EDGE_RPC}/${entry}"); ${valid}`;
  }
  return `not a read method of the OpenEMS ${OPENEMS_RELEASE} B2B API; ${valid}`;
}

/**
 * What is wrong with the params of a request for `path` (an allowlisted method path; `params` are
 * the inner request's params for `edgeRpc/...`). Empty when OpenEMS would parse them.
 */
export function paramProblems(path: string, params: Record<string, unknown>): ParamProblem[] {
  const spec = SPECS.get(path);
  if (!spec) return [{ path: "method", expected: `one of ${B2B_READ_METHODS.join(", ")}` }];
  return spec.check(params);
}

/** The OpenEMS class whose parser `paramProblems` mirrors for `path`. */
export function requestClass(path: string): string | undefined {
  return SPECS.get(path)?.source;
}
