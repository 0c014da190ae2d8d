import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accessRules, groupRoles, vpnRanges } from "../lib/net/access";
import { Appliance } from "./appliance";
import { loadEnvironmentConfig } from "../lib/config/environment";
import { Endpoints } from "./endpoints";
import { FlowLogs } from "./flow-logs";
import { natHostManifest } from "./nat-instance";
import {
  hostManifestParameterName,
  renderHostManifest,
  renderHostUserData,
} from "../lib/host-agent";
import { SecurityGroups } from "../lib/components/security-groups";
import { CCD_PREFIX, VpnServer } from "./vpn";
import { EnvironmentVpc } from "./vpc";
import { environmentZones } from "./zones";
import { EncryptionKey } from "../lib/components/kms";
import { environmentStack } from "../lib/environment-stack";
import { Exports, networkContract } from "../lib/contracts";

export = async (): Promise<Exports<typeof networkContract>> => {
  const env = loadEnvironmentConfig();
  const { network } = env;
  const { provider, providers } = environmentStack(env);
  const opts = { providers };
  const region = env.section.region;
  const zoneNames = (await environmentZones(env, provider)).names;

  const key = new EncryptionKey(
    `${env.name}-network`,
    {
      description: `OpenEMS ${env.name}: VPN key material, ccd entries, flow logs and appliance volumes`,
      alias: `openems-${env.name}-network`,
      // CloudWatch publishes the certificate alarms to the topic this key encrypts.
      servicePrincipals: [`logs.${region}.amazonaws.com`, "cloudwatch.amazonaws.com"],
    },
    opts,
  );
  // The network stack's own alarms (VPN certificates); the workloads stack has its own topic.
  const alarmTopic = new aws.sns.Topic(
    `${env.name}-network-alarms`,
    { name: `openems-${env.name}-network-alarms`, kmsMasterKeyId: key.arn },
    { provider },
  );
  const recipients = env.workloads.alarmEmails ?? env.org["platform:budgets"].subscribers;
  recipients.forEach((endpoint, i) => {
    new aws.sns.TopicSubscription(
      `${env.name}-network-alarms-${i}`,
      { topic: alarmTopic.arn, protocol: "email", endpoint },
      { provider },
    );
  });
  const vpc = new EnvironmentVpc(env.name, { network, availabilityZoneNames: zoneNames }, opts);
  const vpcId = vpc.vpc.vpcId;

  // awsx makes one route table per subnet; look each one up by its subnet so routes and the S3
  // endpoint can be attached without reaching into the component's children.
  const routeTables = (ids: pulumi.Output<string[]>) =>
    zoneNames.map(
      (_, i) =>
        aws.ec2.getRouteTableOutput({ subnetId: ids.apply((list) => list[i]) }, { provider }).id,
    );
  const privateRouteTables = routeTables(vpc.vpc.privateSubnetIds);
  const publicRouteTables = routeTables(vpc.vpc.publicSubnetIds);

  const groups = new SecurityGroups(
    `${env.name}-access`,
    { env: env.name, vpcId, roles: groupRoles(network), rules: accessRules(network) },
    opts,
  );
  const flowLogs = new FlowLogs(
    `${env.name}-flow-logs`,
    { vpcId, kmsKeyArn: key.arn, retentionInDays: network.flowLogRetentionDays, adopt: env.adopt },
    opts,
  );
  new Endpoints(
    `${env.name}-endpoints`,
    {
      env: env.name,
      region,
      vpcId,
      routeTableIds: [...privateRouteTables, ...publicRouteTables],
      interfaces: network.interfaceEndpoints
        ? { subnetIds: vpc.vpc.privateSubnetIds, securityGroupId: groups.id("interface-endpoints") }
        : undefined,
    },
    opts,
  );

  const firstPublicSubnet = vpc.vpc.publicSubnetIds.apply((ids) => ids[0]);
  const vpn = new VpnServer(
    `${env.name}-vpn`,
    {
      env: env.name,
      network,
      vpcCidr: network.vpcCidr,
      subnetId: firstPublicSubnet,
      securityGroupId: groups.id("vpn-server"),
      kmsKeyArn: key.arn,
      // The same environment file: the edge section says when a device counts as away.
      awayAfterMinutes: env.edge.awayAlarmMinutes,
      region,
      alarmTopicArn: alarmTopic.arn,
    },
    opts,
  );
  const ranges = vpnRanges(network.vpn.clientCidr);
  // The backend answers devices at their tunnel addresses: the VPN range routes to the server.
  privateRouteTables.forEach((routeTableId, i) => {
    new aws.ec2.Route(
      `${env.name}-vpn-clients-${i}`,
      {
        routeTableId,
        destinationCidrBlock: ranges.clientCidr,
        networkInterfaceId: vpn.appliance.networkInterface.id,
      },
      { provider },
    );
  });

  if (network.natStrategy === "instance") {
    const natManifest = new aws.ssm.Parameter(
      `${env.name}-nat-manifest`,
      {
        name: hostManifestParameterName(env.name, "nat-instance"),
        type: "String",
        tier: "Standard",
        value: renderHostManifest(natHostManifest(network.vpcCidr)),
        description: "Desired state of the NAT instance (host-agent manifest)",
      },
      { provider },
    );
    const nat = new Appliance(
      `${env.name}-nat`,
      {
        role: "nat-instance",
        description: `NAT instance of the ${env.name} private subnets`,
        instanceType: network.vpn.instanceType,
        subnetId: firstPublicSubnet,
        securityGroupId: groups.id("nat-instance"),
        kmsKeyArn: key.arn,
        userData: renderHostUserData({
          manifestParameter: hostManifestParameterName(env.name, "nat-instance"),
        }),
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "ReadOwnManifest",
              Effect: "Allow",
              Action: "ssm:GetParameter",
              Resource: natManifest.arn,
            },
          ],
        }),
      },
      { ...opts, dependsOn: [natManifest] },
    );
    privateRouteTables.forEach((routeTableId, i) => {
      new aws.ec2.Route(
        `${env.name}-nat-default-${i}`,
        {
          routeTableId,
          destinationCidrBlock: "0.0.0.0/0",
          networkInterfaceId: nat.networkInterface.id,
        },
        { provider },
      );
    });
  }

  return {
    vpcId,
    vpcCidr: network.vpcCidr,
    publicSubnetIds: vpc.vpc.publicSubnetIds,
    privateSubnetIds: vpc.vpc.privateSubnetIds,
    availabilityZones: zoneNames,
    securityGroupIds: {
      vpnServer: groups.id("vpn-server"),
      openemsBackend: groups.id("openems-backend"),
      mbeProxy: groups.id("mbe-proxy"),
    },
    vpn: {
      host: vpn.appliance.elasticIp.publicIp,
      port: network.vpn.port,
      clientCidr: ranges.clientCidr,
      adminCidr: ranges.adminCidr,
      deviceCidrs: [...ranges.deviceCidrs],
      serverCommonName: vpn.serverCommonName,
      serverCaPem: vpn.serverCaPem,
      ccdBucket: vpn.ccdBucket.name,
      ccdPrefix: CCD_PREFIX,
    },
    flowLogGroup: flowLogs.logGroup.name,
  };
};
