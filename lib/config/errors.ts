import { z } from "zod";

/** At most this many characters of a received value are echoed in an error. */
export const MAX_ECHO_CHARS = 200;
/** At most this many problems are listed; the rest are counted. */
export const MAX_PROBLEMS = 40;
/**
 * No problem line is longer than this, whatever it holds (a long key, a list of allowed values):
 * with {@link MAX_PROBLEMS}, an error stays a few tens of kilobytes for any file.
 */
export const MAX_PROBLEM_CHARS = 1000;

/** Cuts `text` to `max` characters, saying how long it was. */
function bounded(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters in all)` : text;
}

/**
 * A received value as an error shows it: JSON (strings quoted), at most {@link MAX_ECHO_CHARS}
 * characters with an ellipsis and the full length. A 1 MB value gives a one-line problem.
 */
export function echo(value: unknown): string {
  if (value === undefined) return "nothing";
  let text: string;
  try {
    text = JSON.stringify(value) ?? `a ${typeof value}`;
  } catch {
    // BigInt or a cycle (a YAML alias that contains itself): not JSON, still shown.
    text = Object.prototype.toString.call(value);
  }
  return bounded(text, MAX_ECHO_CHARS);
}

/**
 * Raised before any resource is registered when configuration is wrong. Each line names the key
 * (with its Pulumi namespace), the value received and what is allowed, so an admin can fix the
 * environment file without reading code. The message is bounded: at most {@link MAX_PROBLEMS}
 * lines of at most {@link MAX_PROBLEM_CHARS} characters, then how many more there are.
 */
export class ConfigError extends Error {
  constructor(
    readonly where: string,
    readonly problems: string[],
  ) {
    const shown = problems
      .slice(0, MAX_PROBLEMS)
      .map((p) => `  - ${bounded(p, MAX_PROBLEM_CHARS)}`);
    if (problems.length > MAX_PROBLEMS)
      shown.push(`  - and ${problems.length - MAX_PROBLEMS} more (fix these first)`);
    super(`Invalid configuration for ${bounded(where, MAX_ECHO_CHARS)}:\n${shown.join("\n")}`);
    this.name = "ConfigError";
  }
}

/** A key as an error names it: at most {@link MAX_ECHO_CHARS} characters. */
export function keyName(key: string): string {
  return bounded(key, MAX_ECHO_CHARS);
}

/** Edit distance of two short strings (Levenshtein: insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

/**
 * The allowed key nearest to a misspelt one, when it is near enough to be the one meant: at most
 * a third of its letters wrong (two for short keys), case ignored.
 */
export function nearestKey(key: string, allowed: readonly string[]): string | undefined {
  if (key.length > 100) return undefined;
  let best: { k: string; d: number } | undefined;
  for (const k of allowed) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (!best || d < best.d) best = { k, d };
  }
  return best && best.d <= Math.max(2, Math.floor(best.k.length / 3)) ? best.k : undefined;
}

/** The problem for an unknown top-level key of a stack file (`platform:netwrok`). */
export function topLevelUnknownKey(key: string, allowed: readonly string[]): string {
  const near = nearestKey(key, allowed);
  return `${keyName(key)}: unknown key${near ? ` (did you mean "${near}"?)` : ""} (allowed keys: ${allowed.join(", ")})`;
}

/** The "unknown key" problem: the key, the nearest allowed key, and every allowed key. */
export function unknownKeyProblem(at: string, key: string, allowed?: readonly string[]): string {
  const near = allowed ? nearestKey(key, allowed) : undefined;
  return `${at}: unknown key "${keyName(key)}"${near ? ` (did you mean "${near}"?)` : ""}${allowed ? ` (allowed keys: ${allowed.join(", ")})` : ""}`;
}

function keyPath(root: string, path: PropertyKey[]): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === "number" ? `${acc}[${p}]` : `${acc}.${keyName(String(p))}`),
    root,
  );
}

/** Walks optional/default/pipe wrappers down to an object schema, to list the keys it allows. */
function objectKeysAt(schema: z.ZodType, path: PropertyKey[]): string[] | undefined {
  let node: any = schema;
  const unwrap = () => {
    while (
      node?._zod?.def &&
      ["optional", "default", "nullable", "pipe", "prefault"].includes(node._zod.def.type)
    ) {
      node = node._zod.def.type === "pipe" ? node._zod.def.in : node._zod.def.innerType;
    }
  };
  unwrap();
  for (const p of path) {
    const def = node?._zod?.def;
    if (def?.type === "object") node = def.shape[p as string];
    else if (def?.type === "array") node = def.element;
    else if (def?.type === "record") node = def.valueType;
    else return undefined;
    unwrap();
  }
  const def = node?._zod?.def;
  return def?.type === "object" ? Object.keys(def.shape) : undefined;
}

/** Turns zod issues into the one-line-per-problem form of {@link ConfigError}. */
export function describeIssues(
  root: string,
  schema: z.ZodType,
  value: unknown,
  issues: z.core.$ZodIssue[],
): string[] {
  const valueAt = (path: PropertyKey[]) =>
    path.reduce<any>((v, p) => (v === null || v === undefined ? undefined : v[p as any]), value);
  return issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      // One line per stray key, each named by its full dotted key: a typo deep in a section
      // (platform:network.vpn.prot) is found without counting indentation in the file.
      const allowed = objectKeysAt(schema, issue.path);
      return issue.keys.map((k) =>
        unknownKeyProblem(keyPath(root, [...issue.path, k]), k, allowed),
      );
    }
    return [`${keyPath(root, issue.path)}: got ${echo(valueAt(issue.path))}; ${issue.message}`];
  });
}

/** Parses `value` with `schema`, or throws a ConfigError naming every problem found. */
export function parseOrThrow<T extends z.ZodType>(
  where: string,
  root: string,
  schema: T,
  value: unknown,
): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new ConfigError(where, describeIssues(root, schema, value, result.error.issues));
  return result.data;
}

/**
 * A section checked against its schema and rules: its typed value whenever the schema accepted it
 * (so rules of other sections that read it still run), and every problem found.
 */
export interface Checked<T> {
  readonly value?: T;
  readonly problems: string[];
}

/** Parses one section of a stack file (`key` is its config key), collecting problems instead of throwing. */
export function parseSection<T extends z.ZodType>(
  key: string,
  schema: T,
  value: unknown,
): Checked<z.output<T>> {
  const r = schema.safeParse(value);
  return r.success
    ? { value: r.data, problems: [] }
    : { problems: describeIssues(key, schema, value, r.error.issues) };
}
