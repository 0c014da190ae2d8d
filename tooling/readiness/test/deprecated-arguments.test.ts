import * as assert from "assert";
import { deprecatedArguments as rule } from "../rules/deprecated-arguments";
import { resource, stack } from "./fixtures";

const ROLE = "aws:iam/role:Role";
const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";

describe("readiness rule deprecated-arguments", () => {
  const cases = [
    {
      name: "fails managedPolicyArns on a role",
      r: resource(ROLE, "a", { managedPolicyArns: ["x"] }),
      fails: /managedPolicyArns/,
    },
    {
      name: "fails inlinePolicies on a role",
      r: resource(ROLE, "b", { inlinePolicies: [{ name: "p" }] }),
      fails: /inlinePolicies/,
    },
    {
      name: "fails an empty lifecycle filter",
      r: resource(LIFECYCLE, "c", { rules: [{ id: "r", filter: {} }] }),
      fails: /empty lifecycle/,
    },
    {
      name: "passes a role without them",
      r: resource(ROLE, "d", { assumeRolePolicy: "{}" }),
      fails: undefined,
    },
    {
      name: "passes a prefix filter",
      r: resource(LIFECYCLE, "e", { rules: [{ id: "r", filter: { prefix: "" } }] }),
      fails: undefined,
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const findings = rule.check([stack([c.r])]);
      if (!c.fails) return assert.deepStrictEqual(findings, []);
      assert.strictEqual(findings.length, 1);
      assert.match(findings[0].message, c.fails);
    });
});
