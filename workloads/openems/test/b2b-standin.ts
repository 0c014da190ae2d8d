/**
 * A stand-in for the OpenEMS Backend's Backend2Backend.Rest endpoint on 127.0.0.1 that enforces
 * the rules of OpenEMS 2026.1.0 (OpenEMS/openems, tag 2026.1.0), each from the file named:
 *
 * - io.openems.backend.b2brest/.../RestHandler.java: HTTP Basic credentials are split at the first
 *   ":" and trimmed, then checked against Metadata (Odoo users). A missing or failed login throws
 *   out of `handle()`, which Jetty answers with HTTP 500 (not 401). The first path segment must be
 *   `jsonrpc` (others are answered 200 with no body; `/` is a 500). Only POST. A missing `id` or
 *   `jsonrpc` is filled in; `params` and `params.payload`, when present, must be objects.
 * - io.openems.common/.../utils/JettyUtils.java `sendErrorResponse`: errors are HTTP 400 with a
 *   JSON-RPC error (401 only for COMMON_AUTHENTICATION_FAILED from the handler). An error thrown
 *   while parsing or dispatching is reported with the dummy id 00000000-0000-0000-0000-000000000000
 *   and the message "Unable to get Response: <cause>" (OpenemsError GENERIC, code 1).
 * - io.openems.common/.../jsonrpc/base/JsonrpcMessage.java, GenericJsonrpcRequest.java: a request
 *   needs `method` and `params`; `id` must be a UUID string, `params` an object.
 * - io.openems.backend.core/.../CoreJsonRpcRequestHandlerImpl.java: exactly four top-level methods
 *   (`edgeRpc`, `getEdgesStatus`, `getEdgesChannelsValues`, `setGridConnSchedule`); anything else
 *   is "Unhandled JSON-RPC method [x]" (OpenemsError JSONRPC_UNHANDLED_METHOD, 4001).
 *   setGridConnSchedule needs the ADMIN role; the others GUEST.
 * - io.openems.backend.core/.../EdgeRpcRequestHandler.java: inside `edgeRpc` the Backend answers
 *   queryHistoricTimeseriesData/Energy/EnergyPerPeriod/ExportXlxs and getEdgeConfig itself; every
 *   other inner method is sent on to the Edge (here: refused if the Edge is offline, else
 *   answered as the Edge's "Unhandled JSON-RPC method").
 * - request classes in io.openems.common/.../jsonrpc/request/ and
 *   io.openems.backend.common/.../jsonrpc/request/: required fields (`edgeIds`; `ids` and
 *   `channels`; `fromDate`, `toDate`, `timezone`, `channels`, `resolution` for per-period),
 *   ChannelAddress "Component/Channel", dates YYYY-MM-DD, ChronoUnit names.
 *
 * Users and their Edges model odoo-openems 16.0: a user in "OpenEMS / Read access"
 * (group_openems_reader) sees every device; others only devices they have a role on
 * (security/openems.xml record rules).
 */
import * as crypto from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export const DUMMY_ID = "00000000-0000-0000-0000-000000000000";
const UUID =
  /^[0-9a-fA-F]{1,8}-[0-9a-fA-F]{1,4}-[0-9a-fA-F]{1,4}-[0-9a-fA-F]{1,4}-[0-9a-fA-F]{1,12}$/;
const CHRONO = [
  "NANOS",
  "MICROS",
  "MILLIS",
  "SECONDS",
  "MINUTES",
  "HOURS",
  "HALF_DAYS",
  "DAYS",
  "WEEKS",
  "MONTHS",
  "YEARS",
  "DECADES",
  "CENTURIES",
  "MILLENNIA",
  "ERAS",
  "FOREVER",
];

