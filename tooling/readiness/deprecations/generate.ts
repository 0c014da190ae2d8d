/**
 * The input properties @pulumi/aws marks `@deprecated` (JSDoc in `<module>/<resource>.d.ts` for
 * a resource's Args and in `types/input.d.ts` for nested blocks), for a list of resource types.
 * `npm run deprecations` writes the table for every type the repository plans to
 * tooling/readiness/deprecations/deprecated-inputs.json; `--check` fails when it is stale.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { REPO_ROOT } from "../../../lib/repo";

export const AWS_PACKAGE = path.join(REPO_ROOT, "node_modules", "@pulumi", "aws");
export const TABLE_FILE = path.join(__dirname, "deprecated-inputs.json");

/** Deprecated inputs by type token; each path is dotted property names (arrays are walked through). */
export interface DeprecationTable {
  readonly package: string;
  readonly types: Record<string, Record<string, string>>;
}

const MAX_DEPTH = 6;

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
}

function deprecation(node: ts.Node): string | undefined {
  const tag = ts.getJSDocTags(node).find((t) => t.tagName.text === "deprecated");
  if (!tag) return undefined;
  const text = ts.getTextOfJSDocComment(tag.comment)?.trim();
  return text || "deprecated";
}

/** `inputs.<ns>.<Name>` references inside a property's type. */
function nestedInputs(type: ts.TypeNode | undefined): [string, string][] {
  const out: [string, string][] = [];
  const visit = (n: ts.Node) => {
    if (
      ts.isTypeReferenceNode(n) &&
      ts.isQualifiedName(n.typeName) &&
      ts.isQualifiedName(n.typeName.left) &&
      ts.isIdentifier(n.typeName.left.left) &&
      n.typeName.left.left.text === "inputs"
    )
      out.push([n.typeName.left.right.text, n.typeName.right.text]);
    ts.forEachChild(n, visit);
  };
  if (type) visit(type);
  return out;
}

/** types/input.d.ts: interface declarations by `<namespace>.<Name>` (nested namespaces dotted). */
function indexInputs(file: ts.SourceFile): Map<string, ts.InterfaceDeclaration> {
  const index = new Map<string, ts.InterfaceDeclaration>();
  const walk = (n: ts.Node, ns: string[]) => {
    if (ts.isModuleDeclaration(n) && n.body) {
      const inner = [...ns, n.name.getText()];
      ts.forEachChild(n.body, (c) => walk(c, inner));
      return;
    }
    if (ts.isInterfaceDeclaration(n)) index.set([...ns, n.name.text].join("."), n);
    else ts.forEachChild(n, (c) => walk(c, ns));
  };
  walk(file, []);
  return index;
}

/** The deprecated inputs of each type token `aws:<module>/<resource>:<Class>`. */
export function deprecatedInputs(types: readonly string[], pkg = AWS_PACKAGE): DeprecationTable {
  const inputs = indexInputs(parse(path.join(pkg, "types", "input.d.ts")));
  const result: Record<string, Record<string, string>> = {};
  for (const token of [...types].sort()) {
    const m = /^aws:([^/]+)\/([^:]+):(\w+)$/.exec(token);
    if (!m) throw new Error(`${token}: expected a type token aws:<module>/<resource>:<Class>`);
    const [, mod, res, cls] = m;
    const file = path.join(pkg, ...mod.split("."), `${res}.d.ts`);
    if (!fs.existsSync(file))
      throw new Error(`${token}: ${path.relative(pkg, file)} not found in @pulumi/aws`);
    let args: ts.InterfaceDeclaration | undefined;
    parse(file).forEachChild((n) => {
      if (ts.isInterfaceDeclaration(n) && n.name.text === `${cls}Args`) args = n;
    });
    if (!args) throw new Error(`${token}: no interface ${cls}Args in ${path.relative(pkg, file)}`);
    const found: Record<string, string> = {};
    const collect = (decl: ts.InterfaceDeclaration, prefix: string, depth: number) => {
      for (const member of decl.members) {
        if (!ts.isPropertySignature(member) || !member.name) continue;
        const at = prefix + member.name.getText().replace(/^["']|["']$/g, "");
        const why = deprecation(member);
        if (why) found[at] = why;
        if (depth >= MAX_DEPTH) continue;
        for (const [ns, name] of nestedInputs(member.type)) {
          const nested = inputs.get(`${ns}.${name}`);
          if (nested) collect(nested, `${at}.`, depth + 1);
        }
      }
    };
    collect(args, "", 0);
    if (Object.keys(found).length) result[token] = found;
  }
  const version = JSON.parse(fs.readFileSync(path.join(pkg, "package.json"), "utf8")).version;
  return { package: `@pulumi/aws@${version}`, types: result };
}

export const renderTable = (t: DeprecationTable) => `${JSON.stringify(t, null, 2)}\n`;

async function main(args: string[]): Promise<number> {
  const { repositoryPlan } = await import("../../testing/harness");
  const plans = await repositoryPlan();
  const types = [...new Set(plans.flatMap((p) => p.resources.map((r) => r.type)))].filter((t) =>
    t.startsWith("aws:"),
  );
  const rendered = renderTable(deprecatedInputs(types));
  const current = fs.existsSync(TABLE_FILE) ? fs.readFileSync(TABLE_FILE, "utf8") : "";
  const rel = path.relative(REPO_ROOT, TABLE_FILE);
  if (args.includes("--check")) {
    if (current === rendered) return 0;
    console.error(`${rel} is stale: run npm run deprecations`);
    return 1;
  }
  fs.writeFileSync(TABLE_FILE, rendered);
  console.log(`wrote ${rel}: ${types.length} types planned`);
  return 0;
}

if (require.main === module)
  void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
