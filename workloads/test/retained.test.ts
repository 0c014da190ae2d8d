import * as assert from "assert";
import { StackPlan } from "../../tooling/plan/run";
import {
  byType,
  editedConfig,
  planExpectingError,
  planOne,
  upstreamOutputs,
} from "../../tooling/testing/harness";

const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const SECRET = "aws:secretsmanager/secret:Secret";
const HOST_SECRET_ARN =
  "arn:aws:secretsmanager:us-east-1:222222222222:secret:openems/dev/backend-host-AbC123";

const adopting = (adopt: unknown) =>
  editedConfig("workloads", "dev", (c) => (c["platform:adopt"] = adopt));
const imports = (plan: StackPlan) =>
  [...byType(plan, LOG_GROUP), ...byType(plan, SECRET)]
    .map((r) => [r.inputs.name, r.import, r.retainOnDelete])
    .sort();

describe("retained fixed-name resources: platform:adopt imports them", function () {
  this.timeout(60_000);

  it("imports the listed log groups by name and secrets by ARN, and keeps them all on delete", async () => {
    const plan = await planOne(
      "workloads",
      "dev",
      adopting({
        logGroups: ["/openems/dev/backend"],
        secrets: { "openems/dev/backend-host": HOST_SECRET_ARN },
      }),
      await upstreamOutputs(),
    );
    assert.deepStrictEqual(imports(plan), [
      ["/aws/lambda/openems-dev-mbe-proxy", null, true],
      ["/openems/dev/backend", "/openems/dev/backend", true],
      ["openems/dev/backend-host", HOST_SECRET_ARN, true],
      ["openems/dev/mbe-proxy-b2b", null, true],
    ]);
  });

  it("imports nothing without platform:adopt", async () => {
    const plan = await planOne("workloads", "dev", adopting(undefined), await upstreamOutputs());
    assert.deepStrictEqual(
      imports(plan).map((r) => r[1]),
      [null, null, null, null],
    );
  });

  it("imports the flow log group of the network stack", async () => {
    const plan = await planOne(
      "network",
      "dev",
      editedConfig(
        "network",
        "dev",
        (c) => (c["platform:adopt"] = { logGroups: ["/openems/dev-flow-logs"] }),
      ),
      await upstreamOutputs(),
    );
    assert.deepStrictEqual(
      byType(plan, LOG_GROUP).map((r) => [r.inputs.name, r.import]),
      [["/openems/dev-flow-logs", "/openems/dev-flow-logs"]],
    );
  });

  const bad = [
    {
      adopt: { logGroups: ["/openems/prod/backend"] },
      error:
        /platform:adopt\.logGroups\[0\]: got "\/openems\/prod\/backend"; expected a log group the stack keeps: \/openems\/dev-flow-logs/,
    },
    {
      adopt: { secrets: { "openems/dev/other": HOST_SECRET_ARN } },
      error:
        /platform:adopt\.secrets\.openems\/dev\/other: unknown secret; expected one the stack keeps: openems\/dev\/backend-host/,
    },
    {
      adopt: { secrets: { "openems/dev/mbe-proxy-b2b": HOST_SECRET_ARN } },
      error:
        /platform:adopt\.secrets\.openems\/dev\/mbe-proxy-b2b: got "arn:.*"; expected the secret's ARN, arn:aws:secretsmanager:<region>:<account>:secret:openems\/dev\/mbe-proxy-b2b-XXXXXX/,
    },
    {
      adopt: {
        secrets: { "openems/dev/backend-host": HOST_SECRET_ARN.replace("us-east-1", "us-west-2") },
      },
      error: /expected a secret in us-east-1 \(platform:environment\.region\)/,
    },
    { adopt: { buckets: [] }, error: /platform:adopt/ },
  ];
  for (const b of bad)
    it(`refuses ${JSON.stringify(b.adopt)} before creating anything`, async () => {
      const err = await planExpectingError("workloads", "dev", adopting(b.adopt));
      assert.match(err.message, /Pulumi\.dev\.yaml/);
      assert.match(err.message, b.error);
      assert.deepStrictEqual(
        err.registered.filter((r) => r.type.startsWith("aws:")).map((r) => r.type),
        [],
      );
    });
});
