import * as assert from "assert";
import { tagsComplyWithTagPolicy } from "../rules/tags-comply-with-tag-policy";
import { tagPolicyEnforceableTypes } from "../rules/tag-policy-enforceable-types";
import { provider, resource, stack } from "./fixtures";

const ENFORCED = ["s3:bucket", "kms:key"];

function tagPolicyStack(enforcedFor: string[], environments = ["management", "dev"]) {
  const content = JSON.stringify({
    tags: {
      environment: {
        tag_key: { "@@assign": "environment" },
        tag_value: { "@@assign": environments },
        enforced_for: { "@@assign": enforcedFor },
      },
    },
  });
  const policy = resource("aws:organizations/policy:Policy", "tags", {
    name: "fixture-tags",
    type: "TAG_POLICY",
    content,
  });
  const attachment = resource("aws:organizations/policyAttachment:PolicyAttachment", "tags-root", {
    policyId: policy.id,
    targetId: "r-root",
  });
  return [policy, attachment];
}

const archive = "urn:pulumi:fixture::fixture::pulumi:providers:aws::archive";

describe("readiness rule tags-comply-with-tag-policy", () => {
  const cases = [
    {
      name: "fails an enforced bucket whose provider default tags use a value the policy refuses",
      resources: [
        provider({ environment: "log-archive" }, archive),
        resource("aws:s3/bucket:Bucket", "trail", {}, { provider: archive }),
      ],
      fails: [["trail", /environment=log-archive .*enforced for s3:bucket/]],
    },
    {
      name: "fails a tagged resource of another type, without claiming enforcement",
      resources: [
        provider({ environment: "dev" }),
        resource("aws:sns/topic:Topic", "t", { tags: { environment: "qa" } }),
      ],
      fails: [
        [
          "t",
          /environment=qa is not allowed by tag policy fixture-tags \(allowed: management, dev\)$/,
        ],
      ],
    },
    {
      name: "lets a resource's own tag override its provider's",
      resources: [
        provider({ environment: "log-archive" }),
        resource("aws:kms/key:Key", "k", { tags: { environment: "dev" } }),
      ],
      fails: [],
    },
    {
      name: "passes enforced resources with allowed values and ignores untagged untaggable types",
      resources: [
        provider({ environment: "dev" }),
        resource("aws:kms/key:Key", "k"),
        resource("aws:iam/rolePolicy:RolePolicy", "p"),
      ],
      fails: [],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const findings = tagsComplyWithTagPolicy.check([
        stack([...tagPolicyStack(ENFORCED), ...c.resources]),
      ]);
      assert.strictEqual(findings.length, c.fails.length, JSON.stringify(findings));
      findings.forEach((f, i) => {
        assert.strictEqual(f.urn.split("::").pop(), c.fails[i][0]);
        assert.match(f.message, c.fails[i][1] as RegExp);
      });
    });

  it("checks every stack's resources against the org stack's attached policy", () => {
    const org = stack(tagPolicyStack(ENFORCED), "org", "management");
    const env = stack(
      [provider({ environment: "stage" }), resource("aws:s3/bucket:Bucket", "b")],
      "network",
      "stage",
    );
    assert.deepStrictEqual(
      tagsComplyWithTagPolicy.check([org, env]).map((f) => f.stack),
      ["network/stage"],
    );
  });

  it("ignores a tag policy nothing attaches", () => {
    const [policy] = tagPolicyStack(ENFORCED);
    const env = [provider({ environment: "stage" }), resource("aws:s3/bucket:Bucket", "b")];
    assert.deepStrictEqual(tagsComplyWithTagPolicy.check([stack([policy, ...env])]), []);
  });
});

describe("readiness rule tag-policy-enforceable-types", () => {
  it("fails an enforced_for entry AWS does not support and passes supported ones", () => {
    const findings = tagPolicyEnforceableTypes.check([
      stack(tagPolicyStack([...ENFORCED, "iam:role-policy"])),
    ]);
    assert.deepStrictEqual(
      findings.map((f) => f.message),
      ["tag environment is enforced for iam:role-policy, which tag policies cannot enforce"],
    );
    assert.deepStrictEqual(tagPolicyEnforceableTypes.check([stack(tagPolicyStack(ENFORCED))]), []);
  });

  it("accepts every supported type of a listed service, and no wildcard of an unlisted one", () => {
    const findings = tagPolicyEnforceableTypes.check([
      stack(
        tagPolicyStack(["secretsmanager:ALL_SUPPORTED", "ec2:*", "iam:ALL_SUPPORTED", "s3:volume"]),
      ),
    ]);
    assert.deepStrictEqual(
      findings.map((f) => f.message.replace(/^.* enforced for (\S+),.*$/, "$1")),
      ["iam:ALL_SUPPORTED", "s3:volume"],
    );
  });
});
