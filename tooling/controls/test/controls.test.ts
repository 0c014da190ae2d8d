import * as assert from "assert";
import { nonEmpty } from "../../../tooling/testing/non-empty";
import * as fs from "fs";
import * as path from "path";
import { SCP_INTENTS } from "../../../org/guardrails";
import { REPO_ROOT } from "../../../lib/repo";
import { catalogue } from "../../../policies/pack/policies";
import { CONTROLS_FILE } from "../cli";
import {
  collectControls,
  findProvingTests,
  firstSentence,
  listTestFiles,
  renderControlMatrix,
} from "../generate";

const README = path.join(REPO_ROOT, "policies", "README.md");

describe("control matrix", () => {
  it("is committed exactly as the generator renders it (run `npm run controls` after changing a control or a test)", async () => {
    const committed = fs.existsSync(CONTROLS_FILE)
      ? fs.readFileSync(CONTROLS_FILE, "utf8")
      : "(missing)";
    assert.ok(
      committed === renderControlMatrix(),
      "policies/CONTROLS.md is stale: run npm run controls and commit the result",
    );
  });

  it("has one row per SCP file, pack policy, freezing account and exported config validator", async () => {
    const controls = collectControls();
    const ids = controls.map((c) => c.id);
    assert.deepStrictEqual(
      ids.filter((id, i) => ids.indexOf(id) !== i),
      [],
      "control ids are unique",
    );
    const scpFiles = fs
      .readdirSync(path.join(REPO_ROOT, "policies", "scp"))
      .map((f) => `scp:${f.replace(/\.json$/, "")}`);
    assert.deepStrictEqual(ids.filter((id) => id.startsWith("scp:")).sort(), scpFiles.sort());
    assert.deepStrictEqual(
      ids.filter((id) => id.startsWith("pack:")),
      catalogue.map((m) => `pack:${m.policy.name}`),
    );
    assert.deepStrictEqual(
      ids.filter((id) => id.startsWith("budget:")),
      ["budget:dev-freeze", "budget:sandbox-freeze"],
    );
    for (const fn of [
      "validateOrgConfig",
      "validateEnvironment",
      "crossCheckNetwork",
      "checkScpLimits",
    ]) {
      assert.ok(ids.includes(`config:${fn}`), `config:${fn} missing`);
    }
    for (const c of nonEmpty(controls, "controls")) {
      assert.ok(
        fs.existsSync(path.join(REPO_ROOT, c.source)),
        `${c.id}: source ${c.source} does not exist`,
      );
      for (const t of nonEmpty(c.provingTests, "c.provingTests"))
        assert.ok(fs.existsSync(path.join(REPO_ROOT, t)), `${c.id}: test ${t} does not exist`);
    }
  });

  it("shows where each SCP is attached and which accounts it reaches", async () => {
    const byId = new Map(collectControls().map((c) => [c.id, c]));
    assert.strictEqual(
      byId.get("scp:deny-agent-role")?.targets,
      "attached to account:stage, ou:workloads/prod; reaches stage, prod",
    );
    assert.match(
      byId.get("scp:freeze")!.targets,
      /budget action attaches it to account:dev, account:sandbox/,
    );
    assert.match(
      byId.get("scp:region-lock")!.intent,
      /^Denies regional services outside the allowed regions .*, so nothing is created or runs in a forgotten region\.$/,
    );
  });

  it("names the tests that mention a control, and none when no test does", async () => {
    const tests = [
      { path: "a/test/x.test.ts", text: 'deniedBy: "region-lock"' },
      { path: "b/test/y.test.ts", text: "const regionlock = 1; // region-lock-ish" },
    ];
    assert.deepStrictEqual(findProvingTests(/["'`]region-lock["'`]/, tests), ["a/test/x.test.ts"]);
    assert.deepStrictEqual(findProvingTests(/["'`]no-such-control["'`]/, tests), []);
    // The repository's own matrix lists exactly its untested controls, or "None." (an uncovered
    // control is exercised on a fixture repository in fixture.test.ts).
    const text = renderControlMatrix();
    const untested = collectControls().filter((c) => c.provingTests.length === 0);
    const section = text.slice(text.indexOf("## Controls without a proving test"));
    assert.deepStrictEqual(
      section.split("\n").slice(2).filter(Boolean),
      untested.length ? untested.map((c) => `- \`${c.id}\` (${c.source})`) : ["None."],
    );
  });

  it("searches every test file of the repository but its own", async () => {
    const files = listTestFiles();
    assert.ok(files.includes("org/test/scp-scenarios.test.ts"));
    assert.ok(files.includes("policies/pack/test/integration.test.ts"));
    assert.ok(!files.some((f) => f.startsWith("tooling/controls/") || f.includes("node_modules")));
  });

  it("takes a validator's intent from the first sentence of its JSDoc", async () => {
    assert.strictEqual(
      firstSentence("/**\n * Checks the SCPs against the quotas. More detail\n * here.\n */"),
      "Checks the SCPs against the quotas.",
    );
    assert.strictEqual(
      firstSentence("/** Loads {@link Foo} values, e.g. tags */"),
      "Loads Foo values, e.g. tags",
    );
  });
});

describe("policies/README.md", () => {
  const text = fs.readFileSync(README, "utf8");

  it("has a section for every SCP and every pack policy", async () => {
    for (const name of nonEmpty(Object.keys(SCP_INTENTS), "SCP intent"))
      assert.ok(text.includes(`### ${name}`), `README lacks a section for SCP ${name}`);
    for (const { policy } of nonEmpty(catalogue, "pack policy"))
      assert.ok(
        text.includes(`### ${policy.name}`),
        `README lacks a section for pack policy ${policy.name}`,
      );
  });

  it("states each SCP's intent exactly as SCP_INTENTS does", async () => {
    for (const [name, intent] of nonEmpty(Object.entries(SCP_INTENTS), "SCP intent")) {
      const section = text.slice(text.indexOf(`### ${name}`)).split("\n### ")[0];
      assert.ok(
        section.includes(intent),
        `README's ${name} section does not state the intent from SCP_INTENTS`,
      );
    }
  });

  it("names only test files that exist", async () => {
    for (const m of nonEmpty(text.matchAll(/`([\w./-]+\.test\.ts)`/g), "named test file"))
      assert.ok(
        fs.existsSync(path.join(REPO_ROOT, m[1])),
        `${m[1]} named in README does not exist`,
      );
  });
});
