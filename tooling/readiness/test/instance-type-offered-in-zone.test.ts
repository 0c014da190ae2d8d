import * as assert from "assert";
import { instanceTypeOfferedInZone } from "../rules/instance-type-offered-in-zone";
import { provider, resource, stack } from "./fixtures";

const INSTANCE = "aws:ec2/instance:Instance";
/** A region where the zone named us-east-1b (use1-az3) lacks t4g. */
const ZONES = {
  "us-east-1": {
    zones: [
      { name: "us-east-1a", zoneId: "use1-az1" },
      { name: "us-east-1b", zoneId: "use1-az3" },
    ],
    families: { t3: ["use1-az1", "use1-az3"], t4g: ["use1-az1"] },
  },
};
const rule = instanceTypeOfferedInZone(ZONES);
const instance = (name: string, instanceType: string, availabilityZone: string) =>
  resource(INSTANCE, name, { instanceType }, { state: { instanceType, availabilityZone } });

describe("readiness rule instance-type-offered-in-zone", () => {
  it("fails an instance in a zone that does not offer its type, naming the zones that do", () => {
    const findings = rule.check([stack([provider(), instance("vpn", "t4g.nano", "us-east-1b")])]);
    assert.deepStrictEqual(
      findings.map((f) => f.urn.split("::").pop()),
      ["vpn"],
    );
    assert.match(findings[0].message, /t4g\.nano is not offered in us-east-1b \(use1-az3\)/);
    assert.match(findings[0].fix, /offering t4g\.nano: use1-az1$/);
  });

  it("passes instances whose zone offers their type", () => {
    const plan = stack([
      provider(),
      instance("vpn", "t4g.nano", "us-east-1a"),
      instance("host", "t3.medium", "us-east-1b"),
    ]);
    assert.deepStrictEqual(rule.check([plan]), []);
  });

  it("fails a zone the facts do not know rather than passing it", () => {
    const findings = rule.check([stack([provider(), instance("x", "t3.medium", "us-east-1z")])]);
    assert.strictEqual(findings.length, 1);
    assert.match(findings[0].fix, /zone-offerings\.json/);
  });
});
