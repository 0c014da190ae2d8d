import { NetworkConfig } from "../config/network";
import { ADMIN_PORTS, PORT_MAP } from "../ports";
import { vpnRanges } from "./vpn-ranges";

export { vpnRanges, type VpnRanges } from "./vpn-ranges";

/** The security groups of an environment, by the role their members play. */
export const GROUP_ROLES = [
  "vpn-server",
  "openems-backend",
  "mbe-proxy",
  "interface-endpoints",
  "nat-instance",
  "admin-alb",
] as const;
export type GroupRole = (typeof GROUP_ROLES)[number];

export type Peer = { readonly cidr: string } | { readonly group: GroupRole };

/** One security group rule: one protocol, one port, one peer, always with a description. */
export interface AccessRule {
  readonly group: GroupRole;
  readonly direction: "ingress" | "egress";
  readonly protocol: "tcp" | "udp";
  readonly port: number;
  readonly peer: Peer;
  readonly description: string;
}

/** AWS accepts only these characters in a security group rule description (255 at most). */
export const RULE_DESCRIPTION = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]{1,255}$/;

const ANYWHERE = "0.0.0.0/0";

/**
 * The access table (README, "Network") as rules, derived from the validated network section. Ingress is
 * only what the table allows; egress is only what each role needs (HTTPS to AWS APIs and package
 * repositories, and the backend ports the VPN forwards to). Port 22 appears nowhere.
 */
export function accessRules(net: NetworkConfig): AccessRule[] {
  const ranges = vpnRanges(net.vpn.clientCidr);
  const rules: AccessRule[] = [];
  const add = (
    group: GroupRole,
    direction: AccessRule["direction"],
    protocol: AccessRule["protocol"],
    port: number,
    peer: Peer,
    description: string,
  ) => rules.push({ group, direction, protocol, port, peer, description });
  const vpnSources = net.vpn.allowlist.length > 0 ? net.vpn.allowlist : [ANYWHERE];
  // Without a NAT the backend reaches only the endpoints; with endpoints the proxy needs no more.
  const backendEgress = net.natStrategy === "none" ? net.vpcCidr : ANYWHERE;
  const proxyEgress = net.interfaceEndpoints ? net.vpcCidr : ANYWHERE;

  for (const cidr of vpnSources) {
    add(
      "vpn-server",
      "ingress",
      "udp",
      net.vpn.port,
      { cidr },
      `OpenVPN from ${cidr === ANYWHERE ? "edge devices anywhere (certificate required)" : `allowlisted ${cidr}`}`,
    );
  }
  add(
    "vpn-server",
    "egress",
    "tcp",
    443,
    { cidr: ANYWHERE },
    "HTTPS to SSM, S3 (ccd sync), CloudWatch and package repositories",
  );
  add(
    "vpn-server",
    "egress",
    "tcp",
    PORT_MAP.edgeWebsocket,
    { group: "openems-backend" },
    "Devices (routed from the tunnel) to the OpenEMS edge websocket",
  );
  for (const port of ADMIN_PORTS) {
    add(
      "vpn-server",
      "egress",
      "tcp",
      port,
      { group: "openems-backend" },
      `Admin VPN profiles (routed from the tunnel) to OpenEMS admin port ${port}`,
    );
  }

  for (const cidr of ranges.deviceCidrs) {
    add(
      "openems-backend",
      "ingress",
      "tcp",
      PORT_MAP.edgeWebsocket,
      { cidr },
      `Edge devices (VPN device range ${cidr}) to the edge websocket`,
    );
  }
  for (const port of ADMIN_PORTS) {
    add(
      "openems-backend",
      "ingress",
      "tcp",
      port,
      { cidr: ranges.adminCidr },
      `Admin VPN profiles (${ranges.adminCidr}) to admin port ${port}`,
    );
    for (const cidr of net.adminAllowlist) {
      add(
        "openems-backend",
        "ingress",
        "tcp",
        port,
        { cidr },
        `Allowlisted admin source ${cidr} to admin port ${port}`,
      );
    }
  }
  add(
    "openems-backend",
    "ingress",
    "tcp",
    PORT_MAP.b2bRest,
    { group: "mbe-proxy" },
    "MBE proxy Lambda to OpenEMS B2B JSON-RPC",
  );
  add(
    "openems-backend",
    "egress",
    "tcp",
    443,
    { cidr: backendEgress },
    "HTTPS to AWS APIs and container registries",
  );

  add(
    "mbe-proxy",
    "egress",
    "tcp",
    PORT_MAP.b2bRest,
    { group: "openems-backend" },
    "OpenEMS B2B JSON-RPC on the backend host",
  );
  add(
    "mbe-proxy",
    "egress",
    "tcp",
    443,
    { cidr: proxyEgress },
    "HTTPS to Secrets Manager for the B2B credentials",
  );

  if (net.interfaceEndpoints) {
    add(
      "interface-endpoints",
      "ingress",
      "tcp",
      443,
      { cidr: net.vpcCidr },
      "HTTPS from inside the VPC to the AWS API endpoints",
    );
  }
  if (net.natStrategy === "instance") {
    for (const port of [80, 443]) {
      add(
        "nat-instance",
        "ingress",
        "tcp",
        port,
        { cidr: net.vpcCidr },
        `Port ${port} from the VPC, to be translated`,
      );
      add(
        "nat-instance",
        "egress",
        "tcp",
        port,
        { cidr: ANYWHERE },
        `Port ${port} to the internet on behalf of the VPC`,
      );
    }
  }
  return rules;
}

