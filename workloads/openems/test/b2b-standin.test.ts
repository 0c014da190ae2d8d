/**
 * The OpenEMS B2B stand-in answers like OpenEMS 2026.1.0 (files named in b2b-standin.ts), so
 * tests built on it fail where OpenEMS would refuse.
 */
import * as assert from "assert";
import * as crypto from "node:crypto";
import { B2bStandin, DUMMY_ID, startB2bStandin } from "./b2b-standin";

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;
const id = () => crypto.randomUUID();

describe("OpenEMS B2B stand-in", () => {
  let b2b: B2bStandin;
  before(async () => {
    b2b = await startB2bStandin({
      users: [
        { login: "reader", password: "reader-password-1", reader: true },
        { login: "owner", password: "owner-password-1", reader: false, roles: { edge0: "owner" } },
      ],
      edges: [
        { id: "edge0", online: true, values: {}, components: {} },
        { id: "edge1", online: false, values: {}, components: {} },
      ],
    });
  });
  after(() => b2b.close());

  async function post(
    body: unknown,
    auth = basic("reader", "reader-password-1"),
    path = "/jsonrpc",
  ) {
    const res = await fetch(b2b.url.replace("/jsonrpc", path), {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  }

  const status = (edgeIds: unknown) => ({
    jsonrpc: "2.0",
    id: id(),
    method: "getEdgesStatus",
    params: { edgeIds },
  });
  const edgeRpc = (
    edgeId: string,
    method: string,
    params: unknown = {},
    innerId: unknown = id(),
  ) => ({
    jsonrpc: "2.0",
    id: id(),
    method: "edgeRpc",
    params: { edgeId, payload: { jsonrpc: "2.0", id: innerId, method, params } },
  });

  const refusals: [
    string,
    () => Promise<{ status: number; json: any; text: string }>,
    number,
    RegExp | null,
  ][] = [
    [
      "a wrong password with 500 (RestHandler throws, Jetty answers)",
      () => post(status(["edge0"]), basic("reader", "nope")),
      500,
      null,
    ],
    ["no Authorization header with 500", () => post(status(["edge0"]), ""), 500, null],
    [
      "an unknown top-level method with 400 and the dummy id",
      () => post({ jsonrpc: "2.0", id: id(), method: "queryHistoricTimeseriesEnergy", params: {} }),
      400,
      /Unable to get Response: Unhandled JSON-RPC method \[queryHistoricTimeseriesEnergy\]/,
    ],
    ["a non-UUID id", () => post({ ...status(["edge0"]), id: "b2c3" }), 400, /not a UUID/],
    ["a numeric id", () => post({ ...status(["edge0"]), id: 1 }), 400, /not a UUID/],
    [
      "a request without params",
      () => post({ jsonrpc: "2.0", id: id(), method: "getEdgesStatus" }),
      400,
      /not a valid Request/,
    ],
    [
      "array params",
      () => post({ jsonrpc: "2.0", id: id(), method: "getEdgesStatus", params: [] }),
      400,
      /\[params\] is not a JsonObject/,
    ],
    [
      "getEdgesStatus without edgeIds",
      () => post({ jsonrpc: "2.0", id: id(), method: "getEdgesStatus", params: {} }),
      400,
      /\[edgeIds\] is not a JsonArray/,
    ],
    [
      "a non-UUID id inside edgeRpc",
      () => post(edgeRpc("edge0", "getEdgeConfig", {}, 7)),
      400,
      /not a UUID/,
    ],
    [
      "an Edge the user has no role on",
      () => post(status(["edge1"]), basic("owner", "owner-password-1")),
      400,
      /Role for User \[owner\] is not defined/,
    ],
    [
      "setGridConnSchedule for a non-admin",
      () =>
        post(
          {
            jsonrpc: "2.0",
            id: id(),
            method: "setGridConnSchedule",
            params: { id: "edge0", schedule: [] },
          },
          basic("owner", "owner-password-1"),
        ),
      400,
      /denied/,
    ],
    [
      "a bad channel address",
      () =>
        post(
          edgeRpc("edge0", "queryHistoricTimeseriesEnergy", {
            fromDate: "2026-01-01",
            toDate: "2026-01-01",
            timezone: "UTC",
            channels: ["x"],
          }),
        ),
      400,
      /not a valid channel address/,
    ],
    [
      "a GET",
      async () => {
        const r = await fetch(b2b.url, {
          headers: { authorization: basic("reader", "reader-password-1") },
        });
        return { status: r.status, json: await r.json(), text: "" };
      },
      400,
      /Method \[GET\] is not supported/,
    ],
  ];
  for (const [what, call, code, message] of refusals) {
    it(`refuses ${what}`, async () => {
      const r = await call();
      assert.strictEqual(r.status, code, r.text);
      if (message) {
        assert.strictEqual(r.json.id, DUMMY_ID);
        assert.match(r.json.error.message, message);
      } else {
        assert.match(r.text, /HTTP ERROR 500/);
      }
    });
  }

  it("fills in a missing id and answers with it", async () => {
    const r = await post({
      jsonrpc: "2.0",
      method: "getEdgesStatus",
      params: { edgeIds: ["edge0"] },
    });
    assert.strictEqual(r.status, 200);
    assert.match(r.json.id, /^[0-9a-f-]{36}$/);
  });

  it("sends unhandled inner methods to the Edge and answers with the request's id", async () => {
    const body = edgeRpc("edge1", "updateComponentConfig", { componentId: "x", properties: [] });
    const r = await post(body);
    assert.strictEqual(r.status, 400);
    assert.strictEqual(r.json.id, body.id);
    assert.match(r.json.error.message, /Edge \[edge1\] is not connected/);
    assert.strictEqual(b2b.log.at(-1)!.toEdge, true);
  });

  it("answers only on the jsonrpc path", async () => {
    assert.deepStrictEqual(
      [
        (await post(status(["edge0"]), undefined, "/other")).status,
        (await post(status(["edge0"]), undefined, "/other")).text,
      ],
      [200, ""],
    );
    assert.strictEqual((await post(status(["edge0"]), undefined, "/")).status, 500);
  });

  it("lets a reader see every Edge and an owner its own", async () => {
    assert.deepStrictEqual((await post(status(["edge0", "edge1"]))).json.result, {
      edge0: { online: true },
      edge1: { online: false },
    });
    assert.deepStrictEqual(
      (await post(status(["edge0"]), basic("owner", "owner-password-1"))).json.result,
      { edge0: { online: true } },
    );
  });

  it("trims the Basic credentials like RestHandler", async () => {
    assert.strictEqual(
      (await post(status(["edge0"]), basic(" reader ", " reader-password-1 "))).status,
      200,
    );
  });
});
