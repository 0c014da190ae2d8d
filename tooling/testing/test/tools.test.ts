import * as assert from "assert";
import { missingPrerequisites, requirePrerequisites } from "../tools";

/** A mocha context whose skip() is observable, like mocha's (which throws a Pending). */
function fakeContext(): { ctx: Mocha.Context; skipped: () => boolean } {
  let skipped = false;
  const ctx = {
    skip: () => {
      skipped = true;
      throw new Error("skipped");
    },
  } as unknown as Mocha.Context;
  return { ctx, skipped: () => skipped };
}

const ABSENT = "platform-no-such-tool-7f3a";
const quiet = <T>(f: () => T): T => {
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    return f();
  } finally {
    console.warn = warn;
  }
};

describe("the real-tool gate", () => {
  it("names each missing tool, and the Debian package of a probed one", () => {
    assert.deepStrictEqual(missingPrerequisites({ tools: ["sh", ABSENT] }), [
      `${ABSENT} is not installed`,
    ]);
    const [problem, ...rest] = missingPrerequisites({
      tools: [{ command: "sh", args: ["-c", "exit 3"], debianPackage: "dash" }],
    });
    assert.deepStrictEqual(rest, []);
    assert.match(
      problem,
      /^sh -c exit 3 is not available \(exit 3\); install the Debian package dash$/,
    );
  });

  it("lets the test run when every prerequisite is present", () => {
    const { ctx, skipped } = fakeContext();
    requirePrerequisites(
      ctx,
      { tools: ["sh", { command: "true", args: [], debianPackage: "coreutils" }] },
      { CI: "true" },
    );
    assert.strictEqual(skipped(), false);
  });

  it("fails on CI and skips elsewhere when a tool is missing", () => {
    const onCi = fakeContext();
    assert.throws(
      () => requirePrerequisites(onCi.ctx, { tools: [ABSENT] }, { CI: "true" }),
      new RegExp(`^Error: CI must run this suite, but ${ABSENT} is not installed\\.$`),
    );
    assert.strictEqual(onCi.skipped(), false);

    const local = fakeContext();
    assert.throws(
      () => quiet(() => requirePrerequisites(local.ctx, { tools: [ABSENT] }, {})),
      /skipped/,
    );
    assert.strictEqual(local.skipped(), true);
  });
});
