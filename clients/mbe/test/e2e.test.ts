/**
 * End to end on loopback: MbeClient → STS stand-in (AssumeRoleWithWebIdentity against the trust
 * policy the workloads program plans) → Function URL stand-in (SigV4 verified, only the roles the
 * planned Lambda permissions name) → the real proxy handler (`workloads/mbe-proxy/handler.ts`,
 * export `handler`, configured through its environment like in Lambda) → OpenEMS B2B stand-in.
 */
import * as assert from "assert";
import * as crypto from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";
import { byType, one, stackOf } from "../../../tooling/testing/harness";
import {
  CredentialsError,
  JsonRpcError,
  MbeClient,
  RequestValidationError,
  TransportError,
} from "../index";
import { startStsStandin, StsStandin, TestIssuer } from "./sts-standin";
import { FunctionUrlStandin, startFunctionUrlStandin, UrlHandler } from "./function-url-standin";
import { provideSecretsManagerSdk, secretStore } from "./lambda-runtime";
import {
  B2bStandin,
  counterAt,
  startB2bStandin,
} from "../../../workloads/openems/test/b2b-standin";

const ALLOWED = [
  "getEdgesStatus",
  "getEdgesChannelsValues",
  "edgeRpc/queryHistoricTimeseriesData",
  "edgeRpc/queryHistoricTimeseriesEnergy",
  "edgeRpc/queryHistoricTimeseriesEnergyPerPeriod",
  "edgeRpc/getEdgeConfig",
];
const SECRET_ARN =
  "arn:aws:secretsmanager:us-east-1:123456789012:secret:openems/prod/mbe-proxy-b2b-AbCdEf";
const B2B_PASSWORD = crypto.randomBytes(24).toString("base64url");
const METER = "meter0/ActiveProductionEnergy";

