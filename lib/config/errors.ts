import { z } from "zod";

/**
 * Raised before any resource is registered when configuration is wrong. Each line names the key
 * (with its Pulumi namespace), the value received and what is allowed, so an admin can fix the
 * environment file without reading code.
 */
export class ConfigError extends Error {
  constructor(
    readonly where: string,
    readonly problems: string[],
  ) {
    super(`Invalid configuration for ${where}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function keyPath(root: string, path: PropertyKey[]): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === "number" ? `${acc}[${p}]` : `${acc}.${String(p)}`),
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
      return issue.keys.map(
        (k) =>
          `${keyPath(root, [...issue.path, k])}: unknown key "${k}"${allowed ? ` (allowed keys: ${allowed.join(", ")})` : ""}`,
      );
    }
    return [`${keyPath(root, issue.path)}: got ${show(valueAt(issue.path))}; ${issue.message}`];
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
