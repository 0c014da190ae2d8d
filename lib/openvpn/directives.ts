// A small reader for OpenVPN config files: enough to check rendered configs directive by
// directive (tests, and the boot script deriving its paths from the config it installs) without
// matching substrings, which would confuse `pull-filter ignore "redirect-gateway"` with
// `redirect-gateway`.

export interface Directive {
  /** Directive name, e.g. "push" or "ca". */
  readonly name: string;
  /** Arguments without quotes: `push "route 10.0.0.0 255.0.0.0"` gives one argument. */
  readonly args: readonly string[];
  /** Body of an inline block such as <ca>...</ca>; undefined for ordinary lines. */
  readonly inline?: string;
  /** 1-based line number where the directive starts. */
  readonly line: number;
}

function tokenize(line: string): string[] {
  const tokens: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) {
    tokens.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : (m[2] ?? m[3]));
  }
  return tokens;
}

export function parseDirectives(config: string): Directive[] {
  const lines = config.replace(/\r\n/g, "\n").split("\n");
  const out: Directive[] = [];
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i].trim();
    if (text === "" || text.startsWith("#") || text.startsWith(";")) {
      continue;
    }
    const open = /^<([a-z0-9-]+)>$/.exec(text);
    if (open) {
      const end = lines.findIndex((l, j) => j > i && l.trim() === `</${open[1]}>`);
      if (end < 0) {
        throw new Error(`parseDirectives: <${open[1]}> opened on line ${i + 1} is never closed.`);
      }
      const inline = lines.slice(i + 1, end).join("\n");
      out.push({ name: open[1], args: [], inline, line: i + 1 });
      i = end;
      continue;
    }
    const [name, ...args] = tokenize(text);
    out.push({ name, args, line: i + 1 });
  }
  return out;
}

/** The arguments of the single occurrence of `name`; throws if it is missing or repeated. */
export function singleDirective(directives: readonly Directive[], name: string): readonly string[] {
  const found = directives.filter((d) => d.name === name);
  if (found.length !== 1) {
    throw new Error(`expected exactly one '${name}' directive, found ${found.length}.`);
  }
  return found[0].args;
}
