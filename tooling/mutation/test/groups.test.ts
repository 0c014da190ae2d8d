import { nonEmpty } from "../../testing/non-empty";
import * as assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { loadGroups, selectGroups } from "../run";

const ROOT = path.resolve(__dirname, "..", "..", "..");

/** Files a group pattern names: a path, or a `*` in the file name part only (what groups.json uses). */
function expand(pattern: string): string[] {
  const dir = path.posix.dirname(pattern);
  const base = path.posix.basename(pattern);
  assert.ok(!dir.includes("*"), `${pattern}: wildcards only in the file name`);
  if (!base.includes("*")) return existsSync(path.join(ROOT, pattern)) ? [pattern] : [];
  const re = new RegExp(`^${base.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
  return readdirSync(path.join(ROOT, dir))
    .filter((file) => re.test(file))
    .map((file) => `${dir}/${file}`);
}

/** What a group mutates: its patterns, minus the `!`-excluded ones. */
function mutated(patterns: readonly string[]): string[] {
  const excluded = new Set(
    patterns.filter((p) => p.startsWith("!")).flatMap((p) => expand(p.slice(1))),
  );
  return patterns
    .filter((p) => !p.startsWith("!"))
    .flatMap(expand)
    .filter((file) => !excluded.has(file));
}

describe("mutation groups", () => {
  const groups = loadGroups();

  it("has the groups the README documents", () => {
    assert.deepEqual([...groups.keys()].sort(), [
      "config",
      "guardrails",
      "money",
      "names",
      "net",
      "pack",
      "proxy-checks",
      "proxy-request",
      "unfreeze",
    ]);
  });

  for (const [name, group] of nonEmpty(groups, "groups")) {
    it(`${name}: every pattern names existing production files, never a test`, () => {
      for (const pattern of nonEmpty(group.mutate, "group.mutate")) {
        const bare = pattern.replace(/^!/, "");
        assert.ok(expand(bare).length > 0, `${name}: ${pattern} matches no file`);
      }
      const files = mutated(group.mutate);
      assert.ok(files.length > 0, `${name}: mutates nothing`);
      for (const file of files) assert.doesNotMatch(file, /\/test\/|\.test\.ts$/, file);
    });

    it(`${name}: every spec pattern names at least one test file`, () => {
      assert.ok(group.spec.length > 0, `${name}: no spec`);
      for (const pattern of group.spec) {
        const files = expand(pattern);
        assert.ok(files.length > 0, `${name}: ${pattern} matches no file`);
        for (const file of files) assert.match(file, /\.test\.ts$/, file);
      }
    });
  }

  it("mutates no module in two groups (each score counts a module once)", () => {
    const seen = new Map<string, string>();
    for (const [name, group] of nonEmpty(groups, "groups")) {
      for (const file of nonEmpty(mutated(group.mutate), "mutated(group.mutate)")) {
        assert.equal(seen.get(file), undefined, `${file} is in ${seen.get(file)} and ${name}`);
        seen.set(file, name);
      }
    }
    assert.ok(seen.has("lib/net/access.ts"));
    assert.ok(seen.has("workloads/mbe-proxy/request.ts"));
  });
});

describe("selectGroups", () => {
  const known = ["proxy", "net", "money"];
  const cases: Array<[string, string[], string[] | RegExp]> = [
    ["runs every group when none is named", [], ["proxy", "net", "money"]],
    [
      "runs the named groups once each, in the given order",
      ["money", "net", "money"],
      ["money", "net"],
    ],
    [
      "refuses an unknown group and lists the known ones",
      ["prxy"],
      /got "prxy"; expected one of proxy, net, money/,
    ],
  ];
  for (const [behaviour, args, expected] of cases) {
    it(behaviour, () => {
      if (expected instanceof RegExp) assert.throws(() => selectGroups(args, known), expected);
      else assert.deepEqual(selectGroups(args, known), expected);
    });
  }
});
