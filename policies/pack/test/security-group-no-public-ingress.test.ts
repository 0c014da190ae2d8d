import { policy } from "../policies/security-group-no-public-ingress";
import { assertClean, assertOneViolation } from "./violations";
import { edited, planned } from "../../../tooling/testing/planned";

const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

/** The network stack's rules, as it plans them: one resource per rule, tagged with its group's role. */
const vpnFromAnywhere = planned(INGRESS_RULE, "dev-vpn-server-in-udp1194-0-0-0-0-0", {
  securityGroupId: "sg-vpn",
  ipProtocol: "udp",
  fromPort: 1194,
  toPort: 1194,
  cidrIpv4: "0.0.0.0/0",
  description: "OpenVPN from edge devices anywhere (certificate required)",
  tags: { role: "vpn-server" },
});
const websocketFromDevices = planned(INGRESS_RULE, "dev-openems-backend-in-tcp8081-10-200-1-0-24", {
  securityGroupId: "sg-backend",
  ipProtocol: "tcp",
  fromPort: 8081,
  toPort: 8081,
  cidrIpv4: "10.200.1.0/24",
  tags: { role: "openems-backend" },
});
const groupWithInlineIngress = planned(
  "aws:ec2/securityGroup:SecurityGroup",
  "dev-interface-endpoints",
  {
    vpcId: "vpc-1",
    ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.10.0.0/16"] }],
    egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
    tags: { role: "interface-endpoints" },
  },
);
const legacyEgressRule = planned(
  "aws:ec2/securityGroupRule:SecurityGroupRule",
  "dev-legacy-egress",
  {
    type: "egress",
    securityGroupId: "sg-backend",
    protocol: "tcp",
    fromPort: 443,
    toPort: 443,
    cidrBlocks: ["0.0.0.0/0"],
  },
);
const HAPPY = [vpnFromAnywhere, websocketFromDevices, groupWithInlineIngress, legacyEgressRule];

describe("security-group-no-public-ingress", () => {
  it("passes the VPN's UDP 1194 from anywhere, private sources, inline rules and egress to the internet", async () => {
    assertClean(policy, HAPPY);
  });

  const cases: { what: string; resource: ReturnType<typeof planned>; expect: RegExp[] }[] = [
    {
      what: "an admin port open to the internet on the backend's group",
      resource: edited(websocketFromDevices, (r) =>
        Object.assign(r.inputs, { fromPort: 4200, toPort: 4200, cidrIpv4: "0.0.0.0/0" }),
      ),
      expect: [/ingress rule admits tcp 4200 from 0\.0\.0\.0\/0/, /got role=openems-backend/],
    },
    {
      what: "UDP 1194 from ::/0 on a group that is not the VPN server's",
      resource: edited(websocketFromDevices, (r) =>
        Object.assign(r.inputs, {
          ipProtocol: "udp",
          fromPort: 1194,
          toPort: 1194,
          cidrIpv4: undefined,
          cidrIpv6: "::/0",
        }),
      ),
      expect: [/udp 1194 from ::\/0/, /only the group tagged role=vpn-server/],
    },
    {
      what: "another UDP port from the internet on the VPN server's group",
      resource: edited(vpnFromAnywhere, (r) =>
        Object.assign(r.inputs, { fromPort: 1195, toPort: 1195 }),
      ),
      expect: [
        /udp 1195 from 0\.0\.0\.0\/0/,
        /only udp 1194 may be open to the internet on the VPN server's group/,
      ],
    },
    {
      what: "a UDP range from the VPN port up, from the internet on the VPN server's group",
      resource: edited(vpnFromAnywhere, (r) =>
        Object.assign(r.inputs, { fromPort: 1194, toPort: 65535 }),
      ),
      expect: [/udp 1194-65535 from 0\.0\.0\.0\/0/, /only udp 1194 may be open/],
    },
    {
      what: "a UDP range up to the VPN port, from the internet on the VPN server's group",
      resource: edited(vpnFromAnywhere, (r) =>
        Object.assign(r.inputs, { fromPort: 1, toPort: 1194 }),
      ),
      expect: [/udp 1-1194 from 0\.0\.0\.0\/0/, /only udp 1194 may be open/],
    },
    {
      what: "an inline block open to the whole internet on IPv4 and IPv6, naming both",
      resource: edited(groupWithInlineIngress, (r) =>
        r.inputs.ingress.push({
          protocol: "tcp",
          fromPort: 8086,
          toPort: 8086,
          cidrBlocks: ["0.0.0.0/0"],
          ipv6CidrBlocks: ["::/0"],
        }),
      ),
      expect: [/security group ingress\[1\] admits tcp 8086 from 0\.0\.0\.0\/0, ::\/0; /],
    },
    {
      what: "TCP on the VPN port from the internet",
      resource: edited(vpnFromAnywhere, (r) => (r.inputs.ipProtocol = "tcp")),
      expect: [/tcp 1194 from 0\.0\.0\.0\/0/],
    },
    {
      what: "all protocols from the internet on the VPN server's group",
      resource: edited(vpnFromAnywhere, (r) =>
        Object.assign(r.inputs, { ipProtocol: "-1", fromPort: undefined, toPort: undefined }),
      ),
      expect: [/all protocols and ports from 0\.0\.0\.0\/0/],
    },
    {
      what: "an inline ingress block open to the internet",
      resource: edited(groupWithInlineIngress, (r) =>
        r.inputs.ingress.push({
          protocol: "tcp",
          fromPort: 8086,
          toPort: 8086,
          cidrBlocks: ["10.10.0.0/16", "0.0.0.0/0"],
        }),
      ),
      expect: [/security group ingress\[1\] admits tcp 8086 from 0\.0\.0\.0\/0/],
    },
    {
      what: "a legacy rule resource, which cannot carry the role tag, even on the VPN port",
      resource: edited(legacyEgressRule, (r) =>
        Object.assign(r.inputs, { type: "ingress", protocol: "udp", fromPort: 1194, toPort: 1194 }),
      ),
      expect: [/security group rule admits udp 1194 from 0\.0\.0\.0\/0/, /got role=\(none\)/],
    },
  ];
  for (const c of cases) {
    it(`reports ${c.what}`, async () => {
      const others = HAPPY.filter((r) => r.name !== c.resource.name);
      assertOneViolation(policy, [...others, c.resource], c.resource.urn, c.expect);
    });
  }

  it("takes the VPN port from the pack's config", async () => {
    const moved = edited(vpnFromAnywhere, (r) =>
      Object.assign(r.inputs, { fromPort: 1195, toPort: 1195 }),
    );
    assertClean(policy, [moved], { [policy.name]: { vpnPort: 1195 } });
    assertOneViolation(policy, [vpnFromAnywhere], vpnFromAnywhere.urn, [/only udp 1195/], {
      [policy.name]: { vpnPort: 1195 },
    });
  });
});
