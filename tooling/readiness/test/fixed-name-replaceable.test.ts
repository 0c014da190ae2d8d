import * as assert from "assert";
import { fixedNameReplaceable as rule } from "../rules/fixed-name-replaceable";
import { resource, stack } from "./fixtures";

const SG = "aws:ec2/securityGroup:SecurityGroup";

describe("readiness rule fixed-name-replaceable", () => {
  const cases = [
    {
      name: "fails a security group with a fixed name",
      r: resource(SG, "a", { name: "web" }),
      fails: 1,
    },
    {
      name: "passes an auto-named security group",
      r: resource(SG, "b", { namePrefix: "web-" }),
      fails: 0,
    },
    {
      name: "passes a fixed name replaced delete-first",
      r: resource(SG, "c", { name: "web" }, { deleteBeforeReplace: true }),
      fails: 0,
    },
    {
      name: "ignores types without a fixed-name rule",
      r: resource("aws:sns/topic:Topic", "d", { name: "t" }),
      fails: 0,
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const findings = rule.check([stack([c.r])]);
      assert.strictEqual(findings.length, c.fails);
      for (const f of findings) {
        assert.strictEqual(f.urn, c.r.urn);
        assert.match(f.message, /InvalidGroup|duplicate/);
        assert.match(f.fix, /namePrefix/);
      }
    });
});
