import * as assert from "assert";
import { alarmBreachingOnDeploy as rule } from "../rules/alarm-breaching-on-deploy";
import { resource, stack } from "./fixtures";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

describe("readiness rule alarm-breaching-on-deploy", () => {
  it("fails an alarm that treats missing data as breaching", () => {
    const findings = rule.check([stack([resource(ALARM, "a", { treatMissingData: "breaching" })])]);
    assert.deepStrictEqual(
      findings.map((f) => f.urn.split("::").pop()),
      ["a"],
    );
    assert.match(findings[0].fix, /insufficientDataActions/);
  });

  it("passes alarms that treat missing data as missing, not breaching, or leave the default", () => {
    const alarms = [
      resource(ALARM, "m", { treatMissingData: "missing" }),
      resource(ALARM, "n", { treatMissingData: "notBreaching" }),
      resource(ALARM, "d", {}),
    ];
    assert.deepStrictEqual(rule.check([stack(alarms)]), []);
  });
});
