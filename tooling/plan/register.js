"use strict";
/**
 * `node -r ./tooling/plan/register.js x.ts`: loads TypeScript by stripping its types with esbuild,
 * as `ts-node --transpile-only` would, but in esbuild's native transformer instead of the
 * TypeScript compiler, which spent more time compiling the repository than the plan spent planning.
 * Types are checked by `tsc --noEmit` in CI, never here. Plain JavaScript (kept CommonJS) so it
 * needs no loader of its own.
 */
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

/** Transpiled files by hash of source and settings: a warm run never starts esbuild's service. */
const CACHE_DIR = path.join(__dirname, "..", "..", "node_modules", ".cache", "plan-ts");

/** What tsconfig.json says about emit, in the form esbuild reads (target ES2022 defines class fields). */
const TSCONFIG = {
  compilerOptions: { target: "ES2022", useDefineForClassFields: true, esModuleInterop: true },
};

function transpile(source, filename) {
  const esbuild = require("esbuild");
  return esbuild.transformSync(source, {
    loader: "ts",
    format: "cjs",
    target: "node20",
    sourcefile: filename,
    tsconfigRaw: TSCONFIG,
    // `import()` becomes `require`, as tsc emits it for CommonJS: the hook serves require only.
    supported: { "dynamic-import": false },
  }).code;
}

function cached(source, filename) {
  const version = require("esbuild/package.json").version;
  const key = crypto
    .createHash("sha256")
    .update(JSON.stringify([version, TSCONFIG, source]))
    .digest("hex");
  const file = path.join(CACHE_DIR, `${key}.js`);
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    const code = transpile(source, filename);
    try {
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, code);
      fs.renameSync(tmp, file);
    } catch {
      // A read-only tree still runs, uncached.
    }
    return code;
  }
}

if (!require.extensions[".ts"]) {
  require.extensions[".ts"] = (module, filename) => {
    module._compile(cached(fs.readFileSync(filename, "utf8"), filename), filename);
  };
}

module.exports = { transpile, cached, CACHE_DIR };
