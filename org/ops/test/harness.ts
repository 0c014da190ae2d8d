/**
 * Runs the ops tool the way `npm run ops` does, against a FakeAws, with a fixed clock, no real
 * waiting and captured output.
 */
import { runOps } from "../commands";
import { ExpectedState, loadExpectedState } from "../expected";
import { deployedState, FakeAws, FakeOptions, FakeState } from "./fake-aws";

/** The repository's own org config and SCP files, loaded once for every test. */
let cached: ExpectedState | undefined;
export function repositoryExpected(): ExpectedState {
  cached ??= loadExpectedState();
  return cached;
}

export const NOW = new Date("2026-03-14T09:30:00.000Z");

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Every backoff or poll delay the tool asked for, in ms. */
  readonly sleeps: readonly number[];
}

export interface RunOptions {
  readonly isTTY?: boolean;
  readonly expected?: ExpectedState;
}

export async function run(
  fake: FakeAws,
  argv: string[],
  opts: RunOptions = {},
): Promise<RunResult> {
  const out: string[] = [];
  const err: string[] = [];
  const sleeps: number[] = [];
  fake.activate();
  const code = await runOps(argv, {
    awsClients: () => fake.clients,
    loadExpected: () => opts.expected ?? repositoryExpected(),
    now: () => NOW,
    isTTY: opts.isTTY ?? true,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    retry: { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
    pollIntervalMs: 5000,
    pollAttempts: 5,
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n"), sleeps };
}

/** A fake of the deployed organization; `frozen` account keys have had their freeze action fire. */
export function fakeOrg(
  opts: { frozen?: string[]; edit?: (s: FakeState) => void } & FakeOptions = {},
): FakeAws {
  const state = deployedState(repositoryExpected(), { frozen: opts.frozen });
  opts.edit?.(state);
  return new FakeAws(state, opts);
}
