// The VPN server's own packet filter: what may arrive from the tunnel. Security groups filter at
// the instance's interface; this filters between the tun device and everything else, so a device
// cannot reach the server itself (its SSH, its metadata credentials, anything listening) and
// reaches the VPC only where the access table lets it.
import type { AccessRule } from "../net/access";
import { checkCidr, parseCidr } from "../net/ipv4";

/** A source range in the VPN client range and a TCP port it may reach in the VPC. */
export interface TunnelGrant {
  readonly source: string;
  readonly port: number;
}

export const FIREWALL_TABLE = "openvpn_filter";

/**
 * What the access table grants to sources inside the VPN client range: the backend's ingress rules
 * whose peer is a VPN range (devices to the edge websocket, the admin pool to the admin ports).
 */
export function tunnelGrants(rules: readonly AccessRule[], clientCidr: string): TunnelGrant[] {
  const client = parseCidr(clientCidr);
  const inside = (cidr: string) => {
    const c = parseCidr(cidr);
    return c.first >= client.first && c.first + c.size <= client.first + client.size;
  };
  return rules
    .filter((r) => r.direction === "ingress" && r.protocol === "tcp")
    .flatMap((r) =>
      "cidr" in r.peer && inside(r.peer.cidr) ? [{ source: r.peer.cidr, port: r.port }] : [],
    );
}

export interface FirewallOptions {
  /** Where granted traffic may go (the VPC). */
  readonly destinations: readonly string[];
  readonly grants: readonly TunnelGrant[];
  /** Interface name pattern of the tunnel (default "tun*"). */
  readonly tunnel?: string;
}

function fail(key: string, value: unknown, allowed: string): never {
  throw new Error(
    `renderServerFirewall: ${key}: got ${JSON.stringify(value)}; expected ${allowed}`,
  );
}

/**
 * The nftables ruleset (one table; `nft -f` replaces it atomically, so reloading never opens a gap):
 * input from the tunnel: replies only; forward from the tunnel: never to another client, the
 * granted source/port pairs to the destinations, nothing else. Refused packets are counted and
 * logged (rate-limited) with the prefix "openvpn-drop".
 */
export function renderServerFirewall(opts: FirewallOptions): string {
  const tunnel = opts.tunnel ?? "tun*";
  if (!/^[a-z0-9]{1,14}\*?$/.test(tunnel)) fail("tunnel", tunnel, "an interface name such as tun*");
  if (opts.destinations.length === 0) fail("destinations", opts.destinations, "at least one CIDR");
  opts.destinations.forEach(
    (d, i) => checkCidr(d).ok || fail(`destinations[${i}]`, d, "an IPv4 CIDR"),
  );
  if (opts.grants.length === 0) fail("grants", opts.grants, "at least one source and port");
  opts.grants.forEach((g, i) => {
    if (!checkCidr(g.source).ok) fail(`grants[${i}].source`, g.source, "an IPv4 CIDR");
    if (!Number.isInteger(g.port) || g.port < 1 || g.port > 65535 || g.port === 22) {
      fail(`grants[${i}].port`, g.port, "a TCP port from 1 to 65535, never 22");
    }
  });
  const bySource = new Map<string, number[]>();
  for (const g of opts.grants) bySource.set(g.source, [...(bySource.get(g.source) ?? []), g.port]);
  const dest = `{ ${opts.destinations.join(", ")} }`;
  const iif = `iifname "${tunnel}"`;
  const drop = (chain: string) =>
    `    ${iif} limit rate 10/minute log prefix "openvpn-drop ${chain}: " counter drop`;
  return [
    `# What may arrive from the OpenVPN tunnel. Rendered by lib/openvpn/firewall.ts.`,
    `table inet ${FIREWALL_TABLE}`,
    `delete table inet ${FIREWALL_TABLE}`,
    `table inet ${FIREWALL_TABLE} {`,
    `  chain input {`,
    `    type filter hook input priority filter; policy accept;`,
    `    ${iif} ct state established,related accept`,
    drop("input"),
    `    ${iif} counter drop`,
    `  }`,
    `  chain forward {`,
    `    type filter hook forward priority filter; policy accept;`,
    // Devices at different sites must not reach each other through the kernel's routing.
    `    ${iif} oifname "${tunnel}" counter drop`,
    `    ${iif} ct state established,related accept`,
    ...[...bySource.entries()].map(
      ([source, ports]) =>
        `    ${iif} ip saddr ${source} ip daddr ${dest} tcp dport { ${[...new Set(ports)].sort((a, b) => a - b).join(", ")} } ct state new accept`,
    ),
    drop("forward"),
    `    ${iif} counter drop`,
    `  }`,
    `}`,
    "",
  ].join("\n");
}
