/**
 * The proxy's pure checks, one rule at a time at its boundary: the limits on a request, the log
 * scrubbing, the error descriptions that reach the log, and the checks on what OpenEMS answers.
 * handler.test.ts covers them through the handler; these pin the limits a careless edit would move.
 */
import { nonEmpty } from "../../../tooling/testing/non-empty";
import * as assert from "node:assert/strict";
import { ProxyError } from "../contract";
import { describeError, Redactor, stdoutSink } from "../log";
import { jsonDepth, parseBody, validateJsonRpcRequest } from "../request";
import { checkUpstreamBody, UpstreamBody } from "../response";

/** What RestHandler answers pre-dispatch failures with (`new UUID(0L, 0L)`). */
const OPENEMS_PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000";

const ID = "6f1c4f9e-2b1a-4c3d-9e8f-0a1b2c3d4e5f";

/** JSON objects nested `depth` levels deep. */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

describe("request limits", () => {
  it("parses a body nested exactly 32 levels deep", () => {
    assert.deepEqual(parseBody(JSON.stringify(nested(32)), false), { ok: true, value: nested(32) });
  });

  it("refuses a body nested 33 levels deep as an invalid request", () => {
    const parsed = parseBody(JSON.stringify(nested(33)), false);
    assert.ok(!parsed.ok);
    assert.equal(parsed.status, 400);
    assert.equal(parsed.code, -32600);
    assert.equal(parsed.message, "invalid request: JSON nested deeper than 32 levels");
  });

  it("measures the deepest branch, whichever branch it walks last", () => {
    assert.equal(jsonDepth([{}, [[]]], 32), 3);
    assert.equal(jsonDepth([[[]], {}], 32), 3);
  });

  it("stops counting one level past the limit, however deep the value goes", () => {
    assert.equal(jsonDepth(nested(1_000), 32), 33);
  });

  const allowed = new Set(["getEdgesStatus"]);
  const request = (method: string) => ({ jsonrpc: "2.0", id: ID, method, params: {} });

  it("takes a method name of exactly 64 characters to the allowlist", () => {
    const checked = validateJsonRpcRequest(request(`m${"x".repeat(63)}`), allowed);
    assert.ok(!checked.ok);
    assert.equal(checked.status, 403);
    assert.equal(checked.message, `method not allowed: m${"x".repeat(63)}`);
  });

  it("refuses a method name of 65 characters", () => {
    const checked = validateJsonRpcRequest(request(`m${"x".repeat(64)}`), allowed);
    assert.ok(!checked.ok);
    assert.equal(checked.status, 400);
    assert.match(
      checked.message,
      /^invalid request: "method" must be a method name \(a letter, then letters, digits or "_", at most 64\); got "mx+"$/,
    );
  });
});

describe("Redactor", () => {
  const cases: Array<[string, string[], string, string]> = [
    ["scrubs a secret of exactly 8 characters", ["Abcd-123"], "pw=Abcd-123;", "pw=[REDACTED];"],
    [
      "leaves a 7-character value alone (it would mangle log text)",
      ["Abc-123"],
      "x Abc-123",
      "x Abc-123",
    ],
    [
      "scrubs every occurrence",
      ["s3cr3t-pass"],
      "s3cr3t-pass/s3cr3t-pass",
      "[REDACTED]/[REDACTED]",
    ],
    [
      "scrubs the JSON-escaped form of a secret with a quote and a backslash",
      ['pa"ss\\word'],
      JSON.stringify({ message: 'login pa"ss\\word failed' }),
      '{"message":"login [REDACTED] failed"}',
    ],
    [
      "replaces a secret that contains another secret whole",
      ["password", "password-2026-rotated"],
      "old password, new password-2026-rotated",
      "old [REDACTED], new [REDACTED]",
    ],
  ];
  for (const [behaviour, secrets, line, expected] of cases) {
    it(behaviour, () => {
      const redactor = new Redactor();
      redactor.add(secrets);
      assert.equal(redactor.scrub(line), expected);
    });
  }

  it("keeps the 64 most recent secrets, forgetting the oldest first", () => {
    const secrets = Array.from(
      { length: 65 },
      (_, i) => `secret-value-${String(i).padStart(3, "0")}`,
    );
    const redactor = new Redactor();
    for (const secret of nonEmpty(secrets, "secrets")) redactor.add([secret]);
    const line = secrets.join(" ");
    const scrubbed = redactor.scrub(line).split(" ");
    assert.equal(scrubbed.length, 65);
    assert.equal(scrubbed[0], "secret-value-000", "the oldest is forgotten");
    assert.deepEqual(scrubbed.slice(1), Array(64).fill("[REDACTED]"), "the 64 newest are kept");
  });

  it("scrubs nothing before any secret is added", () => {
    assert.equal(new Redactor().scrub("nothing secret here"), "nothing secret here");
  });
});

