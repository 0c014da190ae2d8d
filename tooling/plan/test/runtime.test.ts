import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { lazyTransferProperties, planTimeRuntime, runtimeModules } from "../runtime";
import { planStack } from "../run";
import { fleetSites } from "../../testing/fleet";
import { editedConfig, upstreamOutputs } from "../../testing/harness";

const modules = () => {
  const m = runtimeModules();
  assert.ok(
    m,
    "@pulumi/pulumi exposes debuggablePromise and transferProperties as the plan expects",
  );
  return m;
};

const value = (o: unknown) =>
  new Promise((resolve) => (o as pulumi.Output<unknown>).apply((v) => resolve(v)));

describe("Plan-time runtime", () => {
  it("plans a fleet to the same resources, in the same order, as the stock Pulumi runtime", async function () {
    this.timeout(60000);
    const config = editedConfig("edge", "prod", (c) => (c["platform:edge"].sites = fleetSites(20)));
    const stackOutputs = await upstreamOutputs();
    const plan = (stockRuntime: boolean) =>
      planStack({
        project: "edge",
        stack: "prod",
        stackName: "organization/edge/prod",
        config,
        stackOutputs,
        stockRuntime,
      });
    const stock = await plan(true);
    const lean = await plan(false);
    assert.ok(stock.resources.length >= 8 * 20, `${stock.resources.length} resources planned`);
    assert.deepStrictEqual(
      lean.resources.map((r) => r.urn),
      stock.resources.map((r) => r.urn),
    );
    assert.strictEqual(JSON.stringify(lean), JSON.stringify(stock));
  });

  it("restores the runtime's own functions and stack traces after planning", () => {
    const m = modules();
    const before = [
      m.debuggable.debuggablePromise,
      m.rpc.transferProperties,
      Error.stackTraceLimit,
    ];
    const restore = planTimeRuntime();
    assert.notStrictEqual(m.rpc.transferProperties, before[1]);
    assert.strictEqual(Error.stackTraceLimit, 0);
    restore();
    assert.deepStrictEqual(
      [m.debuggable.debuggablePromise, m.rpc.transferProperties, Error.stackTraceLimit],
      before,
    );
  });
});

describe("lazyTransferProperties", () => {
  const transfer = () => lazyTransferProperties(modules());

  it("gives every property but id and urn an Output, read before or after it settles", async () => {
    const onto: any = {};
    const resolvers = transfer()(onto, "resource:r[t]", {
      id: 1,
      urn: 2,
      early: 3,
      late: 4,
      none: 5,
    });
    assert.deepStrictEqual(Object.keys(resolvers), ["early", "late", "none"]);
    assert.deepStrictEqual(Object.keys(onto), ["early", "late", "none"]);
    const early = onto.early;
    assert.ok(pulumi.Output.isInstance(early));
    resolvers.early("e", true, false, []);
    resolvers.late("l", true, true, []);
    assert.strictEqual(await value(early), "e");
    assert.strictEqual(onto.early, early, "the same Output on every read");
    assert.strictEqual(await value(onto.late), "l");
    assert.strictEqual(await pulumi.isSecret(onto.late), true);
  });

  it("rejects every property of a failed registration, read or not", async () => {
    const onto: any = {};
    const resolvers = transfer()(onto, "resource:r[t]", { a: 1, b: 2 });
    const a = onto.a as pulumi.Output<unknown>;
    const failure = new Error("registration failed");
    const seen: unknown[] = [];
    const onRejection = (reason: unknown) => seen.push(reason);
    process.on("unhandledRejection", onRejection);
    try {
      resolvers.a(undefined, true, false, [], failure);
      resolvers.b(undefined, true, false, [], failure);
      await assert.rejects((a as any).promise(), /registration failed/);
      await assert.rejects((onto.b as any).promise(), /registration failed/);
    } finally {
      await new Promise((resolve) => setImmediate(resolve));
      process.off("unhandledRejection", onRejection);
    }
  });

  it("refuses a property the target already has, as the runtime does", () => {
    assert.throws(
      () => transfer()({ taken: 1 }, "resource:r[t]", { taken: undefined }),
      /Property 'taken' is already initialized on target 'resource:r\[t\]/,
    );
  });

  it("lets a subclass assign a property in place of its Output", () => {
    const onto: any = {};
    transfer()(onto, "resource:r[t]", { p: 1 });
    onto.p = "plain";
    assert.strictEqual(onto.p, "plain");
  });
});
