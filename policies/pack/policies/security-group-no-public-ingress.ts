import * as aws from "@pulumi/aws";
import { ReportViolation, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { repositoryDefaults } from "../defaults";
import { portProperty, settings, stringProperty } from "../lib/config";
import { ROLE_TAG, ROLES } from "../lib/conventions";
import {
  describePorts,
  ingressOfIngressRule,
  ingressOfSecurityGroup,
  ingressOfSecurityGroupRule,
  IngressPermission,
  isWholeInternet,
} from "../lib/network";
import { tagsOf } from "../lib/values";

export const appliesTo = [
  "aws:ec2/securityGroup:SecurityGroup",
  "aws:ec2/securityGroupRule:SecurityGroupRule",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
] as const;

interface Config {
  /** The port the VPN server listens on, over UDP. */
  vpnPort: number;
  /** `role` tag value of the VPN server's group and of its ingress rules. */
  vpnRole: string;
}

const defaults = (): Config => ({
  vpnPort: repositoryDefaults().vpnPort,
  vpnRole: ROLES.vpnServer,
});

/**
 * The one exception: UDP to the VPN port, on a resource tagged as the VPN server's. OpenVPN clients
 * (edge devices on changing mobile and site addresses) connect from anywhere; certificates, not
 * addresses, authenticate them.
 */
function isVpnException(p: IngressPermission, role: string | undefined, c: Config): boolean {
  return (
    role === c.vpnRole && p.protocol === "udp" && p.fromPort === c.vpnPort && p.toPort === c.vpnPort
  );
}

function check(
  permissions: IngressPermission[],
  role: string | undefined,
  c: Config,
  what: string,
  report: ReportViolation,
) {
  for (const p of permissions) {
    const open = p.cidrs.filter(isWholeInternet);
    if (open.length === 0 || isVpnException(p, role, c)) continue;
    const where = p.at === "rule" ? what : `${what} ${p.at}`;
    const hint =
      role === c.vpnRole
        ? `only udp ${c.vpnPort} may be open to the internet on the VPN server's group`
        : `only the group tagged ${ROLE_TAG}=${c.vpnRole} may admit the internet, on udp ${c.vpnPort}; ` +
          `got ${ROLE_TAG}=${role ?? "(none)"}`;
    report(`${where} admits ${describePorts(p)} from ${open.join(", ")}; ${hint}.`);
  }
}

export const policy: ResourceValidationPolicy = {
  name: "security-group-no-public-ingress",
  description:
    "Checks that no security group admits the whole internet (0.0.0.0/0 or ::/0), except UDP on the VPN port " +
    "to the VPN server's group (tag role=vpn-server).",
  enforcementLevel: "mandatory",
  severity: "critical",
  configSchema: {
    properties: {
      vpnPort: portProperty(
        "UDP port of the OpenVPN server, the only one the internet may reach.",
        defaults().vpnPort,
      ),
      vpnRole: stringProperty(
        "Value of the role tag on the VPN server's security group and its ingress rules.",
        defaults().vpnRole,
      ),
    },
  },
  validateResource: [
    validateResourceOfType(aws.ec2.SecurityGroup, (sg, args, report) => {
      check(
        ingressOfSecurityGroup(sg),
        tagsOf(sg)[ROLE_TAG],
        settings(args, defaults()),
        "security group",
        report,
      );
    }),
    // A legacy rule resource cannot carry tags, so it can never be the VPN exception.
    validateResourceOfType(aws.ec2.SecurityGroupRule, (rule, args, report) => {
      const c = settings(args, defaults());
      check(ingressOfSecurityGroupRule(rule), undefined, c, "security group rule", report);
    }),
    validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (rule, args, report) => {
      check(
        ingressOfIngressRule(rule),
        tagsOf(rule)[ROLE_TAG],
        settings(args, defaults()),
        "ingress rule",
        report,
      );
    }),
  ],
};
