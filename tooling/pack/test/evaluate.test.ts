import * as assert from "assert";
import * as aws from "@pulumi/aws";
import {
  ResourceValidationPolicy,
  StackValidationPolicy,
  validateResourceOfType,
} from "@pulumi/policy";
import {
  countViolations,
  evaluateAll,
  evaluateStack,
  renderViolations,
  resourceValidationArgs,
  stackValidationArgs,
  unwrapSecrets,
} from "../evaluate";
import { awsProvider, planned, PROVIDER_URN, stackPlan } from "../../testing/planned";

const component = planned("platform:network:VpnServer", "dev-vpn", {}, { provider: null });
const bucket = planned(
  "aws:s3/bucket:Bucket",
  "dev-ccd",
  { tags: { "data-class": "config" } },
  {
    protect: true,
    retainOnDelete: true,
    parent: component.urn,
    state: { bucket: "dev-ccd-1", tags: { "data-class": "config" } },
  },
);

const everyResource: ResourceValidationPolicy = {
  name: "sees-every-resource",
  description: "Checks that the test can see what a resource validation receives.",
  enforcementLevel: "advisory",
  configSchema: { properties: { threshold: { type: "integer", default: 3 } } },
  validateResource: (args, report) => report(`${args.type} ${args.name}`),
};

describe("evaluatePolicies", () => {
  it("builds the resource args @pulumi/policy passes: inputs, options, provider, stackTags, config, notApplicable", async () => {
    const plan = stackPlan([component, bucket]);
    const args = resourceValidationArgs(
      bucket,
      plan.resources,
      { threshold: 5 },
      new Map([["team", "platform"]]),
    );
    assert.deepStrictEqual(args.props, bucket.inputs);
    assert.strictEqual(args.urn, bucket.urn);
    assert.deepStrictEqual(args.opts, {
      protect: true,
      retainOnDelete: true,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
      parent: component.urn,
    });
    assert.strictEqual(args.provider?.urn, PROVIDER_URN);
    assert.strictEqual(args.provider?.type, "pulumi:providers:aws");
    assert.strictEqual(
      typeof args.provider?.props.defaultTags,
      "string",
      "provider inputs stay JSON-encoded, as in state",
    );
    assert.strictEqual(args.stackTags.get("team"), "platform");
    assert.deepStrictEqual(args.getConfig(), { threshold: 5 });
    assert.ok(args.isType(aws.s3.Bucket));
    assert.ok(!args.isType(aws.s3.BucketV2));
    assert.strictEqual(args.asType(aws.s3.Bucket), args.props);
    assert.throws(() => args.notApplicable("because"), /because/);
  });

  it("builds the stack args: outputs as props, parents linked, no invented dependencies", async () => {
    const args = stackValidationArgs(stackPlan([component, bucket]).resources);
    const r = args.resources.find((x) => x.name === "dev-ccd")!;
    assert.deepStrictEqual(r.props, bucket.state);
    assert.strictEqual(r.parent?.urn, component.urn);
    assert.deepStrictEqual(r.dependencies, []);
    assert.deepStrictEqual(r.propertyDependencies, {});
    assert.ok(typeof args.notApplicable === "function" && args.stackTags.size === 0);
  });

  it("skips resources a typed validation does not apply to, and counts those it examined", async () => {
    const onlyBuckets: ResourceValidationPolicy = {
      name: "only-buckets",
      description: "Checks that typed validations skip other types.",
      validateResource: validateResourceOfType(aws.s3.Bucket, (_b, _args, report) =>
        report("seen"),
      ),
    };
    const instance = planned("aws:ec2/instance:Instance", "dev-vm", {});
    const result = evaluateStack(stackPlan([bucket, instance]), { policies: [onlyBuckets] });
    assert.deepStrictEqual(
      result.violations.map((v) => v.urn),
      [bucket.urn],
    );
    assert.strictEqual(result.checked.get("only-buckets"), 1);
  });

  it("applies schema defaults, config overrides and enforcement levels as the engine does", async () => {
    const plan = stackPlan([bucket], { provider: null });
    const seen: unknown[] = [];
    const recording: ResourceValidationPolicy = {
      ...everyResource,
      validateResource: (args, report) => (seen.push(args.getConfig()), report("x")),
    };
    const level = (config?: object) =>
      evaluateStack(plan, { policies: [recording], config: config as never }).violations.map(
        (v) => v.enforcementLevel,
      );
    assert.deepStrictEqual(level(), ["advisory"]);
    assert.deepStrictEqual(seen.pop(), { threshold: 3 });
    assert.deepStrictEqual(level({ "sees-every-resource": "mandatory" }), ["mandatory"]);
    assert.deepStrictEqual(
      level({ "sees-every-resource": { enforcementLevel: "remediate", threshold: 9 } }),
      ["mandatory"],
    );
    assert.deepStrictEqual(seen.pop(), { threshold: 9 });
    assert.deepStrictEqual(level({ "sees-every-resource": "disabled" }), []);
  });

  it("blames the validated resource whatever URN a resource policy passes, and the given URN for stack policies", async () => {
    const liar: ResourceValidationPolicy = {
      ...everyResource,
      validateResource: (_args, report) => report("x", "urn:elsewhere"),
    };
    const stackWide: StackValidationPolicy = {
      name: "stack-wide",
      description: "Checks that stack violations keep their URN.",
      validateStack: (_args, report) => (report("whole stack"), report("one", bucket.urn)),
    };
    const found = evaluateStack(stackPlan([bucket], { provider: null }), {
      policies: [liar, stackWide],
    }).violations;
    assert.deepStrictEqual(
      found.map((v) => v.urn),
      [bucket.urn, undefined, bucket.urn],
    );
  });

  it("refuses an asynchronous policy instead of dropping its result", async () => {
    const slow: ResourceValidationPolicy = {
      ...everyResource,
      validateResource: async () => undefined,
    };
    assert.throws(
      () => evaluateStack(stackPlan([bucket], { provider: null }), { policies: [slow] }),
      /returned a promise/,
    );
  });

  it("hands policies plaintext where the plan recorded secret markers", async () => {
    const secret = {
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      value: "pem",
    };
    assert.deepStrictEqual(unwrapSecrets({ a: [secret], b: { c: secret } }), {
      a: ["pem"],
      b: { c: "pem" },
    });
  });
});

describe("evaluateAll and renderViolations", () => {
  it("groups violations by stack, counts them by level and prints one block each", async () => {
    const clean = { ...stackPlan([], { provider: awsProvider() }), project: "edge" };
    const dirty = { ...stackPlan([bucket], { provider: null }), project: "network" };
    const results = evaluateAll([clean, dirty], { policies: [everyResource] });
    assert.deepStrictEqual(
      results.map((r) => [r.project, r.violations.length]),
      [
        ["edge", 1],
        ["network", 1],
      ],
    );
    assert.deepStrictEqual(countViolations(results), { total: 2, mandatory: 0, advisory: 2 });
    const text = renderViolations(results);
    assert.match(
      text,
      /network\/dev: 1 policy violation\(s\)\n {2}\[advisory\] sees-every-resource {2}aws:s3\/bucket:Bucket dev-ccd\n {6}aws:s3\/bucket:Bucket dev-ccd/,
    );
    assert.match(text, /2 violation\(s\) \(0 mandatory, 2 advisory\) in 2 of 2 stacks\.$/);
    assert.match(
      renderViolations(evaluateAll([clean], { policies: [] })),
      /no violations in 1 stacks\.$/,
    );
  });
});
