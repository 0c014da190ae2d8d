import * as assert from "assert";
import { parseOrThrow } from "../errors";
import { allowedMethods, workloadsSection } from "../workloads";
import { editedConfig, planExpectingError } from "../../../tooling/testing/harness";

const KEY = "platform:workloads.mbe.allowedMethods";

function problems(value: unknown): string[] {
  try {
    parseOrThrow("Pulumi.dev.yaml", KEY, allowedMethods, value);
  } catch (err) {
    return (err as { problems: string[] }).problems;
  }
  return [];
}

describe("mbe.allowedMethods", () => {
  it("accepts the methods MBE uses, named as OpenEMS 2026.1.0 serves them", () => {
    const value = [
      "getEdgesStatus",
      "getEdgesChannelsValues",
      "edgeRpc/queryHistoricTimeseriesEnergyPerPeriod",
      "edgeRpc/queryHistoricTimeseriesEnergy",
      "edgeRpc/queryHistoricTimeseriesData",
      "edgeRpc/queryHistoricTimeseriesExportXlxs",
      "edgeRpc/getEdgeConfig",
    ];
    assert.deepStrictEqual(problems(value), []);
  });

  it("defaults to status, energy per period, historic energy and data, and the Edge config", () => {
    const section = workloadsSection.shape.mbe.shape.allowedMethods.parse(undefined);
    assert.deepStrictEqual(section, [
      "getEdgesStatus",
      "edgeRpc/queryHistoricTimeseriesEnergyPerPeriod",
      "edgeRpc/queryHistoricTimeseriesEnergy",
      "edgeRpc/queryHistoricTimeseriesData",
      "edgeRpc/getEdgeConfig",
    ]);
  });

  const refused: Array<[string, unknown, string[]]> = [
    ["an empty list", [], [`${KEY}: got []; expected at least one method`]],
    [
      "a bare edgeRpc",
      ["getEdgesStatus", "edgeRpc"],
      [`${KEY}[1]: got "edgeRpc"; a bare edgeRpc would let through every Edge method`],
    ],
    [
      "a bare historic query (OpenEMS answers 400 Unhandled JSON-RPC method)",
      ["queryHistoricTimeseriesEnergy"],
      [
        `${KEY}[0]: got "queryHistoricTimeseriesEnergy"; OpenEMS 2026.1.0 serves it only inside edgeRpc ("edgeRpc/queryHistoricTimeseriesEnergy")`,
      ],
    ],
    [
      "setGridConnSchedule",
      ["setGridConnSchedule"],
      [`${KEY}[0]: got "setGridConnSchedule"; a write, which the proxy never forwards`],
    ],
    [
      "componentJsonApi inside edgeRpc",
      ["edgeRpc/componentJsonApi"],
      [`${KEY}[0]: got "edgeRpc/componentJsonApi"; a write`],
    ],
    [
      "an Edge write inside edgeRpc",
      ["edgeRpc/updateComponentConfig"],
      [`${KEY}[0]: got "edgeRpc/updateComponentConfig"; a write`],
    ],
    [
      "an unknown method",
      ["getEverything"],
      [`${KEY}[0]: got "getEverything"; not a read method of the OpenEMS 2026.1.0 B2B API`],
    ],
    [
      "a duplicate",
      ["getEdgesStatus", "getEdgesStatus"],
      [`${KEY}[1]: got "getEdgesStatus"; expected each method once`],
    ],
  ];
  for (const [what, value, expected] of refused) {
    it(`refuses ${what}, naming the entry and listing the valid methods`, () => {
      const got = problems(value);
      assert.strictEqual(got.length, expected.length, got.join("\n"));
      got.forEach((p, i) => {
        assert.ok(p.startsWith(expected[i]), p);
        if (Array.isArray(value) && value.length > 0)
          assert.ok(
            p.includes(
              "expected one of getEdgesStatus, getEdgesChannelsValues, edgeRpc/getEdgeConfig",
            ) || p.endsWith("once"),
            p,
          );
      });
    });
  }

  it("stops the workloads plan before any resource, naming the stack, key and value", async function () {
    this.timeout(20_000);
    const config = editedConfig("workloads", "dev", (c) => {
      c["platform:workloads"].mbe.allowedMethods = [
        "getEdgesStatus",
        "queryHistoricTimeseriesData",
      ];
    });
    const { message, registered } = await planExpectingError("workloads", "dev", config);
    assert.match(message, /Invalid configuration for workloads\/dev/);
    assert.match(
      message,
      /platform:workloads\.mbe\.allowedMethods\[1\]: got "queryHistoricTimeseriesData"; OpenEMS 2026\.1\.0 serves it only inside edgeRpc/,
    );
    assert.strictEqual(registered.filter((r) => r.custom).length, 0);
  });
});
