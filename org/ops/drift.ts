/**
 * `scp drift`: proves that the SCPs and RCPs running in AWS are the ones in `policies/scp/` and
 * `policies/rcp/` (the RCPs with the live organization's id bound), attached where the org
 * configuration says. Read-only; exit code 0 when identical, 1 on drift.
 *
 * "Identical" means what the org stack would consider identical, so drift here is exactly what
 * `pulumi up` would change: the AWS provider compares policy content as parsed JSON (key order and
 * whitespace ignored; list order, and a string versus a one-element list, significant: Terraform
 * provider `verify.SuppressEquivalentJSONDiffs`). The freeze SCP's attachments are made by budget
 * actions, not the stack, so they are reported as frozen accounts, never as drift.
 */
import * as path from "path";
import { PolicySummary } from "@aws-sdk/client-organizations";
import { REPO_ROOT } from "../../lib/repo";
import {
  FREEZE_POLICY_NAME,
  PolicyKind,
  RCP_KIND,
  SCP_KIND,
  type ScpDocument,
} from "../guardrails";
import { AwsCalls } from "./aws";
import { scpPolicyName } from "../../lib/names";
import { ExpectedState } from "./expected";
import {
  CallerInfo,
  describeTarget,
  identifyCaller,
  listPolicies,
  OrgTree,
  policyContent,
  policyTargetIds,
  readOrgTree,
  resolveTarget,
  TargetRef,
  targetText,
} from "./live";
import { indent, renderDiff } from "./render";

/** JSON with every object's keys sorted, lists untouched: equal strings mean stack-equivalent. */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === "object") {
      return Object.fromEntries(
        Object.keys(v as object)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(value));
}

/** Whether the org stack would leave a live policy `live` as it is, given the expected document. */
export function sameAsStack(expected: unknown, live: string): boolean {
  try {
    return canonicalJson(expected) === canonicalJson(JSON.parse(live));
  } catch {
    return false;
  }
}

/**
 * `value` with its object keys in the order `template` has them (keys only in `value` last), so a
 * diff against the template shows changed values, never reordered keys.
 */
export function alignKeys(value: unknown, template: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map((v, i) => alignKeys(v, Array.isArray(template) ? template[i] : undefined));
  }
  if (value === null || typeof value !== "object") return value;
  const v = value as Record<string, unknown>;
  const t =
    template !== null && typeof template === "object" && !Array.isArray(template)
      ? (template as Record<string, unknown>)
      : {};
  const keys = [
    ...Object.keys(t).filter((k) => k in v),
    ...Object.keys(v).filter((k) => !(k in t)),
  ];
  return Object.fromEntries(keys.map((k) => [k, alignKeys(v[k], t[k])]));
}

/** A readable line diff of the pretty-printed expected and live documents. */
export function contentDiff(
  expectedLabel: string,
  liveLabel: string,
  expected: unknown,
  live: string,
): string {
  let liveText: string;
  try {
    liveText = JSON.stringify(alignKeys(JSON.parse(live), expected), null, 2);
  } catch {
    liveText = live; // not JSON at all: show it as AWS returned it
  }
  return renderDiff(expectedLabel, liveLabel, JSON.stringify(expected, null, 2), liveText);
}

export type DriftKind =
  "missing" | "extra" | "content" | "description" | "targets" | "unknown-target";

export interface DriftItem {
  readonly kind: DriftKind;
  /** Whether the policy is an SCP or an RCP; absent for `unknown-target`. */
  readonly policyType?: "SCP" | "RCP";
  /** Live policy name (`platform-region-lock`), or the config target for `unknown-target`. */
  readonly subject: string;
  readonly policyId: string | null;
  /** The source file, relative to the repository root, when the policy has one. */
  readonly file: string | null;
  /** One line saying what differs. */
  readonly summary: string;
  /** For `content`: the line diff, expected (-) against live (+). */
  readonly diff?: string;
  /** For `targets` and `extra`: attachments. */
  readonly missingTargets?: readonly TargetRef[];
  readonly extraTargets?: readonly TargetRef[];
  /** For `description`. */
  readonly expectedDescription?: string;
  readonly liveDescription?: string;
}

