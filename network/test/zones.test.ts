import * as assert from "assert";
import { chooseZones, ZoneFacts } from "../zones";
import { planStack } from "../../tooling/plan/run";
import { RegionZones, ZONE_OFFERINGS } from "../../tooling/plan/mocks";
import {
  editedConfig,
  one,
  planExpectingError,
  upstreamOutputs,
} from "../../tooling/testing/harness";

const VPN = { key: "platform:network.vpn.instanceType", instanceType: "t4g.nano" };
const HOST = { key: "platform:workloads.openems.instanceType", instanceType: "t3.medium" };

/** Three zones; the second offers t3 but not t4g. */
const FACTS: ZoneFacts = {
  region: "us-east-1",
  names: ["us-east-1a", "us-east-1b", "us-east-1c"],
  zoneIds: ["use1-az4", "use1-az6", "use1-az1"],
  offerings: {
    instanceTypes: ["t3.medium", "t4g.nano", "t3.medium", "t3.medium", "t4g.nano"],
    locations: ["use1-az4", "use1-az4", "use1-az6", "use1-az1", "use1-az1"],
  },
};

describe("network: zones by instance-type offering", () => {
  it("skips a zone that lacks one of the types, keeping names and IDs paired", () => {
    assert.deepStrictEqual(chooseZones("Pulumi.dev.yaml", FACTS, [VPN, HOST], 2), {
      names: ["us-east-1a", "us-east-1c"],
      zoneIds: ["use1-az4", "use1-az1"],
    });
  });

  it("refuses when fewer zones than configured offer every type, naming the keys", () => {
    assert.throws(
      () => chooseZones("Pulumi.dev.yaml", FACTS, [VPN, HOST], 3),
      (e: Error) =>
        /Pulumi\.dev\.yaml/.test(e.message) &&
        /platform:network\.availabilityZones: got 3; only 2 zone\(s\) of us-east-1 \(use1-az4, use1-az1\)/.test(
          e.message,
        ) &&
        /platform:network\.vpn\.instanceType t4g\.nano/.test(e.message),
    );
  });

  it("takes pinned zone IDs in their order, and refuses a pinned zone without a type", () => {
    assert.deepStrictEqual(
      chooseZones("Pulumi.dev.yaml", FACTS, [VPN, HOST], 2, ["use1-az1", "use1-az4"]).names,
      ["us-east-1c", "us-east-1a"],
    );
    assert.throws(
      () => chooseZones("Pulumi.dev.yaml", FACTS, [VPN, HOST], 2, ["use1-az6", "use1-az9"]),
      (e: Error) =>
        /zoneIds\[0\]: got "use1-az6", which does not offer t4g\.nano \(platform:network\.vpn\.instanceType\)/.test(
          e.message,
        ) && /zoneIds\[1\]: got "use1-az9"; expected a zone ID of us-east-1/.test(e.message),
    );
  });

  it("the shipped us-east-1 facts leave out use1-az3, which offers neither t3 nor t4g", () => {
    const east = ZONE_OFFERINGS["us-east-1"];
    assert.ok(east.zones.some((z) => z.zoneId === "use1-az3"));
    for (const family of ["t3", "t4g"]) assert.ok(!east.families[family].includes("use1-az3"));
  });

  describe("planned", function () {
    this.timeout(60_000);
    /** us-east-1 where the zone named us-east-1a lacks t4g, and us-east-1c (use1-az3) lacks both. */
    const lacksT4g: Record<string, RegionZones> = {
      "us-east-1": {
        ...ZONE_OFFERINGS["us-east-1"],
        families: {
          t3: ZONE_OFFERINGS["us-east-1"].families.t3,
          t4g: ZONE_OFFERINGS["us-east-1"].families.t4g.filter((id) => id !== "use1-az1"),
        },
      },
    };
    const plan = async (edit: (c: any) => void, zones?: Record<string, RegionZones>) =>
      planStack({
        project: "network",
        stack: "dev",
        stackName: "organization/network/dev",
        config: editedConfig("network", "dev", edit),
        stackOutputs: await upstreamOutputs(),
        zones,
      });
    const vpcZones = (p: Awaited<ReturnType<typeof plan>>) =>
      one(p, "awsx:ec2:Vpc").inputs.availabilityZoneNames;

    it("puts the subnets in zones that offer the VPN and backend types", async () => {
      assert.deepStrictEqual(vpcZones(await plan(() => undefined, lacksT4g)), [
        "us-east-1b",
        "us-east-1d",
      ]);
    });

    it("follows platform:network.zoneIds", async () => {
      const p = await plan((c) => (c["platform:network"].zoneIds = ["use1-az5", "use1-az2"]));
      assert.deepStrictEqual(vpcZones(p), ["us-east-1e", "us-east-1b"]);
    });

    it("refuses a pinned zone that lacks a type before creating anything", async () => {
      const err = await planExpectingError(
        "network",
        "dev",
        editedConfig(
          "network",
          "dev",
          (c) => (c["platform:network"].zoneIds = ["use1-az3", "use1-az2"]),
        ),
      );
      assert.match(err.message, /zoneIds\[0\]: got "use1-az3", which does not offer t4g\.nano/);
      assert.deepStrictEqual(
        err.registered.filter((r) => r.type.startsWith("aws:")).map((r) => r.type),
        [],
      );
    });

    it("refuses zoneIds whose count differs from availabilityZones", async () => {
      const err = await planExpectingError(
        "network",
        "dev",
        editedConfig("network", "dev", (c) => (c["platform:network"].zoneIds = ["use1-az1"])),
      );
      assert.match(
        err.message,
        /platform:network\.zoneIds: got \["use1-az1"\]; expected 2 distinct zone IDs/,
      );
    });
  });
});
