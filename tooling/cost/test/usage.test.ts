import { nonEmpty } from "../../testing/non-empty";
import * as assert from "assert";
import { parse } from "yaml";
import { ConfigError } from "../../../lib/config/errors";
import { usageFromConfig } from "../usage";

describe("Usage assumptions (platform:cost)", () => {
  it("uses every documented default when the environment file has no section", async () => {
    const u = usageFromConfig(
      { "platform:environment": { region: "us-east-1" } },
      "Pulumi.dev.yaml",
    );
    // Every default of the table in tooling/cost/README.md ("Usage assumptions").
    assert.deepStrictEqual(u, {
      warnShare: 0.8,
      logs: { ingestGbPerGroup: 0.5, flowLogGbPerMonth: 1, neverExpireMonths: 12 },
      ebs: { rootVolumeGb: 8, snapshotUsedShare: 0.5, snapshotDailyChangeShare: 0.03 },
      network: { natGbPerGateway: 20, endpointGbPerEndpoint: 1, lcuPerLoadBalancer: 1 },
      lambda: { requestsPerFunction: 100_000, averageDurationMs: 300 },
      s3: { gbPerBucket: 1, putRequestsPerBucket: 10_000, getRequestsPerBucket: 100_000 },
      kms: { requestsPerKey: 10_000 },
      secrets: { apiCallsPerSecret: 10_000 },
      cloudwatch: { hostMetrics: 5, metricsPerEdgeDevice: 0 },
      notifications: { publishesPerTopic: 1000, emailsPerSubscription: 100 },
      dns: { queriesPerZone: 1_000_000 },
      audit: { managementEventsPerTrail: 500_000 },
    });
    assert.strictEqual(u.warnShare, 0.8);
    assert.strictEqual(u.logs.ingestGbPerGroup, 0.5);
    assert.strictEqual(u.ebs.rootVolumeGb, 8);
    assert.strictEqual(u.ebs.snapshotUsedShare, 0.5);
    assert.strictEqual(u.lambda.requestsPerFunction, 100_000);
    assert.strictEqual(u.network.natGbPerGateway, 20);
  });

  it("keeps the defaults of every key a partial section leaves out", async () => {
    const config = parse(`
config:
  platform:cost:
    warnShare: 0.7
    logs:
      ingestGbPerGroup: 2
`).config;
    const u = usageFromConfig(config, "Pulumi.prod.yaml");
    assert.strictEqual(u.warnShare, 0.7);
    assert.strictEqual(u.logs.ingestGbPerGroup, 2);
    assert.strictEqual(u.logs.flowLogGbPerMonth, 1);
    assert.deepStrictEqual(u.s3, {
      gbPerBucket: 1,
      putRequestsPerBucket: 10_000,
      getRequestsPerBucket: 100_000,
    });
  });

  const BAD: [string, unknown, string[]][] = [
    [
      "a warning share above 100 %",
      { warnShare: 1.5 },
      ["platform:cost.warnShare", "1.5", "at most 1"],
    ],
    [
      "a negative log volume",
      { logs: { ingestGbPerGroup: -1 } },
      ["platform:cost.logs.ingestGbPerGroup", "-1", "GB of 0 or more"],
    ],
    [
      "a share outside 0..1",
      { ebs: { snapshotUsedShare: 2 } },
      ["platform:cost.ebs.snapshotUsedShare", "2", "share from 0 to 1"],
    ],
    [
      "a misspelt key",
      { logs: { ingestGbPerGrp: 1 } },
      ["platform:cost.logs", 'unknown key "ingestGbPerGrp"', "ingestGbPerGroup"],
    ],
    [
      "a string where a number belongs",
      { lambda: { requestsPerFunction: "lots" } },
      ["platform:cost.lambda.requestsPerFunction", '"lots"'],
    ],
  ];
  for (const [what, section, fragments] of BAD) {
    it(`refuses ${what}, naming the key, the value and what is allowed`, async () => {
      assert.throws(
        () => usageFromConfig({ "platform:cost": section }, "Pulumi.dev.yaml"),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          assert.match(err.message, /Invalid configuration for Pulumi\.dev\.yaml/);
          for (const f of nonEmpty(fragments, "fragments"))
            assert.ok(err.message.includes(f), `"${f}" missing from:\n${err.message}`);
          return true;
        },
      );
    });
  }
});
