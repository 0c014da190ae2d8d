/**
 * The RCP side of the guardrail machinery: validatePolicyDocument with the RCP kind, loadRcps and
 * its {{organizationId}} token, checkRcpLimits / checkPolicyLimits at the RCP quotas, and the
 * real policies/rcp files against them.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  checkPolicyLimits,
  checkRcpLimits,
  DEFAULT_RCP_ATTACHMENTS,
  effectiveRcpLevels,
  loadRcps,
  LONGEST_ORGANIZATION_ID,
  RCP_KIND,
  SCP_KIND,
  validatePolicyDocument,
  type ScpDocument,
} from "../../guardrails";
import { CTX, TARGETS } from "./fixtures";

const RCP_DIR = path.join(__dirname, "..", "..", "..", "policies", "rcp");
const ORG_ID = "o-a1b2c3d4e5";

const deny = (extra: object) => ({
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "DenyOutsiders",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: "*",
      ...extra,
    },
  ],
});

/** A folder holding one RCP file, for loader tests. */
function folderWith(name: string, doc: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rcp-"));
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(doc));
  return dir;
}

describe("validatePolicyDocument for RCPs", () => {
  const refusals: [string, object, RegExp][] = [
    [
      "an Allow statement (only RCPFullAWSAccess may allow)",
      deny({ Effect: "Allow" }),
      /x\.json: Statement\[0\] \(DenyOutsiders\) Effect must be Deny; got "Allow" .*RCPFullAWSAccess/,
    ],
    [
      "a statement without Principal",
      deny({ Principal: undefined }),
      /Statement\[0\] \(DenyOutsiders\) Principal must be "\*"/,
    ],
    [
      "a Principal other than *",
      deny({ Principal: { AWS: "arn:aws:iam::999999999999:root" } }),
      /Principal must be "\*" .*got \{"AWS"/,
    ],
    [
      "NotAction",
      deny({ Action: undefined, NotAction: "s3:GetObject" }),
      /has unsupported key "NotAction"; RCP statements allow .*Principal/,
    ],
    [
      "an action of a service RCPs do not cover",
      deny({ Action: ["s3:GetObject", "ec2:RunInstances"] }),
      /Action names \["ec2:RunInstances"\], of services RCPs do not apply to; allowed services: s3, sts, kms, sqs, secretsmanager/,
    ],
  ];
  for (const [what, doc, message] of refusals) {
    it(`refuses ${what}, naming the file and the statement`, () => {
      assert.throws(
        () => validatePolicyDocument(JSON.parse(JSON.stringify(doc)), "x.json", RCP_KIND),
        message,
      );
    });
  }

  it("accepts a Deny with Principal * in an RCP and refuses the same Principal in an SCP", () => {
    assert.doesNotThrow(() => validatePolicyDocument(deny({}), "x.json", RCP_KIND));
    assert.throws(
      () => validatePolicyDocument(deny({}), "x.json", SCP_KIND),
      /has unsupported key "Principal"; SCP statements allow/,
    );
  });
});

describe("loadRcps", () => {
  it("binds {{organizationId}} in every statement of the real files", () => {
    const rcps = loadRcps(RCP_DIR, CTX, ORG_ID);
    const perimeter = rcps.find((p) => p.name === "data-perimeter")!;
    assert.ok(perimeter, "policies/rcp has no data-perimeter.json");
    assert.strictEqual((perimeter.minified.match(/o-a1b2c3d4e5/g) ?? []).length, 2);
    assert.ok(!rcps.some((p) => p.minified.includes("{{")));
  });

  it("refuses a malformed organization id, which would lock every principal out", () => {
    for (const bad of ["", "o-short", "O-A1B2C3D4E5", "r-a1b2", "o-a1b2c3d4e5*"]) {
      assert.throws(
        () => loadRcps(RCP_DIR, CTX, bad),
        (err: Error) =>
          err.message.startsWith(
            "organizationId must be an organization id such as o-a1b2c3d4e5",
          ) && err.message.endsWith(`got ${JSON.stringify(bad)}`),
      );
    }
  });

  it("names RCP_INTENTS for a file without an intent", () => {
    const dir = folderWith("unlisted", deny({}));
    assert.throws(
      () => loadRcps(dir, CTX, ORG_ID),
      /unlisted\.json: policy "unlisted" has no intent; add a one-sentence entry to RCP_INTENTS/,
    );
  });
});

describe("checkRcpLimits", () => {
  let real: ScpDocument[];
  before(() => {
    real = loadRcps(RCP_DIR, CTX, LONGEST_ORGANIZATION_ID);
  });

  it("passes the real files and default attachments, measured with the longest organization id", () => {
    assert.ok(real.length >= 2);
    assert.doesNotThrow(() => checkRcpLimits(real, DEFAULT_RCP_ATTACHMENTS, TARGETS));
    for (const p of real)
      assert.ok(p.minified.length <= 5120 * 0.8, `${p.name} is ${p.minified.length}`);
  });

  it("refuses an RCP over 5,120 characters and a limit above the RCP quota", () => {
    const big = { ...real[0], minified: "x".repeat(5121) };
    assert.throws(
      () => checkRcpLimits([big], { [big.name]: ["root"] }, TARGETS),
      /RCP "data-perimeter" .* is 5121 characters minified; the limit maxPolicyChars is 5120/,
    );
    assert.throws(
      () => checkRcpLimits(real, {}, TARGETS, { maxPolicyChars: 10240, maxPoliciesPerTarget: 5 }),
      /RCP limit 'maxPolicyChars' must be an integer from 1 to 5120/,
    );
  });

  it("counts RCPFullAWSAccess on every target and refuses a sixth RCP", () => {
    const five = ["a", "b", "c", "d", "e"].map((n) => ({ ...real[0], name: `p-${n}` }));
    const onRoot = Object.fromEntries(five.map((p) => [p.name, ["root"]]));
    assert.throws(
      () => checkPolicyLimits(RCP_KIND, five, onRoot, RCP_KIND.defaultLimits, [], TARGETS),
      /RCP target "root" would carry 6 policies: RCPFullAWSAccess, p-a, .*the limit maxPoliciesPerTarget is 5 \(RCPFullAWSAccess counts\)/,
    );
    const four = five.slice(0, 4);
    const fourOnRoot = Object.fromEntries(four.map((p) => [p.name, ["root"]]));
    assert.doesNotThrow(() =>
      checkPolicyLimits(RCP_KIND, four, fourOnRoot, RCP_KIND.defaultLimits, [], TARGETS),
    );
  });

  it("refuses listing RCPFullAWSAccess and unknown targets", () => {
    assert.throws(
      () => checkRcpLimits(real, { RCPFullAWSAccess: ["root"] }, TARGETS),
      /RCPFullAWSAccess is attached by AWS and always counted, do not list it/,
    );
    assert.throws(
      () => checkRcpLimits(real, { "data-perimeter": ["ou:nowhere"] }, TARGETS),
      /RCP "data-perimeter" is attached to unknown target "ou:nowhere"/,
    );
  });
});

describe("effectiveRcpLevels", () => {
  it("puts the data perimeter on every account and trail protection on log-archive only", () => {
    const has = (key: string, ou: string, name: string) =>
      effectiveRcpLevels(key, ou, DEFAULT_RCP_ATTACHMENTS).some((l) => l.policies.includes(name));
    assert.ok(has("dev", "workloads/nonprod", "data-perimeter"));
    assert.ok(has("log-archive", "security", "protect-trail-logs"));
    assert.ok(!has("prod", "workloads/prod", "protect-trail-logs"));
  });
});
