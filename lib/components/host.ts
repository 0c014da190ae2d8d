import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AL2023_AMI_PARAMETERS, architectureOf } from "../images";

export interface HardenedInstanceArgs {
  readonly instanceType: string;
  readonly instanceProfile: pulumi.Input<string>;
  /** Customer-managed key of the root volume. */
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly rootVolumeGb: number;
  readonly userData: pulumi.Input<string>;
  readonly tags: Record<string, string>;
  /** A subnet and groups (the instance gets no public address), or an interface made beforehand. */
  readonly placement:
    | { readonly subnetId: pulumi.Input<string>; readonly securityGroupIds: pulumi.Input<string>[] }
    | { readonly networkInterfaceId: pulumi.Input<string> };
  /** One-minute EC2 metrics. */
  readonly monitoring?: boolean;
  /**
   * Replace the instance when its user data changes (default false: stop and start it, which does
   * not run the new user data). Hosts converged by host-agent set it: their user data holds only
   * the agent, so a change to it is a new agent, which needs a new boot to be installed.
   */
  readonly replaceOnUserDataChange?: boolean;
}

/**
 * Every host of the platform: current Amazon Linux 2023 for the type's architecture, IMDSv2 only,
 * no key pair (Session Manager through the profile's role), an encrypted gp3 root volume, AWS's
 * automatic recovery. A newer image alone never replaces a running host (`ignoreChanges: ami`);
 * `pulumi up --replace` rolls it deliberately, and the host updates its packages at boot.
 */
export function hardenedInstance(
  name: string,
  args: HardenedInstanceArgs,
  opts: pulumi.CustomResourceOptions,
): aws.ec2.Instance {
  const ami = aws.ssm.getParameterOutput(
    { name: AL2023_AMI_PARAMETERS[architectureOf(args.instanceType)] },
    { parent: opts.parent, provider: opts.provider },
  );
  const placement =
    "networkInterfaceId" in args.placement
      ? { primaryNetworkInterface: { networkInterfaceId: args.placement.networkInterfaceId } }
      : {
          subnetId: args.placement.subnetId,
          vpcSecurityGroupIds: args.placement.securityGroupIds,
          associatePublicIpAddress: false,
        };
  return new aws.ec2.Instance(
    name,
    {
      ami: ami.value,
      instanceType: args.instanceType,
      ...placement,
      iamInstanceProfile: args.instanceProfile,
      monitoring: args.monitoring,
      metadataOptions: {
        httpTokens: "required",
        httpEndpoint: "enabled",
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: "disabled",
      },
      rootBlockDevice: {
        encrypted: true,
        kmsKeyId: args.kmsKeyArn,
        volumeType: "gp3",
        volumeSize: args.rootVolumeGb,
        deleteOnTermination: true,
      },
      maintenanceOptions: { autoRecovery: "default" },
      userData: args.userData,
      userDataReplaceOnChange: args.replaceOnUserDataChange ?? false,
      tags: args.tags,
    },
    {
      ...opts,
      ignoreChanges: [...(opts.ignoreChanges ?? []), "ami"],
      // An interface made beforehand is the instance's primary one, which cannot be detached while
      // the old instance runs: a replacement must delete the old instance first (the interface, its
      // address and the routes to it stay).
      ...("networkInterfaceId" in args.placement ? { deleteBeforeReplace: true } : {}),
    },
  );
}
