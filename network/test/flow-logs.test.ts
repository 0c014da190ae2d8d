/**
 * The flow-log delivery role's trust and permissions, statement by statement, as each environment's
 * network stack would deploy them.
 */
import { nonEmpty } from "../../tooling/testing/non-empty";
import * as assert from "assert";
import { ENVIRONMENTS } from "../../lib/repo";
import { byType, one, stackOf } from "../../tooling/testing/harness";

describe("network: flow-log delivery role", () => {
  before(async function () {
    // The first plan of the repository takes a while on a busy machine.
    this.timeout(60_000);
    await stackOf("network", "dev");
  });

  it("plans every environment", () => {
    assert.deepStrictEqual([...ENVIRONMENTS].sort(), ["dev", "prod", "stage"]);
  });

  for (const env of nonEmpty(ENVIRONMENTS, "ENVIRONMENTS")) {
    it(`${env}: only VPC Flow Logs of this account's flow logs may assume it (confused deputy)`, async () => {
      const plan = await stackOf("network", env);
      const flow = one(plan, "aws:ec2/flowLog:FlowLog");
      const role = byType(plan, "aws:iam/role:Role").find(
        (r) => r.state.arn === flow.inputs.iamRoleArn,
      );
      assert.ok(role, "the flow log's role is planned");
      // The account this stack deploys into, as the org stack created it.
      const account = ((await stackOf("org", "management")).outputs.environments as any)[env]
        .accountId;
      assert.match(account, /^\d{12}$/);
      // Every environment file puts the network in us-east-1 (Pulumi.<env>.yaml).
      // AWS's trust policy for flow logs, with aws:SourceAccount and aws:SourceArn:
      // https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
      assert.deepStrictEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement, [
        {
          Effect: "Allow",
          Principal: { Service: "vpc-flow-logs.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: {
            StringEquals: { "aws:SourceAccount": account },
            ArnLike: { "aws:SourceArn": `arn:aws:ec2:us-east-1:${account}:vpc-flow-log/*` },
          },
        },
      ]);
    });

    it(`${env}: may write only to its own log group`, async () => {
      const plan = await stackOf("network", env);
      const flow = one(plan, "aws:ec2/flowLog:FlowLog");
      const role = byType(plan, "aws:iam/role:Role").find(
        (r) => r.state.arn === flow.inputs.iamRoleArn,
      )!;
      const group = one(plan, "aws:cloudwatch/logGroup:LogGroup").state.arn;
      const policies = byType(plan, "aws:iam/rolePolicy:RolePolicy").filter(
        (p) => p.inputs.role === role.state.name,
      );
      assert.strictEqual(policies.length, 1);
      const managed = byType(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter(
        (p) => p.inputs.role === role.state.name,
      );
      assert.deepStrictEqual(managed, [], "no managed policies");
      assert.deepStrictEqual(JSON.parse(policies[0].inputs.policy).Statement, [
        {
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          Resource: [group, `${group}:log-stream:*`],
        },
      ]);
    });
  }
});
