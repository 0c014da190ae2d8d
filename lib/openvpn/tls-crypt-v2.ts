// OpenVPN tls-crypt-v2 keys, built from Pulumi random bytes so they are deterministic in state
// (no `openvpn --genkey` on a deploying machine). The formats are those of OpenVPN 2.6
// (src/openvpn/tls_crypt.c, doc/tls-crypt-v2.txt):
//
// - The server key is `struct key` (64 cipher bytes + 64 HMAC bytes) in a PEM block named
//   "OpenVPN tls-crypt-v2 server key". Of it, AES-256-CTR uses the first 32 cipher bytes (Ke) and
//   HMAC-SHA256 the first 32 HMAC bytes (Ka).
// - A client key is Kc (`struct key2`: two `struct key`, 256 bytes) followed by WKc, the client
//   key wrapped by the server key (tls_crypt_v2_wrap_client_key):
//     len = 256 + len(metadata) + 32 (tag) + 2, as a 16-bit big-endian integer
//     T   = HMAC-SHA256(Ka, len || Kc || metadata)
//     WKc = T || AES-256-CTR(Ke, IV = T[0..16), Kc || metadata) || len
//   in a PEM block named "OpenVPN tls-crypt-v2 client key". The metadata starts with its type
//   byte: 0x00 for user data (here the device's common name), 0x01 for a timestamp.
//
// Each device holds its own Kc, so a leaked device key lets an attacker start handshakes as that
// device only, and the server can recognise (and refuse) a wrapped key by its metadata.
import { createCipheriv, createHmac } from "crypto";

export const TLS_CRYPT_V2_SERVER_KEY_BYTES = 128;
export const TLS_CRYPT_V2_CLIENT_KEY_BYTES = 256;
/** TLS_CRYPT_V2_MAX_METADATA_LEN in tls_crypt.h: 1024 - (256 + 32 + 2) - 1 (the type byte). */
export const TLS_CRYPT_V2_MAX_METADATA_BYTES = 733;
const SERVER_LABEL = "OpenVPN tls-crypt-v2 server key";
const CLIENT_LABEL = "OpenVPN tls-crypt-v2 client key";
const METADATA_TYPE_USER = 0x00;
const TAG_BYTES = 32;

function fail(fn: string, key: string, got: string, expected: string): never {
  throw new Error(`${fn}: ${key}: got ${got}; expected ${expected}`);
}

function bytesFromHex(fn: string, key: string, hex: string, length: number): Buffer {
  if (typeof hex !== "string" || !new RegExp(`^[0-9a-f]{${length * 2}}$`).test(hex)) {
    fail(
      fn,
      key,
      `${typeof hex === "string" ? hex.length : typeof hex} characters`,
      `${length * 2} lower-case hex digits (${length} random bytes)`,
    );
  }
  return Buffer.from(hex, "hex");
}

function pem(label: string, bytes: Buffer): string {
  const b64 = bytes.toString("base64").match(/.{1,64}/g) as string[];
  return [`-----BEGIN ${label}-----`, ...b64, `-----END ${label}-----`, ""].join("\n");
}

function unpem(fn: string, key: string, text: string, label: string): Buffer {
  const m = new RegExp(
    `^-----BEGIN ${label}-----\\n([A-Za-z0-9+/=\\n]+)\\n-----END ${label}-----\\n?$`,
  ).exec(typeof text === "string" ? text.replace(/\r\n/g, "\n").trim() : "");
  if (!m) fail(fn, key, "no such block", `a PEM block "${label}"`);
  return Buffer.from(m[1].replace(/\n/g, ""), "base64");
}

/** The server key as `openvpn --genkey tls-crypt-v2-server` writes it, from 128 random bytes. */
export function formatTlsCryptV2ServerKey(hex: string): string {
  return pem(SERVER_LABEL, bytesFromHex("formatTlsCryptV2ServerKey", "hex", hex, 128));
}

export interface TlsCryptV2ClientKeyOptions {
  /** formatTlsCryptV2ServerKey's output. */
  readonly serverKeyPem: string;
  /** The device's own 256 random bytes (Kc), as hex. */
  readonly clientKeyHex: string;
  /** User metadata the server sees when the device connects: the device's common name. */
  readonly metadata: string;
}

/**
 * The client key of one device, as `openvpn --tls-crypt-v2 server.key --genkey
 * tls-crypt-v2-client client.key <base64 metadata>` writes it, but deterministic: Kc comes from
 * the device's random bytes instead of the tool's RNG.
 */
export function wrapTlsCryptV2ClientKey(opts: TlsCryptV2ClientKeyOptions): string {
  const fn = "wrapTlsCryptV2ClientKey";
  const server = unpem(fn, "serverKeyPem", opts.serverKeyPem, SERVER_LABEL);
  if (server.length !== TLS_CRYPT_V2_SERVER_KEY_BYTES) {
    fail(fn, "serverKeyPem", `${server.length} bytes`, `${TLS_CRYPT_V2_SERVER_KEY_BYTES} bytes`);
  }
  const kc = bytesFromHex(fn, "clientKeyHex", opts.clientKeyHex, TLS_CRYPT_V2_CLIENT_KEY_BYTES);
  const user = Buffer.from(typeof opts.metadata === "string" ? opts.metadata : "", "utf8");
  if (user.length === 0 || user.length > TLS_CRYPT_V2_MAX_METADATA_BYTES - 1) {
    fail(
      fn,
      "metadata",
      JSON.stringify(String(opts.metadata).slice(0, 40)),
      `1 to ${TLS_CRYPT_V2_MAX_METADATA_BYTES - 1} bytes`,
    );
  }
  const metadata = Buffer.concat([Buffer.from([METADATA_TYPE_USER]), user]);
  const ke = server.subarray(0, 32);
  const ka = server.subarray(64, 96);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(kc.length + metadata.length + TAG_BYTES + 2);
  const tag = createHmac("sha256", ka).update(len).update(kc).update(metadata).digest();
  const cipher = createCipheriv("aes-256-ctr", ke, tag.subarray(0, 16));
  const encrypted = Buffer.concat([cipher.update(Buffer.concat([kc, metadata])), cipher.final()]);
  return pem(CLIENT_LABEL, Buffer.concat([kc, tag, encrypted, len]));
}
