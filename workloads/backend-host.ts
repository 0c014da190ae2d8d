import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { WorkloadsConfig } from "../lib/config/workloads";
import { HOST_SECRET_KEYS } from "./openems/secrets";
import {
  dataDiskMetricDimensions,
  desiredStateParameters,
  HOST_METRICS,
  backendHostManifest,
  renderDesiredState,
} from "./openems/userdata";
import { applyScriptFiles } from "./openems/apply";
import {
  hostManifestParameterName,
  renderHostManifest,
  renderHostUserData,
} from "../lib/host-agent";
import { ServiceName } from "./openems/compose";
import { PORT_MAP } from "../lib/ports";
import { InstanceRole, serviceTrust } from "../lib/components/iam";
import { hardenedInstance } from "../lib/components/host";
import { AdoptConfig, retainedOptions } from "../lib/config/retained";

/** The tag that selects volumes for the snapshot schedule. */
export const SNAPSHOT_TAG = { key: "snapshot-schedule", value: "openems-daily" } as const;

export interface BackendHostArgs {
  readonly env: string;
  /** Retained fixed-name resources to import (platform:adopt). */
  readonly adopt: AdoptConfig;
  readonly openems: WorkloadsConfig["openems"];
  readonly logRetentionDays: number;
  readonly region: string;
  readonly subnetId: pulumi.Input<string>;
  readonly availabilityZone: pulumi.Input<string>;
  readonly securityGroupId: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Output<string>;
  readonly alarmTopicArn: pulumi.Input<string>;
  /** Image overrides per service (`name:tag[@sha256:...]`), checked by validateComposeOptions. */
  readonly images?: Partial<Record<ServiceName, string>>;
}

/** Where the host's desired state and edge endpoint live in SSM. */
export function backendParameterPrefix(env: string): string {
  return `/openems/${env}/backend`;
}

/**
 * The OpenEMS backend: a private instance running the Compose stack, a separate data volume that
 * outlives it, its own network interface (the address devices use), its secrets, its desired state
 * in SSM, its log group, daily snapshots and the alarms that watch it.
 *
 * What reaches the running host in place: everything in the desired state (Compose file, images,
 * Felix and CloudWatch agent settings, rotated secrets), read by the apply step. What replaces the
 * instance: a change to its user data (the bootstrap and apply step themselves) or a ForceNew
 * argument; the data volume, the network interface and the secret survive that by design.
 */
export class BackendHost extends pulumi.ComponentResource {
  readonly instance: aws.ec2.Instance;
  /** The host's primary interface: protected, retained, its private address is the edge endpoint. */
  readonly networkInterface: aws.ec2.NetworkInterface;
  /** `ws://<interface address>:8081`, also published at `<prefix>/edge-websocket-url`. */
  readonly edgeWebsocketUrl: pulumi.Output<string>;
  readonly dataVolume: aws.ebs.Volume;
  readonly secret: aws.secretsmanager.Secret;
  readonly logGroup: aws.cloudwatch.LogGroup;

