import * as crypto from "node:crypto";
import * as path from "node:path";
import * as esbuild from "esbuild";

/** What the Pulumi program needs to package and wire the handler. */
export const bundleEntry = {
  /** The bundle's entry, relative to this folder; its relative imports are bundled in. */
  sourceFile: "handler.ts",
  /** The one file in the Lambda's archive. */
  outputFile: "handler.js",
  /** Lambda `handler` setting: `<file without extension>.<export>`. */
  handler: "handler.handler",
  /** Provided by the Lambda runtime: the bundle leaves these external, never inlines them. */
  external: ["@aws-sdk/*"],
  /** The Lambda runtime, and the matching esbuild target. */
  runtime: "nodejs24.x",
  target: "node24",
} as const;

/** The repository root: esbuild names bundled modules relative to it in its comments. */
const ROOT = path.resolve(__dirname, "..", "..");

export interface HandlerBundle {
  /** The bundle's JavaScript: CommonJS, not minified, no source map. */
  readonly code: string;
  readonly sha256: string;
  /** Source files in the bundle, relative to the repository root, sorted. */
  readonly inputs: readonly string[];
}

let cached: HandlerBundle | undefined;

/**
 * Bundles the handler's modules into one CommonJS file with esbuild. Runs when the Pulumi program
 * does (once per process), so the deployed code is always the repository's source. The same
 * source gives the same bytes wherever the repository sits: module comments name paths relative
 * to the repository root and nothing else (time, absolute paths) goes into the output.
 */
export function bundleHandler(): HandlerBundle {
  if (cached) return cached;
  const result = esbuild.buildSync({
    absWorkingDir: ROOT,
    entryPoints: [path.join(__dirname, bundleEntry.sourceFile)],
    bundle: true,
    write: false,
    platform: "node",
    format: "cjs",
    target: bundleEntry.target,
    external: [...bundleEntry.external],
    minify: false,
    sourcemap: false,
    legalComments: "none",
    charset: "utf8",
    metafile: true,
    logLevel: "silent",
  });
  const problems = [...result.errors, ...result.warnings];
  if (problems.length > 0 || result.outputFiles.length !== 1) {
    const text = problems.map((m) => `${m.location?.file ?? "?"}: ${m.text}`).join("; ");
    throw new Error(`workloads/mbe-proxy does not bundle: ${text || "unexpected outputs"}`);
  }
  const code = result.outputFiles[0].text;
  cached = {
    code,
    sha256: crypto.createHash("sha256").update(code).digest("hex"),
    inputs: Object.keys(result.metafile.inputs).sort(),
  };
  return cached;
}
