import * as assert from "node:assert/strict";
import {
  createHandler,
  ErrorCode,
  FunctionUrlEvent,
  FunctionUrlResult,
  ProxyDeps,
  ProxyHandler,
  SecretSource,
  validateAllowedMethods,
  validateJsonRpcRequest,
} from "../handler";
import {
  basic,
  closedPort,
  echoResponder,
  FakeOpenems,
  openTcpSockets,
  startFakeOpenems,
  waitFor,
} from "./fake-openems";

const USER = "mbe-billing";
const PASSWORD = "s3cr3t-P@ss:with/colon";
const ROTATED = "r0tated-Secret-Value";
const SIGV4 = "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20260101/eu-central-1/lambda/aws4_request";
const SESSION_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN";

const ALLOWED = ["getEdgesStatus", "edgeRpc/queryHistoricTimeseriesEnergy"];
/** The fake server's answer that drops the connection instead. */
const DEAD = { status: 0, body: "", destroy: true };

/** A SecretSource that counts reads and returns whatever `next` says. */
function countingSource(next: () => string | Promise<string>): SecretSource & { reads: number } {
  const source = {
    reads: 0,
    async getSecretString(): Promise<string> {
      source.reads += 1;
      return next();
    },
  };
  return source;
}

function secretJson(username: string, password: string): string {
  return JSON.stringify({ username, password });
}

function event(body: unknown, overrides: Partial<FunctionUrlEvent> = {}): FunctionUrlEvent {
  return {
    requestContext: {
      requestId: "req-1",
      http: { method: "POST" },
      authorizer: { iam: { userArn: "arn:aws:sts::111122223333:assumed-role/mbe-vercel/session" } },
    },
    headers: {
      "content-type": "application/json",
      authorization: SIGV4,
      "x-amz-security-token": SESSION_TOKEN,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
    isBase64Encoded: false,
    ...overrides,
  };
}

function rpc(method: string, id: string | number = "b2c3", params: unknown = {}): object {
  return { jsonrpc: "2.0", id, method, params };
}

function parse(result: FunctionUrlResult): {
  id?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: { code?: string; upstreamStatus?: number } };
} {
  return JSON.parse(result.body);
}

interface Rig {
  readonly server: FakeOpenems;
  readonly handler: ProxyHandler;
  readonly source: SecretSource & { reads: number };
  readonly logs: string[];
}

