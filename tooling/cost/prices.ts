import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { describeIssues } from "../../lib/config/errors";

/**
 * The price tables: one JSON file per region (`prices.<region>.json` beside this file), so finance can
 * read and check every figure without reading code. Each entry carries its unit, the date it was
 * read and its source; `note` says how sure the figure is.
 */

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: "expected a date such as 2026-11-22" });

export const priceEntry = z.strictObject({
  /** Stable key the pricing rules refer to, e.g. `ec2.instance.t4g.nano`. */
  key: z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, {
    message: "expected a dotted lowercase key such as ebs.gp3.storage",
  }),
  description: z.string().min(1),
  /** What one `usd` buys: `hour`, `GB-month`, `1M requests`, ... */
  unit: z.string().min(1),
  usd: z.number().min(0, { message: "expected a price of 0 or more" }),
  readOn: isoDate,
  source: z.string().regex(/^https:\/\/\S+$/, { message: "expected an https URL" }),
  note: z.string().optional(),
});
export type PriceEntry = z.output<typeof priceEntry>;

export const priceTableSchema = z.strictObject({
  region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, {
    message: "expected an AWS region code such as us-east-1",
  }),
  regionName: z.string().min(1),
  currency: z.literal("USD", {
    message: "expected USD (AWS list prices and the budgets are in USD)",
  }),
  /** Hours in the estimated month: 730 is AWS's own calculator convention (8,760 / 12). */
  hoursPerMonth: z.number().positive(),
  about: z.string(),
  prices: z.array(priceEntry).min(1),
});
export type PriceTable = z.output<typeof priceTableSchema>;

/** Price tables by region, with every entry indexed by key. */
export interface PriceBook {
  readonly tables: Readonly<Record<string, PriceTable>>;
}

export const PRICES_DIR = __dirname;

/** Checks one table: its shape, and that no key appears twice (a silent override would be unreadable). */
export function validatePriceTable(raw: unknown, file: string): PriceTable {
  const r = priceTableSchema.safeParse(raw);
  if (!r.success) {
    throw new Error(
      `${file}: invalid price table:\n${describeIssues("", priceTableSchema, raw, r.error.issues)
        .map((p) => `  - ${p.replace(/^\./, "")}`)
        .join("\n")}`,
    );
  }
  const seen = new Set<string>();
  for (const [i, p] of r.data.prices.entries()) {
    if (seen.has(p.key))
      throw new Error(
        `${file}: prices[${i}].key: got "${p.key}" a second time; expected each key once`,
      );
    seen.add(p.key);
  }
  return r.data;
}

/** Loads every `prices.<region>.json` in `dir`; the file name and the table's region must agree. */
export function loadPrices(dir: string = PRICES_DIR): PriceBook {
  const tables: Record<string, PriceTable> = {};
  for (const name of fs.readdirSync(dir).sort()) {
    const m = /^prices\.([a-z0-9-]+)\.json$/.exec(name);
    if (!m) continue;
    const file = path.join(dir, name);
    const table = validatePriceTable(JSON.parse(fs.readFileSync(file, "utf8")), file);
    if (table.region !== m[1])
      throw new Error(
        `${file}: region: got "${table.region}"; expected "${m[1]}" as the file name says`,
      );
    tables[table.region] = table;
  }
  if (!Object.keys(tables).length)
    throw new Error(`no price table (prices.<region>.json) in ${dir}`);
  return { tables };
}

export function priceBook(...tables: PriceTable[]): PriceBook {
  return { tables: Object.fromEntries(tables.map((t) => [t.region, t])) };
}

export function findPrice(prices: PriceBook, region: string, key: string): PriceEntry | undefined {
  return prices.tables[region]?.prices.find((p) => p.key === key);
}
