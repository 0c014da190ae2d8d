/**
 * Loading the policy files: every `<kebab-name>.json` in `policies/scp/` (or `policies/rcp/`), with
 * its tokens substituted, checked against its kind and paired with its intent.
 */
import * as fs from "fs";
import * as path from "path";
import { GuardrailContext } from "../../lib/names";
import { RCP_INTENTS, SCP_INTENTS } from "./catalogue";
import { validateGuardrailContext } from "./context";
import { ScpDocument, validatePolicyDocument } from "./document";
import { PolicyKind, RCP_KIND, SCP_KIND } from "./kinds";
import { PolicyValue } from "./document";
import { guardrailTokens, organizationTokens, substitute } from "./tokens";

const POLICY_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * Loads every `<kebab-name>.json` in `dir`, substitutes `{{tokens}}` from `ctx`, validates the
 * result and pairs it with its intent. Throws an Error naming the file on anything unexpected: a
 * non-JSON file, invalid JSON, an unknown token, a missing or duplicate Sid, a missing intent; and
 * naming the policy when an intent has no file.
 */
export function loadScps(
  dir: string,
  ctx: GuardrailContext,
  intents: Readonly<Record<string, string>> = SCP_INTENTS,
): ScpDocument[] {
  return loadPolicies(SCP_KIND, dir, ctx, intents, {});
}

/**
 * Loads the RCP files as loadScps loads the SCPs, with `{{organizationId}}` bound to
 * `organizationId` besides the guardrail tokens.
 */
export function loadRcps(
  dir: string,
  ctx: GuardrailContext,
  organizationId: string,
  intents: Readonly<Record<string, string>> = RCP_INTENTS,
): ScpDocument[] {
  return loadPolicies(RCP_KIND, dir, ctx, intents, organizationTokens(organizationId));
}

/** Loads the files of one policy kind; `extraTokens` are known besides the guardrail tokens. */
export function loadPolicies(
  kind: PolicyKind,
  dir: string,
  ctx: GuardrailContext,
  intents: Readonly<Record<string, string>>,
  extraTokens: Readonly<Record<string, PolicyValue>>,
): ScpDocument[] {
  validateGuardrailContext(ctx);
  const tokens = { ...guardrailTokens(ctx), ...extraTokens };
  const label = kind.label;
  const entries = fs.readdirSync(dir).sort();
  const loaded: ScpDocument[] = [];
  for (const entry of entries) {
    const file = path.join(dir, entry);
    if (!entry.endsWith(".json") || !fs.statSync(file).isFile()) {
      throw new Error(`${file}: ${dir} must hold ${label} JSON files only (<kebab-name>.json)`);
    }
    const name = entry.slice(0, -".json".length);
    if (!POLICY_NAME.test(name)) {
      throw new Error(`${file}: ${label} file names must be kebab-case; got "${name}"`);
    }
    const description = intents[name];
    if (description === undefined) {
      throw new Error(
        `${file}: policy "${name}" has no intent; add a one-sentence entry to ${kind.intentsName}`,
      );
    }
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
      throw new Error(`${file}: not valid JSON: ${(err as Error).message}`);
    }
    const document = substitute(raw, tokens, file, "");
    validatePolicyDocument(document, file, kind);
    const minified = JSON.stringify(document);
    const leftover = /\{\{[^}]*\}\}/.exec(minified);
    if (leftover) {
      // Tokens are only substituted in string values; one left over sits in a key or is malformed.
      throw new Error(
        `${file}: token ${leftover[0]} was not substituted (tokens work in values only)`,
      );
    }
    loaded.push({ name, file, description, document, minified });
  }
  const names = new Set(loaded.map((p) => p.name));
  const orphans = Object.keys(intents).filter((n) => !names.has(n));
  if (orphans.length > 0) {
    throw new Error(
      `${kind.intentsName} names ${orphans.map((n) => `"${n}"`).join(", ")} but ${dir} has no such file`,
    );
  }
  return loaded;
}
