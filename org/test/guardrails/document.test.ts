import * as assert from "assert";
import { loadScps } from "../../guardrails";
import { CTX, fixture, LoadFailure } from "./fixtures";

const documentFailures: LoadFailure[] = [
  {
    name: "a statement without Sid, naming the file and the statement",
    dir: "missing-sid",
    intents: { "missing-sid": "x" },
    message: /missing-sid\.json: Statement\[1\] has no Sid/,
  },
  {
    name: "duplicate Sids, naming the file and the Sid",
    dir: "duplicate-sid",
    intents: { "duplicate-sid": "x" },
    message:
      /duplicate-sid\.json: duplicate Sid "DenyExpensiveServices" in Statement\[0\] and .*\[1\]/,
  },
];
describe("validateScpDocument, through loadScps", () => {
  for (const f of documentFailures) {
    it(`rejects ${f.name}`, async () => {
      assert.throws(() => loadScps(fixture(f.dir), CTX, f.intents), f.message);
    });
  }
});
