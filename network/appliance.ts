import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { InstanceRole } from "../lib/components/iam";
import { hardenedInstance } from "../lib/components/host";

export interface ApplianceArgs {
  /** What the instance does, for its description and its `role` tag. */
  readonly role: "vpn-server" | "nat-instance";
  readonly description: string;
  readonly instanceType: string;
  readonly subnetId: pulumi.Input<string>;
  readonly securityGroupId: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly userData: pulumi.Input<string>;
  /** Inline policy for the instance role, beside Session Manager's managed policy. */
  readonly policy?: pulumi.Input<string>;
  /** Protect and retain the Elastic IP: devices are configured with it (the VPN's endpoint). */
  readonly keepAddress?: boolean;
}

/**
 * A routing appliance in a public subnet (the VPN server, the NAT instance): Amazon Linux 2023 on
 * Graviton, IMDSv2 only, encrypted root volume, no key pair, Session Manager for shell access.
 * Its network interface is a resource of its own with the source/destination check off, so the
 * VPC routes that point at it, and its Elastic IP, survive an instance replacement.
 */
export class Appliance extends pulumi.ComponentResource {
  readonly instance: aws.ec2.Instance;
  readonly networkInterface: aws.ec2.NetworkInterface;
  readonly role: aws.iam.Role;
  readonly elasticIp: aws.ec2.Eip;

  constructor(name: string, args: ApplianceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:network:Appliance", name, {}, opts);
    const child = { parent: this };
    const tags = { role: args.role };
    this.networkInterface = new aws.ec2.NetworkInterface(
      name,
      {
        subnetId: args.subnetId,
        securityGroups: [args.securityGroupId],
        sourceDestCheck: false,
        description: args.description,
        tags,
      },
      child,
    );
    // A network interface made before the instance gets no automatic public address, so the
    // appliance's address is an Elastic IP on the interface (the same $0.005/h as any IPv4).
    const keep = args.keepAddress ? { protect: true, retainOnDelete: true } : {};
    this.elasticIp = new aws.ec2.Eip(
      name,
      { domain: "vpc", networkInterface: this.networkInterface.id, tags },
      { ...child, ...keep },
    );
    const access = new InstanceRole(
      name,
      { description: `Instance role of ${args.description}`, policy: args.policy, tags },
      child,
    );
    this.role = access.role;
    this.instance = hardenedInstance(
      name,
      {
        instanceType: args.instanceType,
        instanceProfile: access.profile.name,
        kmsKeyArn: args.kmsKeyArn,
        rootVolumeGb: 8,
        userData: args.userData,
        // The user data installs host-agent and nothing else: a change to it is a new agent.
        replaceOnUserDataChange: true,
        placement: { networkInterfaceId: this.networkInterface.id },
        tags: { ...tags, Name: name },
      },
      // The address must be on the interface before the boot script downloads packages.
      { ...child, dependsOn: [this.elasticIp] },
    );
    this.registerOutputs({
      instanceId: this.instance.id,
      networkInterfaceId: this.networkInterface.id,
    });
  }
}
