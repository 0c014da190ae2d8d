import { loadEdgeConfig } from "./config";
import { EncryptionKey } from "../platform/components/kms";
import { environmentStack } from "../platform/environment-stack";
import { edgeContract, Exports, networkContract, readUpstream, stackRefName, workloadsContract } from "../platform/contracts";

export = async (): Promise<Exports<typeof edgeContract>> => {
  const { env, edge } = loadEdgeConfig();
  const { provider } = environmentStack(env);
  const pulumiOrg = env.org["platform:organization"].pulumiOrg;
  const refs = env.section.stackRefs;
  // Read (and so check) both upstream contracts now: device bundles need the VPN endpoint from
  // network and the websocket URL from workloads.
  const network = readUpstream(networkContract, stackRefName(pulumiOrg, "network", env.name, refs.network));
  const workloads = readUpstream(workloadsContract, stackRefName(pulumiOrg, "workloads", env.name, refs.workloads));
  const key = new EncryptionKey(
    `${env.name}-edge`,
    { description: `OpenEMS ${env.name}: edge device bundles (VPN profiles and settings)`, alias: `openems-${env.name}-edge` },
    { providers: [provider], dependsOn: [] },
  );
  void network;
  void workloads;
  return {
    kmsKeyArn: key.arn,
    deviceCount: edge.sites.reduce((n, s) => n + s.devices.length, 0),
  };
};
