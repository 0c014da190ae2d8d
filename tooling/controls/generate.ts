/**
 * The control matrix (policies/CONTROLS.md), built from the code: the SCP files with their intents
 * and attachments, the policy pack, the budget actions the org config sets up, and the config
 * validators the programs run before creating anything. Each control names the tests that
 * reference it; a control no test names shows "none".
 */
import * as fs from "fs";
import * as path from "path";
import { catalogue } from "../../policies/pack/policies";
import {
  DEFAULT_SCP_ATTACHMENTS,
  effectiveScps,
  FREEZE_POLICY_NAME,
  SCP_INTENTS,
} from "../../org/guardrails";
import { OrgConfig, validateOrgConfig } from "../../lib/config/org";
import { accessRows, MANAGEMENT_KEY } from "../../lib/config/identity";
import { ENVIRONMENTS, ORG_STACK_FILE, readStackFile, REPO_ROOT } from "../../lib/repo";

export type ControlKind =
  "SCP" | "IAM policy" | "pack policy" | "budget action" | "config validation";

export interface Control {
  /** `scp:<name>`, `iam:<name>`, `pack:<name>`, `budget:<account>-freeze`, `config:<function>`. */
  readonly id: string;
  /** Repository-relative path of the file that defines it. */
  readonly source: string;
  readonly kind: ControlKind;
  /** What it is for, in one sentence. */
  readonly intent: string;
  /** Where it applies: OUs and accounts, stacks, resource types. */
  readonly targets: string;
  /** How it is enforced and when. */
  readonly enforcement: string;
  /** Repository-relative paths of the test files that name it; empty: none. */
  readonly provingTests: readonly string[];
}

export const KIND_ORDER: readonly ControlKind[] = [
  "SCP",
  "IAM policy",
  "pack policy",
  "budget action",
  "config validation",
];

const ENV_PROJECTS = ["network", "workloads", "edge"] as const;
const SCP_DIR = "policies/scp";
const POLICY_DIR = "policies/pack/policies";
/** Where config validators live: the shared schema, the SCP loader and each project's config module. */
const VALIDATOR_SOURCES = ["lib/config", "org/guardrails"];
/** The generator's own test compares files; it proves no control, so it is not searched. */
const NOT_PROVING = ["tooling/controls/"];

const posix = (p: string) => p.split(path.sep).join("/");

/** Every `*.test.ts` under `root`, repository-relative, sorted; node_modules and dot folders skipped. */
export function listTestFiles(root: string = REPO_ROOT): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith(".test.ts"))
        found.push(posix(path.relative(root, full)));
    }
  };
  walk(root);
  return found.filter((f) => !NOT_PROVING.some((p) => f.startsWith(p))).sort();
}

export interface TestFile {
  readonly path: string;
  readonly text: string;
}

export function readTestFiles(root: string = REPO_ROOT): TestFile[] {
  return listTestFiles(root).map((p) => ({
    path: p,
    text: fs.readFileSync(path.join(root, p), "utf8"),
  }));
}

