/**
 * The shipped GitHub Actions workflow, read with GitHub's own parser (@actions/workflow-parser):
 * it is valid, previews on pull requests with the read-only role and deploys merges to main in
 * order, each environment behind its GitHub environment, with OIDC credentials only.
 */
import { nonEmpty } from "../../testing/non-empty";
import * as assert from "assert";
import * as esbuild from "esbuild";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { ENVIRONMENTS, REPO_ROOT } from "../../../lib/repo";
import { deployTrustPolicy, GITHUB_OIDC_HOST } from "../../../org/github";
import { runDeploy } from "../cli";

const WORKFLOW = path.join(REPO_ROOT, ".github", "workflows", "platform.yml");

/**
 * The parser ships as ES modules that import its JSON schema without an import attribute, which
 * Node refuses; esbuild (a dependency) bundles it into one CommonJS file once per run.
 */
function loadParser(): any {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "workflow-parser-")), "parser.cjs");
  esbuild.buildSync({
    stdin: { contents: 'export * from "@actions/workflow-parser";', resolveDir: REPO_ROOT },
    bundle: true,
    platform: "node",
    format: "cjs",
    outfile: out,
    logLevel: "error",
  });
  // A file written at run time can only be loaded with require().
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(out);
}

describe("GitHub Actions workflow (.github/workflows/platform.yml)", function () {
  this.timeout(30_000);
  let template: any;
  let raw: any;
  let errors: string[];
  const text = fs.readFileSync(WORKFLOW, "utf8");

  before(async () => {
    const parser = loadParser();
    const parsed = parser.parseWorkflow(
      { name: "platform.yml", content: text },
      new parser.NoOperationTraceWriter(),
    );
    errors = parsed.context.errors.getErrors().map((e: any) => e.message);
    template = JSON.parse(
      JSON.stringify(await parser.convertWorkflowTemplate(parsed.context, parsed.value)),
    );
    raw = parse(text);
  });

  const job = (id: string) => {
    const j = template.jobs.find((x: any) => x.id === id);
    assert.ok(j, `job ${id}`);
    return j;
  };
  const runs = (j: any): string[] => j.steps.filter((s: any) => s.run).map((s: any) => s.run);
  // The template keeps no `with:` of action steps; the raw YAML has it.
  const role = (j: any) =>
    raw.jobs[j.id].steps.find((s: any) =>
      String(s.uses).startsWith("aws-actions/configure-aws-credentials"),
    )?.with?.["role-to-assume"];
  /** A mapping as the template serialises it: `{ map: [{ Key, Value }] }`. */
  const mapping = (m: any): Record<string, string> =>
    Object.fromEntries((m?.map ?? []).map((e: any) => [e.Key, e.Value]));

  it("is a valid workflow for GitHub's parser", () => {
    assert.deepStrictEqual(errors, []);
    assert.deepStrictEqual(template.errors ?? [], []);
    assert.deepStrictEqual(Object.keys(template.events).sort(), ["pull_request", "push"]);
    assert.deepStrictEqual(template.events.push.branches, ["main"]);
  });

  it("tests, plans offline and previews every environment stack on pull requests", () => {
    const test = job("test");
    const ci = runs(test).find((r) => r.includes("./.ci/run"));
    assert.ok(ci, "the test job runs the repository's CI entry point");
    const entry = fs.readFileSync(path.join(REPO_ROOT, ".ci", "run"), "utf8");
    assert.match(entry, /^npm test$/m, ".ci/run runs npm test");
    assert.ok(runs(test).some((r) => r.includes("npm run -s plan -- --strict")));
    assert.ok(
      runs(test).some((r) => r.includes("GITHUB_STEP_SUMMARY")),
      "plan posted as summary",
    );
    const preview = job("preview");
    assert.deepStrictEqual(preview.needs, ["test"]);
    assert.match(preview.if.expr, /pull_request/);
    assert.match(preview.if.expr, /head\.repo\.full_name == github\.repository/, "no forks");
    assert.ok(runs(preview).includes("npm run -s deploy -- --env all --preview --without-org"));
    const step = preview.steps.find((s: any) => String(s.run).includes("--preview"));
    assert.strictEqual(mapping(step.env).PLATFORM_CI_READ_ONLY, "true");
    assert.match(role(preview), /CI_PREVIEW_ROLE_ARN/);
  });

  it("deploys merges to main in the order dev, stage, prod, each behind its environment", () => {
    const deploys = ENVIRONMENTS.map((e) => job(`deploy-${e}`));
    assert.deepStrictEqual(
      deploys.map((j) => j.environment),
      ["dev", "stage", "prod"],
    );
    assert.deepStrictEqual(
      deploys.map((j) => j.needs ?? []),
      [[], ["deploy-dev"], ["deploy-stage"]],
    );
    deploys.forEach((j, i) => {
      assert.match(j.if.expr, /github\.ref == 'refs\/heads\/main'/);
      assert.ok(
        runs(j).includes(`npm run -s deploy -- --env ${ENVIRONMENTS[i]} --yes --without-org`),
      );
      assert.match(role(j), /CI_DEPLOY_ROLE_ARN/);
    });
  });

  it("uses the environments the deploy role trusts", () => {
    const trust: any = deployTrustPolicy(
      "arn:aws:iam::1:oidc-provider/x",
      {
        repository: "o/r",
        branch: "main",
      },
      ENVIRONMENTS,
    );
    const subs = trust.Statement[0].Condition.StringEquals[`${GITHUB_OIDC_HOST}:sub`];
    const envs = template.jobs.filter((j: any) => j.environment).map((j: any) => j.environment);
    assert.deepStrictEqual(
      subs,
      envs.map((e: string) => `repo:o/r:environment:${e}`),
    );
  });

  it("gets AWS credentials only from OIDC: id-token where roles are assumed, no keys anywhere", () => {
    assert.deepStrictEqual(raw.permissions, { contents: "read" });
    for (const [id, j] of nonEmpty(
      Object.entries<any>(raw.jobs),
      "Object.entries<any>(raw.jobs)",
    )) {
      const assumes = j.steps.some((s: any) =>
        String(s.uses).startsWith("aws-actions/configure-aws-credentials"),
      );
      assert.strictEqual(j.permissions?.["id-token"] === "write", assumes, id);
    }
    assert.ok(!/aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|secrets\./.test(text));
  });

  it("calls npm run deploy only with options the command accepts, and never to destroy", async () => {
    const commands = template.jobs
      .flatMap(runs)
      .filter((r: string) => r.startsWith("npm run -s deploy -- "));
    assert.strictEqual(commands.length, 4);
    for (const c of commands) {
      const argv = c.replace("npm run -s deploy -- ", "").split(" ");
      const err: string[] = [];
      // --help answers before any CLI is started; an unknown option would fail parsing first.
      const code = await runDeploy([...argv, "--help"], {
        out: () => {},
        err: (t) => err.push(t),
        confirm: async () => false,
      });
      assert.strictEqual(code, 0, `${c}: ${err.join("\n")}`);
    }
    assert.ok(!/destroy|stack rm/.test(text.replace(/^#.*$/gm, "")));
  });
});
