import * as assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
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
  FakeOpenems,
  openemsResponder,
  openTcpSockets,
  PLACEHOLDER_ID,
  startFakeOpenems,
  waitFor,
} from "./fake-openems";

const USER = "mbe-billing";
const PASSWORD = "s3cr3t-P@ss:with/colon";
const ROTATED = "r0tated-Secret-Value";
const SIGV4 = "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20260101/eu-central-1/lambda/aws4_request";
const SESSION_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN";
const CALLER = "arn:aws:sts::111122223333:assumed-role/openems-dev-mbe-proxy-mbe/vercel-session";

const ALLOWED = [
  "getEdgesStatus",
  "edgeRpc/queryHistoricTimeseriesEnergy",
  "edgeRpc/queryHistoricTimeseriesEnergyPerPeriod",
  "edgeRpc/getEdgeConfig",
];
/** The fake server's answer that drops the connection instead. */
const DEAD = { status: 0, body: "", destroy: true };

/** Fixed, readable UUIDs: uid(7) is 00000000-0000-4000-8000-000000000007. */
function uid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
}

const ENERGY = {
  timezone: "Europe/Berlin",
  fromDate: "2026-01-01",
  toDate: "2026-01-31",
  channels: ["_sum/GridBuyActiveEnergy"],
};

/** Params OpenEMS accepts for each method (read from the request classes). */
const PARAMS: Record<string, object> = { getEdgesStatus: { edgeIds: ["edge0"] } };

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
      authorizer: { iam: { userArn: CALLER } },
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

function rpc(method: string, id: unknown = uid(1), params: unknown = PARAMS[method] ?? {}): object {
  return { jsonrpc: "2.0", id, method, params };
}

function edgeRpc(inner: string, id: unknown = uid(2), params: object = ENERGY): object {
  return rpc("edgeRpc", id, { edgeId: "edge0", payload: { method: inner, params } });
}

