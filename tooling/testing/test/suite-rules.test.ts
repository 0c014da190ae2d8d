import { RuleTester } from "eslint";
import * as tseslint from "typescript-eslint";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const suite = require("../suite-rules.cjs");

// RuleTester registers its cases with mocha's describe/it.
const tester = new RuleTester({
  languageOptions: { parser: tseslint.parser as any, sourceType: "module" },
});

/** A test file two directories below the code it tests. */
const TEST_FILE = "/repo/lib/net/test/access.test.ts";

describe("suite/no-expected-from-code", () => {
  tester.run("no-expected-from-code", suite.rules["no-expected-from-code"], {
    valid: [
      {
        // The literal from the AWS documentation is the expected value; the constant is pinned.
        filename: TEST_FILE,
        code: `import * as assert from "assert";
import { TLS_POLICY, listenerPolicy } from "../alb";
assert.equal(listenerPolicy(), "ELBSecurityPolicy-TLS13-1-2-2021-06");
assert.equal(TLS_POLICY, "ELBSecurityPolicy-TLS13-1-2-2021-06");`,
      },
      {
        // A constant as input to the code under test: it is the actual side.
        filename: TEST_FILE,
        code: `import * as assert from "assert";
import { DEFAULTS, render } from "../alb";
assert.deepEqual(render(DEFAULTS), { port: 443 });`,
      },
      {
        // Constants from test helpers and fixtures are the test's own data.
        filename: TEST_FILE,
        code: `import * as assert from "assert";
import { EXPECTED } from "./fixtures/expected";
import { ORG } from "../../../tooling/testing/fleet";
import { run } from "../alb";
assert.deepEqual(run(), EXPECTED);
assert.equal(run(), ORG);`,
      },
      {
        // A lower-case export is not taken for a constant; a package import is not code under test.
        filename: TEST_FILE,
        code: `import * as assert from "assert";
import { tlsPolicy } from "../alb";
import { MAX_SAFE } from "some-package";
assert.equal(tlsPolicy(), tlsPolicy());
assert.equal(1, MAX_SAFE);`,
      },
      {
        // Used as a computed key or a call argument inside the expected value: not the value.
        filename: TEST_FILE,
        code: `import * as assert from "assert";
import { PRICES, price } from "../alb";
assert.equal(price("eu-central-1"), 0.0225);
assert.ok(PRICES["eu-central-1"] > 0);`,
      },
    ],
    invalid: [
      {
        filename: TEST_FILE,
        code: `import * as assert from "assert";
import { TLS_POLICY, listenerPolicy } from "../alb";
assert.equal(listenerPolicy(), TLS_POLICY);`,
        errors: [{ messageId: "fromCode", data: { name: "TLS_POLICY", source: "../alb" } }],
      },
      {
        // Inside an array, a member access, a RegExp, a strict-mode import and an alias.
        filename: TEST_FILE,
        code: `import { strict as assert } from "node:assert";
import { PORT_MAP, PATTERN as pattern, build } from "../alb";
const expected = PORT_MAP.http;
assert.deepStrictEqual(build(), [PORT_MAP.https, { port: expected }]);
assert.match(build(), new RegExp(pattern));`,
        errors: [
          { messageId: "fromCode", line: 4, data: { name: "PORT_MAP", source: "../alb" } },
          // the alias is reported where it is compared, naming the constant it holds
          { messageId: "fromCode", line: 4, data: { name: "PORT_MAP", source: "../alb" } },
          { messageId: "fromCode", line: 5, data: { name: "PATTERN", source: "../alb" } },
        ],
      },
      {
        // The constant's data through Object.values and its own methods.
        filename: TEST_FILE,
        code: `import * as assert from "assert";
import { TAG_KEYS, tagKeys } from "../tags";
assert.deepEqual(tagKeys(), Object.values(TAG_KEYS).sort());
assert.deepEqual(tagKeys(), TAG_KEYS.keys.map((k) => k));`,
        errors: [{ messageId: "fromCode" }, { messageId: "fromCode" }],
      },
      {
        // A namespace import's UPPER_CASE member, and bare `equal` from "assert".
        filename: TEST_FILE,
        code: `import { equal } from "assert";
import * as alb from "../alb";
equal(alb.listenerPolicy(), alb.TLS_POLICY);`,
        errors: [{ messageId: "fromCode", data: { name: "alb.TLS_POLICY", source: "../alb" } }],
      },
      {
        // An element picked from the constant by a computed key, inside a loop.
        filename: TEST_FILE,
        code: `import * as assert from "assert";
import { INTENTS, load } from "../guardrails";
for (const p of load()) assert.strictEqual(p.description, INTENTS[p.name]);`,
        errors: [{ messageId: "fromCode", data: { name: "INTENTS", source: "../guardrails" } }],
      },
      {
        filename: TEST_FILE,
        code: `import { DEFAULT_IMAGES, images } from "../compose";
expect(images()).toEqual(DEFAULT_IMAGES);`,
        errors: [{ messageId: "fromCode" }],
      },
    ],
  });
});

describe("suite/no-unchecked-loop", () => {
  tester.run("no-unchecked-loop", suite.rules["no-unchecked-loop"], {
    valid: [
      `import { nonEmpty } from "../../tooling/testing/non-empty";
for (const r of nonEmpty(plan.resources, "resource")) check(r);`,
      `const rows = nonEmpty(table(), "row");
for (const r of rows) check(r);
rows.forEach(check);`,
      `for (const port of [22, 3389]) check(port);
const names = ["a", "b"] as const;
names.forEach(check);`,
      `it("x", () => {
  assert.ok(plan.resources.length > 0);
  for (const r of plan.resources) check(r);
});`,
      `it("x", () => {
  const found = list();
  assert.notEqual(found.size, 0);
  if (ready) {
    for (const f of found) check(f);
  }
});`,
      `nonEmpty(statements, "statement");
statements.forEach((s) => check(s));`,
    ],
    invalid: [
      {
        code: `for (const r of plan.resources) check(r);`,
        errors: [{ messageId: "unchecked", data: { list: "plan.resources" } }],
      },
      {
        code: `Object.keys(block).forEach(check);`,
        errors: [{ messageId: "unchecked", data: { list: "Object.keys(block)" } }],
      },
      {
        // The assertion is about another list, or comes after the loop.
        code: `assert.ok(others.length > 0);
for (const r of rows) check(r);
assert.ok(rows.length > 0);`,
        errors: [{ messageId: "unchecked", data: { list: "rows" } }],
      },
      {
        // Asserting the list is empty is no check that the loop runs.
        code: `assert.strictEqual(rows.length, 0);
for (const r of rows) check(r);`,
        errors: [{ messageId: "unchecked", data: { list: "rows" } }],
      },
      {
        // An assertion outside the function the loop runs in does not count, nor a spread literal.
        code: `assert.ok(rows.length > 0);
function helper(rows) { for (const r of rows) check(r); }
for (const x of [...rows]) check(x);
let later = [1];
for (const y of later) check(y);`,
        errors: [
          { messageId: "unchecked", data: { list: "rows" } },
          { messageId: "unchecked", data: { list: "[...rows]" } },
          { messageId: "unchecked", data: { list: "later" } },
        ],
      },
    ],
  });
});
