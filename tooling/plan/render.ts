import type { PlannedResource, StackPlan } from "../stack-plan";

const REDACTED = "[secret]";

/** How the engine receives a secret input: Pulumi's secret signature beside the value. */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** Replaces every Pulumi secret (an input wrapped in the secret signature) by the redaction mark. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === "object") {
    if ((value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG_VALUE) return REDACTED;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v)]));
  }
  return value;
}

/** The state as the engine stores it: secret inputs and the resource's secret outputs redacted. */
function redactState(r: PlannedResource): unknown {
  const secret = new Set(r.additionalSecretOutputs ?? []);
  const state = redactSecrets(r.state) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(state ?? {}).map(([k, v]) => [k, secret.has(k) ? REDACTED : v]),
  );
}

/** The `--json` document: a stable contract read by tests, reviewers and CI (see README). */
export function planDocument(plans: StackPlan[]) {
  return {
    stacks: plans.map((p) => ({
      project: p.project,
      stack: p.stack,
      resources: p.resources.map((r) => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        id: r.id,
        parent: r.parent,
        protect: r.protect,
        retainOnDelete: r.retainOnDelete,
        provider: r.provider,
        dependencies: r.dependencies,
        deleteBeforeReplace: r.deleteBeforeReplace,
        replaceOnChanges: r.replaceOnChanges,
        ignoreChanges: r.ignoreChanges,
        import: r.import,
        inputs: redactSecrets(r.inputs),
        state: redactState(r),
      })),
      outputs: Object.fromEntries(
        Object.entries(p.outputs).map(([k, v]) => [k, p.secretOutputs.includes(k) ? REDACTED : v]),
      ),
    })),
  };
}

function tree(resources: PlannedResource[]): string[] {
  const children = new Map<string | null, PlannedResource[]>();
  const urns = new Set(resources.map((r) => r.urn));
  for (const r of resources) {
    const parent = r.parent && urns.has(r.parent) ? r.parent : null;
    children.set(parent, [...(children.get(parent) ?? []), r]);
  }
  const lines: string[] = [];
  const walk = (parent: string | null, indent: string) => {
    const list = children.get(parent) ?? [];
    list.forEach((r, i) => {
      const last = i === list.length - 1;
      const flags = [r.protect ? "protected" : "", r.retainOnDelete ? "retained" : ""]
        .filter(Boolean)
        .join(", ");
      lines.push(
        `${indent}${last ? "└─" : "├─"} ${r.type} ${r.name}${flags ? `  [${flags}]` : ""}`,
      );
      walk(r.urn, indent + (last ? "   " : "│  "));
    });
  };
  walk(null, "  ");
  return lines;
}

function short(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

/** Human output: per stack a tree, counts by type and outputs; then one summary line. */
export function renderPlan(plans: StackPlan[]): string {
  const out: string[] = [];
  let total = 0;
  for (const p of plans) {
    const real = p.resources.filter((r) => r.type !== "pulumi:pulumi:StackReference");
    total += real.length;
    out.push(`\n${p.project}/${p.stack}: ${real.length} resources would be created`);
    out.push(...tree(p.resources));
    const counts = new Map<string, number>();
    for (const r of real) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    out.push("  by type:");
    for (const [type, n] of [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])))
      out.push(`    ${String(n).padStart(4)}  ${type}`);
    out.push("  outputs:");
    for (const [k, v] of Object.entries(p.outputs))
      out.push(`    ${k}: ${p.secretOutputs.includes(k) ? REDACTED : short(v)}`);
  }
  out.push(`\nPlan: ${plans.length} stacks, ${total} resources, no AWS account used.`);
  return out.join("\n");
}
