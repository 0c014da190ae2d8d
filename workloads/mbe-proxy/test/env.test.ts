import * as assert from "node:assert/strict";
import {
  createHandlerFromEnv,
  createSecretsManagerSource,
  loadProxyConfigFromEnv,
  SecretsManagerModule,
} from "../handler";
import { startFakeOpenems } from "./fake-openems";

const ARN = "arn:aws:secretsmanager:eu-central-1:111122223333:secret:dev/openems/b2b-AbCdEf";

const VALID: Record<string, string> = {
  OPENEMS_B2B_URL: "http://10.10.1.23:8082/jsonrpc",
  ALLOWED_METHODS: "getEdgesStatus, edgeRpc/queryHistoricTimeseriesEnergy",
  OPENEMS_CREDENTIALS_SECRET_ARN: ARN,
};

describe("loadProxyConfigFromEnv", () => {
  it("reads a valid environment and applies the documented defaults", () => {
    assert.deepEqual(loadProxyConfigFromEnv(VALID), {
      upstreamUrl: "http://10.10.1.23:8082/jsonrpc",
      allowedMethods: ["getEdgesStatus", "edgeRpc/queryHistoricTimeseriesEnergy"],
      secretArn: ARN,
      maxBodyBytes: 262_144,
      upstreamTimeoutMs: 10_000,
      credentialsTtlMs: 300_000,
    });
  });

  it("reads the optional numbers when set", () => {
    const config = loadProxyConfigFromEnv({
      ...VALID,
      MAX_BODY_BYTES: "1024",
      UPSTREAM_TIMEOUT_MS: "2500",
      CREDENTIALS_CACHE_TTL_MS: "0",
    });
    assert.equal(config.maxBodyBytes, 1024);
    assert.equal(config.upstreamTimeoutMs, 2500);
    assert.equal(config.credentialsTtlMs, 0);
  });

  const bad: Array<[string, Record<string, string | undefined>, RegExp]> = [
    [
      "a missing URL",
      { OPENEMS_B2B_URL: undefined },
      /: OPENEMS_B2B_URL is required and was not set$/,
    ],
    [
      "an empty allowlist",
      { ALLOWED_METHODS: " " },
      /: ALLOWED_METHODS is required and was empty$/,
    ],
    [
      "a missing secret ARN",
      { OPENEMS_CREDENTIALS_SECRET_ARN: undefined },
      /OPENEMS_CREDENTIALS_SECRET_ARN is required/,
    ],
    [
      "a URL without a scheme",
      { OPENEMS_B2B_URL: "10.0.0.1:8082" },
      /OPENEMS_B2B_URL must be an absolute http:\/\/ or https:\/\/ URL; got "10.0.0.1:8082"/,
    ],
    [
      "a non-URL",
      { OPENEMS_B2B_URL: "not a url" },
      /OPENEMS_B2B_URL must be an absolute http:\/\/ or https:\/\/ URL; got "not a url"/,
    ],
    [
      "an ftp URL",
      { OPENEMS_B2B_URL: "ftp://10.0.0.1/jsonrpc" },
      /OPENEMS_B2B_URL must use http:\/\/ or https:\/\/; got "ftp:/,
    ],
    [
      "the wrong path",
      { OPENEMS_B2B_URL: "http://10.0.0.1:8082/rest" },
      /ending in \/jsonrpc .*got "http:\/\/10.0.0.1:8082\/rest"/,
    ],
    [
      "an empty method",
      { ALLOWED_METHODS: "getEdgesStatus,,x" },
      /ALLOWED_METHODS: got ""; not a read method of the OpenEMS 2026\.1\.0 B2B API; expected one of /,
    ],
    [
      "a bare edgeRpc",
      { ALLOWED_METHODS: "edgeRpc" },
      /ALLOWED_METHODS: got "edgeRpc"; a bare edgeRpc would let through every Edge method/,
    ],
    [
      "a secret name instead of an ARN",
      { OPENEMS_CREDENTIALS_SECRET_ARN: "dev/openems" },
      /OPENEMS_CREDENTIALS_SECRET_ARN must be a Secrets Manager secret ARN .*got "dev\/openems"/,
    ],
    [
      "an SSM ARN",
      { OPENEMS_CREDENTIALS_SECRET_ARN: "arn:aws:ssm:eu-central-1:111122223333:parameter/x" },
      /got "arn:aws:ssm/,
    ],
    [
      "a unit on the timeout",
      { UPSTREAM_TIMEOUT_MS: "10s" },
      /UPSTREAM_TIMEOUT_MS must be an integer from 1 to 900000; got "10s"/,
    ],
    [
      "a zero body limit",
      { MAX_BODY_BYTES: "0" },
      /MAX_BODY_BYTES must be an integer from 1 to 6291456; got "0"/,
    ],
    [
      "a body limit over the Function URL maximum",
      { MAX_BODY_BYTES: "7000000" },
      /MAX_BODY_BYTES .* got "7000000"/,
    ],
    [
      "a negative TTL",
      { CREDENTIALS_CACHE_TTL_MS: "-1" },
      /CREDENTIALS_CACHE_TTL_MS must be an integer from 0 to 86400000; got "-1"/,
    ],
    ["an exponent", { UPSTREAM_TIMEOUT_MS: "1e4" }, /UPSTREAM_TIMEOUT_MS .* got "1e4"/],
    [
      "a bare historic query, which OpenEMS serves only inside edgeRpc",
      { ALLOWED_METHODS: "getEdgesStatus,queryHistoricTimeseriesEnergy" },
      /ALLOWED_METHODS: got "queryHistoricTimeseriesEnergy"; OpenEMS 2026\.1\.0 serves it only inside edgeRpc/,
    ],
  ];
  for (const [name, change, message] of bad) {
    it(`rejects ${name}, naming the variable and the value`, () => {
      assert.throws(() => loadProxyConfigFromEnv({ ...VALID, ...change }), message);
    });
  }

  it("never echoes a URL that carries credentials", () => {
    const env = { ...VALID, OPENEMS_B2B_URL: "http://admin:Hunter2pass@10.0.0.1:8082/jsonrpc" };
    assert.throws(
      () => loadProxyConfigFromEnv(env),
      (err: Error) =>
        /OPENEMS_B2B_URL must not carry credentials/.test(err.message) &&
        !err.message.includes("Hunter2pass"),
    );
  });
});

