import { nonEmpty } from "../../../tooling/testing/non-empty";
import * as assert from "assert";
import { editedConfig, planExpectingError } from "../../../tooling/testing/harness";

interface Case {
  what: string;
  project: "org" | "network" | "workloads" | "edge";
  stack?: string;
  edit: (c: any) => void;
  /** Every fragment must appear in the error: the key, the value received, what is allowed. */
  expect: string[];
  /** The validator that refuses it (named in the control matrix, policies/CONTROLS.md). */
  proves?: string;
}

const net = (c: any) => c["platform:network"];
const budgets = (c: any) => c["platform:budgets"];

const CASES: Case[] = [
  {
    what: "a CIDR with an impossible prefix",
    project: "network",
    proves: "validateNetwork",
    edit: (c) => (net(c).vpcCidr = "10.10.0.0/33"),
    expect: ["platform:network.vpcCidr", '"10.10.0.0/33"', "a.b.c.d/n"],
  },
  {
    what: "a CIDR with host bits set",
    project: "network",
    proves: "validateNetwork",
    edit: (c) => (net(c).vpcCidr = "10.10.1.0/16"),
    expect: ["platform:network.vpcCidr", '"10.10.1.0/16"', "the network is 10.10.0.0/16"],
  },
  {
    what: "a VPC block wider than /16",
    project: "network",
    proves: "validateNetwork",
    edit: (c) => (net(c).vpcCidr = "10.0.0.0/8"),
    expect: ["platform:network.vpcCidr", '"10.0.0.0/8"', "prefix from /16 to /24"],
  },
  {
    what: "a public VPC block",
    project: "network",
    proves: "validateNetwork",
    edit: (c) => (net(c).vpcCidr = "8.8.0.0/16"),
    expect: ["platform:network.vpcCidr", '"8.8.0.0/16"', "private range"],
  },
  {
    what: "a VPC block overlapping another environment",
    project: "network",
    proves: "crossCheckNetwork",
    edit: (c) => (net(c).vpcCidr = "10.20.0.0/16"),
    expect: [
      "platform:network.vpcCidr",
      '"10.20.0.0/16"',
      "stage's vpcCidr 10.20.0.0/16",
      "Pulumi.stage.yaml",
    ],
  },
  {
    what: "an admin allowlist entry inside the VPN device range",
    project: "network",
    proves: "crossCheckNetwork",
    edit: (c) => (net(c).adminAllowlist[0] = "10.200.1.0/24"),
    expect: [
      "Pulumi.dev.yaml",
      'platform:network.adminAllowlist[0]: got "10.200.1.0/24"; it overlaps 10.200.1.0/24 (the VPN device range',
    ],
  },
  {
    what: "a stack reference to another environment's network stack",
    project: "workloads",
    proves: "checkStackRefs",
    edit: (c) => (c["platform:environment"].stackRefs = { network: "organization/network/prod" }),
    expect: [
      "Pulumi.dev.yaml",
      'platform:environment.stackRefs.network: got "organization/network/prod"; expected "<pulumiOrg>/network/dev"',
    ],
  },
  {
    what: "a VPN client range inside the VPC",
    project: "network",
    proves: "crossCheckNetwork",
    edit: (c) => (net(c).vpn.clientCidr = "10.10.128.0/22"),
    expect: [
      "platform:network.vpn.clientCidr",
      '"10.10.128.0/22"',
      "disjoint from vpcCidr 10.10.0.0/16",
    ],
  },
  {
    what: "a VPN client range overlapping prod's",
    project: "network",
    proves: "crossCheckNetwork",
    edit: (c) => (net(c).vpn.clientCidr = "10.220.4.0/22"),
    expect: [
      "platform:network.vpn.clientCidr",
      '"10.220.4.0/22"',
      "prod's vpn.clientCidr 10.220.0.0/21",
    ],
  },
  {
    what: "the whole internet on the admin allowlist",
    project: "network",
    proves: "crossCheckNetwork",
    edit: (c) => net(c).adminAllowlist.push("0.0.0.0/0"),
    expect: ["platform:network.adminAllowlist[2]", '"0.0.0.0/0"', "never allowed"],
  },
  {
    what: "a malformed allowlist entry",
    project: "network",
    proves: "crossCheckNetwork",
    edit: (c) => (net(c).adminAllowlist[0] = "203.0.113.300/32"),
    expect: [
      "platform:network.adminAllowlist[0]",
      '"203.0.113.300/32"',
      "expected an IPv4 CIDR block",
    ],
  },
  {
    what: "an allowlist entry wider than the bound",
    project: "network",
    proves: "crossCheckNetwork",
    edit: (c) => (net(c).adminAllowlist[1] = "198.51.0.0/16"),
    expect: ["platform:network.adminAllowlist[1]", '"198.51.0.0/16"', "no wider than /24"],
  },
  {
    what: "IPv6 anywhere on the VPN allowlist",
    project: "network",
    proves: "crossCheckNetwork",
    edit: (c) => (net(c).vpn.allowlist = ["::/0"]),
    expect: ["platform:network.vpn.allowlist[0]", '"::/0"', "never allowed"],
  },
  {
    what: "an admin profile name that is not hostname-safe",
    project: "network",
    proves: "crossCheckNetwork",
    edit: (c) => (net(c).vpn.adminProfiles = ["Alice Smith"]),
    expect: ["platform:network.vpn.adminProfiles[0]", '"Alice Smith"', "a-z, 0-9 and '-'"],
  },
  {
    what: "an admin profile listed twice",
    project: "network",
    proves: "crossCheckNetwork",
    edit: (c) => (net(c).vpn.adminProfiles = ["ops", "ops"]),
    expect: ["platform:network.vpn.adminProfiles[1]", '"ops"', "each admin profile once"],
  },
  {
    what: "no NAT and no interface endpoints",
    project: "network",
    proves: "crossCheckNetwork",
    edit: (c) => {
      net(c).natStrategy = "none";
      net(c).interfaceEndpoints = false;
    },
    expect: ["platform:network.natStrategy", '"none"', "interfaceEndpoints: true"],
  },
  {
    what: "more admin sources than a security group holds",
    project: "network",
    proves: "validateNetwork",
    edit: (c) => (net(c).adminAllowlist = Array.from({ length: 17 }, (_, i) => `192.0.2.${i}/32`)),
    expect: ["platform:network.adminAllowlist", "at most 16 entries"],
  },
  {
    what: "a region the organization does not allow",
    project: "network",
    proves: "validateEnvironment",
    edit: (c) => (c["platform:environment"].region = "eu-central-1"),
    expect: [
      "platform:environment.region",
      '"eu-central-1"',
      "allowed regions (us-east-1, us-west-2)",
    ],
  },
  {
    what: "a malformed region",
    project: "workloads",
    proves: "validateEnvironment",
    edit: (c) => (c["platform:environment"].region = "useast1"),
    expect: ["platform:environment.region", '"useast1"', "AWS region code"],
  },
  {
    what: "an account the org config does not define",
    project: "edge",
    proves: "validateEnvironment",
    edit: (c) => (c["platform:environment"].account = "qa"),
    expect: [
      "platform:environment.account",
      '"qa"',
      "org/Pulumi.management.yaml (log-archive, dev, stage, prod, sandbox)",
    ],
  },
  {
    what: "another environment's account",
    project: "network",
    proves: "validateEnvironment",
    edit: (c) => (c["platform:environment"].account = "prod"),
    expect: ["platform:environment.account", '"prod"', "not marked environment: dev"],
  },
  {
    what: "a misspelt top-level key",
    project: "network",
    proves: "validateEnvironment",
    edit: (c) => (c["platform:netwrok"] = {}),
    expect: ["platform:netwrok", "unknown key", "platform:network"],
  },
  {
    what: "a misspelt nested key",
    project: "network",
    proves: "validateNetwork",
    edit: (c) => (net(c).natStratgy = "none"),
    expect: ['platform:network.natStratgy: unknown key "natStratgy"', "natStrategy"],
  },
  {
    what: "a misspelt key inside the VPN settings",
    project: "network",
    proves: "validateNetwork",
    edit: (c) => (net(c).vpn.prot = 1195),
    expect: ['platform:network.vpn.prot: unknown key "prot"', "port"],
  },
  {
    what: "a misspelt key of the Vercel identity, three levels down",
    project: "workloads",
    proves: "validateWorkloads",
    edit: (c) => (c["platform:workloads"].mbe.vercel.tem = "acme"),
    expect: ['platform:workloads.mbe.vercel.tem: unknown key "tem"', "team, project, environment"],
  },
  {
    what: "a misspelt key of a device entry",
    project: "edge",
    proves: "validateEdge",
    edit: (c) => (c["platform:edge"].sites[0].devices[1].adress = "10.200.1.20"),
    expect: [
      'platform:edge.sites[0].devices[1].adress: unknown key "adress"',
      "id, address, labels",
    ],
  },
  {
    what: "a misspelt stack reference",
    project: "workloads",
    proves: "validateEnvironmentConfig",
    edit: (c) => (c["platform:environment"].stackRefs = { netwrok: "acme/network/dev" }),
    expect: ['platform:environment.stackRefs.netwrok: unknown key "netwrok"', "network"],
  },
  {
    what: "a network typo, in the edge project that shares the file",
    project: "edge",
    proves: "validateEnvironmentConfig",
    edit: (c) => (net(c).vpn.alowlist = []),
    expect: ['platform:network.vpn.alowlist: unknown key "alowlist"', "allowlist"],
  },
  {
    what: "every problem of the file at once, from every section",
    project: "network",
    proves: "validateEnvironmentConfig",
    edit: (c) => {
      net(c).natStrategy = "nat-gateway";
      c["platform:workloads"].openems.dataVolumeGb = 2;
      c["platform:edge"].renewBeforeDays = 900;
      c["platform:environment"].region = "eu-central-1";
    },
    expect: [
      "Pulumi.dev.yaml",
      "platform:network.natStrategy",
      "platform:workloads.openems.dataVolumeGb",
      "platform:edge.renewBeforeDays",
      "platform:environment.region",
    ],
  },
  {
    what: "a misspelt guardrail key",
    project: "org",
    proves: "validateOrgConfig",
    edit: (c) => (c["platform:guardrails"].alowedInstanceTypes = ["t3.micro"]),
    expect: [
      'platform:guardrails.alowedInstanceTypes: unknown key "alowedInstanceTypes"',
      "allowedInstanceTypes",
    ],
  },
  {
    what: "an instance-type wildcard wider than one family",
    project: "org",
    proves: "validateOrgConfig",
    edit: (c) => (c["platform:guardrails"].allowedInstanceTypes = ["t*"]),
    expect: ["platform:guardrails.allowedInstanceTypes[0]", '"t*"', "a whole family such as t4g.*"],
  },
  {
    what: "an unknown NAT strategy",
    project: "network",
    proves: "validateNetwork",
    edit: (c) => (net(c).natStrategy = "nat-gateway"),
    expect: [
      "platform:network.natStrategy",
      '"nat-gateway"',
      "none, instance, gateway, gateway-per-az",
    ],
  },
  {
    what: "a log retention CloudWatch does not offer",
    project: "network",
    proves: "validateNetwork",
    edit: (c) => (net(c).flowLogRetentionDays = 45),
    expect: ["platform:network.flowLogRetentionDays", "45", "30, 60"],
  },
  {
    what: "a malformed instance type",
    project: "workloads",
    proves: "validateWorkloads",
    edit: (c) => (c["platform:workloads"].openems.instanceType = "T3 Medium"),
    expect: ["platform:workloads.openems.instanceType", '"T3 Medium"', "such as t4g.small"],
  },
  {
    what: "an empty JSON-RPC allowlist",
    project: "workloads",
    proves: "validateWorkloads",
    edit: (c) => (c["platform:workloads"].mbe.allowedMethods = []),
    expect: ["platform:workloads.mbe.allowedMethods", "[]", "expected at least one method"],
  },
  {
    what: "an HTTPS name outside its hosted zone",
    project: "workloads",
    proves: "crossCheckWorkloads",
    stack: "stage",
    edit: (c) => (c["platform:workloads"].https.odooName = "odoo.example.net"),
    expect: [
      "platform:workloads.https.odooName",
      '"odoo.example.net"',
      "inside the hosted zone example.com",
    ],
  },
  {
    what: "a device address in the admin pool",
    project: "edge",
    proves: "validateEdge",
    edit: (c) => (c["platform:edge"].sites[0].devices[0].address = "10.200.0.20"),
    expect: ["platform:edge.sites[0].devices[0].address", '"10.200.0.20"', "the admin pool"],
  },
  {
    what: "a device id used twice",
    project: "edge",
    proves: "crossCheckEdge",
    edit: (c) =>
      (c["platform:edge"].sites = [{ id: "site-a", devices: [{ id: "pi-1" }, { id: "pi-1" }] }]),
    expect: ["platform:edge.sites[0].devices[1].id", '"pi-1"', "unique in the fleet"],
  },
  {
    what: "a device id that is not hostname-safe",
    project: "edge",
    proves: "validateEdge",
    edit: (c) => (c["platform:edge"].sites = [{ id: "site-a", devices: [{ id: "Pi_1" }] }]),
    expect: ["platform:edge.sites[0].devices[0].id", '"Pi_1"', "lowercase letters"],
  },
  {
    what: "a malformed subscriber e-mail",
    project: "org",
    proves: "validateOrgConfig",
    edit: (c) => (budgets(c).subscribers[0] = "finance-at-example.com"),
    expect: ["platform:budgets.subscribers[0]", '"finance-at-example.com"', "e-mail address"],
  },
  {
    what: "a malformed account e-mail",
    project: "org",
    proves: "validateOrgConfig",
    edit: (c) => (c["platform:accounts"].dev.email = "dev@"),
    expect: ["platform:accounts.dev.email", '"dev@"', "e-mail address"],
  },
  {
    what: "a zero budget",
    project: "org",
    proves: "validateOrgConfig",
    edit: (c) => (budgets(c).organization.amount = 0),
    expect: ["platform:budgets.organization.amount", "0", "greater than 0"],
  },
  {
    what: "a negative account budget",
    project: "org",
    proves: "validateOrgConfig",
    edit: (c) => (budgets(c).accounts.dev.amount = -5),
    expect: ["platform:budgets.accounts.dev.amount", "-5", "greater than 0"],
  },
  {
    what: "a currency Budgets does not bill in",
    project: "org",
    proves: "validateOrgConfig",
    edit: (c) => (budgets(c).currency = "EUR"),
    expect: ["platform:budgets.currency", '"EUR"', "USD"],
  },
  {
    what: "a threshold above 100 %",
    project: "org",
    proves: "validateOrgConfig",
    edit: (c) => (budgets(c).thresholds[0].percent = 120),
    expect: ["platform:budgets.thresholds[0].percent", "120", "at most 100"],
  },
  {
    what: "a threshold of 0 %",
    project: "org",
    proves: "validateOrgConfig",
    edit: (c) => (budgets(c).thresholds[1].percent = 0),
    expect: ["platform:budgets.thresholds[1].percent", "0", "above 0"],
  },
  {
    what: "an unknown threshold type",
    project: "org",
    proves: "validateOrgConfig",
    edit: (c) => (budgets(c).thresholds[3].type = "predicted"),
    expect: ["platform:budgets.thresholds[3].type", '"predicted"', '"actual" or "forecasted"'],
  },
  {
    what: "a budget for an account that does not exist",
    project: "org",
    proves: "validateOrgConfig",
    edit: (c) => (budgets(c).accounts.qa = { amount: 10 }),
    expect: ["platform:budgets.accounts.qa", '"qa"', "log-archive, dev, stage, prod, sandbox"],
  },
  {
    what: "a freeze on prod without the explicit flag",
    project: "org",
    proves: "validateOrgConfig",
    edit: (c) => (budgets(c).accounts.prod.freezeAtPercent = 100),
    expect: ["platform:budgets.accounts.prod.freezeAtPercent", "100", "allowProdFreeze"],
  },
  {
    what: "a home region outside the allowed regions",
    project: "org",
    proves: "validateOrgConfig",
    edit: (c) => (c["platform:organization"].homeRegion = "eu-west-1"),
    expect: [
      "platform:organization.homeRegion",
      '"eu-west-1"',
      "allowedRegions (us-east-1, us-west-2)",
    ],
  },
  {
    what: "a misspelt org key",
    project: "org",
    proves: "validateOrgConfig",
    edit: (c) => (c["platform:budget"] = {}),
    expect: ["platform:budget", "unknown key", "platform:budgets"],
  },
  {
    what: "a misspelt account field",
    project: "org",
    proves: "validateOrgConfig",
    edit: (c) => (c["platform:accounts"].dev.emial = "x@example.com"),
    expect: ['platform:accounts.dev.emial: unknown key "emial"', "email"],
  },
];