describe("mbe-proxy handler", function () {
  this.timeout(10_000);
  const cleanups: Array<() => Promise<void> | void> = [];

  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
  });

  async function rig(
    deps: Partial<ProxyDeps> = {},
    source = countingSource(() => secretJson(USER, PASSWORD)),
  ): Promise<Rig> {
    const server = await startFakeOpenems({ username: USER, password: PASSWORD });
    cleanups.push(() => server.close());
    const logs: string[] = [];
    const handler = createHandler({
      upstreamUrl: server.url,
      allowedMethods: ALLOWED,
      maxBodyBytes: 1024,
      upstreamTimeoutMs: 2_000,
      secretSource: source,
      log: (line) => logs.push(line),
      ...deps,
    });
    cleanups.push(() => handler.close());
    return { server, handler, source, logs };
  }

  describe("forwarding", () => {
    it("forwards an allowed call with Basic auth from the secret; passes the answer", async () => {
      const { server, handler } = await rig();
      const res = await handler(event(rpc("getEdgesStatus", "7e57")));

      assert.equal(res.statusCode, 200);
      assert.equal(res.headers["content-type"], "application/json");
      assert.deepEqual(JSON.parse(res.body), {
        jsonrpc: "2.0",
        id: "7e57",
        result: { method: "getEdgesStatus" },
      });
      assert.equal(server.requests.length, 1);
      const got = server.requests[0];
      assert.equal(got.method, "POST");
      assert.equal(got.path, "/jsonrpc");
      assert.equal(got.authorization, basic(USER, PASSWORD));
      assert.equal(got.contentType, "application/json");
      assert.deepEqual(got.json, rpc("getEdgesStatus", "7e57"));
    });

    it("never forwards the caller's own Authorization or security token headers", async () => {
      const { server, handler } = await rig();
      await handler(event(rpc("getEdgesStatus")));
      assert.ok(!server.requests[0].rawBody.includes(SESSION_TOKEN));
      assert.equal(server.requests[0].authorization, basic(USER, PASSWORD));
    });

    it("forwards a base64-encoded body", async () => {
      const { server, handler } = await rig();
      const body = Buffer.from(JSON.stringify(rpc("getEdgesStatus", 42))).toString("base64");
      const res = await handler(event(body, { isBase64Encoded: true }));
      assert.equal(res.statusCode, 200);
      assert.equal(parse(res).id, 42);
      assert.equal(server.requests[0].json?.method, "getEdgesStatus");
    });

    it("forwards a tunnelled edgeRpc call whose inner method is allowed", async () => {
      const { server, handler } = await rig();
      const params = {
        edgeId: "edge0",
        payload: {
          method: "queryHistoricTimeseriesEnergy",
          params: { channels: ["_sum/GridBuyActiveEnergy"] },
        },
      };
      const res = await handler(event(rpc("edgeRpc", "e1", params)));
      assert.equal(res.statusCode, 200);
      assert.equal(server.requests.length, 1);
    });

    it("passes an upstream 4xx status and body through unchanged", async () => {
      const { server, handler } = await rig();
      server.respond = () => ({ status: 404, body: '{"not":"found"}' });
      const res = await handler(event(rpc("getEdgesStatus")));
      assert.equal(res.statusCode, 404);
      assert.equal(res.body, '{"not":"found"}');
    });

    it("reuses one keep-alive connection for sequential requests", async () => {
      const { server, handler } = await rig();
      for (let i = 0; i < 20; i++) {
        assert.equal((await handler(event(rpc("getEdgesStatus", i)))).statusCode, 200);
      }
      assert.equal(server.stats.totalConnections, 1);
    });

    it("retries on a fresh connection when a pooled keep-alive socket turns out dead", async () => {
      const { server, handler } = await rig();
      // Like a server that closed an idle connection just as it was reused (or a Lambda thaw).
      server.respond = (r) => (r.requestsBeforeOnConnection > 0 ? DEAD : echoResponder(r));
      assert.equal((await handler(event(rpc("getEdgesStatus", 1)))).statusCode, 200);
      const res = await handler(event(rpc("getEdgesStatus", 2)));
      assert.equal(res.statusCode, 200);
      assert.equal(parse(res).id, 2);
      assert.equal(server.stats.totalConnections, 2);
    });
  });

  describe("rejections (nothing forwarded, secret not even read)", () => {
    const big = JSON.stringify(rpc("getEdgesStatus", "x", { pad: "y".repeat(2000) }));
    const cases: Array<{
      name: string;
      event: FunctionUrlEvent;
      status: number;
      code: number;
      id?: unknown;
      header?: [string, string];
    }> = [
      {
        name: "GET gets 405 with Allow: POST",
        event: event(rpc("getEdgesStatus"), {
          requestContext: { http: { method: "GET" } },
        }),
        status: 405,
        code: ErrorCode.invalidRequest,
        header: ["allow", "POST"],
      },
      {
        name: "a body over the limit gets 413",
        event: event(big),
        status: 413,
        code: ErrorCode.invalidRequest,
      },
      {
        name: "a base64 body whose decoded size is over the limit gets 413",
        event: event(Buffer.from(big).toString("base64"), { isBase64Encoded: true }),
        status: 413,
        code: ErrorCode.invalidRequest,
      },
      {
        name: "malformed JSON gets 400 parse error",
        event: event("{not json"),
        status: 400,
        code: ErrorCode.parseError,
        id: null,
      },
      {
        name: "an empty body gets 400 parse error",
        event: event(""),
        status: 400,
        code: ErrorCode.parseError,
      },
      {
        name: "invalid UTF-8 gets 400 parse error",
        // Valid JSON once the bad byte becomes U+FFFD, so only a strict decoder rejects it.
        event: event(
          Buffer.concat([
            Buffer.from('{"jsonrpc":"2.0","id":"'),
            Buffer.from([0xff]),
            Buffer.from('","method":"getEdgesStatus"}'),
          ]).toString("base64"),
          { isBase64Encoded: true },
        ),
        status: 400,
        code: ErrorCode.parseError,
      },
      {
        name: "a missing jsonrpc member gets 400 invalid request, keeping the id",
        event: event({ id: "k1", method: "getEdgesStatus" }),
        status: 400,
        code: ErrorCode.invalidRequest,
        id: "k1",
      },
      {
        name: "a notification (no id) gets 400 invalid request",
        event: event({ jsonrpc: "2.0", method: "getEdgesStatus" }),
        status: 400,
        code: ErrorCode.invalidRequest,
        id: null,
      },
      {
        name: "a non-string method gets 400 invalid request",
        event: event({ jsonrpc: "2.0", id: 3, method: 7 }),
        status: 400,
        code: ErrorCode.invalidRequest,
        id: 3,
      },
      {
        name: "a batch gets 400 invalid request",
        event: event([rpc("getEdgesStatus")]),
        status: 400,
        code: ErrorCode.invalidRequest,
      },
      {
        name: "a method not in the allowlist gets 403 method not allowed",
        event: event(rpc("setGridConnSchedule", "m1")),
        status: 403,
        code: ErrorCode.methodNotAllowed,
        id: "m1",
      },
      {
        name: "a write tunnelled through an allowed wrapper gets 403",
        event: event(
          rpc("edgeRpc", "m2", {
            edgeId: "edge0",
            payload: { method: "updateComponentConfig", params: {} },
          }),
        ),
        status: 403,
        code: ErrorCode.methodNotAllowed,
        id: "m2",
      },
      {
        name: "a bare wrapper with no inner method gets 403",
        event: event(rpc("edgeRpc", "m3", { edgeId: "edge0" })),
        status: 403,
        code: ErrorCode.methodNotAllowed,
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const { server, handler, source } = await rig();
        const res = await handler(c.event);
        assert.equal(res.statusCode, c.status);
        assert.equal(res.headers["content-type"], "application/json");
        const body = parse(res);
        assert.equal(body.error?.code, c.code);
        if (c.id !== undefined) assert.equal(body.id, c.id);
        if (c.header) assert.equal(res.headers[c.header[0]], c.header[1]);
        assert.equal(server.requests.length, 0);
        assert.equal(server.stats.totalConnections, 0);
        assert.equal(source.reads, 0);
      });
    }

    it("accepts a base64 body that is longer than the limit only in its encoded form", async () => {
      const { handler } = await rig({ maxBodyBytes: 110 });
      const body = JSON.stringify(rpc("getEdgesStatus", "z", { pad: "p".repeat(30) }));
      const encoded = Buffer.from(body).toString("base64");
      assert.ok(body.length <= 110 && encoded.length > 110);
      assert.equal((await handler(event(encoded, { isBase64Encoded: true }))).statusCode, 200);
    });
  });

  describe("upstream failures", () => {
    it("answers 504 with the id when OpenEMS is too slow, and drops that socket", async () => {
      const { server, handler } = await rig({ upstreamTimeoutMs: 150 });
      server.respond = (r) => ({ ...echoResponder(r), delayMs: 5_000 });
      const started = Date.now();
      const res = await handler(event(rpc("getEdgesStatus", "slow-1")));
      assert.ok(Date.now() - started < 1_500, "the timeout must not wait for the server");
      assert.equal(res.statusCode, 504);
      assert.equal(parse(res).id, "slow-1");
      assert.equal(parse(res).error?.code, ErrorCode.upstreamTimeout);
      await waitFor(() => server.openConnections() === 0, 2_000, "the timed-out socket to close");
    });

    it("answers 502 with the request id when the connection is refused", async () => {
      const port = await closedPort();
      const { handler } = await rig({ upstreamUrl: `http://127.0.0.1:${port}/jsonrpc` });
      const res = await handler(event(rpc("getEdgesStatus", "refused-1")));
      assert.equal(res.statusCode, 502);
      const body = parse(res);
      assert.equal(body.id, "refused-1");
      assert.equal(body.error?.code, ErrorCode.upstreamUnavailable);
      assert.equal(body.error?.data?.code, "ECONNREFUSED");
    });

    it("answers 502 with the id on an upstream 500; the next call rereads the secret", async () => {
      const { server, handler, source } = await rig();
      server.respond = () => ({ status: 500, body: "<html>Server Error</html>" });
      const res = await handler(event(rpc("getEdgesStatus", "boom-1")));
      assert.equal(res.statusCode, 502);
      assert.equal(parse(res).id, "boom-1");
      assert.equal(parse(res).error?.data?.upstreamStatus, 500);
      assert.ok(!res.body.includes("html"), "the upstream error page is not passed on");
      assert.equal(server.requests.length, 1, "a 500 is not resent: the call may have run");
      server.respond = echoResponder;
      assert.equal((await handler(event(rpc("getEdgesStatus")))).statusCode, 200);
      assert.equal(source.reads, 2);
    });

    it("answers 502 when the OpenEMS answer is larger than the response limit", async () => {
      const { server, handler } = await rig({ maxResponseBytes: 1_000 });
      server.respond = () => ({ status: 200, body: JSON.stringify({ big: "b".repeat(5_000) }) });
      const res = await handler(event(rpc("getEdgesStatus", "big-1")));
      assert.equal(res.statusCode, 502);
      assert.equal(parse(res).error?.code, ErrorCode.upstreamResponseTooLarge);
      await waitFor(() => server.openConnections() === 0, 2_000, "the oversized answer's socket");
    });
  });

  describe("credentials", () => {
    it("reads the secret once across many calls within the TTL, and again after it", async () => {
      const clock = { t: 1_000_000, now: () => clock.t };
      const { handler, source } = await rig({ clock, credentialsTtlMs: 60_000 });
      for (let i = 0; i < 10; i++) await handler(event(rpc("getEdgesStatus", i)));
      assert.equal(source.reads, 1);
      clock.t += 59_999;
      await handler(event(rpc("getEdgesStatus")));
      assert.equal(source.reads, 1);
      clock.t += 2;
      await handler(event(rpc("getEdgesStatus")));
      assert.equal(source.reads, 2);
    });

    it("re-reads the secret once after a 401 and resends with the rotated password", async () => {
      let current = PASSWORD;
      const source = countingSource(() => secretJson(USER, current));
      const { server, handler } = await rig({}, source);
      assert.equal((await handler(event(rpc("getEdgesStatus", 1)))).statusCode, 200);
      server.credentials.password = ROTATED;
      current = ROTATED;
      const res = await handler(event(rpc("getEdgesStatus", "after-rotation")));
      assert.equal(res.statusCode, 200);
      assert.equal(parse(res).id, "after-rotation");
      assert.equal(source.reads, 2);
      assert.deepEqual(
        server.requests.map((r) => r.authorization),
        [basic(USER, PASSWORD), basic(USER, PASSWORD), basic(USER, ROTATED)],
      );
      await handler(event(rpc("getEdgesStatus")));
      assert.equal(source.reads, 2, "the rotated secret is cached again");
    });

    it("gives up with 502 after one re-read when OpenEMS keeps answering 401", async () => {
      const { server, handler, source } = await rig();
      server.credentials.password = "something-else-entirely";
      const res = await handler(event(rpc("getEdgesStatus", "denied-1")));
      assert.equal(res.statusCode, 502);
      assert.equal(parse(res).id, "denied-1");
      assert.equal(parse(res).error?.code, ErrorCode.upstreamAuthFailed);
      assert.equal(server.requests.length, 2);
      assert.equal(source.reads, 2);
    });

    it("answers 500 when the secret cannot be read, and does not cache the failure", async () => {
      let fail = true;
      const source = countingSource(() => {
        if (fail) throw new Error("AccessDeniedException: not authorized: GetSecretValue");
        return secretJson(USER, PASSWORD);
      });
      const { server, handler, logs } = await rig({}, source);
      const res = await handler(event(rpc("getEdgesStatus", "nosecret-1")));
      assert.equal(res.statusCode, 500);
      assert.equal(parse(res).id, "nosecret-1");
      assert.equal(server.requests.length, 0);
      assert.match(logs[0], /AccessDeniedException/);
      fail = false;
      assert.equal((await handler(event(rpc("getEdgesStatus")))).statusCode, 200);
      assert.equal(source.reads, 2);
    });

    const hanging: Array<[string, Partial<ProxyDeps>]> = [
      ["secretTimeoutMs", { secretTimeoutMs: 50, upstreamTimeoutMs: 2_000 }],
      ["the upstream deadline", { secretTimeoutMs: 5_000, upstreamTimeoutMs: 50 }],
    ];
    for (const [limit, deps] of hanging) {
      it(`answers 500 when the secret read hangs past ${limit}`, async () => {
        const source = countingSource(() => new Promise<string>(() => undefined));
        const { handler } = await rig(deps, source);
        const started = Date.now();
        const res = await handler(event(rpc("getEdgesStatus")));
        assert.ok(Date.now() - started < 1_000, `took ${Date.now() - started} ms`);
        assert.equal(res.statusCode, 500);
        assert.equal(parse(res).error?.code, ErrorCode.internalError);
      });
    }

    // JSON.parse's message quotes short inputs whole ("Unexpected token 'B', "Bare-Pass1" is not
    // valid JSON"), which is why the handler never passes it on.
    const malformed: Array<[string, string, string]> = [
      ["a bare password (not JSON)", "Bare-Pass1", "Bare-Pass1"],
      ["not JSON", `password=${PASSWORD}`, PASSWORD],
      ["a JSON string", JSON.stringify(PASSWORD), PASSWORD],
      ["missing username", JSON.stringify({ password: PASSWORD }), PASSWORD],
      ["empty password", JSON.stringify({ username: USER, password: "" }), USER],
      [
        "a password OpenEMS would trim",
        JSON.stringify({ username: USER, password: `${PASSWORD} ` }),
        PASSWORD,
      ],
      [
        "a username with a colon",
        JSON.stringify({ username: `a:${PASSWORD}`, password: PASSWORD }),
        PASSWORD,
      ],
    ];
    for (const [name, secret, sensitive] of malformed) {
      it(`answers 500 for a secret that is ${name}, without logging it`, async () => {
        const { handler, logs } = await rig(
          {},
          countingSource(() => secret),
        );
        const res = await handler(event(rpc("getEdgesStatus")));
        assert.equal(res.statusCode, 500);
        assert.equal(logs.length, 1);
        assert.match(logs[0], /credentials secret/);
        assert.ok(!logs[0].includes(sensitive), logs[0]);
        assert.ok(!res.body.includes(sensitive));
      });
    }
  });

  describe("logging", () => {
    it("writes one JSON line per request with method, id, status and duration", async () => {
      const { handler, logs } = await rig();
      await handler(event(rpc("getEdgesStatus", "log-1")));
      await handler(event(rpc("setChannelValue", "log-2")));
      assert.equal(logs.length, 2);
      const [ok, denied] = logs.map((l) => JSON.parse(l));
      assert.equal(ok.method, "getEdgesStatus");
      assert.equal(ok.id, "log-1");
      assert.equal(ok.status, 200);
      assert.equal(ok.upstreamStatus, 200);
      assert.equal(typeof ok.durationMs, "number");
      assert.equal(ok.caller, "arn:aws:sts::111122223333:assumed-role/mbe-vercel/session");
      assert.equal(denied.status, 403);
      assert.equal(denied.outcome, "method-not-allowed");
    });

    it("never logs the credentials or any Authorization header, on any path", async () => {
      const port = await closedPort();
      const { server, handler, logs } = await rig({ upstreamTimeoutMs: 100 });
      const refused = createHandler({
        upstreamUrl: `http://127.0.0.1:${port}/jsonrpc`,
        allowedMethods: ALLOWED,
        maxBodyBytes: 1024,
        upstreamTimeoutMs: 500,
        secretSource: countingSource(() => secretJson(USER, PASSWORD)),
        log: (line) => logs.push(line),
      });
      cleanups.push(() => refused.close());

      await handler(event(rpc("getEdgesStatus")));
      await handler(event("{bad"));
      await handler(event(rpc("nope")));
      await handler(event(rpc("getEdgesStatus"), { requestContext: { http: { method: "PUT" } } }));
      server.respond = () => ({ status: 500, body: `oops ${basic(USER, PASSWORD)}` });
      await handler(event(rpc("getEdgesStatus")));
      server.respond = () => ({ status: 401, body: "" });
      await handler(event(rpc("getEdgesStatus")));
      server.respond = (r) => ({ ...echoResponder(r), delayMs: 1_000 });
      await handler(event(rpc("getEdgesStatus")));
      await refused(event(rpc("getEdgesStatus")));

      assert.equal(logs.length, 8);
      const forbidden = [PASSWORD, basic(USER, PASSWORD).slice(6), "Basic ", SIGV4, SESSION_TOKEN];
      for (const line of logs) {
        for (const secret of forbidden) assert.ok(!line.includes(secret), `${secret} in ${line}`);
        assert.doesNotMatch(line, /authorization/i);
      }
    });

    // The second password appears JSON-escaped in a log line (\" and \\), not verbatim.
    for (const password of [PASSWORD, 'quo"te\\back-slash']) {
      it(`scrubs a known secret out of a dependency's error message (${password})`, async () => {
        const clock = { t: 0, now: () => clock.t };
        const source = countingSource(() => {
          if (source.reads === 1) return secretJson(USER, password);
          throw new Error(`upstream library echoed ${password} and ${basic(USER, password)}`);
        });
        const { server, handler, logs } = await rig({ clock, credentialsTtlMs: 1_000 }, source);
        server.credentials.password = password;
        assert.equal((await handler(event(rpc("getEdgesStatus")))).statusCode, 200);
        clock.t += 5_000;
        const res = await handler(event(rpc("getEdgesStatus")));
        assert.equal(res.statusCode, 500);
        assert.match(logs[1], /upstream library echoed \[REDACTED\] and Basic \[REDACTED\]/);
        const escaped = JSON.stringify(password).slice(1, -1);
        for (const form of [password, escaped]) assert.ok(!logs[1].includes(form), logs[1]);
      });
    }
  });

  describe("concurrency and sockets", () => {
    it("answers a burst of 200 concurrent calls, each its own id, leaking no socket", async () => {
      const baseline = openTcpSockets();
      const { server, handler, source } = await rig({ maxSockets: 20 });
      server.respond = (r) => ({ ...echoResponder(r), delayMs: 2 });
      const ids = Array.from({ length: 200 }, (_, i) => `burst-${i}`);
      const results = await Promise.all(ids.map((id) => handler(event(rpc("getEdgesStatus", id)))));

      results.forEach((res, i) => {
        assert.equal(res.statusCode, 200);
        assert.equal(parse(res).id, ids[i]);
      });
      assert.equal(server.requests.length, 200);
      assert.equal(source.reads, 1, "concurrent cold calls share one secret read");
      const peak = server.stats.peakConnections;
      assert.ok(peak <= 20, `peak ${peak} > maxSockets`);
      assert.ok(server.stats.peakConnections > 1, "the burst really ran concurrently");

      handler.close();
      await waitFor(() => server.openConnections() === 0, 2_000, "server-side connections");
      await server.close();
      await waitFor(() => openTcpSockets() <= baseline, 2_000, "TCP handles to return to baseline");
    });

    it("closes idle pooled sockets by itself after idleSocketTimeoutMs", async () => {
      const { server, handler } = await rig({ idleSocketTimeoutMs: 100 });
      await handler(event(rpc("getEdgesStatus")));
      assert.equal(server.openConnections(), 1);
      await waitFor(() => server.openConnections() === 0, 2_000, "the idle socket to be closed");
    });
  });
});

