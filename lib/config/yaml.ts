import {
  Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  Node,
  parseDocument,
  Scalar,
} from "yaml";
import { ConfigError, echo, keyName } from "./errors";

/**
 * Stack files are read by two YAML readers, and both must see the same values.
 *
 * The Pulumi CLI reads a stack file with Go's gopkg.in/yaml.v2 (pulumi/pulumi
 * sdk/go/common/encoding/marshal.go), a YAML 1.1 reader: `02322` is octal 1234 there, `yes`/`on` are
 * booleans, `1_000` is 1000, `0b101` is 5. Each config value is decoded into `any`
 * (sdk/go/common/resource/config/object.go, `UnmarshalYAML`) and handed to the program as a
 * string: strings as they are, everything else as JSON (`MarshalString`), which
 * `decodeConfigValues` (lib/repo.ts) turns back into values. The offline plan, the tests and the
 * tools read the same file with the `yaml` package as YAML 1.2 (core schema): `02322` is 2322 there.
 *
 * So every scalar is read under both versions and refused, naming the file, the key and the text
 * as written, when the readings differ. What remains (plain strings, plain decimal numbers,
 * `true`/`false`, quoted strings, maps and lists) reads the same under yaml.v2, YAML 1.1 and
 * YAML 1.2, so what Pulumi passes the program equals what the plan reads (proved for the
 * shipped files in lib/config/test/inputs.test.ts). Forms the two `yaml` schemas happen to agree on
 * but that a reader of another version or schema may not (hex `0x1F`, `+5`, `1e3`, `.inf`, `True`,
 * `~`, `null`, an empty value, and the uppercase `0X1F` or `0B1` Go's integer parser accepts) are
 * refused too: a value is a plain decimal number, `true`, `false`, or a string; anything else is
 * quoted.
 */

/** A number as every reader reads it alike: decimal, no sign but `-`, no leading zeros, no exponent. */
const PLAIN_DECIMAL = /^(?:-?[1-9][0-9]*|0)(?:\.[0-9]+)?$|^-0\.[0-9]+$/;

/**
 * Plain text gopkg.in/yaml.v2 resolves to something other than a string although YAML 1.1 in the
 * `yaml` package reads a string: Go's `strconv.ParseInt(s, 0, 64)` accepts uppercase base prefixes
 * and underscores anywhere; its float pattern accepts exponents without a dot.
 */
