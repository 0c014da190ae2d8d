/**
 * A stand-in for the OpenEMS Backend2Backend.Rest endpoint on 127.0.0.1 (random port): checks
 * HTTP Basic auth like OpenEMS does, records what it receives, and counts its open connections so
 * tests can prove the proxy leaks none.
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

/** OpenEMS-like default: 401 on bad auth (see the handler for why real OpenEMS may send 500). */
export const echoResponder: Responder = (request) => {
  if (!request.authorized) return { status: 401, body: "" };
  return {
    status: 200,
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: request.json?.id ?? null,
      result: { method: request.json?.method },
    }),
  };
};

export async function startFakeOpenems(
  credentials: { username: string; password: string },
  respond: Responder = echoResponder,
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
