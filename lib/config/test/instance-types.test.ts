import { nonEmpty } from "../../../tooling/testing/non-empty";
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { ConfigError } from "../errors";
import { instanceTypeAllowed } from "../primitives";
import { OrgConfig, validateOrgConfig } from "../org";
import { INSTANCE_TYPE_SCP } from "../instance-types";
import { validateEnvironmentConfig } from "../environment";
import {
  ENVIRONMENTS,
  EnvironmentName,
  ORG_STACK_FILE,
  REPO_ROOT,
  environmentFile,
  readStackFile,
} from "../../repo";

const orgFile = () => JSON.parse(JSON.stringify(readStackFile(ORG_STACK_FILE)));

function orgWith(edit: (c: any) => void): OrgConfig {
  const raw = orgFile();
  edit(raw);
  return validateOrgConfig(raw);
}

function orgProblems(edit: (c: any) => void): string {
  try {
    orgWith(edit);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message;
  }
  throw new Error("the org config was accepted");
}

function environment(stack: EnvironmentName, org: OrgConfig, edit: (c: any) => void = () => {}) {
  const all = {} as Record<EnvironmentName, Record<string, unknown>>;
  for (const env of nonEmpty(ENVIRONMENTS, "ENVIRONMENTS"))
    all[env] = readStackFile(environmentFile(env));
  const raw = JSON.parse(JSON.stringify(all[stack]));
  edit(raw);
  return () =>
    validateEnvironmentConfig({ stack, project: "workloads", raw, org, allEnvironments: all });
}

describe("checkInstanceTypes: the instance-type allowlist", () => {
  it("accepts exact types and whole families in platform:guardrails.allowedInstanceTypes", () => {
    const org = orgWith(
      (c) => (c["platform:guardrails"].allowedInstanceTypes = ["t4g.*", "t3.medium", "m7i-flex.*"]),
    );
    assert.deepStrictEqual(org["platform:guardrails"].allowedInstanceTypes, [
      "t4g.*",
      "t3.medium",
      "m7i-flex.*",
    ]);
  });

  const BAD = ["t4g*", "*", "*.small", "t4g.s*", "T4G.*", "t4g.**", "t4g.", ".*", "t4g.?mall"];
  for (const entry of BAD) {
    it(`refuses ${JSON.stringify(entry)} as an allowlist entry, naming the key and the allowed forms`, () => {
      const message = orgProblems(
        (c) => (c["platform:guardrails"].allowedInstanceTypes = ["t3.micro", entry]),
      );
      assert.ok(
        message.includes(
          `platform:guardrails.allowedInstanceTypes[1]: got ${JSON.stringify(entry)}; expected an EC2 instance type such as t4g.small, or a whole family such as t4g.* (no other wildcard)`,
        ),
        message,
      );
    });
  }

  const MATCHES: [string, string[], boolean][] = [
    ["t4g.nano", ["t4g.*"], true],
    ["t4g.2xlarge", ["t3.micro", "t4g.*"], true],
    ["t4.nano", ["t4g.*"], false],
    ["t4gx.nano", ["t4g.*"], false],
    ["m7i-flex.large", ["m7i.*"], false],
    ["m7i.large", ["m7i-flex.*"], false],
    ["t3.micro", ["t3.micro"], true],
    ["t3.micro", ["t3.small"], false],
    ["t3.microx", ["t3.micro"], false],
  ];
  for (const [type, allowlist, allowed] of MATCHES) {
    it(`${allowed ? "admits" : "refuses"} ${type} with [${allowlist.join(", ")}], as the SCP does`, async () => {
      assert.strictEqual(instanceTypeAllowed(type, allowlist), allowed);
      // The same question to an independent IAM evaluator, on the real SCP file.
      const file = path.join(REPO_ROOT, "policies", "scp", `${INSTANCE_TYPE_SCP}.json`);
      const policy = JSON.parse(
        fs
          .readFileSync(file, "utf8")
          .replace(/"\{\{allowedInstanceTypes\}\}"/g, JSON.stringify(allowlist)),
      );
      const everything = {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
      };
      const response = await runSimulation(
        {
          request: {
            principal: "arn:aws:iam::210000000002:role/platform-deploy",
            action: "ec2:RunInstances",
            resource: {
              resource: "arn:aws:ec2:us-east-1:210000000002:instance/i-0123456789abcdef0",
              accountId: "210000000002",
            },
            contextVariables: {
              "aws:PrincipalArn": "arn:aws:iam::210000000002:role/platform-deploy",
              "ec2:InstanceType": type,
            },
          },
          identityPolicies: [{ name: "AdministratorAccess", policy: everything }],
          serviceControlPolicies: [
            {
              orgIdentifier: "ou-nonprod",
              policies: [
                { name: "FullAWSAccess", policy: everything },
                { name: INSTANCE_TYPE_SCP, policy },
              ],
            },
          ],
          resourceControlPolicies: [],
        },
        {},
      );
      assert.strictEqual(response.resultType, "single");
      assert.strictEqual(response.overallResult, allowed ? "Allowed" : "ExplicitlyDenied");
    });
  }

  it("accepts the shipped environment files with a wildcard allowlist", () => {
    const org = orgWith((c) => (c["platform:guardrails"].allowedInstanceTypes = ["t4g.*", "t3.*"]));
    for (const env of nonEmpty(ENVIRONMENTS, "ENVIRONMENTS"))
      assert.strictEqual(environment(env, org)().name, env);
  });

  it("refuses, before any resource, an instance type the SCP would deny in the account", () => {
    const org = orgWith((c) => (c["platform:guardrails"].allowedInstanceTypes = ["t3.*"]));
    assert.throws(
      environment("dev", org, (c) => (c["platform:workloads"].openems.instanceType = "m5.large")),
      (e: Error) => {
        for (const fragment of [
          'platform:network.vpn.instanceType: got "t4g.nano"; expected a type the ec2-instance-type-allowlist SCP allows in account dev',
          'platform:workloads.openems.instanceType: got "m5.large"',
          "platform:guardrails.allowedInstanceTypes in org/Pulumi.management.yaml: t3.*",
        ])
          assert.ok(e.message.includes(fragment), `${fragment} in:\n${e.message}`);
        return true;
      },
    );
  });

  it("checks only accounts the SCP reaches, following platform:guardrails.attachments", () => {
    const defaults = orgWith((c) => (c["platform:guardrails"].allowedInstanceTypes = ["t3.*"]));
    // prod sits in workloads/prod, which the default attachments leave out.
    environment(
      "prod",
      defaults,
      (c) => (c["platform:workloads"].openems.instanceType = "m5.large"),
    )();
    const everywhere = orgWith((c) => {
      c["platform:guardrails"].allowedInstanceTypes = ["t3.*", "t4g.*"];
      c["platform:guardrails"].attachments = { [INSTANCE_TYPE_SCP]: ["ou:workloads"] };
    });
    assert.throws(
      environment(
        "prod",
        everywhere,
        (c) => (c["platform:workloads"].openems.instanceType = "m5.large"),
      ),
      /platform:workloads\.openems\.instanceType: got "m5\.large"; expected a type the ec2-instance-type-allowlist SCP allows in account prod/,
    );
    const nowhere = orgWith((c) => {
      c["platform:guardrails"].allowedInstanceTypes = ["t3.*"];
      c["platform:guardrails"].attachments = { "region-lock": ["root"] };
    });
    environment(
      "dev",
      nowhere,
      (c) => (c["platform:workloads"].openems.instanceType = "m5.large"),
    )();
  });
});
