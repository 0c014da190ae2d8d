/**
 * The shape of an SCP or RCP document, and the structural checks every file must pass after its
 * tokens are substituted (the differences between the kinds come from their PolicyKind).
 */
import { PolicyKind, SCP_KIND } from "./kinds";

/** The IAM policy language version every SCP file must declare. */
export const POLICY_VERSION = "2012-10-17";

export type PolicyValue = string | readonly string[];

export interface ScpStatement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  /** RCPs only, and always `"*"`. */
  readonly Principal?: "*";
  readonly Action?: PolicyValue;
  readonly NotAction?: PolicyValue;
  readonly Resource?: PolicyValue;
  readonly NotResource?: PolicyValue;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, PolicyValue>>>>;
}

export interface ScpPolicyDocument {
  readonly Version: typeof POLICY_VERSION;
  readonly Statement: readonly ScpStatement[];
}

export interface ScpDocument {
  /** File name without `.json`; also the SCP's name in AWS Organizations. */
  readonly name: string;
  /** Path of the source file. */
  readonly file: string;
  /** The intent from SCP_INTENTS (RCP_INTENTS for an RCP). */
  readonly description: string;
  /** The document with every token substituted. */
  readonly document: ScpPolicyDocument;
  /** `JSON.stringify(document)`: what is sent to AWS and measured against maxPolicyChars. */
  readonly minified: string;
}

const STATEMENT_KEYS = new Set([
  "Sid",
  "Effect",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Condition",
]);
// AWS allows only alphanumerics in an SCP Sid; PascalCase makes it read as "what this prevents".
const SID = /^[A-Z][A-Za-z0-9]*$/;

function isPolicyValue(value: unknown): boolean {
  if (typeof value === "string") return value.length > 0;
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((v) => typeof v === "string" && v.length > 0)
  );
}

/** Structural checks of one SCP document after substitution; throws an Error naming the file. */
export function validateScpDocument(doc: unknown, file: string): asserts doc is ScpPolicyDocument {
  validatePolicyDocument(doc, file, SCP_KIND);
}

function serviceOf(action: string): string {
  return action.includes(":") ? action.slice(0, action.indexOf(":")).toLowerCase() : action;
}

/**
 * Structural checks of one document of `kind` after substitution; throws an Error naming the file.
 * An RCP statement must Deny, name `"Principal": "*"`, use Action (never NotAction) and only
 * actions of services RCPs cover (RCP syntax in the Organizations User Guide).
 */
export function validatePolicyDocument(
  doc: unknown,
  file: string,
  kind: PolicyKind,
): asserts doc is ScpPolicyDocument {
  const label = kind.label;
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new Error(`${file}: an ${label} must be a JSON object with Version and Statement`);
  }
  const record = doc as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== "Version" && key !== "Statement") {
      throw new Error(`${file}: unexpected top-level key "${key}"; allowed: Version, Statement`);
    }
  }
  if (record.Version !== POLICY_VERSION) {
    throw new Error(
      `${file}: Version must be "${POLICY_VERSION}"; got ${JSON.stringify(record.Version)}`,
    );
  }
  const statements = record.Statement;
  if (!Array.isArray(statements) || statements.length === 0) {
    throw new Error(`${file}: Statement must be a non-empty list of statements`);
  }
  const sidAt = new Map<string, number>();
  statements.forEach((raw: unknown, i) => {
    const at = `${file}: Statement[${i}]`;
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      throw new Error(`${at} must be an object`);
    }
    const st = raw as Record<string, unknown>;
    const allowedKeys = new Set([
      ...STATEMENT_KEYS,
      ...(kind.principal === "wildcard" ? ["Principal"] : []),
    ]);
    if (!kind.notAction) allowedKeys.delete("NotAction");
    for (const key of Object.keys(st)) {
      if (!allowedKeys.has(key)) {
        throw new Error(
          `${at} has unsupported key "${key}"; ` +
            `${label} statements allow ${[...allowedKeys].join(", ")}`,
        );
      }
    }
    if (st.Sid === undefined) {
      throw new Error(
        `${at} has no Sid; every statement needs a PascalCase Sid that says what it prevents`,
      );
    }
    if (typeof st.Sid !== "string" || !SID.test(st.Sid)) {
      throw new Error(
        `${at} Sid must be PascalCase letters and digits; got ${JSON.stringify(st.Sid)}`,
      );
    }
    const previous = sidAt.get(st.Sid);
    if (previous !== undefined) {
      throw new Error(
        `${file}: duplicate Sid "${st.Sid}" in Statement[${previous}] and Statement[${i}]`,
      );
    }
    sidAt.set(st.Sid, i);
    if (st.Effect !== "Allow" && st.Effect !== "Deny") {
      throw new Error(
        `${at} (${st.Sid}) Effect must be Allow or Deny; got ${JSON.stringify(st.Effect)}`,
      );
    }
    if (st.Effect === "Allow" && !kind.allowStatements) {
      throw new Error(
        `${at} (${st.Sid}) Effect must be Deny; got "Allow" (in an ${label} only the AWS-managed ` +
          `${kind.managedPolicyName} allows)`,
      );
    }
    if (kind.principal === "wildcard" && st.Principal !== "*") {
      throw new Error(
        `${at} (${st.Sid}) Principal must be "*" (an ${label} narrows principals with ` +
          `conditions such as aws:PrincipalOrgID); got ${JSON.stringify(st.Principal)}`,
      );
    }
    for (const [a, b] of [
      ["Action", "NotAction"],
      ["Resource", "NotResource"],
    ] as const) {
      const has = [a, b].filter((k) => st[k] !== undefined);
      if (has.length !== 1) {
        throw new Error(`${at} (${st.Sid}) needs exactly one of ${a} or ${b}; got ${has.length}`);
      }
      if (!isPolicyValue(st[has[0]])) {
        throw new Error(
          `${at} (${st.Sid}) ${has[0]} must be a non-empty string or list of strings; ` +
            `got ${JSON.stringify(st[has[0]])}`,
        );
      }
    }
    if (kind.supportedServices !== undefined && st.Action !== undefined) {
      const actions = typeof st.Action === "string" ? [st.Action] : (st.Action as string[]);
      const unsupported = actions.filter((a) => !kind.supportedServices!.includes(serviceOf(a)));
      if (unsupported.length > 0) {
        throw new Error(
          `${at} (${st.Sid}) Action names ${JSON.stringify(unsupported)}, of services ${label}s ` +
            `do not apply to; allowed services: ${kind.supportedServices.join(", ")}`,
        );
      }
    }
    if (st.Condition !== undefined) {
      const cond = st.Condition;
      if (cond === null || typeof cond !== "object" || Array.isArray(cond)) {
        throw new Error(`${at} (${st.Sid}) Condition must be an object of operators`);
      }
      for (const [op, block] of Object.entries(cond as Record<string, unknown>)) {
        if (block === null || typeof block !== "object" || Array.isArray(block)) {
          throw new Error(`${at} (${st.Sid}) Condition.${op} must map condition keys to values`);
        }
        for (const [key, v] of Object.entries(block as Record<string, unknown>)) {
          if (!isPolicyValue(v)) {
            throw new Error(
              `${at} (${st.Sid}) Condition.${op}.${key} must be a non-empty string or list; ` +
                `got ${JSON.stringify(v)}`,
            );
          }
        }
      }
    }
  });
}