export interface DriftReport {
  readonly checkedAt: string;
  readonly caller: CallerInfo;
  /** Number of SCP files compared. */
  readonly policiesChecked: number;
  /** Number of RCP files compared. */
  readonly rcpsChecked: number;
  readonly identical: boolean;
  readonly drift: readonly DriftItem[];
  /** Where the freeze SCP is attached now: the frozen accounts. Expected to vary; not drift. */
  readonly frozenTargets: readonly TargetRef[];
}

export async function getScpDrift(
  aws: AwsCalls,
  expected: ExpectedState,
  now: Date,
): Promise<DriftReport> {
  const caller = await identifyCaller(aws, expected.config);
  const tree: OrgTree = await readOrgTree(aws, expected.config);
  const drift: DriftItem[] = [];

  // Config targets the organization does not have: reported once each, whichever policies use them.
  const unknown = new Map<string, string[]>();
  const resolve = (policy: string, target: string): string | null => {
    const id = resolveTarget(tree, target);
    if (id === null) unknown.set(target, [...(unknown.get(target) ?? []), policy]);
    return id;
  };

  const scps = await kindDrift(aws, expected, tree, resolve, {
    kind: SCP_KIND,
    documents: expected.plan.policies,
    attachments: expected.plan.attachments,
  });
  // The RCPs bind the organization id; the live organization's id is what the stack bound.
  const rcps = await kindDrift(aws, expected, tree, resolve, {
    kind: RCP_KIND,
    documents: expected.rcps.render(caller.organizationId),
    attachments: expected.rcps.attachments,
  });
  drift.push(...scps.drift, ...rcps.drift);

  for (const [target, policies] of unknown) {
    drift.push({
      kind: "unknown-target",
      subject: target,
      policyId: null,
      file: null,
      summary:
        `the attachment plan puts ${policies.join(", ")} on ${target}, ` +
        `which the organization does not have`,
    });
  }

  return {
    checkedAt: now.toISOString(),
    caller,
    policiesChecked: expected.plan.policies.length,
    rcpsChecked: expected.rcps.policies.length,
    identical: drift.length === 0,
    drift,
    frozenTargets: scps.frozenTargets,
  };
}

/** The drift of the policies of one kind: content, description, targets, missing and extra. */
async function kindDrift(
  aws: AwsCalls,
  expected: ExpectedState,
  tree: OrgTree,
  resolve: (policy: string, target: string) => string | null,
  want: {
    readonly kind: PolicyKind;
    readonly documents: readonly ScpDocument[];
    readonly attachments: Readonly<Record<string, readonly string[]>>;
  },
): Promise<{ drift: DriftItem[]; frozenTargets: TargetRef[] }> {
  const { kind } = want;
  const live = (await listPolicies(aws, kind.policyType)).filter((p) => !p.AwsManaged);
  const byName = new Map<string, PolicySummary>(live.map((p) => [p.Name ?? "", p]));
  const drift: DriftItem[] = [];
  let frozenTargets: TargetRef[] = [];
  const folder = `policies/${kind.folder}/`;

  for (const doc of want.documents) {
    const name = scpPolicyName(expected.prefix, doc.name);
    const file = path.relative(REPO_ROOT, doc.file);
    const summary = byName.get(name);
    if (!summary?.Id) {
      drift.push({
        kind: "missing",
        policyType: kind.label,
        subject: name,
        policyId: null,
        file,
        summary: `in ${file}, not in AWS`,
      });
      for (const t of want.attachments[doc.name] ?? []) resolve(doc.name, t);
      continue;
    }
    const id = summary.Id;
    const content = await policyContent(aws, id);
    if (!sameAsStack(doc.document, content)) {
      drift.push({
        kind: "content",
        policyType: kind.label,
        subject: name,
        policyId: id,
        file,
        summary: `content differs from ${file}`,
        diff: contentDiff(`expected: ${file}`, `live: ${name} (${id})`, doc.document, content),
      });
    }
    // The stack sends the intent cut to the 512 characters Organizations allows.
    const wantDescription = doc.description.slice(0, 512);
    if ((summary.Description ?? "") !== wantDescription) {
      drift.push({
        kind: "description",
        policyType: kind.label,
        subject: name,
        policyId: id,
        file,
        summary: `description differs from its intent in org/guardrails/catalogue.ts ${kind.intentsName}`,
        expectedDescription: wantDescription,
        liveDescription: summary.Description ?? "",
      });
    }
    const liveTargets = await policyTargetIds(aws, id);
    if (kind === SCP_KIND && doc.name === FREEZE_POLICY_NAME) {
      frozenTargets = liveTargets.map((t) => describeTarget(tree, t));
      continue;
    }
    const wantIds = (want.attachments[doc.name] ?? [])
      .map((t) => resolve(doc.name, t))
      .filter((t): t is string => t !== null);
    const missingTargets = wantIds
      .filter((t) => !liveTargets.includes(t))
      .map((t) => describeTarget(tree, t));
    const extraTargets = liveTargets
      .filter((t) => !wantIds.includes(t))
      .map((t) => describeTarget(tree, t));
    if (missingTargets.length > 0 || extraTargets.length > 0) {
      const parts = [
        missingTargets.length ? `not attached to ${missingTargets.map(targetText).join(", ")}` : "",
        extraTargets.length ? `also attached to ${extraTargets.map(targetText).join(", ")}` : "",
      ].filter(Boolean);
      drift.push({
        kind: "targets",
        policyType: kind.label,
        subject: name,
        policyId: id,
        file,
        summary: parts.join("; "),
        missingTargets,
        extraTargets,
      });
    }
  }

  const expectedNames = new Set(want.documents.map((p) => scpPolicyName(expected.prefix, p.name)));
  const extras = live
    .filter((x) => !expectedNames.has(x.Name ?? ""))
    .sort((a, b) => (a.Name ?? "").localeCompare(b.Name ?? ""));
  for (const p of extras) {
    const targets = (await policyTargetIds(aws, p.Id!)).map((t) => describeTarget(tree, t));
    drift.push({
      kind: "extra",
      policyType: kind.label,
      subject: p.Name ?? p.Id!,
      policyId: p.Id!,
      file: null,
      summary:
        `in AWS, not in ${folder}; ` +
        (targets.length ? `attached to ${targets.map(targetText).join(", ")}` : "attached nowhere"),
      extraTargets: targets,
    });
  }
  return { drift, frozenTargets };
}