/** The groups the network stack owns: endpoint and NAT groups only when the file asks for them. */
export function groupRoles(net: NetworkConfig): GroupRole[] {
  return GROUP_ROLES.filter(
    (role) =>
      role !== "admin-alb" &&
      (role !== "interface-endpoints" || net.interfaceEndpoints) &&
      (role !== "nat-instance" || net.natStrategy === "instance"),
  );
}

/** The UI and Odoo: what the HTTPS load balancer forwards to. */
export const ALB_TARGET_PORTS = [PORT_MAP.ui, PORT_MAP.odoo] as const;

/**
 * The admin load balancer's part of the access table (workloads owns the load balancer): HTTPS,
 * and HTTP only to be redirected, from the admin allowlist; out to the UI and Odoo only.
 */
export function albAccessRules(adminAllowlist: readonly string[]): AccessRule[] {
  const rules: AccessRule[] = [];
  for (const cidr of adminAllowlist) {
    rules.push({
      group: "admin-alb",
      direction: "ingress",
      protocol: "tcp",
      port: 443,
      peer: { cidr },
      description: `HTTPS from allowlisted admin source ${cidr}`,
    });
    rules.push({
      group: "admin-alb",
      direction: "ingress",
      protocol: "tcp",
      port: 80,
      peer: { cidr },
      description: `HTTP from allowlisted admin source ${cidr}, redirected to HTTPS`,
    });
  }
  for (const port of ALB_TARGET_PORTS) {
    rules.push({
      group: "admin-alb",
      direction: "egress",
      protocol: "tcp",
      port,
      peer: { group: "openems-backend" },
      description: `Load balancer to the backend on ${port}`,
    });
    rules.push({
      group: "openems-backend",
      direction: "ingress",
      protocol: "tcp",
      port,
      peer: { group: "admin-alb" },
      description: `Admin load balancer to port ${port}`,
    });
  }
  return rules;
}

/** A stable, readable resource name for a rule; a change of peer or port makes a new rule. */
export function ruleName(env: string, rule: AccessRule): string {
  const peer = "cidr" in rule.peer ? rule.peer.cidr.replace(/[./:]/g, "-") : rule.peer.group;
  return `${env}-${rule.group}-${rule.direction === "ingress" ? "in" : "out"}-${rule.protocol}${rule.port}-${peer}`;
}
