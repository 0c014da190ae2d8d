import { nonEmpty } from "../../../tooling/testing/non-empty";
import * as assert from "assert";
import { ConfigError } from "../errors";
import { validateEnvironmentConfig } from "../environment";
import { validateOrgConfig } from "../org";
import { editedConfig, repositoryConfig } from "../../../tooling/testing/harness";

/**
 * A misspelt key inside any nested section is refused by name, with the keys that section allows:
 * a typo never silently falls back to a default. The validators are called directly (fast); that
 * they run before any resource is registered is config.test.ts's concern. One row per
 * nested object of every section of the environment and org files (config.test.ts has the rest:
 * network, network.vpn, workloads.mbe.vercel, edge devices, stackRefs, guardrails, accounts).
 */
interface Typo {
  readonly project: "org" | "network" | "workloads" | "edge";
  readonly stack: string;
  readonly edit: (c: any) => void;
  readonly expect: readonly string[];
}

const TYPOS: Typo[] = [
  {
    project: "network",
    stack: "dev",
    edit: (c) => (c["platform:environment"].regoin = "us-east-1"),
    expect: ['platform:environment.regoin: unknown key "regoin"', "region"],
  },
  {
    project: "workloads",
    stack: "dev",
    edit: (c) => (c["platform:workloads"].openems.dataVolumGb = 40),
    expect: ['platform:workloads.openems.dataVolumGb: unknown key "dataVolumGb"', "dataVolumeGb"],
  },
  {
    project: "workloads",
    stack: "dev",
    edit: (c) => (c["platform:workloads"].mbe.upstreamTimoutMs = 5000),
    expect: [
      'platform:workloads.mbe.upstreamTimoutMs: unknown key "upstreamTimoutMs"',
      "upstreamTimeoutMs",
    ],
  },
  {
    project: "workloads",
    stack: "stage",
    edit: (c) => (c["platform:workloads"].https.odooNme = "odoo.example.com"),
    expect: ["platform:workloads.https", "odooNme"],
  },
  {
    project: "workloads",
    stack: "dev",
    edit: (c) => (c["platform:workloads"].https.hostedZone = "example.com"),
    expect: ["platform:workloads.https", "hostedZone"],
  },
  {
    project: "workloads",
    stack: "dev",
    edit: (c) => (c["platform:workloads"].logRetentonDays = 30),
    expect: [
      'platform:workloads.logRetentonDays: unknown key "logRetentonDays"',
      "logRetentionDays",
    ],
  },
  {
    project: "edge",
    stack: "dev",
    edit: (c) => (c["platform:edge"].certValidityDay = 365),
    expect: ['platform:edge.certValidityDay: unknown key "certValidityDay"', "certValidityDays"],
  },
  {
    project: "edge",
    stack: "dev",
    edit: (c) => (c["platform:edge"].sites[0].devics = []),
    expect: ['platform:edge.sites[0].devics: unknown key "devics"', "id, devices"],
  },
  {
    project: "org",
    stack: "management",
    edit: (c) => (c["platform:organization"].homeRegoin = "us-east-1"),
    expect: ['platform:organization.homeRegoin: unknown key "homeRegoin"', "homeRegion"],
  },
  {
    project: "org",
    stack: "management",
    edit: (c) => (c["platform:tags"].costCentre = "cc-1"),
    expect: ['platform:tags.costCentre: unknown key "costCentre"', "costCenter"],
  },
  {
    project: "org",
    stack: "management",
    edit: (c) => (c["platform:budgets"].subscriber = ["a@example.com"]),
    expect: ['platform:budgets.subscriber: unknown key "subscriber"', "subscribers"],
  },
  {
    project: "org",
    stack: "management",
    edit: (c) => (c["platform:budgets"].organization.amout = 100),
    expect: ['platform:budgets.organization.amout: unknown key "amout"', "amount"],
  },
  {
    project: "org",
    stack: "management",
    edit: (c) => (c["platform:budgets"].thresholds[0].percnt = 50),
    expect: ['platform:budgets.thresholds[0].percnt: unknown key "percnt"', "percent"],
  },
  {
    project: "org",
    stack: "management",
    edit: (c) => (c["platform:budgets"].accounts.dev.freezeAtPercnt = 100),
    expect: [
      'platform:budgets.accounts.dev.freezeAtPercnt: unknown key "freezeAtPercnt"',
      "freezeAtPercent",
    ],
  },
  {
    project: "org",
    stack: "management",
    edit: (c) => (c["platform:trail"] = { archiveAfterDays: 90, expireAfterDay: 730 }),
    expect: ['platform:trail.expireAfterDay: unknown key "expireAfterDay"', "expireAfterDays"],
  },
  {
    project: "org",
    stack: "management",
    edit: (c) => (c["platform:identity"].regoin = "us-east-1"),
    expect: ['platform:identity.regoin: unknown key "regoin"', "region"],
  },
  {
    project: "org",
    stack: "management",
    edit: (c) => (c["platform:identity"].trust.deplyo = ["AdministratorAccess"]),
    expect: ['platform:identity.trust.deplyo: unknown key "deplyo"', "deploy"],
  },
  {
    project: "org",
    stack: "management",
    edit: (c) => (c["platform:identity"].permissionSets.ReadOnlyAccess.sesionDuration = "PT1H"),
    expect: [
      'platform:identity.permissionSets.ReadOnlyAccess.sesionDuration: unknown key "sesionDuration"',
      "sessionDuration",
    ],
  },
  {
    project: "org",
    stack: "management",
    edit: (c) => (c["platform:identity"].permissionSets.ReadOnlyAccess.inlinePolicy.Statment = []),
    expect: [
      'platform:identity.permissionSets.ReadOnlyAccess.inlinePolicy.Statment: unknown key "Statment"',
      "Statement",
    ],
  },
  {
    project: "org",
    stack: "management",
    edit: (c) =>
      (c["platform:identity"].permissionSets.ReadOnlyAccess.customerManagedPolicies = [
        {
          nam: "x",
          document: {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "s3:Get*", Resource: "*" }],
          },
        },
      ]),
    expect: [
      "platform:identity.permissionSets.ReadOnlyAccess.customerManagedPolicies[0]",
      'unknown key "nam"',
    ],
  },
  {
    project: "org",
    stack: "management",
    edit: (c) => (c["platform:identity"].groups.finance.descripton = "typo"),
    expect: ["platform:identity.groups.finance", "descripton"],
  },
];

/** The error the program's validation raises for the edited file (the org file for org). */
function refusal(t: Typo): string {
  const raw = editedConfig(t.project, t.stack, t.edit);
  try {
    if (t.project === "org") validateOrgConfig(raw);
    else {
      const org = validateOrgConfig(repositoryConfig("org", "management"));
      const allEnvironments = {
        dev: repositoryConfig("network", "dev"),
        stage: repositoryConfig("network", "stage"),
        prod: repositoryConfig("network", "prod"),
        [t.stack]: raw,
      };
      validateEnvironmentConfig({ stack: t.stack, project: t.project, raw, org, allEnvironments });
    }
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error(`${t.project}/${t.stack} accepted the typo`);
}

describe("Configuration validation: misspelt nested keys", () => {
  it("has a typo for every nested section the other tests do not cover", () =>
    assert.strictEqual(TYPOS.length, 21));

  for (const t of TYPOS) {
    it(`refuses ${t.expect[0]} in ${t.project}/${t.stack}`, () => {
      const message = refusal(t);
      for (const fragment of nonEmpty(t.expect, "t.expect"))
        assert.ok(
          message.includes(fragment),
          `message lacks ${JSON.stringify(fragment)}:\n${message}`,
        );
    });
  }
});
