/**
 * One ordered deploy through the real Pulumi CLI, driven by the Automation API
 * (@pulumi/pulumi/automation): a LocalWorkspace on each project folder, every stack created or
 * selected with the bootstrap's secrets provider, previewed (environment stacks with the policy
 * pack), confirmed once, then updated in dependency order: org, then network, workloads and edge
 * per environment. The first failure stops the run and says what to do. Nothing is destroyed.
 */
import * as path from "path";
import { LocalWorkspace, PulumiCommand, type OpMap, type Stack } from "@pulumi/pulumi/automation";
import { ENVIRONMENTS, REPO_ROOT } from "../../lib/repo";

export const ENV_PROJECTS = ["network", "workloads", "edge"] as const;
export const ORG_TARGET = { project: "org", stack: "management" } as const;

export interface Target {
  readonly project: string;
  readonly stack: string;
}

/** org first, then each environment's stacks in stack-reference order. */
export function deployOrder(envs: readonly string[], withOrg = true): Target[] {
  return [
    ...(withOrg ? [ORG_TARGET] : []),
    ...envs.flatMap((stack) => ENV_PROJECTS.map((project) => ({ project, stack }))),
  ];
}

export function label(t: Target): string {
  return `${t.project}/${t.stack}`;
}

/** An expected stop: one message, with what to do, printed without a stack trace. */
export class DeployError extends Error {
  constructor(
    message: string,
    /** Where every stack stood when the run stopped. */
    readonly outcomes: StackOutcome[] = [],
  ) {
    super(message);
    this.name = "DeployError";
  }
}

export const INSTALL_HINT =
  "install it with `curl -fsSL https://get.pulumi.com | sh` (or `brew install pulumi/tap/pulumi`; see https://www.pulumi.com/docs/iac/download-install/), make sure `pulumi version` works in this shell, then rerun";

export interface DeployIo {
  readonly out: (text: string) => void;
  /** Asks a yes/no question; resolves false on anything but yes. */
  readonly confirm: (question: string) => Promise<boolean>;
}

export interface DeployOptions {
  readonly environments: readonly string[];
  readonly previewOnly: boolean;
  readonly yes: boolean;
  /** Leave org/management out (CI: an admin deploys org; CI roles cannot). */
  readonly withoutOrg?: boolean;
  /** `awskms://alias/...?region=...` from `npm run bootstrap`. */
  readonly secretsProvider: string;
  readonly root?: string;
  /** Extra environment for the CLI (tests point PULUMI_HOME somewhere harmless). */
  readonly envVars?: Record<string, string>;
}

export interface StackOutcome {
  readonly target: Target;
  readonly preview?: OpMap;
  readonly status: "updated" | "unchanged" | "previewed" | "not reached" | "failed";
}

/** "3 to create, 1 to update" from a preview's change summary; "no changes" when all are same. */
export function describeChanges(changes: OpMap | undefined): string {
  if (!changes) return "no summary";
  const verbs: Record<string, string> = {
    create: "to create",
    update: "to update",
    replace: "to replace",
    delete: "to delete",
    import: "to import",
  };
  const parts = Object.entries(changes)
    .filter(([op, n]) => op !== "same" && op !== "read" && (n ?? 0) > 0)
    .map(([op, n]) => `${n} ${verbs[op] ?? op}`);
  return parts.length ? parts.join(", ") : "no changes";
}

export function hasChanges(changes: OpMap | undefined): boolean {
  // No summary at all (the event log was not read) counts as a change: updating is then safe,
  // skipping might leave org behind.
  if (!changes) return true;
  return Object.entries(changes).some(([op, n]) => op !== "same" && op !== "read" && (n ?? 0) > 0);
}

/** Finds the CLI the Automation API would run; a missing one is a DeployError with the fix. */
export async function pulumiCli(): Promise<PulumiCommand> {
  try {
    return await PulumiCommand.get();
  } catch (err) {
    const text = String((err as Error)?.message ?? err);
    if (/ENOENT|not found|command not found/i.test(text))
      throw new DeployError(
        `the Pulumi CLI is not installed (no \`pulumi\` on PATH): ${INSTALL_HINT}`,
      );
    throw new DeployError(`the Pulumi CLI could not be used: ${firstLines(text)}`);
  }
}

function firstLines(text: string, n = 12): string {
  const lines = text
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() && !/^\s+at /.test(l));
  return lines.slice(-n).join("\n");
}

/** The CLI's own explanation of a failure, without the Automation API's wrapper text. */
function cliError(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  const stderr = e?.stderr ?? "";
  return firstLines(stderr || e?.message || String(err));
}

function whatToDo(t: Target, env: readonly string[]): string {
  const rerun = `npm run deploy -- ${env.map((e) => `--env ${e}`).join(" ")}`;
  if (t.project === "org")
    return `fix the cause (org/Pulumi.management.yaml, or credentials of the management account), then rerun \`${rerun}\``;
  return `fix the cause (Pulumi.${t.stack}.yaml, or the deploy role of ${t.stack}); stacks already updated show no changes when you rerun \`${rerun}\``;
}

