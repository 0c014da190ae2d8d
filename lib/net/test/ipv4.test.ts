import * as assert from "assert";
import * as fc from "fast-check";
import {
  checkCidr,
  contains,
  containsIp,
  intToIp,
  ipToInt,
  isIpv4,
  netmask,
  overlaps,
  parseCidr,
  parseIpv4,
  prefixOfNetmask,
  subdivide,
  tryParseCidr,
} from "../ipv4";

const uint32 = fc.integer({ min: 0, max: 0xffffffff });
const prefix = fc.integer({ min: 0, max: 32 });
/** A canonical block: a random address with its host bits cleared, and the prefix. */
const block = fc.tuple(uint32, prefix).map(([n, p]) => {
  const size = 2 ** (32 - p);
  return parseCidr(`${intToIp(n - (n % size))}/${p}`);
});
const RUNS = { numRuns: 500 };

describe("ipv4", () => {
  const KNOWN: [string, number][] = [
    ["0.0.0.0", 0],
    ["10.0.0.1", 167772161],
    ["192.168.255.255", 3232301055],
    ["255.255.255.255", 4294967295],
  ];
  for (const [text, value] of KNOWN) {
    it(`reads ${text} as ${value} and writes it back`, () => {
      assert.strictEqual(ipToInt(text), value);
      assert.strictEqual(intToIp(value), text);
    });
  }

  const LENIENT = ["10.1", "010.0.0.1", "0x0a.0.0.1", "256.0.0.1", "1.2.3.4 ", "1.2.3", "1..2.3"];
  for (const text of LENIENT) {
    it(`refuses ${JSON.stringify(text)}, a form lenient parsers read as another address`, () => {
      assert.strictEqual(isIpv4(text), false);
      assert.strictEqual(parseIpv4(text), undefined);
      assert.throws(() => ipToInt(text), /not a dotted-quad IPv4 address/);
    });
  }

  it("round-trips every 32-bit address through its dotted form, octet by octet", () => {
    fc.assert(
      fc.property(uint32, (n) => {
        const text = intToIp(n);
        const octets = text.split(".").map(Number);
        assert.strictEqual(octets.length, 4);
        assert.strictEqual(
          octets[0] * 2 ** 24 + octets[1] * 2 ** 16 + octets[2] * 256 + octets[3],
          n,
        );
        assert.strictEqual(ipToInt(text), n);
        assert.ok(isIpv4(text));
      }),
      RUNS,
    );
  });

  it("accepts exactly the addresses it writes back unchanged", () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV4Extended()), (text) => {
        if (isIpv4(text)) assert.strictEqual(intToIp(ipToInt(text)), text);
        else assert.strictEqual(parseIpv4(text), undefined);
      }),
      RUNS,
    );
  });

  it("parses a block into its first and last address and its size", () => {
    fc.assert(
      fc.property(uint32, prefix, (n, p) => {
        const size = 2 ** (32 - p);
        const network = n - (n % size);
        const c = parseCidr(`${intToIp(network)}/${p}`);
        assert.deepStrictEqual(
          [c.prefix, c.first, c.last, c.size],
          [p, network, network + size - 1, size],
        );
      }),
      RUNS,
    );
  });

  it("refuses a block with host bits set, naming the network it would have been", () => {
    fc.assert(
      fc.property(uint32, fc.integer({ min: 0, max: 31 }), (n, p) => {
        const size = 2 ** (32 - p);
        fc.pre(n % size !== 0);
        const r = checkCidr(`${intToIp(n)}/${p}`);
        assert.deepStrictEqual(r, {
          ok: false,
          reason: `host bits are set; the network is ${intToIp(n - (n % size))}/${p}`,
        });
        assert.strictEqual(tryParseCidr(`${intToIp(n)}/${p}`), undefined);
      }),
      RUNS,
    );
  });

  it("refuses a prefix above 32 and anything that is not a.b.c.d/n", () => {
    for (const text of ["10.0.0.0/33", "10.0.0.0", "10.0.0.0/", "10.0.0/8", "10.0.0.0/8/8", "::/0"])
      assert.match(
        (checkCidr(text) as { reason: string }).reason,
        /not an IPv4 CIDR block \(a\.b\.c\.d\/n with n from 0 to 32\)/,
        text,
      );
  });

  it("writes the netmask of every prefix and reads it back; other masks are not netmasks", () => {
    for (let p = 0; p <= 32; p++) assert.strictEqual(prefixOfNetmask(netmask(p)), p);
    assert.strictEqual(netmask(22), "255.255.252.0");
    fc.assert(
      fc.property(uint32, (m) => {
        // A netmask is ones then zeros: inverted, plus one, it is a power of two (or 2^32).
        const inverted = 0xffffffff - m;
        const contiguous = ((inverted + 1) & inverted) === 0 || inverted === 0xffffffff;
        assert.strictEqual(prefixOfNetmask(intToIp(m)) !== undefined, contiguous, intToIp(m));
      }),
      RUNS,
    );
  });

  it("finds two blocks overlapping exactly when one contains the other", () => {
    fc.assert(
      fc.property(block, block, (a, b) => {
        assert.strictEqual(overlaps(a, b), overlaps(b, a));
        assert.strictEqual(overlaps(a, b), contains(a, b) || contains(b, a));
        // An address of both exists exactly when they overlap: the later of the two first ones.
        const probe = Math.max(a.first, b.first);
        assert.strictEqual(
          overlaps(a, b),
          containsIp(a, intToIp(probe)) && containsIp(b, intToIp(probe)),
        );
      }),
      RUNS,
    );
  });

  it("finds a block overlapping itself, every block inside it and every block around it", () => {
    // Random pairs of blocks rarely meet; these are built to, down to single addresses (/32).
    const nested = fc
      .tuple(block, fc.oneof(fc.constant(32), prefix), uint32)
      .map(([outer, p, offset]) => {
        const q = Math.max(p, outer.prefix);
        const size = 2 ** (32 - q);
        const first = outer.first + (offset % outer.size) - ((offset % outer.size) % size);
        return [outer, parseCidr(`${intToIp(first)}/${q}`)] as const;
      });
    fc.assert(
      fc.property(nested, ([outer, inner]) => {
        assert.ok(contains(outer, inner));
        assert.ok(overlaps(outer, inner) && overlaps(inner, outer));
        assert.ok(overlaps(inner, inner) && overlaps(outer, outer));
        assert.strictEqual(contains(inner, outer), inner.prefix === outer.prefix);
      }),
      RUNS,
    );
  });

  it("contains an address exactly when the address, masked to the prefix, is the block", () => {
    fc.assert(
      fc.property(block, uint32, (c, n) => {
        assert.strictEqual(containsIp(c, intToIp(n)), n - (n % c.size) === c.first);
      }),
      RUNS,
    );
  });

  it("splits a block into consecutive, disjoint sub-blocks inside it", () => {
    fc.assert(
      fc.property(
        block.filter((c) => c.prefix <= 30),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 1, max: 4 }),
        (c, extra, wanted) => {
          const p = c.prefix + extra;
          const count = Math.min(wanted, 2 ** extra);
          const parts = subdivide(c, p, count);
          assert.strictEqual(parts.length, count);
          assert.strictEqual(parts[0].first, c.first);
          parts.forEach((s, i) => {
            assert.strictEqual(s.prefix, p);
            assert.ok(contains(c, s));
            if (i > 0) assert.strictEqual(s.first, parts[i - 1].last + 1);
          });
          if (2 ** extra < 4)
            assert.throws(() => subdivide(c, p, 2 ** extra + 1), /holds only \d+ \/\d+ blocks/);
        },
      ),
      RUNS,
    );
  });
});
