import * as aws from "@pulumi/aws";
import { AdminAlb } from "./admin-alb";
import { BackendHost } from "./backend-host";
import { loadEnvironmentConfig } from "../lib/config/environment";
import { MbeProxy } from "./mbe";
import { EncryptionKey } from "../lib/components/kms";
import { environmentStack } from "../lib/environment-stack";
import {
  Exports,
  networkContract,
  readUpstream,
  stackRefName,
  workloadsContract,
} from "../lib/contracts";
import { ConfigError } from "../lib/config/errors";
import { validateComposeOptions } from "./openems/compose";

export = async (): Promise<Exports<typeof workloadsContract>> => {
  const env = loadEnvironmentConfig();
  const { workloads } = env;
  // The same environment file: the admin allowlist that the load balancer admits.
  const adminAllowlist = env.network.adminAllowlist;
  checkImages(`workloads/${env.name}`, workloads.openems.images, env.section.region);
  const { provider, providers } = environmentStack(env);
  const opts = { providers };
  const region = env.section.region;
  const network = readUpstream(
    networkContract,
    stackRefName(
      env.org["platform:organization"].pulumiOrg,
      "network",
      env.name,
      env.section.stackRefs.network,
    ),
  );
  const key = new EncryptionKey(
    `${env.name}-workloads`,
    {
      description: `OpenEMS ${env.name}: data volume, secrets and logs of the backend host and the MBE proxy`,
      alias: `openems-${env.name}-workloads`,
      servicePrincipals: [`logs.${region}.amazonaws.com`, "cloudwatch.amazonaws.com"],
    },
    opts,
  );

  const alarmTopic = new aws.sns.Topic(
    `${env.name}-alarms`,
    { name: `openems-${env.name}-alarms`, kmsMasterKeyId: key.arn },
    { provider },
  );
  const recipients = workloads.alarmEmails ?? env.org["platform:budgets"].subscribers;
  recipients.forEach((endpoint, i) => {
    new aws.sns.TopicSubscription(
      `${env.name}-alarms-${i}`,
      { topic: alarmTopic.arn, protocol: "email", endpoint },
      { provider },
    );
  });

  const host = new BackendHost(
    `${env.name}-openems`,
    {
      env: env.name,
      openems: workloads.openems,
      logRetentionDays: workloads.logRetentionDays,
      region,
      // The first private subnet is in the first zone: the data volume must be in the same one.
      subnetId: network.privateSubnetIds.apply((ids) => ids[0]),
      availabilityZone: network.availabilityZones.apply((zones) => zones[0]),
      securityGroupId: network.securityGroupIds.openemsBackend,
      kmsKeyArn: key.arn,
      alarmTopicArn: alarmTopic.arn,
      images: workloads.openems.images,
      adopt: env.adopt,
    },
    opts,
  );
  const proxy = new MbeProxy(
    `${env.name}-mbe-proxy`,
    {
      env: env.name,
      mbe: workloads.mbe,
      logRetentionDays: workloads.logRetentionDays,
      region,
      subnetIds: network.privateSubnetIds,
      securityGroupId: network.securityGroupIds.mbeProxy,
      kmsKeyArn: key.arn,
      // The interface's address, like the devices': it outlives the instance.
      backendAddress: host.networkInterface.privateIp,
      adopt: env.adopt,
    },
    opts,
  );
  const alb =
    workloads.https.mode === "alb"
      ? new AdminAlb(
          `${env.name}-admin`,
          {
            env: env.name,
            https: workloads.https,
            adminAllowlist,
            vpcId: network.vpcId,
            publicSubnetIds: network.publicSubnetIds,
            backendSecurityGroupId: network.securityGroupIds.openemsBackend,
            instanceId: host.instance.id,
            deletionProtection: env.name === "prod",
          },
          opts,
        )
      : undefined;

  return {
    kmsKeyArn: key.arn,
    backend: {
      instanceId: host.instance.id,
      privateIp: host.networkInterface.privateIp,
      networkInterfaceId: host.networkInterface.id,
    },
    edgeWebsocketUrl: host.edgeWebsocketUrl,
    mbeProxyUrl: proxy.url.functionUrl,
    mbeRoleArn: proxy.mbeRole.arn,
    https: alb ? alb.endpoints : null,
    alarmTopicArn: alarmTopic.arn,
  };
};

/**
 * The image overrides through the Compose stack's own rules (pinned tags, the OpenEMS releases
 * this stack can run, UI and backend of one release), before any resource exists.
 */
function checkImages(where: string, images: unknown, region: string): void {
  if (images === undefined) return;
  try {
    validateComposeOptions({ logGroupName: "/openems/check", region, images: images as any });
  } catch (e) {
    const problems = (e as Error).message
      .split("\n")
      .filter((l) => l.startsWith("  - "))
      .map((l) => `platform:workloads.openems.${l.slice(4)}`);
    throw new ConfigError(where, problems);
  }
}
