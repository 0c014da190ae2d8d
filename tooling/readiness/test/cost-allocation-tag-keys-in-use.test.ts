import * as assert from "assert";
import { costAllocationTagKeysInUse as rule } from "../rules/cost-allocation-tag-keys-in-use";
import { provider, resource, stack } from "./fixtures";

const ACTIVATION = "aws:costexplorer/costAllocationTag:CostAllocationTag";
const activate = (tagKey: string, status = "Active") =>
  resource(ACTIVATION, `tag-${tagKey}`, { tagKey, status });

describe("readiness rule cost-allocation-tag-keys-in-use", () => {
  it("fails activating a key no planned resource carries", () => {
    const plan = stack([
      provider({ project: "openems" }),
      resource("aws:sns/topic:Topic", "t", { tags: { team: "a" } }),
      activate("project"),
      activate("team"),
      activate("cost-center"),
    ]);
    assert.deepStrictEqual(
      rule.check([plan]).map((f) => f.urn.split("::").pop()),
      ["tag-cost-center"],
    );
  });

  it("passes keys carried through provider default tags or a resource's own, and inactive ones", () => {
    const plan = stack([
      provider({ project: "openems" }),
      resource("aws:sns/topic:Topic", "t", { tags: { team: "a" } }),
      activate("project"),
      activate("team"),
      activate("unused", "Inactive"),
    ]);
    assert.deepStrictEqual(rule.check([plan]), []);
  });

  it("does not count a provider's default tags when no resource uses the provider", () => {
    const findings = rule.check([stack([provider({ project: "openems" }), activate("project")])]);
    assert.strictEqual(findings.length, 1);
    assert.match(findings[0].message, /no planned resource carries/);
  });
});
