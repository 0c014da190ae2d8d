import { policy } from "../policies/required-tags";
import { assertClean, assertOneViolation, violationsOf } from "./violations";
import {
  awsProvider,
  DEFAULT_TAGS,
  edited,
  planned,
  stackPlan,
} from "../../../tooling/testing/planned";
import * as assert from "assert";
import { evaluatePolicies } from "../../../tooling/pack/evaluate";

const instance = planned("aws:ec2/instance:Instance", "dev-vpn", {
  ami: "ami-1",
  tags: { role: "vpn-server", Name: "dev-vpn" },
});
const key = planned("aws:kms/key:Key", "dev-network-key", { enableKeyRotation: true });
// Not taggable: the provider schema gives these no tags.
const route = planned("aws:ec2/route:Route", "dev-nat-default-0", {
  routeTableId: "rtb-1",
  destinationCidrBlock: "0.0.0.0/0",
});
const alias = planned("aws:kms/alias:Alias", "dev-network-alias", {
  name: "alias/openems-dev-network",
});
const HAPPY = [instance, key, route, alias];

describe("required-tags", () => {
  it("passes resources tagged through the provider's default tags, and skips untaggable types", async () => {
    assertClean(policy, HAPPY);
  });

  it("reports a taggable resource whose provider has no default tags, naming every missing key", async () => {
    const found = violationsOf(policy, [key, route, alias], undefined, awsProvider({ tags: null }));
    assert.strictEqual(found.length, 1);
    assert.strictEqual(found[0].urn, key.urn);
    assert.match(
      found[0].message,
      /aws:kms\/key:Key dev-network-key lacks tag\(s\) project, environment, owner, cost-center, managed-by/,
    );
  });

  it("reports a resource that blanks a required tag", async () => {
    const blanked = edited(instance, (r) => (r.inputs.tags.owner = ""));
    assertOneViolation(policy, [blanked, key, route, alias], blanked.urn, [/lacks tag\(s\) owner/]);
  });

  it("reports a provider missing one default tag, on every taggable resource", async () => {
    const { "cost-center": _dropped, ...partial } = DEFAULT_TAGS;
    const found = evaluatePolicies(stackPlan(HAPPY, { provider: awsProvider({ tags: partial }) }), {
      policies: [policy],
    });
    assert.deepStrictEqual(
      found.map((v) => v.urn),
      [instance.urn, key.urn],
    );
    for (const v of found) assert.match(v.message, /lacks tag\(s\) cost-center/);
  });

  it("accepts a resource's own tags in place of the provider's", async () => {
    const self = edited(key, (r) => (r.inputs.tags = { ...DEFAULT_TAGS }));
    assert.deepStrictEqual(
      violationsOf(policy, [self], undefined, awsProvider({ tags: null })),
      [],
    );
  });

  it("takes the required keys from the pack's config", async () => {
    assertOneViolation(policy, [key], key.urn, [/lacks tag\(s\) data-class/], {
      [policy.name]: { requiredTagKeys: ["project", "data-class"] },
    });
  });
});