function parse(result: FunctionUrlResult): {
  id?: unknown;
  result?: any;
  error?: { code: number; message: string; data?: any };
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
    user = USER,
  ): Promise<Rig> {
    const server = await startFakeOpenems({ username: user, password: PASSWORD });
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
      const res = await handler(event(rpc("getEdgesStatus", uid(7))));

      assert.equal(res.statusCode, 200);
      assert.equal(res.headers["content-type"], "application/json");
      assert.deepEqual(JSON.parse(res.body), {
        jsonrpc: "2.0",
        id: uid(7),
        result: { edge0: { online: true } },
      });
      assert.equal(server.requests.length, 1);
      const got = server.requests[0];
      assert.equal(got.method, "POST");
      assert.equal(got.path, "/jsonrpc");
      assert.equal(got.authorization, basic(USER, PASSWORD));
      assert.equal(got.contentType, "application/json");
      assert.deepEqual(got.json, rpc("getEdgesStatus", uid(7)));
    });

    it("forwards only the members it checked", async () => {
      const { server, handler } = await rig();
      await handler(event({ ...rpc("getEdgesStatus"), timeout: 5, extra: "x" }));
      assert.deepEqual(Object.keys(server.requests[0].json ?? {}).sort(), [
        "id",
        "jsonrpc",
        "method",
        "params",
      ]);
    });

    it("never forwards the caller's own Authorization or security token headers", async () => {
      const { server, handler } = await rig();
      await handler(event(rpc("getEdgesStatus")));
      assert.ok(!server.requests[0].rawBody.includes(SESSION_TOKEN));
      assert.equal(server.requests[0].authorization, basic(USER, PASSWORD));
    });

    it("forwards a base64-encoded body", async () => {
      const { server, handler } = await rig();
      const body = Buffer.from(JSON.stringify(rpc("getEdgesStatus", uid(42)))).toString("base64");
      const res = await handler(event(body, { isBase64Encoded: true }));
      assert.equal(res.statusCode, 200);
      assert.equal(parse(res).id, uid(42));
      assert.equal(server.requests[0].json?.method, "getEdgesStatus");
    });

    it("forwards an edgeRpc call whose inner method is allowed and passes its payload", async () => {
      const { server, handler } = await rig();
      const res = await handler(event(edgeRpc("queryHistoricTimeseriesEnergy", uid(3))));
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(parse(res).id, uid(3));
      assert.deepEqual(parse(res).result.payload.result, {
        data: { "_sum/GridBuyActiveEnergy": 0 },
      });
      assert.equal(server.requests.length, 1);
    });

    it("reuses one keep-alive connection for sequential requests", async () => {
      const { server, handler } = await rig();
      for (let i = 0; i < 20; i++) {
        assert.equal((await handler(event(rpc("getEdgesStatus", uid(i))))).statusCode, 200);
      }
      assert.equal(server.stats.totalConnections, 1);
    });

    it("retries on a fresh connection when a pooled keep-alive socket turns out dead", async () => {
      const { server, handler } = await rig();
      // Like a server that closed an idle connection just as it was reused (or a Lambda thaw).
      server.respond = (r) => (r.requestsBeforeOnConnection > 0 ? DEAD : openemsResponder(r));
      assert.equal((await handler(event(rpc("getEdgesStatus", uid(1))))).statusCode, 200);
      const res = await handler(event(rpc("getEdgesStatus", uid(2))));
      assert.equal(res.statusCode, 200);
      assert.equal(parse(res).id, uid(2));
      assert.equal(server.stats.totalConnections, 2);
    });
  });

  describe("rejections (nothing forwarded, secret not even read)", () => {
    const big = JSON.stringify(rpc("getEdgesStatus", uid(1), { edgeIds: ["y".repeat(2000)] }));
    let deep = "1";
    for (let i = 0; i < 10_000; i++) deep = `[${deep}]`;
    const cases: Array<{
      name: string;
      event: FunctionUrlEvent;
      status: number;
      code: number;
      id?: unknown;
      header?: [string, string];
      message?: RegExp;
      /** The `outcome` of the log line, what an operator filters on. */
      outcome?: string;
      maxBodyBytes?: number;
    }> = [
      {
        name: "GET gets 405 with Allow: POST",
        event: event(rpc("getEdgesStatus"), { requestContext: { http: { method: "GET" } } }),
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
        message: /^parse error: the body is not valid UTF-8 JSON$/,
        outcome: "parse-error",
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
        name: "JSON nested 10,000 deep gets 400, not a stack overflow",
        event: event(
          `{"jsonrpc":"2.0","id":"${uid(9)}","method":"getEdgesStatus","params":{"edgeIds":["edge0"],"x":${deep}}}`,
        ),
        status: 400,
        code: ErrorCode.invalidRequest,
        message: /nested deeper than 32 levels/,
        maxBodyBytes: 100_000,
      },
      {
        name: "a missing jsonrpc member gets 400 invalid request, keeping the id",
        event: event({ id: uid(11), method: "getEdgesStatus", params: PARAMS.getEdgesStatus }),
        status: 400,
        code: ErrorCode.invalidRequest,
        id: uid(11),
        message: /^invalid request: "jsonrpc" must be "2\.0"; got nothing$/,
        outcome: "invalid-request",
      },
      {
        name: "a notification (no id) gets 400 invalid request",
        event: event({ jsonrpc: "2.0", method: "getEdgesStatus", params: {} }),
        status: 400,
        code: ErrorCode.invalidRequest,
        id: null,
      },
      {
        name: "a numeric id gets 400: OpenEMS ids are UUID strings",
        event: event(rpc("getEdgesStatus", 1)),
        status: 400,
        code: ErrorCode.invalidRequest,
        id: null,
        message: /"id" must be a UUID string/,
      },
      {
        name: "an id above 2^53 gets 400 rather than losing precision",
        event: event(
          `{"jsonrpc":"2.0","id":9007199254740993,"method":"getEdgesStatus","params":{"edgeIds":[]}}`,
        ),
        status: 400,
        code: ErrorCode.invalidRequest,
        id: null,
      },
      {
        name: "a non-UUID string id gets 400",
        event: event(rpc("getEdgesStatus", "b2c3")),
        status: 400,
        code: ErrorCode.invalidRequest,
        id: null,
      },
      {
        name: "missing params get 400 (OpenEMS requires an object)",
        event: event({ jsonrpc: "2.0", id: uid(12), method: "getEdgesStatus" }),
        status: 400,
        code: ErrorCode.invalidRequest,
        id: uid(12),
        message: /"params" must be an object; got nothing/,
      },
      {
        name: "array params get 400",
        event: event(rpc("getEdgesStatus", uid(13), ["edge0"])),
        status: 400,
        code: ErrorCode.invalidRequest,
        id: uid(13),
      },
      {
        name: "a non-string method gets 400 invalid request",
        event: event({ jsonrpc: "2.0", id: uid(3), method: 7, params: {} }),
        status: 400,
        code: ErrorCode.invalidRequest,
        id: uid(3),
      },
      {
        name: "a 200 KB method name gets 400 that echoes at most 80 characters of it",
        event: event(rpc("m".repeat(200_000), uid(14))),
        status: 400,
        code: ErrorCode.invalidRequest,
        message: /^invalid request: "method" must be a method name .{0,160}m\.\.\.$/,
        maxBodyBytes: 300_000,
      },
      {
        name: "a batch gets 400 invalid request",
        event: event([rpc("getEdgesStatus")]),
        status: 400,
        code: ErrorCode.invalidRequest,
      },
      {
        name: "a method not in the allowlist gets 403 listing the allowed ones",
        event: event(rpc("setGridConnSchedule", uid(21))),
        status: 403,
        code: ErrorCode.methodNotAllowed,
        id: uid(21),
        message: /^method not allowed: setGridConnSchedule$/,
      },
      {
        name: "a write tunnelled through edgeRpc gets 403",
        event: event(edgeRpc("updateComponentConfig", uid(22), { componentId: "x" })),
        status: 403,
        code: ErrorCode.methodNotAllowed,
        id: uid(22),
      },
      {
        name: "a bare historic query (OpenEMS serves it only inside edgeRpc) gets 403",
        event: event(rpc("queryHistoricTimeseriesEnergy", uid(23), ENERGY)),
        status: 403,
        code: ErrorCode.methodNotAllowed,
      },
      {
        name: "an edgeRpc without a payload gets 400",
        event: event(rpc("edgeRpc", uid(24), { edgeId: "edge0" })),
        status: 400,
        code: ErrorCode.invalidRequest,
        message: /"params\.payload" must be an object/,
      },
      {
        name: "an edgeRpc without an edgeId gets 400",
        event: event(rpc("edgeRpc", uid(25), { payload: { method: "getEdgeConfig", params: {} } })),
        status: 400,
        code: ErrorCode.invalidRequest,
        message: /"params\.edgeId"/,
      },
      {
        name: "an edgeRpc payload without params gets 400",
        event: event(
          rpc("edgeRpc", uid(26), { edgeId: "e", payload: { method: "getEdgeConfig" } }),
        ),
        status: 400,
        code: ErrorCode.invalidRequest,
        message: /"params\.payload\.params" must be an object/,
      },
      {
        name: "an edgeRpc payload with a numeric id gets 400",
        event: event(
          rpc("edgeRpc", uid(27), {
            edgeId: "edge0",
            payload: { id: 5, method: "getEdgeConfig", params: {} },
          }),
        ),
        status: 400,
        code: ErrorCode.invalidRequest,
        message: /"params\.payload\.id" must be a UUID string or absent/,
      },
      {
        name: "getEdgesStatus without edgeIds gets 400 invalid params",
        event: event(rpc("getEdgesStatus", uid(28), {})),
        status: 400,
        code: ErrorCode.invalidParams,
        id: uid(28),
        message: /^invalid params for getEdgesStatus: params\.edgeIds must be an array of strings$/,
        outcome: "invalid-params",
      },
      {
        name: "an energy query with a bad date and channel gets 400 naming both",
        event: event(
          edgeRpc("queryHistoricTimeseriesEnergy", uid(29), {
            ...ENERGY,
            fromDate: "01.01.2026",
            channels: ["nochannel"],
          }),
        ),
        status: 400,
        code: ErrorCode.invalidParams,
        message:
          /params\.payload\.params\.fromDate must be a date "yyyy-mm-dd"; params\.payload\.params\.channels\[0\] must be a channel address/,
      },
      {
        name: "an energy-per-period query without a resolution gets 400",
        event: event(edgeRpc("queryHistoricTimeseriesEnergyPerPeriod", uid(30), ENERGY)),
        status: 400,
        code: ErrorCode.invalidParams,
        message: /resolution/,
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const { server, handler, source, logs } = await rig(
          c.maxBodyBytes ? { maxBodyBytes: c.maxBodyBytes } : {},
        );
        const res = await handler(c.event);
        assert.equal(res.statusCode, c.status, res.body);
        assert.equal(res.headers["content-type"], "application/json");
        const body = parse(res);
        assert.equal(body.error?.code, c.code);
        if (c.id !== undefined) assert.equal(body.id, c.id);
        if (c.header) assert.equal(res.headers[c.header[0]], c.header[1]);
        if (c.message) assert.match(body.error?.message ?? "", c.message);
        if (c.outcome) assert.equal(JSON.parse(logs[0]).outcome, c.outcome);
        assert.ok(res.body.length < 2_000, `answer of ${res.body.length} characters`);
        assert.ok(logs[0].length < 3_000, `log line of ${logs[0].length} characters`);
        assert.equal(server.requests.length, 0);
        assert.equal(server.stats.totalConnections, 0);
        assert.equal(source.reads, 0);
      });
    }

    it("lists the allowed methods in a 403 so the caller can see what is open", async () => {
      const { handler } = await rig();
      const res = await handler(event(rpc("getEdgesChannelsValues", uid(31))));
      assert.equal(res.statusCode, 403);
      assert.deepEqual(parse(res).error?.data, { allowed: ALLOWED });
    });

    it("lists each invalid param in a 400 so the caller can see what to fix", async () => {
      const { handler, logs } = await rig();
      const res = await handler(event(rpc("getEdgesStatus", uid(32), { edgeIds: ["edge0", 7] })));
      assert.equal(res.statusCode, 400);
      assert.deepEqual(parse(res).error, {
        code: -32602,
        message: "invalid params for getEdgesStatus: params.edgeIds[1] must be a string",
        data: { problems: [{ path: "params.edgeIds[1]", expected: "a string" }] },
      });
      assert.equal(JSON.parse(logs[0]).method, "getEdgesStatus");
    });

    it("accepts a base64 body that is longer than the limit only in its encoded form", async () => {
      const body = JSON.stringify(
        rpc("getEdgesStatus", uid(1), { edgeIds: ["edge0", "p".repeat(30)] }),
      );
      const { handler } = await rig({ maxBodyBytes: body.length });
      const encoded = Buffer.from(body).toString("base64");
      assert.ok(encoded.length > body.length);
      assert.equal((await handler(event(encoded, { isBase64Encoded: true }))).statusCode, 200);
    });
  });

  describe("upstream answers", () => {
    it("answers 504 with the id when OpenEMS is too slow, and drops that socket", async () => {
      const { server, handler } = await rig({ upstreamTimeoutMs: 150 });
      server.respond = (r) => ({ ...openemsResponder(r), delayMs: 5_000 });
      const started = Date.now();
      const res = await handler(event(rpc("getEdgesStatus", uid(51))));
      assert.ok(Date.now() - started < 1_500, "the timeout must not wait for the server");
      assert.equal(res.statusCode, 504);
      assert.equal(parse(res).id, uid(51));
      assert.equal(parse(res).error?.code, ErrorCode.upstreamTimeout);
      await waitFor(() => server.openConnections() === 0, 2_000, "the timed-out socket to close");
    });

    it("answers 502 with the request id when the connection is refused", async () => {
      const port = await closedPort();
      const { handler } = await rig({ upstreamUrl: `http://127.0.0.1:${port}/jsonrpc` });
      const res = await handler(event(rpc("getEdgesStatus", uid(52))));
      assert.equal(res.statusCode, 502);
      const body = parse(res);
      assert.equal(body.id, uid(52));
      assert.equal(body.error?.code, ErrorCode.upstreamUnavailable);
      assert.equal(body.error?.data?.code, "ECONNREFUSED");
    });

    it("re-builds an OpenEMS JSON-RPC error with the caller's id, code and message", async () => {
      const { server, handler } = await rig();
      // OpenEMS reports errors found before dispatch with its placeholder id (RestHandler.java).
      const res = await handler(event(rpc("getEdgesStatus", uid(53), { edgeIds: "edge0" as any })));
      assert.equal(res.statusCode, 400, "the proxy's own check refuses it first");
      assert.equal(server.requests.length, 0);

      const inner = edgeRpc("getEdgeConfig", uid(54), {});
      (inner as any).params.edgeId = "edge-unknown";
      const denied = await handler(event(inner));
      assert.equal(server.requests.length, 1);
      assert.equal(denied.statusCode, 400);
      assert.deepEqual(parse(denied), {
        jsonrpc: "2.0",
        id: uid(54),
        error: {
          code: 1,
          message:
            "Unable to get Response: Access to this resource [edgeRpc] is denied for User with Role [none]",
        },
      });
      assert.ok(!denied.body.includes(PLACEHOLDER_ID));
    });

    it("bounds and scrubs the message of an OpenEMS error", async () => {
      const { server, handler, logs } = await rig();
      server.respond = (r) => ({
        status: 400,
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: r.json?.id,
          error: { code: 1, message: `user ${USER}:${PASSWORD} ${"z".repeat(5_000)}`, data: [] },
        }),
      });
      const res = await handler(event(rpc("getEdgesStatus", uid(55))));
      assert.equal(res.statusCode, 400);
      const message = parse(res).error?.message ?? "";
      assert.ok(message.length <= 300, `${message.length} characters`);
      assert.match(message, /^user \[REDACTED\] z+\.\.\.$/);
      assert.ok(!logs.join("\n").includes(PASSWORD));
    });

    const invalid: Array<[string, (id: unknown) => { status: number; body: string }, RegExp]> = [
      [
        "a result for another id",
        () => ({ status: 200, body: JSON.stringify({ jsonrpc: "2.0", id: uid(99), result: {} }) }),
        /is not the request's/,
      ],
      [
        "a result with the placeholder id",
        () => ({
          status: 200,
          body: JSON.stringify({ jsonrpc: "2.0", id: PLACEHOLDER_ID, result: {} }),
        }),
        /is not the request's/,
      ],
      [
        "an HTML page with status 200",
        () => ({ status: 200, body: "<html>ok</html>" }),
        /not JSON/,
      ],
      [
        "JSON that is not JSON-RPC",
        (id) => ({ status: 200, body: JSON.stringify({ id, data: 1 }) }),
        /"jsonrpc" is not "2.0"/,
      ],
      [
        "both result and error",
        (id) => ({
          status: 200,
          body: JSON.stringify({
            jsonrpc: "2.0",
            id,
            result: {},
            error: { code: 1, message: "x" },
          }),
        }),
        /exactly one/,
      ],
      [
        "an error without a code",
        (id) => ({
          status: 400,
          body: JSON.stringify({ jsonrpc: "2.0", id, error: { message: "x" } }),
        }),
        /integer code/,
      ],
      [
        "a result with status 400",
        (id) => ({ status: 400, body: JSON.stringify({ jsonrpc: "2.0", id, result: {} }) }),
        /HTTP 400 with a result/,
      ],
    ];
    for (const [name, reply, reason] of invalid) {
      it(`answers 502 for ${name}`, async () => {
        const { server, handler } = await rig();
        server.respond = (r) => reply(r.json?.id);
        const res = await handler(event(rpc("getEdgesStatus", uid(56))));
        assert.equal(res.statusCode, 502);
        assert.equal(parse(res).id, uid(56));
        assert.equal(parse(res).error?.code, ErrorCode.upstreamInvalidResponse);
        assert.match(parse(res).error?.message ?? "", reason);
        assert.ok(!res.body.includes("html"));
      });
    }

    it("answers 502 for another upstream status without passing its body on", async () => {
      const { server, handler } = await rig();
      server.respond = () => ({ status: 404, body: `{"secret":"${PASSWORD}"}` });
      const res = await handler(event(rpc("getEdgesStatus", uid(57))));
      assert.equal(res.statusCode, 502);
      assert.equal(parse(res).error?.data?.upstreamStatus, 404);
      assert.ok(!res.body.includes(PASSWORD));
    });

    it("answers 502 when the OpenEMS answer is larger than the response limit", async () => {
      const { server, handler } = await rig({ maxResponseBytes: 1_000 });
      server.respond = () => ({ status: 200, body: JSON.stringify({ big: "b".repeat(5_000) }) });
      const res = await handler(event(rpc("getEdgesStatus", uid(58))));
      assert.equal(res.statusCode, 502);
      assert.equal(parse(res).error?.code, ErrorCode.upstreamResponseTooLarge);
      await waitFor(() => server.openConnections() === 0, 2_000, "the oversized answer's socket");
    });

    it("answers 502 when an answer under the read limit would not fit Lambda's 6 MB once escaped", async () => {
      const { server, handler, logs } = await rig();
      // 3.5 MB of escaped quotes: each \" becomes \\\" inside the Function URL result.
      const result = '"'.repeat(1_750_000);
      server.respond = (r) => ({
        status: 200,
        body: JSON.stringify({ jsonrpc: "2.0", id: r.json?.id, result }),
      });
      const res = await handler(event(rpc("getEdgesStatus", uid(59))));
      assert.equal(res.statusCode, 502);
      assert.equal(parse(res).id, uid(59));
      assert.equal(parse(res).error?.code, ErrorCode.upstreamResponseTooLarge);
      assert.equal(JSON.parse(logs[0]).outcome, "response-too-large");
    });
  });

  describe("credentials", () => {
    it("reads the secret once across many calls within the TTL, and again after it", async () => {
      const clock = { t: 1_000_000, now: () => clock.t };
      const { handler, source } = await rig({ clock, credentialsTtlMs: 60_000 });
      for (let i = 0; i < 10; i++) await handler(event(rpc("getEdgesStatus", uid(i))));
      assert.equal(source.reads, 1);
      clock.t += 59_999;
      await handler(event(rpc("getEdgesStatus")));
      assert.equal(source.reads, 1);
      clock.t += 2;
      await handler(event(rpc("getEdgesStatus")));
      assert.equal(source.reads, 2);
    });

    it("re-reads the secret once after a failed login (OpenEMS: 500) and resends", async () => {
      let current = PASSWORD;
      const source = countingSource(() => secretJson(USER, current));
      const { server, handler } = await rig({}, source);
      assert.equal((await handler(event(rpc("getEdgesStatus", uid(1))))).statusCode, 200);
      server.credentials.password = ROTATED;
      current = ROTATED;
      const res = await handler(event(rpc("getEdgesStatus", uid(61))));
      assert.equal(res.statusCode, 200);
      assert.equal(parse(res).id, uid(61));
      assert.equal(source.reads, 2);
      assert.deepEqual(
        server.requests.map((r) => r.authorization),
        [basic(USER, PASSWORD), basic(USER, PASSWORD), basic(USER, ROTATED)],
      );
      await handler(event(rpc("getEdgesStatus")));
      assert.equal(source.reads, 2, "the rotated secret is cached again");
    });

    for (const status of [500, 401]) {
      it(`gives up with 502 after one re-read when OpenEMS keeps answering ${status}`, async () => {
        const { server, handler, source } = await rig();
        server.respond = () => ({ status, body: `<html>${basic(USER, PASSWORD)}</html>` });
        const res = await handler(event(rpc("getEdgesStatus", uid(62))));
        assert.equal(res.statusCode, 502);
        assert.equal(parse(res).id, uid(62));
        assert.equal(parse(res).error?.code, ErrorCode.upstreamAuthFailed);
        assert.equal(parse(res).error?.data?.upstreamStatus, status);
        assert.ok(!res.body.includes("html"), "the upstream error page is not passed on");
        assert.equal(server.requests.length, 2);
        assert.equal(source.reads, 2);
      });
    }

    it("answers 500 when the secret cannot be read, without the SDK's message", async () => {
      let fail = true;
      const source = countingSource(() => {
        if (fail) {
          const err = new Error(`User: ${CALLER} is not authorized to perform GetSecretValue`);
          err.name = "AccessDeniedException";
          throw err;
        }
        return secretJson(USER, PASSWORD);
      });
      const { server, handler, logs } = await rig({}, source);
      const res = await handler(event(rpc("getEdgesStatus", uid(63))));
      assert.equal(res.statusCode, 500);
      assert.equal(parse(res).id, uid(63));
      assert.equal(server.requests.length, 0);
      assert.equal(JSON.parse(logs[0]).error, "AccessDeniedException (message withheld)");
      assert.doesNotMatch(logs[0] + res.body, /not authorized/);
      fail = false;
      assert.equal((await handler(event(rpc("getEdgesStatus")))).statusCode, 200);
      assert.equal(source.reads, 2, "the failure was not cached");
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
      await handler(event(rpc("getEdgesStatus", uid(71))));
      await handler(event(rpc("setChannelValue", uid(72))));
      assert.equal(logs.length, 2);
      const [ok, denied] = logs.map((l) => JSON.parse(l));
      assert.equal(ok.method, "getEdgesStatus");
      assert.equal(ok.id, uid(71));
      assert.equal(ok.status, 200);
      assert.equal(ok.upstreamStatus, 200);
      assert.equal(typeof ok.durationMs, "number");
      assert.equal(ok.caller, CALLER);
      assert.equal(denied.status, 403);
      assert.equal(denied.outcome, "method-not-allowed");
    });

    it("with the shipped username mbe-proxy, leaves the message and caller ARN intact", async () => {
      const { handler, logs } = await rig(
        {},
        countingSource(() => secretJson("mbe-proxy", PASSWORD)),
        "mbe-proxy",
      );
      assert.equal((await handler(event(rpc("getEdgesStatus", uid(73))))).statusCode, 200);
      const line = JSON.parse(logs[0]);
      assert.equal(line.msg, "mbe-proxy request");
      assert.equal(line.caller, CALLER);
      assert.doesNotMatch(logs[0], /REDACTED/);
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
      server.respond = (r) => ({ ...openemsResponder(r), delayMs: 1_000 });
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
      it(`keeps a dependency's error text, and the secret in it, out of the log (${password})`, async () => {
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
        assert.equal(JSON.parse(logs[1]).error, "Error (message withheld)");
        const escaped = JSON.stringify(password).slice(1, -1);
        for (const form of [password, escaped, "echoed"])
          assert.ok(!logs[1].includes(form), logs[1]);
      });
    }
  });

  describe("concurrency and sockets", () => {
    it("answers a burst of 200 concurrent calls, each its own id, leaking no socket", async () => {
      const baseline = openTcpSockets();
      const { server, handler, source } = await rig({ maxSockets: 20 });
      server.respond = (r) => ({ ...openemsResponder(r), delayMs: 2 });
      const ids = Array.from({ length: 200 }, () => randomUUID());
      const results = await Promise.all(ids.map((id) => handler(event(rpc("getEdgesStatus", id)))));

      assert.equal(results.length, 200);
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
  const allowed = new Set(ALLOWED);
  const ok: Array<[string, unknown, string]> = [
    ["a plain request", rpc("getEdgesStatus"), "getEdgesStatus"],
    ["an upper-case UUID id", rpc("getEdgesStatus", uid(10).toUpperCase()), "getEdgesStatus"],
    ["an edgeRpc call", edgeRpc("getEdgeConfig", uid(1), {}), "edgeRpc/getEdgeConfig"],
    [
      "an edgeRpc payload with its own UUID id",
      rpc("edgeRpc", uid(1), {
        edgeId: "edge0",
        payload: { jsonrpc: "2.0", id: uid(2), method: "getEdgeConfig", params: {} },
      }),
      "edgeRpc/getEdgeConfig",
    ],
    [
      "energy per period with a resolution object",
      edgeRpc("queryHistoricTimeseriesEnergyPerPeriod", uid(1), {
        ...ENERGY,
        resolution: { value: 1, unit: "months" },
      }),
      "edgeRpc/queryHistoricTimeseriesEnergyPerPeriod",
    ],
  ];
  for (const [name, value, path] of ok) {
    it(`accepts ${name} as ${path}`, () => {
      const result = validateJsonRpcRequest(value, allowed);
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.methodPath, path);
    });
  }

  const bad: Array<[string, unknown, RegExp]> = [
    ["null", null, /request object/],
    ["a batch", [rpc("a")], /batch/],
    [
      "jsonrpc 1.0",
      { ...rpc("getEdgesStatus"), jsonrpc: "1.0" },
      /"jsonrpc" must be "2.0"; got "1.0"/,
    ],
    ["a null id", rpc("getEdgesStatus", null), /"id" must be a UUID string .*; got null/],
    ["an empty method", rpc(""), /"method"/],
    ["a slash in the method", rpc("edgeRpc/x"), /"method"/],
    ["scalar params", rpc("getEdgesStatus", uid(1), 3), /"params" must be an object; got 3/],
    [
      "an empty edgeId",
      rpc("edgeRpc", uid(1), { edgeId: "", payload: { method: "getEdgeConfig", params: {} } }),
      /^invalid request: "params\.edgeId" must be the Edge's id; got ""$/,
    ],
    [
      "a non-string inner method",
      rpc("edgeRpc", uid(1), { edgeId: "e", payload: { method: 5, params: {} } }),
      /params\.payload\.method/,
    ],
    [
      "an inner jsonrpc 1.0",
      rpc("edgeRpc", uid(1), {
        edgeId: "e",
        payload: { jsonrpc: "1.0", method: "getEdgeConfig", params: {} },
      }),
      /params\.payload\.jsonrpc/,
    ],
    [
      "a method outside the allowlist",
      rpc("getEdgesChannelsValues"),
      /method not allowed: getEdgesChannelsValues/,
    ],
    [
      "channels that are not an array",
      edgeRpc("queryHistoricTimeseriesEnergy", uid(1), { ...ENERGY, channels: "_sum/X" }),
      /channels must be an array of strings/,
    ],
    [
      "a missing time zone",
      edgeRpc("queryHistoricTimeseriesEnergy", uid(1), { ...ENERGY, timezone: undefined }),
      /timezone must be a time zone/,
    ],
  ];
  for (const [name, value, message] of bad) {
    it(`rejects ${name}`, () => {
      const result = validateJsonRpcRequest(value, allowed);
      assert.ok(!result.ok);
      assert.match(result.message, message);
    });
  }
});

describe("validateAllowedMethods", () => {
  it("accepts plain and edgeRpc method paths and drops duplicates", () => {
    assert.deepEqual(
      validateAllowedMethods(["getEdgesStatus", "edgeRpc/getEdgeConfig", "getEdgesStatus"], "X"),
      ["getEdgesStatus", "edgeRpc/getEdgeConfig"],
    );
  });

  const bad: Array<[string, string[], RegExp]> = [
    ["an empty list", [], /: X: got an empty list; expected at least one method$/],
    [
      "an empty entry",
      ["getEdgesStatus", ""],
      /: X: got ""; not a read method of the OpenEMS 2026\.1\.0 B2B API; expected one of getEdgesStatus, /,
    ],
    [
      "a bare edgeRpc",
      ["edgeRpc"],
      /: X: got "edgeRpc"; a bare edgeRpc would let through every Edge method/,
    ],
    ["a write", ["setGridConnSchedule"], /: X: got "setGridConnSchedule"; a write/],
    ["a tunnelled write", ["edgeRpc/componentJsonApi"], /a write/],
    [
      "a bare historic query",
      ["queryHistoricTimeseriesData"],
      /only inside edgeRpc \("edgeRpc\/queryHistoricTimeseriesData"\)/,
    ],
  ];
  for (const [name, entries, message] of bad) {
    it(`rejects ${name}`, () => {
      assert.throws(() => validateAllowedMethods(entries, "X"), message);
    });
  }
});
