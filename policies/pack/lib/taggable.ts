import * as fs from "fs";
import * as path from "path";

/**
 * Whether an AWS resource type takes tags. A policy sees only the properties a program set, so an
 * untagged resource looks the same whether it could carry tags or not (pulumi-policy issue #301).
 * The answer comes from the provider SDK the stacks are built with: its generated declarations
 * give every resource an `<Type>Args` interface, which has a `tags` field exactly when the
 * provider schema says the resource is taggable. Looked up once per type.
 */
const cache = new Map<string, boolean>();
let sdkRoot: string | null | undefined;

function awsSdkRoot(): string | null {
  if (sdkRoot === undefined) {
    try {
      sdkRoot = path.dirname(require.resolve("@pulumi/aws/package.json"));
    } catch {
      sdkRoot = null;
    }
  }
  return sdkRoot;
}

/** `aws:ec2/instance:Instance` → `<sdk>/ec2/instance.d.ts` and `InstanceArgs`. */
export function declarationOf(
  type: string,
  root: string,
): { file: string; args: string } | undefined {
  const m = /^aws:([A-Za-z0-9]+)\/([A-Za-z0-9]+):([A-Za-z0-9]+)$/.exec(type);
  if (!m) return undefined;
  const [, mod, file, cls] = m;
  const dir = mod === "index" ? root : path.join(root, mod);
  return { file: path.join(dir, `${file}.d.ts`), args: `${cls}Args` };
}

/** Reads the `Args` interface of a declaration file; undefined when the file or interface is absent. */
export function argsDeclaresTags(file: string, argsName: string): boolean | undefined {
  if (!fs.existsSync(file)) return undefined;
  const text = fs.readFileSync(file, "utf8");
  const start = text.indexOf(`export interface ${argsName} {`);
  if (start < 0) return undefined;
  const end = text.indexOf("\n}", start);
  return /\n\s+tags\?:/.test(text.slice(start, end < 0 ? undefined : end));
}

/**
 * True when `type` is an AWS resource that takes tags. Anything the SDK does not describe (another
 * provider, a component, a type newer than the installed SDK) counts as taggable only if the
 * program tagged it.
 */
export function isTaggable(type: string, hasTagsProperty: boolean): boolean {
  const known = cache.get(type);
  if (known !== undefined) return known;
  const root = awsSdkRoot();
  const decl = root ? declarationOf(type, root) : undefined;
  const declared = decl ? argsDeclaresTags(decl.file, decl.args) : undefined;
  if (declared === undefined) return hasTagsProperty;
  cache.set(type, declared);
  return declared;
}
