import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadEnvironmentConfig } from "../lib/config/environment";
import { EdgeDevice } from "./device";
import { adminProfiles, ClientAuthority, earliestCertExpiry } from "./authority";
import { edgeKeyAlias } from "../lib/openvpn/parameter-names";
import { CERT_EXPIRY_METRIC, VPN_METRICS_NAMESPACE } from "../lib/openvpn";
import { EncryptionKey } from "../lib/components/kms";
import { environmentStack } from "../lib/environment-stack";
import {
  edgeContract,
  Exports,
  networkContract,
  readUpstream,
  stackRefName,
  workloadsContract,
} from "../lib/contracts";

export = async (): Promise<Exports<typeof edgeContract>> => {
  const env = loadEnvironmentConfig();
  const { edge, fleet } = env;
  const { provider, providers } = environmentStack(env);
  const opts = { providers };
  const pulumiOrg = env.org["platform:organization"].pulumiOrg;
  const refs = env.section.stackRefs;
  const network = readUpstream(
    networkContract,
    stackRefName(pulumiOrg, "network", env.name, refs.network),
  );
  const workloads = readUpstream(
    workloadsContract,
    stackRefName(pulumiOrg, "workloads", env.name, refs.workloads),
  );
  const key = new EncryptionKey(
    `${env.name}-edge`,
    {
      description: `OpenEMS ${env.name}: edge device bundles (VPN profiles and settings)`,
      // The VPN server's role decrypts with this key by its alias (network/vpn.ts).
      alias: edgeKeyAlias(env.name),
    },
    opts,
  );
  const authority = new ClientAuthority(
    `${env.name}`,
    { env: env.name, generations: edge.clientCaGenerations, kmsKeyArn: key.arn },
    opts,
  );
  adminProfiles(
    {
      env: env.name,
      admins: env.network.vpn.adminProfiles,
      authority,
      network,
      kmsKeyArn: key.arn,
    },
    { parent: authority },
  );

  const certExpiries: pulumi.Output<string>[] = [];
  const devices = fleet.map((device) => {
    const d = new EdgeDevice(
      `${env.name}-${device.id}`,
      {
        env: env.name,
        device,
        certValidityDays: edge.certValidityDays,
        renewBeforeDays: edge.renewBeforeDays,
        network,
        authority,
        backendUri: workloads.edgeWebsocketUrl,
        kmsKeyArn: key.arn,
      },
      opts,
    );
    certExpiries.push(d.certExpiry);
    return {
      id: device.id,
      site: device.site,
      address: device.address,
      pinned: device.pinned,
      profileParameter: d.parameters.profile,
      settingsParameter: d.parameters.settings,
    };
  });

  if (certExpiries.length > 0) {
    earliestCertExpiry(env.name, certExpiries, { provider });
    // Device certificates renew renewBeforeDays ahead at the next `pulumi up`: half that time
    // (at most 30 days) left means the renewal has not happened.
    const threshold = Math.min(30, Math.floor(edge.renewBeforeDays / 2));
    new aws.cloudwatch.MetricAlarm(
      `${env.name}-device-cert-expiry`,
      {
        alarmDescription: `The earliest edge device certificate of ${env.name} expires in less than ${threshold} days (${CERT_EXPIRY_METRIC}; run pulumi up for the edge stack, see the README's certificate section)`,
        namespace: VPN_METRICS_NAMESPACE,
        metricName: CERT_EXPIRY_METRIC,
        dimensions: { Environment: env.name, Certificate: "earliest-device" },
        statistic: "Minimum",
        period: 3600,
        evaluationPeriods: 1,
        threshold,
        comparisonOperator: "LessThanThreshold",
        treatMissingData: "notBreaching",
        alarmActions: [workloads.alarmTopicArn],
        okActions: [workloads.alarmTopicArn],
      },
      { provider },
    );
  }

  // Fleet-level alarms on the server's metrics: one alarm each, whatever the size of the fleet.
  if (fleet.length > 0) {
    const alarm = (
      id: string,
      a: Pick<
        aws.cloudwatch.MetricAlarmArgs,
        | "alarmDescription"
        | "metricName"
        | "evaluationPeriods"
        | "threshold"
        | "comparisonOperator"
        | "treatMissingData"
        | "insufficientDataActions"
      >,
    ) =>
      new aws.cloudwatch.MetricAlarm(
        `${env.name}-${id}`,
        {
          ...a,
          namespace: VPN_METRICS_NAMESPACE,
          dimensions: { Environment: env.name },
          statistic: "Maximum",
          period: 300,
          alarmActions: [workloads.alarmTopicArn],
          okActions: [workloads.alarmTopicArn],
        },
        { provider },
      );
    alarm("devices-away", {
      alarmDescription: `At least one edge device has not been connected for ${edge.awayAlarmMinutes} minutes (see the VPN server's status file)`,
      metricName: "DevicesAway",
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "missing",
    });
    alarm("fleet-offline", {
      alarmDescription:
        "No edge device connected for 15 minutes, or the VPN server stopped reporting",
      metricName: "ConnectedDevices",
      evaluationPeriods: 3,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      // Not "breaching": that pages on the first deploy, before the server reports. A server that
      // stops reporting moves the alarm to INSUFFICIENT_DATA, which notifies.
      treatMissingData: "missing",
      insufficientDataActions: [workloads.alarmTopicArn],
    });
  }

  return { kmsKeyArn: key.arn, deviceCount: fleet.length, devices };
};