/** The test files whose source matches `needle`. */
export function findProvingTests(needle: RegExp, tests: readonly TestFile[]): string[] {
  return tests.filter((t) => needle.test(t.text)).map((t) => t.path);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** A name as a string literal in code: `"region-lock"`, `'region-lock'` or in backquotes. */
const quoted = (name: string) => new RegExp(`["'\`]${escape(name)}["'\`]`);
/** A whole identifier or name: `crossCheckNetwork`, `dev-freeze` inside `money-dev-freeze`. */
const word = (name: string) => new RegExp(`(?<![A-Za-z0-9_])${escape(name)}(?![A-Za-z0-9_])`);

function orgConfig(root: string): OrgConfig {
  const file =
    root === REPO_ROOT ? ORG_STACK_FILE : path.join(root, "org", "Pulumi.management.yaml");
  return validateOrgConfig(readStackFile(file), "org/management (read by the control matrix)");
}

const list = (items: readonly string[]) => (items.length ? items.join(", ") : "none");

function scpControls(root: string, org: OrgConfig, tests: readonly TestFile[]): Control[] {
  const attachments = org["platform:guardrails"].attachments ?? DEFAULT_SCP_ATTACHMENTS;
  const accounts = org["platform:accounts"];
  const freezing = Object.entries(org["platform:budgets"].accounts)
    .filter(([, b]) => b.freezeAtPercent !== undefined)
    .map(([k]) => k);
  const files = fs
    .readdirSync(path.join(root, SCP_DIR))
    .filter((f) => f.endsWith(".json"))
    .sort();
  return files.map((file) => {
    const name = file.slice(0, -".json".length);
    const reached = Object.entries(accounts)
      .filter(([key, a]) => effectiveScps(key, a.ou, attachments, false).includes(name))
      .map(([key]) => key);
    const targets =
      name === FREEZE_POLICY_NAME
        ? `not attached statically; the budget action attaches it to account:${freezing.join(", account:")} when over budget`
        : `attached to ${list(attachments[name] ?? [])}; reaches ${list(reached)}`;
    return {
      id: `scp:${name}`,
      source: `${SCP_DIR}/${file}`,
      kind: "SCP" as const,
      intent: SCP_INTENTS[name] ?? "(no intent in SCP_INTENTS: the org program refuses to load it)",
      targets,
      enforcement:
        name === FREEZE_POLICY_NAME
          ? "preventive (deny), automatic on overspend"
          : "preventive (deny), always on",
      provingTests: findProvingTests(quoted(name), tests),
    };
  });
}

/**
 * The platform roles' own policies (org/access.ts, org/access-role.ts): the agent boundary, the
 * deploy role's inline policy and the trust of the roles people assume. The intent is the first
 * sentence of the function that writes the document; the proving tests name the policy or role.
 */
const IAM_POLICIES = [
  {
    id: "iam:platform-agent-boundary",
    source: "org/access.ts",
    fn: "agentBoundaryPolicy",
    needle: quoted("platform-agent-boundary"),
    targets:
      "account:dev: the permissions boundary of platform-automation-agent (and of every role it creates)",
    enforcement:
      "preventive (deny in the permissions boundary), always on; size checked before deploy",
  },
  {
    id: "iam:platform-deploy",
    source: "org/access.ts",
    fn: "deployPolicy",
    needle: word("workload-identities"),
    targets: "the environment accounts (dev, stage, prod): the inline policy of platform-deploy",
    enforcement: "preventive (deny in the role's own policy), always on",
  },
  {
    id: "iam:platform-role-trust",
    source: "org/access.ts",
    fn: "adminTrustPolicy",
    needle: word("sts:SourceIdentity"),
    targets:
      "every member account: platform-break-glass, platform-deploy, platform-automation-agent",
    enforcement: "preventive (trust policy), always on",
  },
  {
    id: "iam:organization-access-role-trust",
    source: "org/access-role.ts",
    fn: "organizationAccessTrust",
    needle: word("OrganizationAccountAccessRole"),
    targets: "every member account with platform:accounts.<key>.accessRole: narrowed",
    enforcement:
      "preventive (trust policy) once narrowed; every use mailed (EventBridge rule access-alarm)",
  },
] as const;

function iamControls(root: string, tests: readonly TestFile[]): Control[] {
  // A repository without these files (the generator's fixture) has no such controls.
  return IAM_POLICIES.filter((p) => fs.existsSync(path.join(root, p.source))).map((p) => {
    const text = fs.readFileSync(path.join(root, p.source), "utf8");
    const doc = new RegExp(
      `(\\/\\*\\*(?:(?!\\*\\/)[\\s\\S])*\\*\\/)\\s*export function ${p.fn}\\b`,
    ).exec(text);
    return {
      id: p.id,
      source: p.source,
      kind: "IAM policy" as const,
      intent: doc ? firstSentence(doc[1]) : `(no JSDoc on ${p.fn}: document what it allows)`,
      targets: p.targets,
      enforcement: p.enforcement,
      provingTests: findProvingTests(p.needle, tests),
    };
  });
}

/** `aws:ec2/instance:Instance` → `Instance`; prose such as "every taggable aws:* resource" stays. */
const shortType = (t: string) =>
  /^[a-z0-9-]+:[A-Za-z0-9/]+:[A-Za-z0-9]+$/.test(t) ? t.split(":").pop()! : t;

function packControls(tests: readonly TestFile[]): Control[] {
  const stacks = `org/management and ${ENV_PROJECTS.join(", ")} in ${ENVIRONMENTS.join(", ")}`;
  return catalogue.map(({ policy, appliesTo }) => {
    const kind = "validateStack" in policy ? "stack" : "resource";
    return {
      id: `pack:${policy.name}`,
      source: `${POLICY_DIR}/${policy.name}.ts`,
      kind: "pack policy" as const,
      intent: policy.description,
      targets: `${stacks}: ${appliesTo.map(shortType).join(", ")}`,
      enforcement:
        `${policy.enforcementLevel} ${kind} policy${policy.severity ? `, severity ${policy.severity}` : ""} ` +
        "(pulumi preview --policy-pack policies/pack; npm run plan)",
      provingTests: findProvingTests(quoted(policy.name), tests),
    };
  });
}

function budgetControls(org: OrgConfig, tests: readonly TestFile[]): Control[] {
  const b = org["platform:budgets"];
  const accounts = org["platform:accounts"];
  return Object.entries(b.accounts)
    .filter(([, a]) => a.freezeAtPercent !== undefined)
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([key, a]) => ({
      id: `budget:${key}-freeze`,
      source: "org/money.ts",
      kind: "budget action" as const,
      intent:
        `Attaches the ${FREEZE_POLICY_NAME} SCP to account ${key} when its actual monthly spend reaches ` +
        `${a.freezeAtPercent} % of ${a.amount} ${b.currency}, so an overspending account stops until someone ` +
        "with the break-glass role lifts it.",
      targets: `account:${key} (${accounts[key]?.name ?? "unknown"}, OU ${accounts[key]?.ou ?? "?"})`,
      enforcement: "corrective, automatic (AWS Budgets APPLY_SCP_POLICY, approval AUTOMATIC)",
      provingTests: findProvingTests(word(`${key}-freeze`), tests),
    }));
}

