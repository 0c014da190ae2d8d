import { asList, read, UNKNOWN } from "./values";

/**
 * One ingress permission, whichever of the three ways the AWS provider offers it was written in:
 * an inline `ingress` block of a security group, a legacy `SecurityGroupRule` of type ingress, or
 * a `vpc.SecurityGroupIngressRule`. The policies reason about this shape only, so the three forms
 * cannot drift apart.
 */
export interface IngressPermission {
  /** Where it sits in the resource, for messages: `ingress[1]`, or `rule` for a rule resource. */
  readonly at: string;
  /** `tcp`, `udp`, `icmp`, `icmpv6`, `all`, or the protocol number AWS was given. */
  readonly protocol: string;
  /** First and last port; `all` and port-less TCP/UDP cover 0-65535. */
  readonly fromPort: number;
  readonly toPort: number;
  /** IPv4 and IPv6 source blocks; unknown blocks are left out (they are never `/0` literals). */
  readonly cidrs: readonly string[];
  /** Also open to a security group, a prefix list or the group itself. */
  readonly otherSources: boolean;
}

const PROTOCOL_NUMBERS: Record<string, string> = {
  "-1": "all",
  "6": "tcp",
  "17": "udp",
  "1": "icmp",
  "58": "icmpv6",
};

/** AWS accepts names or numbers, in any case; `-1` and `all` mean every protocol. */
export function normalizeProtocol(value: unknown): string {
  const text = String(value ?? "")
    .trim()
    .toLowerCase();
  return PROTOCOL_NUMBERS[text] ?? text;
}

function portOf(get: () => unknown): number | undefined {
  const v = read(get);
  if (v === UNKNOWN || v === undefined || v === null || v === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

type Getters = { protocol: () => unknown; fromPort: () => unknown; toPort: () => unknown };

function permission(
  at: string,
  get: Getters,
  cidrs: unknown[],
  otherSources: boolean,
): IngressPermission {
  // An unknown protocol is checked as the widest one: the policy must not pass what it cannot see.
  const rawProtocol = read(get.protocol);
  const protocol = rawProtocol === UNKNOWN ? "all" : normalizeProtocol(rawProtocol);
  let fromPort = portOf(get.fromPort);
  let toPort = portOf(get.toPort);
  // "All traffic" ignores ports; TCP or UDP without ports would be every port, so count it as such.
  const portless = fromPort === undefined || toPort === undefined || fromPort < 0;
  if (protocol === "all" || ((protocol === "tcp" || protocol === "udp") && portless)) {
    fromPort = 0;
    toPort = 65535;
  }
  return {
    at,
    protocol,
    fromPort: fromPort ?? -1,
    toPort: toPort ?? -1,
    cidrs: cidrs.filter((c): c is string => typeof c === "string"),
    otherSources,
  };
}

function strings(get: () => unknown): unknown[] {
  const value = read(get);
  return asList(value as unknown).map((v) => read(() => v));
}

/** Inline `ingress` blocks of `aws:ec2/securityGroup:SecurityGroup`. */
export function ingressOfSecurityGroup(props: Record<string, any>): IngressPermission[] {
  const blocks = asList(read(() => props.ingress) as Record<string, any>[] | undefined);
  return blocks.map((b, i) =>
    permission(
      `ingress[${i}]`,
      { protocol: () => b.protocol, fromPort: () => b.fromPort, toPort: () => b.toPort },
      [...strings(() => b.cidrBlocks), ...strings(() => b.ipv6CidrBlocks)],
      strings(() => b.securityGroups).length > 0 ||
        strings(() => b.prefixListIds).length > 0 ||
        read(() => b.self) === true,
    ),
  );
}

/** `aws:ec2/securityGroupRule:SecurityGroupRule`; egress rules yield nothing. */
export function ingressOfSecurityGroupRule(props: Record<string, any>): IngressPermission[] {
  if (read(() => props.type) !== "ingress") return [];
  return [
    permission(
      "rule",
      {
        protocol: () => props.protocol,
        fromPort: () => props.fromPort,
        toPort: () => props.toPort,
      },
      [...strings(() => props.cidrBlocks), ...strings(() => props.ipv6CidrBlocks)],
      read(() => props.sourceSecurityGroupId) !== undefined ||
        strings(() => props.prefixListIds).length > 0 ||
        read(() => props.self) === true,
    ),
  ];
}

/** `aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule`: one source per rule. */
export function ingressOfIngressRule(props: Record<string, any>): IngressPermission[] {
  return [
    permission(
      "rule",
      {
        protocol: () => props.ipProtocol,
        fromPort: () => props.fromPort,
        toPort: () => props.toPort,
      },
      [read(() => props.cidrIpv4), read(() => props.cidrIpv6)],
      read(() => props.referencedSecurityGroupId) !== undefined ||
        read(() => props.prefixListId) !== undefined,
    ),
  ];
}

/** `0.0.0.0/0`, `::/0` and any other spelling of a zero-length prefix: every address. */
export function isWholeInternet(cidr: string): boolean {
  const slash = cidr.lastIndexOf("/");
  return slash > 0 && /^0+$/.test(cidr.slice(slash + 1).trim());
}

/** True when the permission lets traffic reach `port` (over TCP, UDP or every protocol). */
export function coversPort(p: IngressPermission, port: number): boolean {
  if (p.protocol !== "all" && p.protocol !== "tcp" && p.protocol !== "udp") return false;
  return p.fromPort <= port && port <= p.toPort;
}

/** `tcp 22`, `udp 1194`, `all protocols`, `tcp 0-65535`: for messages. */
export function describePorts(p: IngressPermission): string {
  if (p.protocol === "all") return "all protocols and ports";
  if (p.fromPort < 0) return p.protocol;
  return p.fromPort === p.toPort
    ? `${p.protocol} ${p.fromPort}`
    : `${p.protocol} ${p.fromPort}-${p.toPort}`;
}
