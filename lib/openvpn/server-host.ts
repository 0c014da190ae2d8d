// The OpenVPN server as a host-agent manifest: everything the server holds (packages, server
// config, key material, firewall, ccd entries, metrics) comes from the manifest and the objects it
// names, never from user data, so a change reaches the running server and restarts only what the
// change touches. Pure: the network stack publishes the manifest and the objects.
import { renderCcdChecker } from "./ccd-check";
import { renderCertExpiryPublisher } from "./cert-expiry-script";
import { parseDirectives, singleDirective } from "./directives";
import { VpnAddressPlan } from "./address-plan";
import { renderMetricsPublisher } from "./metrics-script";
import { renderTlsCryptV2Verifier } from "./tls-crypt-v2-verify";
import { contentDigest, HostManifest, ManagedFile, NO_SSH_UNITS } from "../host-agent/manifest";

/** The distribution's unit (openvpn-server@.service): instance "server" reads server.conf. */
export const OPENVPN_UNIT = "openvpn-server@server.service";
export const FIREWALL_UNIT = "openvpn-firewall.service";
export const SERVER_CONF = "/etc/openvpn/server/server.conf";
export const FIREWALL_RULESET = "/etc/nftables/openvpn-filter.nft";
export const CCD_CHECKER = "/usr/local/libexec/openvpn-ccd-check";
const METRICS_SCRIPT = "/usr/local/sbin/openvpn-publish-metrics";
const CERT_EXPIRY_SCRIPT = "/usr/local/sbin/openvpn-publish-cert-expiry";
const AWS_ENV_FILE = "/etc/sysconfig/openvpn-aws";

/** One file of key material: where the server reads it and the SSM SecureString that holds it. */
export interface KeyMaterial {
  readonly path: string;
  readonly parameter: string;
  /** How the agent checks it before installing it. */
  readonly kind: "certificate" | "private-key" | "static-key";
  /** The Certificate dimension of CertificateDaysToExpiry ("server", "ca"); certificates only. */
  readonly expiryMetric?: string;
}

export interface VpnServerHostOptions {
  /** renderServerConfig's output: every key file it names must be in keyMaterial. */
  readonly serverConfig: string;
  readonly keyMaterial: readonly KeyMaterial[];
  /** The client range's plan and the admin profiles' common names, for the ccd check. */
  readonly plan: VpnAddressPlan;
  readonly adminCommonNames: readonly string[];
  /** renderServerFirewall's output. */
  readonly firewall: string;
  /** The ccd prefix and the prefix of host files in the server's bucket. */
  readonly ccdPrefix: string;
  readonly hostPrefix: string;
  readonly region: string;
  readonly metrics: {
    readonly namespace: string;
    readonly dimensions: Readonly<Record<string, string>>;
    readonly perDeviceMetrics?: boolean;
    readonly awayAfterSeconds?: number;
  };
  /** SSM parameter with the earliest device certificate's expiry, published when it exists. */
  readonly earliestDeviceParameter?: string;
  /** dnf packages (default openvpn, nftables, openssl). */
  readonly packages?: readonly string[];
}

export interface HostObject {
  readonly key: string;
  readonly content: string;
}

function fail(key: string, value: unknown, allowed: string): never {
  throw new Error(`vpnServerHost: ${key}: got ${JSON.stringify(value)}; expected ${allowed}`);
}

const VALIDATORS: Record<KeyMaterial["kind"], string[]> = {
  certificate: ["/usr/bin/openssl", "x509", "-noout", "-in", "{}"],
  "private-key": ["/usr/bin/openssl", "pkey", "-noout", "-in", "{}"],
  "static-key": ["/usr/bin/grep", "-q", "^-----BEGIN OpenVPN", "{}"],
};

// Directives whose argument is a file the server cannot start without.
const KEY_DIRECTIVES = [
  "ca",
  "cert",
  "key",
  "tls-crypt",
  "tls-crypt-v2",
  "tls-auth",
  "crl-verify",
  "dh",
];

const timer = (what: string, every: string, boot = "1min") => `[Unit]
Description=${what}

[Timer]
OnBootSec=${boot}
OnUnitActiveSec=${every}
AccuracySec=5s

[Install]
WantedBy=timers.target
`;

const oneshot = (what: string, exec: string) => `[Unit]
Description=${what}
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
EnvironmentFile=${AWS_ENV_FILE}
ExecStart=${exec}
`;

