import { nonEmpty } from "../../testing/non-empty";
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ORG_STACK_FILE, REPO_ROOT } from "../../../lib/repo";
import { catalogue } from "../../../policies/pack/policies";
import { collectControls, renderControlMatrix } from "../generate";

/**
 * The generator on a small repository built in a temporary folder: two SCP files, the shipped org
 * file, and a config module with two validators, one of whose intent holds a `|` and one that no
 * test names. What the matrix says is checked against literal text.
 */
function fixtureRepository(opts: { coverWidgets: boolean }): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "controls-fixture-"));
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  write("org/Pulumi.management.yaml", fs.readFileSync(ORG_STACK_FILE, "utf8"));
  for (const scp of ["region-lock", "freeze"])
    write(
      `policies/scp/${scp}.json`,
      fs.readFileSync(path.join(REPO_ROOT, "policies", "scp", `${scp}.json`), "utf8"),
    );
  write(
    "lib/config/gadgets.ts",
    [
      "/** Refuses a gadget whose mode is neither a | b nor c. More detail here. */",
      "export function validateGadgets(value: unknown): string[] {",
      "  return [];",
      "}",
      "",
      "/** Checks that widgets fit. */",
      "export function checkWidgets(value: unknown): string[] {",
      "  return [];",
      "}",
      "",
    ].join("\n"),
  );
  // The test names every control of the fixture (the pack's come from the real catalogue) except,
  // unless asked, checkWidgets.
  const named = [
    '"region-lock"',
    '"freeze"',
    ...catalogue.map((m) => `"${m.policy.name}"`),
    "dev-freeze",
    "sandbox-freeze",
    "validateGadgets",
    ...(opts.coverWidgets ? ["checkWidgets"] : []),
  ];
  write("lib/config/test/gadgets.test.ts", named.map((n) => `// ${n}\n`).join(""));
  write(
    "tooling/controls/test/self.test.ts",
    "// checkWidgets (the generator's own test proves nothing)\n",
  );
  return root;
}

/** Splits a table row on the `|` that separate cells, not on escaped `\|`. */
const cells = (row: string) =>
  row
    .replace(/^\| | \|$/g, "")
    .split(/ (?<!\\)\| /)
    .map((c) => c.trim());

describe("control matrix on a fixture repository", () => {
  const roots: string[] = [];
  after(() =>
    nonEmpty(roots, "roots").forEach((r) => fs.rmSync(r, { recursive: true, force: true })),
  );
  const repo = (coverWidgets: boolean) => {
    const root = fixtureRepository({ coverWidgets });
    roots.push(root);
    return root;
  };

  it("finds the fixture's controls, and checkWidgets proved by no test", () => {
    const controls = collectControls(repo(false));
    const byId = new Map(controls.map((c) => [c.id, c]));
    assert.deepStrictEqual(
      controls.filter((c) => c.kind === "config validation").map((c) => c.id),
      ["config:validateGadgets", "config:checkWidgets"],
    );
    assert.deepStrictEqual(byId.get("config:validateGadgets")!.provingTests, [
      "lib/config/test/gadgets.test.ts",
    ]);
    assert.deepStrictEqual(byId.get("config:checkWidgets")!.provingTests, []);
    assert.deepStrictEqual(
      controls.filter((c) => c.provingTests.length === 0).map((c) => c.id),
      ["config:checkWidgets"],
    );
  });

  it("escapes a | inside an intent, so the row keeps its seven cells", () => {
    const text = renderControlMatrix(repo(false));
    const row = text.split("\n").find((l) => l.startsWith("| `config:validateGadgets` |"));
    assert.ok(row, "a row for config:validateGadgets");
    assert.ok(
      row.includes("| Refuses a gadget whose mode is neither a \\| b nor c. |"),
      `intent cell not escaped:\n${row}`,
    );
    const c = cells(row);
    assert.strictEqual(c.length, 7, row);
    assert.strictEqual(c[2], "Refuses a gadget whose mode is neither a \\| b nor c.");
    assert.strictEqual(
      c[6],
      "[lib/config/test/gadgets.test.ts](../lib/config/test/gadgets.test.ts)",
    );
  });

  it('marks only the uncovered control as untested, and says "None." only when every control is proved', () => {
    const text = renderControlMatrix(repo(false));
    const lines = text.split("\n");
    const widgets = lines.find((l) => l.startsWith("| `config:checkWidgets` |"));
    assert.ok(widgets, "a row for config:checkWidgets");
    assert.strictEqual(cells(widgets)[6], "**none**");
    assert.deepStrictEqual(
      lines.filter((l) => l.endsWith("| **none** |")).map((l) => cells(l)[0]),
      ["`config:checkWidgets`"],
    );
    const section = text.slice(text.indexOf("## Controls without a proving test"));
    assert.deepStrictEqual(section.split("\n").slice(2).filter(Boolean), [
      "- `config:checkWidgets` (lib/config/gadgets.ts)",
    ]);
    assert.ok(!section.includes("None."), section);

    const covered = renderControlMatrix(repo(true));
    const coveredSection = covered.slice(covered.indexOf("## Controls without a proving test"));
    assert.deepStrictEqual(coveredSection.split("\n").slice(2).filter(Boolean), ["None."]);
    assert.ok(!covered.includes("**none**"), "no row says none once every control is proved");
  });
});
