import { policy } from "../policies/security-group-no-ssh-ingress";
import { assertClean, assertOneViolation } from "./violations";
import { edited, planned } from "../../../tooling/testing/planned";

const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

const adminFromVpn = planned(INGRESS_RULE, "dev-openems-backend-in-tcp4200-10-200-0-0-24", {
  securityGroupId: "sg-backend",
  ipProtocol: "tcp",
  fromPort: 4200,
  toPort: 4200,
  cidrIpv4: "10.200.0.0/24",
  tags: { role: "openems-backend" },
});
const b2bFromProxy = planned(INGRESS_RULE, "dev-openems-backend-in-tcp8082-mbe-proxy", {
  securityGroupId: "sg-backend",
  ipProtocol: "tcp",
  fromPort: 8082,
  toPort: 8082,
  referencedSecurityGroupId: "sg-proxy",
  tags: { role: "openems-backend" },
});
const group = planned("aws:ec2/securityGroup:SecurityGroup", "dev-nat-instance", {
  vpcId: "vpc-1",
  ingress: [{ protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["10.10.0.0/16"] }],
  // Egress to 22 (a git host, say) is outbound and not SSH into the platform.
  egress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }],
});
const legacyRule = planned("aws:ec2/securityGroupRule:SecurityGroupRule", "dev-icmp", {
  type: "ingress",
  securityGroupId: "sg-backend",
  protocol: "icmp",
  fromPort: -1,
  toPort: -1,
  cidrBlocks: ["10.10.0.0/16"],
});
const HAPPY = [adminFromVpn, b2bFromProxy, group, legacyRule];

describe("security-group-no-ssh-ingress", () => {
  it("passes ingress that avoids port 22, ICMP, and egress to port 22", async () => {
    assertClean(policy, HAPPY);
  });

  const cases: { what: string; resource: ReturnType<typeof planned>; expect: RegExp[] }[] = [
    {
      what: "SSH from a private range (the VPN's admin range is no exception)",
      resource: edited(adminFromVpn, (r) => Object.assign(r.inputs, { fromPort: 22, toPort: 22 })),
      expect: [/ingress rule admits tcp 22 from 10\.200\.0\.0\/24/, /SSM Session Manager/],
    },
    {
      what: "a port range that includes 22, from another security group",
      resource: edited(b2bFromProxy, (r) => Object.assign(r.inputs, { fromPort: 1, toPort: 1024 })),
      expect: [/tcp 1-1024 from a security group or prefix list/],
    },
    {
      what: "all traffic from another security group",
      resource: edited(b2bFromProxy, (r) =>
        Object.assign(r.inputs, { ipProtocol: "-1", fromPort: undefined, toPort: undefined }),
      ),
      expect: [/all protocols and ports/, /includes SSH port 22/],
    },
    {
      what: "an inline ingress block on 22",
      resource: edited(group, (r) =>
        r.inputs.ingress.push({
          protocol: "6",
          fromPort: 22,
          toPort: 22,
          securityGroups: ["sg-vpn"],
        }),
      ),
      expect: [/security group ingress\[1\] admits tcp 22/],
    },
    {
      what: "an inline ingress block on 22 from two ranges and a group, naming every source",
      resource: edited(group, (r) =>
        r.inputs.ingress.push({
          protocol: "tcp",
          fromPort: 22,
          toPort: 22,
          cidrBlocks: ["10.10.0.0/16", "10.200.0.0/24"],
          securityGroups: ["sg-vpn"],
        }),
      ),
      expect: [
        /admits tcp 22 from 10\.10\.0\.0\/16, 10\.200\.0\.0\/24, a security group or prefix list, which/,
      ],
    },
    {
      what: "SSH from a rule whose source the plan does not show",
      resource: edited(adminFromVpn, (r) =>
        Object.assign(r.inputs, { fromPort: 22, toPort: 22, cidrIpv4: undefined }),
      ),
      expect: [/ingress rule admits tcp 22 from an unknown source, which includes SSH port 22/],
    },
    {
      what: "a legacy rule resource on 22",
      resource: edited(legacyRule, (r) =>
        Object.assign(r.inputs, { protocol: "tcp", fromPort: 22, toPort: 22 }),
      ),
      expect: [/security group rule admits tcp 22 from 10\.10\.0\.0\/16/],
    },
  ];
  for (const c of cases) {
    it(`reports ${c.what}`, async () => {
      const others = HAPPY.filter((r) => r.name !== c.resource.name);
      assertOneViolation(policy, [...others, c.resource], c.resource.urn, c.expect);
    });
  }
});
