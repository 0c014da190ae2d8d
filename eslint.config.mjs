// ESLint over every TypeScript file: typescript-eslint's recommended rules everywhere, and on the
// code `pulumi up` loads (lib/ and the programs, tests excepted) the type-aware rules that catch a
// Pulumi Output, Input or promise turned into a string.
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";
import suite from "./tooling/testing/suite-rules.cjs";

/** The deployed code: what the Pulumi Node.js host loads. */
const DEPLOYED = ["{lib,org,network,workloads,edge}/**/*.ts"];

export default tseslint.config(
  { ignores: ["node_modules/**", ".stryker-tmp/**", "reports/**"] },
  { linterOptions: { reportUnusedDisableDirectives: "error" } },
  {
    files: ["**/*.ts"],
    extends: [tseslint.configs.recommended],
    rules: {
      // `any` marks the untyped boundaries on purpose: the Pulumi mock and policy arguments
      // (typed `any` by @pulumi/pulumi and @pulumi/policy), zod internals, and the JSON copies
      // table-driven tests edit. tsc (strict) checks everything else; rewriting ~140 deliberate
      // uses into `unknown` plus casts would add noise, not safety.
      "@typescript-eslint/no-explicit-any": "off",
      // The project's convention for a binding kept only to leave it out (`{ a: _dropped, ...rest }`)
      // or to fill a required parameter position is a leading underscore.
      "@typescript-eslint/no-unused-vars": [
        "error",
        {
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          caughtErrorsIgnorePattern: "^_",
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    files: DEPLOYED,
    ignores: ["**/test/**"],
    plugins: { "@pulumi": pulumi },
    languageOptions: {
      // A program of the deployed code only (tsconfig.lint.json): the type information these
      // rules need costs a TypeScript program, and the tests and tooling hold no Outputs.
      parserOptions: { project: "./tsconfig.lint.json", tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
      // The Pulumi rules match only the `Output` alias; these also catch a `pulumi.Input<string>`
      // or an `OutputInstance` in a template, after `+`, or in String(...): each renders
      // "Calling [toString] on an [Output<T>] is not supported" into the resource.
      "@typescript-eslint/restrict-template-expressions": "error",
      "@typescript-eslint/restrict-plus-operands": "error",
      "@typescript-eslint/no-base-to-string": "error",
    },
  },
  {
    // Tests that can fail: no expected value taken from the code under test, no loop over a list
    // that may be empty (tooling/testing/suite-rules.cjs documents both heuristics).
    files: ["**/*.test.ts"],
    plugins: { suite },
    rules: {
      "suite/no-expected-from-code": "error",
      "suite/no-unchecked-loop": "error",
    },
  },
);
