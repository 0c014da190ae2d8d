import * as assert from "node:assert/strict";
import { basic, PLACEHOLDER_ID, startFakeOpenems } from "./fake-openems";

const ID = "7d9f0c2e-4b1a-4e8d-9c3b-2a1f0e9d8c7b";

/** The stand-in answers as OpenEMS 2026.1.0 does (the files are cited in fake-openems.ts). */
describe("OpenEMS B2B stand-in", () => {
  async function post(body: unknown, auth = basic("b2b", "b2b-password")) {
    const server = await startFakeOpenems({ username: "b2b", password: "b2b-password" });
    try {
      const res = await fetch(server.url, {
        method: "POST",
        headers: { authorization: auth, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: res.status, text: await res.text() };
    } finally {
      await server.close();
    }
  }

  const cases: Array<[string, unknown, string | undefined, number, RegExp]> = [
    [
      "a failed login is a 500, not a 401",
      { method: "getEdgesStatus", params: {} },
      basic("b2b", "wrong"),
      500,
      /Authentication failed/,
    ],
    [
      "a bare historic query is an unhandled method",
      { jsonrpc: "2.0", id: ID, method: "queryHistoricTimeseriesEnergy", params: {} },
      undefined,
      400,
      /Unhandled JSON-RPC method \[queryHistoricTimeseriesEnergy\]/,
    ],
    [
      "a numeric id is refused",
      { jsonrpc: "2.0", id: 1, method: "getEdgesStatus", params: { edgeIds: [] } },
      undefined,
      400,
      /UUID/,
    ],
    [
      "missing params are refused",
      { jsonrpc: "2.0", id: ID, method: "getEdgesStatus" },
      undefined,
      400,
      /not a valid Request/,
    ],
    [
      "getEdgesStatus needs edgeIds",
      { jsonrpc: "2.0", id: ID, method: "getEdgesStatus", params: {} },
      undefined,
      400,
      /edgeIds/,
    ],
    [
      "getEdgesStatus answers the known edges",
      { jsonrpc: "2.0", id: ID, method: "getEdgesStatus", params: { edgeIds: ["edge0", "x"] } },
      undefined,
      200,
      /^\{"jsonrpc":"2.0","id":"7d9f0c2e-4b1a-4e8d-9c3b-2a1f0e9d8c7b","result":\{"edge0":\{"online":true\}\}\}$/,
    ],
  ];
  for (const [what, body, auth, status, text] of cases) {
    it(what, async () => {
      const res = await post(body, auth);
      assert.equal(res.status, status, res.text);
      assert.match(res.text, text);
      if (status === 400) assert.equal(JSON.parse(res.text).id, PLACEHOLDER_ID);
    });
  }
});
