import { vpnAddressPlan, VpnAddressPlan } from "./address-plan";
import { DATA_CIPHERS, TLS_VERSION_MIN } from "./crypto-policy";
import { DEFAULT_VPN_PORT } from "../ports";
import { Cidr, checkCidr, intToIp, netmask, overlaps, parseCidr, parseIpv4 } from "../net/ipv4";

export { vpnAddressPlan, validateDeviceAddress, isStaticDeviceAddress } from "./address-plan";
export type { VpnAddressPlan, VpnAddressPlanOptions, AddressRange } from "./address-plan";

/** Where the server reads its material and writes its status. */
export interface ServerPaths {
  /** The CAs devices' certificates chain to (a bundle of every trusted generation). */
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** The tls-crypt-v2 server key, which unwraps each device's own tls-crypt-v2 key. */
  readonly tlsCryptV2: string;
  /** The script that accepts a device's tls-crypt-v2 key only while it has a ccd entry. */
  readonly tlsCryptV2Verify: string;
  readonly ccdDir: string;
  readonly status: string;
}

// The layout of the distribution's openvpn-server@.service (WorkingDirectory=/etc/openvpn/server).
// The status path is the one the unit itself passes with --status, so the config's own `status`
// directive (which wins, because the unit's --config comes last) points at the same file.
export const DEFAULT_SERVER_PATHS: ServerPaths = {
  ca: "/etc/openvpn/server/client-ca.crt",
  cert: "/etc/openvpn/server/server.crt",
  key: "/etc/openvpn/server/server.key",
  tlsCryptV2: "/etc/openvpn/server/tls-crypt-v2-server.key",
  tlsCryptV2Verify: "/usr/local/libexec/openvpn-tls-crypt-v2-verify",
  ccdDir: "/etc/openvpn/server/ccd",
  status: "/run/openvpn-server/status-server.log",
};

export interface ServerConfigOptions {
  /** The environment's VPN client range, e.g. "10.100.0.0/22" (/16../28). Required. */
  readonly clientCidr: string;
  /** VPC CIDRs pushed as routes (split tunnel). At least one; none may overlap clientCidr. */
  readonly pushRoutes: readonly string[];
  /** UDP port (default DEFAULT_VPN_PORT, 1194). 22 is refused: nothing in this estate may look like SSH. */
  readonly port?: number;
  /** Bind address (default: all addresses). Tests bind 127.0.0.1. */
  readonly listenAddress?: string;
  /** Dynamic pool size for clients without a static address (default: see vpnAddressPlan). */
  readonly dynamicPoolSize?: number;
  /**
   * Account the server drops to after start-up (default "openvpn"/"openvpn": the dedicated account
   * the Amazon Linux 2023 package creates and the group that may read /etc/openvpn/server; AL2023
   * has no "nogroup" group). Debian hosts use "nobody"/"nogroup".
   */
  readonly user?: string;
  readonly group?: string;
  /** File locations (default DEFAULT_SERVER_PATHS). */
  readonly paths?: Partial<ServerPaths>;
  /** Status file rewrite interval (default 30 s; the metrics timer reads it every minute). */
  readonly statusIntervalSeconds?: number;
  /** Ping interval and restart timeout pushed to clients (default 10 s / 60 s). */
  readonly keepalive?: { readonly intervalSeconds: number; readonly timeoutSeconds: number };
  /**
   * Seconds between TLS renegotiations (default 3600, OpenVPN's own). Every renegotiation re-runs
   * the ccd-exclusive check, so this bounds how long a device whose ccd entry was deleted stays
   * connected; each renegotiation costs a few KB on the devices' (possibly metered) uplinks.
   */
  readonly renegotiateSeconds?: number;
  /** Log verbosity (default 3). */
  readonly verbosity?: number;
}

const ACCOUNT_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;
// OpenVPN splits config lines on whitespace and treats quotes and '#'/';' specially; paths are
// restricted instead of quoted so the rendered file stays trivially parseable.
const SAFE_PATH = /^\/[A-Za-z0-9._\/-]+$/;
// Shorter prefixes are a full tunnel in disguise (0.0.0.0/1 + 128.0.0.0/1 = redirect-gateway def1).
const MIN_PUSHED_PREFIX = 8;

