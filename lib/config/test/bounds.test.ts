import { nonEmpty } from "../../../tooling/testing/non-empty";
import * as assert from "assert";
import { ConfigError } from "../errors";
import { validateEdge } from "../edge";
import { validateNetwork } from "../network";
import { validateOrgConfig } from "../org";
import { validateWorkloads } from "../workloads";
import { editedConfig, repositoryConfig } from "../../../tooling/testing/harness";

/**
 * Every numeric rule of the configuration at its edge: the value just inside is accepted and the
 * value just outside is refused with a problem naming the key and the value. Each row edits a copy
 * of the shipped dev (or org) file, so everything else in the file stays valid.
 */
type Section = "network" | "workloads" | "edge" | "org";

interface Bound {
  readonly section: Section;
  /** The key the problem must name, as the error prints it. */
  readonly key: string;
  readonly set: (c: any, v: any) => void;
  readonly inside: readonly unknown[];
  readonly outside: readonly unknown[];
  /** The row sets a count or a length, not the value itself: the problem shows the list or text. */
  readonly derived?: true;
}

function problemsOf(section: Section, edit: (c: any) => void): string[] {
  if (section === "org") {
    try {
      validateOrgConfig(editedConfig("org", "management", edit));
      return [];
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
  }
  const c = editedConfig("network", "dev", edit);
  const all = {
    dev: c,
    stage: repositoryConfig("network", "stage"),
    prod: repositoryConfig("network", "prod"),
  };
  const net = validateNetwork("dev", c["platform:network"], all);
  if (section === "network") return net.problems;
  assert.deepStrictEqual(net.problems, [], "the network section of the edited file stays valid");
  if (section === "workloads")
    return validateWorkloads(c["platform:workloads"], net.value).problems;
  return validateEdge(c["platform:edge"], net.value).problems;
}

const addresses = (n: number) => Array.from({ length: n }, (_, i) => `203.0.113.${i}/32`);
const net = (c: any) => c["platform:network"];
const wl = (c: any) => c["platform:workloads"];
const edge = (c: any) => c["platform:edge"];
const budgets = (c: any) => c["platform:budgets"];
const readOnly = (c: any) => c["platform:identity"].permissionSets.ReadOnlyAccess;

const BOUNDS: Bound[] = [
  // network
  {
    section: "network",
    key: "platform:network.availabilityZones",
    set: (c, v) => (net(c).availabilityZones = v),
    inside: [2, 3],
    outside: [1, 4, 2.5],
  },
  {
    section: "network",
    key: "platform:network.maxAllowlistPrefix",
    set: (c, v) => (net(c).maxAllowlistPrefix = v),
    inside: [16, 32],
    outside: [8, 15, 33],
  },
  {
    section: "network",
    key: "platform:network.flowLogRetentionDays",
    set: (c, v) => (net(c).flowLogRetentionDays = v),
    inside: [1, 3653],
    outside: [0, 2, 3654],
  },
  {
    section: "network",
    key: "platform:network.vpcCidr",
    set: (c, v) => (net(c).vpcCidr = v),
    inside: ["10.10.0.0/16", "10.10.0.0/24"],
    outside: ["10.10.0.0/15", "10.10.0.0/25"],
  },
  {
    section: "network",
    key: "platform:network.vpn.clientCidr",
    set: (c, v) => (net(c).vpn.clientCidr = v),
    inside: ["10.200.0.0/16", "10.200.0.0/26"],
    outside: ["10.200.0.0/15", "10.200.0.0/27"],
  },
  {
    section: "network",
    key: "platform:network.vpn.port",
    set: (c, v) => (net(c).vpn.port = v),
    inside: [1024, 65535],
    outside: [1023, 65536],
  },
  {
    derived: true,
    section: "network",
    key: "platform:network.adminAllowlist",
    set: (c, v) => (net(c).adminAllowlist = addresses(v)),
    inside: [16],
    outside: [17],
  },
  {
    derived: true,
    section: "network",
    key: "platform:network.vpn.allowlist",
    set: (c, v) => (net(c).vpn.allowlist = addresses(v)),
    inside: [50],
    outside: [51],
  },
  {
    section: "network",
    key: "platform:network.adminAllowlist[0]",
    set: (c, v) => {
      net(c).maxAllowlistPrefix = 24;
      net(c).adminAllowlist = [v];
    },
    inside: ["203.0.113.0/24"],
    outside: ["203.0.112.0/23"],
  },
  // workloads
  {
    section: "workloads",
    key: "platform:workloads.openems.dataVolumeGb",
    set: (c, v) => (wl(c).openems.dataVolumeGb = v),
    inside: [8, 16384],
    outside: [7, 16385],
  },
  {
    section: "workloads",
    key: "platform:workloads.openems.snapshotRetentionDays",
    set: (c, v) => (wl(c).openems.snapshotRetentionDays = v),
    inside: [1, 365],
    outside: [0, 366],
  },
  {
    section: "workloads",
    key: "platform:workloads.mbe.upstreamTimeoutMs",
    set: (c, v) => (wl(c).mbe.upstreamTimeoutMs = v),
    inside: [100, 29000],
    outside: [99, 29001],
  },
  {
    section: "workloads",
    key: "platform:workloads.mbe.maxBodyBytes",
    set: (c, v) => (wl(c).mbe.maxBodyBytes = v),
    inside: [1024, 6291456],
    outside: [1023, 6291457],
  },
  {
    section: "workloads",
    key: "platform:workloads.logRetentionDays",
    set: (c, v) => (wl(c).logRetentionDays = v),
    inside: [1, 3653],
    outside: [0, 3654],
  },
  // edge
  {
    section: "edge",
    key: "platform:edge.certValidityDays",
    set: (c, v) => (edge(c).certValidityDays = v),
    inside: [61, 3650],
    outside: [29, 3651],
  },
  {
    section: "edge",
    key: "platform:edge.renewBeforeDays",
    set: (c, v) => (edge(c).renewBeforeDays = v),
    inside: [1, 365],
    outside: [0, 366],
  },
  {
    // Renewal must start before the certificate expires: equal is already too late.
    section: "edge",
    key: "platform:edge.renewBeforeDays",
    set: (c, v) => {
      edge(c).certValidityDays = 300;
      edge(c).renewBeforeDays = v;
    },
    inside: [299],
    outside: [300, 301],
  },
  {
    section: "edge",
    key: "platform:edge.awayAlarmMinutes",
    set: (c, v) => (edge(c).awayAlarmMinutes = v),
    inside: [5, 10080],
    outside: [4, 10081],
  },
  {
    // At most 10 labels a device (the settings parameter must fit the SSM standard tier).
    section: "edge",
    key: "platform:edge.sites[0].devices[0].labels",
    set: (c, v) =>
      (edge(c).sites[0].devices[0].labels = Object.fromEntries(
        Array.from({ length: v as number }, (_, i) => [`label-${i}`, "x"]),
      )),
    inside: [0, 10],
    outside: [11],
    derived: true,
  },
  {
    section: "edge",
    key: "platform:edge.sites[0].devices[0].labels.meter",
    set: (c, v) => (edge(c).sites[0].devices[0].labels = { meter: "m".repeat(v as number) }),
    inside: [0, 128],
    outside: [129],
    derived: true,
  },
  // org
  {
    section: "org",
    key: "platform:budgets.thresholds[0].percent",
    set: (c, v) => (budgets(c).thresholds[0].percent = v),
    inside: [0.01, 99.99],
    outside: [0, 100.01],
  },
  {
    section: "org",
    key: "platform:budgets.thresholds[3].percent",
    set: (c, v) => (budgets(c).thresholds[3].percent = v),
    inside: [100],
    outside: [101],
  },
  {
    derived: true,
    section: "org",
    key: "platform:budgets.thresholds",
    set: (c, v) =>
      (budgets(c).thresholds = Array.from({ length: v }, (_, i) => ({
        percent: 10 * (i + 1),
        type: "actual",
      }))),
    inside: [1, 5],
    outside: [0, 6],
  },
  {
    section: "org",
    key: "platform:budgets.accounts.dev.freezeAtPercent",
    set: (c, v) => (budgets(c).accounts.dev.freezeAtPercent = v),
    inside: [0.01, 100],
    outside: [0, 100.01],
  },
  {
    section: "org",
    key: "platform:budgets.organization.amount",
    set: (c, v) => (budgets(c).organization.amount = v),
    inside: [0.01],
    outside: [0, -0.01],
  },
  {
    section: "org",
    key: "platform:budgets.accounts.stage.amount",
    set: (c, v) => (budgets(c).accounts.stage.amount = v),
    inside: [0.01],
    outside: [0],
  },
  {
    section: "org",
    key: "platform:budgets.anomalyThresholdAmount",
    set: (c, v) => (budgets(c).anomalyThresholdAmount = v),
    inside: [0.01],
    outside: [0],
  },
  {
    derived: true,
    section: "org",
    key: "platform:budgets.subscribers",
    set: (c, v) =>
      (budgets(c).subscribers = Array.from({ length: v }, (_, i) => `finance${i}@example.com`)),
    inside: [1, 10],
    outside: [0, 11],
  },
  {
    section: "org",
    key: "platform:guardrails.maxPolicyChars",
    set: (c, v) => (c["platform:guardrails"].maxPolicyChars = v),
    inside: [1],
    outside: [0, 1.5],
  },
  {
    section: "org",
    key: "platform:guardrails.maxPoliciesPerTarget",
    set: (c, v) => (c["platform:guardrails"].maxPoliciesPerTarget = v),
    inside: [2],
    outside: [1],
  },
  {
    section: "org",
    key: "platform:trail.archiveAfterDays",
    set: (c, v) => (c["platform:trail"] = { archiveAfterDays: v, expireAfterDays: 730 }),
    inside: [1, 729],
    outside: [0],
  },
  {
    // S3 refuses a lifecycle rule whose objects expire no later than they move to Glacier.
    section: "org",
    key: "platform:trail.expireAfterDays",
    set: (c, v) =>
      (c["platform:trail"] = {
        archiveAfterDays: 90,
        expireAfterDays: v,
        objectLock: { mode: "GOVERNANCE", days: 30 },
      }),
    inside: [91],
    outside: [90, 0],
  },
  {
    // A locked log version outlives any expiry earlier than its retention.
    section: "org",
    key: "platform:trail.objectLock.days",
    set: (c, v) =>
      (c["platform:trail"] = {
        archiveAfterDays: 90,
        expireAfterDays: 730,
        objectLock: { mode: "COMPLIANCE", days: v },
      }),
    inside: [1, 730],
    outside: [0, 731, 1.5, 36501],
  },
  {
    section: "org",
    key: "platform:logRetentionDays",
    set: (c, v) => (c["platform:logRetentionDays"] = v),
    inside: [1, 3653],
    outside: [0, 3654],
  },
  {
    derived: true,
    section: "org",
    key: "platform:accounts.dev.name",
    set: (c, v) => (c["platform:accounts"].dev.name = "d".repeat(v)),
    inside: [1, 50],
    outside: [0, 51],
  },
  {
    section: "org",
    key: "platform:identity.permissionSets.ReadOnlyAccess.sessionDuration",
    set: (c, v) => (readOnly(c).sessionDuration = v),
    inside: ["PT1H", "PT12H"],
    outside: ["PT59M", "PT12H1M"],
  },
  {
    derived: true,
    section: "org",
    key: "platform:identity.permissionSets.ReadOnlyAccess.description",
    set: (c, v) => (readOnly(c).description = "d".repeat(v)),
    inside: [1, 700],
    outside: [701],
  },
];

const named = (problems: string[], key: string) => problems.filter((p) => p.startsWith(`${key}: `));

describe("Configuration validation: numeric bounds", () => {
  it("checks both sides of every bound", () => {
    assert.strictEqual(BOUNDS.length, 37);
    for (const b of BOUNDS) {
      assert.ok(b.inside.length > 0, `${b.key} has a value inside`);
      assert.ok(b.outside.length > 0, `${b.key} has a value outside`);
    }
  });

  for (const b of BOUNDS) {
    for (const v of nonEmpty(b.inside, "b.inside")) {
      it(`accepts ${b.key} = ${JSON.stringify(v)}`, () => {
        assert.deepStrictEqual(
          named(
            problemsOf(b.section, (c) => b.set(c, v)),
            b.key,
          ),
          [],
        );
      });
    }
    for (const v of nonEmpty(b.outside, "b.outside")) {
      it(`refuses ${b.key} = ${JSON.stringify(v)}, naming the key and the value`, () => {
        const found = named(
          problemsOf(b.section, (c) => b.set(c, v)),
          b.key,
        );
        assert.strictEqual(
          found.length,
          1,
          `one problem for ${b.key}, got ${JSON.stringify(found)}`,
        );
        assert.ok(found[0].startsWith(`${b.key}: got `), found[0]);
        if (!b.derived)
          assert.ok(found[0].startsWith(`${b.key}: got ${JSON.stringify(v)}; `), found[0]);
      });
    }
  }
});
