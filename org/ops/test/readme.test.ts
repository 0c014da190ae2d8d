/**
 * The example output in org/ops/README.md is the tool's real output for the fixture organization;
 * this keeps it so when the output changes.
 */
import { nonEmpty } from "../../../tooling/testing/non-empty";
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ACCOUNT_IDS, FakeState } from "./fake-aws";
import { fakeOrg, run } from "./harness";

const README = path.join(__dirname, "..", "README.md");
const REASON = "Budget raised to 150 USD after review (FIN-42)";

function driftedOrg(s: FakeState): void {
  const lock = s.policies.find((p) => p.Name === "platform-region-lock")!;
  const doc = JSON.parse(lock.Content);
  doc.Statement[0].Condition.StringNotEquals["aws:RequestedRegion"].push("eu-west-1");
  lock.Content = JSON.stringify(doc);
  const agent = s.policies.find((p) => p.Name === "platform-deny-agent-role")!;
  agent.targets = agent.targets.filter((t) => t !== ACCOUNT_IDS.stage);
  // Someone detached the data perimeter from the root.
  const perimeter = s.policies.find((p) => p.Name === "platform-data-perimeter")!;
  perimeter.targets = [];
  s.policies.push({
    Id: "p-legacyallow1",
    Name: "legacy-allow-everything",
    Description: "",
    AwsManaged: false,
    Content: "{}",
    targets: [ACCOUNT_IDS.prod],
  });
}

const EXAMPLES: Record<
  string,
  { frozen?: string[]; edit?: (s: FakeState) => void; argv: string[]; code: number }
> = {
  "freeze-status-frozen": { frozen: ["dev"], argv: ["freeze", "status"], code: 0 },
  "freeze-status-unfrozen": { argv: ["freeze", "status"], code: 0 },
  "unfreeze-refused": { frozen: ["dev"], argv: ["unfreeze", "dev", "--reason", REASON], code: 2 },
  "unfreeze-done": {
    frozen: ["dev"],
    argv: ["unfreeze", "dev", "--reason", REASON, "--yes"],
    code: 0,
  },
  budgets: { frozen: ["dev"], argv: ["budgets"], code: 0 },
  "drift-none": { frozen: ["dev"], argv: ["scp", "drift"], code: 0 },
  "drift-found": { edit: driftedOrg, argv: ["scp", "drift"], code: 1 },
};

function readmeExamples(): Map<string, string> {
  const text = fs.readFileSync(README, "utf8");
  const found = new Map<string, string>();
  for (const m of nonEmpty(
    text.matchAll(/<!-- example: ([a-z-]+) -->\n```text\n([\s\S]*?)\n```/g),
    "text.matchAll(/<!-- example: ([a-z-]+...",
  ))
    found.set(m[1], m[2]);
  return found;
}

describe("org/ops/README.md", () => {
  it("has exactly the examples this test renders", () => {
    assert.deepStrictEqual([...readmeExamples().keys()].sort(), Object.keys(EXAMPLES).sort());
  });

  for (const [id, example] of nonEmpty(Object.entries(EXAMPLES), "Object.entries(EXAMPLES)")) {
    it(`shows the real output of ${example.argv.join(" ")} (${id})`, async () => {
      const r = await run(fakeOrg({ frozen: example.frozen, edit: example.edit }), example.argv);
      assert.strictEqual(r.code, example.code, r.stderr);
      assert.strictEqual(readmeExamples().get(id), r.stdout);
    });
  }
});
