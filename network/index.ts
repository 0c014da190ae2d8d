import * as aws from "@pulumi/aws";
import { loadNetworkConfig } from "./config";
import { EnvironmentVpc } from "./vpc";
import { environmentStack } from "../platform/environment-stack";
import { Exports, networkContract } from "../platform/contracts";

export = async (): Promise<Exports<typeof networkContract>> => {
  const { env, network } = loadNetworkConfig();
  const { provider } = environmentStack(env);
  const zones = await aws.getAvailabilityZones({ state: "available" }, { provider });
  const vpc = new EnvironmentVpc(env.name, { network, availabilityZoneNames: zones.names }, { providers: [provider] });
  return {
    vpcId: vpc.vpc.vpcId,
    vpcCidr: network.vpcCidr,
    publicSubnetIds: vpc.vpc.publicSubnetIds,
    privateSubnetIds: vpc.vpc.privateSubnetIds,
    availabilityZones: zones.names.slice(0, network.availabilityZones),
  };
};
