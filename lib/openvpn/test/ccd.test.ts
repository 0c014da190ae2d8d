import { strict as assert } from "assert";
import { vpnAddressPlan } from "../address-plan";
import { ccdObjectKey, renderCcdEntry, validateCommonName } from "../ccd";

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

describe("validateCommonName", () => {
  for (const good of ["pi-001", "a", "site42-battery-1", "0", "x".repeat(63)]) {
    const shown = good.length > 20 ? `${good.slice(0, 8)}...` : good;
    it(`accepts ${JSON.stringify(shown)}`, async () => {
      validateCommonName(good);
    });
  }

  const bad: Array<[string, string]> = [
    ["", "an empty name"],
    ["Pi-001", "upper case (S3 keys and file names would differ only by case)"],
    ["pi_001", "an underscore"],
    ["pi.001", "a dot"],
    ["-pi", "a leading hyphen"],
    ["pi-", "a trailing hyphen"],
    ["../etc", "a path"],
    ["pi/001", "a slash"],
    ["pi 001", "a space"],
    ["x".repeat(64), "64 characters"],
  ];
  for (const [cn, what] of bad) {
    it(`rejects ${what}`, async () => {
      assert.throws(
        () => validateCommonName(cn),
        new RegExp(`^Error: 'commonName' is ${escape(JSON.stringify(cn))}: it must be 1-63 `),
      );
    });
  }

  it("rejects the name OpenVPN reserves for its default ccd file", async () => {
    assert.throws(
      () => validateCommonName("default"),
      /'commonName' is "default": this name is reserved/,
    );
  });
});

describe("renderCcdEntry", () => {
  const plan = vpnAddressPlan("10.100.0.0/22");

  it("pushes the device's address with the subnet mask (topology subnet)", async () => {
    assert.equal(
      renderCcdEntry({ commonName: "pi-001", address: "10.100.1.7", netmask: "255.255.252.0" }),
      "ifconfig-push 10.100.1.7 255.255.252.0\n",
    );
  });

  it("checks the address against the plan's static range when given the plan", async () => {
    const netmask = plan.netmask;
    assert.equal(
      renderCcdEntry({ commonName: "pi-001", address: "10.100.1.0", netmask: plan.netmask, plan }),
      "ifconfig-push 10.100.1.0 255.255.252.0\n",
    );
    assert.throws(
      () => renderCcdEntry({ commonName: "pi-1", address: "10.100.0.9", netmask, plan }),
      /'address' is "10\.100\.0\.9": device addresses must be in the static range/,
    );
    assert.throws(
      () =>
        renderCcdEntry({
          commonName: "pi-1",
          address: "10.100.1.9",
          netmask: "255.255.255.0",
          plan,
        }),
      /'netmask' is "255\.255\.255\.0": it must be 255\.255\.252\.0/,
    );
  });

  type Entry = { commonName: string; address: string; netmask: string };
  const invalid: Array<[string, Entry, RegExp]> = [
    [
      "a bad common name",
      { commonName: "Pi 1", address: "10.100.1.1", netmask: "255.255.252.0" },
      /'commonName' is "Pi 1"/,
    ],
    [
      "a bad address",
      { commonName: "pi-1", address: "10.100.1.256", netmask: "255.255.252.0" },
      /'address' is "10\.100\.1\.256"/,
    ],
    [
      "a non-contiguous netmask",
      { commonName: "pi-1", address: "10.100.1.1", netmask: "255.0.255.0" },
      /'netmask' is "255\.0\.255\.0": it must be a contiguous netmask/,
    ],
    [
      "a peer address instead of a netmask",
      { commonName: "pi-1", address: "10.100.1.1", netmask: "10.100.1.2" },
      /'netmask' is "10\.100\.1\.2"/,
    ],
  ];
  for (const [what, opts, message] of invalid) {
    it(`rejects ${what}`, async () => {
      assert.throws(() => renderCcdEntry(opts), message);
    });
  }
});

describe("ccdObjectKey", () => {
  it("joins the prefix and the common name", async () => {
    assert.equal(ccdObjectKey("vpn/ccd/", "pi-001"), "vpn/ccd/pi-001");
    assert.equal(ccdObjectKey("/vpn/ccd", "pi-001"), "vpn/ccd/pi-001");
    assert.equal(ccdObjectKey("", "pi-001"), "pi-001");
  });

  it("refuses a common name that is not a safe file name", async () => {
    assert.throws(() => ccdObjectKey("ccd", "../x"), /'commonName' is "\.\.\/x"/);
  });
});
