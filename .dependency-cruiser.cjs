// The import rules of the layout (README, "Layout"), checked by `npm run deps`:
//   - a program (org/, network/, workloads/, edge/) loads only its own folder and lib/;
//   - lib/ loads no program and no tooling;
//   - the policy pack (policies/pack/) loads only lib/ and itself;
//   - tooling/ may load anything, except that the cost model reads programs through the plan only;
//   - tests may also load tooling/ (the test toolkit, the plan engine), but never another program's
//     code outside its tests;
//   - clients/ (the MBE client) loads only itself;
//   - nothing is circular.
// Type-only imports count: a type borrowed from another program is still a dependency on it.

/** A test or a test helper: anything under a `test/` folder. */
const TEST = "(^|/)test/";
const PROGRAM = "^(org|network|workloads|edge)/";
/** Every top-level folder of the repository's own code. */
const OWN_CODE = "^(lib|tooling|org|network|workloads|edge|policies|clients)/";

/** @type {import("dependency-cruiser").IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "program-loads-only-itself-and-lib",
      comment:
        "A program (org/, network/, workloads/, edge/) loads only its own folder and lib/: what two programs share belongs in lib/, what they exchange goes through a stack output declared in lib/contracts.ts.",
      severity: "error",
      from: { path: PROGRAM, pathNot: TEST },
      to: { path: OWN_CODE, pathNot: ["^$1/", "^lib/"] },
    },
    {
      name: "lib-loads-no-program-or-tooling",
      comment:
        "lib/ is what `pulumi up` loads: it may not depend on a program, the policy pack or tooling (the dependency runs the other way).",
      severity: "error",
      from: { path: "^lib/", pathNot: TEST },
      to: { path: OWN_CODE, pathNot: "^lib/" },
    },
    {
      name: "pack-loads-only-itself-and-lib",
      comment:
        "The policy pack is loaded by the Pulumi engine from policies/pack/: it may use lib/ and itself only.",
      severity: "error",
      from: { path: "^policies/pack/", pathNot: TEST },
      to: { path: OWN_CODE, pathNot: ["^policies/pack/", "^lib/"] },
    },
    {
      name: "client-loads-only-itself",
      comment:
        "clients/ is copied into MBE's own code base: it may load npm packages and itself, nothing of the platform.",
      severity: "error",
      from: { path: "^clients/", pathNot: TEST },
      to: { path: OWN_CODE, pathNot: "^clients/" },
    },
    {
      name: "tests-load-no-other-program",
      comment:
        "Tests may use the test toolkit and the rest of tooling/, but not another program's code: a program's behaviour is tested through its own folder or through the plan.",
      severity: "error",
      from: { path: `${PROGRAM.slice(0, -1)}.*${TEST}` },
      to: { path: PROGRAM, pathNot: ["^$1/", TEST] },
    },
    {
      name: "library-and-pack-tests-load-no-program",
      comment:
        "Tests of lib/ and of the policy pack may use tooling/ (the plan engine plans the programs), but not a program's code directly.",
      severity: "error",
      from: { path: `^(lib|policies)/.*${TEST}` },
      to: { path: PROGRAM, pathNot: TEST },
    },
    {
      name: "cost-model-reads-programs-through-the-plan",
      comment:
        "The cost model prices a plan: budgets come from the org stack's planned outputs (declared in lib/contracts.ts), not from org code, so it prices what would be deployed.",
      severity: "error",
      from: { path: "^tooling/cost/", pathNot: TEST },
      to: { path: PROGRAM },
    },
    {
      name: "no-circular",
      comment:
        "Modules that import each other, directly or through others, cannot be understood or moved apart.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^node_modules/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js", ".json"] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
