/**
 * Guardrail coverage: which Deny statements (and which of their actions) of the loaded SCP or RCP
 * files are the reason for a denial in at least one evaluated scenario (scp-scenarios.test.ts for
 * the SCPs, rcp-scenarios.test.ts for the RCPs). A statement no scenario is denied by could be
 * deleted without any test noticing, so the scenario table must cover all.
 *
 * The reasons come from the evaluator (iam-simulate's denyStatements), not from what a scenario
 * claims; these functions only compare them with what the files hold, so they stay data-driven
 * over whatever statements the files carry.
 */
import type { ScpDocument } from "../guardrails";

/** One Deny statement of one SCP file, as the coverage check names it. */
export interface DenyStatementRef {
  /** SCP name (file name without `.json`). */
  readonly policy: string;
  readonly sid: string;
  /** The Action patterns, or undefined for a NotAction statement (its actions are unbounded). */
  readonly actions: readonly string[] | undefined;
  /** The NotAction patterns of a NotAction statement, else undefined. */
  readonly notActions: readonly string[] | undefined;
  /** Whether the statement lets some requests for its actions through (Condition, NotResource). */
  readonly conditional: boolean;
}

/** What the evaluator reported for one scenario that was explicitly denied. */
export interface DenialOutcome {
  readonly scenario: string;
  /** The request's action, e.g. `ec2:RunInstances`. */
  readonly action: string;
  /** Every SCP statement the evaluator reported as denying the request. */
  readonly deniedBy: readonly { readonly policy: string; readonly sid: string }[];
}

function asList(value: string | readonly string[] | undefined): readonly string[] | undefined {
  if (value === undefined) return undefined;
  return typeof value === "string" ? [value] : value;
}

/** Every Deny statement of every loaded SCP, in file then statement order. */
export function denyStatementsOf(scps: readonly ScpDocument[]): DenyStatementRef[] {
  return scps.flatMap((scp) =>
    scp.document.Statement.filter((st) => st.Effect === "Deny").map((st) => ({
      policy: scp.name,
      sid: st.Sid,
      actions: st.NotAction === undefined ? asList(st.Action) : undefined,
      notActions: asList(st.NotAction),
      conditional: st.Condition !== undefined || st.NotResource !== undefined,
    })),
  );
}

/** IAM action matching: case-insensitive, `*` any run of characters, `?` one character. */
export function actionMatches(pattern: string, action: string): boolean {
  const source = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, "i").test(action);
}

export interface CoverageReport {
  /** `policy/Sid` of every Deny statement no scenario was denied by. */
  readonly uncoveredStatements: readonly string[];
  /** `policy/Sid: pattern` of every Action pattern no scenario denied by that statement used. */
  readonly uncoveredActions: readonly string[];
  /** How many Deny statements the files hold (the denominator). */
  readonly statements: number;
}

/**
 * Compares the Deny statements of `scps` with the denials the evaluator reported. Throws when
 * there is nothing to compare (no Deny statement, or no denial at all), since an empty side
 * would make "everything is covered" vacuously true.
 */
export function guardrailCoverage(
  scps: readonly ScpDocument[],
  denials: readonly DenialOutcome[],
): CoverageReport {
  const statements = denyStatementsOf(scps);
  if (statements.length === 0) {
    throw new Error("guardrail coverage: the SCP files hold no Deny statement; nothing to check");
  }
  if (denials.length === 0) {
    throw new Error("guardrail coverage: no scenario was denied; the scenario list is empty");
  }
  const uncoveredStatements: string[] = [];
  const uncoveredActions: string[] = [];
  for (const st of statements) {
    const by = denials.filter((d) =>
      d.deniedBy.some((r) => r.policy === st.policy && r.sid === st.sid),
    );
    if (by.length === 0) {
      uncoveredStatements.push(`${st.policy}/${st.sid}`);
      continue;
    }
    for (const pattern of st.actions ?? []) {
      if (!by.some((d) => actionMatches(pattern, d.action))) {
        uncoveredActions.push(`${st.policy}/${st.sid}: ${pattern}`);
      }
    }
  }
  return { uncoveredStatements, uncoveredActions, statements: statements.length };
}

/** Whether a Deny statement's Action (or NotAction) covers `action`. */
export function statementNamesAction(st: DenyStatementRef, action: string): boolean {
  if (st.notActions !== undefined) return !st.notActions.some((p) => actionMatches(p, action));
  return (st.actions ?? []).some((p) => actionMatches(p, action));
}

/**
 * The converse: a conditional Deny statement is meant to let legitimate requests for its actions
 * through, so at least one scenario the evaluator allowed must request one of them. Returns
 * `policy/Sid` of every conditional statement no allowed scenario exercises. Throws on an empty
 * list of allowed scenarios, for the same reason as guardrailCoverage.
 */
export function unexercisedExemptions(
  scps: readonly ScpDocument[],
  allowed: readonly { readonly scenario: string; readonly action: string }[],
): string[] {
  if (allowed.length === 0) {
    throw new Error(
      "guardrail coverage: no scenario was allowed; the legitimate-work list is empty",
    );
  }
  return denyStatementsOf(scps)
    .filter((st) => st.conditional)
    .filter((st) => !allowed.some((a) => statementNamesAction(st, a.action)))
    .map((st) => `${st.policy}/${st.sid}`);
}
