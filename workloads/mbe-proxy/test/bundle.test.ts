/**
 * The packaging contract: esbuild turns the handler's modules into one CommonJS file that runs as
 * Lambda runs it (a fresh process, no node_modules, no AWS SDK), and the same source always gives
 * the same bytes, so the plan shows a code change only when the code changed.
 */
import * as assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { bundleEntry, bundleHandler } from "../package";
import { startFakeOpenems } from "./fake-openems";

const LAMBDA_ENV = {
  OPENEMS_B2B_URL: "http://10.10.1.23:8082/jsonrpc",
  ALLOWED_METHODS: "getEdgesStatus,edgeRpc/getEdgeConfig",
  OPENEMS_CREDENTIALS_SECRET_ARN: "arn:aws:secretsmanager:eu-central-1:111122223333:secret:x-AbC",
};

const execFileAsync = promisify(execFile);
const REQUEST_ID = "3f2a9c1e-8b7d-4e6f-a5b4-c3d2e1f0a9b8";

describe("mbe-proxy bundle", function () {
  this.timeout(20_000);
  let dir: string;
  let outFile: string;

  before(() => {
    // What the Pulumi program does at deploy time, into a folder with no node_modules above it.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mbe-proxy-bundle-"));
    outFile = path.join(dir, bundleEntry.outputFile);
    fs.writeFileSync(outFile, bundleHandler().code);
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function node(script: string, env: Record<string, string>) {
    return spawnSync(process.execPath, ["-e", script], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", ...env },
      encoding: "utf8",
      timeout: 10_000,
    });
  }

  it("bundles only the proxy's own modules and the OpenEMS catalogue", () => {
    const { inputs } = bundleHandler();
    assert.ok(inputs.includes("workloads/mbe-proxy/handler.ts"));
    assert.ok(inputs.includes("lib/openems/b2b-methods.ts"));
    assert.ok(inputs.length > 5, `only ${inputs.length} modules: the split did not happen`);
    for (const input of inputs) {
      assert.match(input, /^(workloads\/mbe-proxy\/[a-z-]+\.ts|lib\/openems\/[a-z0-9-]+\.ts)$/);
    }
  });

  it("requires nothing but node: built-ins and the runtime's AWS SDK", () => {
    const required = [...bundleHandler().code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    assert.ok(required.length > 0);
    for (const r of required) {
      assert.ok(r.startsWith("node:") || r === "@aws-sdk/client-secrets-manager", r);
    }
  });

  it("is readable CommonJS without a source map, absolute paths or a build time", () => {
    const { code } = bundleHandler();
    assert.match(code, /^"use strict";/);
    assert.match(code, /\/\/ workloads\/mbe-proxy\/request\.ts\n/);
    assert.doesNotMatch(code, /sourceMappingURL/);
    assert.ok(!code.includes(path.resolve(__dirname, "..", "..", "..")), "an absolute path");
    assert.ok(code.split("\n").length > 500, "minified");
  });

  it("gives the same bytes from a fresh build in another process", () => {
    const script = `process.stdout.write(require("./workloads/mbe-proxy/package").bundleHandler().sha256)`;
    const root = path.resolve(__dirname, "..", "..", "..");
    const other = spawnSync(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", "-e", script],
      { cwd: root, encoding: "utf8", timeout: 15_000 },
    );
    assert.equal(other.status, 0, other.stderr);
    assert.match(other.stdout, /^[0-9a-f]{64}$/);
    assert.equal(other.stdout, bundleHandler().sha256);
  });

  it("runs in a fresh process without the AWS SDK and proxies a request", async () => {
    const server = await startFakeOpenems({ username: "bundle", password: "bundle-pass-1" });
    try {
      // The child builds the handler from the bundle and calls it once, as Lambda would.
      const script = `
        const m = require(${JSON.stringify(outFile)});
        const h = m.createHandler({
          upstreamUrl: ${JSON.stringify(server.url)},
          allowedMethods: ["getEdgesStatus"],
          maxBodyBytes: 1024,
          upstreamTimeoutMs: 2000,
          secretSource: { getSecretString: async () => '{"username":"bundle","password":"bundle-pass-1"}' },
          log: () => undefined,
        });
        h({
          requestContext: { http: { method: "POST" } },
          body: JSON.stringify({ jsonrpc: "2.0", id: ${JSON.stringify(REQUEST_ID)}, method: "getEdgesStatus", params: { edgeIds: ["edge0"] } }),
        }).then(async (res) => {
          h.close();
          let sdk = "loaded";
          try { await m.createSecretsManagerSource(${JSON.stringify(LAMBDA_ENV.OPENEMS_CREDENTIALS_SECRET_ARN)}).getSecretString(); }
          catch (e) { sdk = e.message; }
          process.stdout.write(JSON.stringify({ type: typeof m.handler, res, sdk }));
        });`;
      // Asynchronously: the stand-in answers from this process's event loop.
      const { stdout } = await execFileAsync(process.execPath, ["-e", script], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? "" },
        encoding: "utf8",
        timeout: 10_000,
      });
      const out = JSON.parse(stdout);
      assert.equal(out.type, "function");
      assert.equal(out.res.statusCode, 200, out.res.body);
      assert.deepEqual(JSON.parse(out.res.body), {
        jsonrpc: "2.0",
        id: REQUEST_ID,
        result: { edge0: { online: true } },
      });
      assert.equal(server.requests.length, 1);
      assert.match(
        out.sdk,
        /^cannot load @aws-sdk\/client-secrets-manager: the Lambda Node\.js runtime provides it/,
      );
    } finally {
      await server.close();
    }
  });

  it("builds the handler at Lambda init from a valid environment, without loading the SDK", () => {
    const result = node(
      `const m = require(${JSON.stringify(outFile)}); if (typeof m.handler !== "function") process.exit(3);`,
      { AWS_LAMBDA_FUNCTION_NAME: "dev-mbe-proxy", ...LAMBDA_ENV },
    );
    assert.equal(result.status, 0, result.stderr);
  });

  const coldStarts: Array<[string, Record<string, string>, RegExp]> = [
    [
      "a bad number",
      { UPSTREAM_TIMEOUT_MS: "ten" },
      /UPSTREAM_TIMEOUT_MS must be an integer from 1 to 900000; got "ten"/,
    ],
    [
      "a bare edgeRpc",
      { ALLOWED_METHODS: "edgeRpc" },
      /ALLOWED_METHODS: got "edgeRpc"; a bare edgeRpc/,
    ],
  ];
  for (const [name, change, message] of coldStarts) {
    it(`fails the Lambda cold start with an error naming the variable (${name})`, () => {
      const result = node(`require(${JSON.stringify(outFile)})`, {
        AWS_LAMBDA_FUNCTION_NAME: "dev-mbe-proxy",
        ...LAMBDA_ENV,
        ...change,
      });
      assert.notEqual(result.status, 0);
      assert.match(result.stderr, message);
    });
  }
});