function fail(key: string, value: unknown, allowed: string): never {
  throw new Error(`renderServerConfig: '${key}' is ${JSON.stringify(value)}: ${allowed}.`);
}

function checkInteger(key: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(key, value, `it must be an integer from ${min} to ${max}`);
  }
}

/** Validates everything and returns the resolved values; throws naming the first bad key. */
export function validateServerConfigOptions(opts: ServerConfigOptions): ResolvedServerConfig {
  const port = opts.port ?? DEFAULT_VPN_PORT;
  checkInteger("port", port, 1, 65535);
  if (port === 22) {
    fail(
      "port",
      port,
      `port 22 is reserved for SSH, which this estate never exposes; use ${DEFAULT_VPN_PORT}`,
    );
  }
  if (opts.listenAddress !== undefined && parseIpv4(opts.listenAddress) === undefined) {
    fail("listenAddress", opts.listenAddress, "it must be a dotted-quad IPv4 address");
  }

  let plan: VpnAddressPlan;
  try {
    plan = vpnAddressPlan(opts.clientCidr, { dynamicPoolSize: opts.dynamicPoolSize });
  } catch (err) {
    const message = (err as Error).message.replace(/^vpnAddressPlan: /, "");
    throw new Error(`renderServerConfig: ${message}`);
  }
  const clientRange = parseCidr(opts.clientCidr);

  if (!Array.isArray(opts.pushRoutes) || opts.pushRoutes.length === 0) {
    fail("pushRoutes", opts.pushRoutes, "at least one VPC CIDR must be pushed to the clients");
  }
  const pushRoutes: Cidr[] = [];
  opts.pushRoutes.forEach((text, i) => {
    const key = `pushRoutes[${i}]`;
    const parsed = checkCidr(text);
    if (!parsed.ok) {
      fail(key, text, parsed.reason);
    }
    if (parsed.cidr.prefix < MIN_PUSHED_PREFIX) {
      fail(key, text, `the prefix must be /${MIN_PUSHED_PREFIX} or longer (split tunnel only)`);
    }
    if (overlaps(parsed.cidr, clientRange)) {
      fail(key, text, `it overlaps the VPN client range ${opts.clientCidr}`);
    }
    if (pushRoutes.some((r) => r.first === parsed.cidr.first && r.size === parsed.cidr.size)) {
      fail(key, text, "it is listed twice");
    }
    pushRoutes.push(parsed.cidr);
  });

  const user = opts.user ?? "openvpn";
  const group = opts.group ?? "openvpn";
  if (!ACCOUNT_NAME.test(user)) {
    fail("user", user, "it must be a POSIX account name such as openvpn or nobody");
  }
  if (!ACCOUNT_NAME.test(group)) {
    fail("group", group, "it must be a POSIX group name such as openvpn or nogroup");
  }

  const paths: ServerPaths = { ...DEFAULT_SERVER_PATHS, ...(opts.paths ?? {}) };
  for (const [name, value] of Object.entries(paths)) {
    if (typeof value !== "string" || !SAFE_PATH.test(value)) {
      fail(`paths.${name}`, value, "it must be an absolute path of letters, digits and . _ - /");
    }
  }

  const statusIntervalSeconds = opts.statusIntervalSeconds ?? 30;
  checkInteger("statusIntervalSeconds", statusIntervalSeconds, 1, 3600);
  const keepalive = opts.keepalive ?? { intervalSeconds: 10, timeoutSeconds: 60 };
  checkInteger("keepalive.intervalSeconds", keepalive.intervalSeconds, 1, 3600);
  checkInteger("keepalive.timeoutSeconds", keepalive.timeoutSeconds, 2, 7200);
  if (keepalive.timeoutSeconds < 2 * keepalive.intervalSeconds) {
    fail(
      "keepalive.timeoutSeconds",
      keepalive.timeoutSeconds,
      `it must be at least twice keepalive.intervalSeconds (${keepalive.intervalSeconds})`,
    );
  }
  const renegotiateSeconds = opts.renegotiateSeconds ?? 3600;
  checkInteger("renegotiateSeconds", renegotiateSeconds, 1, 86400);
  const verbosity = opts.verbosity ?? 3;
  checkInteger("verbosity", verbosity, 0, 11);

  return {
    port,
    listenAddress: opts.listenAddress,
    plan,
    pushRoutes,
    user,
    group,
    paths,
    statusIntervalSeconds,
    keepalive,
    renegotiateSeconds,
    verbosity,
  };
}

