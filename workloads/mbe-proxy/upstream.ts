/**
 * The upstream client: one POST to OpenEMS Backend2Backend.Rest over a keep-alive pool, with one
 * deadline for connect, request and the whole answer, and a bound on the answer's size.
 */
import * as http from "node:http";
import * as https from "node:https";
import { describe, ProxyError } from "./contract";

export type UpstreamResult =
  | { readonly kind: "response"; readonly status: number; readonly body: Buffer }
  | { readonly kind: "timeout" }
  | { readonly kind: "too-large" }
  | { readonly kind: "error"; readonly code: string; readonly staleSocket: boolean };

/** A keep-alive socket the server closed while it sat idle fails like this on reuse. */
const STALE_SOCKET_CODES = new Set(["ECONNRESET", "EPIPE"]);
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,39}$/;

/**
 * Checks an upstream URL: http(s), no credentials in it, path ending in `/jsonrpc` (OpenEMS
 * dispatches on that path segment and silently ignores others: RestHandler.java). Never echoes a
 * URL that carries credentials, because this message ends up in logs.
 */
export function validateUpstreamUrl(value: string, name: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ProxyError(
      `${name} must be an absolute http:// or https:// URL; got ${describe(value)}`,
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw new ProxyError(
      `${name} must not carry credentials (they come from the secret); got a URL with user info (not shown)`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ProxyError(`${name} must use http:// or https://; got ${describe(value)}`);
  }
  if (!url.pathname.endsWith("/jsonrpc")) {
    throw new ProxyError(
      `${name} must point at the OpenEMS B2B JSON-RPC path ending in /jsonrpc ` +
        `(e.g. http://10.10.1.23:8082/jsonrpc); got ${describe(value)}`,
    );
  }
  return url;
}

/** Keep-alive: a warm Lambda reuses its connection; idle pooled sockets close after `idleMs`. */
export function createAgent(url: URL, maxSockets: number, idleMs: number): http.Agent {
  const AgentClass = url.protocol === "https:" ? https.Agent : http.Agent;
  return new AgentClass({
    keepAlive: true,
    maxSockets,
    maxFreeSockets: maxSockets,
    timeout: idleMs,
  });
}

export function postOnce(
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
    // Only the error's code is kept: a Node error message names addresses and internals.
    const codeOf = (err: NodeJS.ErrnoException, fallback: string) =>
      err.code && ERROR_CODE.test(err.code) ? err.code : fallback;
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
    // Destroying the request destroys its socket, so a timed-out exchange never goes back into the
    // pool half-read.
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
        settle({
          kind: "response",
          status: response.statusCode ?? 502,
          body: Buffer.concat(chunks),
        });
      });
      response.on("error", (err: NodeJS.ErrnoException) => {
        settle({ kind: "error", code: codeOf(err, "ERESPONSE"), staleSocket: false });
      });
    });
    request.on("error", (err: NodeJS.ErrnoException) => {
      const code = codeOf(err, "EREQUEST");
      const staleSocket = request.reusedSocket && !gotResponse && STALE_SOCKET_CODES.has(code);
      settle({ kind: "error", code, staleSocket });
    });
    request.end(body);
  });
}
