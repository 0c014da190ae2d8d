/**
 * Compares two `npm run plan -- --json` documents resource by resource, keyed by URN: which
 * resources appear, disappear, or change their inputs or resource options, and which stack outputs
 * change. A refactor that must not touch deployed resources should report no difference; every
 * difference it does report is a change `pulumi up` would make.
 *
 *   npm run -s plan -- --json > before.json   (on the old commit)
 *   npm run -s plan -- --json > after.json    (on the new one)
 *   npm run -s plan:compare -- before.json after.json
 */
import * as fs from "fs";

interface PlannedResource {
  readonly urn: string;
  readonly inputs?: Record<string, unknown>;
  readonly [option: string]: unknown;
}
interface PlanStack {
  readonly project: string;
  readonly stack: string;
  readonly resources: readonly PlannedResource[];
  readonly outputs?: Record<string, unknown>;
}
interface PlanJson {
  readonly stacks: readonly PlanStack[];
}

export interface PlanDifference {
  readonly stack: string;
  readonly kind: "added" | "removed" | "changed" | "output";
  readonly what: string;
  readonly detail?: string;
}

/** Resource fields that are bookkeeping of the mocks, not something `pulumi up` would change. */
const IGNORED_FIELDS = new Set(["urn", "id", "state", "inputs"]);

function stable(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function clip(text: string, max = 160): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

/** Field-level differences between two versions of the same resource. */
function resourceChanges(before: PlannedResource, after: PlannedResource): string[] {
  const out: string[] = [];
  const inputs = new Set([...Object.keys(before.inputs ?? {}), ...Object.keys(after.inputs ?? {})]);
  for (const key of [...inputs].sort()) {
    const a = stable(before.inputs?.[key]);
    const b = stable(after.inputs?.[key]);
    if (a !== b) out.push(`inputs.${key}: ${clip(String(a))} -> ${clip(String(b))}`);
  }
  const options = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const key of [...options].filter((k) => !IGNORED_FIELDS.has(k)).sort()) {
    const a = stable(before[key]);
    const b = stable(after[key]);
    if (a !== b) out.push(`${key}: ${clip(String(a))} -> ${clip(String(b))}`);
  }
  return out;
}

export function comparePlans(before: PlanJson, after: PlanJson): PlanDifference[] {
  const diffs: PlanDifference[] = [];
  const stacksOf = (doc: PlanJson) =>
    new Map(doc.stacks.map((s) => [`${s.project}/${s.stack}`, s]));
  const b = stacksOf(before);
  const a = stacksOf(after);
  for (const name of new Set([...b.keys(), ...a.keys()])) {
    const sb = b.get(name);
    const sa = a.get(name);
    if (!sb || !sa) {
      diffs.push({ stack: name, kind: sb ? "removed" : "added", what: "the whole stack" });
      continue;
    }
    const rb = new Map(sb.resources.map((r) => [r.urn, r]));
    const ra = new Map(sa.resources.map((r) => [r.urn, r]));
    for (const [urn, r] of rb) {
      const next = ra.get(urn);
      if (!next) diffs.push({ stack: name, kind: "removed", what: urn });
      else
        for (const detail of resourceChanges(r, next))
          diffs.push({ stack: name, kind: "changed", what: urn, detail });
    }
    for (const urn of ra.keys())
      if (!rb.has(urn)) diffs.push({ stack: name, kind: "added", what: urn });
    const outputs = new Set([...Object.keys(sb.outputs ?? {}), ...Object.keys(sa.outputs ?? {})]);
    for (const key of [...outputs].sort()) {
      const x = stable(sb.outputs?.[key]);
      const y = stable(sa.outputs?.[key]);
      if (x !== y)
        diffs.push({
          stack: name,
          kind: "output",
          what: key,
          detail: `${clip(String(x))} -> ${clip(String(y))}`,
        });
    }
  }
  return diffs;
}

export function renderDifferences(diffs: readonly PlanDifference[]): string {
  if (diffs.length === 0)
    return "no differences: every stack plans the same resources with the same inputs and options";
  const lines = diffs.map(
    (d) => `${d.stack}  ${d.kind.padEnd(7)} ${d.what}${d.detail ? `\n    ${d.detail}` : ""}`,
  );
  const counts = ["added", "removed", "changed", "output"].map(
    (k) => `${diffs.filter((d) => d.kind === k).length} ${k}`,
  );
  return `${lines.join("\n")}\n\n${counts.join(", ")}`;
}

function read(file: string): PlanJson {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as PlanJson;
  } catch (err) {
    console.error(`plan:compare: cannot read ${file}: ${(err as Error).message}`);
    process.exit(2);
  }
}

if (require.main === module) {
  const [before, after] = process.argv.slice(2);
  if (!before || !after) {
    console.error("usage: npm run -s plan:compare -- <before.json> <after.json>");
    process.exit(2);
  }
  const diffs = comparePlans(read(before), read(after));
  process.stdout.write(`${renderDifferences(diffs)}\n`);
  process.exitCode = diffs.length ? 1 : 0;
}
