import * as assert from "assert";
import { validateOrgConfig } from "../../../lib/config/org";
import { ORG_STACK_FILE, readStackFile } from "../../../lib/repo";
import { loadPrices, PriceEntry } from "../prices";

/**
 * Sanity of every shipped price, in every region, whether or not a stack plans there today: a
 * typo in a region nobody deploys to would otherwise surface only in the first estimate there.
 * The ranges are deliberately wide (an order of magnitude around AWS's list prices): they catch a
 * misplaced decimal point or a wrong unit, not a price change.
 */
const PLAUSIBLE_USD: Record<string, [number, number]> = {
  hour: [0.001, 1],
  "GB-month": [0.005, 0.5],
  "IOPS-month": [0.001, 0.05],
  "MB/s-month": [0.01, 0.2],
  GB: [0.005, 1],
  "LCU-hour": [0.001, 0.05],
  "NLCU-hour": [0.001, 0.05],
  "key-month": [0.5, 2],
  "10K requests": [0.01, 0.2],
  "secret-month": [0.1, 1],
  "parameter-month": [0.01, 0.2],
  "metric-month": [0.05, 1],
  "alarm-month": [0.05, 1],
  "dashboard-month": [1, 10],
  "1M requests": [0.1, 1],
  "GB-second": [0.000005, 0.00005],
  "1K requests": [0.0001, 0.01],
  "budget-day": [0, 0.2],
  "100K events": [0.05, 5],
  "100K notifications": [0.5, 5],
  "zone-month": [0.1, 1],
  "1M queries": [0.1, 1],
};

/** A region's price may differ from us-east-1's, but not by a factor of two either way. */
const RATIO: [number, number] = [0.5, 2];

/** Burstable sizes, each twice the vCPU-hours (and on-demand price) of the one before. */
const SIZES = ["nano", "micro", "small", "medium", "large", "xlarge", "2xlarge"];

describe("Price tables: every region", () => {
  const book = loadPrices();
  const org = validateOrgConfig(readStackFile(ORG_STACK_FILE));
  const regions = Object.keys(book.tables).sort();
  const base = book.tables["us-east-1"];
  const byKey = (entries: readonly PriceEntry[]) => new Map(entries.map((p) => [p.key, p]));

  it("ships a table for exactly the regions the organization allows", () => {
    assert.deepStrictEqual(regions, ["us-east-1", "us-west-2"]);
    assert.deepStrictEqual([...org["platform:organization"].allowedRegions].sort(), regions);
    assert.ok(base.prices.length >= 60, `us-east-1 has ${base.prices.length} entries`);
  });

  for (const region of ["us-east-1", "us-west-2"]) {
    describe(region, () => {
      const table = () => book.tables[region];

      it("prices the same keys, in the same units, as us-east-1", () => {
        const t = table();
        assert.ok(t, `no prices.${region}.json`);
        assert.deepStrictEqual(
          t.prices.map((p) => p.key).sort(),
          base.prices.map((p) => p.key).sort(),
        );
        const units = byKey(base.prices);
        for (const p of t.prices) assert.strictEqual(p.unit, units.get(p.key)!.unit, p.key);
      });

      it("gives every entry a plausible price for its unit", () => {
        const t = table();
        assert.ok(t.prices.length > 0);
        for (const p of t.prices) {
          const range = PLAUSIBLE_USD[p.unit];
          assert.ok(range, `${region} ${p.key}: unit "${p.unit}" is not one the model knows`);
          assert.ok(
            range[0] <= p.usd && p.usd <= range[1],
            `${region} ${p.key}: $${p.usd} per ${p.unit} is outside $${range[0]}-$${range[1]}`,
          );
        }
      });

      it("stays within a factor of two of us-east-1, and free only where us-east-1 is free", () => {
        const t = table();
        const east = byKey(base.prices);
        assert.ok(t.prices.length > 0);
        for (const p of t.prices) {
          const e = east.get(p.key)!.usd;
          if (e === 0) {
            assert.strictEqual(p.usd, 0, `${region} ${p.key}`);
            continue;
          }
          const ratio = p.usd / e;
          assert.ok(
            RATIO[0] <= ratio && ratio <= RATIO[1],
            `${region} ${p.key}: $${p.usd} is ${ratio.toFixed(2)}× us-east-1's $${e}`,
          );
        }
      });

      it("doubles the price with each burstable size, and prices Graviton below Intel", () => {
        const t = table();
        const price = (type: string) => {
          const p = t.prices.find((x) => x.key === `ec2.instance.${type}`);
          assert.ok(p, `${region} lacks ec2.instance.${type}`);
          return p.usd;
        };
        for (const family of ["t3", "t3a", "t4g"]) {
          for (let i = 1; i < SIZES.length; i++) {
            const ratio = price(`${family}.${SIZES[i]}`) / price(`${family}.${SIZES[i - 1]}`);
            assert.ok(
              Math.abs(ratio - 2) < 0.05,
              `${region} ${family}.${SIZES[i]} is ${ratio.toFixed(3)}× ${family}.${SIZES[i - 1]}`,
            );
          }
        }
        for (const size of SIZES) {
          assert.ok(price(`t4g.${size}`) < price(`t3a.${size}`), `${region} t4g.${size}`);
          assert.ok(price(`t3a.${size}`) < price(`t3.${size}`), `${region} t3a.${size}`);
        }
      });

      it("says for every entry on which real day it was read, not in the future", () => {
        const t = table();
        assert.ok(t.prices.length > 0);
        const today = new Date().toISOString().slice(0, 10);
        for (const p of t.prices) {
          const day = new Date(`${p.readOn}T00:00:00Z`);
          assert.ok(
            !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === p.readOn,
            `${region} ${p.key}: readOn "${p.readOn}" is not a calendar date`,
          );
          assert.ok(p.readOn <= today, `${region} ${p.key}: read on ${p.readOn}, after today`);
        }
      });
    });
  }
});
