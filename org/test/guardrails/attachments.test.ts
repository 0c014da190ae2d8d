import * as assert from "assert";
import { DEFAULT_SCP_ATTACHMENTS, FREEZE_POLICY_NAME, loadScps } from "../../guardrails";
import { CTX, SCP_DIR } from "./fixtures";

describe("DEFAULT_SCP_ATTACHMENTS", () => {
  it("attaches every policy except freeze somewhere, and never freeze", async () => {
    const attached = Object.keys(DEFAULT_SCP_ATTACHMENTS).sort();
    const expected = loadScps(SCP_DIR, CTX)
      .map((p) => p.name)
      .filter((n) => n !== FREEZE_POLICY_NAME)
      .sort();
    assert.deepStrictEqual(attached, expected);
  });
});
