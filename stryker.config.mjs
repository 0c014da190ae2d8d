// Mutation testing (npm run mutation): Stryker over the modules that carry security, money and
// data rules, one group at a time. The groups, the files each mutates and the tests that exercise
// them live in tooling/mutation/groups.json; tooling/mutation/run.ts picks a group through
// MUTATION_GROUP. Not part of npm test: a group takes minutes, the unit suite seconds.
import { readFileSync, writeFileSync } from "node:fs";

const groups = JSON.parse(readFileSync(new URL("./tooling/mutation/groups.json", import.meta.url)));
const name = process.env.MUTATION_GROUP ?? "proxy-checks";
const group = groups[name];
if (!group || name.startsWith("$")) {
  const known = Object.keys(groups).filter((key) => !key.startsWith("$"));
  throw new Error(`MUTATION_GROUP: got "${name}"; expected one of ${known.join(", ")}`);
}

// The type checker's program: the group's files and its tests, and what they import, instead of the
// whole repository. A mutant is checked by rebuilding the program around it (the checker's
// solution builder), which over all ~400 files took ~10 s a mutant and left the test runner idle;
// a mutant that breaks only a file outside this program cannot change what the group's tests see.
const tsconfigFile = `tsconfig.mutation-${name}.json`;
writeFileSync(
  new URL(`./${tsconfigFile}`, import.meta.url),
  JSON.stringify(
    {
      $comment: "Written by stryker.config.mjs for one mutation group; not checked in.",
      extends: "./tsconfig.json",
      include: [...group.mutate.filter((p) => !p.startsWith("!")), ...group.spec],
    },
    null,
    2,
  ) + "\n",
);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "mocha",
  // The repository's own mocha settings (ts-node transpile-only, timeout); only the spec differs.
  mochaOptions: { config: ".mocharc.json", spec: group.spec },
  checkers: ["typescript"],
  tsconfigFile,
  // Type-check only the files a mutant touches (and what depends on them), not the whole program.
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: group.mutate,
  // Each mutant runs only the tests that cover it; a group whose code runs inside the shared,
  // cached repository plan (the first test to await it gets all of its coverage) says "all".
  coverageAnalysis: group.coverageAnalysis ?? "perTest",
  // With a checker, Stryker gives ceil(n/2) of the slots to checkers and the rest to test runners,
  // and hands the checkers' slots to runners once every mutant is checked. The checker is the
  // slower half (a program rebuild per mutant against a test run of a second or less), so on two
  // cores 3 means two checkers and one runner, then three runners.
  concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 3),
  timeoutMS: 20000,
  // The sandbox is a copy of the worktree (policies/scp JSON, Pulumi.*.yaml, fixtures included);
  // node_modules is linked, not copied, and reports, plan output and earlier sandboxes stay out.
  symlinkNodeModules: true,
  tempDirName: ".stryker-tmp",
  ignorePatterns: [".stryker-tmp", "reports", ".plan", "report", "*.log"],
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  thresholds: { high: 90, low: 80, break: null },
};