export interface B2bUser {
  readonly login: string;
  readonly password: string;
  /** Member of "OpenEMS / Read access": sees every Edge. */
  readonly reader: boolean;
  /** Per-Edge roles for users outside the reader group. */
  readonly roles?: Readonly<Record<string, "guest" | "owner" | "installer" | "admin">>;
}
export interface B2bEdge {
  readonly id: string;
  online: boolean;
  /** Current channel values (getEdgesChannelsValues). */
  readonly values: Record<string, number>;
  /** Energy counters per channel: value at the start of each day, by ISO date. */
  readonly components: Record<
    string,
    { alias: string; factoryId: string; properties: Record<string, unknown> }
  >;
}
export interface B2bRequestLog {
  status: number;
  method?: string;
  innerMethod?: string;
  user?: string;
  /** True when the inner request was passed on to the Edge (not answered by the Backend). */
  toEdge?: boolean;
}
export interface B2bStandin {
  readonly url: string;
  readonly log: B2bRequestLog[];
  readonly users: B2bUser[];
  readonly edges: Map<string, B2bEdge>;
  close(): Promise<void>;
}

/** An OpenemsNamedException: becomes a 400 JSON-RPC error. */
class Named extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}
const generic = (m: string) => new Named(1, m);
const unhandled = (m: string) => new Named(4001, `Unhandled JSON-RPC method [${m}]`);

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function asObject(j: Json, key: string): Json {
  if (!isObj(j[key])) throw generic(`Element [${key}] is not a JsonObject`);
  return j[key] as Json;
}
function asString(j: Json, key: string): string {
  if (typeof j[key] !== "string") throw generic(`Element [${key}] is not a String`);
  return j[key] as string;
}
function asArray(j: Json, key: string): unknown[] {
  if (!Array.isArray(j[key])) throw generic(`Element [${key}] is not a JsonArray`);
  return j[key] as unknown[];
}
function asUuid(j: Json, key: string): string {
  const v = j[key];
  if (typeof v !== "string" || !UUID.test(v))
    throw generic(`Element [${key}] is not a UUID: ${JSON.stringify(v)}`);
  return v;
}
function channels(p: Json): string[] {
  return asArray(p, "channels").map((c) => {
    if (typeof c !== "string" || c.split("/").length < 2 || c.split("/")[1] === "") {
      throw new Named(1000, `This [${String(c)}] is not a valid channel address`);
    }
    return c;
  });
}
function date(p: Json, key: string): string {
  const v = asString(p, key);
  const d = new Date(`${v}T00:00:00Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(v) ||
    Number.isNaN(d.getTime()) ||
    d.toISOString().slice(0, 10) !== v
  ) {
    throw generic(`Unable to parse date [${v}]`);
  }
  return v;
}
/** The period checks of the three query request classes' `from()`. */
function period(p: Json): { from: string; to: string; days: string[] } {
  if (
    p.timezone === undefined ||
    (typeof p.timezone !== "string" && typeof p.timezone !== "number")
  ) {
    throw generic("Element [timezone] is not a JsonPrimitive");
  }
  const from = date(p, "fromDate");
  const to = date(p, "toDate");
  const days: string[] = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return { from, to, days };
}
function resolution(p: Json, required: boolean): void {
  const r = p.resolution;
  if (r === undefined) {
    if (required) throw generic("Element [resolution] is not a JsonElement");
    return;
  }
  if (typeof r === "number") return; // seconds, "for UI version before 2022.4.0"
  if (!isObj(r) || !Number.isInteger(r.value)) throw generic("Element [value] is not an Integer");
  if (typeof r.unit !== "string" || !CHRONO.includes(r.unit.toUpperCase())) {
    throw generic(`No enum constant java.time.temporal.ChronoUnit.${String(r.unit)}`);
  }
}

/** Deterministic meter readings so tests can compute expected energies. */
export function counterAt(edgeId: string, channel: string, day: string): number {
  let h = 0;
  for (const c of `${edgeId}|${channel}`) h = (h * 31 + c.charCodeAt(0)) % 1000;
  return (h + 1) * (Date.parse(day) / 86_400_000 - 19000);
}

export async function startB2bStandin(opts: {
  readonly users: B2bUser[];
  readonly edges: B2bEdge[];
}): Promise<B2bStandin> {
  const edges = new Map(opts.edges.map((e) => [e.id, e]));
  const log: B2bRequestLog[] = [];

  function authenticate(header: string | undefined): B2bUser {
    const parts = (header ?? "").split(" ");
    if (parts.length >= 2 && parts[0].toLowerCase() === "basic") {
      const decoded = Buffer.from(parts[1], "base64").toString("utf8");
      const p = decoded.indexOf(":");
      if (p !== -1) {
        const login = decoded.slice(0, p).trim();
        const password = decoded.slice(p + 1).trim();
        const user = opts.users.find((u) => u.login === login && u.password === password);
        if (user) return user;
      }
    }
    throw new Error("Authentication failed");
  }

  function role(user: B2bUser, edgeId: string): number {
    // Odoo's record rule: readers see all devices, everyone else those with a user role.
    if (!edges.has(edgeId))
      throw generic(`Unable to get Edge [${edgeId}] for User [${user.login}]`);
    if (user.reader) return 1;
    const r = user.roles?.[edgeId];
    if (!r)
      throw new Named(
        1005,
        `Access to this resource [${edgeId}] is denied. Role for User [${user.login}] is not defined`,
      );
    return { guest: 1, owner: 2, installer: 3, admin: 4 }[r];
  }
  function assertRole(user: B2bUser, method: string, edgeId: string, min: number): void {
    if (role(user, edgeId) < min) {
      throw new Named(
        1002,
        `Access to this resource [${method}] is denied for User with Role [GUEST]`,
      );
    }
  }

  /** EdgeRpcRequestHandler: the Backend's own inner methods; null = send to the Edge. */
  function inner(edge: B2bEdge, method: string, p: Json): unknown | null {
    switch (method) {
      case "queryHistoricTimeseriesData": {
        const { days } = period(p);
        resolution(p, false);
        const chs = channels(p);
        return {
          timestamps: days.map((d) => `${d}T00:00:00Z`),
          data: Object.fromEntries(
            chs.map((c) => [c, days.map((d) => edge.values[c] ?? counterAt(edge.id, c, d) % 97)]),
          ),
        };
      }
      case "queryHistoricTimeseriesEnergy": {
        const { from, to } = period(p);
        const chs = channels(p);
        const end = new Date(Date.parse(to) + 86_400_000).toISOString().slice(0, 10);
        return {
          data: Object.fromEntries(
            chs.map((c) => [c, counterAt(edge.id, c, end) - counterAt(edge.id, c, from)]),
          ),
        };
      }
      case "queryHistoricTimeseriesEnergyPerPeriod": {
        const { days } = period(p);
        resolution(p, true);
        const chs = channels(p);
        const next = (d: string) => new Date(Date.parse(d) + 86_400_000).toISOString().slice(0, 10);
        return {
          timestamps: days.map((d) => `${d}T00:00:00Z`),
          data: Object.fromEntries(
            chs.map((c) => [
              c,
              days.map((d) => counterAt(edge.id, c, next(d)) - counterAt(edge.id, c, d)),
            ]),
          ),
        };
      }
      case "getEdgeConfig":
        return { components: edge.components, factories: {} };
      case "queryHistoricTimeseriesExportXlxs":
        period(p);
        return { payload: "UEsDBA==" };
      default:
        return null;
    }
  }

  function dispatch(
    user: B2bUser,
    req: { id: string; method: string; params: Json },
    entry: Partial<B2bRequestLog>,
  ): unknown {
    const p = req.params;
    switch (req.method) {
      case "getEdgesStatus": {
        const ids = asArray(p, "edgeIds").map((e) => {
          if (typeof e !== "string") throw generic("Element is not a String");
          return e;
        });
        const result: Json = {};
        for (const id of ids) {
          assertRole(user, "getEdgesStatus", id, 1);
          result[id] = { online: edges.get(id)!.online };
        }
        return result;
      }
      case "getEdgesChannelsValues": {
        const ids = asArray(p, "ids");
        const chs = channels(p);
        const result: Json = {};
        for (const id of ids) {
          if (typeof id !== "string") throw generic("Element is not a String");
          assertRole(user, "getEdgesChannelsValues", id, 1);
          const e = edges.get(id)!;
          result[id] = Object.fromEntries(
            chs.map((c) => [c, e.online ? (e.values[c] ?? null) : null]),
          );
        }
        return result;
      }
      case "setGridConnSchedule": {
        assertRole(user, "setGridConnSchedule", asString(p, "id"), 4);
        throw generic("setGridConnSchedule is not modelled by this stand-in");
      }
      case "edgeRpc": {
        const edgeId = asString(p, "edgeId");
        const payloadJson = asObject(p, "payload");
        const payload = {
          id: asUuid(payloadJson, "id"),
          method: asString(payloadJson, "method"),
          params: asObject(payloadJson, "params"),
        };
        entry.innerMethod = payload.method;
        assertRole(user, "edgeRpc", edgeId, 1);
        const edge = edges.get(edgeId)!;
        const result = inner(edge, payload.method, payload.params);
        if (result === null) {
          entry.toEdge = true;
          // EdgeManager.send: asynchronous, so the error carries the request's own id.
          if (!edge.online)
            throw Object.assign(generic(`Edge [${edgeId}] is not connected`), { async: true });
          throw Object.assign(unhandled(payload.method), { async: true });
        }
        return { payload: { jsonrpc: "2.0", id: payload.id, result } };
      }
      default:
        throw unhandled(req.method);
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const entry: Partial<B2bRequestLog> & { status?: number } = {};
      const send = (status: number, body: string, type = "application/json") => {
        entry.status = status;
        log.push(entry as B2bRequestLog);
        res.writeHead(status, { "content-type": type }).end(body);
      };
      const rpcError = (id: string, e: Named) =>
        JSON.stringify({
          jsonrpc: "2.0",
          id,
          error: { code: e.code, message: e.message, data: [e.message] },
        });
      let user: B2bUser;
      try {
        user = authenticate(req.headers.authorization);
      } catch {
        // Jetty's answer to an exception thrown out of Handler.handle: a 500 error page.
        send(500, "<html><body><h2>HTTP ERROR 500 Server Error</h2></body></html>", "text/html");
        return;
      }
      entry.user = user.login;
      const path = new URL(req.url ?? "/", "http://x").pathname;
      if (path === "/" || path === "") {
        send(500, "<html><body><h2>HTTP ERROR 500 Server Error</h2></body></html>", "text/html");
        return;
      }
      if (path.slice(1).split("/")[0] !== "jsonrpc") {
        send(200, "");
        return;
      }
      const failSync = (e: Named) =>
        send(400, rpcError(DUMMY_ID, generic(`Unable to get Response: ${e.message}`)));
      let json: Json;
      try {
        if (req.method !== "POST")
          throw generic(`Method [${req.method}] is not supported for JSON-RPC endpoint`);
        let parsed: unknown;
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch (e) {
          throw generic(`Unable to parse: ${(e as Error).message}`);
        }
        if (!isObj(parsed)) throw generic("Unable to parse: not a JsonObject");
        json = parsed;
        json.jsonrpc ??= "2.0";
        json.id ??= crypto.randomUUID();
        if ("params" in json) {
          const params = asObject(json, "params");
          if ("payload" in params) {
            const payload = asObject(params, "payload");
            payload.jsonrpc ??= "2.0";
            payload.id ??= crypto.randomUUID();
          }
        }
        if (!("method" in json && "params" in json)) {
          throw generic(
            `JsonrpcMessage is not a valid Request, Result or Notification: ${JSON.stringify(json).slice(0, 200)}`,
          );
        }
      } catch (e) {
        failSync(e as Named);
        return;
      }
      let request: { id: string; method: string; params: Json };
      try {
        request = {
          id: asUuid(json, "id"),
          method: asString(json, "method"),
          params: asObject(json, "params"),
        };
      } catch (e) {
        failSync(e as Named);
        return;
      }
      entry.method = request.method;
      try {
        const result = dispatch(user, request, entry);
        send(200, JSON.stringify({ jsonrpc: "2.0", id: request.id, result }));
      } catch (e) {
        if (!(e instanceof Named)) throw e;
        if ((e as Named & { async?: boolean }).async) send(400, rpcError(request.id, e));
        else failSync(e);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/jsonrpc`,
    log,
    users: opts.users,
    edges,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
