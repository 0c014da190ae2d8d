import { nonEmpty } from "../../../tooling/testing/non-empty";
import * as assert from "assert";
import * as fs from "fs";
import { editedConfig, planExpectingError } from "../../../tooling/testing/harness";
import {
  catalogueList,
  MANAGED_POLICIES_FILE,
  renderList,
} from "../../../tooling/iam/managed-policies";
import { expandTarget, permissionSetRolePatterns, sessionMinutes } from "../identity";

interface Case {
  what: string;
  edit: (c: any) => void;
  /** Every fragment must appear in the error: the key, the value received, what is allowed. */
  expect: string[];
  /** The validator that refuses it: validateOrgConfig (schema) or crossCheckIdentity. */
  proves: "validateOrgConfig" | "crossCheckIdentity";
}

const id = (c: any) => c["platform:identity"];
const set = (c: any, name: string) => id(c).permissionSets[name];

const CASES: Case[] = [
  {
    what: "an assignment to a group that is not defined",
    proves: "crossCheckIdentity",
    edit: (c) => (id(c).assignments[1].group = "engineer"),
    expect: ["platform:identity.assignments[1].group", '"engineer"', "platform-admins, engineers"],
  },
  {
    what: "an assignment of a permission set that is not defined",
    proves: "crossCheckIdentity",
    edit: (c) => (id(c).assignments[0].permissionSet = "AdminAccess"),
    expect: [
      "platform:identity.assignments[0].permissionSet",
      '"AdminAccess"',
      "AdministratorAccess, ReadOnlyAccess, BillingAccess, AuditAccess",
    ],
  },
  {
    what: "an assignment to an account that is not defined",
    proves: "crossCheckIdentity",
    edit: (c) => (id(c).assignments[1].targets = ["account:qa"]),
    expect: [
      "platform:identity.assignments[1].targets[0]",
      '"account:qa"',
      "account:management or an account key",
      "log-archive, dev, stage, prod, sandbox",
    ],
  },
  {
    what: "an assignment to an OU that does not exist",
    proves: "crossCheckIdentity",
    edit: (c) => (id(c).assignments[2].targets = ["ou:workload"]),
    expect: ["platform:identity.assignments[2].targets[0]", '"ou:workload"', "ou:workloads/prod"],
  },
  {
    what: "an assignment to a target of no known kind",
    proves: "validateOrgConfig",
    edit: (c) => (id(c).assignments[0].targets = ["everyone"]),
    expect: ["platform:identity.assignments[0].targets[0]", '"everyone"', "root, ou:<path>"],
  },
  {
    what: "an assignment to a person instead of a group",
    proves: "validateOrgConfig",
    edit: (c) => (id(c).assignments[0].user = "alice@example.com"),
    expect: ["platform:identity.assignments[0]", 'unknown key "user"', "group, permissionSet"],
  },
  {
    what: "the same group, permission set and account assigned twice",
    proves: "crossCheckIdentity",
    edit: (c) =>
      id(c).assignments.push({
        group: "finance",
        permissionSet: "BillingAccess",
        targets: ["root"],
      }),
    expect: ["platform:identity.assignments[7]", "finance × BillingAccess in management again"],
  },
  {
    what: "a session longer than 12 hours",
    proves: "validateOrgConfig",
    edit: (c) => (set(c, "ReadOnlyAccess").sessionDuration = "PT13H"),
    expect: [
      "platform:identity.permissionSets.ReadOnlyAccess.sessionDuration",
      '"PT13H"',
      "from 1 to 12 hours",
    ],
  },
  {
    what: "a session shorter than an hour",
    proves: "validateOrgConfig",
    edit: (c) => (set(c, "AdministratorAccess").sessionDuration = "PT45M"),
    expect: ["sessionDuration", '"PT45M"', "from 1 to 12 hours"],
  },
  {
    what: "a session duration that is not ISO-8601",
    proves: "validateOrgConfig",
    edit: (c) => (set(c, "AdministratorAccess").sessionDuration = "8h"),
    expect: ["sessionDuration", '"8h"', "ISO-8601 duration", "PT8H"],
  },
  {
    what: "an AWS managed policy that does not exist (the console's permission set name, not a policy)",
    proves: "validateOrgConfig",
    edit: (c) => (set(c, "BillingAccess").managedPolicies = ["arn:aws:iam::aws:policy/Billing"]),
    expect: [
      "platform:identity.permissionSets.BillingAccess.managedPolicies[0]",
      '"arn:aws:iam::aws:policy/Billing"',
      "not in AWS's catalogue",
      "job-function/Billing",
    ],
  },
  {
    what: "a customer managed policy given as an AWS managed one",
    proves: "validateOrgConfig",
    edit: (c) =>
      (set(c, "BillingAccess").managedPolicies = ["arn:aws:iam::111111111111:policy/finance"]),
    expect: ["managedPolicies[0]", "expected an AWS managed policy ARN"],
  },
  {
    what: "a permission set name the API refuses",
    proves: "validateOrgConfig",
    edit: (c) => (id(c).permissionSets["Read Only"] = set(c, "ReadOnlyAccess")),
    expect: ["platform:identity.permissionSets.Read Only", "1-32 letters"],
  },
  {
    what: "a relay state that is not an https URL",
    proves: "validateOrgConfig",
    edit: (c) => (set(c, "BillingAccess").relayState = "http://console.aws.amazon.com/billing"),
    expect: ["relayState", '"http://console.aws.amazon.com/billing"', "https:// URL"],
  },
  {
    what: "a platform role trusting a permission set that is not defined",
    proves: "crossCheckIdentity",
    edit: (c) => (id(c).trust.deploy = ["Admin"]),
    expect: ["platform:identity.trust.deploy[0]", '"Admin"', "AdministratorAccess"],
  },
  {
    what: "a platform role trusting a permission set nobody holds in the management account",
    proves: "crossCheckIdentity",
    edit: (c) => {
      id(c).assignments[6].targets = ["ou:security", "ou:workloads", "ou:sandbox"];
      id(c).trust.agent = ["AuditAccess", "AdministratorAccess"];
    },
    expect: [
      "platform:identity.trust.agent[0]",
      '"AuditAccess", which no assignment gives in the management account',
      "account:management",
    ],
  },
  {
    what: "a permission set whose roles the trust pattern of another would also match",
    proves: "crossCheckIdentity",
    edit: (c) =>
      (id(c).permissionSets.AdministratorAccess_Temp = {
        managedPolicies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      }),
    expect: [
      "platform:identity.permissionSets.AdministratorAccess_Temp",
      'starts with "AdministratorAccess_"',
    ],
  },
  {
    what: "a typed Identity Center role pattern in adminPrincipalArns",
    proves: "validateOrgConfig",
    edit: (c) =>
      (c["platform:organization"].adminPrincipalArns = [
        "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_AdministratorAccess_*",
      ]),
    expect: ["platform:organization.adminPrincipalArns[0]", "platform:identity.trust"],
  },
  {
    what: "more managed policies than a role may carry",
    proves: "crossCheckIdentity",
    edit: (c) =>
      (set(c, "AuditAccess").managedPolicies = [
        "ReadOnlyAccess",
        "SecurityAudit",
        "job-function/ViewOnlyAccess",
        "AWSBillingReadOnlyAccess",
        "AWSBudgetsReadOnlyAccess",
        "AWSCloudTrail_ReadOnlyAccess",
        "AWSConfigUserAccess",
        "IAMReadOnlyAccess",
        "AmazonS3ReadOnlyAccess",
        "AmazonEC2ReadOnlyAccess",
        "AWSLambda_ReadOnlyAccess",
      ].map((n) => `arn:aws:iam::aws:policy/${n}`)),
    expect: ["platform:identity.permissionSets.AuditAccess", "got 11", "at most 10"],
  },
  {
    what: "an account keyed like the management account",
    proves: "crossCheckIdentity",
    edit: (c) => {
      c["platform:accounts"].management = {
        name: "openems-mgmt",
        email: "aws+mgmt@example.com",
        ou: "sandbox",
      };
    },
    expect: ["platform:accounts.management", 'keyed "management"'],
  },
  {
    what: "an inline policy larger than the provisioned role may carry",
    proves: "crossCheckIdentity",
    edit: (c) =>
      (set(c, "AuditAccess").inlinePolicy.Statement[0].Action = Array.from(
        { length: 400 },
        (_, i) => `secretsmanager:GetSecretValue${i}`.slice(0, 40),
      )),
    expect: [
      "platform:identity.permissionSets.AuditAccess.inlinePolicy",
      "characters minified (with 600 kept for the trail statements)",
      "at most 10240",
    ],
  },
  {
    what: "an inline policy statement without a resource",
    proves: "validateOrgConfig",
    edit: (c) => delete set(c, "ReadOnlyAccess").inlinePolicy.Statement[0].Resource,
    expect: [
      "platform:identity.permissionSets.ReadOnlyAccess.inlinePolicy.Statement[0]",
      "exactly one of Resource and NotResource",
    ],
  },
];