/** 0 when AWS matches policies/scp/, policies/rcp/ and the config, 1 on drift (faults exit 2 elsewhere). */
export function driftExitCode(report: DriftReport): number {
  return report.identical ? 0 : 1;
}

const KIND_LABEL: Readonly<Record<DriftKind, string>> = {
  missing: "MISSING",
  extra: "EXTRA",
  content: "CHANGED",
  description: "DESCRIPTION",
  targets: "TARGETS",
  "unknown-target": "NO TARGET",
};

export function renderScpDrift(r: DriftReport): string {
  const out = [
    `SCP drift check at ${r.checkedAt}`,
    `Organization ${r.caller.organizationId}, management account ${r.caller.managementAccountId}; ` +
      `compared ${r.policiesChecked} files in policies/scp/, ${r.rcpsChecked} in policies/rcp/ ` +
      `and the attachment plans of org/Pulumi.management.yaml.`,
    "",
  ];
  if (r.identical) {
    out.push(
      "No drift: every SCP in AWS matches policies/scp/ in content, description and targets. " +
        "Every RCP matches policies/rcp/ the same way.",
    );
  } else {
    out.push(`Drift found (${r.drift.length}):`);
    for (const d of r.drift) {
      const id = d.policyId ? ` (${d.policyId})` : "";
      // SCP lines read as they always have; RCP ones say so.
      const type = d.policyType === "RCP" ? "RCP " : "";
      out.push(`  ${KIND_LABEL[d.kind].padEnd(11)} ${type}${d.subject}${id}: ${d.summary}`);
      if (d.diff) out.push(indent(d.diff, "      "));
      if (d.kind === "description") {
        out.push(
          `      expected: ${JSON.stringify(d.expectedDescription)}`,
          `      live:     ${JSON.stringify(d.liveDescription)}`,
        );
      }
    }
  }
  out.push("");
  out.push(
    r.frozenTargets.length === 0
      ? "Frozen accounts: none (the freeze SCP is attached by budget actions; its attachments are not drift)."
      : `Frozen accounts (the freeze SCP is attached by budget actions; not drift): ${r.frozenTargets
          .map(targetText)
          .join(", ")}.`,
  );
  return out.join("\n");
}
