import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { loadScps } from "../../guardrails";
import { CTX, fixture, LoadFailure, SCP_DIR } from "./fixtures";

describe("loadScps", () => {
  it("loads every file in policies/scp with its intent, and every intent has a file", async () => {
    const scps = loadScps(SCP_DIR, CTX);
    // Every file of the directory, by name (an intent without a file fails loadScps, see below).
    assert.deepStrictEqual(
      scps.map((p) => p.name).sort(),
      fs
        .readdirSync(SCP_DIR)
        .filter((f) => f.endsWith(".json"))
        .map((f) => f.replace(/\.json$/, ""))
        .sort(),
    );
    // The description is the intent the loader is given, for each file by its name.
    const intents = Object.fromEntries(scps.map((p) => [p.name, `intent of ${p.name}`]));
    const described = new Map(loadScps(SCP_DIR, CTX, intents).map((p) => [p.name, p.description]));
    for (const p of scps) {
      assert.strictEqual(described.get(p.name), `intent of ${p.name}`);
      assert.strictEqual(p.file, path.join(SCP_DIR, `${p.name}.json`));
      assert.strictEqual(p.minified, JSON.stringify(p.document));
      assert.ok(!p.minified.includes("{{"), `${p.name} still holds a token`);
    }
  });
});

const loaderFailures: LoadFailure[] = [
  {
    name: "a file without an intent",
    dir: "tokens",
    intents: {},
    message: /tokens\.json: policy "tokens" has no intent; add a one-sentence entry to SCP_INT/,
  },
  {
    name: "an intent without a file",
    dir: "tokens",
    intents: { tokens: "x", "region-lock": "y" },
    message: /SCP_INTENTS names "region-lock" but .* has no such file/,
  },
  {
    name: "a file that is not an SCP JSON file in the policy folder",
    dir: "stray-file",
    intents: { "deny-leave-organization": "x" },
    message: /README\.md: .* must hold SCP JSON files only/,
  },
];
describe("the loader's file checks, through loadScps", () => {
  for (const f of loaderFailures) {
    it(`rejects ${f.name}`, async () => {
      assert.throws(() => loadScps(fixture(f.dir), CTX, f.intents), f.message);
    });
  }
});
