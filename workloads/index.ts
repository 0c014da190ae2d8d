import * as aws from "@pulumi/aws";
import { loadWorkloadsConfig } from "./config";
import { EncryptionKey } from "../platform/components/kms";
import { environmentStack } from "../platform/environment-stack";
import { Exports, networkContract, readUpstream, stackRefName, workloadsContract } from "../platform/contracts";

export = async (): Promise<Exports<typeof workloadsContract>> => {
  const { env, workloads } = loadWorkloadsConfig();
  const { provider } = environmentStack(env);
  const network = readUpstream(
    networkContract,
    stackRefName(env.org["platform:organization"].pulumiOrg, "network", env.name, env.section.stackRefs.network),
  );
  const key = new EncryptionKey(
    `${env.name}-workloads`,
    {
      description: `OpenEMS ${env.name}: data volume, secrets and logs of the backend host and the MBE proxy`,
      alias: `openems-${env.name}-workloads`,
      servicePrincipals: [`logs.${env.section.region}.amazonaws.com`],
    },
    { providers: [provider] },
  );
  // The MBE proxy's own group: it may open connections only to OpenEMS B2B on 8082 inside the VPC.
  new aws.ec2.SecurityGroup(
    `${env.name}-mbe-proxy`,
    {
      description: "MBE proxy Lambda: egress to OpenEMS B2B 8082 only",
      vpcId: network.vpcId,
      egress: [{ protocol: "tcp", fromPort: 8082, toPort: 8082, cidrBlocks: [network.vpcCidr], description: "OpenEMS B2B JSON-RPC inside the VPC" }],
    },
    { provider },
  );
  void workloads;
  return { kmsKeyArn: key.arn };
};