export interface ResolvedServerConfig {
  readonly port: number;
  readonly listenAddress?: string;
  readonly plan: VpnAddressPlan;
  readonly pushRoutes: readonly Cidr[];
  readonly user: string;
  readonly group: string;
  readonly paths: ServerPaths;
  readonly statusIntervalSeconds: number;
  readonly keepalive: { readonly intervalSeconds: number; readonly timeoutSeconds: number };
  readonly renegotiateSeconds: number;
  readonly verbosity: number;
}

/**
 * The OpenVPN 2.6 server configuration. It holds paths, never key material, so it can travel in
 * EC2 user data and Pulumi state in clear text.
 */
export function renderServerConfig(opts: ServerConfigOptions): string {
  const c = validateServerConfigOptions(opts);
  const { plan, paths } = c;
  const lines = [
    "# OpenVPN server for OpenEMS Edge devices. Rendered by network/openvpn/server-config.ts;",
    "# edit the Pulumi program, not this file.",
    "",
    ...(c.listenAddress ? [`local ${c.listenAddress}`] : []),
    "proto udp",
    `port ${c.port}`,
    "dev tun",
    "topology subnet",
    "",
    `# Address plan for ${plan.cidr}: server ${plan.serverAddress}, dynamic pool`,
    `# ${plan.dynamicPool.first}-${plan.dynamicPool.last} (clients without ifconfig-push),`,
    `# static device addresses ${plan.staticRange.first}-${plan.staticRange.last} (pushed by ccd).`,
    // nopool: `server` would otherwise claim the whole range for its pool and could hand a
    // device's static address to another client.
    `server ${plan.network} ${plan.netmask} nopool`,
    `ifconfig-pool ${plan.dynamicPool.first} ${plan.dynamicPool.last} ${plan.netmask}`,
    // The default of 1024 would silently cap a large fleet.
    `max-clients ${plan.dynamicPool.size + plan.staticRange.size}`,
    "",
    "# Split tunnel: only the VPC is routed through the VPN, never the default route.",
    ...c.pushRoutes.map((r) => `push "route ${intToIp(r.first)} ${netmask(r.prefix)}"`),
    "",
    "# Only devices with a ccd entry may connect. The check runs at every TLS negotiation, so",
    "# deleting the entry revokes a device at its next reconnect or renegotiation, without a CRL.",
    `client-config-dir ${paths.ccdDir}`,
    "ccd-exclusive",
    `reneg-sec ${c.renegotiateSeconds}`,
    "",
    // Devices' certificates chain to the client CA (bundle), which the edge stack holds; the
    // server's own certificate chains to the network stack's server CA, which is not trusted here.
    `ca ${paths.ca}`,
    `cert ${paths.cert}`,
    `key ${paths.key}`,
    // Each device wraps its handshakes with its own key; the server unwraps them with this one.
    `tls-crypt-v2 ${paths.tlsCryptV2}`,
    // Before any TLS, the key's metadata (the device's common name) must have a ccd entry: a
    // removed device's key is dropped without reaching the X.509 code (tls-crypt-v2-verify.ts).
    // OpenVPN runs no external program below script-security 2 (run_command.c).
    "script-security 2",
    `tls-crypt-v2-verify "${paths.tlsCryptV2Verify} ${paths.ccdDir}"`,
    // ECDHE only; no finite-field DH parameters to generate or ship.
    "dh none",
    "verify-client-cert require",
    "remote-cert-tls client",
    `tls-version-min ${TLS_VERSION_MIN}`,
    `data-ciphers ${DATA_CIPHERS.join(":")}`,
    "",
    `keepalive ${c.keepalive.intervalSeconds} ${c.keepalive.timeoutSeconds}`,
    // Tells connected devices to reconnect at once when the server restarts (config change,
    // instance replacement) instead of waiting for the keepalive timeout.
    "explicit-exit-notify 1",
    "",
    `user ${c.user}`,
    `group ${c.group}`,
    "persist-key",
    "persist-tun",
    "",
    `status ${paths.status} ${c.statusIntervalSeconds}`,
    // Version 3 is tab-separated, which the metrics publisher parses without ambiguity.
    "status-version 3",
    `verb ${c.verbosity}`,
    "",
  ];
  return lines.join("\n");
}
