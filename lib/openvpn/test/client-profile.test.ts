import { strict as assert } from "assert";
import { ClientProfileOptions, renderClientProfile } from "../client-profile";
import { parseDirectives } from "../directives";
import { renderServerConfig } from "../server-config";

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
    assert.deepEqual(args(profile, "proto"), [["udp"]]);
    assert.deepEqual(args(profile, "remote"), [["vpn.dev.openems.example", "1194"]]);
    assert.deepEqual(args(profile, "resolv-retry"), [["infinite"]]);
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
