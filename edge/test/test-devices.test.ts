/**
 * The automation / AI agent role works in dev, so dev holds test devices only: a device that is (or
 * looks like) one at a real site is refused before anything is created.
 */
import * as assert from "assert";
import { editedConfig, planExpectingError, stackOf } from "../../tooling/testing/harness";
import { checkTestDevicesOnly, EdgeConfig } from "../../lib/config/edge";

const fleet = (site: string, ...devices: string[]): EdgeConfig => ({
  certValidityDays: 730,
  renewBeforeDays: 60,
  awayAlarmMinutes: 30,
  clientCaGenerations: ["1"],
  sites: [{ id: site, devices: devices.map((id) => ({ id, labels: {} })) }],
});

describe("checkTestDevicesOnly", () => {
  it("is enforced where the org program creates the agent role", async () => {
    const org = await stackOf("org", "management");
    const agentAccounts = org.resources
      .filter(
        (r) => r.type === "aws:iam/role:Role" && r.inputs.name === "platform-automation-agent",
      )
      .map((r) => r.name.replace(/^access-/, "").replace(/-agent$/, ""));
    // The agent role exists in dev only (lib/config/edge.ts: the only environment with test devices).
    assert.deepStrictEqual(agentAccounts, ["dev"]);
  });

  it("ships dev with test devices only", async () => {
    const devices = (await stackOf("edge", "dev")).outputs.devices as {
      id: string;
      site: string;
    }[];
    assert.ok(devices.length > 0);
    for (const d of devices) {
      assert.match(d.id, /^test-/);
      assert.match(d.site, /^test-/);
    }
  });

  it("refuses a real-looking site or device in dev, naming each key", () => {
    assert.deepStrictEqual(checkTestDevicesOnly("dev", fleet("pilot-site", "test-pi-1", "pi-7")), [
      'platform:edge.sites[0].id: got "pilot-site"; expected an id starting with "test-" (dev is reachable by the automation / AI agent role, so it holds test devices only)',
      'platform:edge.sites[0].devices[1].id: got "pi-7"; expected an id starting with "test-" (dev is reachable by the automation / AI agent role, so it holds test devices only)',
    ]);
    assert.deepStrictEqual(checkTestDevicesOnly("dev", fleet("test-lab", "test-pi-1")), []);
  });

  it("leaves stage and prod to real sites", () => {
    for (const env of ["stage", "prod"])
      assert.deepStrictEqual(checkTestDevicesOnly(env, fleet("pilot-site", "pilot-pi-001")), []);
  });

  it("stops the dev plan before any resource, naming the file and the key", async () => {
    const r = await planExpectingError(
      "edge",
      "dev",
      editedConfig("edge", "dev", (c) => {
        c["platform:edge"].sites[0].id = "pilot-site";
      }),
    );
    assert.match(r.message, /Pulumi\.dev\.yaml/);
    assert.match(
      r.message,
      /platform:edge\.sites\[0\]\.id: got "pilot-site"; expected an id starting with "test-"/,
    );
    assert.strictEqual(r.registered.filter((x) => x.type.startsWith("aws:")).length, 0);
  });
});