describe("Identity Center configuration", () => {
  for (const c of CASES) {
    it(`refuses ${c.what} before creating anything (${c.proves})`, async () => {
      const config = editedConfig("org", "management", c.edit);
      const { message, registered } = await planExpectingError("org", "management", config);
      for (const fragment of nonEmpty(c.expect, "c.expect"))
        assert.ok(
          message.includes(fragment),
          `message lacks ${JSON.stringify(fragment)}:\n${message}`,
        );
      assert.match(message, /^Invalid configuration for org\/management:/);
      assert.deepStrictEqual(registered, []);
    });
  }

  it("reads ISO-8601 session durations in hours and minutes", () => {
    const table: [string, number | undefined][] = [
      ["PT1H", 60],
      ["PT12H", 720],
      ["PT1H30M", 90],
      ["PT90M", 90],
      ["PT", undefined],
      ["P1D", undefined],
      ["1H", undefined],
      ["PT1.5H", undefined],
    ];
    for (const [text, minutes] of table) assert.strictEqual(sessionMinutes(text), minutes, text);
  });

  it("expands root to every account and management, and an OU to its accounts and nested OUs'", () => {
    const accounts = {
      audit: { ou: "security" },
      web: { ou: "workloads/prod" },
      test: { ou: "workloads/nonprod" },
      lab: { ou: "sandbox" },
    };
    const table: [string, string[]][] = [
      ["root", ["management", "audit", "web", "test", "lab"]],
      ["ou:workloads", ["web", "test"]],
      ["ou:workloads/nonprod", ["test"]],
      ["ou:work", []],
      ["account:management", ["management"]],
      ["account:lab", ["lab"]],
      ["account:nope", []],
    ];
    for (const [target, keys] of table)
      assert.deepStrictEqual(expandTarget(target, accounts), keys, target);
  });

  it("derives both role path forms Identity Center uses (with and without the instance region)", () => {
    assert.deepStrictEqual(permissionSetRolePatterns("123456789012", ["Ops"]), [
      "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Ops_*",
      "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Ops_*",
    ]);
  });

  it("ships the list of AWS managed policies exactly as generated from the catalogue (npm run managed-policies)", () => {
    const list = catalogueList();
    assert.ok(list.arns.length > 1000, `only ${list.arns.length} policies in the catalogue`);
    assert.ok(list.arns.includes("arn:aws:iam::aws:policy/job-function/Billing"));
    assert.ok(
      fs.readFileSync(MANAGED_POLICIES_FILE, "utf8") === renderList(list),
      "lib/config/aws-managed-policies.json is stale: run npm run managed-policies",
    );
  });
});
