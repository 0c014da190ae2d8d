import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { settings, stringListProperty } from "../lib/config";
import { ROLE_TAG, ROLES } from "../lib/conventions";
import { read, tagsOf } from "../lib/values";

export const appliesTo = ["aws:ec2/instance:Instance", "aws:ec2/eip:Eip"] as const;

interface Config {
  /** Roles whose instances need a public address: they face the internet by design. */
  publicIpRoles: string[];
  /** Roles of workload hosts, which must state that they have no public address. */
  workloadRoles: string[];
}

const defaults = (): Config => ({
  publicIpRoles: [ROLES.vpnServer, ROLES.natInstance],
  workloadRoles: [ROLES.openemsBackend],
});

const roleText = (role: string | undefined) =>
  role === undefined ? "no role tag" : `${ROLE_TAG}=${role}`;

export const policy: ResourceValidationPolicy = {
  name: "ec2-workload-hosts-no-public-ip",
  description:
    "Checks that workload hosts (tag role=openems-backend) explicitly get no public IP address, and that only the " +
    "VPN server and the NAT instance may have one.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: {
    properties: {
      publicIpRoles: stringListProperty(
        "Values of the role tag whose instances and Elastic IPs may be public.",
        defaults().publicIpRoles,
      ),
      workloadRoles: stringListProperty(
        "Values of the role tag that mark workload hosts.",
        defaults().workloadRoles,
      ),
    },
  },
  validateResource: [
    validateResourceOfType(aws.ec2.Instance, (instance, args, report) => {
      const c = settings(args, defaults());
      const role = tagsOf(instance)[ROLE_TAG];
      const associate = read(() => instance.associatePublicIpAddress);
      // A host launched onto an interface made beforehand gets no public address at launch (EC2
      // auto-assigns one only to an eth0 it creates; https://docs.aws.amazon.com/AWSEC2/latest/
      // UserGuide/using-instance-addressing.html), and the provider refuses associatePublicIpAddress
      // beside it, so the interface itself is the proof. Only an Elastic IP could add one.
      const ownInterface = read(() => instance.primaryNetworkInterface?.networkInterfaceId);
      if (associate === true && !(role !== undefined && c.publicIpRoles.includes(role))) {
        report(
          `instance has associatePublicIpAddress: true with ${roleText(role)}; ` +
            `only ${c.publicIpRoles.join(", ")} may be public.`,
        );
      } else if (
        associate === undefined &&
        ownInterface === undefined &&
        role !== undefined &&
        c.workloadRoles.includes(role)
      ) {
        // Unset inherits the subnet's mapPublicIpOnLaunch, which a policy cannot see: a workload
        // host placed in a public subnet by mistake would get an address. Only an explicit false proves it.
        report(
          `workload host (${roleText(role)}) leaves associatePublicIpAddress unset, inheriting its subnet's ` +
            "setting; set it to false.",
        );
      }
    }),
    validateResourceOfType(aws.ec2.Eip, (eip, args, report) => {
      const c = settings(args, defaults());
      const role = tagsOf(eip)[ROLE_TAG];
      // Only tagged addresses name what they serve; awsx's NAT gateway addresses carry no role.
      if (role !== undefined && !c.publicIpRoles.includes(role)) {
        report(
          `Elastic IP is tagged ${roleText(role)}; only ${c.publicIpRoles.join(", ")} may have a public address.`,
        );
      }
    }),
  ],
};
