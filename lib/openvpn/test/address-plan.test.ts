import { strict as assert } from "assert";
import {
  isStaticDeviceAddress,
  staticAddressAt,
  validateDeviceAddress,
  vpnAddressPlan,
} from "../address-plan";

describe("vpnAddressPlan", () => {
  const cases = [
    {
      cidr: "10.100.0.0/22",
      server: "10.100.0.1",
      pool: ["10.100.0.2", "10.100.0.255", 254],
      statics: ["10.100.1.0", "10.100.3.254", 767],
    },
    {
      cidr: "10.8.0.0/24",
      server: "10.8.0.1",
      pool: ["10.8.0.2", "10.8.0.63", 62],
      statics: ["10.8.0.64", "10.8.0.254", 191],
    },
    {
      cidr: "172.16.0.0/16",
      server: "172.16.0.1",
      pool: ["172.16.0.2", "172.16.63.255", 16382],
      statics: ["172.16.64.0", "172.16.255.254", 49151],
    },
    {
      cidr: "10.9.0.0/28",
      server: "10.9.0.1",
      pool: ["10.9.0.2", "10.9.0.3", 2],
      statics: ["10.9.0.4", "10.9.0.14", 11],
    },
  ] as const;

  for (const c of cases) {
    it(`splits ${c.cidr} into server, dynamic pool and static range`, async () => {
      const plan = vpnAddressPlan(c.cidr);
      assert.equal(plan.serverAddress, c.server);
      assert.deepEqual(
        [plan.dynamicPool.first, plan.dynamicPool.last, plan.dynamicPool.size],
        c.pool,
      );
      assert.deepEqual(
        [plan.staticRange.first, plan.staticRange.last, plan.staticRange.size],
        c.statics,
      );
    });
  }

  it("accounts for every address exactly once", async () => {
    const plan = vpnAddressPlan("10.100.0.0/22");
    // network + server + pool + static + broadcast
    assert.equal(1 + 1 + plan.dynamicPool.size + plan.staticRange.size + 1, 1024);
    assert.equal(plan.netmask, "255.255.252.0");
    assert.equal(plan.prefixLength, 22);
  });

  it("honours an explicit dynamic pool size", async () => {
    const plan = vpnAddressPlan("10.100.0.0/22", { dynamicPoolSize: 10 });
    assert.equal(plan.dynamicPool.first, "10.100.0.2");
    assert.equal(plan.dynamicPool.last, "10.100.0.11");
    assert.equal(plan.staticRange.first, "10.100.0.12");
  });

  const invalid: Array<[string, Parameters<typeof vpnAddressPlan>[1], RegExp]> = [
    ["10.100.0.0/33", {}, /'clientCidr' is "10\.100\.0\.0\/33": not an IPv4 CIDR/],
    [
      "10.100.1.0/22",
      {},
      /'clientCidr' is "10\.100\.1\.0\/22": host bits are set; the network is 10\.100\.0\.0\/22/,
    ],
    ["10.0.0.0/8", {}, /'clientCidr' is "10\.0\.0\.0\/8": the prefix must be \/16 to \/28/],
    ["10.0.0.0/29", {}, /prefix must be \/16 to \/28/],
    ["banana", {}, /'clientCidr' is "banana"/],
    [
      "10.8.0.0/24",
      { dynamicPoolSize: 0 },
      /'dynamicPoolSize' is 0: it must be an integer from 1 to 252/,
    ],
    ["10.8.0.0/24", { dynamicPoolSize: 253 }, /'dynamicPoolSize' is 253/],
    ["10.8.0.0/24", { dynamicPoolSize: 2.5 }, /'dynamicPoolSize' is 2\.5/],
  ];
  for (const [cidr, opts, message] of invalid) {
    it(`rejects ${cidr} ${JSON.stringify(opts)} naming the key and value`, async () => {
      assert.throws(() => vpnAddressPlan(cidr, opts), message);
    });
  }
});

describe("validateDeviceAddress", () => {
  const plan = vpnAddressPlan("10.100.0.0/22");

  it("accepts the first and last static addresses", async () => {
    validateDeviceAddress(plan, "10.100.1.0");
    validateDeviceAddress(plan, "10.100.3.254");
    assert.ok(isStaticDeviceAddress(plan, "10.100.2.17"));
  });

  const rejected = [
    ["10.100.0.1", "the server address"],
    ["10.100.0.255", "the last pool address"],
    ["10.100.3.255", "the broadcast address"],
    ["10.101.0.5", "an address outside the range"],
  ];
  for (const [address, what] of rejected) {
    it(`rejects ${what} (${address})`, async () => {
      assert.throws(
        () => validateDeviceAddress(plan, address),
        new RegExp(
          `'address' is "${address.replace(/\./g, "\\.")}": device addresses must be in the ` +
            `static range 10\\.100\\.1\\.0-10\\.100\\.3\\.254`,
        ),
      );
    });
  }

  it("rejects text that is not an address", async () => {
    assert.throws(
      () => validateDeviceAddress(plan, "10.100.1", "devices[3].address"),
      /'devices\[3\]\.address' is "10\.100\.1": not a dotted-quad IPv4 address/,
    );
  });
});

describe("staticAddressAt", () => {
  const plan = vpnAddressPlan("10.100.0.0/22");

  it("counts from the start of the static range", async () => {
    assert.equal(staticAddressAt(plan, 0), "10.100.1.0");
    assert.equal(staticAddressAt(plan, 300), "10.100.2.44");
    assert.equal(staticAddressAt(plan, plan.staticRange.size - 1), "10.100.3.254");
  });

  it("refuses an index past the end", async () => {
    assert.throws(
      () => staticAddressAt(plan, 767),
      /'index' is 767: it must be an integer from 0 to 766/,
    );
  });
});