describe("describeError", () => {
  class NamedError extends Error {
    constructor(name: string, message: string) {
      super(message);
      this.name = name;
    }
  }
  const cases: Array<[string, unknown, string]> = [
    [
      "keeps the proxy's own message",
      new ProxyError("PROXY_ALLOWED_METHODS: got []"),
      "PROXY_ALLOWED_METHODS: got []",
    ],
    [
      "reduces a dependency's error to its name",
      new NamedError("TimeoutError", "pw hunter22"),
      "TimeoutError (message withheld)",
    ],
    [
      "accepts a dotted name of 64 characters",
      new NamedError(`A${"b.".repeat(31)}c`, "x"),
      `A${"b.".repeat(31)}c (message withheld)`,
    ],
    [
      "replaces a name longer than 64 characters",
      new NamedError("A".repeat(65), "x"),
      "Error (message withheld)",
    ],
    [
      "replaces a name that could carry text",
      new NamedError("Error: user pw hunter22", "x"),
      "Error (message withheld)",
    ],
    [
      "replaces a name starting with a digit",
      new NamedError("1Error", "x"),
      "Error (message withheld)",
    ],
    [
      "replaces a name with a trailing line",
      new NamedError("Error\nsecret", "x"),
      "Error (message withheld)",
    ],
    [
      "names the type of a thrown non-error",
      "the password is hunter22",
      "string (message withheld)",
    ],
  ];
  for (const [behaviour, err, expected] of cases) {
    it(behaviour, () => assert.equal(describeError(err), expected));
  }
});

describe("checkUpstreamBody", () => {
  const body = (value: unknown) =>
    Buffer.from(typeof value === "string" ? value : JSON.stringify(value));
  const error = (message: string, id: unknown = ID) =>
    body({ jsonrpc: "2.0", id, error: { code: 7, message } });
  const cases: Array<[string, Buffer, UpstreamBody | RegExp]> = [
    [
      "passes a result for the request's id",
      body({ jsonrpc: "2.0", id: ID, result: {} }),
      { kind: "result" },
    ],
    [
      "passes an error message of exactly 300 characters whole",
      error("m".repeat(300)),
      { kind: "error", code: 7, message: "m".repeat(300) },
    ],
    [
      "cuts a 301-character error message to 300",
      error("m".repeat(301)),
      { kind: "error", code: 7, message: `${"m".repeat(297)}...` },
    ],
    [
      "accepts an error under OpenEMS's placeholder id",
      error("denied", OPENEMS_PLACEHOLDER_ID),
      { kind: "error", code: 7, message: "denied" },
    ],
    [
      "refuses a result under the placeholder id",
      body({ jsonrpc: "2.0", id: OPENEMS_PLACEHOLDER_ID, result: {} }),
      /not the request's/,
    ],
    [
      "refuses an error for another id",
      error("x", "00000000-0000-4000-8000-000000000001"),
      /not the request's/,
    ],
    ["refuses an answer that is not JSON", body("<html>"), /not JSON/],
    [
      "refuses a JSON array",
      body([{ jsonrpc: "2.0", id: ID, result: {} }]),
      /not a JSON-RPC response object/,
    ],
    [
      "refuses another jsonrpc version",
      body({ jsonrpc: "1.0", id: ID, result: {} }),
      /"jsonrpc" is not "2.0"/,
    ],
    [
      "refuses both result and error",
      body({ jsonrpc: "2.0", id: ID, result: {}, error: { code: 1, message: "x" } }),
      /exactly one/,
    ],
    ["refuses neither result nor error", body({ jsonrpc: "2.0", id: ID }), /exactly one/],
    [
      "refuses an error with a fractional code",
      body({ jsonrpc: "2.0", id: ID, error: { code: 1.5, message: "x" } }),
      /integer code/,
    ],
    [
      "refuses an error without a message",
      body({ jsonrpc: "2.0", id: ID, error: { code: 1 } }),
      /integer code/,
    ],
    [
      "refuses an error that is not an object",
      body({ jsonrpc: "2.0", id: ID, error: "boom" }),
      /integer code/,
    ],
    [
      "passes a result nested 128 levels deep",
      body({ jsonrpc: "2.0", id: ID, result: nested(127) }),
      { kind: "result" },
    ],
    [
      "refuses a result nested deeper than 128 levels",
      body({ jsonrpc: "2.0", id: ID, result: nested(128) }),
      /not a JSON-RPC response object/,
    ],
  ];
  for (const [behaviour, input, expected] of cases) {
    it(behaviour, () => {
      const checked = checkUpstreamBody(input, ID);
      if (expected instanceof RegExp) {
        assert.equal(checked.kind, "invalid");
        assert.match((checked as { reason: string }).reason, expected);
      } else assert.deepEqual(checked, expected);
    });
  }
});

describe("stdoutSink", () => {
  it("writes each log line to stdout as a line of its own (CloudWatch reads pure JSON lines)", () => {
    const written: string[] = [];
    const original = process.stdout.write;
    process.stdout.write = ((chunk: string) => {
      written.push(chunk);
      return true;
    }) as typeof process.stdout.write;
    try {
      stdoutSink('{"outcome":"forwarded"}');
    } finally {
      process.stdout.write = original;
    }
    assert.deepEqual(written, ['{"outcome":"forwarded"}\n']);
  });
});
