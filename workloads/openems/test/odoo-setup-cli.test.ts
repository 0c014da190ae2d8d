import * as assert from "assert";
import * as crypto from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { awsJson, parseArgs, readPlatformInputs } from "../odoo-setup-cli";
import { odooRpc } from "../odoo-rpc";
import { setupOdoo } from "../odoo-setup";
import { startOdooStandin } from "./odoo-standin";

const pw = () => crypto.randomBytes(24).toString("base64url");

/** Secrets Manager and SSM (AWS JSON 1.1) on loopback: checks the target and the signing scope. */
async function startAwsStandin(data: {
  secrets: Record<string, string>;
  parameters: { Name: string; Value: string }[];
}) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"]);
      const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(
        String(req.headers.authorization),
      );
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      seen.push(target);
      const reply = (status: number, out: object) =>
        res
          .writeHead(status, { "content-type": "application/x-amz-json-1.1" })
          .end(JSON.stringify(out));
      if (
        req.headers["content-type"] !== "application/x-amz-json-1.1" ||
        !scope ||
        scope[1] !== "eu-central-1"
      ) {
        return reply(400, { __type: "InvalidSignatureException", message: "bad request" });
      }
      if (target === "secretsmanager.GetSecretValue" && scope[2] === "secretsmanager") {
        const v = data.secrets[body.SecretId];
        return v === undefined
          ? reply(400, {
              __type: "com.amazonaws.secretsmanager#ResourceNotFoundException",
              message: "Secrets Manager can't find the specified secret.",
            })
          : reply(200, { Name: body.SecretId, SecretString: v });
      }
      if (target === "AmazonSSM.GetParametersByPath" && scope[2] === "ssm") {
        if (!body.WithDecryption || !body.Recursive)
          return reply(400, { __type: "ValidationException", message: "expected decryption" });
        const all = data.parameters.filter((p) => p.Name.startsWith(body.Path));
        const start = Number(body.NextToken ?? 0);
        const page = all.slice(start, start + body.MaxResults);
        const next =
          start + body.MaxResults < all.length ? String(start + body.MaxResults) : undefined;
        return reply(200, { Parameters: page, ...(next ? { NextToken: next } : {}) });
      }
      return reply(400, { __type: "UnknownOperationException", message: target });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe("odoo-setup command", () => {
  const master = pw();
  const admin = pw();
  const b2bPassword = pw();
  const devices = Array.from({ length: 12 }, (_, i) => ({ id: `edge${i}`, apikey: pw() }));
  const settings = (id: string, apikey: string) =>
    JSON.stringify({
      edgeId: id,
      site: "s",
      "Controller.Api.Backend": { uri: "ws://10.0.0.1:8081", apikey },
    });
  const parameters = devices.flatMap((d) => [
    { Name: `/openems/dev/edge/${d.id}/openems.json`, Value: settings(d.id, d.apikey) },
    { Name: `/openems/dev/edge/${d.id}/vpn.ovpn`, Value: "client\n" },
  ]);
  const secrets = {
    "openems/dev/backend-host": JSON.stringify({
      odooMasterPassword: master,
      odooAdminPassword: admin,
      postgresPassword: pw(),
    }),
    "openems/dev/mbe-proxy-b2b": JSON.stringify({ username: "mbe-proxy", password: b2bPassword }),
  };
  const credentials = async () => ({ accessKeyId: "AKIAEXAMPLE", secretAccessKey: "secret" });

  it("reads the Odoo passwords, the B2B login and every device's API key across pages", async () => {
    const aws = await startAwsStandin({ secrets, parameters });
    try {
      const input = await readPlatformInputs(
        awsJson({ region: "eu-central-1", credentials, endpoint: aws.url }),
        "dev",
        "openems",
      );
      assert.deepStrictEqual(
        [input.masterPassword, input.adminPassword, input.b2b],
        [master, admin, { username: "mbe-proxy", password: b2bPassword }],
      );
      assert.deepStrictEqual(
        input.devices,
        [...devices].sort((a, b) => a.id.localeCompare(b.id)),
      );
      assert.ok(
        aws.seen.filter((t) => t === "AmazonSSM.GetParametersByPath").length >= 3,
        "expected pagination",
      );
    } finally {
      await aws.close();
    }
  });

  it("sets up Odoo from those inputs, then finds nothing to change", async () => {
    const aws = await startAwsStandin({ secrets, parameters });
    const odoo = await startOdooStandin({ masterPassword: master });
    try {
      const read = () =>
        readPlatformInputs(
          awsJson({ region: "eu-central-1", credentials, endpoint: aws.url }),
          "dev",
          "openems",
        );
      const first = await setupOdoo(odooRpc(odoo.url), await read());
      assert.strictEqual(first.changes.filter((c) => c.startsWith("registered device")).length, 12);
      assert.deepStrictEqual((await setupOdoo(odooRpc(odoo.url), await read())).changes, []);
    } finally {
      await Promise.all([aws.close(), odoo.close()]);
    }
  });

  const broken: [string, Partial<typeof secrets>, { Name: string; Value: string }[], RegExp][] = [
    [
      "a missing host secret",
      { "openems/dev/backend-host": undefined },
      parameters,
      /GetSecretValue: ResourceNotFoundException/,
    ],
    [
      "a host secret without the admin password",
      { "openems/dev/backend-host": JSON.stringify({ odooMasterPassword: master }) },
      parameters,
      /openems\/dev\/backend-host: key "odooAdminPassword" is missing/,
    ],
    [
      "settings whose edgeId is not the path's",
      {},
      [{ Name: "/openems/dev/edge/edge1/openems.json", Value: settings("edge2", pw()) }],
      /edgeId "edge2" is not the device id edge1/,
    ],
  ];
  for (const [what, change, params, message] of broken) {
    it(`stops with a clear message on ${what}, without showing secret values`, async () => {
      const merged = Object.fromEntries(
        Object.entries({ ...secrets, ...change }).filter(([, v]) => v !== undefined),
      ) as Record<string, string>;
      const aws = await startAwsStandin({ secrets: merged, parameters: params });
      try {
        await assert.rejects(
          readPlatformInputs(
            awsJson({ region: "eu-central-1", credentials, endpoint: aws.url }),
            "dev",
            "openems",
          ),
          (e: Error) => {
            assert.match(e.message, message);
            for (const s of [master, admin, b2bPassword]) assert.ok(!e.message.includes(s));
            return true;
          },
        );
      } finally {
        await aws.close();
      }
    });
  }

  const badArgs: [string[], RegExp][] = [
    [
      ["--odoo-url", "http://10.0.0.1:10016"],
      /^Error: --env: got null; expected one of dev, stage, prod$/,
    ],
    [["--env", "qa", "--odoo-url", "http://10.0.0.1:10016"], /^Error: --env: got "qa"/],
    [["--env", "dev"], /^Error: --odoo-url: got null/],
    [["--env", "dev", "--odoo-url", "http://admin:pw@10.0.0.1:10016"], /without credentials/],
  ];
  for (const [argv, message] of badArgs) {
    it(`refuses the arguments ${JSON.stringify(argv)}`, () =>
      assert.throws(() => parseArgs(argv), message));
  }
  it("accepts an environment and an Odoo URL", () =>
    assert.deepStrictEqual(
      parseArgs(["--env", "prod", "--odoo-url", "https://odoo-prod.example.com/web"]),
      {
        env: "prod",
        odooUrl: "https://odoo-prod.example.com",
        database: "openems",
      },
    ));
});
