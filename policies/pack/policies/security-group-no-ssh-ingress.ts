import * as aws from "@pulumi/aws";
import { ReportViolation, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import {
  coversPort,
  describePorts,
  ingressOfIngressRule,
  ingressOfSecurityGroup,
  ingressOfSecurityGroupRule,
  IngressPermission,
} from "../lib/network";

export const appliesTo = [
  "aws:ec2/securityGroup:SecurityGroup",
  "aws:ec2/securityGroupRule:SecurityGroupRule",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
] as const;

const SSH_PORT = 22;

function sourcesOf(p: IngressPermission): string {
  const parts = [...p.cidrs];
  if (p.otherSources) parts.push("a security group or prefix list");
  return parts.length ? parts.join(", ") : "an unknown source";
}

/**
 * Any source counts, a peer group or the VPN range included: hosts are reached through SSM Session
 * Manager, so port 22 has no legitimate caller, and "all traffic" rules are caught because they
 * include it.
 */
function check(permissions: IngressPermission[], what: string, report: ReportViolation) {
  for (const p of permissions) {
    if (!coversPort(p, SSH_PORT)) continue;
    const where = p.at === "rule" ? what : `${what} ${p.at}`;
    report(
      `${where} admits ${describePorts(p)} from ${sourcesOf(p)}, which includes SSH port ${SSH_PORT}; ` +
        "use SSM Session Manager instead.",
    );
  }
}

export const policy: ResourceValidationPolicy = {
  name: "security-group-no-ssh-ingress",
  description:
    "Checks that no security group admits port 22 (SSH) from any source; hosts are reached through SSM Session " +
    "Manager only.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: [
    validateResourceOfType(aws.ec2.SecurityGroup, (sg, _args, report) =>
      check(ingressOfSecurityGroup(sg), "security group", report),
    ),
    validateResourceOfType(aws.ec2.SecurityGroupRule, (rule, _args, report) =>
      check(ingressOfSecurityGroupRule(rule), "security group rule", report),
    ),
    validateResourceOfType(aws.vpc.SecurityGroupIngressRule, (rule, _args, report) =>
      check(ingressOfIngressRule(rule), "ingress rule", report),
    ),
  ],
};
