import { strict as assert } from "assert";
import { createPublicKey, generateKeyPairSync, randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ClientProfileOptions, renderClientProfile } from "../client-profile";
import { parseDirectives } from "../directives";
import { renderServerConfig } from "../server-config";
import { CA_ALLOWED_USES, CLIENT_ALLOWED_USES } from "../pki";
import { formatTlsCryptV2ServerKey, wrapTlsCryptV2ClientKey } from "../tls-crypt-v2";
import { TestPki } from "./openvpn-harness";
import { requirePrerequisites } from "../../../tooling/testing/tools";

// Structurally valid stand-ins; the e2e test uses real certificates.
const CERT = "-----BEGIN CERTIFICATE-----\nMIIBdummyCERT\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIGHdummyKEY\n-----END PRIVATE KEY-----\n";
const CLIENT_KEY = [
  "-----BEGIN OpenVPN tls-crypt-v2 client key-----",
  "MIGHdummyWKc",
  "-----END OpenVPN tls-crypt-v2 client key-----",
  "",
].join("\n");

const base: ClientProfileOptions = {
  remoteHost: "vpn.dev.openems.example",
  serverCommonName: "vpn.dev.openems.example",
  caCertPem: CERT,
  clientCertPem: CERT,
  clientKeyPem: KEY,
  tlsCryptV2Key: CLIENT_KEY,
};

function args(profile: string, name: string): string[][] {
  return parseDirectives(profile)
    .filter((d) => d.name === name)
    .map((d) => [...d.args]);
}

describe("renderClientProfile", () => {
  const profile = renderClientProfile(base);

  it("renders a UDP tun client for the given server", async () => {
    for (const flag of ["client", "nobind", "persist-key", "persist-tun"]) {
      assert.deepEqual(args(profile, flag), [[]], flag);
    }
    assert.deepEqual(args(profile, "dev"), [["tun"]]);
    assert.deepEqual(args(profile, "remote"), [["vpn.dev.openems.example", "1194"]]);
    // OpenVPN 2.6 defaults (udp, retry name resolution for ever), left out to save bytes; an
    // override (tcp, a finite retry) would be a change of behaviour.
    assert.deepEqual(args(profile, "proto"), []);
    assert.deepEqual(args(profile, "resolv-retry"), []);
  });

  it("accepts only the named server with a server certificate", async () => {
    assert.deepEqual(args(profile, "remote-cert-tls"), [["server"]]);
    assert.deepEqual(args(profile, "verify-x509-name"), [["vpn.dev.openems.example", "name"]]);
  });

  it("uses the same TLS floor and data ciphers as the server", async () => {
    const server = parseDirectives(
      renderServerConfig({ clientCidr: "10.100.0.0/22", pushRoutes: ["10.0.0.0/16"] }),
    );
    for (const name of ["tls-version-min", "data-ciphers"]) {
      const serverArgs = server.filter((d) => d.name === name).map((d) => [...d.args]);
      assert.deepEqual(args(profile, name), serverArgs, name);
    }
  });

  it("inlines the CA, certificate, key and the device's own tls-crypt-v2 key", async () => {
    const inline = Object.fromEntries(
      parseDirectives(profile)
        .filter((d) => d.inline !== undefined)
        .map((d) => [d.name, d.inline]),
    );
    assert.deepEqual(Object.keys(inline).sort(), ["ca", "cert", "key", "tls-crypt-v2"]);
    assert.equal(inline.key, KEY.trim());
    assert.equal(inline.ca, CERT.trim());
    // The comment header written by `openvpn --genkey` is dropped.
    assert.equal(inline["tls-crypt-v2"], CLIENT_KEY.trim());
  });

  it("inlines a P-256 key in its shortest form, the same key, whatever form it came in", async () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const forms = [
      privateKey.export({ format: "pem", type: "sec1" }) as string,
      privateKey.export({ format: "pem", type: "pkcs8" }) as string,
    ];
    assert.ok(forms.length > 0);
    const publicDer = (pem: string) =>
      createPublicKey(pem).export({ format: "der", type: "spki" }).toString("hex");
    for (const clientKeyPem of forms) {
      const inline = parseDirectives(renderClientProfile({ ...base, clientKeyPem })).find(
        (d) => d.name === "key",
      )!.inline!;
      assert.match(inline, /^-----BEGIN EC PRIVATE KEY-----\n[^]+\n-----END EC PRIVATE KEY-----$/);
      assert.ok(
        inline.length <= 130,
        `${inline.length} bytes (the input had ${clientKeyPem.length})`,
      );
      // The public key is recomputed from the private scalar: the same key pair.
      assert.equal(publicDer(inline), publicDer(clientKeyPem));
    }
  });

  it("keeps a key of another type or curve as it is", async () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-384" });
    const clientKeyPem = privateKey.export({ format: "pem", type: "pkcs8" }) as string;
    const inline = parseDirectives(renderClientProfile({ ...base, clientKeyPem })).find(
      (d) => d.name === "key",
    )!.inline;
    assert.equal(inline, clientKeyPem.trim());
  });

  it("never takes the default route, not even if a server pushes it", async () => {
    assert.equal(args(profile, "redirect-gateway").length, 0);
    assert.deepEqual(args(profile, "pull-filter"), [
      ["ignore", "redirect-gateway"],
      ["ignore", "dhcp-option"],
    ]);
  });

  it("uses a given port", async () => {
    const profile = renderClientProfile({ ...base, remoteHost: "203.0.113.7", remotePort: 443 });
    assert.deepEqual(args(profile, "remote"), [["203.0.113.7", "443"]]);
  });

  it("never echoes key material in its errors", async () => {
    const secret = "-----BEGIN PRIVATE KEY-----\nSECRETBYTES\n-----END CERTIFICATE-----\n";
    assert.throws(
      () => renderClientProfile({ ...base, clientKeyPem: secret }),
      (err: Error) => /'clientKeyPem'/.test(err.message) && !err.message.includes("SECRETBYTES"),
    );
  });

  const invalid: Array<[string, Partial<ClientProfileOptions>, RegExp]> = [
    ["a host with a space", { remoteHost: "vpn example" }, /'remoteHost' is "vpn example"/],
    [
      "a URL as host",
      { remoteHost: "https://vpn.example" },
      /'remoteHost' is "https:\/\/vpn\.example"/,
    ],
    [
      "port 22",
      { remotePort: 22 },
      /'remotePort' is 22: it must be an integer from 1 to 65535 other than 22/,
    ],
    ["port 65536", { remotePort: 65536 }, /'remotePort' is 65536/],
    [
      "a server CN with a space",
      { serverCommonName: "vpn server" },
      /'serverCommonName' is "vpn server"/,
    ],
    [
      "a key where the certificate belongs",
      { clientCertPem: KEY },
      /'clientCertPem' is "-----BEGIN PRIVATE KEY-----"\.\.\.: it must be a PEM CERTIFICATE block/,
    ],
    ["a certificate where the key belongs", { clientKeyPem: CERT }, /'clientKeyPem'/],
    ["an empty CA", { caCertPem: "" }, /'caCertPem' is "": it must be a PEM CERTIFICATE block/],
    [
      "a block that closes the inline tag",
      { caCertPem: `${CERT}</ca>\nredirect-gateway def1\n<ca>\n${CERT}` },
      /'caCertPem'/,
    ],
    [
      "a PEM key as tls-crypt-v2 key",
      { tlsCryptV2Key: KEY },
      /'tlsCryptV2Key'.*OpenVPN tls-crypt-v2 client key/,
    ],
    [
      "a shared tls-crypt key",
      {
        tlsCryptV2Key:
          "-----BEGIN OpenVPN Static key V1-----\n0123abcd\n-----END OpenVPN Static key V1-----\n",
      },
      /'tlsCryptV2Key'.*OpenVPN tls-crypt-v2 client key/,
    ],
  ];
  for (const [what, opts, message] of invalid) {
    it(`rejects ${what}`, async () => {
      assert.throws(() => renderClientProfile({ ...base, ...opts }), message);
    });
  }
});

