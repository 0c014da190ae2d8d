import { loadWorkloadsConfig } from "./config";
import { EncryptionKey } from "../platform/components/kms";
import { environmentStack } from "../platform/environment-stack";
import { Exports, networkContract, readUpstream, stackRefName, workloadsContract } from "../platform/contracts";

export = async (): Promise<Exports<typeof workloadsContract>> => {
  const { env, workloads } = loadWorkloadsConfig();
  const { provider } = environmentStack(env);
  // Read (and so check) the network contract now; the host and the proxy are placed with it.
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
  void workloads;
  void network;
  return { kmsKeyArn: key.arn };
};
