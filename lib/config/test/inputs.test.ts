import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as fc from "fast-check";
import { parseDocument, stringify } from "yaml";
import { ConfigError } from "../errors";
import { validateEnvironmentConfig } from "../environment";
import { validateOrgConfig } from "../org";
import { parseStackYaml } from "../yaml";
import { currentStackConfig, stackFileOf } from "../stack";
import {
  decodeConfigValues,
  ENVIRONMENTS,
  environmentFile,
  ORG_STACK_FILE,
  readStackFile,
} from "../../repo";
import { editedConfig, repositoryConfig } from "../../../tooling/testing/harness";
import { nonEmpty } from "../../../tooling/testing/non-empty";

/**
 * Inputs that must be refused before anything is created: admin sources inside the platform, stack
 * references to another environment, values two YAML readers see differently, and errors that
 * would echo a whole megabyte back. The validators are called directly (fast); config.test.ts
 * proves that they run before any resource is registered.
 */

const org = () => validateOrgConfig(repositoryConfig("org", "management"));

/** The error the environment validation raises for `raw` as `stack`'s file, or undefined. */
function refusal(
  stack: string,
  raw: Record<string, unknown>,
  project = "network",
): string | undefined {
  const allEnvironments = {
    dev: repositoryConfig("network", "dev"),
    stage: repositoryConfig("network", "stage"),
    prod: repositoryConfig("network", "prod"),
    [stack]: raw,
  };
  try {
    validateEnvironmentConfig({ stack, project, raw, org: org(), allEnvironments });
    return undefined;
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
}

function refused(stack: string, edit: (c: any) => void, project = "network"): string {
  const message = refusal(stack, editedConfig(project, stack, edit), project);
  assert.ok(message, `${project}/${stack} accepted the edit`);
  return message;
}

function includesAll(message: string, fragments: readonly string[]) {
  for (const f of nonEmpty(fragments, "fragment"))
    assert.ok(message.includes(f), `message lacks ${JSON.stringify(f)}:\n${message}`);
}

const net = (c: any) => c["platform:network"];

describe("platform:network.adminAllowlist: no range inside the platform", () => {
  // dev: VPC 10.10.0.0/16, VPN 10.200.0.0/22 (admin pool 10.200.0.0/24, devices 10.200.1.0/24 and
  // 10.200.2.0/23); stage's VPC is 10.20.0.0/16.
  const CASES: { what: string; entry: string; widest?: number; range: string; named: string }[] = [
    {
      what: "one VPN device address",
      entry: "10.200.1.10/32",
      range: "10.200.1.0/24",
      named: "the VPN device range (devices would reach the UI, Odoo and InfluxDB)",
    },
    {
      what: "the second device range",
      entry: "10.200.2.0/24",
      range: "10.200.2.0/23",
      named: "the VPN device range",
    },
    {
      what: "the admin pool",
      entry: "10.200.0.0/24",
      range: "10.200.0.0/24",
      named: "the VPN admin pool",
    },
    {
      what: "the whole VPN range",
      entry: "10.200.0.0/22",
      widest: 16,
      range: "10.200.0.0/22",
      named: "the whole VPN client range (platform:network.vpn.clientCidr)",
    },
    {
      what: "the VPC",
      entry: "10.10.0.0/16",
      widest: 16,
      range: "10.10.0.0/16",
      named: "the VPC (platform:network.vpcCidr)",
    },
    {
      what: "a host of the VPC",
      entry: "10.10.3.7/32",
      range: "10.10.0.0/16",
      named: "the VPC",
    },
    {
      what: "another environment's VPC",
      entry: "10.20.5.0/24",
      range: "10.20.0.0/16",
      named: "stage's vpcCidr (Pulumi.stage.yaml)",
    },
  ];
  for (const c of CASES) {
    it(`refuses ${c.what} (${c.entry}), naming the file, the key, the entry and the range`, () => {
      const message = refused("dev", (cfg) => {
        if (c.widest) net(cfg).maxAllowlistPrefix = c.widest;
        net(cfg).adminAllowlist[1] = c.entry;
      });
      includesAll(message, [
        "Pulumi.dev.yaml",
        `platform:network.adminAllowlist[1]: got "${c.entry}"; it overlaps `,
        `${c.range} (${c.named}`,
        "expected an outside admin source",
      ]);
    });
  }

  it("accepts outside sources next to the internal ranges", () => {
    for (const entry of ["10.9.255.0/24", "10.200.4.0/24", "203.0.113.0/24", "100.64.0.0/24"])
      assert.strictEqual(
        refusal(
          "dev",
          editedConfig("network", "dev", (c) => (net(c).adminAllowlist = [entry])),
        ),
        undefined,
        entry,
      );
  });

  it("refuses maxAllowlistPrefix 8 (a public /8) and 15, saying why /16 is the floor", () => {
    for (const widest of [8, 15]) {
      const message = refused("dev", (c) => (net(c).maxAllowlistPrefix = widest));
      includesAll(message, [
        "Pulumi.dev.yaml",
        `platform:network.maxAllowlistPrefix: got ${widest}; expected 16 to 32`,
        "public /8",
      ]);
    }
    assert.strictEqual(
      refusal(
        "dev",
        editedConfig("network", "dev", (c) => (net(c).maxAllowlistPrefix = 16)),
      ),
      undefined,
    );
  });
});

describe("checkStackRefs: platform:environment.stackRefs names only this environment's own stacks", () => {
  const refs = (c: any) => (c["platform:environment"].stackRefs ??= {});
  const REFUSED: { key: string; value: string; why: string }[] = [
    { key: "network", value: "organization/network/prod", why: '"<pulumiOrg>/network/dev"' },
    { key: "network", value: "organization/workloads/dev", why: '"<pulumiOrg>/network/dev"' },
    { key: "workloads", value: "acme/workloads/stage", why: '"<pulumiOrg>/workloads/dev"' },
    { key: "org", value: "organization/org/dev", why: '"<pulumiOrg>/org/management"' },
    { key: "org", value: "organization/network/management", why: '"<pulumiOrg>/org/management"' },
    { key: "network", value: "network/dev", why: "a full stack name" },
    { key: "network", value: "a/network/dev/x", why: "a full stack name" },
  ];
  for (const r of REFUSED) {
    it(`refuses ${r.key}: ${r.value} in dev`, () => {
      const message = refused("dev", (c) => (refs(c)[r.key] = r.value), "edge");
      includesAll(message, [
        "Pulumi.dev.yaml",
        `platform:environment.stackRefs.${r.key}: got "${r.value}"; expected`,
        r.why,
      ]);
    });
  }

  it("accepts another Pulumi organization's stacks of the same environment", () => {
    const raw = editedConfig("edge", "prod", (c) => {
      refs(c).org = "acme/org/management";
      refs(c).network = "acme/network/prod";
      refs(c).workloads = "acme/workloads/prod";
    });
    assert.strictEqual(refusal("prod", raw, "edge"), undefined);
  });
});

/** A copy of the dev file with one line replaced, as text. */
function devFileWith(line: RegExp, replacement: string): string {
  const text = fs.readFileSync(environmentFile("dev"), "utf8");
  assert.match(text, line);
  return text.replace(line, replacement);
}

describe("checkYamlReadings: stack-file values YAML 1.1 and YAML 1.2 readers see differently", () => {
  const REFUSED: { what: string; line: RegExp; text: string; key: string; raw: string }[] = [
    {
      what: "a leading-zero port (octal 1234 to the Pulumi CLI)",
      line: /port: 1194/,
      text: "port: 02322",
      key: "platform:network.vpn.port",
      raw: "02322",
    },
    {
      what: "yes as a boolean",
      line: /interfaceEndpoints: false/,
      text: "interfaceEndpoints: yes",
      key: "platform:network.interfaceEndpoints",
      raw: "yes",
    },
    {
      what: "off as a boolean",
      line: /detailedMonitoring: false/,
      text: "detailedMonitoring: off",
      key: "platform:workloads.openems.detailedMonitoring",
      raw: "off",
    },
    {
      what: "a hexadecimal number",
      line: /dataVolumeGb: 30/,
      text: "dataVolumeGb: 0x1E",
      key: "platform:workloads.openems.dataVolumeGb",
      raw: "0x1E",
    },
    {
      what: "a 0o octal number",
      line: /dataVolumeGb: 30/,
      text: "dataVolumeGb: 0o36",
      key: "platform:workloads.openems.dataVolumeGb",
      raw: "0o36",
    },
    {
      what: "a sexagesimal number",
      line: /awayAlarmMinutes: 30/,
      text: "awayAlarmMinutes: 0:30",
      key: "platform:edge.awayAlarmMinutes",
      raw: "0:30",
    },
    {
      what: "~ (null)",
      line: /flowLogRetentionDays: 14/,
      text: "flowLogRetentionDays: ~",
      key: "platform:network.flowLogRetentionDays",
      raw: "~",
    },
    {
      what: "an underscored number",
      line: /maxBodyBytes: 262144/,
      text: "maxBodyBytes: 262_144",
      key: "platform:workloads.mbe.maxBodyBytes",
      raw: "262_144",
    },
    {
      what: "a date",
      line: /b2bUsername: mbe-proxy/,
      text: "b2bUsername: 2026-01-01",
      key: "platform:workloads.mbe.b2bUsername",
      raw: "2026-01-01",
    },
    {
      what: "an exponent",
      line: /upstreamTimeoutMs: 10000/,
      text: "upstreamTimeoutMs: 1e4",
      key: "platform:workloads.mbe.upstreamTimeoutMs",
      raw: "1e4",
    },
    {
      what: "a list item no in an admin profile list",
      line: /adminProfiles: \[ops\]/,
      text: "adminProfiles: [ops, no]",
      key: "platform:network.vpn.adminProfiles[1]",
      raw: "no",
    },
    {
      what: "an uppercase 0X prefix (a string to both yaml schemas, 31 to Go)",
      line: /project: mbe/,
      text: "project: 0X1F",
      key: "platform:workloads.mbe.vercel.project",
      raw: "0X1F",
    },
    {
      what: "a key on (true to a YAML 1.1 reader)",
      line: /b2bUsername: mbe-proxy/,
      text: "b2bUsername: mbe-proxy\n      on: 1",
      key: "platform:workloads.mbe.on",
      raw: "on",
    },
  ];
  for (const r of REFUSED) {
    it(`refuses ${r.what}, naming the file, the key, the text and saying "quote it"`, () => {
      const text = devFileWith(r.line, r.text);
      assert.throws(
        () => parseStackYaml(text, "Pulumi.dev.yaml"),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError, String(err));
          includesAll(err.message, [
            "Pulumi.dev.yaml",
            `${r.key}: got `,
            `${r.raw} (unquoted)`,
            "quote it",
          ]);
          assert.strictEqual(err.problems.length, 1, err.message);
          return true;
        },
      );
    });
  }

  it("reads quoted forms as the strings they are, and plain decimals, true and false alike", () => {
    const text = devFileWith(
      /b2bUsername: mbe-proxy.*/,
      `b2bUsername: mbe-proxy\n      x: ["02322", 'yes', "0x1F", "~", "1:20", 2322, 0.5, -3, true, false, 0]`,
    );
    const doc = parseStackYaml(text, "Pulumi.dev.yaml") as any;
    assert.deepStrictEqual(doc.config["platform:workloads"].mbe.x, [
      "02322",
      "yes",
      "0x1F",
      "~",
      "1:20",
      2322,
      0.5,
      -3,
      true,
      false,
      0,
    ]);
  });

  it("refuses through readStackFile, naming the file on disk", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-yaml-"));
    const file = path.join(dir, "Pulumi.dev.yaml");
    fs.writeFileSync(file, devFileWith(/port: 1194/, "port: 02322"));
    try {
      assert.throws(() => readStackFile(file), /Pulumi\.dev\.yaml[\s\S]*vpn\.port: got 02322/);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it("stops a program whose own stack file holds such a value (the CLI read it as YAML 1.1)", () => {
    assert.strictEqual(
      stackFileOf("org", "management"),
      path.resolve(__dirname, "../../../org/Pulumi.management.yaml"),
    );
    assert.strictEqual(stackFileOf("workloads", "prod"), environmentFile("prod"));
    assert.strictEqual(stackFileOf("network", "qa"), undefined);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-yaml-"));
    const file = path.join(dir, "Pulumi.dev.yaml");
    try {
      fs.writeFileSync(file, devFileWith(/port: 1194/, "port: 1194"));
      assert.strictEqual(typeof currentStackConfig(file), "object");
      fs.writeFileSync(file, devFileWith(/port: 1194/, "port: 02322"));
      assert.throws(() => currentStackConfig(file), /vpn\.port: got 02322 \(unquoted\)/);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it("passes the program what the plan reads, for every shipped stack file", () => {
    // As the CLI does (pulumi/pulumi sdk/go/common/resource/config/object.go): each top-level value
    // read by a YAML 1.1 reader, strings passed as they are and everything else as JSON; the
    // program decodes them with decodeConfigValues.
    const files = [ORG_STACK_FILE, ...ENVIRONMENTS.map((e) => environmentFile(e))];
    for (const file of files) {
      const cli = (parseDocument(fs.readFileSync(file, "utf8"), { version: "1.1" }).toJS() as any)
        .config as Record<string, unknown>;
      const passed: Record<string, string> = {};
      for (const [k, v] of nonEmpty(Object.entries(cli), "config key"))
        passed[k] = typeof v === "string" ? v : JSON.stringify(v);
      assert.deepStrictEqual(decodeConfigValues(passed), readStackFile(file), file);
    }
  });
});

describe("Configuration errors are bounded and name the file and the key", () => {
  const huge = "x".repeat(1024 * 1024);

  it("echoes 200 characters of a 1 MB value, with an ellipsis and its length", () => {
    const message = refused("dev", (c) => (net(c).adminAllowlist[0] = huge));
    assert.ok(message.length < 5000, `error of ${message.length} characters`);
    includesAll(message, [
      "Pulumi.dev.yaml",
      `platform:network.adminAllowlist[0]: got "${"x".repeat(199)}…`,
      `(${huge.length + 2} characters in all)`,
    ]);
  });

  it("bounds a 1 MB unknown key and a 1 MB stack reference", () => {
    const message = refused("dev", (c) => {
      net(c)[huge] = 1;
      c["platform:environment"].stackRefs = { network: huge };
    });
    assert.ok(message.length < 5000, `error of ${message.length} characters`);
    includesAll(message, ["platform:network.xxxx", "platform:environment.stackRefs.network: got"]);
  });

  it("lists 40 problems, then how many more", () => {
    const message = refused("dev", (c) => {
      net(c).vpn.allowlist = Array.from({ length: 50 }, (_, i) => `bad-${i}`);
      net(c).adminAllowlist = Array.from({ length: 16 }, (_, i) => `bad-${i}`);
    });
    assert.strictEqual(message.split("\n  - ").length - 1, 41, message);
    assert.match(message, /\n {2}- and 26 more/);
  });

  it("bounds YAML syntax errors of huge lines", () => {
    assert.throws(
      () => parseStackYaml(`config:\n  a: [${huge}\n`, "Pulumi.dev.yaml"),
      (err: unknown) => err instanceof ConfigError && err.message.length < 50000,
    );
  });

  /** Where a generated value lands: one key of each section, a whole section, a list entry. */
  const PLACES: ((c: any, v: unknown) => void)[] = [
    (c, v) => (c["platform:environment"].region = v),
    (c, v) => (c["platform:environment"].stackRefs = v),
    (c, v) => (net(c).vpn = v),
    (c, v) => (net(c).adminAllowlist = v),
    (c, v) => (net(c).maxAllowlistPrefix = v),
    (c, v) => (c["platform:workloads"].mbe = v),
    (c, v) => (c["platform:workloads"].https = v),
    (c, v) => (c["platform:edge"].sites = v),
    (c, v) => (c["platform:edge"] = v),
    (c, v) => (c["platform:network"] = v),
    (c, v) => (c[String(v).slice(0, 50)] = v),
  ];

  it("(property) any YAML value anywhere gives a bounded ConfigError, never another error", function () {
    // Each run validates a whole environment file: slow on a loaded machine.
    this.timeout(180000);
    fc.assert(
      fc.property(
        fc.nat(PLACES.length - 1),
        fc.oneof(
          fc.jsonValue({ maxDepth: 4 }),
          fc.string({ minLength: 300, maxLength: 3000 }),
          fc.array(fc.string({ maxLength: 400 }), { maxLength: 80 }),
        ),
        (place, value) => {
          // Through YAML and back, as a file would carry it.
          const text = stringify({
            config: editedConfig("edge", "dev", (c) => PLACES[place](c, value)),
          });
          let raw: Record<string, unknown>;
          try {
            raw = (parseStackYaml(text, "Pulumi.dev.yaml") as any).config;
          } catch (err) {
            assert.ok(err instanceof ConfigError, String(err));
            assert.ok(err.message.length <= 50000, `error of ${err.message.length} characters`);
            return;
          }
          const message = refusal("dev", raw, "edge");
          if (message === undefined) return;
          assert.ok(message.length <= 50000, `error of ${message.length} characters`);
          assert.ok(message.startsWith("Invalid configuration for edge/dev (Pulumi.dev.yaml):"));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("Misspelt keys: the nearest valid key is suggested in every section", () => {
  const TYPOS: { stack: string; edit: (c: any) => void; key: string; suggest: string }[] = [
    {
      stack: "dev",
      edit: (c) => (c["platform:netwrok"] = {}),
      key: "platform:netwrok",
      suggest: "platform:network",
    },
    {
      stack: "dev",
      edit: (c) => (c["platform:environment"].regoin = "us-east-1"),
      key: "platform:environment.regoin",
      suggest: "region",
    },
    {
      stack: "dev",
      edit: (c) => (c["platform:environment"].stackRefs = { netwrok: "x/network/dev" }),
      key: "platform:environment.stackRefs.netwrok",
      suggest: "network",
    },
    {
      stack: "dev",
      edit: (c) => (net(c).vpcCdir = "x"),
      key: "platform:network.vpcCdir",
      suggest: "vpcCidr",
    },
    {
      stack: "dev",
      edit: (c) => (net(c).vpn.prot = 1194),
      key: "platform:network.vpn.prot",
      suggest: "port",
    },
    {
      stack: "dev",
      edit: (c) => (c["platform:workloads"].openems.instanceTyp = "t3.medium"),
      key: "platform:workloads.openems.instanceTyp",
      suggest: "instanceType",
    },
    {
      stack: "dev",
      edit: (c) => (c["platform:workloads"].openems.images = { odo: "odoo:17" }),
      key: "platform:workloads.openems.images.odo",
      suggest: "odoo",
    },
    {
      stack: "dev",
      edit: (c) => (c["platform:workloads"].mbe.vercel.tema = "x"),
      key: "platform:workloads.mbe.vercel.tema",
      suggest: "team",
    },
    {
      stack: "dev",
      edit: (c) => (c["platform:workloads"].logRetentionDay = 30),
      key: "platform:workloads.logRetentionDay",
      suggest: "logRetentionDays",
    },
    {
      stack: "dev",
      edit: (c) => (c["platform:edge"].renewBeforeDay = 30),
      key: "platform:edge.renewBeforeDay",
      suggest: "renewBeforeDays",
    },
    {
      stack: "dev",
      edit: (c) => (c["platform:edge"].sites[0].devices[0].adress = "10.200.1.10"),
      key: "platform:edge.sites[0].devices[0].adress",
      suggest: "address",
    },
  ];
  for (const t of TYPOS) {
    it(`refuses ${t.key}, suggesting ${t.suggest}`, () => {
      const message = refused(t.stack, t.edit, "edge");
      includesAll(message, [
        "Pulumi.dev.yaml",
        `${t.key}: unknown key`,
        `(did you mean "${t.suggest}"?)`,
      ]);
    });
  }

  it("suggests in the org file too, and nothing when no key is near", () => {
    const refuseOrg = (edit: (c: any) => void) => {
      try {
        validateOrgConfig(editedConfig("org", "management", edit));
      } catch (err) {
        if (err instanceof ConfigError) return err.message;
        throw err;
      }
      assert.fail("the org file accepted the edit");
    };
    includesAll(
      refuseOrg((c) => (c["platform:budgets"].organization.amout = 1)),
      ['platform:budgets.organization.amout: unknown key "amout" (did you mean "amount"?)'],
    );
    const far = refused("dev", (c) => (net(c).vpn.zzzzzzzz = 1), "edge");
    includesAll(far, ['platform:network.vpn.zzzzzzzz: unknown key "zzzzzzzz" (allowed keys:']);
    assert.doesNotMatch(far, /zzzzzzzz[^\n]*did you mean/);
  });
});
