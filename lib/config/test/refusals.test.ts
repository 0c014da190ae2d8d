/**
 * Refusals whose exact message the operator acts on: a block outside the private ranges (at each
 * edge of each range), a prefix out of bounds, a site or device id used twice.
 */
import * as assert from "assert";
import { privateCidr } from "../primitives";
import { validateEdge } from "../edge";

/** The messages zod keeps for one value of a schema (empty when the value is accepted). */
function messages(
  schema: { safeParse(v: unknown): { success: boolean; error?: unknown } },
  v: string,
) {
  const r = schema.safeParse(v);
  if (r.success) return [];
  return (r.error as { issues: { message: string }[] }).issues.map((i) => i.message);
}

describe("Configuration primitives: private ranges", () => {
  const vpc = privateCidr({ min: 16, max: 24, what: "a VPC block" });
  const outside =
    "expected a VPC block inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)";

  // RFC 1918, section 3: 10.0.0.0-10.255.255.255, 172.16.0.0-172.31.255.255, 192.168.0.0-192.168.255.255.
  for (const text of [
    "10.0.0.0/16",
    "10.255.0.0/16",
    "172.16.0.0/16",
    "172.31.255.0/24",
    "192.168.0.0/16",
    "192.168.255.0/24",
  ]) {
    it(`accepts ${text}, at an edge of a private range`, () => {
      assert.deepStrictEqual(messages(vpc, text), []);
    });
  }

  for (const text of [
    "9.255.0.0/16",
    "11.0.0.0/16",
    "172.15.0.0/16",
    "172.32.0.0/16",
    "192.167.0.0/16",
    "192.169.0.0/16",
    "200.0.0.0/16",
  ]) {
    it(`refuses ${text}, just outside the private ranges`, () => {
      assert.deepStrictEqual(messages(vpc, text), [outside]);
    });
  }

  it("names what it expected when the prefix is out of bounds or the text is no block", () => {
    assert.deepStrictEqual(messages(vpc, "10.10.0.0/15"), [
      "expected a VPC block with a prefix from /16 to /24",
    ]);
    assert.deepStrictEqual(messages(vpc, "10.10.0.1/16"), [
      'expected a VPC block: "10.10.0.1/16": host bits are set; the network is 10.10.0.0/16',
    ]);
  });
});

describe("Configuration: edge ids used once", () => {
  const edge = (sites: unknown) => ({ sites });

  it("refuses a site id used twice, naming the second entry", () => {
    const { problems } = validateEdge(
      edge([
        { id: "site-a", devices: [] },
        { id: "site-a", devices: [] },
      ]),
    );
    assert.deepStrictEqual(problems, [
      'platform:edge.sites[1].id: got "site-a"; expected a site id used once',
    ]);
  });

  it("refuses a device id used twice across sites, naming both entries", () => {
    const { problems } = validateEdge(
      edge([
        { id: "site-a", devices: [{ id: "meter-1" }] },
        { id: "site-b", devices: [{ id: "meter-2" }, { id: "meter-1" }] },
      ]),
    );
    assert.deepStrictEqual(problems, [
      'platform:edge.sites[1].devices[1].id: got "meter-1"; expected a device id unique in the fleet (also at platform:edge.sites[0].devices[0].id)',
    ]);
  });
});
