import { nonEmpty } from "../../../tooling/testing/non-empty";
import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  CA_ALLOWED_USES,
  CLIENT_ALLOWED_USES,
  opensslExtensionsFor,
  PKI_KEY_ALGORITHM,
  SERVER_ALLOWED_USES,
  TLS_EXTENDED_KEY_USAGES,
  TLS_KEY_USAGES,
} from "../pki";
import { TestPki } from "./openvpn-harness";
import { requirePrerequisites } from "../../../tooling/testing/tools";

describe("PKI allowed uses", () => {
  it("uses only names the tls provider accepts", async () => {
    const known = new Set([
      ...Object.keys(TLS_KEY_USAGES),
      ...Object.keys(TLS_EXTENDED_KEY_USAGES),
    ]);
    for (const use of nonEmpty(
      [...CA_ALLOWED_USES, ...SERVER_ALLOWED_USES, ...CLIENT_ALLOWED_USES],
      "[...CA_ALLOWED_USES, ...SERVER_ALLOWE...",
    )) {
      assert.ok(known.has(use), use);
    }
  });

  it("gives the server what `remote-cert-tls server` checks: key usage, serverAuth", async () => {
    assert.ok(SERVER_ALLOWED_USES.includes("digital_signature"));
    assert.ok(SERVER_ALLOWED_USES.includes("server_auth"));
    assert.ok(!SERVER_ALLOWED_USES.includes("client_auth"));
  });

  it("gives devices what `remote-cert-tls client` checks: key usage, clientAuth", async () => {
    assert.deepEqual([...CLIENT_ALLOWED_USES].sort(), ["client_auth", "digital_signature"]);
  });

  it("does not put keyEncipherment on the ECDSA keys", async () => {
    assert.equal(PKI_KEY_ALGORITHM.algorithm, "ECDSA");
    for (const uses of [CA_ALLOWED_USES, SERVER_ALLOWED_USES, CLIENT_ALLOWED_USES]) {
      assert.ok(!uses.includes("key_encipherment"));
    }
  });
});

describe("opensslExtensionsFor", () => {
  it("maps a device certificate's uses to OpenSSL extension lines", async () => {
    assert.deepEqual(opensslExtensionsFor(CLIENT_ALLOWED_USES), [
      "basicConstraints = critical, CA:FALSE",
      "keyUsage = critical, digitalSignature",
      "extendedKeyUsage = clientAuth",
    ]);
  });

  it("maps the CA's uses, with CA:TRUE", async () => {
    assert.deepEqual(opensslExtensionsFor(CA_ALLOWED_USES, { isCa: true }), [
      "basicConstraints = critical, CA:TRUE",
      "keyUsage = critical, keyCertSign, cRLSign, digitalSignature",
    ]);
  });

  it("knows every tls provider name", async () => {
    const all = [...Object.keys(TLS_KEY_USAGES), ...Object.keys(TLS_EXTENDED_KEY_USAGES)].filter(
      (u) => u !== "cert_signing",
    );
    const lines = opensslExtensionsFor(all);
    assert.match(lines[1], /^keyUsage = critical, digitalSignature, nonRepudiation, keyEnciph/);
    assert.match(lines[2], /serverAuth, clientAuth, codeSigning/);
  });

  it("rejects unknown names, listing the allowed ones", async () => {
    assert.throws(
      () => opensslExtensionsFor(["digitalSignature"]),
      /'uses' contains \["digitalSignature"\]; allowed values are digital_signature, /,
    );
  });

  it("rejects cert_signing on a non-CA and a CA without it", async () => {
    assert.throws(() => opensslExtensionsFor(["cert_signing"]), /'isCa' false: .*if and only if/);
    assert.throws(() => opensslExtensionsFor(["digital_signature"], { isCa: true }), /'isCa' true/);
  });
});

describe("certificates issued with these extensions (openssl)", function () {
  let dir: string;
  let pki: TestPki;

  before(function () {
    requirePrerequisites(this, { tools: ["openssl"] });
    this.timeout(20000);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "openvpn-pki-"));
    pki = new TestPki(dir);
    pki.createCa("ca", CA_ALLOWED_USES);
    pki.issue("server", "ca", SERVER_ALLOWED_USES);
    pki.issue("device", "ca", CLIENT_ALLOWED_USES);
  });

  after(() => {
    if (dir) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  function verify(purpose: string, cert: string): number | null {
    return spawnSync("openssl", [
      "verify",
      "-CAfile",
      pki.file("ca.crt"),
      "-purpose",
      purpose,
      pki.file(cert),
    ]).status;
  }

  it("issues a server certificate valid for TLS servers only", async () => {
    assert.equal(verify("sslserver", "server.crt"), 0);
    assert.notEqual(verify("sslclient", "server.crt"), 0);
  });

  it("issues a device certificate valid for TLS clients only", async () => {
    assert.equal(verify("sslclient", "device.crt"), 0);
    assert.notEqual(verify("sslserver", "device.crt"), 0);
  });

  it("writes the usages as critical keyUsage and an extendedKeyUsage", async () => {
    const text = execFileSync(
      "openssl",
      [
        "x509",
        "-in",
        pki.file("device.crt"),
        "-noout",
        "-ext",
        "keyUsage,extendedKeyUsage,basicConstraints",
      ],
      { encoding: "utf8" },
    );
    assert.match(text, /Key Usage: critical\s+Digital Signature\n/);
    assert.match(text, /Extended Key Usage:\s+TLS Web Client Authentication\n/);
    assert.match(text, /Basic Constraints: critical\s+CA:FALSE/);
  });
});
