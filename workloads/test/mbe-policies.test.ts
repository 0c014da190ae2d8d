/**
 * What the MBE proxy Lambda's role may do, statement by statement, as each environment's workloads
 * stack would deploy it.
 */
import { nonEmpty } from "../../tooling/testing/non-empty";
import * as assert from "assert";
import { ENVIRONMENTS } from "../../lib/repo";
import { byType, one, stackOf } from "../../tooling/testing/harness";

describe("workloads: MBE proxy function role", () => {
  before(async function () {
    // The first plan of the repository takes a while on a busy machine.
    this.timeout(60_000);
    await stackOf("workloads", "dev");
  });

  it("plans every environment", () => {
    assert.deepStrictEqual([...ENVIRONMENTS].sort(), ["dev", "prod", "stage"]);
  });

  for (const env of nonEmpty(ENVIRONMENTS, "ENVIRONMENTS")) {
    it(`${env}: decrypts with the workloads key only through Secrets Manager, and reads only its own B2B secret`, async () => {
      const plan = await stackOf("workloads", env);
      const fn = one(plan, "aws:lambda/function:Function");
      const role = byType(plan, "aws:iam/role:Role").find((r) => r.state.arn === fn.inputs.role);
      assert.ok(role, "the function's role is planned");
      const secret = byType(plan, "aws:secretsmanager/secret:Secret").find(
        (s) => s.inputs.name === `openems/${env}/mbe-proxy-b2b`,
      );
      assert.ok(secret, "the B2B credentials secret is planned");
      const policies = byType(plan, "aws:iam/rolePolicy:RolePolicy").filter(
        (p) => p.inputs.role === role.state.name,
      );
      assert.strictEqual(policies.length, 1);
      const doc = JSON.parse(policies[0].inputs.policy).Statement as any[];
      assert.ok(doc.length > 0);

      const kms = doc.filter((s) => [].concat(s.Action).some((a: string) => /^kms:/.test(a)));
      // Every environment file puts the workloads in us-east-1 (Pulumi.<env>.yaml). Secrets
      // Manager decrypts a secret on the caller's behalf through kms:ViaService
      // (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html).
      assert.deepStrictEqual(kms, [
        {
          Sid: "DecryptB2bCredentials",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: secret.inputs.kmsKeyId,
          Condition: {
            StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" },
          },
        },
      ]);
      assert.match(secret.inputs.kmsKeyId, /^arn:aws:kms:us-east-1:\d{12}:key\//);

      const secrets = doc.filter((s) =>
        [].concat(s.Action).some((a: string) => /^secretsmanager:/.test(a)),
      );
      assert.deepStrictEqual(secrets, [
        {
          Sid: "ReadB2bCredentials",
          Effect: "Allow",
          Action: "secretsmanager:GetSecretValue",
          Resource: secret.state.arn,
        },
      ]);
    });
  }
});
