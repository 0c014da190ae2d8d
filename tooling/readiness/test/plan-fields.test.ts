import * as assert from "assert";
import * as path from "path";
import { planStack } from "../../plan/run";
import { planDocument } from "../../plan/render";

const urn = (type: string, name: string, parent = "") =>
  `urn:pulumi:fixture::fixture::${parent}${type}::${name}`;

describe("plan JSON", () => {
  it("records each resource's provider, dependencies and deploy-behaviour options", async () => {
    const plan = await planStack({
      project: "fixture",
      stack: "fixture",
      stackName: "organization/fixture/fixture",
      config: {},
      programDir: path.join(__dirname, "program"),
    });
    const doc = planDocument([plan]);
    const byName = new Map(doc.stacks[0].resources.map((r) => [r.name, r]));
    const provider = urn("pulumi:providers:aws", "fixture");
    const first = byName.get("first")!;
    assert.strictEqual(first.provider, provider);
    assert.deepStrictEqual(first.dependencies, []);
    assert.strictEqual(first.deleteBeforeReplace, false);
    assert.strictEqual(first.import, null);

    // The component's own dependsOn does not reach its child (pulumi/pulumi#8721).
    const inner = byName.get("box-inner")!;
    assert.deepStrictEqual(inner.dependencies, []);
    assert.strictEqual(inner.parent, urn("platform:test:Box", "box"));

    const second = byName.get("second")!;
    assert.deepStrictEqual(second.dependencies, [
      urn("aws:sns/topic:Topic", "first"),
      urn("aws:sns/topic:Topic", "box-inner", "platform:test:Box$"),
    ]);
    assert.strictEqual(second.deleteBeforeReplace, true);
    assert.deepStrictEqual(second.replaceOnChanges, ["arn"]);
    assert.deepStrictEqual(second.ignoreChanges, ["policy"]);
    assert.strictEqual(second.import, "arn:aws:sns:eu-central-1:111111111111:first");
  });
});
