import * as assert from "assert";
import { orgPoliciesAfterOrganization as rule } from "../rules/org-policies-after-organization";
import { resource, stack, urnOf } from "./fixtures";

const ORG = "aws:organizations/organization:Organization";
const POLICY = "aws:organizations/policy:Policy";
const ATTACHMENT = "aws:organizations/policyAttachment:PolicyAttachment";
const COMPONENT = "platform:org:Guardrails";

const org = resource(ORG, "org");
const component = resource(COMPONENT, "guardrails", {}, { custom: false, dependencies: [org.urn] });

describe("readiness rule org-policies-after-organization", () => {
  const cases: { name: string; resources: ReturnType<typeof resource>[]; fails: string[] }[] = [
    {
      name: "fails a policy whose only ordering is its component parent's dependsOn",
      resources: [
        org,
        component,
        resource(POLICY, "scp", {}, { parent: component.urn }),
        resource(ATTACHMENT, "scp-root", {}, { parent: urnOf(POLICY, "scp") }),
      ],
      // The attachment is a child of the custom policy, so it waits for it, but not for the org.
      fails: ["scp", "scp-root"],
    },
    {
      name: "passes a policy that depends on the organization and an attachment under it",
      resources: [
        org,
        resource(POLICY, "scp", {}, { dependencies: [org.urn] }),
        resource(ATTACHMENT, "scp-root", {}, { parent: urnOf(POLICY, "scp") }),
      ],
      fails: [],
    },
    {
      name: "passes a policy that depends on the organization through another resource",
      resources: [
        org,
        resource("aws:organizations/account:Account", "acct", {}, { dependencies: [org.urn] }),
        resource(
          POLICY,
          "scp",
          {},
          { dependencies: [urnOf("aws:organizations/account:Account", "acct")] },
        ),
      ],
      fails: [],
    },
    {
      name: "ignores stacks without an organization",
      resources: [resource(POLICY, "scp")],
      fails: [],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const findings = rule.check([stack(c.resources)]);
      assert.deepStrictEqual(
        findings.map((f) => f.urn.split("::").pop()),
        c.fails,
      );
      for (const f of findings) {
        assert.strictEqual(f.rule, rule.name);
        assert.match(f.fix, /dependsOn/);
      }
    });

  it("cites its source", () => {
    assert.match(
      rule.description,
      /https:\/\/docs\.aws\.amazon\.com\/organizations\/.*CreatePolicy/,
    );
  });
});