describe("validateJsonRpcRequest", () => {
  const ok: Array<[string, unknown, string]> = [
    ["a plain request", rpc("getEdgesStatus"), "getEdgesStatus"],
    ["a numeric id", { jsonrpc: "2.0", id: 0, method: "getEdgesStatus" }, "getEdgesStatus"],
    [
      "an edgeRpc tunnel",
      rpc("edgeRpc", "i", { edgeId: "e", payload: { method: "getEdgeConfig", params: {} } }),
      "edgeRpc/getEdgeConfig",
    ],
    [
      "a double tunnel",
      rpc("edgeRpc", "i", {
        payload: {
          method: "componentJsonApi",
          params: { componentId: "c", payload: { method: "x" } },
        },
      }),
      "edgeRpc/componentJsonApi/x",
    ],
    ["a payload without a method", rpc("edgeRpc", "i", { payload: { data: 1 } }), "edgeRpc"],
  ];
  for (const [name, value, path] of ok) {
    it(`accepts ${name} as ${path}`, () => {
      const result = validateJsonRpcRequest(value);
      assert.ok(result.ok);
      assert.equal(result.methodPath, path);
    });
  }

  const bad: Array<[string, unknown, RegExp]> = [
    ["null", null, /request object/],
    ["a batch", [rpc("a")], /batch/],
    ["jsonrpc 1.0", { jsonrpc: "1.0", id: 1, method: "a" }, /"jsonrpc" must be "2.0"; got "1.0"/],
    [
      "a null id",
      { jsonrpc: "2.0", id: null, method: "a" },
      /"id" must be a string or a number; got null/,
    ],
    ["an empty method", { jsonrpc: "2.0", id: 1, method: "" }, /"method"/],
    ["a slash in the method", { jsonrpc: "2.0", id: 1, method: "edgeRpc/x" }, /"method"/],
    ["scalar params", { jsonrpc: "2.0", id: 1, method: "a", params: 3 }, /"params"/],
    [
      "a non-string inner method",
      rpc("edgeRpc", 1, { payload: { method: 5 } }),
      /params\.payload\.method/,
    ],
  ];
  for (const [name, value, message] of bad) {
    it(`rejects ${name}`, () => {
      const result = validateJsonRpcRequest(value);
      assert.ok(!result.ok);
      assert.match(result.message, message);
    });
  }

  it("rejects tunnels nested deeper than four levels", () => {
    let params: object = {};
    for (let i = 0; i < 6; i++) params = { payload: { method: `m${i}`, params } };
    const result = validateJsonRpcRequest(rpc("edgeRpc", 1, params));
    assert.ok(!result.ok);
    assert.match(result.message, /at most 4 levels/);
  });
});

describe("validateAllowedMethods", () => {
  it("accepts plain and tunnelled method paths and drops duplicates", () => {
    assert.deepEqual(validateAllowedMethods(["a", "edgeRpc/b", "a"], "X"), ["a", "edgeRpc/b"]);
  });

  const bad: Array<[string, string[], RegExp]> = [
    ["an empty list", [], /X must list at least one/],
    ["an empty entry", ["a", ""], /X entry "" is not a method path/],
    ["a space", ["get Edges"], /X entry "get Edges"/],
    ["a bare edgeRpc", ["edgeRpc"], /X entry "edgeRpc" would allow every method tunnelled/],
    [
      "a path ending in a wrapper",
      ["edgeRpc/componentJsonApi"],
      /tunnelled through componentJsonApi/,
    ],
  ];
  for (const [name, entries, message] of bad) {
    it(`rejects ${name}`, () => {
      assert.throws(() => validateAllowedMethods(entries, "X"), message);
    });
  }
});
