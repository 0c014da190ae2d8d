import { policy } from "../policies/ec2-workload-hosts-no-public-ip";
import { assertClean, assertOneViolation } from "./violations";
import { edited, planned } from "../../../tooling/testing/planned";

const backend = planned("aws:ec2/instance:Instance", "dev-openems", {
  ami: "ami-1",
  instanceType: "t3.medium",
  subnetId: "subnet-private",
  associatePublicIpAddress: false,
  tags: { role: "openems-backend" },
});
const nat = planned("aws:ec2/instance:Instance", "dev-nat", {
  ami: "ami-1",
  instanceType: "t4g.nano",
  associatePublicIpAddress: true,
  tags: { role: "nat-instance" },
});
const vpnAddress = planned("aws:ec2/eip:Eip", "dev-vpn", {
  domain: "vpc",
  networkInterface: "eni-1",
  tags: { role: "vpn-server" },
});
// awsx's NAT gateway addresses carry no role tag and are left alone.
const gatewayAddress = planned("aws:ec2/eip:Eip", "dev-vpc-1", { domain: "vpc" });
const HAPPY = [backend, nat, vpnAddress, gatewayAddress];

describe("ec2-workload-hosts-no-public-ip", () => {
  it("passes a private backend host, the NAT instance, the VPN's Elastic IP and untagged gateway addresses", async () => {
    assertClean(policy, HAPPY);
  });

  const cases: { what: string; resource: ReturnType<typeof planned>; expect: RegExp[] }[] = [
    {
      what: "a backend host with a public address",
      resource: edited(backend, (r) => (r.inputs.associatePublicIpAddress = true)),
      expect: [
        /associatePublicIpAddress: true with role=openems-backend/,
        /only vpn-server, nat-instance may be public/,
      ],
    },
    {
      what: "a backend host that leaves the choice to its subnet",
      resource: edited(backend, (r) => delete r.inputs.associatePublicIpAddress),
      expect: [
        /workload host \(role=openems-backend\) leaves associatePublicIpAddress unset/,
        /set it to false/,
      ],
    },
    {
      what: "an untagged instance with a public address",
      resource: edited(nat, (r) => delete r.inputs.tags),
      expect: [/associatePublicIpAddress: true with no role tag/],
    },
    {
      what: "an Elastic IP for a workload host",
      resource: edited(vpnAddress, (r) => (r.inputs.tags.role = "openems-backend")),
      expect: [/Elastic IP is tagged role=openems-backend/],
    },
  ];
  for (const c of cases) {
    it(`reports ${c.what}`, async () => {
      const others = HAPPY.filter((r) => r.name !== c.resource.name);
      assertOneViolation(policy, [...others, c.resource], c.resource.urn, c.expect);
    });
  }

  it("passes a backend host launched onto its own interface, which gets no public address at launch", async () => {
    const onInterface = edited(backend, (r) => {
      delete r.inputs.associatePublicIpAddress;
      delete r.inputs.subnetId;
      r.inputs.primaryNetworkInterface = { networkInterfaceId: "eni-backend" };
    });
    assertClean(policy, [onInterface]);
  });

  it("takes the roles from the pack's config", async () => {
    const bastion = edited(nat, (r) => (r.inputs.tags.role = "bastion"));
    assertOneViolation(policy, [bastion], bastion.urn, [/role=bastion/]);
    assertClean(policy, [bastion], { [policy.name]: { publicIpRoles: ["bastion"] } });
  });
});
