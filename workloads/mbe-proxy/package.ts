import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { bundleEntry } from "./handler";

/**
 * The handler as Lambda runs it: `handler.ts` transpiled to CommonJS, nothing bundled (it imports
 * only node: built-ins and the runtime's own AWS SDK). Runs at every `pulumi up`, so the deployed
 * code is always the repository's source.
 */
export function transpileHandler(): string {
  const out = ts.transpileModule(
    fs.readFileSync(path.join(__dirname, bundleEntry.sourceFile), "utf8"),
    {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
      fileName: bundleEntry.sourceFile,
      reportDiagnostics: true,
    },
  );
  if (out.diagnostics?.length) {
    const text = out.diagnostics
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))
      .join("; ");
    throw new Error(`workloads/mbe-proxy/${bundleEntry.sourceFile} does not transpile: ${text}`);
  }
  return out.outputText;
}
