import * as assert from "assert";
import { userDataSize } from "../ec2-limits";

// RunInstances refuses user data whose base64 form is longer than 21847 characters
// ("Member must have length less than or equal to 21847", kubicorn/kubicorn#667).
const API_MAX_BASE64 = 21847;

describe("userDataSize", () => {
  const CASES: [string, string, number, boolean][] = [
    ["16383 bytes", "x".repeat(16383), 16383, true],
    ["16384 bytes", "x".repeat(16384), 16384, false],
    ["8191 two-byte characters (16382 bytes)", "é".repeat(8191), 16382, true],
    ["8192 two-byte characters (16384 bytes)", "é".repeat(8192), 16384, false],
  ];
  for (const [what, script, bytes, fits] of CASES) {
    it(`${fits ? "accepts" : "refuses"} ${what}, as the EC2 API does`, () => {
      assert.deepStrictEqual(userDataSize(script), { bytes, fits });
      assert.strictEqual(Buffer.from(script).toString("base64").length <= API_MAX_BASE64, fits);
    });
  }
});
