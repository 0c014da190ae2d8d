import * as assert from "assert";
import { nonEmpty } from "../../../tooling/testing/non-empty";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import { parse } from "yaml";
import { networkSection } from "../../../lib/config/network";
import { GUARDRAIL_NAME_DEFAULTS } from "../../../lib/names";
import { ENVIRONMENTS, environmentFile, ORG_STACK_FILE, readStackFile } from "../../../lib/repo";
import { repositoryDefaults } from "../defaults";
import { catalogue, policies } from "../policies";

const PACK = path.join(__dirname, "..");
const POLICY_DIR = path.join(PACK, "policies");
const policyFiles = fs.readdirSync(POLICY_DIR).filter((f) => f.endsWith(".ts") && f !== "index.ts");

describe("policy pack layout", () => {
  it("declares a Node.js pack in PulumiPolicy.yaml with only documented keys", async () => {
    const doc = parse(fs.readFileSync(path.join(PACK, "PulumiPolicy.yaml"), "utf8"));
    assert.strictEqual(doc.runtime, "nodejs");
    assert.ok(typeof doc.description === "string" && doc.description.length > 20);
    const documented = [
      "runtime",
      "version",
      "main",
      "description",
      "author",
      "website",
      "license",
    ];
    assert.deepStrictEqual(
      Object.keys(doc).filter((k) => !documented.includes(k)),
      [],
    );
  });

  it("has the package.json version @pulumi/policy reads from the pack folder", async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(PACK, "package.json"), "utf8"));
    assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
    assert.strictEqual(
      pkg.dependencies,
      undefined,
      "dependencies come from the repository root; a nested install would duplicate @pulumi/pulumi",
    );
  });

  it("has an entry point that only constructs the pack (constructing it starts the analyzer server)", async () => {
    const code = fs
      .readFileSync(path.join(PACK, "index.ts"), "utf8")
      .replace(/^\s*\/\/.*$/gm, "")
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean);
    assert.deepStrictEqual(code, [
      'import { PolicyPack } from "@pulumi/policy";',
      'import { policies } from "./policies";',
      'new PolicyPack("openems-platform", { policies });',
    ]);
  });

  it("keeps one policy per file, named after the file, all of them in the pack", async () => {
    assert.strictEqual(catalogue.length, policyFiles.length);
    for (const file of policyFiles) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(path.join(POLICY_DIR, file));
      assert.strictEqual(
        mod.policy?.name,
        file.replace(/\.ts$/, ""),
        `${file} must export \`policy\` named after the file`,
      );
      assert.ok(
        catalogue.some((m) => m.policy === mod.policy),
        `${file} is missing from policies/index.ts`,
      );
      assert.ok(
        Array.isArray(mod.appliesTo) && mod.appliesTo.length > 0,
        `${file} must export appliesTo`,
      );
    }
  });

  for (const { policy } of nonEmpty(catalogue, "catalogue")) {
    it(`${policy.name}: kebab-case name, "Checks that…" description, an enforcement level, a valid config schema`, async () => {
      assert.match(policy.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.notStrictEqual(policy.name, "all", '"all" is reserved by the server');
      assert.match(policy.description, /^Checks that /);
      assert.ok(
        ["advisory", "mandatory", "remediate"].includes(policy.enforcementLevel ?? ""),
        "every policy states its level",
      );
      const schema = policy.configSchema;
      if (schema) {
        assert.ok(
          !("enforcementLevel" in schema.properties),
          "the server refuses enforcementLevel as a config property",
        );
        const ajv = new Ajv({ strict: false });
        for (const [key, prop] of nonEmpty(
          Object.entries(schema.properties),
          `${policy.name} property`,
        )) {
          assert.ok(prop.description, `${policy.name}.${key} needs a description`);
          assert.ok(
            prop.default !== undefined,
            `${policy.name}.${key} needs a default, so the pack runs without a config file`,
          );
          assert.ok(
            ajv.validate(prop, prop.default),
            `${policy.name}.${key}: default ${JSON.stringify(prop.default)} fails its own schema: ${ajv.errorsText()}`,
          );
        }
      }
    });
  }

  it("names each policy once", async () => {
    const names = policies.map((p) => p.name);
    assert.deepStrictEqual(
      names.filter((n, i) => names.indexOf(n) !== i),
      [],
    );
  });
});

describe("policy pack defaults", () => {
  it("exempts the break-glass role and the agent boundary by the names the org stack gives them", async () => {
    // lib/names.ts puts the org prefix in place of "platform"; the SCPs exempt the same names.
    const prefix =
      (readStackFile(ORG_STACK_FILE)["platform:organization"] as { prefix?: string }).prefix ??
      "platform";
    const named = (name: string) => name.replace(/^platform/, prefix);
    assert.strictEqual(
      repositoryDefaults().breakGlassRoleName,
      named(GUARDRAIL_NAME_DEFAULTS.breakGlassRoleName),
    );
    assert.deepStrictEqual(repositoryDefaults().boundaryPolicyNames, [
      named(GUARDRAIL_NAME_DEFAULTS.agentBoundaryName),
    ]);
  });

  it("requires the platform's cost allocation tags", async () => {
    assert.deepStrictEqual(repositoryDefaults().requiredTagKeys, [
      "project",
      "environment",
      "owner",
      "cost-center",
      "managed-by",
    ]);
  });

  it("allows the VPN port the network config defaults to, and every environment file uses", async () => {
    const portSchema = (networkSection.shape.vpn as any).shape.port;
    assert.strictEqual(repositoryDefaults().vpnPort, portSchema.parse(undefined));
    for (const env of nonEmpty(ENVIRONMENTS, "ENVIRONMENTS")) {
      const vpn = (readStackFile(environmentFile(env))["platform:network"] as any)?.vpn ?? {};
      assert.strictEqual(
        vpn.port ?? repositoryDefaults().vpnPort,
        repositoryDefaults().vpnPort,
        `Pulumi.${env}.yaml`,
      );
    }
  });
});