export function renderFirewallUnit(): string {
  return `[Unit]
Description=nftables filter for what arrives from the OpenVPN tunnel
Before=${OPENVPN_UNIT}

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/sbin/nft -f ${FIREWALL_RULESET}
# Reload replaces the table in one transaction; stop removes it (and stops OpenVPN with it).
ExecReload=/usr/sbin/nft -f ${FIREWALL_RULESET}
ExecStop=/usr/sbin/nft delete table inet openvpn_filter

[Install]
WantedBy=multi-user.target
`;
}

/** OpenVPN never runs without the filter: if the ruleset does not load, the server does not start. */
export function renderOpenvpnDropIn(): string {
  return `[Unit]
Requires=${FIREWALL_UNIT}
After=${FIREWALL_UNIT}
`;
}

/**
 * The S3 objects (under hostPrefix) the VPN server's files come from, and its manifest for the
 * bucket they are written to (a function: the bucket's name is known only once it exists).
 */
export function vpnServerHost(opts: VpnServerHostOptions): {
  objects: HostObject[];
  manifest: (bucket: string) => HostManifest;
} {
  const directives = parseDirectives(opts.serverConfig);
  const one = (name: string) => {
    try {
      return singleDirective(directives, name);
    } catch (err) {
      return fail("serverConfig", name, (err as Error).message.replace(/\.$/, ""));
    }
  };
  const ccdDir = one("client-config-dir")[0];
  const [statusFile, statusInterval] = one("status");
  const group = one("group")[0];
  // The key check the server runs before TLS: "<script> <ccd directory>", installed here.
  const [verifier, ...verifierArgs] = (one("tls-crypt-v2-verify")[0] ?? "").split(" ");
  if (!verifier.startsWith("/") || verifierArgs.length !== 1 || verifierArgs[0] !== ccdDir) {
    fail(
      "serverConfig",
      `tls-crypt-v2-verify ${one("tls-crypt-v2-verify").join(" ")}`,
      `"<absolute script path> ${ccdDir}" (the client-config-dir), as renderServerConfig writes it`,
    );
  }
  if (one("script-security")[0] !== "2") {
    fail("serverConfig", "script-security", "2, without which OpenVPN runs no tls-crypt-v2-verify");
  }
  const delivered = new Set(opts.keyMaterial.map((k) => k.path));
  for (const d of directives.filter((x) => KEY_DIRECTIVES.includes(x.name))) {
    if (d.name === "dh" && d.args[0] === "none") continue;
    if (d.inline !== undefined)
      fail("serverConfig", `<${d.name}>`, "key files by path, never inline");
    if (!delivered.has(d.args[0])) {
      fail("keyMaterial", [...delivered], `an entry for ${d.args[0]} (the config's ${d.name})`);
    }
  }
  opts.keyMaterial.forEach((k, i) => {
    if (!(k.kind in VALIDATORS))
      fail(`keyMaterial[${i}].kind`, k.kind, "certificate, private-key or static-key");
    if (k.expiryMetric !== undefined && k.kind !== "certificate") {
      fail(`keyMaterial[${i}].expiryMetric`, k.expiryMetric, "only on certificates");
    }
  });
  if (!opts.hostPrefix.endsWith("/") || !opts.ccdPrefix.endsWith("/")) {
    fail("hostPrefix/ccdPrefix", [opts.hostPrefix, opts.ccdPrefix], "prefixes ending in /");
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(opts.region))
    fail("region", opts.region, "an AWS region such as eu-central-1");

  const objects: HostObject[] = [];
  // Filled in by the returned function once the bucket's name is known.
  const BUCKET = "\u0000bucket";
  const fromS3 = (path: string, content: string, extra: Partial<ManagedFile> = {}): ManagedFile => {
    const key = `${opts.hostPrefix}${path.split("/").pop()}`;
    objects.push({ key, content });
    return {
      path,
      source: { s3Object: { bucket: BUCKET, key } },
      sha256: contentDigest(content),
      ...extra,
    };
  };
  const inline = (
    path: string,
    content: string,
    extra: Partial<ManagedFile> = {},
  ): ManagedFile => ({
    path,
    source: { inline: content },
    ...extra,
  });
  const restartOpenvpn = { onChange: { restart: [OPENVPN_UNIT] } };
  const certificates = opts.keyMaterial
    .filter((k) => k.expiryMetric !== undefined)
    .map((k) => ({ file: k.path, name: k.expiryMetric as string }));

  const metricsScript = renderMetricsPublisher({
    statusFile,
    statusIntervalSeconds: Number(statusInterval ?? "60"),
    ccdDir,
    namespace: opts.metrics.namespace,
    dimensions: opts.metrics.dimensions,
    perDeviceMetrics: opts.metrics.perDeviceMetrics,
    awayAfterSeconds: opts.metrics.awayAfterSeconds,
  });
  const files: ManagedFile[] = [
    inline("/etc/sysctl.d/90-openvpn-forwarding.conf", "net.ipv4.ip_forward = 1\n", {
      onChange: { restart: ["systemd-sysctl.service"] },
    }),
    inline(AWS_ENV_FILE, `AWS_REGION=${opts.region}\nAWS_DEFAULT_REGION=${opts.region}\n`),
    fromS3(FIREWALL_RULESET, opts.firewall, {
      validate: ["/usr/sbin/nft", "-c", "-f", "{}"],
      onChange: { reload: [FIREWALL_UNIT] },
    }),
    fromS3(`/etc/systemd/system/${FIREWALL_UNIT}`, renderFirewallUnit()),
    inline(`/etc/systemd/system/${OPENVPN_UNIT}.d/10-firewall.conf`, renderOpenvpnDropIn()),
    ...opts.keyMaterial.map((k) => ({
      path: k.path,
      source: { ssmParameter: k.parameter, decrypt: true },
      validate: VALIDATORS[k.kind],
      ...restartOpenvpn,
    })),
    fromS3(SERVER_CONF, opts.serverConfig, restartOpenvpn),
    fromS3(
      CCD_CHECKER,
      renderCcdChecker({ plan: opts.plan, adminCommonNames: opts.adminCommonNames }),
      {
        mode: "0755",
      },
    ),
    // Run per connection attempt, so a change needs no restart.
    fromS3(verifier, renderTlsCryptV2Verifier(), { mode: "0755" }),
    fromS3(METRICS_SCRIPT, metricsScript, { mode: "0755" }),
    fromS3(
      "/etc/systemd/system/openvpn-metrics.service",
      oneshot("Publish OpenVPN connection metrics", METRICS_SCRIPT),
    ),
    fromS3(
      "/etc/systemd/system/openvpn-metrics.timer",
      timer("Publish OpenVPN connection metrics", "60s", "30s"),
    ),
    fromS3(
      CERT_EXPIRY_SCRIPT,
      renderCertExpiryPublisher({
        namespace: opts.metrics.namespace,
        dimensions: opts.metrics.dimensions,
        certificates,
        earliestDeviceParameter: opts.earliestDeviceParameter,
      }),
      { mode: "0755" },
    ),
    fromS3(
      "/etc/systemd/system/openvpn-cert-expiry.service",
      oneshot("Publish VPN certificate expiry", CERT_EXPIRY_SCRIPT),
    ),
    fromS3(
      "/etc/systemd/system/openvpn-cert-expiry.timer",
      timer("Publish VPN certificate expiry", "1h", "5min"),
    ),
  ];
  const manifest: HostManifest = {
    packages: [...(opts.packages ?? ["openvpn", "nftables", "openssl"])],
    directories: [
      // The server reads ccd entries after dropping to its own account: its group needs the path.
      { path: "/etc/openvpn/server", mode: "0750", owner: "root", group },
      { path: ccdDir, mode: "0755" },
    ],
    files,
    trees: [
      {
        path: ccdDir,
        source: { s3Prefix: { bucket: BUCKET, prefix: opts.ccdPrefix } },
        validate: [CCD_CHECKER, "{name}", "{}"],
      },
    ],
    units: [
      ...NO_SSH_UNITS,
      { name: FIREWALL_UNIT, state: "running", requires: [FIREWALL_RULESET] },
      {
        name: OPENVPN_UNIT,
        state: "running",
        requires: [SERVER_CONF, verifier, ...opts.keyMaterial.map((k) => k.path)],
      },
      { name: "openvpn-metrics.timer", state: "running" },
      { name: "openvpn-cert-expiry.timer", state: "running" },
    ],
  };
  const withBucket = (bucket: string): HostManifest => ({
    ...manifest,
    files: files.map((f) =>
      "s3Object" in f.source ? { ...f, source: { s3Object: { ...f.source.s3Object, bucket } } } : f,
    ),
    trees: manifest.trees?.map((t) => ({
      ...t,
      source: { s3Prefix: { ...t.source.s3Prefix, bucket } },
    })),
  });
  return { objects, manifest: withBucket };
}
