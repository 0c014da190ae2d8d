import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { formatTlsCryptV2ServerKey, wrapTlsCryptV2ClientKey } from "../tls-crypt-v2";
import { OPENVPN } from "./openvpn-harness";
import { requirePrerequisites } from "../../../tooling/testing/tools";

const SERVER_HEX = "ab".repeat(128);
const CLIENT_HEX = "cd".repeat(256);

describe("tls-crypt-v2 keys", () => {
  it("formats the server key as a 128-byte PEM block", () => {
    const pem = formatTlsCryptV2ServerKey(SERVER_HEX);
    const lines = pem.trim().split("\n");
    assert.equal(lines[0], "-----BEGIN OpenVPN tls-crypt-v2 server key-----");
    assert.equal(lines.at(-1), "-----END OpenVPN tls-crypt-v2 server key-----");
    assert.equal(Buffer.from(lines.slice(1, -1).join(""), "base64").length, 128);
  });

  it("wraps a client key deterministically: Kc, tag, ciphertext, length", () => {
    const serverKeyPem = formatTlsCryptV2ServerKey(SERVER_HEX);
    const a = wrapTlsCryptV2ClientKey({ serverKeyPem, clientKeyHex: CLIENT_HEX, metadata: "pi-1" });
    assert.equal(
      a,
      wrapTlsCryptV2ClientKey({ serverKeyPem, clientKeyHex: CLIENT_HEX, metadata: "pi-1" }),
    );
    assert.notEqual(
      a,
      wrapTlsCryptV2ClientKey({ serverKeyPem, clientKeyHex: CLIENT_HEX, metadata: "pi-2" }),
    );
    const body = Buffer.from(a.trim().split("\n").slice(1, -1).join(""), "base64");
    // 256 (Kc) + 32 (tag) + 256 + 5 (Kc and metadata type + "pi-1", encrypted) + 2 (length).
    assert.equal(body.length, 256 + 32 + 261 + 2);
    assert.equal(body.subarray(0, 256).toString("hex"), CLIENT_HEX);
    assert.equal(body.readUInt16BE(body.length - 2), 32 + 261 + 2);
    // The key travels encrypted: neither Kc nor the metadata appear in clear in WKc.
    assert.ok(!body.subarray(256).includes(Buffer.from("pi-1")));
  });

  const BAD: [string, () => unknown, RegExp][] = [
    [
      "a short server key",
      () => formatTlsCryptV2ServerKey("ab"),
      /hex: got 2 characters; expected 256 lower-case hex digits/,
    ],
    [
      "a short client key",
      () =>
        wrapTlsCryptV2ClientKey({
          serverKeyPem: formatTlsCryptV2ServerKey(SERVER_HEX),
          clientKeyHex: "cd",
          metadata: "x",
        }),
      /clientKeyHex: got 2 characters; expected 512/,
    ],
    [
      "a static key as server key",
      () =>
        wrapTlsCryptV2ClientKey({
          serverKeyPem:
            "-----BEGIN OpenVPN Static key V1-----\nab\n-----END OpenVPN Static key V1-----\n",
          clientKeyHex: CLIENT_HEX,
          metadata: "x",
        }),
      /serverKeyPem: got no such block; expected a PEM block "OpenVPN tls-crypt-v2 server key"/,
    ],
    [
      "empty metadata",
      () =>
        wrapTlsCryptV2ClientKey({
          serverKeyPem: formatTlsCryptV2ServerKey(SERVER_HEX),
          clientKeyHex: CLIENT_HEX,
          metadata: "",
        }),
      /metadata: got ""; expected 1 to 732 bytes/,
    ],
  ];
  for (const [what, f, message] of BAD) {
    it(`refuses ${what}`, () => assert.throws(f, message));
  }

  it("writes a server key the real openvpn derives client keys from", function () {
    requirePrerequisites(this, { tools: [OPENVPN] });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tls-crypt-v2-"));
    try {
      const server = path.join(dir, "server.key");
      fs.writeFileSync(server, formatTlsCryptV2ServerKey(SERVER_HEX));
      // --genkey tls-crypt-v2-client loads the server key, wraps a client key, then unwraps it
      // again as the server would (its own sanity check), so a malformed key fails here.
      execFileSync(
        OPENVPN,
        ["--tls-crypt-v2", server, "--genkey", "tls-crypt-v2-client", path.join(dir, "c.key")],
        { stdio: "pipe", timeout: 10000 },
      );
      assert.match(
        fs.readFileSync(path.join(dir, "c.key"), "utf8"),
        /BEGIN OpenVPN tls-crypt-v2 client key/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
