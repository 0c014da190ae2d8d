import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import { parse } from "yaml";
import { REPO_ROOT } from "../../lib/repo";

// The schema the Pulumi CLI embeds to validate Pulumi.yaml (pulumi/pulumi,
// sdk/go/common/workspace/project.json, Apache-2.0), kept here so the check runs on any clone.
const SCHEMA = path.join(__dirname, "fixtures", "pulumi-project.schema.json");
const PROJECTS = ["org", "network", "workloads", "edge"];

describe("Pulumi projects", () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile<Record<string, any>>(JSON.parse(fs.readFileSync(SCHEMA, "utf8")));

  for (const project of PROJECTS) {
    it(`${project}/Pulumi.yaml is valid against the Pulumi project schema`, () => {
      const doc: any = parse(fs.readFileSync(path.join(REPO_ROOT, project, "Pulumi.yaml"), "utf8"));
      const valid = validate(doc);
      assert.ok(valid, ajv.errorsText(validate.errors));
      assert.strictEqual(doc.name, project);
      assert.strictEqual(doc.runtime.name ?? doc.runtime, "nodejs");
    });
  }

  it("rejects a project file the CLI would reject (the check can fail)", () => {
    assert.strictEqual(validate({ name: "x" }), false);
    assert.strictEqual(validate({ runtime: "nodejs" }), false);
    assert.strictEqual(validate({ name: "x", runtime: "nodejs", stackConfigDir: 5 }), false);
  });

  it("shares the three environment files with network, workloads and edge", () => {
    for (const project of ["network", "workloads", "edge"]) {
      const doc: any = parse(fs.readFileSync(path.join(REPO_ROOT, project, "Pulumi.yaml"), "utf8"));
      assert.strictEqual(doc.stackConfigDir, "..");
    }
    for (const env of ["dev", "stage", "prod"])
      assert.ok(fs.existsSync(path.join(REPO_ROOT, `Pulumi.${env}.yaml`)));
    assert.ok(fs.existsSync(path.join(REPO_ROOT, "org", "Pulumi.management.yaml")));
  });

  it("keeps every stack's default providers disabled, so nothing uses ambient credentials", () => {
    for (const file of [
      "Pulumi.dev.yaml",
      "Pulumi.stage.yaml",
      "Pulumi.prod.yaml",
      "org/Pulumi.management.yaml",
    ]) {
      const doc = parse(fs.readFileSync(path.join(REPO_ROOT, file), "utf8"));
      assert.deepStrictEqual(doc.config["pulumi:disable-default-providers"], ["*"], file);
    }
  });
});