export async function deploy(opts: DeployOptions, io: DeployIo): Promise<StackOutcome[]> {
  const unknown = opts.environments.filter((e) => !(ENVIRONMENTS as readonly string[]).includes(e));
  if (unknown.length || opts.environments.length === 0)
    throw new DeployError(
      `--env: got ${unknown.length ? unknown.map((e) => `"${e}"`).join(", ") : "nothing"}; expected ${ENVIRONMENTS.join(", ")} or all`,
    );
  const root = opts.root ?? REPO_ROOT;
  const policyPack = path.join(root, "policies", "pack");
  const cli = await pulumiCli();
  const targets = deployOrder(opts.environments, !opts.withoutOrg);
  const packFor = (t: Target) => (t.project === "org" ? [] : [policyPack]);
  const outcomes = new Map<string, StackOutcome>(
    targets.map((t) => [label(t), { target: t, status: "not reached" as const }]),
  );
  const set = (t: Target, o: Partial<StackOutcome>) =>
    outcomes.set(label(t), { ...outcomes.get(label(t))!, ...o });
  const stop = (message: string) => new DeployError(message, [...outcomes.values()]);

  const stacks = new Map<string, Stack>();
  for (const [i, t] of targets.entries()) {
    io.out(`[${i + 1}/${targets.length}] ${label(t)}: selecting the stack`);
    try {
      stacks.set(
        label(t),
        await LocalWorkspace.createOrSelectStack(
          { stackName: t.stack, workDir: path.join(root, t.project) },
          { pulumiCommand: cli, secretsProvider: opts.secretsProvider, envVars: opts.envVars },
        ),
      );
    } catch (err) {
      throw stop(
        `${label(t)}: the stack could not be created or selected:\n${cliError(err)}\nAre you logged in to the state backend (\`pulumi login s3://...\` from npm run bootstrap)?`,
      );
    }
  }

  // Preview everything first. A stack whose upstream has changes may not preview yet (its stack
  // reference reads outputs the upstream update has still to write); it is previewed again, and
  // confirmed, right before its own update.
  const deferred = new Set<string>();
  let upstreamChanges = false;
  for (const [i, t] of targets.entries()) {
    io.out(
      `[${i + 1}/${targets.length}] ${label(t)}: preview${packFor(t).length ? " with the policy pack" : ""}`,
    );
    try {
      const r = await stacks.get(label(t))!.preview({ policyPacks: packFor(t), color: "never" });
      set(t, { preview: r.changeSummary, status: "previewed" });
      if (hasChanges(r.changeSummary)) upstreamChanges = true;
    } catch (err) {
      if (upstreamChanges && !opts.previewOnly) {
        deferred.add(label(t));
        io.out(
          `    preview waits for the changes upstream; it runs again before this stack's update`,
        );
        continue;
      }
      set(t, { status: "failed" });
      throw stop(
        `${label(t)}: the preview failed, nothing was updated:\n${cliError(err)}\nWhat to do: ${whatToDo(t, opts.environments)}`,
      );
    }
  }

  io.out("\nPreview summary:");
  for (const t of targets) {
    const o = outcomes.get(label(t))!;
    io.out(
      `  ${label(t).padEnd(18)} ${deferred.has(label(t)) ? "previewed after upstream updates" : describeChanges(o.preview)}`,
    );
  }
  if (opts.previewOnly) {
    io.out("\n--preview: nothing was updated.");
    return [...outcomes.values()];
  }
  if (!opts.yes && !(await io.confirm("\nDeploy these changes in this order? (yes/no) "))) {
    io.out("Not confirmed: nothing was updated.");
    return [...outcomes.values()];
  }

  for (const [i, t] of targets.entries()) {
    const step = `[${i + 1}/${targets.length}] ${label(t)}`;
    const o = outcomes.get(label(t))!;
    const stack = stacks.get(label(t))!;
    try {
      if (deferred.has(label(t))) {
        io.out(`${step}: preview${packFor(t).length ? " with the policy pack" : ""}`);
        const r = await stack.preview({ policyPacks: packFor(t), color: "never" });
        set(t, { preview: r.changeSummary });
        io.out(`    ${describeChanges(r.changeSummary)}`);
        if (!opts.yes && !(await io.confirm(`Update ${label(t)}? (yes/no) `))) {
          io.out(`Not confirmed: stopped before ${label(t)}.`);
          return [...outcomes.values()];
        }
      } else if (t.project === "org" && !hasChanges(o.preview)) {
        io.out(`${step}: no changes, not updated`);
        set(t, { status: "unchanged" });
        continue;
      }
      io.out(`${step}: updating`);
      await stack.up({
        policyPacks: packFor(t),
        color: "never",
        onOutput: (text) => io.out(text.replace(/\n$/, "").replace(/^/gm, "    ")),
      });
      set(t, { status: "updated" });
      io.out(`${step}: updated`);
    } catch (err) {
      set(t, { status: "failed" });
      const rest = targets.slice(i + 1).map(label);
      throw stop(
        `${label(t)} failed:\n${cliError(err)}\n${rest.length ? `Not updated: ${rest.join(", ")}.\n` : ""}What to do: ${whatToDo(t, opts.environments)}`,
      );
    }
  }
  io.out("\nDeploy complete.");
  return [...outcomes.values()];
}

/** A Markdown table of the outcomes, for a CI job summary. */
export function markdownSummary(outcomes: readonly StackOutcome[], title: string): string {
  const rows = outcomes.map(
    (o) => `| \`${label(o.target)}\` | ${describeChanges(o.preview)} | ${o.status} |`,
  );
  return [`### ${title}`, "", "| stack | preview | result |", "|---|---|---|", ...rows, ""].join(
    "\n",
  );
}
