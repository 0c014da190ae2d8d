import { nonEmpty } from "../../../tooling/testing/non-empty";
import * as assert from "assert";
import { alignKeys, canonicalJson, sameAsStack } from "../drift";
import { ACCOUNT_IDS, FakeState, ORG_ID, OU_IDS, ROOT_ID } from "./fake-aws";
import { fakeOrg, run } from "./harness";

const policy = (s: FakeState, name: string) => s.policies.find((p) => p.Name === name)!;

describe("ops scp drift", () => {
  it("exits 0 and says so when AWS matches policies/scp/ and the attachment plan", async () => {
    const fake = fakeOrg();
    const r = await run(fake, ["scp", "drift"]);
    assert.strictEqual(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /compared 10 files in policies\/scp\//);
    assert.match(
      r.stdout,
      /No drift: every SCP in AWS matches policies\/scp\/ in content, description and targets\./,
    );
    assert.deepStrictEqual(fake.writes(), [], "drift is read-only");
  });

  it("reports frozen accounts, not drift, for the freeze SCP's attachments", async () => {
    const r = await run(fakeOrg({ frozen: ["dev", "sandbox"] }), ["scp", "drift"]);
    assert.strictEqual(r.code, 0);
    assert.match(
      r.stdout,
      /Frozen accounts \(the freeze SCP is attached by budget actions; not drift\): account:dev \(openems-dev, 333333333333\), account:sandbox \(openems-sandbox, 666666666666\)\./,
    );
  });

  it("ignores key order and whitespace in live content, as the stack does", async () => {
    const r = await run(
      fakeOrg({
        edit: (s) => {
          const p = policy(s, "platform-deny-root-user");
          const doc = JSON.parse(p.Content);
          p.Content = JSON.stringify(
            {
              Statement: doc.Statement.map((st: object) =>
                Object.fromEntries(Object.entries(st).reverse()),
              ),
              Version: doc.Version,
            },
            null,
            4,
          );
        },
      }),
      ["scp", "drift"],
    );
    assert.strictEqual(r.code, 0, r.stdout);
  });

  it("reports changed content with a readable line diff and exits 1", async () => {
    const fake = fakeOrg({
      edit: (s) => {
        const p = policy(s, "platform-region-lock");
        const doc = JSON.parse(p.Content);
        doc.Statement[0].Condition.StringNotEquals["aws:RequestedRegion"].push("eu-west-1");
        p.Content = JSON.stringify(doc);
      },
    });
    const r = await run(fake, ["scp", "drift"]);
    assert.strictEqual(r.code, 1);
    assert.match(r.stdout, /Drift found \(1\):/);
    assert.match(
      r.stdout,
      /CHANGED {5}platform-region-lock \(p-regionlock00\): content differs from policies\/scp\/region-lock\.json/,
    );
    assert.match(
      r.stdout,
      /--- expected: policies\/scp\/region-lock\.json\n {6}\+\+\+ live: platform-region-lock \(p-regionlock00\)/,
    );
    // Exactly the added region is marked, nothing else.
    const marked = r.stdout.split("\n").filter((l) => /^ {6}[-+] /.test(l));
    assert.deepStrictEqual(
      marked.map((l) => l.trim().replace(/\s+/, " ")),
      ['- "us-west-2"', '+ "us-west-2",', '+ "eu-west-1"'],
    );
  });

  it("treats a single string where the file has a one-element list as drift, as the stack does", async () => {
    const fake = fakeOrg({
      edit: (s) => {
        const p = policy(s, "platform-deny-leave-organization");
        const doc = JSON.parse(p.Content);
        const st = doc.Statement[0];
        const key = Array.isArray(st.Action) ? "Action" : "Resource";
        st[key] = Array.isArray(st[key]) ? st[key][0] : [st[key]];
        p.Content = JSON.stringify(doc);
      },
    });
    const r = await run(fake, ["scp", "drift", "--json"]);
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual(
      JSON.parse(r.stdout).drift.map((d: any) => [d.kind, d.subject]),
      [["content", "platform-deny-leave-organization"]],
    );
  });

  it("reports a missing policy, an extra policy with its targets, and exits 1", async () => {
    const fake = fakeOrg({
      edit: (s) => {
        s.policies = s.policies.filter((p) => p.Name !== "platform-lambda-url-iam-auth");
        s.policies.push({
          Id: "p-legacyallow1",
          Name: "legacy-allow-everything",
          Description: "",
          AwsManaged: false,
          Content: "{}",
          targets: [ACCOUNT_IDS.prod],
        });
      },
    });
    const r = await run(fake, ["scp", "drift"]);
    assert.strictEqual(r.code, 1);
    assert.match(
      r.stdout,
      /^ {2}MISSING {5}platform-lambda-url-iam-auth: in policies\/scp\/lambda-url-iam-auth\.json, not in AWS$/m,
    );
    assert.match(
      r.stdout,
      /^ {2}EXTRA {7}legacy-allow-everything \(p-legacyallow1\): in AWS, not in policies\/scp\/; attached to account:prod \(openems-prod, 555555555555\)$/m,
    );
    assert.match(r.stdout, /Drift found \(2\):/);
  });

  it("compares the RCPs too, with the live organization's id bound: a perimeter naming another organization is drift", async () => {
    const fake = fakeOrg({
      edit: (s) => {
        const p = policy(s, "platform-data-perimeter");
        assert.ok(p.Content.includes(ORG_ID), "the fixture RCP does not bind the organization id");
        p.Content = p.Content.split(ORG_ID).join("o-zz9988776655");
        const trail = policy(s, "platform-protect-trail-logs");
        trail.targets = [];
        s.policies.push({
          Id: "p-plantedrcp1",
          Type: "RESOURCE_CONTROL_POLICY",
          Name: "planted-rcp",
          Description: "",
          AwsManaged: false,
          Content: "{}",
          targets: [ACCOUNT_IDS.dev],
        });
      },
    });
    const r = await run(fake, ["scp", "drift"]);
    assert.strictEqual(r.code, 1, r.stdout);
    assert.match(
      r.stdout,
      /^ {2}CHANGED {5}RCP platform-data-perimeter \(p-rcpdataperim\): content differs from policies\/rcp\/data-perimeter\.json$/m,
    );
    assert.match(r.stdout, /^ {6}- +"aws:PrincipalOrgID": "o-a1b2c3d4e5"$/m);
    assert.match(
      r.stdout,
      /^ {2}TARGETS {5}RCP platform-protect-trail-logs \(p-rcpprotecttr\): not attached to ou:security/m,
    );
    assert.match(
      r.stdout,
      /^ {2}EXTRA {7}RCP planted-rcp \(p-plantedrcp1\): in AWS, not in policies\/rcp\/; attached to account:dev/m,
    );
    assert.match(r.stdout, /Drift found \(3\):/);
    const types = fake
      .callsOf("ListPolicies")
      .map((c) => c.input.Filter)
      .sort();
    assert.deepStrictEqual(
      [...new Set(types)],
      ["RESOURCE_CONTROL_POLICY", "SERVICE_CONTROL_POLICY"],
    );
  });

  it("reports a missing RCP", async () => {
    const fake = fakeOrg({
      edit: (s) => {
        s.policies = s.policies.filter((p) => p.Name !== "platform-data-perimeter");
      },
    });
    const r = await run(fake, ["scp", "drift", "--json"]);
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual(
      JSON.parse(r.stdout).drift.map((d: any) => [d.kind, d.policyType, d.subject]),
      [["missing", "RCP", "platform-data-perimeter"]],
    );
  });

  it("reports changed targets by their config names", async () => {
    const fake = fakeOrg({
      edit: (s) => {
        const p = policy(s, "platform-deny-agent-role");
        p.targets = p.targets.filter((t) => t !== ACCOUNT_IDS.stage).concat(ACCOUNT_IDS.dev);
        policy(s, "platform-region-lock").targets.push(OU_IDS.sandbox);
      },
    });
    const r = await run(fake, ["scp", "drift", "--json"]);
    assert.strictEqual(r.code, 1);
    const doc = JSON.parse(r.stdout);
    const targets = doc.drift.filter((d: any) => d.kind === "targets");
    assert.deepStrictEqual(
      targets.map((d: any) => [
        d.subject,
        d.missingTargets.map((t: any) => t.label),
        d.extraTargets.map((t: any) => t.label),
      ]),
      [
        ["platform-deny-agent-role", ["account:stage"], ["account:dev"]],
        ["platform-region-lock", [], ["ou:sandbox"]],
      ],
    );
    const text = (await run(fake, ["scp", "drift"])).stdout;
    assert.match(
      text,
      /TARGETS {5}platform-deny-agent-role \(p-denyagentrol\): not attached to account:stage \(openems-stage, 444444444444\); also attached to account:dev \(openems-dev, 333333333333\)/,
    );
  });

  it("reports a changed description", async () => {
    const r = await run(
      fakeOrg({ edit: (s) => (policy(s, "platform-deny-root-user").Description = "root is fine") }),
      ["scp", "drift"],
    );
    assert.strictEqual(r.code, 1);
    assert.match(
      r.stdout,
      /DESCRIPTION platform-deny-root-user \(p-denyrootuser\): description differs/,
    );
    assert.match(r.stdout, /live: {5}"root is fine"/);
  });

  it("reports a target of the attachment plan that the organization lacks", async () => {
    const fake = fakeOrg({
      edit: (s) => {
        s.ous = s.ous.filter((o) => o.Id !== OU_IDS.sandbox);
        s.accounts.find((a) => a.Id === ACCOUNT_IDS.sandbox)!.ParentId = ROOT_ID;
        for (const p of nonEmpty(s.policies, "s.policies"))
          p.targets = p.targets.filter((t) => t !== OU_IDS.sandbox);
      },
    });
    const r = await run(fake, ["scp", "drift", "--json"]);
    assert.strictEqual(r.code, 1);
    const missing = JSON.parse(r.stdout).drift.filter((d: any) => d.kind === "unknown-target");
    assert.deepStrictEqual(
      missing.map((d: any) => d.subject),
      ["ou:sandbox"],
    );
    assert.match(
      missing[0].summary,
      /puts bedrock-model-allowlist, deny-expensive-services, ec2-instance-type-allowlist, lambda-url-iam-auth on ou:sandbox/,
    );
  });

  it("gives the same report whatever the page size", async () => {
    const edit = (s: FakeState) => (policy(s, "platform-deny-root-user").targets = []);
    const a = await run(fakeOrg({ pageSize: 1, edit }), ["scp", "drift", "--json"]);
    const b = await run(fakeOrg({ pageSize: 50, edit }), ["scp", "drift", "--json"]);
    assert.strictEqual(a.code, 1);
    assert.strictEqual(a.stdout, b.stdout);
  });
});

describe("SCP content comparison", () => {
  const table: [string, unknown, unknown, boolean][] = [
    ["identical", { a: 1, b: [1, 2] }, { a: 1, b: [1, 2] }, true],
    ["keys reordered", { a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 }, true],
    ["list reordered", { a: ["x", "y"] }, { a: ["y", "x"] }, false],
    ["string versus one-element list", { a: "x" }, { a: ["x"] }, false],
    ["value changed", { a: "x" }, { a: "y" }, false],
    ["key added", { a: 1 }, { a: 1, b: 2 }, false],
  ];
  for (const [name, expected, live, same] of table) {
    it(`${same ? "accepts" : "flags"} ${name}`, () => {
      assert.strictEqual(sameAsStack(expected, JSON.stringify(live, null, 3)), same);
    });
  }

  it("flags live content that is not JSON", () => {
    assert.strictEqual(sameAsStack({ a: 1 }, "{a:1"), false);
  });

  it("sorts keys for comparison and aligns live keys to the file's order for display", () => {
    assert.strictEqual(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] }), '{"a":[{"c":2,"d":1}],"b":1}');
    assert.deepStrictEqual(Object.keys(alignKeys({ z: 1, b: 2, a: 3 }, { a: 0, b: 0 }) as object), [
      "a",
      "b",
      "z",
    ]);
  });
});