describe("createHandlerFromEnv", () => {
  it("builds a working handler from the environment, secret source overridden", async () => {
    const server = await startFakeOpenems({ username: "u-env", password: "p-env-123" });
    let handler: ReturnType<typeof createHandlerFromEnv> | undefined;
    try {
      handler = createHandlerFromEnv(
        { ...VALID, OPENEMS_B2B_URL: server.url },
        {
          secretSource: {
            getSecretString: async () =>
              JSON.stringify({ username: "u-env", password: "p-env-123" }),
          },
          log: () => undefined,
        },
      );
      const res = await handler({
        requestContext: { http: { method: "POST" } },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: "5d0c1c52-7a55-4c1e-9a43-1e7f3c1b2a10",
          method: "getEdgesStatus",
          params: { edgeIds: ["edge0"] },
        }),
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(JSON.parse(res.body).id, "5d0c1c52-7a55-4c1e-9a43-1e7f3c1b2a10");
    } finally {
      handler?.close();
      await server.close();
    }
  });
});

describe("createSecretsManagerSource", () => {
  function fakeSdk(answer: { SecretString?: string; SecretBinary?: Uint8Array }): {
    sdk: SecretsManagerModule;
    clients: number;
    inputs: unknown[];
  } {
    const state = {
      clients: 0,
      inputs: [] as unknown[],
      sdk: undefined as unknown as SecretsManagerModule,
    };
    class GetSecretValueCommand {
      constructor(readonly input: { SecretId: string }) {}
    }
    class SecretsManagerClient {
      constructor() {
        state.clients += 1;
      }
      async send(command: unknown): Promise<typeof answer> {
        state.inputs.push((command as GetSecretValueCommand).input);
        return answer;
      }
    }
    state.sdk = { SecretsManagerClient, GetSecretValueCommand };
    return state;
  }

  it("calls GetSecretValue with the ARN and reuses one client", async () => {
    const fake = fakeSdk({ SecretString: '{"username":"a","password":"b"}' });
    let loads = 0;
    const source = createSecretsManagerSource(ARN, () => {
      loads += 1;
      return fake.sdk;
    });
    assert.equal(loads, 0, "the SDK is loaded on first use, not when the source is created");
    assert.equal(await source.getSecretString(), '{"username":"a","password":"b"}');
    await source.getSecretString();
    assert.deepEqual(fake.inputs, [{ SecretId: ARN }, { SecretId: ARN }]);
    assert.equal(fake.clients, 1);
    assert.equal(loads, 1);
  });

  it("decodes a SecretBinary secret", async () => {
    const fake = fakeSdk({ SecretBinary: Buffer.from('{"username":"a","password":"b"}') });
    const source = createSecretsManagerSource(ARN, () => fake.sdk);
    assert.equal(await source.getSecretString(), '{"username":"a","password":"b"}');
  });

  it("fails naming the secret when it has neither form", async () => {
    const fake = fakeSdk({});
    await assert.rejects(
      createSecretsManagerSource(ARN, () => fake.sdk).getSecretString(),
      /secret arn:aws:secretsmanager:.* has neither SecretString nor SecretBinary/,
    );
  });
});
