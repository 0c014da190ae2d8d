import * as assert from "assert";
import { repositoryPlan, stackOf } from "../harness";

type Stryker = { __stryker__?: { activeMutant?: unknown } };

/** Runs `body` as Stryker runs a test under a mutant: `__stryker__.activeMutant` set. */
async function underMutant<T>(id: string, body: () => Promise<T>): Promise<T> {
  const g = globalThis as Stryker;
  const saved = g.__stryker__;
  g.__stryker__ = { ...saved, activeMutant: id };
  try {
    return await body();
  } finally {
    if (saved === undefined) delete g.__stryker__;
    else g.__stryker__ = saved;
  }
}

describe("test harness: the repository plan under a mutant", () => {
  it("a stack planned alone with its chain is the same plan as in the whole repository plan", async () => {
    const whole = await repositoryPlan();
    const org = await underMutant("harness-1", () => stackOf("org", "management"));
    const stage = await underMutant("harness-2", () => stackOf("network", "stage"));
    const edgeProd = await underMutant("harness-3", () => stackOf("edge", "prod"));
    for (const plan of [org, stage, edgeProd]) {
      const same = whole.find((p) => p.project === plan.project && p.stack === plan.stack);
      assert.ok(same, `${plan.project}/${plan.stack} missing from the whole plan`);
      // Not the cached object of the whole plan: planned again under the mutant.
      assert.notStrictEqual(plan, same);
      assert.deepStrictEqual(plan, same);
    }
  });

  it("plans again when the mutant changes, and not while it stays", async () => {
    const first = await underMutant("harness-4", () => stackOf("org", "management"));
    const again = await underMutant("harness-4", () => stackOf("org", "management"));
    const next = await underMutant("harness-5", () => stackOf("org", "management"));
    assert.strictEqual(again, first);
    assert.notStrictEqual(next, first);
  });

  it("keeps the plain suite's plan: a mutant's plans never replace it", async () => {
    const before = await repositoryPlan();
    await underMutant("harness-6", () => stackOf("workloads", "dev"));
    assert.strictEqual(await repositoryPlan(), before);
  });
});
