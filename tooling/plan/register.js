"use strict";
/**
 * `node -r ./tooling/plan/register.js x.ts`: loads TypeScript by stripping its types with esbuild,
 * as `ts-node --transpile-only` would, but in esbuild's native transformer instead of the
 * TypeScript compiler, which spent more time compiling the repository than the plan spent planning.
 * Types are checked by `tsc --noEmit` in CI, never here. Plain JavaScript (kept CommonJS) so it
 * needs no loader of its own.
 */
const fs = require("fs");
const esbuild = require("esbuild");

/** What tsconfig.json says about emit, in the form esbuild reads (target ES2022 defines class fields). */
const TSCONFIG = {
  compilerOptions: { target: "ES2022", useDefineForClassFields: true, esModuleInterop: true },
};

function transpile(source, filename) {
  return esbuild.transformSync(source, {
    loader: "ts",
    format: "cjs",
    target: "node20",
    sourcefile: filename,
    tsconfigRaw: TSCONFIG,
  }).code;
}

if (!require.extensions[".ts"]) {
  require.extensions[".ts"] = (module, filename) => {
    module._compile(transpile(fs.readFileSync(filename, "utf8"), filename), filename);
  };
}

module.exports = { transpile };
