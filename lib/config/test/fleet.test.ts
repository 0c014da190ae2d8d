import { nonEmpty } from "../../../tooling/testing/non-empty";
import * as assert from "assert";
import * as fc from "fast-check";
import { planFleet } from "../fleet";
import { isStaticDeviceAddress, staticAddressAt, vpnAddressPlan } from "../../openvpn/address-plan";

type Entry = { id: string; address?: string; labels: Record<string, string> };
type Sites = { id: string; devices: Entry[] }[];

// Small ranges make clashes common, so refusals and accepted fleets are both exercised: /28 holds
// 11 device addresses, /26 47, /24 191, /22 767.
const RANGES = ["10.9.0.0/28", "10.9.0.0/26", "10.9.0.0/24", "10.9.0.0/22"];
const IDS = 24;

/**
 * One device as it may appear in either fleet, decoded from three random integers (records of
 * nested arbitraries are ten times slower to generate): whether it is in the first fleet, the
 * second or both (removals, additions), whether its entry changed in between, its site and its
 * position in each file (moves, reorderings), and each version of its entry (a pin or none, a label).
 */
interface Row {
  id: string;
  inA: boolean;
  inB: boolean;
  changed: boolean;
  siteA: number;
  siteB: number;
  orderA: number;
  orderB: number;
  versions: [{ pin?: number; label: string }, { pin?: number; label: string }];
}

function decode(id: string, [r0, r1, r2]: number[], size: number): Row {
  const labels = ["sdm630", "em24", "none"];
  const version = (bits: number) => ({
    pin: bits % 4 === 0 ? Math.floor(bits / 4) % size : undefined,
    label: labels[Math.floor(bits / 4096) % 3],
  });
  return {
    id,
    inA: (r0 & 1) === 1,
    inB: (r0 & 2) === 2,
    changed: (r0 & 4) === 4,
    siteA: (r0 >> 3) % 3,
    siteB: (r0 >> 5) % 3,
    orderA: r2 & 0xffff,
    orderB: r2 >>> 16,
    versions: [version(r0 >>> 8), version(r1)],
  };
}

const scenario = fc
  .record({
    cidr: fc.constantFrom(...RANGES),
    prefix: fc.stringMatching(/^[a-z][a-z0-9]{0,5}-$/),
    bits: fc.array(fc.noBias(fc.integer({ min: 0, max: 2 ** 31 - 1 })), {
      minLength: 3 * IDS,
      maxLength: 3 * IDS,
    }),
  })
  .map(({ cidr, prefix, bits }) => {
    const size = vpnAddressPlan(cidr).staticRange.size;
    const rows = Array.from({ length: IDS }, (_, i) =>
      decode(`${prefix}${i}`, bits.slice(3 * i, 3 * i + 3), size),
    );
    return { cidr, rows };
  });

function entryOf(cidr: string, id: string, v: { pin?: number; label: string }): Entry {
  const plan = vpnAddressPlan(cidr);
  return {
    id,
    ...(v.pin === undefined ? {} : { address: staticAddressAt(plan, v.pin) }),
    labels: { meter: v.label },
  };
}

function fleet(rows: { site: number; order: number; entry: Entry }[]): Sites {
  const sites: Sites = [0, 1, 2].map((i) => ({ id: `site-${i}`, devices: [] }));
  for (const r of nonEmpty(
    [...rows].sort((a, b) => a.order - b.order),
    "[...rows].sort((a, b) => a.order - b....",
  ))
    sites[r.site].devices.push(r.entry);
  return sites;
}

function build(s: { cidr: string; rows: Row[] }) {
  const a = fleet(
    s.rows
      .filter((r) => r.inA)
      .map((r) => ({
        site: r.siteA,
        order: r.orderA,
        entry: entryOf(s.cidr, r.id, r.versions[0]),
      })),
  );
  const b = fleet(
    s.rows
      .filter((r) => r.inB)
      .map((r) => ({
        site: r.siteB,
        order: r.orderB,
        entry: entryOf(s.cidr, r.id, r.versions[r.inA && r.changed ? 1 : 0]),
      })),
  );
  return { a, b };
}

const entries = (sites: Sites) => new Map(sites.flatMap((s) => s.devices).map((d) => [d.id, d]));

