import * as assert from "assert";
import { nonEmpty } from "../../tooling/testing/non-empty";
import {
  byType,
  one,
  planExpectingError,
  planOne,
  repositoryConfig,
  repositoryPlan,
  stackOf,
  upstreamOutputs,
} from "../../tooling/testing/harness";
import { checkOutputs, networkContract, stackRefName } from "../contracts";
import { ENVIRONMENTS } from "../repo";

describe("Wiring between stacks", () => {
  for (const env of nonEmpty(ENVIRONMENTS, "ENVIRONMENTS")) {
    it(`gives ${env}'s stacks a provider that assumes the org stack's deploy role in ${env}'s account`, async () => {
      const org = await stackOf("org", "management");
      const envOut = (org.outputs.environments as any)[env];
      assert.match(envOut.accountId, /^\d{12}$/);
      assert.strictEqual(
        envOut.deployRoleArn,
        `arn:aws:iam::${envOut.accountId}:role/platform-deploy`,
      );
      for (const project of ["network", "workloads", "edge"]) {
        const plan = await stackOf(project, env);
        const provider = one(plan, "pulumi:providers:aws");
        const roles = JSON.parse(provider.inputs.assumeRoles);
        assert.strictEqual(roles[0].roleArn, envOut.deployRoleArn);
        assert.strictEqual(roles[0].sessionName, `pulumi-${project}-${env}`);
        assert.deepStrictEqual(JSON.parse(provider.inputs.allowedAccountIds), [envOut.accountId]);
        assert.strictEqual(provider.inputs.region, "us-east-1");
        const tags = JSON.parse(provider.inputs.defaultTags).tags;
        assert.deepStrictEqual(Object.keys(tags).sort(), [
          "cost-center",
          "environment",
          "managed-by",
          "owner",
          "project",
        ]);
        assert.strictEqual(tags.environment, env);
        assert.strictEqual(tags["cost-center"], "energy-ops");
      }
    });
  }

  it("places every environment resource in that environment's account, never the management account", async () => {
    const org = await stackOf("org", "management");
    for (const env of nonEmpty(ENVIRONMENTS, "ENVIRONMENTS")) {
      const accountId = (org.outputs.environments as any)[env].accountId;
      for (const project of ["network", "workloads", "edge"]) {
        for (const r of nonEmpty(
          (await stackOf(project, env)).resources,
          `${project}/${env} resource`,
        )) {
          // S3 bucket ARNs carry no account; the bucket's provider is checked like every other.
          if (typeof r.state.arn === "string" && !r.state.arn.startsWith("arn:aws:s3:::")) {
            assert.strictEqual(
              r.state.arn.split(":")[4],
              accountId,
              `${project}/${env} ${r.type} ${r.name}: ${r.state.arn}`,
            );
          }
        }
      }
    }
  });

  it("carries network's VPC into workloads' resources (org → network → workloads → edge)", async () => {
    const network = await stackOf("network", "dev");
    const workloads = await stackOf("workloads", "dev");
    const sg = byType(network, "aws:ec2/securityGroup:SecurityGroup").find(
      (r) => r.name === "dev-mbe-proxy",
    );
    assert.ok(sg);
    assert.strictEqual(sg.inputs.vpcId, network.outputs.vpcId);
    assert.strictEqual((network.outputs.securityGroupIds as any).mbeProxy, sg.id);
    const refs0 = byType(workloads, "pulumi:pulumi:StackReference")
      .map((r) => r.name)
      .sort();
    assert.deepStrictEqual(refs0, ["organization/network/dev", "organization/org/management"]);
    const edge = await stackOf("edge", "dev");
    const refs = byType(edge, "pulumi:pulumi:StackReference")
      .map((r) => r.name)
      .sort();
    assert.deepStrictEqual(refs, [
      "organization/network/dev",
      "organization/org/management",
      "organization/workloads/dev",
    ]);
  });

  it("builds stack reference names in one place, overridable per environment", async () => {
    assert.strictEqual(stackRefName("acme", "network", "dev"), "acme/network/dev");
    assert.strictEqual(stackRefName("acme", "network", "dev", "other/net/dev"), "other/net/dev");
    const config = repositoryConfig("network", "dev") as any;
    config["platform:environment"].stackRefs = { org: "acme/org/management" };
    const { message } = await planExpectingError("network", "dev", config);
    assert.match(message, /no planned outputs for upstream stack acme\/org\/management/);
  });

  it("fails naming the upstream stack and key when an output is missing", async () => {
    const outputs = await upstreamOutputs();
    const broken = new Map(outputs);
    const { environments: _dropped, ...rest } = outputs.get("organization/org/management") as any;
    broken.set("organization/org/management", rest);
    const { message } = await planExpectingError(
      "network",
      "dev",
      repositoryConfig("network", "dev"),
      broken,
    );
    assert.match(message, /Upstream stack organization\/org\/management/);
    assert.match(message, /output "environments" is missing/);
  });

  it("fails naming the upstream stack and key when an output is malformed", async () => {
    const outputs = await upstreamOutputs();
    const broken = new Map(outputs);
    const org = JSON.parse(JSON.stringify(outputs.get("organization/org/management")));
    org.environments.dev.accountId = "12345";
    broken.set("organization/org/management", org);
    const { message } = await planExpectingError(
      "network",
      "dev",
      repositoryConfig("network", "dev"),
      broken,
    );
    assert.match(message, /output "environments\.dev\.accountId": expected a 12-digit account id/);
  });

  describe("reads each upstream output by name", () => {
    const SIG = "4dabf18193072939515e22adb298388d";
    const ccdBucketInput = async (secretNetworkOutputs: string[]) => {
      const outputs = await upstreamOutputs();
      const plan = await planOne(
        "edge",
        "dev",
        repositoryConfig("edge", "dev"),
        outputs,
        new Map([["organization/network/dev", secretNetworkOutputs]]),
      );
      const ccd = nonEmpty(
        byType(plan, "aws:s3/bucketObjectv2:BucketObjectv2").filter((r) =>
          String(r.name).startsWith("dev-test-pi"),
        ),
        "device ccd object",
      );
      return ccd[0].inputs.bucket;
    };

    it("keeps a non-secret upstream output non-secret when another output is secret", async function () {
      this.timeout(120000);
      const bucket = await ccdBucketInput(["flowLogGroup"]);
      assert.strictEqual(typeof bucket, "string", JSON.stringify(bucket));
    });

    it("keeps a secret upstream output secret", async function () {
      this.timeout(120000);
      const bucket = await ccdBucketInput(["vpn"]);
      assert.strictEqual(bucket?.[SIG] !== undefined, true, JSON.stringify(bucket));
    });

    const brokenNetwork = async (edit: (network: Record<string, any>) => void) => {
      const outputs = await upstreamOutputs();
      const network = JSON.parse(JSON.stringify(outputs.get("organization/network/dev")));
      edit(network);
      const broken = new Map(outputs).set("organization/network/dev", network);
      return (await planExpectingError("edge", "dev", repositoryConfig("edge", "dev"), broken))
        .message;
    };

    it("names the upstream stack and key when an output is missing", async function () {
      this.timeout(120000);
      const message = await brokenNetwork((n) => delete n.flowLogGroup);
      assert.match(message, /organization\/network\/dev[\s\S]*output "flowLogGroup" is missing/);
    });

    it("names the upstream stack and key when an output is invalid", async function () {
      this.timeout(120000);
      const message = await brokenNetwork((n) => (n.vpn.clientCidr = "10.0.0.0"));
      assert.match(
        message,
        /organization\/network\/dev[\s\S]*output "vpn\.clientCidr": expected an IPv4 CIDR block/,
      );
    });
  });

  it("checks consumers' view of network outputs against the contract", () => {
    assert.throws(
      () =>
        checkOutputs(networkContract, "organization/network/dev", {
          vpcId: "vpc-1",
          vpcCidr: "10.0.0.0/16",
          publicSubnetIds: [],
          privateSubnetIds: ["s"],
          availabilityZones: ["a"],
        }),
      /organization\/network\/dev[\s\S]*output "publicSubnetIds"/,
    );
  });

  it("exports what each contract promises from every planned stack", async () => {
    const { orgContract, workloadsContract, edgeContract } = await import("../contracts");
    const contracts: Record<string, any> = {
      org: orgContract,
      network: networkContract,
      workloads: workloadsContract,
      edge: edgeContract,
    };
    for (const plan of nonEmpty(await repositoryPlan(), "await repositoryPlan()"))
      checkOutputs(contracts[plan.project], plan.stackName, plan.outputs);
  });

  it("never lets a resource fall back to ambient credentials", async () => {
    for (const plan of nonEmpty(await repositoryPlan(), "stack plan")) {
      for (const r of nonEmpty(
        plan.resources.filter((x) => x.custom && x.type.startsWith("aws:")),
        `AWS resource in ${plan.stackName}`,
      )) {
        assert.ok(
          r.provider,
          `${plan.project}/${plan.stack} ${r.type} ${r.name} has no explicit provider`,
        );
      }
    }
  });
});
