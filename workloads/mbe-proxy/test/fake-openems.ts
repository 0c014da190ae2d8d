/**
 * A stand-in for the OpenEMS Backend2Backend.Rest endpoint on 127.0.0.1 (random port), written
 * from OpenEMS 2026.1.0: io.openems.backend.b2brest/RestHandler.java (Basic auth first, a failed
 * login thrown to Jetty and answered 500; missing jsonrpc/id filled in, params and payload must be
 * objects), io.openems.common/.../utils/JettyUtils.java (JSON-RPC errors are HTTP 400, with the
 * placeholder id 00000000-... when the request failed before dispatch),
 * GenericJsonrpcRequest.java / JsonrpcMessage.java (UUID id, object params),
 * CoreJsonRpcRequestHandlerImpl.java and EdgeRpcRequestHandler.java (which methods exist, where),
 * GetEdgesStatusRequest.java (edgeIds required). It records what it receives and counts its open
 * connections so tests can prove the proxy leaks none.
 */
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly rawBody: string;
  /** The parsed body, or undefined when it was not JSON. */
  readonly json: { id?: unknown; method?: unknown; [key: string]: unknown } | undefined;
  /** True when the Authorization header matched `credentials` at the time. */
  readonly authorized: boolean;
  /** How many requests this connection had carried before this one. */
  readonly requestsBeforeOnConnection: number;
}

export interface Reply {
  readonly status: number;
  readonly body: string;
  /** Answer after this long (the timer is cleared when the server closes). */
  readonly delayMs?: number;
  /** Drop the connection without answering. */
  readonly destroy?: boolean;
}

export type Responder = (request: RecordedRequest) => Reply;

export interface FakeOpenems {
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** What the server accepts; change it to simulate a rotated password. */
  credentials: { username: string; password: string };
  respond: Responder;
  openConnections(): number;
  readonly stats: { totalConnections: number; peakConnections: number };
  close(): Promise<void>;
}

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

/** RestHandler.handleJsonRpc's id for errors found before dispatch (`new UUID(0L, 0L)`). */
export const PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000";
/** The Edges the B2B user may see (in Odoo: devices registered for it). */
export const KNOWN_EDGES = ["edge0", "edge1"];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isObject = (v: unknown): v is Record<string, any> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** JettyUtils.sendErrorResponse: HTTP 400, OpenemsError GENERIC (code 1) with its message. */
function rpcError(id: string, message: string): Reply {
  return {
    status: 400,
    body: JSON.stringify({ jsonrpc: "2.0", id, error: { code: 1, message, data: [message] } }),
  };
}
function ok(id: string, result: unknown): Reply {
  return { status: 200, body: JSON.stringify({ jsonrpc: "2.0", id, result }) };
}

/** What the inner request of edgeRpc answers (EdgeRpcRequestHandler.java), or an error text. */
function edgeMethod(method: string, params: Record<string, any>): unknown | string {
  switch (method) {
    case "getEdgeConfig":
      return { components: {}, factories: {} };
    case "queryHistoricTimeseriesEnergy":
    case "queryHistoricTimeseriesEnergyPerPeriod":
    case "queryHistoricTimeseriesData": {
      if (!Array.isArray(params.channels) || typeof params.fromDate !== "string")
        return `JSON [${JSON.stringify(params)}] has no member [channels] or [fromDate]`;
      return { data: Object.fromEntries(params.channels.map((c: string) => [c, 0])) };
    }
    default:
      return `Unhandled JSON-RPC method [${method}]`;
  }
}

/**
 * OpenEMS's answers: 500 for a failed login (what Jetty does with the exception RestHandler.handle
 * passes to callback.failed; the error page's shape is Jetty's, not relied upon), 400 JSON-RPC
 * errors for everything OpenEMS refuses, 200 results for the B2B read methods.
 */
