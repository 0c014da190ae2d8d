import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseOpsArgs, runOps, USAGE } from "../commands";
import { OpsError } from "../aws";
import { accountBudgetName, freezePolicyName, loadExpectedState } from "../expected";
import { FREEZE_POLICY_NAME } from "../../guardrails";
import { byType, stackOf } from "../../../tooling/testing/harness";
import { ORG_STACK_FILE } from "../../../lib/repo";
import { diffLines, renderDiff, renderTable, spendBar } from "../render";
import { fakeOrg, run } from "./harness";

describe("ops command line", () => {
  const good: [string[], unknown][] = [
    [["freeze", "status"], { command: { name: "freeze status" }, json: false }],
    [["freeze", "status", "--json"], { command: { name: "freeze status" }, json: true }],
    [["scp", "drift"], { command: { name: "scp drift" }, json: false }],
    [["budgets", "--json"], { command: { name: "budgets" }, json: true }],
    [
      ["unfreeze", "dev", "--reason", "  FIN-42 ", "--yes"],
      { command: { name: "unfreeze", account: "dev", reason: "FIN-42", yes: true }, json: false },
    ],
    [
      ["unfreeze", "--reason=FIN-42", "dev"],
      { command: { name: "unfreeze", account: "dev", reason: "FIN-42", yes: false }, json: false },
    ],
    [["--help"], { command: { name: "help" }, json: false }],
  ];
  for (const [argv, parsed] of good) {
    it(`parses ${argv.join(" ")}`, () => assert.deepStrictEqual(parseOpsArgs(argv), parsed));
  }

  const bad: [string[], RegExp][] = [
    [[], /^no command given/],
    [["freeze"], /^unknown command "freeze"/],
    [["scp", "drfit"], /^unknown command "scp drfit"/],
    [["budgets", "--colour"], /Unknown option '--colour'/],
    [["budgets", "--yes"], /--reason and --yes belong to unfreeze, not to budgets/],
    [["unfreeze", "dev"], /unfreeze needs --reason "<why>"/],
    [["unfreeze", "dev", "--reason", "   "], /unfreeze needs --reason "<why>"/],
    [["unfreeze", "--reason", "x"], /unfreeze takes exactly one account; got 0/],
    [["unfreeze", "dev", "stage", "--reason", "x"], /unfreeze takes exactly one account; got 2/],
  ];
  for (const [argv, message] of bad) {
    it(`rejects "${argv.join(" ")}" with the usage`, () => {
      assert.throws(
        () => parseOpsArgs(argv),
        (err: unknown) => {
          assert.ok(err instanceof OpsError);
          assert.match(err.message, message);
          assert.ok(err.message.endsWith(USAGE));
          return true;
        },
      );
    });
  }

  it("exits 2 on a usage error without calling AWS, and 0 for --help", async () => {
    const fake = fakeOrg();
    const usage = await run(fake, ["unfreeze", "dev"]);
    assert.strictEqual(usage.code, 2);
    assert.match(usage.stderr, /^error: unfreeze needs --reason/);
    assert.deepStrictEqual(fake.calls, []);
    const help = await run(fake, ["-h"]);
    assert.strictEqual(help.code, 0);
    assert.match(help.stdout, /^usage: npm run ops -- <command> \[options\]\n/);
    for (const command of [
      "freeze status",
      'unfreeze <account> --reason "<why>" --yes',
      "scp drift",
      "budgets",
    ]) {
      assert.ok(help.stdout.includes(`\n  ${command}`), `--help names ${command}`);
    }
  });
});