/** The first sentence of a JSDoc comment, on one line, without `{@link}` markup. */
export function firstSentence(jsdoc: string): string {
  const text = jsdoc
    .replace(/^\/\*\*|\*\/$/g, "")
    .split("\n")
    .map((l) => l.replace(/^\s*\*\s?/, "").trim())
    .filter((l) => !l.startsWith("@"))
    .join(" ")
    .replace(/\{@link\s+([^}]+)\}/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
  // A full stop ends the sentence when a capital or the end follows: "e.g. tags" does not end it.
  const end = text.search(/\.(?=\s+[A-Z`]|\s*$)/);
  return end >= 0 ? text.slice(0, end + 1) : text;
}

function validatorTargets(source: string): string {
  const project = ENV_PROJECTS.find((p) => source === `lib/config/${p}.ts`);
  if (project)
    return `${ENVIRONMENTS.map((e) => `${project}/${e}`).join(", ")} (platform:${project} in Pulumi.<env>.yaml)`;
  if (source === "lib/config/org.ts") {
    return "org/management (org/Pulumi.management.yaml); every environment stack reads it too";
  }
  if (source === "lib/config/identity.ts") {
    return "org/management (platform:identity in org/Pulumi.management.yaml)";
  }
  if (source === "lib/config/environment.ts") {
    return `${ENV_PROJECTS.join(", ")} in ${ENVIRONMENTS.join(", ")} (platform:environment)`;
  }
  if (source.startsWith("org/guardrails/"))
    return "org/management: the SCP files in policies/scp and platform:guardrails";
  return "see source";
}

/** Exported `validate*`, `crossCheck*` and `check*` functions, with the first sentence of their JSDoc. */
export function findValidators(
  root: string = REPO_ROOT,
): { name: string; source: string; intent: string }[] {
  const files = VALIDATOR_SOURCES.flatMap((s) => {
    const full = path.join(root, s);
    if (!fs.existsSync(full)) return [];
    if (fs.statSync(full).isFile()) return [s];
    return fs
      .readdirSync(full)
      .filter((f) => f.endsWith(".ts"))
      .map((f) => `${s}/${f}`);
  });
  const found: { name: string; source: string; intent: string }[] = [];
  for (const source of files.sort()) {
    const text = fs.readFileSync(path.join(root, source), "utf8");
    const pattern =
      /(\/\*\*(?:(?!\*\/)[\s\S])*\*\/)?\s*export function ((?:validate|crossCheck|check)[A-Z]\w*)\s*[(<]/g;
    for (const m of text.matchAll(pattern)) {
      found.push({
        name: m[2],
        source,
        intent: m[1] ? firstSentence(m[1]) : "(no JSDoc: document what it refuses)",
      });
    }
  }
  return found;
}

function configControls(root: string, tests: readonly TestFile[]): Control[] {
  return findValidators(root).map((v) => ({
    id: `config:${v.name}`,
    source: v.source,
    kind: "config validation" as const,
    intent: v.intent,
    targets: validatorTargets(v.source),
    enforcement: "preventive: throws before any resource is registered, so preview and up stop",
    provingTests: findProvingTests(word(v.name), tests),
  }));
}

/** Every control, in kind order, each kind in the order of its source. */
export function collectControls(root: string = REPO_ROOT): Control[] {
  const org = orgConfig(root);
  const tests = readTestFiles(root);
  return [
    ...scpControls(root, org, tests),
    ...iamControls(root, tests),
    ...packControls(tests),
    ...budgetControls(org, tests),
    ...configControls(root, tests),
  ];
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/**
 * "Who may do what": one row per group and permission set from platform:identity, with what the
 * set carries and the accounts it is assigned in. The README's section of that name holds the same
 * lines (org/test/identity.test.ts compares them).
 */
export function renderAccessTable(org: OrgConfig): string[] {
  const identity = org["platform:identity"];
  const accounts = org["platform:accounts"];
  const every = [MANAGEMENT_KEY, ...Object.keys(accounts)];
  const policiesOf = (name: string) => {
    const ps = identity.permissionSets[name];
    return [
      ...ps.managedPolicies.map((a) => a.replace(/^arn:aws:iam::aws:policy\//, "")),
      ...ps.customerManagedPolicies.map((p) => `${p.path}${p.name} (customer managed)`),
      ...(ps.inlinePolicy ? ["inline policy"] : []),
      ...(ps.readsAuditTrail ? ["the organization trail"] : []),
      ...(ps.permissionsBoundary ? ["permissions boundary"] : []),
    ].join(", ");
  };
  return [
    "| Group | Permission set | Carries | Session | Accounts |",
    "|---|---|---|---|---|",
    ...accessRows(identity, accounts).map((r) => {
      const where =
        r.accounts.length === every.length
          ? `every account (${r.accounts.join(", ")})`
          : r.accounts.join(", ");
      const cells = [
        `\`${r.group}\``,
        `\`${r.permissionSet}\``,
        cell(policiesOf(r.permissionSet)),
        identity.permissionSets[r.permissionSet].sessionDuration,
        where,
      ];
      return `| ${cells.join(" | ")} |`;
    }),
  ];
}
/** A repository path as a link relative to policies/, where CONTROLS.md lives. */
const link = (p: string) => `[${p}](${posix(path.relative("policies", p))})`;