const GO_NUMBER =
  /^[-+]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|[0-9][0-9_]*|(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$/;
const GO_NOT_A_STRING =
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|true|True|TRUE|false|False|FALSE|~|null|Null|NULL|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

function describe(value: unknown): string {
  if (value instanceof Date) return `the timestamp ${value.toISOString()}`;
  if (value === null) return "null (no value)";
  if (typeof value === "string") return `the string ${echo(value)}`;
  return `the ${typeof value} ${echo(value)}`;
}

/** Why a plain scalar is ambiguous, or undefined when every reader reads it alike. */
function ambiguity(raw: string, v11: unknown, v12: unknown): string | undefined {
  const same =
    typeof v11 === typeof v12 &&
    v11 instanceof Date === v12 instanceof Date &&
    (Object.is(v11, v12) || JSON.stringify(v11) === JSON.stringify(v12));
  if (!same)
    return `a YAML 1.1 reader (the Pulumi CLI) reads ${describe(v11)}, a YAML 1.2 reader (the plan) ${describe(v12)}`;
  if (v12 === null)
    return "it means no value (null) to one reader and the text itself to another; remove the key for its default";
  if (typeof v12 === "number") {
    if (!PLAIN_DECIMAL.test(raw))
      return `readers of other YAML versions read ${echo(raw)} differently (only plain decimal numbers such as 2322 or 0.5 read alike)`;
    if (Number.isInteger(v12) && !Number.isSafeInteger(v12))
      return "it is an integer larger than 2^53, which JavaScript cannot hold exactly";
    return undefined;
  }
  if (typeof v12 === "boolean")
    return raw === "true" || raw === "false"
      ? undefined
      : `only true and false are booleans to every reader`;
  if (typeof v12 === "string" && (GO_NUMBER.test(raw) || GO_NOT_A_STRING.test(raw)))
    return "Go's YAML reader (the Pulumi CLI) reads it as a number, boolean or null, not as this string";
  return undefined;
}

function keyText(node: unknown): string {
  if (isScalar(node)) return String(node.value);
  return String(node);
}

/**
 * The problems of a stack file's text: one per scalar (key or value) that YAML 1.1 and YAML 1.2
 * readers see differently, each naming the key path, the text as written and the fix.
 */
export function checkYamlReadings(text: string): string[] {
  const d11 = parseDocument(text, { version: "1.1", prettyErrors: false });
  const d12 = parseDocument(text, { version: "1.2", prettyErrors: false });
  if (d12.errors.length) return []; // parseStackYaml reports these
  if (d11.errors.length)
    return d11.errors.map(
      (e) => `a YAML 1.1 reader (the Pulumi CLI) cannot read the file: ${e.message}`,
    );
  const problems: string[] = [];
  const rawOf = (s: Scalar) => (s.range ? text.slice(s.range[0], s.range[1]) : String(s.source));
  const check = (path: string, a: unknown, b: unknown, what: "value" | "key") => {
    if (!isScalar(a) || !isScalar(b)) return;
    if (b.type !== Scalar.PLAIN) return; // quoted or block text is a string to every reader
    const raw = rawOf(b);
    const why = ambiguity(raw, a.value, b.value);
    if (why)
      problems.push(
        `${path || "(document)"}: got ${what === "key" ? "the key " : ""}${keyName(raw)} (unquoted); ${why}; quote it (${echo(raw)})${what === "value" ? " or write what you mean plainly" : ""}`,
      );
  };
  const walk = (path: string, a: Node | null | undefined, b: Node | null | undefined) => {
    if (!a || !b || isAlias(b)) return;
    if (isMap(a) && isMap(b)) {
      b.items.forEach((pair, i) => {
        const other = a.items[i];
        if (!isPair(pair) || !isPair(other)) return;
        const name = keyText(pair.key);
        const here = path ? `${path}.${keyName(name)}` : keyName(name);
        if (name === "<<")
          problems.push(
            `${here}: got a merge key (<<); a YAML 1.1 reader merges the mapping in, a YAML 1.2 reader reads a key named "<<": write the keys out`,
          );
        else check(here, other.key, pair.key, "key");
        walk(here, other.value as Node, pair.value as Node);
      });
      return;
    }
    if (isSeq(a) && isSeq(b)) {
      b.items.forEach((item, i) => walk(`${path}[${i}]`, a.items[i] as Node, item as Node));
      return;
    }
    check(path, a, b, "value");
  };
  walk("", d11.contents, d12.contents);
  // Keys are named as the validators name them: platform:network.vpn.port, not config.platform:...
  return problems.map((p) => p.replace(/^config\./, ""));
}

/**
 * Parses a stack file as YAML 1.2 after refusing every scalar a YAML 1.1 reader sees differently
 * (see the top of this file). Throws a ConfigError naming `file` and each key.
 */
export function parseStackYaml(text: string, file: string): unknown {
  // One stack file is read by every program of its environment and by the plan; the text is
  // parsed (three times over) once per process, and each caller gets its own copy.
  const known = accepted.get(text);
  if (known !== undefined) return structuredClone(known);
  const doc: Document = parseDocument(text, { version: "1.2", prettyErrors: false });
  if (doc.errors.length)
    throw new ConfigError(
      file,
      doc.errors.map((e) => `not valid YAML: ${e.message}`),
    );
  const problems = checkYamlReadings(text);
  if (problems.length) throw new ConfigError(file, problems);
  const value: unknown = doc.toJS();
  accepted.set(text, value);
  return structuredClone(value);
}

/** Texts that passed, with what they read as. */
const accepted = new Map<string, unknown>();
