/**
 * Request and response types of the OpenEMS Backend B2B JSON-RPC API at OpenEMS 2026.1.0, as the
 * Java classes parse and serialise them (OpenEMS/openems, tag 2026.1.0):
 *
 * - envelope: io.openems.common/src/io/openems/common/jsonrpc/base/GenericJsonrpcRequest.java
 *   (`id` is a UUID string, `params` an object) and JsonrpcResponseError.java (`error.code` is an
 *   OpenemsError code, `error.data` its message parameters)
 * - top level: io.openems.backend.core/.../CoreJsonRpcRequestHandlerImpl.java dispatches
 *   `edgeRpc`, `getEdgesStatus`, `getEdgesChannelsValues` and `setGridConnSchedule` only
 * - inside `edgeRpc`: io.openems.backend.core/.../EdgeRpcRequestHandler.java
 */

/** A JSON value as Gson writes it. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** `Component-ID/Channel-ID`, e.g. `_sum/GridBuyActiveEnergy` (ChannelAddress.fromString). */
export type ChannelAddress = `${string}/${string}`;

/** A calendar date `YYYY-MM-DD` (JsonUtils.getAsZonedDateWithZeroTime, ISO_LOCAL_DATE). */
export type IsoDate = `${number}-${number}-${number}`;

/**
 * `java.time.temporal.ChronoUnit` names; OpenEMS upper-cases what it gets
 * (io.openems.common/src/io/openems/common/timedata/Resolution.java).
 */
export type ChronoUnit = "SECONDS" | "MINUTES" | "HOURS" | "DAYS" | "WEEKS" | "MONTHS" | "YEARS";
export const CHRONO_UNITS: readonly ChronoUnit[] = [
  "SECONDS",
  "MINUTES",
  "HOURS",
  "DAYS",
  "WEEKS",
  "MONTHS",
  "YEARS",
];

export interface Resolution {
  readonly value: number;
  readonly unit: ChronoUnit;
}

// --- top level (io.openems.backend.common/src/io/openems/backend/common/jsonrpc/...) ----------

/** request/GetEdgesStatusRequest.java: `params.edgeIds` is required. */
export interface GetEdgesStatusParams {
  readonly edgeIds: readonly string[];
}
/** response/GetEdgesStatusResponse.java: one entry per Edge the user may read that exists. */
export type GetEdgesStatusResult = Record<string, { readonly online: boolean }>;

/** request/GetEdgesChannelsValuesRequest.java: `ids` (Edge-IDs) and `channels`. */
export interface GetEdgesChannelsValuesParams {
  readonly ids: readonly string[];
  readonly channels: readonly ChannelAddress[];
}
/** response/GetEdgesChannelsValuesResponse.java: Edge-ID → channel address → current value. */
export type GetEdgesChannelsValuesResult = Record<string, Record<string, JsonValue>>;

/** io.openems.common/.../request/EdgeRpcRequest.java */
export interface EdgeRpcParams {
  readonly edgeId: string;
  readonly payload: JsonRpcRequest;
}
/** io.openems.common/.../response/EdgeRpcResponse.java: the inner success response. */
export interface EdgeRpcResult {
  readonly payload: JsonRpcSuccess;
}

// --- inside edgeRpc (io.openems.common/src/io/openems/common/jsonrpc/...) ---------------------

/**
 * request/QueryHistoricTimeseriesDataRequest.java: `resolution` is optional (automatic when
 * absent); `timezone` is a zone id such as `Europe/Berlin`.
 */
export interface QueryHistoricTimeseriesDataParams {
  readonly fromDate: IsoDate;
  readonly toDate: IsoDate;
  readonly channels: readonly ChannelAddress[];
  readonly timezone: string;
  readonly resolution?: Resolution;
}
/** response/QueryHistoricTimeseriesDataResponse.java */
export interface QueryHistoricTimeseriesDataResult {
  readonly timestamps: string[];
  readonly data: Record<string, (number | null)[]>;
}

/**
 * request/QueryHistoricTimeseriesEnergyRequest.java: the class comment lists a resolution, but
 * `from()` never reads it; the energy is last minus first value over the whole period.
 */
export interface QueryHistoricTimeseriesEnergyParams {
  readonly fromDate: IsoDate;
  readonly toDate: IsoDate;
  readonly channels: readonly ChannelAddress[];
  readonly timezone: string;
}
/** response/QueryHistoricTimeseriesEnergyResponse.java */
export interface QueryHistoricTimeseriesEnergyResult {
  readonly data: Record<string, number | null>;
}

/** request/QueryHistoricTimeseriesEnergyPerPeriodRequest.java: `resolution` is required. */
export interface QueryHistoricTimeseriesEnergyPerPeriodParams {
  readonly fromDate: IsoDate;
  readonly toDate: IsoDate;
  readonly channels: readonly ChannelAddress[];
  readonly timezone: string;
  readonly resolution: Resolution;
}
/** response/QueryHistoricTimeseriesEnergyPerPeriodResponse.java */
export interface QueryHistoricTimeseriesEnergyPerPeriodResult {
  readonly timestamps: string[];
  readonly data: Record<string, (number | null)[]>;
}

/** types/EdgeConfig.java `toJson()`: components (without channels here) and factories. */
export interface EdgeConfig {
  readonly components: Record<
    string,
    {
      readonly alias: string;
      readonly factoryId: string;
      readonly properties: Record<string, JsonValue>;
      readonly channels?: Record<string, JsonValue>;
    }
  >;
  readonly factories: Record<string, JsonValue>;
}

// --- envelope ---------------------------------------------------------------------------------

export interface JsonRpcRequest {
  readonly jsonrpc: "2.0";
  readonly id: string;
  readonly method: string;
  readonly params: Record<string, unknown>;
}
export interface JsonRpcSuccess {
  readonly jsonrpc: "2.0";
  readonly id: string;
  readonly result: unknown;
}
export interface JsonRpcErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}
