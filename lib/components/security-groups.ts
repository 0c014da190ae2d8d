import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AccessRule, GroupRole, ruleName } from "../net/access";

export interface SecurityGroupsArgs {
  readonly env: string;
  readonly vpcId: pulumi.Input<string>;
  readonly roles: readonly GroupRole[];
  readonly rules: readonly AccessRule[];
  /** Groups of another stack that rules here refer to or add to, by role. */
  readonly existing?: Partial<Record<GroupRole, pulumi.Input<string>>>;
}

const PURPOSE: Record<GroupRole, string> = {
  "vpn-server": "OpenVPN server: UDP from edge devices, forwards to the backend",
  "openems-backend": "OpenEMS backend host: edge websocket, admin ports, B2B from the MBE proxy",
  "mbe-proxy": "MBE proxy Lambda: egress to OpenEMS B2B only",
  "interface-endpoints": "Interface endpoints: HTTPS from the VPC",
  "nat-instance": "NAT instance: HTTP and HTTPS from the VPC to the internet",
  "admin-alb": "Admin load balancer: HTTPS from allowlisted admins to the UI and Odoo",
};

/**
 * One security group per role, with no inline rules (AWS's default allow-all egress is removed)
 * and one rule resource per entry of the access table, each tagged with its group's role.
 */
export class SecurityGroups extends pulumi.ComponentResource {
  readonly groups: Partial<Record<GroupRole, aws.ec2.SecurityGroup>> = {};

  constructor(name: string, args: SecurityGroupsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:network:SecurityGroups", name, {}, opts);
    const child = { parent: this };
    for (const role of args.roles) {
      this.groups[role] = new aws.ec2.SecurityGroup(
        `${args.env}-${role}`,
        {
          // Auto-named: name and description are ForceNew and Pulumi replaces create-first, so a
          // fixed name would make any replacement fail with InvalidGroup.Duplicate. `Name` tags it.
          namePrefix: `openems-${args.env}-${role}-`,
          description: PURPOSE[role],
          vpcId: args.vpcId,
          revokeRulesOnDelete: true,
          tags: { role, Name: `openems-${args.env}-${role}` },
        },
        child,
      );
    }
    const idOf = (role: GroupRole): pulumi.Input<string> => {
      const id = this.groups[role]?.id ?? args.existing?.[role];
      if (!id)
        throw new Error(
          `security group rule refers to group "${role}", which this environment does not have`,
        );
      return id;
    };
    for (const rule of args.rules) {
      const common = {
        securityGroupId: idOf(rule.group),
        ipProtocol: rule.protocol,
        fromPort: rule.port,
        toPort: rule.port,
        description: rule.description,
        tags: { role: rule.group },
        ...("cidr" in rule.peer
          ? { cidrIpv4: rule.peer.cidr }
          : { referencedSecurityGroupId: idOf(rule.peer.group) }),
      };
      if (rule.direction === "ingress")
        new aws.vpc.SecurityGroupIngressRule(ruleName(args.env, rule), common, child);
      else new aws.vpc.SecurityGroupEgressRule(ruleName(args.env, rule), common, child);
    }
    this.registerOutputs({});
  }

  id(role: GroupRole): pulumi.Output<string> {
    const group = this.groups[role];
    if (!group) throw new Error(`no security group "${role}" in this environment`);
    return group.id;
  }
}
