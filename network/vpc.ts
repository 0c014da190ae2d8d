import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { NetworkConfig } from "../lib/config/network";
import { planSubnets } from "./subnets";

export interface EnvironmentVpcArgs {
  /** Validated network section of the environment file. */
  readonly network: NetworkConfig;
  /** Zone names to use, in order; the first `network.availabilityZones` are taken. */
  readonly availabilityZoneNames: string[];
}

const NAT: Record<NetworkConfig["natStrategy"], "None" | "Single" | "OnePerAz"> = {
  none: "None",
  // The NAT instance is the platform's own resource, so awsx builds no gateway for it.
  instance: "None",
  gateway: "Single",
  "gateway-per-az": "OnePerAz",
};

/** The environment's VPC: public and private subnets in each zone, NAT as the file chooses. */
export class EnvironmentVpc extends pulumi.ComponentResource {
  readonly vpc: awsx.ec2.Vpc;
  readonly subnetPlan: ReturnType<typeof planSubnets>;

  constructor(name: string, args: EnvironmentVpcArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:network:EnvironmentVpc", name, {}, opts);
    const zones = args.availabilityZoneNames.slice(0, args.network.availabilityZones);
    this.subnetPlan = planSubnets(args.network.vpcCidr, zones.length);
    this.vpc = new awsx.ec2.Vpc(
      `${name}-vpc`,
      {
        cidrBlock: args.network.vpcCidr,
        availabilityZoneNames: zones,
        enableDnsHostnames: true,
        enableDnsSupport: true,
        subnetStrategy: "Auto",
        subnetSpecs: [
          { type: "Private", name: "private", cidrBlocks: this.subnetPlan.private },
          { type: "Public", name: "public", cidrBlocks: this.subnetPlan.public },
        ],
        natGateways: { strategy: NAT[args.network.natStrategy] },
      },
      { parent: this },
    );
    this.registerOutputs({ vpcId: this.vpc.vpcId });
  }
}
