import * as assert from "assert";
import { nonEmpty } from "../../../tooling/testing/non-empty";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { validateOrgConfig } from "../../../lib/config/org";
import { ORG_STACK_FILE, readStackFile } from "../../../lib/repo";
import { loadPrices, validatePriceTable } from "../prices";
import { STATIC_PRICE_KEYS } from "../rules";

describe("Price tables", () => {
  const prices = loadPrices();
  const org = validateOrgConfig(readStackFile(ORG_STACK_FILE));

  it("has a table for every region the organization allows", async () => {
    for (const region of nonEmpty(org["platform:organization"].allowedRegions, "allowed region"))
      assert.ok(prices.tables[region], `no tooling/cost/prices.${region}.json`);
  });

  it("gives every entry a unit, a price, the date it was read and an https source", async () => {
    for (const t of nonEmpty(Object.values(prices.tables), "price table")) {
      for (const p of nonEmpty(t.prices, `${t.region} price`)) {
        assert.ok(p.unit && p.description, `${t.region} ${p.key}`);
        assert.match(p.readOn, /^20\d\d-\d\d-\d\d$/, `${t.region} ${p.key}`);
        assert.match(
          p.source,
          /^https:\/\/aws\.amazon\.com\//,
          `${t.region} ${p.key}: the source should be AWS's own pricing page`,
        );
        assert.ok(p.note, `${t.region} ${p.key}: say how sure the figure is`);
      }
    }
  });

  it("holds every price the rules use, in every region", async () => {
    for (const t of nonEmpty(Object.values(prices.tables), "price table")) {
      const keys = new Set(t.prices.map((p) => p.key));
      for (const k of nonEmpty(STATIC_PRICE_KEYS, "STATIC_PRICE_KEYS"))
        assert.ok(keys.has(k), `prices.${t.region}.json lacks ${k}`);
    }
  });

  it("prices every instance type the non-prod guardrail allows", async () => {
    for (const t of nonEmpty(Object.values(prices.tables), "price table")) {
      for (const type of nonEmpty(
        org["platform:guardrails"].allowedInstanceTypes,
        "allowed instance type",
      )) {
        // A whole family (t4g.*) needs at least one priced size of that family.
        const priced = type.endsWith(".*")
          ? t.prices.some((p) => p.key.startsWith(`ec2.instance.${type.slice(0, -1)}`))
          : t.prices.some((p) => p.key === `ec2.instance.${type}`);
        assert.ok(priced, `prices.${t.region}.json lacks ec2.instance.${type}`);
      }
    }
  });

  it("refuses a table with a duplicate key or a source that is not https, naming the entry", async () => {
    const good = JSON.parse(
      fs.readFileSync(path.join(__dirname, "..", "prices.us-east-1.json"), "utf8"),
    );
    const dup = { ...good, prices: [...good.prices, good.prices[0]] };
    assert.throws(
      () => validatePriceTable(dup, "dup.json"),
      /prices\[\d+\]\.key: got "ec2\.instance\.t3\.nano" a second time/,
    );
    const insecure = {
      ...good,
      prices: [{ ...good.prices[0], source: "http://aws.amazon.com/ec2/pricing/" }],
    };
    assert.throws(
      () => validatePriceTable(insecure, "insecure.json"),
      /prices\[0\]\.source: got "http:\/\/aws\.amazon\.com\/ec2\/pricing\/"; expected an https URL/,
    );
  });

  it("refuses a file whose name and region disagree", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prices-"));
    try {
      const good = JSON.parse(
        fs.readFileSync(path.join(__dirname, "..", "prices.us-east-1.json"), "utf8"),
      );
      fs.writeFileSync(path.join(dir, "prices.us-west-2.json"), JSON.stringify(good));
      assert.throws(() => loadPrices(dir), /region: got "us-east-1"; expected "us-west-2"/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