/** policies/CONTROLS.md, from {@link collectControls}. */
export function renderControlMatrix(root: string = REPO_ROOT): string {
  const controls = collectControls(root);
  const access = renderAccessTable(orgConfig(root));
  const plural: Record<ControlKind, string> = {
    SCP: "SCPs",
    "IAM policy": "IAM policies",
    "pack policy": "pack policies",
    "budget action": "budget actions",
    "config validation": "config validations",
  };
  const counts = KIND_ORDER.map(
    (k) => `${controls.filter((c) => c.kind === k).length} ${plural[k]}`,
  ).join(", ");
  const untested = controls.filter((c) => c.provingTests.length === 0);
  const lines = [
    "# Control matrix",
    "",
    "<!-- Generated by `npm run controls` (tooling/controls/generate.ts). Do not edit: tooling/controls/test/controls.test.ts fails when this file differs from the generator's output. -->",
    "",
    `${controls.length} controls: ${counts}. Built from the SCP files and SCP_INTENTS (org/guardrails/catalogue.ts), the platform roles' policies (org/access.ts, org/access-role.ts), the attachments and budgets in`,
    "org/Pulumi.management.yaml, the policy pack in policies/pack, and the exported `validate*` / `crossCheck*` / `check*` functions of",
    "the config modules. *Proving tests* are the test files that name the control; how to read each kind is in [README.md](README.md).",
    'SCPs never apply to the management account; "reaches" lists the member accounts whose chain (root, OUs, account) carries the policy.',
    "So no SCP protects the management account's own resources (the organization trail, the budget alert topic, the budget-action role):",
    "the trail and the topic are `protect: true` in the org stack, and all three change only through that stack, by whoever may administer the management account.",
    "",
    "| Control | Kind | Intent | Source | Targets | Enforcement | Proving tests |",
    "|---|---|---|---|---|---|---|",
    ...controls.map((c) => {
      const tests = c.provingTests.length ? c.provingTests.map(link).join("<br>") : "**none**";
      const cells = [
        `\`${c.id}\``,
        c.kind,
        cell(c.intent),
        link(c.source),
        cell(c.targets),
        cell(c.enforcement),
        tests,
      ];
      return `| ${cells.join(" | ")} |`;
    }),
    "",
    "## Who may do what",
    "",
    "IAM Identity Center assignments from `platform:identity` in org/Pulumi.management.yaml (groups, never individual people;",
    "`pulumi stack output access` in org/ lists the same grants per account with account ids).",
    "",
    ...access,
    "",
    "## Controls without a proving test",
    "",
    ...(untested.length ? untested.map((c) => `- \`${c.id}\` (${c.source})`) : ["None."]),
    "",
  ];
  return lines.join("\n");
}