export const openemsResponder: Responder = (request) => {
  if (!request.authorized) {
    return {
      status: 500,
      body: "<html><body><h2>HTTP ERROR 500 Authentication failed</h2></body></html>",
    };
  }
  if (!request.path.split("?")[0].startsWith("/jsonrpc")) return { status: 200, body: "" };
  if (request.method !== "POST")
    return rpcError(
      PLACEHOLDER_ID,
      `Unable to get Response: Method [${request.method}] is not supported for JSON-RPC endpoint`,
    );
  const j = request.json;
  if (!isObject(j)) return rpcError(PLACEHOLDER_ID, "Unable to get Response: Unable to parse");
  const fail = (m: string) => rpcError(PLACEHOLDER_ID, `Unable to get Response: ${m}`);
  if (!("method" in j) || !isObject(j.params))
    return fail(`JsonrpcMessage is not a valid Request, Result or Notification`);
  const id = j.id ?? "11111111-1111-4111-8111-111111111111";
  if (!UUID.test(String(id)))
    return fail(`JSON [${JSON.stringify(j).slice(0, 100)}] has no UUID member [id]`);
  const params = j.params;
  switch (j.method) {
    case "getEdgesStatus": {
      if (!Array.isArray(params.edgeIds)) return fail(`JSON has no JsonArray member [edgeIds]`);
      const known = params.edgeIds.filter((e: unknown) => KNOWN_EDGES.includes(e as string));
      return ok(id as string, Object.fromEntries(known.map((e: string) => [e, { online: true }])));
    }
    case "getEdgesChannelsValues":
      if (!Array.isArray(params.ids) || !Array.isArray(params.channels))
        return fail(`JSON has no JsonArray member [ids]`);
      return ok(id as string, {});
    case "edgeRpc": {
      if (typeof params.edgeId !== "string") return fail(`JSON has no String member [edgeId]`);
      if (!KNOWN_EDGES.includes(params.edgeId))
        return fail(`Access to this resource [edgeRpc] is denied for User with Role [none]`);
      const payload = params.payload;
      if (!isObject(payload) || !isObject(payload.params) || typeof payload.method !== "string")
        return fail(`JSON has no JsonObject member [payload]`);
      const innerId = payload.id ?? "22222222-2222-4222-8222-222222222222";
      if (!UUID.test(String(innerId))) return fail(`JSON has no UUID member [id]`);
      const result = edgeMethod(payload.method, payload.params);
      if (typeof result === "string") return fail(result);
      return ok(id as string, { payload: { jsonrpc: "2.0", id: innerId, result } });
    }
    default:
      return fail(`Unhandled JSON-RPC method [${String(j.method).slice(0, 100)}]`);
  }
};

export async function startFakeOpenems(
  credentials: { username: string; password: string },
  respond: Responder = openemsResponder,
): Promise<FakeOpenems> {
  const open = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const perSocket = new WeakMap<Socket, number>();
  const stats = { totalConnections: 0, peakConnections: 0 };
  const requests: RecordedRequest[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      let json: RecordedRequest["json"];
      try {
        json = JSON.parse(rawBody) as RecordedRequest["json"];
      } catch {
        json = undefined;
      }
      const socket = req.socket;
      const before = perSocket.get(socket) ?? 0;
      perSocket.set(socket, before + 1);
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        authorization: req.headers.authorization,
        contentType: req.headers["content-type"],
        rawBody,
        json,
        authorized:
          req.headers.authorization === basic(fake.credentials.username, fake.credentials.password),
        requestsBeforeOnConnection: before,
      };
      requests.push(recorded);
      const reply = fake.respond(recorded);
      const send = (): void => {
        if (reply.destroy) {
          socket.destroy();
          return;
        }
        res.writeHead(reply.status, { "content-type": "application/json" });
        res.end(reply.body);
      };
      if (reply.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          send();
        }, reply.delayMs);
        timers.add(timer);
      } else {
        send();
      }
    });
  });
  server.on("connection", (socket: Socket) => {
    open.add(socket);
    stats.totalConnections += 1;
    stats.peakConnections = Math.max(stats.peakConnections, open.size);
    socket.on("close", () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  const fake: FakeOpenems = {
    url: `http://127.0.0.1:${port}/jsonrpc`,
    port,
    requests,
    credentials: { ...credentials },
    respond,
    openConnections: () => open.size,
    stats,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `condition` every 10 ms; fails after `timeoutMs` with `what` in the message. */
export async function waitFor(
  condition: () => boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Client TCP sockets open in this process (Node's own resource list). */
export function openTcpSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length;
}
