import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** What the hosts call without a NAT: Session Manager (three services), Secrets Manager, Logs. */
export const INTERFACE_ENDPOINT_SERVICES = [
  "ssm",
  "ssmmessages",
  "ec2messages",
  "secretsmanager",
  "logs",
] as const;

export interface EndpointsArgs {
  readonly env: string;
  readonly region: string;
  readonly vpcId: pulumi.Input<string>;
  readonly routeTableIds: pulumi.Input<string>[];
  /** When given, the interface endpoints are created in these subnets with this group. */
  readonly interfaces?: {
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    readonly securityGroupId: pulumi.Input<string>;
  };
}

/**
 * The S3 gateway endpoint (free: S3 traffic never crosses the NAT) and, where the environment
 * file switches them on, interface endpoints with private DNS.
 */
export class Endpoints extends pulumi.ComponentResource {
  constructor(name: string, args: EndpointsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:network:Endpoints", name, {}, opts);
    const child = { parent: this };
    new aws.ec2.VpcEndpoint(
      `${name}-s3`,
      {
        vpcId: args.vpcId,
        serviceName: `com.amazonaws.${args.region}.s3`,
        vpcEndpointType: "Gateway",
        routeTableIds: args.routeTableIds,
        tags: { Name: `openems-${args.env}-s3` },
      },
      child,
    );
    const interfaces = args.interfaces;
    if (interfaces) {
      for (const service of INTERFACE_ENDPOINT_SERVICES) {
        new aws.ec2.VpcEndpoint(
          `${name}-${service}`,
          {
            vpcId: args.vpcId,
            serviceName: `com.amazonaws.${args.region}.${service}`,
            vpcEndpointType: "Interface",
            privateDnsEnabled: true,
            subnetIds: interfaces.subnetIds,
            securityGroupIds: [interfaces.securityGroupId],
            tags: { Name: `openems-${args.env}-${service}` },
          },
          child,
        );
      }
    }
    this.registerOutputs({});
  }
}
