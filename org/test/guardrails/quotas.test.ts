import * as assert from "assert";
import {
  AWS_SCP_QUOTA_CEILING,
  DEFAULT_SCP_ATTACHMENTS,
  DEFAULT_SCP_LIMITS,
  checkScpLimits,
  loadScps,
  type ScpDocument,
} from "../../guardrails";
import { CTX, fixture, FREEZE_ACCOUNTS, readJson, SCP_DIR, TARGETS } from "./fixtures";

describe("checkScpLimits", () => {
  let real: ScpDocument[];
  before(() => {
    real = loadScps(SCP_DIR, CTX);
  });

  it("passes the defaults under the 5 / 5,120 limits with freeze on dev and sandbox", async () => {
    assert.doesNotThrow(() =>
      checkScpLimits(real, DEFAULT_SCP_ATTACHMENTS, DEFAULT_SCP_LIMITS, FREEZE_ACCOUNTS, TARGETS),
    );
  });

  it("keeps the largest real policy at most 80 % of the conservative size limit", async () => {
    const largest = Math.max(...real.map((p) => p.minified.length));
    const budget = DEFAULT_SCP_LIMITS.maxPolicyChars * 0.8;
    assert.ok(largest <= budget, `largest SCP is ${largest} chars`);
  });

  it("rejects an oversized policy, naming it, its size and the limit", async () => {
    const big = loadScps(fixture("oversized"), CTX, { "spelled-out-actions": "x" });
    const size = big[0].minified.length;
    const onRoot = { "spelled-out-actions": ["root"] };
    assert.throws(
      () => checkScpLimits(big, onRoot, DEFAULT_SCP_LIMITS, [], TARGETS),
      new RegExp(
        `SCP "spelled-out-actions" \\(.*spelled-out-actions\\.json\\) is ${size} characters ` +
          "minified; the limit maxPolicyChars is 5120",
      ),
    );
    // The 2026 quota admits it once configured.
    const raised = { ...DEFAULT_SCP_LIMITS, maxPolicyChars: 10240 };
    assert.doesNotThrow(() => checkScpLimits(big, onRoot, raised, [], TARGETS));
  });

  it("rejects a sixth policy on the root, listing them and counting FullAWSAccess", async () => {
    const attachments = readJson<Record<string, string[]>>(
      fixture("attachments/lambda-url-on-root.json"),
    );
    assert.throws(
      () => checkScpLimits(real, attachments, DEFAULT_SCP_LIMITS, FREEZE_ACCOUNTS, TARGETS),
      new RegExp(
        'SCP target "root" would carry 6 policies: FullAWSAccess, deny-leave-organization, ' +
          "region-lock, deny-root-user, protect-guardrails, lambda-url-iam-auth; " +
          "the limit maxPoliciesPerTarget is 5 \\(FullAWSAccess counts",
      ),
    );
    const raised = { ...DEFAULT_SCP_LIMITS, maxPoliciesPerTarget: 10 };
    assert.doesNotThrow(() => checkScpLimits(real, attachments, raised, FREEZE_ACCOUNTS, TARGETS));
  });

  it("counts the slot reserved for freeze on a full target", async () => {
    const freezeOnOu = ["ou:sandbox"];
    assert.throws(
      () => checkScpLimits(real, DEFAULT_SCP_ATTACHMENTS, DEFAULT_SCP_LIMITS, freezeOnOu, TARGETS),
      new RegExp(
        '"ou:sandbox" would carry 6 policies: .*freeze \\(slot reserved for the budget action\\); ' +
          "the limit maxPoliciesPerTarget is 5 \\(FullAWSAccess counts, and freeze-enabled " +
          "targets keep a slot free for freeze\\)$",
      ),
    );
  });

  it("refuses freeze targets when the freeze SCP is not loaded", async () => {
    const withoutFreeze = real.filter((p) => p.name !== "freeze");
    assert.equal(withoutFreeze.length, real.length - 1);
    assert.throws(
      () => checkScpLimits(withoutFreeze, {}, DEFAULT_SCP_LIMITS, ["account:dev"], TARGETS),
      /^Error: freezeTargets \["account:dev"\] need the "freeze" SCP, which was not loaded$/,
    );
  });

  it("names every known target, comma-separated, for an unknown freeze target", async () => {
    assert.throws(
      () => checkScpLimits(real, {}, DEFAULT_SCP_LIMITS, ["account:qa"], ["root", "account:dev"]),
      /^Error: freeze target "account:qa" is unknown; known targets: root, account:dev$/,
    );
  });

  // AWS attaches FullAWSAccess to every root, OU and account, and it counts against the quota of
  // policies per target (Organizations User Guide, "Quotas and service limits"): a target with
  // nothing else attached carries exactly one policy.
  it("counts only FullAWSAccess on a target with nothing else attached", async () => {
    const one = { ...DEFAULT_SCP_LIMITS, maxPoliciesPerTarget: 1 };
    assert.doesNotThrow(() => checkScpLimits(real, {}, one, [], ["root", "account:dev"]));
    assert.throws(
      () => checkScpLimits(real, { "region-lock": ["root"] }, one, [], ["root", "account:dev"]),
      /SCP target "root" would carry 2 policies: FullAWSAccess, region-lock;/,
    );
  });

  const misuse: [string, Record<string, string[]>, string[], RegExp][] = [
    [
      "an unknown policy",
      { "deny-everything": ["root"] },
      [],
      /unknown policy "deny-everything"; loaded policies: bedrock-model-allowlist/,
    ],
    [
      "FullAWSAccess listed explicitly",
      { FullAWSAccess: ["root"] },
      [],
      /FullAWSAccess is attached by AWS and always counted/,
    ],
    [
      "an unknown target",
      { "region-lock": ["ou:workload"] },
      [],
      /"region-lock" is attached to unknown target "ou:workload"; known targets: root, ou:secu/,
    ],
    [
      "a target listed twice",
      { "region-lock": ["root", "root"] },
      [],
      /attached to target "root" more than once/,
    ],
    [
      "freeze attached statically",
      { freeze: ["account:dev"] },
      [],
      /SCP "freeze" must not be attached statically/,
    ],
    ["an unknown freeze target", {}, ["account:qa"], /freeze target "account:qa" is unknown/],
  ];
  for (const [name, attachments, freeze, message] of misuse) {
    it(`rejects ${name}`, async () => {
      assert.throws(
        () => checkScpLimits(real, attachments, DEFAULT_SCP_LIMITS, freeze, TARGETS),
        message,
      );
    });
  }

  it("rejects limits that are not integers or exceed the AWS quota", async () => {
    const tooMany = { ...DEFAULT_SCP_LIMITS, maxPoliciesPerTarget: 11 };
    assert.throws(
      () => checkScpLimits(real, {}, tooMany, [], TARGETS),
      /SCP limit 'maxPoliciesPerTarget' must be an integer from 1 to 10 \(the AWS quota\); got 11/,
    );
    const fractional = { ...DEFAULT_SCP_LIMITS, maxPolicyChars: 5120.5 };
    assert.throws(
      () => checkScpLimits(real, {}, fractional, [], TARGETS),
      /'maxPolicyChars' must be an integer from 1 to 10240/,
    );
    assert.deepStrictEqual(AWS_SCP_QUOTA_CEILING, {
      maxPolicyChars: 10240,
      maxPoliciesPerTarget: 10,
    });
  });
});
