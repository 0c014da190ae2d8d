/** What the guardrail tests share: a realistic context, the real SCP folder and the fixtures. */
import * as fs from "fs";
import * as path from "path";
import { GUARDRAIL_NAME_DEFAULTS, type GuardrailContext } from "../../../lib/names";
import { DEFAULT_ORG_LAYOUT, scpTargetsForLayout } from "../../guardrails";

export const SCP_DIR = path.join(__dirname, "..", "..", "..", "policies", "scp");
const FIXTURES = path.join(__dirname, "..", "fixtures", "scp");

export const CTX: GuardrailContext = {
  ...GUARDRAIL_NAME_DEFAULTS,
  allowedRegions: ["eu-central-1", "eu-west-1"],
  allowedInstanceTypes: ["t3.micro", "t3.small", "t4g.*"],
  allowedBedrockModels: ["anthropic.claude-3-haiku-20240307-v1:0", "amazon.titan-text-lite-v1"],
};

export const TARGETS = scpTargetsForLayout(DEFAULT_ORG_LAYOUT);
export const FREEZE_ACCOUNTS = ["account:dev", "account:sandbox"];

export function fixture(dir: string): string {
  return path.join(FIXTURES, dir);
}

export function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

export interface LoadFailure {
  readonly name: string;
  readonly dir: string;
  readonly intents: Record<string, string>;
  readonly message: RegExp;
}