  constructor(name: string, args: BackendHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:workloads:BackendHost", name, {}, opts);
    const child = { parent: this };
    const tags = { role: "openems-backend" };

    // Database passwords are read at first start of each database: a new value later would lock
    // the services out of their own data, so the generated values are protected.
    const values: Record<string, pulumi.Output<string>> = {};
    for (const key of HOST_SECRET_KEYS) {
      values[key] = new random.RandomPassword(
        `${name}-${key}`,
        { length: 32, special: false },
        { ...child, protect: true },
      ).result;
    }
    const secretName = `openems/${args.env}/backend-host`;
    this.secret = new aws.secretsmanager.Secret(
      `${name}-host`,
      {
        name: secretName,
        description: "OpenEMS backend host: database and service passwords",
        kmsKeyId: args.kmsKeyArn,
        recoveryWindowInDays: 30,
        tags,
      },
      { ...child, protect: true, ...retainedOptions(args.adopt, "secrets", secretName) },
    );
    new aws.secretsmanager.SecretVersion(
      `${name}-host`,
      { secretId: this.secret.id, secretString: pulumi.secret(pulumi.jsonStringify(values)) },
      child,
    );

    const logGroupName = `/openems/${args.env}/backend`;
    this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-containers`,
      {
        name: logGroupName,
        retentionInDays: args.logRetentionDays,
        kmsKeyId: args.kmsKeyArn,
        tags,
      },
      { ...child, ...retainedOptions(args.adopt, "logGroups", logGroupName) },
    );

    // Every database lives here: protected, retained, never deleted with the instance.
    this.dataVolume = new aws.ebs.Volume(
      `${name}-data`,
      {
        availabilityZone: args.availabilityZone,
        size: args.openems.dataVolumeGb,
        type: "gp3",
        encrypted: true,
        kmsKeyId: args.kmsKeyArn,
        tags: {
          ...tags,
          Name: `openems-${args.env}-data`,
          "data-class": "database",
          [SNAPSHOT_TAG.key]: SNAPSHOT_TAG.value,
        },
      },
      { ...child, protect: true, retainOnDelete: true },
    );

    // Devices are configured with this address once: it belongs to an interface of its own, not
    // to the instance, so replacing the instance keeps it. EC2 cannot detach an instance's primary
    // interface (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-eni.html), hence the
    // interface is made first and the instance launched onto it.
    this.networkInterface = new aws.ec2.NetworkInterface(
      `${name}-endpoint`,
      {
        subnetId: args.subnetId,
        securityGroups: [args.securityGroupId],
        description: `OpenEMS ${args.env} backend: the address edge devices connect to`,
        tags: { ...tags, Name: `openems-${args.env}-backend` },
      },
      { ...child, protect: true, retainOnDelete: true },
    );
    const prefix = backendParameterPrefix(args.env);
    const names = desiredStateParameters(prefix);
    this.edgeWebsocketUrl = new aws.ssm.Parameter(
      `${name}-edge-url`,
      {
        name: `${prefix}/edge-websocket-url`,
        type: "String",
        description: "What OpenEMS Edge devices put in Controller.Api.Backend uri",
        // Not a secret: insecureValue keeps it readable in outputs and the plan.
        insecureValue: pulumi.interpolate`ws://${this.networkInterface.privateIp}:${PORT_MAP.edgeWebsocket}`,
        tags,
      },
      child,
    ).insecureValue;

    // The desired state the apply step converges on. Neither parameter holds a secret; changing
    // them changes nothing about the instance resource.
    const desired = pulumi
      .all([this.dataVolume.id, this.secret.arn])
      .apply(([dataVolumeId, secretArn]) =>
        renderDesiredState({
          compose: {
            logGroupName: `/openems/${args.env}/backend`,
            region: args.region,
            ...(args.images ? { images: args.images } : {}),
          },
          dataVolumeId,
          secretArn,
        }),
      );
    const parameter = (
      role: string,
      paramName: string,
      value: pulumi.Output<string>,
      what: string,
    ) =>
      new aws.ssm.Parameter(
        `${name}-${role}`,
        {
          name: paramName,
          type: "String",
          // Standard (free) while the value fits in 4 KB, advanced when it grows past that.
          tier: "Intelligent-Tiering",
          description: what,
          insecureValue: value,
          tags,
        },
        child,
      );
    const composeParameter = parameter(
      "compose",
      names.compose,
      desired.composeYaml,
      "OpenEMS backend host: the Compose file (no secrets)",
    );
    const hostParameter = parameter(
      "desired",
      names.host,
      desired.hostJson,
      "OpenEMS backend host: desired state (volume, paths, env and Felix specs; no secret values)",
    );
    const applyParameters = applyScriptFiles().map((f) =>
      parameter(
        `apply-${f.name.replace(/\.sh$/, "")}`,
        names.apply(f.name),
        pulumi.output(f.content),
        `OpenEMS backend host: the apply step, ${f.name}`,
      ),
    );
    // host-agent reads this one parameter; the files it names come from the others.
    const manifestName = hostManifestParameterName(args.env, "openems-backend");
    const manifest = new aws.ssm.Parameter(
      `${name}-manifest`,
      {
        name: manifestName,
        type: "String",
        tier: "Standard",
        description: "Desired state of the OpenEMS backend host (host-agent manifest)",
        insecureValue: desired.apply((d) => renderHostManifest(backendHostManifest(prefix, d))),
        tags,
      },
      child,
    );
    const readable = [manifest, hostParameter, composeParameter, ...applyParameters];

    const access = new InstanceRole(
      `${name}-host`,
      {
        description: `OpenEMS ${args.env} backend host`,
        tags,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "ReadOwnSecret",
              Effect: "Allow",
              Action: "secretsmanager:GetSecretValue",
              Resource: this.secret.arn,
            },
            {
              Sid: "DecryptOwnSecret",
              Effect: "Allow",
              Action: "kms:Decrypt",
              Resource: args.kmsKeyArn,
              Condition: {
                StringEquals: { "kms:ViaService": `secretsmanager.${args.region}.amazonaws.com` },
              },
            },
            {
              Sid: "ReadDesiredState",
              Effect: "Allow",
              Action: "ssm:GetParameter",
              Resource: readable.map((p) => p.arn),
            },
            {
              Sid: "WriteOwnLogs",
              Effect: "Allow",
              Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
              Resource: [this.logGroup.arn, pulumi.interpolate`${this.logGroup.arn}:log-stream:*`],
            },
            {
              Sid: "PublishHostMetrics",
              Effect: "Allow",
              Action: "cloudwatch:PutMetricData",
              Resource: "*",
              Condition: { StringEquals: { "cloudwatch:namespace": HOST_METRICS.namespace } },
            },
          ],
        }),
      },
      child,
    );

    this.instance = hardenedInstance(
      `${name}-host`,
      {
        instanceType: args.openems.instanceType,
        instanceProfile: access.profile.name,
        kmsKeyArn: args.kmsKeyArn,
        rootVolumeGb: 20,
        userData: renderHostUserData({ manifestParameter: manifestName }),
        placement: { networkInterfaceId: this.networkInterface.id },
        monitoring: args.openems.detailedMonitoring,
        tags: { ...tags, Name: `openems-${args.env}-backend` },
        // The user data is only host-agent: a new one needs a new boot, so a new host, built
        // cleanly (the old one goes first: the interface is primary to one instance at a time).
        replaceOnUserDataChange: true,
      },
      // The first run finds its desired state in place (it waits and retries anyway).
      { ...child, dependsOn: readable },
    );
    new aws.ec2.VolumeAttachment(
      `${name}-data`,
      {
        instanceId: this.instance.id,
        volumeId: this.dataVolume.id,
        deviceName: "/dev/sdf",
        stopInstanceBeforeDetaching: true,
      },
      // On replacement the volume must leave the old instance before it can join the new one.
      { ...child, deleteBeforeReplace: true },
    );

    this.snapshots(name, args, child);
    this.alarms(name, args, child);
    this.registerOutputs({
      instanceId: this.instance.id,
      dataVolumeId: this.dataVolume.id,
      networkInterfaceId: this.networkInterface.id,
      edgeWebsocketUrl: this.edgeWebsocketUrl,
    });
  }

  /** Daily snapshots of the data volume, kept `snapshotRetentionDays` days (Data Lifecycle Manager). */
  private snapshots(name: string, args: BackendHostArgs, child: pulumi.CustomResourceOptions) {
    const role = new aws.iam.Role(
      `${name}-snapshots`,
      {
        description: "Data Lifecycle Manager: snapshots of the OpenEMS data volume",
        assumeRolePolicy: serviceTrust("dlm.amazonaws.com"),
      },
      child,
    );
    new aws.iam.RolePolicyAttachment(
      `${name}-snapshots`,
      {
        role: role.name,
        policyArn: "arn:aws:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole",
      },
      child,
    );
    // Snapshots of a volume under a customer-managed key are encrypted with it: DLM needs grants.
    new aws.iam.RolePolicy(
      `${name}-snapshots`,
      {
        role: role.name,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: [
                "kms:CreateGrant",
                "kms:Decrypt",
                "kms:DescribeKey",
                "kms:GenerateDataKeyWithoutPlaintext",
                "kms:ReEncrypt*",
              ],
              Resource: args.kmsKeyArn,
              Condition: { StringEquals: { "kms:ViaService": `ec2.${args.region}.amazonaws.com` } },
            },
          ],
        }),
      },
      child,
    );
    new aws.dlm.LifecyclePolicy(
      `${name}-snapshots`,
      {
        description: `OpenEMS ${args.env} data volume, daily, ${args.openems.snapshotRetentionDays} days`,
        executionRoleArn: role.arn,
        state: "ENABLED",
        policyDetails: {
          resourceTypes: ["VOLUME"],
          targetTags: { [SNAPSHOT_TAG.key]: SNAPSHOT_TAG.value },
          schedules: [
            {
              name: `daily-${args.openems.snapshotRetentionDays}d`,
              createRule: { interval: 24, intervalUnit: "HOURS", times: "03:00" },
              retainRule: { count: args.openems.snapshotRetentionDays },
              copyTags: true,
            },
          ],
        },
      },
      child,
    );
  }

  /** Status checks recover or reboot the host; CPU, memory and the data disk page a human. */
  private alarms(name: string, args: BackendHostArgs, child: pulumi.CustomResourceOptions) {
    const id = this.instance.id;
    const alarm = (
      suffix: string,
      a: Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions">,
      extraActions: pulumi.Input<string>[] = [],
    ) =>
      new aws.cloudwatch.MetricAlarm(
        `${name}-${suffix}`,
        {
          ...a,
          alarmActions: [...extraActions, args.alarmTopicArn],
          okActions: [args.alarmTopicArn],
          treatMissingData: a.treatMissingData ?? "missing",
        },
        child,
      );
    const ec2 = { namespace: "AWS/EC2", dimensions: { InstanceId: id } };
    alarm(
      "system-check",
      {
        ...ec2,
        alarmDescription:
          "Host hardware or AWS network failed: the instance is recovered onto new hardware",
        metricName: "StatusCheckFailed_System",
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: 2,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
      },
      [`arn:aws:automate:${args.region}:ec2:recover`],
    );
    alarm(
      "instance-check",
      {
        ...ec2,
        alarmDescription: "The operating system stopped answering: the instance is rebooted",
        metricName: "StatusCheckFailed_Instance",
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: 3,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
      },
      [`arn:aws:automate:${args.region}:ec2:reboot`],
    );
    alarm("cpu", {
      ...ec2,
      alarmDescription: "CPU above 80 % for 15 minutes",
      metricName: "CPUUtilization",
      statistic: "Average",
      period: 300,
      evaluationPeriods: 3,
      threshold: 80,
      comparisonOperator: "GreaterThanThreshold",
    });
    alarm("data-disk", {
      namespace: HOST_METRICS.namespace,
      metricName: HOST_METRICS.diskUsedPercent,
      dimensions: id.apply((instanceId) => dataDiskMetricDimensions(instanceId)),
      alarmDescription: "Data volume above 80 % full: grow dataVolumeGb",
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 80,
      comparisonOperator: "GreaterThanThreshold",
      // Not "breaching": that pages on every fresh host before the agent reports. A host that
      // stops reporting moves the alarm to INSUFFICIENT_DATA, which notifies.
      insufficientDataActions: [args.alarmTopicArn],
    });
    alarm("memory", {
      namespace: HOST_METRICS.namespace,
      metricName: HOST_METRICS.memUsedPercent,
      dimensions: { InstanceId: id },
      alarmDescription: "Memory above 90 % for 15 minutes",
      statistic: "Average",
      period: 300,
      evaluationPeriods: 3,
      threshold: 90,
      comparisonOperator: "GreaterThanThreshold",
    });
  }
}
