// Key usages of the VPN PKI, in the vocabulary of the `@pulumi/tls` `allowedUses` input (the
// Terraform tls provider's snake_case names; the camelCase list in the generated SDK docs is not
// what the provider accepts), plus their OpenSSL x509v3 equivalents so tests can issue
// certificates with exactly the same extensions with the `openssl` CLI.
//
// What OpenVPN checks: `remote-cert-tls client|server` is `remote-cert-ku` (a keyUsage extension
// must be present; the TLS library then enforces its bits) plus `remote-cert-eku "TLS Web Client
// Authentication"` / `"TLS Web Server Authentication"`. The keys are ECDSA P-256 (see
// PKI_KEY_ALGORITHM), and with ECDHE key exchange the only key-usage bit a TLS peer exercises is
// digitalSignature. keyEncipherment is deliberately absent: it is for RSA key transport, which
// TLS 1.2 ECDHE and TLS 1.3 never use, and RFC 5480 does not allow it on EC keys.

/** `allowedUses` values the tls provider accepts (terraform-provider-tls, common_cert.go). */
export const TLS_KEY_USAGES = {
  digital_signature: "digitalSignature",
  content_commitment: "nonRepudiation",
  key_encipherment: "keyEncipherment",
  data_encipherment: "dataEncipherment",
  key_agreement: "keyAgreement",
  cert_signing: "keyCertSign",
  crl_signing: "cRLSign",
  encipher_only: "encipherOnly",
  decipher_only: "decipherOnly",
} as const;

export const TLS_EXTENDED_KEY_USAGES = {
  any_extended: "anyExtendedKeyUsage",
  server_auth: "serverAuth",
  client_auth: "clientAuth",
  code_signing: "codeSigning",
  email_protection: "emailProtection",
  ipsec_end_system: "ipsecEndSystem",
  ipsec_tunnel: "ipsecTunnel",
  ipsec_user: "ipsecUser",
  timestamping: "timeStamping",
  ocsp_signing: "OCSPSigning",
  microsoft_server_gated_crypto: "msSGC",
  netscape_server_gated_crypto: "nsSGC",
  microsoft_commercial_code_signing: "msCodeCom",
  // No OpenSSL short name exists for this one; the OID is what Go's x509 package writes.
  microsoft_kernel_code_signing: "1.3.6.1.4.1.311.61.1.1",
} as const;

export type TlsKeyUsage = keyof typeof TLS_KEY_USAGES;
export type TlsExtendedKeyUsage = keyof typeof TLS_EXTENDED_KEY_USAGES;
export type TlsAllowedUse = TlsKeyUsage | TlsExtendedKeyUsage;

/** `tls.PrivateKey` arguments for every key of the VPN PKI: small, fast on a Raspberry Pi. */
export const PKI_KEY_ALGORITHM = { algorithm: "ECDSA", ecdsaCurve: "P256" } as const;

/** The CA signs certificates (and CRLs, should revocation lists ever be needed). */
export const CA_ALLOWED_USES: readonly TlsAllowedUse[] = [
  "cert_signing",
  "crl_signing",
  "digital_signature",
];

/** What `remote-cert-tls server` on the devices requires of the server certificate. */
export const SERVER_ALLOWED_USES: readonly TlsAllowedUse[] = ["digital_signature", "server_auth"];

/** What `remote-cert-tls client` on the server requires of a device certificate. */
export const CLIENT_ALLOWED_USES: readonly TlsAllowedUse[] = ["digital_signature", "client_auth"];

export interface OpensslExtensionOptions {
  /** Whether the certificate is a CA (`is_ca_certificate` in the tls provider). Default false. */
  readonly isCa?: boolean;
}

function isKeyUsage(use: string): use is TlsKeyUsage {
  return Object.prototype.hasOwnProperty.call(TLS_KEY_USAGES, use);
}

function isExtendedKeyUsage(use: string): use is TlsExtendedKeyUsage {
  return Object.prototype.hasOwnProperty.call(TLS_EXTENDED_KEY_USAGES, use);
}

/**
 * OpenSSL x509v3 extension lines (for an `-extfile` section) that reproduce what the tls
 * provider writes for `allowedUses` and `isCaCertificate`: Go's x509 package marks keyUsage and
 * basicConstraints critical and extendedKeyUsage not critical, and the provider always sets
 * basicConstraints.
 */
export function opensslExtensionsFor(
  uses: readonly string[],
  opts: OpensslExtensionOptions = {},
): string[] {
  const isCa = opts.isCa ?? false;
  const unknown = uses.filter((u) => !isKeyUsage(u) && !isExtendedKeyUsage(u));
  if (unknown.length > 0) {
    const allowed = [...Object.keys(TLS_KEY_USAGES), ...Object.keys(TLS_EXTENDED_KEY_USAGES)];
    throw new Error(
      `opensslExtensionsFor: 'uses' contains ${JSON.stringify(unknown)}; allowed values are ` +
        `${allowed.join(", ")}.`,
    );
  }
  if (uses.includes("cert_signing") !== isCa) {
    throw new Error(
      `opensslExtensionsFor: 'uses' ${JSON.stringify(uses)} with 'isCa' ${isCa}: a certificate ` +
        `may list cert_signing if and only if it is a CA.`,
    );
  }
  const unique = [...new Set(uses)];
  const keyUsage = unique.filter(isKeyUsage).map((u) => TLS_KEY_USAGES[u]);
  const extendedKeyUsage = unique.filter(isExtendedKeyUsage).map((u) => TLS_EXTENDED_KEY_USAGES[u]);
  const lines = [`basicConstraints = critical, CA:${isCa ? "TRUE" : "FALSE"}`];
  if (keyUsage.length > 0) {
    lines.push(`keyUsage = critical, ${keyUsage.join(", ")}`);
  }
  if (extendedKeyUsage.length > 0) {
    lines.push(`extendedKeyUsage = ${extendedKeyUsage.join(", ")}`);
  }
  return lines;
}