describe("planFleet (property)", () => {
  it("never moves a device whose own entry is unchanged, whatever is added, removed, changed or reordered", () => {
    let compared = 0;
    let comparedBesideNewcomers = 0;
    fc.assert(
      fc.property(scenario, (s) => {
        const { a, b } = build(s);
        const before = planFleet({ sites: a }, s.cidr);
        const after = planFleet({ sites: b }, s.cidr);
        if (before.problems.length || after.problems.length) return;
        const entriesA = entries(a);
        const entriesB = entries(b);
        const added = [...entriesB.keys()].some((id) => !entriesA.has(id));
        const at = new Map(after.devices.map((d) => [d.id, d.address]));
        for (const d of nonEmpty(before.devices, "before.devices")) {
          const mine = entriesB.get(d.id);
          if (!mine || JSON.stringify(mine) !== JSON.stringify(entriesA.get(d.id))) continue;
          assert.strictEqual(at.get(d.id), d.address, `${d.id} moved`);
          compared++;
          if (added) comparedBesideNewcomers++;
        }
      }),
      { numRuns: 800, seed: 13 },
    );
    // The property held over real comparisons, including fleets that grew.
    assert.ok(compared > 500, `only ${compared} devices compared`);
    assert.ok(comparedBesideNewcomers > 100, `only ${comparedBesideNewcomers} beside additions`);
  });

  it("keeps a valid fleet valid, with the same addresses, when devices are removed", () => {
    let checked = 0;
    fc.assert(
      fc.property(
        scenario,
        fc.array(fc.boolean(), { minLength: IDS, maxLength: IDS }),
        (s, keep) => {
          const { a } = build(s);
          const full = planFleet({ sites: a }, s.cidr);
          if (full.problems.length) return;
          let i = 0;
          const fewer = a.map((site) => ({
            ...site,
            devices: site.devices.filter(() => keep[i++]),
          }));
          const after = planFleet({ sites: fewer }, s.cidr);
          assert.deepStrictEqual(after.problems, []);
          const at = new Map(full.devices.map((d) => [d.id, d.address]));
          for (const d of nonEmpty(after.devices, "after.devices"))
            assert.strictEqual(d.address, at.get(d.id));
          checked += after.devices.length;
        },
      ),
      { numRuns: 300, seed: 7 },
    );
    assert.ok(checked > 300, `only ${checked} devices checked`);
  });

  it("gives every device of a valid fleet its own static address, pinned ones exactly as pinned", () => {
    let valid = 0;
    fc.assert(
      fc.property(scenario, (s) => {
        const { a } = build(s);
        const { devices, problems } = planFleet({ sites: a }, s.cidr);
        if (problems.length) return;
        valid++;
        const plan = vpnAddressPlan(s.cidr);
        const pins = entries(a);
        assert.strictEqual(new Set(devices.map((d) => d.address)).size, devices.length);
        for (const d of devices) {
          assert.ok(isStaticDeviceAddress(plan, d.address), d.address);
          assert.strictEqual(d.pinned, pins.get(d.id)!.address !== undefined);
          if (d.pinned) assert.strictEqual(d.address, pins.get(d.id)!.address);
        }
      }),
      { numRuns: 300, seed: 11 },
    );
    assert.ok(valid > 50, `only ${valid} valid fleets`);
  });

  it("refuses two devices on one address, naming both and suggesting a free address to pin", () => {
    let refused = 0;
    fc.assert(
      fc.property(scenario, (s) => {
        const { a } = build(s);
        const { problems } = planFleet({ sites: a }, s.cidr);
        const clashes = problems.filter((p) => p.includes("also claims"));
        if (!clashes.length) return;
        refused++;
        for (const p of nonEmpty(clashes, "clashes")) {
          assert.match(p, /^platform:edge\.sites\[\d\]\.devices\[\d+\]\.address: got nothing/);
          assert.match(p, /expected a pinned address on this device or the other/);
        }
      }),
      { numRuns: 300, seed: 5 },
    );
    assert.ok(refused > 50, `only ${refused} fleets with a clash`);
  });
});

