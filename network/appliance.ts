import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** AWS's public SSM parameter for the current Amazon Linux 2023 image on Graviton. */
export const AL2023_ARM64_AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";

/** Lets SSM Session Manager in (the only way onto a host) and the agent report inventory. */
export const SSM_CORE_POLICY_ARN = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";

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
    this.role = new aws.iam.Role(
      name,
      {
        description: `Instance role of ${args.description}`,
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        tags,
      },
      child,
    );
    new aws.iam.RolePolicyAttachment(`${name}-ssm`, { role: this.role.name, policyArn: SSM_CORE_POLICY_ARN }, child);
    if (args.policy) new aws.iam.RolePolicy(name, { role: this.role.name, policy: args.policy }, child);
    const profile = new aws.iam.InstanceProfile(name, { role: this.role.name, tags }, child);
    const ami = aws.ssm.getParameterOutput({ name: AL2023_ARM64_AMI_PARAMETER }, child);
    this.instance = new aws.ec2.Instance(
      name,
      {
        ami: ami.value,
        instanceType: args.instanceType,
        primaryNetworkInterface: { networkInterfaceId: this.networkInterface.id },
        iamInstanceProfile: profile.name,
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
