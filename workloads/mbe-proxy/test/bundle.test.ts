/**
 * The packaging contract: handler.ts is one self-contained file that `ts.transpileModule` turns
 * into a working Lambda without a bundler, and that loads where the AWS SDK is absent.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import { bundleEntry } from "../handler";
import { transpileHandler } from "../package";
import { startFakeOpenems } from "./fake-openems";

const SOURCE = path.join(__dirname, "..", bundleEntry.sourceFile);

const LAMBDA_ENV = {
  OPENEMS_B2B_URL: "http://10.10.1.23:8082/jsonrpc",
  ALLOWED_METHODS: "getEdgesStatus",
  OPENEMS_CREDENTIALS_SECRET_ARN: "arn:aws:secretsmanager:eu-central-1:111122223333:secret:x-AbC",
};

describe("mbe-proxy bundle", () => {
  let dir: string;
  let outFile: string;

  before(() => {
    // What the Pulumi program does at deploy time, into a folder with no node_modules above it.
    const code = transpileHandler();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mbe-proxy-bundle-"));
    outFile = path.join(dir, bundleEntry.outputFile);
    fs.writeFileSync(outFile, code);
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("is one file importing only node: built-ins, and requiring only the runtime's SDK", () => {
    const info = ts.preProcessFile(fs.readFileSync(SOURCE, "utf8"), true, true);
    const specifiers = info.importedFiles.map((f) => f.fileName);
    assert.ok(specifiers.length > 0);
    for (const s of specifiers) {
      assert.ok(
        s.startsWith("node:") || s === "@aws-sdk/client-secrets-manager",
        `handler.ts must stay self-contained; it imports ${JSON.stringify(s)}`,
      );
    }
    assert.deepEqual(bundleEntry.external, ["@aws-sdk/*"]);
    assert.equal(bundleEntry.handler, `${path.basename(bundleEntry.outputFile, ".js")}.handler`);
  });

  it("transpiles to a module that loads without the AWS SDK and proxies a request", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(outFile) as typeof import("../handler");
    assert.equal(typeof mod.handler, "function");
    const server = await startFakeOpenems({ username: "bundle", password: "bundle-pass" });
    let handler: ReturnType<typeof mod.createHandler> | undefined;
    try {
      handler = mod.createHandler({
        upstreamUrl: server.url,
        allowedMethods: ["getEdgesStatus"],
        maxBodyBytes: 1024,
        upstreamTimeoutMs: 1_000,
        secretSource: {
          getSecretString: async () => '{"username":"bundle","password":"bundle-pass"}',
        },
        log: () => undefined,
      });
      const res = await handler({
        requestContext: { http: { method: "POST" } },
        body: '{"jsonrpc":"2.0","id":"b-1","method":"getEdgesStatus","params":{}}',
      });
      assert.equal(res.statusCode, 200);
      assert.equal(JSON.parse(res.body).id, "b-1");
    } finally {
      handler?.close();
      await server.close();
    }
    await assert.rejects(
      mod.createSecretsManagerSource(LAMBDA_ENV.OPENEMS_CREDENTIALS_SECRET_ARN).getSecretString(),
      new RegExp(
        "cannot load @aws-sdk/client-secrets-manager: the Lambda Node.js runtime provides it; " +
          "package this handler with @aws-sdk/\\* external",
      ),
    );
  });

  function initInLambda(env: Record<string, string>): { status: number | null; stderr: string } {
    const script = `const m = require(${JSON.stringify(outFile)});
      if (typeof m.handler !== "function") process.exit(3);`;
    const result = spawnSync(process.execPath, ["-e", script], {
      env: { PATH: process.env.PATH ?? "", AWS_LAMBDA_FUNCTION_NAME: "dev-mbe-proxy", ...env },
      encoding: "utf8",
      timeout: 10_000,
    });
    return { status: result.status, stderr: result.stderr };
  }

  it("builds the handler at Lambda init from a valid environment, without loading the SDK", () => {
    const { status, stderr } = initInLambda(LAMBDA_ENV);
    assert.equal(status, 0, stderr);
  });

  it("fails the Lambda cold start with an error naming a bad variable", () => {
    const { status, stderr } = initInLambda({ ...LAMBDA_ENV, UPSTREAM_TIMEOUT_MS: "ten" });
    assert.notEqual(status, 0);
    assert.match(stderr, /UPSTREAM_TIMEOUT_MS must be an integer from 1 to 900000; got "ten"/);
  });
});
