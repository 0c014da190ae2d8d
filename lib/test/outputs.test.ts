import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { combine } from "../outputs";

/** An Output as a resource's property is: known or not, secret or not, depending on `deps`. */
function outputOf<T>(value: T, opts: { known?: boolean; secret?: boolean; deps?: object[] } = {}) {
  const OutputImpl = pulumi.Output as unknown as new (...args: unknown[]) => pulumi.Output<T>;
  const deps = new Set(opts.deps ?? []);
  return new OutputImpl(
    deps,
    Promise.resolve(value),
    Promise.resolve(opts.known ?? true),
    Promise.resolve(opts.secret ?? false),
    Promise.resolve(deps),
  );
}
const value = (o: pulumi.Output<unknown>) => (o as any).promise(true) as Promise<unknown>;
const known = (o: pulumi.Output<unknown>) => (o as any).isKnown as Promise<boolean>;
const resources = async (o: pulumi.Output<unknown>) =>
  [...((await (o as any).allResources()) as Set<object>)].sort((a: any, b: any) =>
    String(a.name).localeCompare(String(b.name)),
  );

describe("combine: pulumi.all(...).apply(f) without copying its Outputs", () => {
  const a = { name: "a" };
  const b = { name: "b" };

  it("gives f the values in order, plain inputs included", async () => {
    const o = combine([outputOf("x"), 2, outputOf(true)], (s, n, t) => `${s}-${n}-${t}`);
    assert.strictEqual(await value(o), "x-2-true");
  });

  it("is secret when any input is, as pulumi.all is", async () => {
    for (const secretAt of [0, 1, 2]) {
      const inputs = [0, 1, 2].map((i) => outputOf(i, { secret: i === secretAt }));
      const ours = combine(inputs, (...v) => v.join());
      const theirs = pulumi.all(inputs).apply((v) => v.join());
      assert.strictEqual(await pulumi.isSecret(ours), true, `secret input ${secretAt}`);
      assert.strictEqual(await pulumi.isSecret(theirs), true);
    }
    assert.strictEqual(
      await pulumi.isSecret(combine([outputOf(1), outputOf(2)], (x, y) => x + y)),
      false,
    );
  });

  it("depends on every input's resources", async () => {
    const o = combine([outputOf(1, { deps: [a] }), outputOf(2, { deps: [b] })], (x, y) => x + y);
    assert.deepStrictEqual(await resources(o), [a, b]);
  });

  it("is unknown, and f not called, when an input is unknown (a preview)", async () => {
    let called = false;
    const o = combine([outputOf(1), outputOf(undefined, { known: false })], () => {
      called = true;
      return "never";
    });
    assert.strictEqual(await known(o), false);
    assert.strictEqual(called, false);
  });

  it("builds one Output where pulumi.all of four Outputs builds nine before its apply", () => {
    const original = (pulumi.Output as any).prototype.apply;
    let applies = 0;
    (pulumi.Output as any).prototype.apply = function (...args: unknown[]) {
      applies++;
      return original.apply(this, args);
    };
    try {
      const four = () => [outputOf(1), outputOf(2), outputOf(3), outputOf(4)];
      applies = 0;
      combine(four(), (...v) => v.length);
      const ours = applies;
      applies = 0;
      pulumi.all(four()).apply((v) => v.length);
      assert.strictEqual(ours, 1);
      assert.strictEqual(applies, 5, "four copies and the apply");
    } finally {
      (pulumi.Output as any).prototype.apply = original;
    }
  });
});