describe("Configuration validation", () => {
  it("covers at least 20 malformed configurations", () => assert.ok(CASES.length >= 20));

  for (const c of CASES) {
    it(`${c.proves}: rejects ${c.what} before registering any resource`, async () => {
      const stack = c.stack ?? (c.project === "org" ? "management" : "dev");
      const { message, registered } = await planExpectingError(
        c.project,
        stack,
        editedConfig(c.project, stack, c.edit),
      );
      for (const fragment of nonEmpty(c.expect, "c.expect"))
        assert.ok(
          message.includes(fragment),
          `message lacks ${JSON.stringify(fragment)}:\n${message}`,
        );
      assert.deepStrictEqual(
        registered.map((r) => `${r.type} ${r.name}`),
        [],
      );
    });
  }

  it("rejects a stack name that is not an environment", async () => {
    const { message, registered } = await planExpectingError(
      "network",
      "qa",
      editedConfig("network", "dev", () => undefined),
    );
    assert.match(message, /stack name: got "qa"; expected one of dev, stage, prod/);
    assert.strictEqual(registered.length, 0);
  });

  it("accepts every environment file and the org file as shipped", async () => {
    const { repositoryPlan } = await import("../../../tooling/testing/harness");
    const plans = await repositoryPlan();
    assert.deepStrictEqual(
      plans.map((p) => `${p.project}/${p.stack}`),
      [
        "org/management",
        "network/dev",
        "workloads/dev",
        "edge/dev",
        "network/stage",
        "workloads/stage",
        "edge/stage",
        "network/prod",
        "workloads/prod",
        "edge/prod",
      ],
    );
  });
});