describe("planFleet (device id length)", () => {
  const fleet = (id: string) => ({ sites: [{ id: "site-a", devices: [{ id, labels: {} }] }] });

  it("accepts a 32-character device id", () => {
    const id = `pi-${"0".repeat(29)}`;
    assert.equal(id.length, 32);
    const { devices, problems } = planFleet(fleet(id), "10.9.0.0/24");
    assert.deepEqual(problems, []);
    assert.deepEqual(
      devices.map((d) => d.id),
      [id],
    );
  });

  it("refuses a 33-character device id, naming the entry, its length and the limit", () => {
    const id = `pi-${"0".repeat(30)}`;
    const { devices, problems } = planFleet(fleet(id), "10.9.0.0/24");
    assert.deepEqual(devices, []);
    assert.equal(problems.length, 1);
    assert.match(
      problems[0],
      new RegExp(
        `^platform:edge\\.sites\\[0\\]\\.devices\\[0\\]\\.id: got "${id}" \\(33 characters\\); expected at most 32 characters \\(.*standard-tier SSM parameter of 4,096 bytes`,
      ),
    );
  });
});

describe("planFleet: the message for two devices on one address", () => {
  // 10.9.0.0/28: server 10.9.0.1, admin pool 10.9.0.2-10.9.0.3, device addresses 10.9.0.4-10.9.0.14
  // (11 slots). A derived slot is the first four bytes of SHA-256 of the id modulo 11, checked with
  // `printf %s meter-5 | sha256sum`: meter-2 d905ce3c -> 4 (10.9.0.8), meter-5 fcc4f645 -> 3
  // (10.9.0.7), meter-6 6f407f77 -> 3, meter-3 09a3fd04 -> 9 (10.9.0.13), meter-8 7e25a99c -> 9.
  const cidr = "10.9.0.0/28";
  const at = (j: number) => `platform:edge.sites[0].devices[${j}]`;

  it("names every other claimant, marks the pinned one, and suggests only addresses nobody holds", () => {
    const { devices, problems } = planFleet(
      {
        sites: [
          {
            id: "site-a",
            devices: [
              { id: "meter-2", labels: {} },
              { id: "gate", address: "10.9.0.7", labels: {} },
              { id: "meter-5", labels: {} },
              { id: "meter-6", labels: {} },
            ],
          },
        ],
      },
      cidr,
    );
    assert.deepStrictEqual(devices, []);
    // 10.9.0.8 (the slot after 10.9.0.7) is meter-2's: never suggested; each holder gets its own.
    assert.deepStrictEqual(problems, [
      `${at(2)}.address: got nothing, and "meter-5" derives 10.9.0.7 from its id, which "gate" (${at(1)}, pinned), "meter-6" (${at(3)}) also claims; expected a pinned address on this device or the other (pin the device being added, so that no deployed device moves), for example address: 10.9.0.9`,
      `${at(3)}.address: got nothing, and "meter-6" derives 10.9.0.7 from its id, which "gate" (${at(1)}, pinned), "meter-5" (${at(2)}) also claims; expected a pinned address on this device or the other (pin the device being added, so that no deployed device moves), for example address: 10.9.0.10`,
    ]);
  });

  it("suggests nothing when no address is left to pin", () => {
    // Nine pins on 10.9.0.4-10.9.0.12; meter-3 and meter-8 both derive 10.9.0.13, and the one
    // address left, 10.9.0.14, can be suggested to one of them only.
    const pins = Array.from({ length: 9 }, (_, i) => ({
      id: `pin-${i}`,
      address: `10.9.0.${4 + i}`,
      labels: {},
    }));
    const { problems } = planFleet(
      {
        sites: [
          {
            id: "site-a",
            devices: [...pins, { id: "meter-3", labels: {} }, { id: "meter-8", labels: {} }],
          },
        ],
      },
      cidr,
    );
    assert.deepStrictEqual(problems, [
      `${at(9)}.address: got nothing, and "meter-3" derives 10.9.0.13 from its id, which "meter-8" (${at(10)}) also claims; expected a pinned address on this device or the other (pin the device being added, so that no deployed device moves), for example address: 10.9.0.14`,
      `${at(10)}.address: got nothing, and "meter-8" derives 10.9.0.13 from its id, which "meter-3" (${at(9)}) also claims; expected a pinned address on this device or the other (pin the device being added, so that no deployed device moves)`,
    ]);
  });
});
