import * as assert from "assert";
import type { GuardrailContext } from "../../../lib/names";
import { loadScps } from "../../guardrails";
import { CTX } from "./fixtures";

const badContexts: [keyof GuardrailContext, unknown, RegExp][] = [
  ["allowedRegions", [], /'allowedRegions' must be a non-empty list/],
  ["allowedRegions", ["Frankfurt"], /'allowedRegions\[0\]' must be region codes .*"Frankfurt"/],
  ["allowedBedrockModels", ["anthropic.*"], /'allowedBedrockModels\[0\]' must be .*without wild/],
  ["allowedInstanceTypes", ["t3.micro", "t3.micro"], /lists "t3.micro" more than once/],
  ["breakGlassRoleName", "ops/break-glass", /'breakGlassRoleName' must be an IAM name .*"ops\//],
  ["trailKeyAlias", "platform-org-trail", /'trailKeyAlias' must be a KMS alias starting with/],
];
describe("validateGuardrailContext, through loadScps", () => {
  for (const [key, value, message] of badContexts) {
    it(`rejects ${key} = ${JSON.stringify(value)} before reading any file`, async () => {
      const ctx = { ...CTX, [key]: value } as GuardrailContext;
      assert.throws(() => loadScps("/nonexistent", ctx), message);
    });
  }
});
