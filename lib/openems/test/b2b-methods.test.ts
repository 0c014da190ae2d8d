import * as assert from "assert";
import { allowlistProblem, B2B_READ_METHODS, paramProblems } from "../b2b-methods";

/**
 * The catalogue against what OpenEMS 2026.1.0 dispatches (CoreJsonRpcRequestHandlerImpl.java,
 * EdgeRpcRequestHandler.java), written out here rather than read from the code under test.
 */
describe("OpenEMS B2B method catalogue", () => {
  it("names exactly the read methods B2B REST answers", () => {
    assert.deepStrictEqual([...B2B_READ_METHODS].sort(), [
      "edgeRpc/getEdgeConfig",
      "edgeRpc/queryHistoricTimeseriesData",
      "edgeRpc/queryHistoricTimeseriesEnergy",
      "edgeRpc/queryHistoricTimeseriesEnergyPerPeriod",
      "edgeRpc/queryHistoricTimeseriesExportXlxs",
      "getEdgesChannelsValues",
      "getEdgesStatus",
    ]);
  });

  for (const write of [
    "setGridConnSchedule",
    "edgeRpc/componentJsonApi",
    "edgeRpc/setChannelValue",
    "componentJsonApi",
    "edgeRpc",
    "edgeRpc/appCenter",
  ]) {
    it(`refuses to allowlist ${write}`, () => {
      assert.ok(allowlistProblem(write));
    });
  }

  const period = { timezone: "Europe/Berlin", fromDate: "2026-01-01", toDate: "2026-01-31" };
  const cases: Array<[string, string, Record<string, unknown>, string[]]> = [
    ["getEdgesStatus without edgeIds", "getEdgesStatus", {}, ["edgeIds"]],
    [
      "getEdgesStatus with a number among edgeIds",
      "getEdgesStatus",
      { edgeIds: ["a", 3] },
      ["edgeIds[1]"],
    ],
    ["getEdgesStatus with edgeIds", "getEdgesStatus", { edgeIds: [] }, []],
    [
      "getEdgesChannelsValues without ids",
      "getEdgesChannelsValues",
      { channels: ["_sum/State"] },
      ["ids"],
    ],
    [
      "getEdgesChannelsValues with a channel lacking its component",
      "getEdgesChannelsValues",
      { ids: ["e"], channels: ["State"] },
      ["channels[0]"],
    ],
    ["getEdgeConfig with empty params", "edgeRpc/getEdgeConfig", {}, []],
    [
      "energy without anything",
      "edgeRpc/queryHistoricTimeseriesEnergy",
      {},
      ["timezone", "fromDate", "toDate", "channels"],
    ],
    [
      "energy with an offset time zone (UI before 2022.4.0)",
      "edgeRpc/queryHistoricTimeseriesEnergy",
      { ...period, timezone: -60, channels: ["_sum/X"] },
      [],
    ],
    [
      "energy per period without a resolution",
      "edgeRpc/queryHistoricTimeseriesEnergyPerPeriod",
      { ...period, channels: [] },
      ["resolution"],
    ],
    [
      "energy per period with seconds",
      "edgeRpc/queryHistoricTimeseriesEnergyPerPeriod",
      { ...period, resolution: 900, channels: [] },
      [],
    ],
    [
      "data without a resolution (optional there)",
      "edgeRpc/queryHistoricTimeseriesData",
      { ...period, channels: [] },
      [],
    ],
    [
      "data with a malformed resolution",
      "edgeRpc/queryHistoricTimeseriesData",
      { ...period, resolution: { value: "15" }, channels: [] },
      ["resolution"],
    ],
    [
      "an xlsx export with a date-time",
      "edgeRpc/queryHistoricTimeseriesExportXlxs",
      { ...period, toDate: "2026-01-31T00:00" },
      ["toDate"],
    ],
  ];
  for (const [what, path, params, expected] of cases) {
    it(`checks params: ${what}`, () => {
      assert.deepStrictEqual(
        paramProblems(path, params).map((p) => p.path),
        expected,
      );
    });
  }
});
