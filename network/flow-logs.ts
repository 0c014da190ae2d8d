import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceTrust } from "../lib/components/iam";
import { AdoptConfig, retainedOptions } from "../lib/config/retained";

export interface FlowLogsArgs {
  readonly vpcId: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly retentionInDays: number;
  /** Retained fixed-name resources to import (platform:adopt). */
  readonly adopt: AdoptConfig;
}

/** Every accepted and rejected flow of the VPC, to a log group encrypted with the network key. */
export class FlowLogs extends pulumi.ComponentResource {
  readonly logGroup: aws.cloudwatch.LogGroup;

  constructor(name: string, args: FlowLogsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:network:FlowLogs", name, {}, opts);
    const child = { parent: this };
    const logGroupName = `/openems/${name}`;
    this.logGroup = new aws.cloudwatch.LogGroup(
      name,
      { name: logGroupName, retentionInDays: args.retentionInDays, kmsKeyId: args.kmsKeyArn },
      { ...child, ...retainedOptions(args.adopt, "logGroups", logGroupName) },
    );
    const account = aws.getCallerIdentityOutput({}, child).accountId;
    const region = aws.getRegionOutput({}, child).region;
    const role = new aws.iam.Role(
      name,
      {
        description: "VPC flow logs delivery",
        // Only flow logs of this account may use the role (confused deputy).
        assumeRolePolicy: serviceTrust("vpc-flow-logs.amazonaws.com", {
          StringEquals: { "aws:SourceAccount": account },
          ArnLike: {
            "aws:SourceArn": pulumi.interpolate`arn:aws:ec2:${region}:${account}:vpc-flow-log/*`,
          },
        }),
      },
      child,
    );
    const delivery = new aws.iam.RolePolicy(
      name,
      {
        role: role.name,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
              Resource: [this.logGroup.arn, pulumi.interpolate`${this.logGroup.arn}:log-stream:*`],
            },
          ],
        }),
      },
      child,
    );
    new aws.ec2.FlowLog(
      name,
      {
        vpcId: args.vpcId,
        trafficType: "ALL",
        logDestinationType: "cloud-watch-logs",
        logDestination: this.logGroup.arn,
        iamRoleArn: role.arn,
        maxAggregationInterval: 600,
      },
      // Delivery fails until the role may write the log group.
      { ...child, dependsOn: [delivery] },
    );
    this.registerOutputs({ logGroup: this.logGroup.name });
  }
}
