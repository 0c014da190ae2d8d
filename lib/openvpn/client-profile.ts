import { createPrivateKey } from "crypto";
import { DATA_CIPHERS, TLS_VERSION_MIN } from "./crypto-policy";
import { parseIpv4 } from "../net/ipv4";
import { DEFAULT_VPN_PORT } from "../ports";

export interface ClientProfileOptions {
  /** Public DNS name or IPv4 address of the VPN server (Elastic IP or its DNS record). */
  readonly remoteHost: string;
  /** UDP port of the server (default DEFAULT_VPN_PORT, 1194). */
  readonly remotePort?: number;
  /** Common name of the server certificate; the device refuses any other server. */
  readonly serverCommonName: string;
  /** PEM of the server CA certificate(s): every generation the device trusts the server by. */
  readonly caCertPem: string;
  /** PEM of this device's certificate. */
  readonly clientCertPem: string;
  /** PEM of this device's private key. */
  readonly clientKeyPem: string;
  /** This device's own tls-crypt-v2 client key ("OpenVPN tls-crypt-v2 client key" block). */
  readonly tlsCryptV2Key: string;
}

// DNS name (letters, digits, '-', dots between labels) or a dotted-quad address.
const LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const HOSTNAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`);
const pem = (type: string) =>
  new RegExp(`^-----BEGIN ${type}-----\n[\\s\\S]+\n-----END ${type}-----$`);
const CERTIFICATE = pem("CERTIFICATE");
// The tls provider writes SEC1 ("EC PRIVATE KEY") for ECDSA keys, openssl genpkey PKCS#8.
const PRIVATE_KEY =
  /^-----BEGIN ((?:EC|RSA) )?PRIVATE KEY-----\n[\s\S]+\n-----END \1?PRIVATE KEY-----$/;
const TLS_CRYPT_V2_CLIENT_KEY = pem("OpenVPN tls-crypt-v2 client key");

function fail(key: string, value: unknown, allowed: string): never {
  // Multi-line values are PEM material: show the first line only, never key bytes.
  const shown =
    typeof value === "string" && value.includes("\n")
      ? `${JSON.stringify(value.slice(0, value.indexOf("\n")))}...`
      : JSON.stringify(value);
  throw new Error(`renderClientProfile: '${key}' is ${shown}: ${allowed}.`);
}

function pemBlock(key: string, value: string, pattern: RegExp, what: string): string {
  // `openvpn --genkey` writes '#' comment lines above the key; only the block itself is kept.
  const trimmed =
    typeof value === "string"
      ? value
          .replace(/\r\n/g, "\n")
          .split("\n")
          .filter((l) => !l.startsWith("#"))
          .join("\n")
          .trim()
      : "";
  // An inline block must not be able to close itself early and inject directives.
  if (!pattern.test(trimmed) || /<\/?[a-z-]+>/.test(trimmed)) {
    fail(key, value, `it must be a PEM ${what}`);
  }
  return trimmed;
}

// SEC1 ECPrivateKey (RFC 5915) of a P-256 key without its optional public key:
//   SEQUENCE { INTEGER 1, OCTET STRING (32 bytes), [0] { OID prime256v1 } }
// OpenSSL and mbed TLS recompute the public key from the private scalar when it is absent.
const SEC1_P256_PREFIX = Buffer.from("30310201010420", "hex");
const SEC1_P256_SUFFIX = Buffer.from("a00a06082a8648ce3d030107", "hex");

/**
 * The same P-256 private key in its shortest PEM form (about 130 instead of 227-241 bytes, so a
 * profile with two server CA generations keeps its margin under the SSM standard tier). Any other
 * key, or one Node cannot read, is kept as it is.
 */
function compactPrivateKey(block: string): string {
  let d: Buffer;
  try {
    const key = createPrivateKey(block);
    if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
      return block;
    }
    d = Buffer.from(key.export({ format: "jwk" }).d as string, "base64url");
  } catch {
    return block;
  }
  if (d.length !== 32) return block;
  const der = Buffer.concat([SEC1_P256_PREFIX, d, SEC1_P256_SUFFIX]);
  const b64 = der.toString("base64").match(/.{1,64}/g) as string[];
  return ["-----BEGIN EC PRIVATE KEY-----", ...b64, "-----END EC PRIVATE KEY-----"].join("\n");
}

/**
 * A complete inline `.ovpn` profile for one device. The result contains the device's private key:
 * handle it as a secret (pulumi.secret, SSM SecureString), never as a plain output.
 */
export function renderClientProfile(opts: ClientProfileOptions): string {
  if (!HOSTNAME.test(opts.remoteHost) && parseIpv4(opts.remoteHost) === undefined) {
    fail("remoteHost", opts.remoteHost, "it must be a DNS name or a dotted-quad IPv4 address");
  }
  const port = opts.remotePort ?? DEFAULT_VPN_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535 || port === 22) {
    fail("remotePort", port, "it must be an integer from 1 to 65535 other than 22");
  }
  if (!HOSTNAME.test(opts.serverCommonName)) {
    fail(
      "serverCommonName",
      opts.serverCommonName,
      "it must be the server certificate's common name, a DNS-style name",
    );
  }
  const ca = pemBlock("caCertPem", opts.caCertPem, CERTIFICATE, "CERTIFICATE block");
  const cert = pemBlock("clientCertPem", opts.clientCertPem, CERTIFICATE, "CERTIFICATE block");
  const key = compactPrivateKey(
    pemBlock("clientKeyPem", opts.clientKeyPem, PRIVATE_KEY, "PRIVATE KEY block"),
  );
  const tlsCrypt = pemBlock(
    "tlsCryptV2Key",
    opts.tlsCryptV2Key,
    TLS_CRYPT_V2_CLIENT_KEY,
    "'OpenVPN tls-crypt-v2 client key' block (openvpn --genkey tls-crypt-v2-client)",
  );

  // Every byte counts (one SSM standard-tier parameter holds the profile with two server CA
  // generations), so OpenVPN 2.6 defaults are not repeated: `proto udp` (options.c init_options:
  // ce.proto = PROTO_UDP) and `resolv-retry infinite` (resolve_retry_seconds =
  // RESOLV_RETRY_INFINITE: sites lose DNS for hours and the device keeps retrying).
  return [
    "client",
    "dev tun",
    `remote ${opts.remoteHost} ${port}`,
    "nobind",
    "persist-key",
    "persist-tun",
    "remote-cert-tls server",
    `verify-x509-name ${opts.serverCommonName} name`,
    `tls-version-min ${TLS_VERSION_MIN}`,
    `data-ciphers ${DATA_CIPHERS.join(":")}`,
    // Defence in depth for the split tunnel: even a misconfigured server cannot take over the
    // site's default route or DNS.
    "pull-filter ignore redirect-gateway",
    "pull-filter ignore dhcp-option",
    // Lets the server free the session at once when the device restarts or shuts down (no
    // argument is one notification, options.c).
    "explicit-exit-notify",
    "verb 3",
    "<ca>",
    ca,
    "</ca>",
    "<cert>",
    cert,
    "</cert>",
    "<key>",
    key,
    "</key>",
    "<tls-crypt-v2>",
    tlsCrypt,
    "</tls-crypt-v2>",
    "",
  ].join("\n");
}