describe("ops expected state", () => {
  it("refuses an invalid stack file with the config error, before any AWS call", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ops-"));
    const file = path.join(dir, "Pulumi.management.yaml");
    fs.writeFileSync(
      file,
      fs.readFileSync(ORG_STACK_FILE, "utf8").replace("prefix: platform", "prefix: Platform_X"),
    );
    try {
      assert.throws(
        () => loadExpectedState(file),
        (err: unknown) => {
          assert.ok(err instanceof OpsError);
          assert.match(
            err.message,
            /^Cannot work out the expected state from .*Pulumi\.management\.yaml/,
          );
          assert.match(err.message, /platform:organization\.prefix: got "Platform_X"/);
          return true;
        },
      );
      const fake = fakeOrg();
      const errors: string[] = [];
      const code = await runOps(["budgets"], {
        awsClients: () => fake.clients,
        loadExpected: () => loadExpectedState(file),
        now: () => new Date(),
        isTTY: false,
        stdout: () => undefined,
        stderr: (t) => errors.push(t),
      });
      assert.strictEqual(code, 2);
      assert.match(errors.join("\n"), /platform:organization\.prefix/);
      assert.deepStrictEqual(fake.calls, []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says to deploy the org stack when the freeze SCP does not exist", async () => {
    for (const argv of [
      ["freeze", "status"],
      ["unfreeze", "dev", "--reason", "x", "--yes"],
    ]) {
      const fake = fakeOrg({
        edit: (s) => (s.policies = s.policies.filter((p) => p.Name !== "platform-freeze")),
      });
      const r = await run(fake, argv);
      assert.strictEqual(r.code, 2);
      assert.match(
        r.stderr,
        /No service control policy named platform-freeze exists in this organization\. Deploy the org stack/,
      );
      assert.deepStrictEqual(fake.writes(), []);
    }
  });
});

describe("ops text helpers", () => {
  it("aligns table columns, numbers to the right, without trailing spaces", () => {
    assert.strictEqual(
      renderTable(
        [{ header: "NAME" }, { header: "AMOUNT", align: "right" }, { header: "NOTE" }],
        [
          ["a", "1.00", ""],
          ["long-name", "100.00", "x"],
        ],
      ),
      ["NAME       AMOUNT  NOTE", "a            1.00", "long-name  100.00  x"].join("\n"),
    );
  });

  const bars: [number | null, number | null, string][] = [
    [0, 0, "[....................]"],
    [50, 50, "[##########..........]"],
    [40, 70, "[########++++++......]"],
    [100, 150, "[####################]"],
    [112.4, 180, "[####################]!"],
    [30, null, "[######..............]"],
    [null, null, "[....................]"],
  ];
  for (const [actual, forecast, bar] of bars) {
    it(`draws ${actual}% actual, ${forecast}% forecast as ${bar}`, () =>
      assert.strictEqual(spendBar(actual, forecast), bar));
  }

  it("diffs lines with the longest common subsequence", () => {
    assert.deepStrictEqual(
      diffLines(["a", "b", "c", "d"], ["a", "c", "x", "d"]).map((l) => `${l.op}${l.text}`),
      [" a", "-b", " c", "+x", " d"],
    );
  });

  it("collapses long unchanged runs in a rendered diff", () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i}`);
    const after = before.map((l, i) => (i === 10 ? "changed" : l));
    assert.strictEqual(
      renderDiff("old", "new", before.join("\n"), after.join("\n"), 1),
      [
        "--- old",
        "+++ new",
        "  ... 9 unchanged lines",
        "  line 9",
        "- line 10",
        "+ changed",
        "  line 11",
        "  ... 8 unchanged lines",
      ].join("\n"),
    );
  });
});

describe("ops names", () => {
  it("looks for every SCP and budget under the name the planned org stack gives it", async function () {
    this.timeout(60000);
    const expected = loadExpectedState();
    const plan = await stackOf("org", "management");
    const scps = byType(plan, "aws:organizations/policy:Policy").filter(
      (p) => p.inputs.type === "SERVICE_CONTROL_POLICY",
    );
    assert.ok(scps.length > 0, "the org plan creates no SCP");
    // Matched on content, so the check does not depend on the naming function it checks.
    const freeze = expected.plan.policies.find((p) => p.name === FREEZE_POLICY_NAME);
    const planned = scps.find((s) => s.inputs.content === freeze?.minified);
    assert.ok(planned, "the org plan has no SCP with the freeze policy's content");
    assert.strictEqual(freezePolicyName(expected), planned.inputs.name);
    const budgets = byType(plan, "aws:budgets/budget:Budget");
    const accountKeys = Object.keys(expected.config["platform:budgets"].accounts);
    assert.ok(accountKeys.length > 0, "no account budgets configured");
    for (const key of accountKeys) {
      const planned = budgets.find((b) => b.name === `money-${key}`);
      assert.strictEqual(accountBudgetName(expected, key), planned?.inputs.name, key);
    }
  });
});
