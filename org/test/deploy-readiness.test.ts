import * as assert from "assert";
import { byType, one, stackOf } from "../../tooling/testing/harness";

describe("org stack deploy readiness", () => {
  it("tags each member account with its own environment, not the management provider's", async () => {
    const accounts = byType(
      await stackOf("org", "management"),
      "aws:organizations/account:Account",
    );
    const tags = Object.fromEntries(accounts.map((a) => [a.name, a.inputs.tags?.environment]));
    // Keys and environments as Pulumi.management.yaml declares them.
    assert.deepStrictEqual(tags, {
      "org-account-log-archive": "log-archive",
      "org-account-dev": "dev",
      "org-account-stage": "stage",
      "org-account-prod": "prod",
      "org-account-sandbox": "sandbox",
    });
  });

  it("gives trusted access only to the organization trail, tag policy reports and Identity Center", async () => {
    const org = one(
      await stackOf("org", "management"),
      "aws:organizations/organization:Organization",
    );
    assert.deepStrictEqual([...org.inputs.awsServiceAccessPrincipals].sort(), [
      "cloudtrail.amazonaws.com",
      // Never dropped: Identity Center's trusted access, which its console enables.
      "sso.amazonaws.com",
      "tagpolicies.tag.amazonaws.com",
    ]);
  });
});