describe("MbeClient end to end on loopback", function () {
  this.timeout(60_000);
  const issuer = new TestIssuer();
  let sts: StsStandin;
  let url: FunctionUrlStandin;
  let b2b: B2bStandin;
  let trust: { issuer: string; audience: string; subject: string };
  let roleArn: string;
  let otherRoleArn: string;
  let region: string;
  const logLines: string[] = [];
  let restoreStdout: () => void;
  let restoreSdk: () => void;

  const token = (claims: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return issuer.sign({
      iss: trust.issuer,
      aud: trust.audience,
      sub: trust.subject,
      owner: "example-team",
      project: "mbe",
      environment: "production",
      iat: now,
      nbf: now,
      exp: now + 3600,
      ...claims,
    });
  };
  const client = (opts: { role?: string; tok?: string; now?: () => number } = {}) =>
    new MbeClient({
      url: url.url,
      region,
      roleArn: opts.role ?? roleArn,
      token: () => opts.tok ?? token(),
      stsEndpoint: sts.url,
      now: opts.now,
    });
  const b2bCalls = () => b2b.log.length;

  before(async () => {
    // What the workloads program plans for prod: the trust policy, the OIDC provider, the role ARN,
    // the Function URL's region and the principals its Lambda permissions admit.
    const plan = await stackOf("workloads", "prod");
    const roles = byType(plan, "aws:iam/role:Role");
    const mbeRole = roles.find((r) => r.name === "prod-mbe-proxy-mbe")!;
    const provider = one(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    const fnUrl = one(plan, "aws:lambda/functionUrl:FunctionUrl");
    assert.strictEqual(fnUrl.inputs.authorizationType, "AWS_IAM");
    const admitted = byType(plan, "aws:lambda/permission:Permission")
      .filter(
        (p) =>
          p.inputs.action === "lambda:InvokeFunctionUrl" &&
          p.inputs.functionUrlAuthType === "AWS_IAM",
      )
      .map((p) => p.inputs.principal as string);
    assert.ok(admitted.length > 0, "the plan admits no principal to the Function URL");
    roleArn = mbeRole.state.arn;
    otherRoleArn = roles
      .find((r) => r.name === "prod-openems-host")!
      .state.arn.replace(/host/, "other");
    region = new URL(fnUrl.state.functionUrl).hostname.split(".")[2];
    const host = String(provider.inputs.url).replace(/^https:\/\//, "");
    const cond = JSON.parse(mbeRole.inputs.assumeRolePolicy).Statement[0].Condition.StringEquals;
    trust = {
      issuer: provider.inputs.url,
      audience: cond[`${host}:aud`],
      subject: cond[`${host}:sub`],
    };

    sts = await startStsStandin({
      issuer,
      provider: {
        url: provider.inputs.url,
        clientIds: provider.inputs.clientIdLists,
        arn: provider.state.arn,
      },
      roles: [
        {
          arn: roleArn,
          assumeRolePolicy: mbeRole.inputs.assumeRolePolicy,
          maxSessionDuration: mbeRole.inputs.maxSessionDuration,
        },
        // Another role that trusts the same token but that the Function URL does not admit.
        {
          arn: otherRoleArn,
          assumeRolePolicy: mbeRole.inputs.assumeRolePolicy,
          maxSessionDuration: 3600,
        },
      ],
    });
    b2b = await startB2bStandin({
      users: [
        { login: "mbe-proxy", password: B2B_PASSWORD, reader: true },
        {
          login: "installer",
          password: "installer-password-1",
          reader: false,
          roles: { edge0: "installer" },
        },
      ],
      edges: [
        {
          id: "edge0",
          online: true,
          values: { "_sum/GridActivePower": 1200, [METER]: 42 },
          components: {
            meter0: {
              alias: "Grid meter",
              factoryId: "Meter.Socomec.Threephase",
              properties: { type: "GRID" },
            },
          },
        },
        { id: "edge1", online: false, values: {}, components: {} },
      ],
    });

    secretStore.set(SECRET_ARN, JSON.stringify({ username: "mbe-proxy", password: B2B_PASSWORD }));
    restoreSdk = provideSecretsManagerSdk();
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    Object.assign(process.env, {
      OPENEMS_B2B_URL: b2b.url,
      ALLOWED_METHODS: ALLOWED.join(","),
      OPENEMS_CREDENTIALS_SECRET_ARN: SECRET_ARN,
      CREDENTIALS_CACHE_TTL_MS: "0",
      UPSTREAM_TIMEOUT_MS: "5000",
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require("../../../workloads/mbe-proxy/handler") as { handler: UrlHandler };
    url = await startFunctionUrlStandin({
      region,
      issued: sts.issued,
      allowedRoles: admitted,
      handler,
    });

    // The handler logs one JSON line per request on stdout; keep them to check what they contain.
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = chunk.toString();
      // Matched on a field name: the handler's scrubber may rewrite the message text.
      if (text.startsWith("{") && text.includes('"outcome":')) {
        logLines.push(text);
        return true;
      }
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
    restoreStdout = () => (process.stdout.write = write);
  });

  after(async () => {
    restoreStdout?.();
    restoreSdk?.();
    await Promise.all([sts?.close(), url?.close(), b2b?.close()]);
  });

  describe("allowed calls", () => {
    it("reads the status of Edges with getEdgesStatus", async () => {
      const c = client();
      assert.deepStrictEqual(await c.getEdgesStatus(["edge0", "edge1"]), {
        edge0: { online: true },
        edge1: { online: false },
      });
      assert.strictEqual(b2b.log.at(-1)!.user, "mbe-proxy");
      assert.strictEqual(b2b.log.at(-1)!.method, "getEdgesStatus");
    });

    it("reads current channel values with getEdgesChannelsValues", async () => {
      assert.deepStrictEqual(
        await client().getEdgesChannelsValues({
          ids: ["edge0", "edge1"],
          channels: ["_sum/GridActivePower"],
        }),
        { edge0: { "_sum/GridActivePower": 1200 }, edge1: { "_sum/GridActivePower": null } },
      );
    });

    it("reads the energy of a period through edgeRpc/queryHistoricTimeseriesEnergy", async () => {
      const r = await client().queryHistoricTimeseriesEnergy("edge0", {
        fromDate: "2026-01-01",
        toDate: "2026-01-31",
        channels: [METER],
        timezone: "Europe/Berlin",
      });
      // toDate is inclusive: OpenEMS adds one day (QueryHistoricTimeseriesEnergyRequest.from).
      const expected =
        counterAt("edge0", METER, "2026-02-01") - counterAt("edge0", METER, "2026-01-01");
      assert.ok(expected > 0);
      assert.deepStrictEqual(r, { data: { [METER]: expected } });
      assert.deepStrictEqual(
        [b2b.log.at(-1)!.method, b2b.log.at(-1)!.innerMethod, b2b.log.at(-1)!.toEdge],
        ["edgeRpc", "queryHistoricTimeseriesEnergy", undefined],
      );
    });

    it("reads energy per day through edgeRpc/queryHistoricTimeseriesEnergyPerPeriod", async () => {
      const r = await client().queryHistoricTimeseriesEnergyPerPeriod("edge0", {
        fromDate: "2026-03-01",
        toDate: "2026-03-03",
        channels: [METER],
        timezone: "UTC",
        resolution: { value: 1, unit: "DAYS" },
      });
      assert.deepStrictEqual(r.timestamps, [
        "2026-03-01T00:00:00Z",
        "2026-03-02T00:00:00Z",
        "2026-03-03T00:00:00Z",
      ]);
      assert.strictEqual(r.data[METER].length, 3);
      assert.strictEqual(
        r.data[METER][1],
        counterAt("edge0", METER, "2026-03-03") - counterAt("edge0", METER, "2026-03-02"),
      );
    });

    it("reads historic data through edgeRpc/queryHistoricTimeseriesData", async () => {
      const r = await client().queryHistoricTimeseriesData("edge0", {
        fromDate: "2026-03-01",
        toDate: "2026-03-02",
        channels: [METER],
        timezone: "UTC",
        resolution: { value: 15, unit: "MINUTES" },
      });
      assert.deepStrictEqual(r.data[METER], [42, 42]);
    });

    it("discovers meters through edgeRpc/getEdgeConfig, also for an offline Edge", async () => {
      const online = await client().getEdgeConfig("edge0");
      assert.strictEqual(online.components.meter0.factoryId, "Meter.Socomec.Threephase");
      assert.deepStrictEqual(await client().getEdgeConfig("edge1"), {
        components: {},
        factories: {},
      });
    });

    it("signs every call with fresh UUID ids at both levels", async () => {
      const seen: unknown[] = [];
      const c = client();
      const original = globalThis.fetch;
      globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
        seen.push(JSON.parse(String(init?.body)));
        return original(input, init);
      }) as typeof fetch;
      try {
        await c.getEdgeConfig("edge0");
        await c.getEdgeConfig("edge0");
      } finally {
        globalThis.fetch = original;
      }
      const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
      const ids = seen.flatMap((b: any) => [b.id, b.params.payload.id]);
      assert.strictEqual(ids.length, 4);
      for (const id of ids) assert.match(id, uuid);
      assert.strictEqual(new Set(ids).size, 4);
    });

    it("assumes the role once and reuses the credentials until shortly before they expire", async () => {
      let now = Date.now();
      const c = client({ now: () => now });
      await c.getEdgesStatus(["edge0"]);
      await c.getEdgesStatus(["edge0"]);
      await c.getEdgeConfig("edge0");
      assert.strictEqual(c.credentials.stsCalls, 1);
      now += 56 * 60_000; // 4 minutes before the one-hour credentials expire
      await c.getEdgesStatus(["edge0"]);
      assert.strictEqual(c.credentials.stsCalls, 2);
    });

    it("takes the OIDC token from the incoming request's x-vercel-oidc-token header", async () => {
      const c = new MbeClient({
        url: url.url,
        region,
        roleArn,
        token: () => undefined,
        stsEndpoint: sts.url,
      });
      const headers = new Headers({ "x-vercel-oidc-token": token() });
      assert.deepStrictEqual(await c.getEdgesStatus(["edge0"], { headers }), {
        edge0: { online: true },
      });
    });

    it("never writes the B2B password into the proxy's log", () => {
      assert.ok(logLines.length > 5, `only ${logLines.length} log lines captured`);
      for (const line of logLines) assert.ok(!line.includes(B2B_PASSWORD), line);
      // The scrubber removes secret values only: the caller's ARN, which contains the B2B
      // username "mbe-proxy", stays readable.
      assert.ok(logLines.some((l) => l.includes("assumed-role/prod-mbe-proxy-mbe")));
    });
  });

  describe("refused before the proxy runs", () => {
    const cases: [string, () => Record<string, unknown>, string, string][] = [
      [
        "an expired token",
        () => ({ exp: Math.floor(Date.now() / 1000) - 60 }),
        "ExpiredTokenException",
        "expired",
      ],
      [
        "another Vercel project",
        () => ({ sub: "owner:example-team:project:other:environment:production" }),
        "AccessDenied",
        "Not authorized",
      ],
      [
        "the preview environment",
        () => ({ sub: "owner:example-team:project:mbe:environment:preview" }),
        "AccessDenied",
        "Not authorized",
      ],
      [
        "another audience",
        () => ({ aud: "sts.amazonaws.com" }),
        "InvalidIdentityTokenException",
        "audience",
      ],
      [
        "another team's issuer",
        () => ({ iss: "https://oidc.vercel.com/other-team" }),
        "InvalidIdentityTokenException",
        "No OpenIDConnect provider",
      ],
    ];
    for (const [what, claims, code, text] of cases) {
      it(`refuses a token of ${what} at STS`, async () => {
        const before = url.invocations;
        await assert.rejects(
          client({ tok: token(claims()) }).getEdgesStatus(["edge0"]),
          (e: unknown) => {
            assert.ok(e instanceof CredentialsError, String(e));
            assert.strictEqual(e.stsCode, code);
            assert.match(e.message, new RegExp(text));
            return true;
          },
        );
        assert.strictEqual(url.invocations, before);
      });
    }

    it("refuses a token signed by a key the issuer does not publish", async () => {
      const forged = new TestIssuer();
      const tok = issuer.sign(
        {
          iss: trust.issuer,
          aud: trust.audience,
          sub: trust.subject,
          exp: Math.floor(Date.now() / 1000) + 600,
        },
        forged.keys.privateKey,
      );
      await assert.rejects(
        client({ tok }).getEdgesStatus(["edge0"]),
        (e: unknown) =>
          e instanceof CredentialsError &&
          e.stsCode === "InvalidIdentityTokenException" &&
          /signature/.test(e.message),
      );
    });

    it("fails without a network call when there is no OIDC token", async () => {
      const calls = sts.calls;
      const c = new MbeClient({
        url: url.url,
        region,
        roleArn,
        token: () => undefined,
        stsEndpoint: sts.url,
      });
      await assert.rejects(
        c.getEdgesStatus(["edge0"]),
        (e: unknown) => e instanceof CredentialsError && /x-vercel-oidc-token/.test(e.message),
      );
      assert.strictEqual(sts.calls, calls);
    });

    it("refuses a role the Function URL's resource policy does not name", async () => {
      const before = url.invocations;
      await assert.rejects(
        client({ role: otherRoleArn }).getEdgesStatus(["edge0"]),
        (e: unknown) =>
          e instanceof TransportError && e.failure === "forbidden" && e.httpStatus === 403,
      );
      assert.match(url.refusals.at(-1)!, /may not invoke/);
      assert.strictEqual(url.invocations, before);
    });

    const tampering: [string, boolean, RegExp][] = [
      ["whose body was changed after signing", false, /x-amz-content-sha256 does not match/],
      ["whose body and body hash were changed after signing", true, /signature does not match/],
    ];
    for (const [what, rehash, reason] of tampering) {
      it(`refuses a request ${what}`, async () => {
        const c = client();
        const creds = await c.credentials.get();
        const signer = new SignatureV4({
          service: "lambda",
          region,
          credentials: creds,
          sha256: Sha256,
        });
        const u = new URL(url.url);
        const body = (edge: string) =>
          JSON.stringify({
            jsonrpc: "2.0",
            id: crypto.randomUUID(),
            method: "getEdgesStatus",
            params: { edgeIds: [edge] },
          });
        const signed = await signer.sign({
          method: "POST",
          protocol: "http:",
          hostname: u.hostname,
          port: Number(u.port),
          path: "/",
          headers: { host: u.host, "content-type": "application/json" },
          body: body("edge0"),
        });
        const headers = Object.fromEntries(
          Object.entries(signed.headers).filter(([k]) => k !== "host"),
        );
        const tampered = body("edge1");
        if (rehash)
          headers["x-amz-content-sha256"] = crypto
            .createHash("sha256")
            .update(tampered)
            .digest("hex");
        const before = url.invocations;
        const res = await fetch(url.url, { method: "POST", headers, body: tampered });
        assert.strictEqual(res.status, 403);
        assert.deepStrictEqual(await res.json(), { Message: "Forbidden" });
        assert.match(url.refusals.at(-1)!, reason);
        assert.strictEqual(url.invocations, before);
      });
    }

    it("refuses credentials that expired, and the client fetches new ones for the next call", async () => {
      const c = client();
      await c.getEdgesStatus(["edge0"]);
      url.now = () => Date.now() + 2 * 3600_000; // the Function URL sees the credentials expired
      try {
        await assert.rejects(
          c.getEdgesStatus(["edge0"]),
          (e: unknown) => e instanceof TransportError && e.failure === "forbidden",
        );
        assert.match(url.refusals.at(-1)!, /expired/);
      } finally {
        url.now = Date.now;
      }
      await c.getEdgesStatus(["edge0"]);
      assert.strictEqual(c.credentials.stsCalls, 2);
    });
  });

  describe("refused by the proxy or by OpenEMS", () => {
    async function raw(body: unknown): Promise<{ status: number; json: any }> {
      const c = client();
      const creds = await c.credentials.get();
      const signer = new SignatureV4({
        service: "lambda",
        region,
        credentials: creds,
        sha256: Sha256,
      });
      const u = new URL(url.url);
      const text = typeof body === "string" ? body : JSON.stringify(body);
      const signed = await signer.sign({
        method: "POST",
        protocol: "http:",
        hostname: u.hostname,
        port: Number(u.port),
        path: "/",
        headers: { host: u.host, "content-type": "application/json" },
        body: text,
      });
      const headers = Object.fromEntries(
        Object.entries(signed.headers).filter(([k]) => k !== "host"),
      );
      const res = await fetch(url.url, { method: "POST", headers, body: text });
      return { status: res.status, json: await res.json() };
    }

    const refused: [string, string, Record<string, unknown>][] = [
      [
        "a write tunnelled through edgeRpc",
        "edgeRpc/updateComponentConfig",
        {
          edgeId: "edge0",
          payload: {
            jsonrpc: "2.0",
            id: crypto.randomUUID(),
            method: "updateComponentConfig",
            params: { componentId: "meter0", properties: [] },
          },
        },
      ],
      ["setGridConnSchedule", "setGridConnSchedule", { id: "edge0", schedule: [] }],
      [
        "the bare historic method OpenEMS does not serve at the top level",
        "queryHistoricTimeseriesEnergy",
        { fromDate: "2026-01-01", toDate: "2026-01-02", channels: [METER], timezone: "UTC" },
      ],
      ["an unknown method", "getEverything", {}],
    ];
    for (const [what, path, params] of refused) {
      it(`refuses ${what} without calling OpenEMS`, async () => {
        const before = b2bCalls();
        const [method] = path.split("/");
        await assert.rejects(client().call(method, params), (e: unknown) => {
          assert.ok(e instanceof JsonRpcError, String(e));
          assert.strictEqual(e.httpStatus, 403);
          assert.strictEqual(e.code, -32601);
          return true;
        });
        assert.strictEqual(b2bCalls(), before);
      });
    }

    it("passes on OpenEMS's refusal of an Edge the user cannot see", async () => {
      await assert.rejects(client().getEdgesStatus(["edge9"]), (e: unknown) => {
        assert.ok(e instanceof JsonRpcError, String(e));
        assert.strictEqual(e.httpStatus, 400);
        assert.match(e.message, /edge9/);
        return true;
      });
    });

    it("answers 400 for a request OpenEMS cannot parse (per-period without resolution)", async () => {
      // The typed method refuses this before sending; the generic edgeRpc does not.
      await assert.rejects(
        client().queryHistoricTimeseriesEnergyPerPeriod("edge0", {
          fromDate: "2026-01-01",
          toDate: "2026-01-02",
          channels: [METER],
          timezone: "UTC",
        } as never),
        RequestValidationError,
      );
      await assert.rejects(
        client().edgeRpc("edge0", "queryHistoricTimeseriesEnergyPerPeriod", {
          fromDate: "2026-01-01",
          toDate: "2026-01-02",
          channels: [METER],
          timezone: "UTC",
        }),
        (e: unknown) =>
          e instanceof JsonRpcError && e.httpStatus === 400 && /resolution/.test(e.message),
      );
    });

    const badIds: [string, unknown][] = [
      ["a short string id", "b2c3"],
      ["a numeric id", 1],
      ["an id above 2^53", "9007199254740993"],
    ];
    for (const [what, id] of badIds) {
      it(`answers 400 with a JSON-RPC error for ${what}`, async () => {
        const before = b2bCalls();
        const { status, json } = await raw({
          jsonrpc: "2.0",
          id,
          method: "getEdgesStatus",
          params: { edgeIds: ["edge0"] },
        });
        assert.strictEqual(status, 400);
        assert.strictEqual(typeof json.error?.code, "number");
        // The proxy refuses a non-UUID id itself: OpenEMS is never asked.
        assert.strictEqual(b2bCalls(), before);
      });
    }

    it("answers 400 for a request without params", async () => {
      const { status, json } = await raw({
        jsonrpc: "2.0",
        id: crypto.randomUUID(),
        method: "getEdgesStatus",
      });
      assert.strictEqual(status, 400);
      assert.strictEqual(typeof json.error?.code, "number");
    });

    it("answers 502 with a JSON-RPC error when OpenEMS rejects the proxy's login (HTTP 500)", async () => {
      secretStore.set(
        SECRET_ARN,
        JSON.stringify({ username: "mbe-proxy", password: "rotated-but-not-in-odoo" }),
      );
      try {
        const before = b2bCalls();
        await assert.rejects(client().getEdgesStatus(["edge0"]), (e: unknown) => {
          assert.ok(e instanceof JsonRpcError, String(e));
          assert.strictEqual(e.httpStatus, 502);
          return true;
        });
        assert.ok(b2bCalls() > before);
        assert.strictEqual(b2b.log.at(-1)!.status, 500);
      } finally {
        secretStore.set(
          SECRET_ARN,
          JSON.stringify({ username: "mbe-proxy", password: B2B_PASSWORD }),
        );
      }
      // With the secret back, the next call signs in again.
      assert.deepStrictEqual(await client().getEdgesStatus(["edge0"]), { edge0: { online: true } });
    });
  });

  describe("client-side failures", () => {
    const invalid: [string, (c: MbeClient) => Promise<unknown>, RegExp][] = [
      [
        "an empty Edge list",
        (c) => c.getEdgesStatus([]),
        /^edgeIds: got \[\]; expected a non-empty list/,
      ],
      [
        "a channel without component",
        (c) => c.getEdgesChannelsValues({ ids: ["edge0"], channels: ["GridActivePower" as never] }),
        /^channels\[0\]: got "GridActivePower"; expected a channel address/,
      ],
      [
        "an impossible date",
        (c) =>
          c.queryHistoricTimeseriesEnergy("edge0", {
            fromDate: "2026-02-30",
            toDate: "2026-03-01",
            channels: [METER],
            timezone: "UTC",
          }),
        /^fromDate: got "2026-02-30"; expected a calendar date/,
      ],
      [
        "a period that ends before it starts",
        (c) =>
          c.queryHistoricTimeseriesEnergy("edge0", {
            fromDate: "2026-03-02",
            toDate: "2026-03-01",
            channels: [METER],
            timezone: "UTC",
          }),
        /^toDate: got "2026-03-01"; expected a date on or after/,
      ],
      [
        "an unknown time zone",
        (c) =>
          c.queryHistoricTimeseriesEnergy("edge0", {
            fromDate: "2026-03-01",
            toDate: "2026-03-01",
            channels: [METER],
            timezone: "Mars/Olympus",
          }),
        /^timezone: got "Mars\/Olympus"/,
      ],
      [
        "an unknown resolution unit",
        (c) =>
          c.queryHistoricTimeseriesEnergyPerPeriod("edge0", {
            fromDate: "2026-03-01",
            toDate: "2026-03-01",
            channels: [METER],
            timezone: "UTC",
            resolution: { value: 1, unit: "FORTNIGHTS" as never },
          }),
        /^resolution\.unit: got "FORTNIGHTS"; expected one of SECONDS/,
      ],
    ];
    for (const [what, call, message] of invalid) {
      it(`refuses ${what} before any network call`, async () => {
        const calls = sts.calls;
        await assert.rejects(
          call(client()),
          (e: unknown) => e instanceof RequestValidationError && message.test(e.message),
        );
        assert.strictEqual(sts.calls, calls);
      });
    }

    it("needs a region for a URL that is not a Function URL", () => {
      assert.throws(
        () => new MbeClient({ url: "https://proxy.example.com/", roleArn }),
        /^RequestValidationError: region: got nothing; expected a region/,
      );
      const c = new MbeClient({ url: "https://abc123.lambda-url.eu-central-1.on.aws/", roleArn });
      assert.strictEqual(c.region, "eu-central-1");
    });

    it("reports a closed port as a network failure", async () => {
      const server = http.createServer();
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
      const port = (server.address() as AddressInfo).port;
      await new Promise<void>((r) => server.close(() => r()));
      const c = new MbeClient({
        url: `http://127.0.0.1:${port}/`,
        region,
        roleArn,
        token: () => token(),
        stsEndpoint: sts.url,
      });
      await assert.rejects(
        c.getEdgesStatus(["edge0"]),
        (e: unknown) => e instanceof TransportError && e.failure === "network",
      );
    });

    it("reports a proxy that does not answer in time as a timeout", async () => {
      const server = http.createServer(() => undefined);
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
      const port = (server.address() as AddressInfo).port;
      try {
        const c = new MbeClient({
          url: `http://127.0.0.1:${port}/`,
          region,
          roleArn,
          token: () => token(),
          stsEndpoint: sts.url,
          timeoutMs: 300,
        });
        await assert.rejects(
          c.getEdgesStatus(["edge0"]),
          (e: unknown) => e instanceof TransportError && e.failure === "timeout",
        );
      } finally {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
    });

    it("refuses an answer whose id is not the request's", async () => {
      const server = http.createServer((_req, res) =>
        res.end(JSON.stringify({ jsonrpc: "2.0", id: crypto.randomUUID(), result: {} })),
      );
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
      const port = (server.address() as AddressInfo).port;
      try {
        const c = new MbeClient({
          url: `http://127.0.0.1:${port}/`,
          region,
          roleArn,
          token: () => token(),
          stsEndpoint: sts.url,
        });
        await assert.rejects(
          c.getEdgesStatus(["edge0"]),
          (e: unknown) =>
            e instanceof TransportError &&
            e.failure === "protocol" &&
            /response id/.test(e.message),
        );
      } finally {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
    });
  });
});
