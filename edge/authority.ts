import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { combine } from "../lib/outputs";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import {
  CA_ALLOWED_USES,
  CLIENT_ALLOWED_USES,
  formatTlsCryptV2ServerKey,
  PKI_KEY_ALGORITHM,
  renderClientProfile,
  TLS_CRYPT_V2_CLIENT_KEY_BYTES,
  TLS_CRYPT_V2_SERVER_KEY_BYTES,
  wrapTlsCryptV2ClientKey,
} from "../lib/openvpn";
import { secureParameter } from "../lib/components/parameters";
import { networkContract, Upstream } from "../lib/contracts";
import { vpnParameterNames } from "../lib/openvpn/parameter-names";

const HOURS_PER_YEAR = 8760;

/** Validity of the client CA (protected: replaced by a new generation, never renewed in place). */
export const CLIENT_CA_VALIDITY_HOURS = 10 * HOURS_PER_YEAR;
/** Admin profiles: a year, renewed a month ahead. */
export const ADMIN_CERT_LIFETIME = {
  validityPeriodHours: HOURS_PER_YEAR,
  earlyRenewalHours: 30 * 24,
};

/** Where an admin's profile lives: under the edge stack's path, encrypted with its key. */
export function adminProfileParameter(env: string, admin: string): string {
  return `/openems/${env}/edge/admins/${admin}.ovpn`;
}

export interface ClientAuthorityArgs {
  readonly env: string;
  /** Oldest first; the last signs. */
  readonly generations: readonly string[];
  readonly kmsKeyArn: pulumi.Input<string>;
}

/**
 * The client authority of an environment: the client CA (every generation) and the tls-crypt-v2
 * server key. Their private parts live in this stack's state only; the server receives the CA
 * certificates and the tls-crypt-v2 server key through SSM parameters encrypted with the edge
 * key, which only the VPN server's role may decrypt (network/vpn.ts).
 */
export class ClientAuthority extends pulumi.ComponentResource {
  /** The newest generation, which signs device and admin certificates. */
  readonly signingKeyPem: pulumi.Output<string>;
  readonly signingCertPem: pulumi.Output<string>;
  /** Every generation's certificate, newest first: what the server trusts devices by. */
  readonly bundlePem: pulumi.Output<string>;
  readonly tlsCryptV2ServerKey: pulumi.Output<string>;

  constructor(name: string, args: ClientAuthorityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:edge:ClientAuthority", name, {}, opts);
    const child = { parent: this };
    // Replacing a CA or the tls-crypt-v2 server key would cut every device off: protected.
    const keep = { ...child, protect: true };
    const subject = { organization: "OpenEMS", organizationalUnit: `${args.env} edge` };
    const cas = args.generations.map((gen) => {
      const key = new tls.PrivateKey(`${name}-client-ca-${gen}`, { ...PKI_KEY_ALGORITHM }, keep);
      const cert = new tls.SelfSignedCert(
        `${name}-client-ca-${gen}`,
        {
          privateKeyPem: key.privateKeyPem,
          isCaCertificate: true,
          allowedUses: [...CA_ALLOWED_USES],
          subject: { ...subject, commonName: `openems-${args.env}-vpn-client-ca-${gen}` },
          validityPeriodHours: CLIENT_CA_VALIDITY_HOURS,
        },
        keep,
      );
      return { key, cert };
    });
    const signing = cas[cas.length - 1];
    this.signingKeyPem = pulumi.secret(signing.key.privateKeyPem);
    this.signingCertPem = signing.cert.certPem;
    this.bundlePem = pulumi
      .all([...cas].reverse().map((c) => c.cert.certPem))
      .apply((pems) => pems.map((p) => p.trim()).join("\n") + "\n");
    const serverKey = new random.RandomBytes(
      `${name}-tls-crypt-v2-server`,
      { length: TLS_CRYPT_V2_SERVER_KEY_BYTES },
      keep,
    );
    this.tlsCryptV2ServerKey = pulumi.secret(serverKey.hex.apply(formatTlsCryptV2ServerKey));

    const names = vpnParameterNames(args.env);
    secureParameter(
      `${name}-client-ca-bundle`,
      {
        name: names.clientCaBundle,
        value: this.bundlePem,
        keyId: args.kmsKeyArn,
        description: "OpenVPN client CA certificates (every trusted generation), for the server",
      },
      child,
    );
    secureParameter(
      `${name}-tls-crypt-v2-server-key`,
      {
        name: names.tlsCryptV2ServerKey,
        value: this.tlsCryptV2ServerKey,
        keyId: args.kmsKeyArn,
        description: "OpenVPN tls-crypt-v2 server key (unwraps each device's key), for the server",
      },
      child,
    );
    this.registerOutputs({ bundlePem: this.bundlePem });
  }

