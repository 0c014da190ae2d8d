import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { WorkloadsConfig } from "../lib/config/workloads";
import { bundleEntry, bundleHandler } from "./mbe-proxy/package";
import { serviceTrust } from "../lib/components/iam";
import { PORT_MAP } from "../lib/ports";
import { AdoptConfig, retainedOptions } from "../lib/config/retained";

/** The Lambda runtime the proxy runs on, the one its bundle targets. */
export const PROXY_RUNTIME = bundleEntry.runtime;
/** Seconds the function may run beyond the upstream timeout, to answer 504 itself. */
const TIMEOUT_MARGIN_SECONDS = 3;

/** Vercel's OIDC issuer, audience and subject for a team, project and environment (team issuer mode). */
export function vercelOidc(v: WorkloadsConfig["mbe"]["vercel"]) {
  const host = `oidc.vercel.com/${v.team}`;
  return {
    url: `https://${host}`,
    host,
    audience: `https://vercel.com/${v.team}`,
    subject: `owner:${v.team}:project:${v.project}:environment:${v.environment}`,
  };
}

export interface MbeProxyArgs {
  readonly env: string;
  /** Retained fixed-name resources to import (platform:adopt). */
  readonly adopt: AdoptConfig;
  readonly mbe: WorkloadsConfig["mbe"];
  readonly logRetentionDays: number;
  readonly region: string;
  readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  readonly securityGroupId: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Output<string>;
  /** Private address of the backend host: the proxy calls http://<it>:8082/jsonrpc. */
  readonly backendAddress: pulumi.Input<string>;
}

/**
 * The MBE proxy: a Lambda in the private subnets behind an IAM-authenticated Function URL that
 * only MBE's role may invoke, with the B2B credentials it adds in its own secret.
 */
