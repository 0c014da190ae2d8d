import * as assert from "assert";
import { waitsForPermissions as rule } from "../rules/waits-for-permissions";
import { resource, stack } from "./fixtures";

const role = resource("aws:iam/role:Role", "host", {}, { id: "host-role" });
role.state = { arn: "arn:aws:iam::111111111111:role/host-role" };
const policy = resource("aws:iam/rolePolicy:RolePolicy", "host", { role: "host-role" });
const attachment = resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "host-ssm", {
  role: "host-role",
});
const profileOf = (dependencies: string[]) =>
  resource(
    "aws:iam/instanceProfile:InstanceProfile",
    "host",
    { role: "host-role" },
    {
      id: "host-profile",
      dependencies,
      state: { name: "host-profile" },
    },
  );
const PROFILE = profileOf([]).urn;
const instance = (dependencies: string[]) =>
  resource(
    "aws:ec2/instance:Instance",
    "host",
    { iamInstanceProfile: "host-profile" },
    { dependencies },
  );
const topic = "arn:aws:sns:us-east-1:111111111111:alerts";
const topicPolicy = resource("aws:sns/topicPolicy:TopicPolicy", "alerts", { arn: topic });
const budget = (dependencies: string[]) =>
  resource(
    "aws:budgets/budget:Budget",
    "b",
    { notifications: [{ subscriberSnsTopicArns: [topic] }] },
    { dependencies },
  );

describe("readiness rule waits-for-permissions", () => {
  const cases = [
    {
      name: "fails an instance whose profile does not wait for the role's policies",
      resources: [role, policy, attachment, profileOf([role.urn]), instance([PROFILE])],
      fails: [
        [
          "host",
          /RolePolicy host, RolePolicyAttachment host-ssm|RolePolicyAttachment host-ssm, RolePolicy host/,
        ],
      ],
    },
    {
      name: "passes an instance that waits for them through its profile",
      resources: [
        role,
        policy,
        attachment,
        profileOf([role.urn, policy.urn, attachment.urn]),
        instance([PROFILE]),
      ],
      fails: [],
    },
    {
      name: "fails a VPC Lambda that does not wait for its role's policy, and passes one that does",
      resources: [
        role,
        policy,
        resource("aws:lambda/function:Function", "f", {
          role: role.state.arn,
          vpcConfig: { subnetIds: ["s"] },
        }),
        resource(
          "aws:lambda/function:Function",
          "g",
          { role: role.state.arn, vpcConfig: { subnetIds: ["s"] } },
          {
            dependencies: [policy.urn],
          },
        ),
        resource("aws:lambda/function:Function", "outside-vpc", { role: role.state.arn }),
      ],
      fails: [["f", /network interfaces/]],
    },
    {
      name: "fails a flow log that does not wait for its delivery role's policy",
      resources: [
        role,
        policy,
        resource("aws:ec2/flowLog:FlowLog", "fl", { iamRoleArn: role.state.arn }),
      ],
      fails: [["fl", /RolePolicy host/]],
    },
    {
      name: "fails a budget publishing to a topic before its policy, and passes one after it",
      resources: [
        topicPolicy,
        budget([]),
        { ...budget([topicPolicy.urn]), name: "b2", urn: "urn:b2" },
      ],
      fails: [["b", /TopicPolicy alerts/]],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const findings = rule.check([stack(c.resources)]);
      assert.deepStrictEqual(
        findings.map((f) => f.urn.split("::").pop()),
        c.fails.map((f) => f[0]),
      );
      findings.forEach((f, i) => assert.match(f.message, c.fails[i][1] as RegExp));
    });
});