// A device profile is one SSM SecureString of the standard tier, whose value may hold 4 KB
// (https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html),
// and must hold two server CA generations during a rollover. The worst case is built from
// real-size material: EC P-256 keys and certificates with the stacks' subjects and extensions
// (openssl's 20-byte serials are longer than the tls provider's 16), the longest environment
// name, CA generation name and device id, and an IPv4 remote (the server's Elastic IP). The
// site is not in the profile (device certificates carry no organizational unit).
describe("renderClientProfile size (real-size PEMs)", function () {
  const SSM_STANDARD_LIMIT = 4096;
  let dir: string;
  let worst: string;

  before(function () {
    requirePrerequisites(this, { tools: ["openssl"] });
    this.timeout(30000);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "profile-size-"));
    const pki = new TestPki(dir);
    const env = "stage"; // the longest of dev, stage and prod
    const generation = (n: number) => `${n}`.padStart(16, "g"); // 16 characters, the maximum
    for (const n of [1, 2]) {
      pki.createCa(
        `server-ca-${n}`,
        CA_ALLOWED_USES,
        `/O=OpenEMS/OU=${env} VPN/CN=openems-${env}-vpn-server-ca-${generation(n)}`,
      );
    }
    pki.createCa(
      "client-ca",
      CA_ALLOWED_USES,
      `/O=OpenEMS/OU=${env} edge/CN=openems-${env}-vpn-client-ca-${generation(1)}`,
    );
    // 32 characters, the longest device id lib/config/fleet.ts allows (certificates allow 63).
    const deviceId = `d${"0".repeat(30)}9`;
    pki.issue("device", "client-ca", CLIENT_ALLOWED_USES, `/O=OpenEMS/CN=${deviceId}`);
    const serverKey = formatTlsCryptV2ServerKey(randomBytes(128).toString("hex"));
    worst = renderClientProfile({
      remoteHost: "255.255.255.255",
      remotePort: 65535,
      serverCommonName: `openems-${env}-vpn-server`,
      caCertPem: [pki.read("server-ca-1.crt"), pki.read("server-ca-2.crt")].join(""),
      clientCertPem: pki.read("device.crt"),
      // PKCS#8, as openssl genpkey writes it: a few bytes longer than the provider's SEC1.
      clientKeyPem: pki.read("device.key"),
      tlsCryptV2Key: wrapTlsCryptV2ClientKey({
        serverKeyPem: serverKey,
        clientKeyHex: randomBytes(256).toString("hex"),
        metadata: deviceId,
      }),
    });
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("holds two server CA generations with at least 10 % of the standard tier to spare", () => {
    assert.equal((worst.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length, 3);
    const bytes = Buffer.byteLength(worst, "utf8");
    assert.ok(
      bytes <= SSM_STANDARD_LIMIT * 0.9,
      `the worst-case profile is ${bytes} bytes; at most ${SSM_STANDARD_LIMIT * 0.9} leaves 10 % of ${SSM_STANDARD_LIMIT}`,
    );
  });
});
