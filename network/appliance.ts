import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { InstanceRole } from "../platform/components/iam";
import { AL2023_AMI_PARAMETERS, architectureOf } from "../platform/images";



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
      { subnetId: args.subnetId, securityGroups: [args.securityGroupId], sourceDestCheck: false, description: args.description, tags },
      child,
    );
    // A network interface made before the instance gets no automatic public address, so the
    // appliance's address is an Elastic IP on the interface (the same $0.005/h as any IPv4).
    const keep = args.keepAddress ? { protect: true, retainOnDelete: true } : {};
    this.elasticIp = new aws.ec2.Eip(name, { domain: "vpc", networkInterface: this.networkInterface.id, tags }, { ...child, ...keep });
    const access = new InstanceRole(name, { description: `Instance role of ${args.description}`, policy: args.policy, tags }, child);
    this.role = access.role;
    const ami = aws.ssm.getParameterOutput({ name: AL2023_AMI_PARAMETERS[architectureOf(args.instanceType)] }, child);
    this.instance = new aws.ec2.Instance(
      name,
      {
        ami: ami.value,
        instanceType: args.instanceType,
        primaryNetworkInterface: { networkInterfaceId: this.networkInterface.id },
        iamInstanceProfile: access.profile.name,
        metadataOptions: { httpTokens: "required", httpEndpoint: "enabled", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
        rootBlockDevice: { encrypted: true, kmsKeyId: args.kmsKeyArn, volumeType: "gp3", volumeSize: 8, deleteOnTermination: true },
        maintenanceOptions: { autoRecovery: "default" },
        userData: args.userData,
        userDataReplaceOnChange: false,
        tags: { ...tags, Name: name },
      },
      // A newer image alone does not replace a running appliance (devices would reconnect); the
      // host updates its packages at boot, and `pulumi up --replace` rolls it deliberately.
      { ...child, ignoreChanges: ["ami"], dependsOn: [this.elasticIp] },
    );
    this.registerOutputs({ instanceId: this.instance.id, networkInterfaceId: this.networkInterface.id });
  }
}