export class MbeProxy extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly url: aws.lambda.FunctionUrl;
  readonly mbeRole: aws.iam.Role;
  readonly credentials: aws.secretsmanager.Secret;

  constructor(name: string, args: MbeProxyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:workloads:MbeProxy", name, {}, opts);
    const child = { parent: this };
    const tags = { role: "mbe-proxy" };
    const functionName = `openems-${args.env}-mbe-proxy`;

    const password = new random.RandomPassword(
      `${name}-b2b`,
      { length: 32, special: false },
      { ...child, protect: true },
    );
    this.credentials = new aws.secretsmanager.Secret(
      `${name}-b2b`,
      {
        name: `openems/${args.env}/mbe-proxy-b2b`,
        description: "OpenEMS B2B credentials the MBE proxy signs in with (an Odoo user)",
        kmsKeyId: args.kmsKeyArn,
        recoveryWindowInDays: 30,
        tags,
      },
      {
        ...child,
        protect: true,
        ...retainedOptions(args.adopt, "secrets", `openems/${args.env}/mbe-proxy-b2b`),
      },
    );
    new aws.secretsmanager.SecretVersion(
      `${name}-b2b`,
      {
        secretId: this.credentials.id,
        secretString: pulumi.secret(
          pulumi.jsonStringify({ username: args.mbe.b2bUsername, password: password.result }),
        ),
      },
      child,
    );

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      {
        name: `/aws/lambda/${functionName}`,
        retentionInDays: args.logRetentionDays,
        kmsKeyId: args.kmsKeyArn,
        tags,
      },
      { ...child, ...retainedOptions(args.adopt, "logGroups", `/aws/lambda/${functionName}`) },
    );
    const role = new aws.iam.Role(
      `${name}-function`,
      {
        description: "MBE proxy Lambda",
        assumeRolePolicy: serviceTrust("lambda.amazonaws.com"),
        tags,
      },
      child,
    );
    const permissions = new aws.iam.RolePolicy(
      `${name}-function`,
      {
        role: role.name,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "WriteOwnLogs",
              Effect: "Allow",
              Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
              Resource: pulumi.interpolate`${logGroup.arn}:log-stream:*`,
            },
            {
              Sid: "ReadB2bCredentials",
              Effect: "Allow",
              Action: "secretsmanager:GetSecretValue",
              Resource: this.credentials.arn,
            },
            {
              Sid: "DecryptB2bCredentials",
              Effect: "Allow",
              Action: "kms:Decrypt",
              Resource: args.kmsKeyArn,
              Condition: {
                StringEquals: { "kms:ViaService": `secretsmanager.${args.region}.amazonaws.com` },
              },
            },
            {
              // Lambda attaches the function to the VPC through these; they do not support
              // resource-level permissions, so the statement is limited to this region instead.
              Sid: "AttachToVpc",
              Effect: "Allow",
              Action: [
                "ec2:CreateNetworkInterface",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSubnets",
                "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses",
                "ec2:UnassignPrivateIpAddresses",
              ],
              Resource: "*",
              Condition: { StringEquals: { "aws:RequestedRegion": args.region } },
            },
          ],
        }),
      },
      child,
    );

    this.function = new aws.lambda.Function(
      `${name}-function`,
      {
        name: functionName,
        description: "Forwards allowlisted JSON-RPC calls from MBE to OpenEMS B2B",
        runtime: PROXY_RUNTIME,
        architectures: ["arm64"],
        handler: bundleEntry.handler,
        code: new pulumi.asset.AssetArchive({
          [bundleEntry.outputFile]: new pulumi.asset.StringAsset(bundleHandler().code),
        }),
        role: role.arn,
        memorySize: 256,
        timeout: Math.ceil(args.mbe.upstreamTimeoutMs / 1000) + TIMEOUT_MARGIN_SECONDS,
        kmsKeyArn: args.kmsKeyArn,
        vpcConfig: { subnetIds: args.subnetIds, securityGroupIds: [args.securityGroupId] },
        loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
        environment: {
          variables: {
            OPENEMS_B2B_URL: pulumi.interpolate`http://${args.backendAddress}:${PORT_MAP.b2bRest}/jsonrpc`,
            ALLOWED_METHODS: args.mbe.allowedMethods.join(","),
            OPENEMS_CREDENTIALS_SECRET_ARN: this.credentials.arn,
            MAX_BODY_BYTES: String(args.mbe.maxBodyBytes),
            UPSTREAM_TIMEOUT_MS: String(args.mbe.upstreamTimeoutMs),
          },
        },
        tags,
      },
      // CreateFunction with vpcConfig checks the role may create network interfaces.
      { ...child, dependsOn: [logGroup, permissions] },
    );
    this.url = new aws.lambda.FunctionUrl(
      `${name}-url`,
      { functionName: this.function.name, authorizationType: "AWS_IAM" },
      child,
    );

    // MBE on Vercel: short-lived OIDC tokens for one team, project and environment; no keys.
    const oidc = vercelOidc(args.mbe.vercel);
    const provider = new aws.iam.OpenIdConnectProvider(
      `${name}-vercel`,
      { url: oidc.url, clientIdLists: [oidc.audience], tags },
      child,
    );
    this.mbeRole = new aws.iam.Role(
      `${name}-mbe`,
      {
        description: `MBE (Vercel ${args.mbe.vercel.team}/${args.mbe.vercel.project}, ${args.mbe.vercel.environment}) calling the OpenEMS proxy`,
        maxSessionDuration: 3600,
        assumeRolePolicy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Federated: provider.arn },
              Action: "sts:AssumeRoleWithWebIdentity",
              Condition: {
                StringEquals: {
                  [`${oidc.host}:aud`]: oidc.audience,
                  [`${oidc.host}:sub`]: oidc.subject,
                },
              },
            },
          ],
        }),
        tags,
      },
      child,
    );
    const invoke = pulumi.jsonStringify({
      Version: "2012-10-17",
      Statement: [
        // Function URLs made since October 2025 need both actions.
        {
          Sid: "InvokeProxyUrl",
          Effect: "Allow",
          Action: ["lambda:InvokeFunctionUrl", "lambda:InvokeFunction"],
          Resource: this.function.arn,
        },
      ],
    });
    new aws.iam.RolePolicy(`${name}-mbe`, { role: this.mbeRole.name, policy: invoke }, child);
    new aws.lambda.Permission(
      `${name}-mbe-url`,
      {
        function: this.function.name,
        action: "lambda:InvokeFunctionUrl",
        principal: this.mbeRole.arn,
        functionUrlAuthType: "AWS_IAM",
      },
      child,
    );
    new aws.lambda.Permission(
      `${name}-mbe-invoke`,
      {
        function: this.function.name,
        action: "lambda:InvokeFunction",
        principal: this.mbeRole.arn,
        invokedViaFunctionUrl: true,
      },
      child,
    );

    this.registerOutputs({ url: this.url.functionUrl, mbeRoleArn: this.mbeRole.arn });
  }
}