  /** A client certificate signed by the newest generation, with its key. */
  issue(
    name: string,
    commonName: string,
    organizationalUnit: string | undefined,
    lifetime: { validityPeriodHours: number; earlyRenewalHours: number },
    opts: pulumi.CustomResourceOptions,
  ) {
    const key = new tls.PrivateKey(name, { ...PKI_KEY_ALGORITHM }, opts);
    const csr = new tls.CertRequest(
      name,
      {
        privateKeyPem: key.privateKeyPem,
        subject: {
          commonName,
          organization: "OpenEMS",
          ...(organizationalUnit === undefined ? {} : { organizationalUnit }),
        },
      },
      opts,
    );
    const cert = new tls.LocallySignedCert(
      name,
      {
        certRequestPem: csr.certRequestPem,
        caPrivateKeyPem: this.signingKeyPem,
        caCertPem: this.signingCertPem,
        allowedUses: [...CLIENT_ALLOWED_USES],
        ...lifetime,
      },
      opts,
    );
    return { key, cert };
  }

  /** A peer's own tls-crypt-v2 key: its random Kc wrapped by the server key, naming the peer. */
  tlsCryptV2Key(
    name: string,
    commonName: string,
    opts: pulumi.CustomResourceOptions,
  ): pulumi.Output<string> {
    const kc = new random.RandomBytes(name, { length: TLS_CRYPT_V2_CLIENT_KEY_BYTES }, opts);
    // Secret as a whole: the server key is a Pulumi secret, and the value is made one as well.
    return combine([this.tlsCryptV2ServerKey, kc.hex], (serverKeyPem, clientKeyHex) =>
      pulumi.secret(wrapTlsCryptV2ClientKey({ serverKeyPem, clientKeyHex, metadata: commonName })),
    );
  }
}

/**
 * The inline `.ovpn` profile of one client (device or admin): the network's VPN endpoint and server
 * CA bundle, the client's certificate and key, and its own tls-crypt-v2 key.
 */
export function clientProfile(
  vpn: Upstream<typeof networkContract>["vpn"],
  certPem: pulumi.Output<string>,
  keyPem: pulumi.Output<string>,
  tlsCryptV2Key: pulumi.Output<string>,
): pulumi.Output<string> {
  return combine([vpn, tlsCryptV2Key, certPem, keyPem], (v, tc, clientCertPem, clientKeyPem) =>
    renderClientProfile({
      remoteHost: v.host,
      remotePort: v.port,
      serverCommonName: v.serverCommonName,
      caCertPem: v.serverCaPem,
      clientCertPem,
      clientKeyPem,
      tlsCryptV2Key: tc,
    }),
  );
}

export interface AdminProfilesArgs {
  readonly env: string;
  readonly admins: readonly string[];
  readonly authority: ClientAuthority;
  readonly network: Upstream<typeof networkContract>;
  readonly kmsKeyArn: pulumi.Input<string>;
}

/**
 * Admin VPN profiles (admin-<name>): a client certificate and a tls-crypt-v2 key each, in an SSM
 * SecureString. The network stack writes their ccd entries (pool addresses, admin ports only).
 */
export function adminProfiles(
  args: AdminProfilesArgs,
  opts: pulumi.CustomResourceOptions,
): Record<string, string> {
  const vpn = args.network.vpn;
  const out: Record<string, string> = {};
  for (const admin of args.admins) {
    const cn = `admin-${admin}`;
    const id = `${args.env}-${cn}`;
    const { key, cert } = args.authority.issue(
      id,
      cn,
      `${args.env} VPN`,
      ADMIN_CERT_LIFETIME,
      opts,
    );
    const tlsCryptV2Key = args.authority.tlsCryptV2Key(`${id}-tls-crypt-v2`, cn, opts);
    const profile = clientProfile(vpn, cert.certPem, key.privateKeyPem, tlsCryptV2Key);
    out[admin] = adminProfileParameter(args.env, admin);
    secureParameter(
      `${id}-profile`,
      {
        name: out[admin],
        value: profile,
        keyId: args.kmsKeyArn,
        description: `OpenVPN profile of admin ${admin}`,
      },
      opts,
    );
  }
  return out;
}

/**
 * The notAfter of the earliest device certificate, which the VPN server publishes as
 * CertificateDaysToExpiry{Certificate=earliest-device} (lib/openvpn/cert-expiry-script.ts). A plain
 * String: a date is no secret, and the server reads it without decryption.
 */
export function earliestCertExpiry(
  env: string,
  ends: pulumi.Output<string>[],
  opts: pulumi.CustomResourceOptions,
): aws.ssm.Parameter {
  return new aws.ssm.Parameter(
    `${env}-earliest-cert-expiry`,
    {
      name: vpnParameterNames(env).earliestDeviceCertExpiry,
      type: "String",
      tier: "Standard",
      value: pulumi.all(ends).apply((dates) => {
        const times = dates.map((d) => {
          const t = Date.parse(d);
          if (Number.isNaN(t))
            throw new Error(
              `earliestCertExpiry: got ${JSON.stringify(d)}; expected an RFC 3339 time`,
            );
          return t;
        });
        return new Date(Math.min(...times)).toISOString().replace(".000Z", "Z");
      }),
      description: "notAfter (RFC 3339) of the earliest edge device certificate",
    },
    opts,
  );
}
