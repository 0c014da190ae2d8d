import { nonEmpty } from "../../testing/non-empty";
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runDeploy } from "../cli";
import { REPO_ROOT } from "../../../lib/repo";

interface Call {
  args: string[];
  cwd: string;
}

/** A sandbox: the fake `pulumi` first on PATH, its log and its stack state in a temp folder. */
class Sandbox {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-test-"));
  readonly bin = path.join(this.dir, "bin");
  readonly state = path.join(this.dir, "state");
  readonly log = path.join(this.dir, "calls.jsonl");
  readonly summary = path.join(this.dir, "summary.md");
  private saved: NodeJS.ProcessEnv = {};

  constructor() {
    fs.mkdirSync(this.bin);
    fs.mkdirSync(this.state);
    fs.writeFileSync(this.log, "");
    fs.symlinkSync(path.join(__dirname, "fake-pulumi.sh"), path.join(this.bin, "pulumi"));
  }

  /** Sets the variables the fake reads; `path` replaces PATH's head (or all of PATH). */
  env(vars: Record<string, string | undefined>, pathValue = `${this.bin}:${process.env.PATH}`) {
    const all = {
      PATH: pathValue,
      FAKE_PULUMI_LOG: this.log,
      FAKE_PULUMI_STATE: this.state,
      FAKE_PULUMI_FAIL: undefined,
      FAKE_PULUMI_NO_CHANGES: undefined,
      PULUMI_SECRETS_PROVIDER: undefined,
      GITHUB_STEP_SUMMARY: undefined,
      ...vars,
    };
    for (const [k, v] of nonEmpty(Object.entries(all), "Object.entries(all)")) {
      if (!(k in this.saved)) this.saved[k] = process.env[k];
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }

  restore() {
    for (const [k, v] of nonEmpty(Object.entries(this.saved), "Object.entries(this.saved)")) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  calls(): Call[] {
    return fs
      .readFileSync(this.log, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  }

  /** `<project>/<stack>` of every call of one subcommand, in order. */
  stacksOf(cmd: string, sub?: string): string[] {
    return this.calls()
      .filter((c) => c.args[0] === cmd && (sub === undefined || c.args[1] === sub))
      .map((c) => {
        const i = c.args.indexOf("--stack");
        const stack = i >= 0 ? c.args[i + 1] : c.args[2];
        return `${path.basename(c.cwd)}/${stack}`;
      });
  }
}

async function run(argv: string[], answers: boolean[] = []) {
  const out: string[] = [];
  const err: string[] = [];
  const questions: string[] = [];
  const code = await runDeploy(argv, {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    confirm: async (q) => {
      questions.push(q);
      return answers.shift() ?? false;
    },
  });
  return { code, out: out.join("\n"), err: err.join("\n"), questions };
}

const DEV = ["org/management", "network/dev", "workloads/dev", "edge/dev"];

const FORBIDDEN = (c: Call) =>
  ["destroy", "refresh", "cancel"].includes(c.args[0]) ||
  (c.args[0] === "stack" && c.args[1] === "rm");

describe("npm run deploy (against a fake pulumi on PATH)", function () {
  this.timeout(60_000);
  let box: Sandbox;
  beforeEach(() => (box = new Sandbox()));
  afterEach(() => {
    // Whatever happened, this command never destroys anything.
    const calls = box.calls();
    box.restore();
    assert.deepStrictEqual(calls.filter(FORBIDDEN), []);
  });

  it("creates each stack with the bootstrap's secrets provider, previews with the policy pack, then updates in order", async () => {
    box.env({});
    const r = await run(["--env", "dev", "--yes"]);
    assert.strictEqual(r.code, 0, r.err);
    assert.deepStrictEqual(box.stacksOf("stack", "init"), DEV);
    for (const c of nonEmpty(
      box.calls().filter((c) => c.args[1] === "init"),
      "box.calls().filter((c) => c.args[1] =...",
    ))
      assert.strictEqual(
        c.args[c.args.indexOf("--secrets-provider") + 1],
        "awskms://alias/platform-pulumi-secrets?region=us-east-1",
      );
    assert.deepStrictEqual(box.stacksOf("preview"), DEV);
    assert.deepStrictEqual(box.stacksOf("up"), DEV);
    // Every preview comes before the first update.
    const kinds = box.calls().map((c) => c.args[0]);
    assert.ok(kinds.lastIndexOf("preview") < kinds.indexOf("up"), kinds.join(" "));
    assert.match(r.out, /network\/dev\s+3 to create/);
    // The policy pack on every preview and update of an environment stack; org has none.
    const pack = path.join(REPO_ROOT, "policies", "pack");
    const ops = box.calls().filter((c) => c.args[0] === "preview" || c.args[0] === "up");
    assert.strictEqual(ops.length, 8);
    for (const c of ops) {
      assert.ok(c.cwd.startsWith(REPO_ROOT), c.cwd);
      const packs = c.args.flatMap((a, i) => (a === "--policy-pack" ? [c.args[i + 1]] : []));
      const org = path.basename(c.cwd) === "org";
      assert.deepStrictEqual(packs, org ? [] : [pack], `${c.args[0]} in ${c.cwd}`);
    }
    // The next run selects the stacks it created.
    fs.writeFileSync(box.log, "");
    box.env({ FAKE_PULUMI_NO_CHANGES: "org/management" });
    const again = await run(["--env", "dev", "--yes"]);
    assert.strictEqual(again.code, 0, again.err);
    assert.deepStrictEqual(box.stacksOf("stack", "init"), []);
    assert.deepStrictEqual(box.stacksOf("stack", "select"), DEV);
    // ... and leaves org alone when its preview shows no changes.
    assert.deepStrictEqual(box.stacksOf("up"), DEV.slice(1));
    assert.match(again.out, /org\/management: no changes, not updated/);
  });

  it("runs --env all in the order dev, stage, prod, org once first", async () => {
    box.env({});
    const r = await run(["--env", "all", "--yes"]);
    assert.strictEqual(r.code, 0, r.err);
    const envs = ["dev", "stage", "prod"];
    assert.deepStrictEqual(box.stacksOf("up"), [
      "org/management",
      ...envs.flatMap((e) => ["network", "workloads", "edge"].map((p) => `${p}/${e}`)),
    ]);
  });

  it("leaves org out with --without-org", async () => {
    box.env({});
    const r = await run(["--env", "dev", "--yes", "--without-org"]);
    assert.strictEqual(r.code, 0, r.err);
    assert.deepStrictEqual(box.stacksOf("up"), DEV.slice(1));
    assert.ok(!box.calls().some((c) => path.basename(c.cwd) === "org"), "org never touched");
  });

  it("stops at the first failed update, names the stack and says what to do", async () => {
    box.env({ FAKE_PULUMI_FAIL: "up:workloads/dev" });
    const r = await run(["--env", "dev", "--yes"]);
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual(box.stacksOf("up"), ["org/management", "network/dev", "workloads/dev"]);
    assert.match(r.err, /workloads\/dev failed/);
    assert.match(r.err, /UnauthorizedOperation/);
    assert.match(r.err, /Not updated: edge\/dev/);
    assert.match(r.err, /What to do: .*rerun `npm run deploy -- --env dev`/);
    assert.ok(!/\n\s+at /.test(r.err), r.err);
  });

  it("updates nothing when a preview fails", async () => {
    box.env({ FAKE_PULUMI_FAIL: "preview:network/dev", FAKE_PULUMI_NO_CHANGES: "org/management" });
    const r = await run(["--env", "dev", "--yes"]);
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual(box.stacksOf("up"), []);
    assert.match(r.err, /network\/dev: the preview failed, nothing was updated/);
    assert.match(r.err, /sts:AssumeRole/);
  });

  it("asks once and updates nothing unless the answer is yes", async () => {
    box.env({});
    const no = await run(["--env", "dev"], [false]);
    assert.strictEqual(no.code, 0);
    assert.strictEqual(no.questions.length, 1);
    assert.deepStrictEqual(box.stacksOf("up"), []);
    assert.match(no.out, /Not confirmed: nothing was updated/);
    fs.writeFileSync(box.log, "");
    const yes = await run(["--env", "dev"], [true]);
    assert.strictEqual(yes.questions.length, 1);
    assert.deepStrictEqual(box.stacksOf("up"), DEV);
  });

  it("previews a stack again, and asks again, after the upstream update its preview waited for", async () => {
    box.env({ FAKE_PULUMI_FAIL_ONCE: "preview:network/dev" });
    const r = await run(["--env", "dev"], [true, true]);
    assert.strictEqual(r.code, 0, r.err);
    assert.deepStrictEqual(box.stacksOf("preview"), [...DEV, "network/dev"]);
    assert.deepStrictEqual(box.stacksOf("up"), DEV);
    assert.strictEqual(r.questions.length, 2);
    assert.match(r.questions[1], /Update network\/dev\?/);
    // The second preview runs after org's update and before network's.
    const order = box.calls().map((c) => `${c.args[0]} ${path.basename(c.cwd)}`);
    const orgUp = order.indexOf("up org");
    assert.ok(orgUp >= 0 && order.indexOf("preview network", orgUp) < order.indexOf("up network"));
  });

  it("with --preview, previews every stack, neither asks nor updates, and writes the CI summary", async () => {
    box.env({ GITHUB_STEP_SUMMARY: box.summary });
    const r = await run(["--env", "dev", "--preview"]);
    assert.strictEqual(r.code, 0, r.err);
    assert.deepStrictEqual(box.stacksOf("preview"), DEV);
    assert.deepStrictEqual(box.stacksOf("up"), []);
    assert.deepStrictEqual(r.questions, []);
    const summary = fs.readFileSync(box.summary, "utf8");
    for (const s of DEV)
      assert.match(summary, new RegExp(`\\| \`${s}\` \\| 3 to create \\| previewed \\|`));
  });

  it("says how to install the CLI when pulumi is not on PATH", async () => {
    box.env({}, path.join(box.dir, "empty"));
    const r = await run(["--env", "dev", "--yes"]);
    assert.strictEqual(r.code, 1);
    assert.match(r.err, /Pulumi CLI is not installed/);
    assert.match(r.err, /get\.pulumi\.com/);
  });

  const usage: { argv: string[]; code: number; expect: RegExp }[] = [
    { argv: ["--help"], code: 0, expect: /--env[\s\S]*--preview[\s\S]*--yes[\s\S]*never destroys/ },
    { argv: ["--env", "qa"], code: 2, expect: /--env: got "qa"; expected dev, stage, prod or all/ },
    { argv: [], code: 2, expect: /--env: got nothing/ },
    { argv: ["--destroy"], code: 2, expect: /Unknown option '--destroy'/ },
  ];
  for (const u of usage) {
    it(`answers ${u.argv.join(" ") || "no arguments"} with exit ${u.code}`, async () => {
      box.env({});
      const r = await run(u.argv);
      assert.strictEqual(r.code, u.code);
      assert.match(r.out + r.err, u.expect);
      assert.deepStrictEqual(box.calls(), [], "the CLI is not even started");
    });
  }
});
