/**
 * Proves what the SCPs in policies/scp do, by evaluating real requests against each account's
 * effective SCP chain with an independent IAM policy evaluator (@cloud-copilot/iam-simulate).
 *
 * The documents come from the files themselves through loadScps; the chain (root, OUs, account,
 * and freeze when frozen) comes from effectiveScpLevels and DEFAULT_SCP_ATTACHMENTS, with
 * FullAWSAccess at every level as AWS attaches it. The caller has AdministratorAccess (the root
 * user needs none), so any denial is an SCP's doing.
 */
import { nonEmpty } from "../../tooling/testing/non-empty";
import * as assert from "assert";
import * as path from "path";
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import {
  DEFAULT_ORG_LAYOUT,
  DEFAULT_SCP_ATTACHMENTS,
  effectiveScpLevels,
  loadScps,
  type ScpDocument,
} from "../guardrails";
import { GUARDRAIL_NAME_DEFAULTS, type GuardrailContext } from "../../lib/names";
import {
  denyStatementsOf,
  guardrailCoverage,
  unexercisedExemptions,
  type CoverageReport,
  type DenialOutcome,
} from "./scp-coverage";
import { assertScenarioTable, FULL_AWS_ACCESS, scpChain } from "../../tooling/testing/iam";

const SCP_DIR = path.join(__dirname, "..", "..", "policies", "scp");

// A realistic configuration: Frankfurt and Ireland only, so us-east-1 (where IAM, Organizations and
// the other global endpoints live) is outside the allowed set and the global exemption is tested.
const CTX: GuardrailContext = {
  ...GUARDRAIL_NAME_DEFAULTS,
  allowedRegions: ["eu-central-1", "eu-west-1"],
  allowedInstanceTypes: [
    "t3.micro",
    "t3.small",
    "t3.medium",
    "t4g.micro",
    "t4g.small",
    "t4g.medium",
  ],
  allowedBedrockModels: ["anthropic.claude-3-haiku-20240307-v1:0", "amazon.titan-text-lite-v1"],
};

const ACCOUNT_IDS = {
  "log-archive": "210000000001",
  dev: "210000000002",
  stage: "210000000003",
  prod: "210000000004",
  sandbox: "210000000005",
} as const;
type AccountKey = keyof typeof ACCOUNT_IDS;

const SSO_ADMIN = "AWSReservedSSO_AdministratorAccess_0a1b2c3d4e5f6a7b";
type Who = "admin" | "deploy" | "breakGlass" | "orgAccess" | "agent" | "root";

/** The request's principal (a role session or the root user) and the aws:PrincipalArn of it. */
function principalOf(who: Who, account: AccountKey): { principal: string; principalArn: string } {
  const id = ACCOUNT_IDS[account];
  if (who === "root") {
    return { principal: `arn:aws:iam::${id}:root`, principalArn: `arn:aws:iam::${id}:root` };
  }
  const roles: Record<Exclude<Who, "root">, { name: string; path: string }> = {
    // IAM Identity Center roles live under a reserved path; PrincipalArn carries the path.
    admin: { name: SSO_ADMIN, path: "aws-reserved/sso.amazonaws.com/eu-central-1/" },
    deploy: { name: CTX.deployRoleName, path: "" },
    breakGlass: { name: CTX.breakGlassRoleName, path: "" },
    orgAccess: { name: "OrganizationAccountAccessRole", path: "" },
    agent: { name: CTX.agentRoleName, path: "" },
  };
  const role = roles[who];
  return {
    principal: `arn:aws:sts::${id}:assumed-role/${role.name}/session-1`,
    principalArn: `arn:aws:iam::${id}:role/${role.path}${role.name}`,
  };
}

interface Scenario {
  readonly name: string;
  readonly account: AccountKey;
  readonly frozen?: boolean;
  readonly who: Who;
  readonly action: string;
  /** `{acct}` and `{region}` are replaced with the account id and the request region. */
  readonly resource: string;
  /** aws:RequestedRegion; global services are called in us-east-1. Default eu-central-1. */
  readonly region?: string;
  /**
   * Service context keys; `{acct}` and `{region}` are filled in. aws:PrincipalArn,
   * aws:PrincipalAccount and aws:RequestedRegion are added from the principal and region.
   */
  readonly context?: Readonly<Record<string, string | string[]>>;
  /** A resource policy the service requires for the call to be possible at all (KMS key policy). */
  readonly resourcePolicy?: object;
  readonly expect: "Allowed" | "ExplicitlyDenied";
  /** For denials: the SCP that must be the one denying. */
  readonly deniedBy?: string;
}

/** The default key policy: the account's IAM policies decide, as for keys made without a policy. */
const DEFAULT_KEY_POLICY = (account: AccountKey) => ({
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "EnableIamPolicies",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT_IDS[account]}:root` },
      Action: "kms:*",
      Resource: "*",
    },
  ],
});

const TRAIL_BUCKET = "arn:aws:s3:::platform-org-trail-210000000001";
const TRAIL_KEY = "arn:aws:kms:{region}:{acct}:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const INSTANCE = "arn:aws:ec2:{region}:{acct}:instance/i-0123456789abcdef0";
const ASG =
  "arn:aws:autoscaling:{region}:{acct}:autoScalingGroup:6d3b2c6e-0f3a-4b8e-9d2a-1c2b3d4e5f60:" +
  "autoScalingGroupName/sandbox-demo";
const FUNCTION = "arn:aws:lambda:{region}:{acct}:function:mbe-proxy";
const MODEL = (id: string) => `arn:aws:bedrock:{region}::foundation-model/${id}`;
const PROFILE = (id: string) => `arn:aws:bedrock:{region}:{acct}:inference-profile/${id}`;
const HAIKU = "anthropic.claude-3-haiku-20240307-v1:0";
const OPUS = "anthropic.claude-3-opus-20240229-v1:0";
const EU_HAIKU_PROFILE = `inference-profile/eu.${HAIKU}`;

const SCENARIOS: readonly Scenario[] = [
  // --- Attacks that must be denied ------------------------------------------------------------
  {
    name: "launching an instance in a region outside the allowlist",
    account: "dev",
    who: "admin",
    action: "ec2:RunInstances",
    resource: INSTANCE,
    region: "ap-southeast-1",
    context: { "ec2:InstanceType": "t3.micro" },
    expect: "ExplicitlyDenied",
    deniedBy: "region-lock",
  },
  {
    name: "creating a bucket in us-east-1 from prod",
    account: "prod",
    who: "deploy",
    action: "s3:CreateBucket",
    resource: "arn:aws:s3:::openems-prod-scratch",
    region: "us-east-1",
    expect: "ExplicitlyDenied",
    deniedBy: "region-lock",
  },
  {
    name: "the agent role working in a forbidden region in dev",
    account: "dev",
    who: "agent",
    action: "lambda:ListFunctions",
    resource: "*",
    region: "sa-east-1",
    expect: "ExplicitlyDenied",
    deniedBy: "region-lock",
  },
  // KMS, ACM, Config, Identity Center and WAF are regional services: the region lock covers them
  // (AWS's published example exempts kms:* and acm:*, which would let keys and certificates live
  // in any region).
  {
    name: "creating a KMS key in a region outside the allowlist",
    account: "dev",
    who: "admin",
    action: "kms:CreateKey",
    resource: "*",
    region: "ap-southeast-1",
    expect: "ExplicitlyDenied",
    deniedBy: "region-lock",
  },
  {
    name: "requesting an ACM certificate in us-east-1 when it is not an allowed region",
    account: "prod",
    who: "deploy",
    action: "acm:RequestCertificate",
    resource: "*",
    region: "us-east-1",
    expect: "ExplicitlyDenied",
    deniedBy: "region-lock",
  },
  {
    name: "recording AWS Config in a region outside the allowlist",
    account: "sandbox",
    who: "admin",
    action: "config:PutConfigurationRecorder",
    resource: "arn:aws:config:{region}:{acct}:configuration-recorder/default/abcdefghijklmnop",
    region: "sa-east-1",
    expect: "ExplicitlyDenied",
    deniedBy: "region-lock",
  },
  {
    name: "creating a regional WAF web ACL outside the allowlist",
    account: "stage",
    who: "deploy",
    action: "wafv2:CreateWebACL",
    resource:
      "arn:aws:wafv2:{region}:{acct}:regional/webacl/openems-stage/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
    region: "ap-northeast-1",
    expect: "ExplicitlyDenied",
    deniedBy: "region-lock",
  },
  {
    name: "launching a large instance in dev",
    account: "dev",
    who: "admin",
    action: "ec2:RunInstances",
    resource: INSTANCE,
    context: { "ec2:InstanceType": "m5.24xlarge" },
    expect: "ExplicitlyDenied",
    deniedBy: "ec2-instance-type-allowlist",
  },
  {
    name: "launching a GPU instance in sandbox",
    account: "sandbox",
    who: "admin",
    action: "ec2:RunInstances",
    resource: INSTANCE,
    context: { "ec2:InstanceType": "p4d.24xlarge" },
    expect: "ExplicitlyDenied",
    deniedBy: "ec2-instance-type-allowlist",
  },
  {
    name: "launching a large instance through an EC2 Fleet in stage",
    account: "stage",
    who: "deploy",
    action: "ec2:CreateFleet",
    resource: INSTANCE,
    context: { "ec2:InstanceType": "c6i.8xlarge" },
    expect: "ExplicitlyDenied",
    deniedBy: "ec2-instance-type-allowlist",
  },
  {
    name: "resizing a small instance to a large type in dev",
    account: "dev",
    who: "admin",
    action: "ec2:ModifyInstanceAttribute",
    resource: INSTANCE,
    context: { "ec2:InstanceType": "t3.micro", "ec2:Attribute/InstanceType": "r6i.16xlarge" },
    expect: "ExplicitlyDenied",
    deniedBy: "ec2-instance-type-allowlist",
  },
  {
    name: "an Auto Scaling group overriding to a large type in sandbox",
    account: "sandbox",
    who: "admin",
    action: "autoscaling:CreateAutoScalingGroup",
    resource: ASG,
    context: { "autoscaling:InstanceTypes": "m5.12xlarge" },
    expect: "ExplicitlyDenied",
    deniedBy: "ec2-instance-type-allowlist",
  },
  {
    name: "invoking a disallowed Bedrock foundation model in dev",
    account: "dev",
    who: "agent",
    action: "bedrock:InvokeModel",
    resource: MODEL(OPUS),
    expect: "ExplicitlyDenied",
    deniedBy: "bedrock-model-allowlist",
  },
  {
    name: "streaming from a disallowed model through an inference profile in sandbox",
    account: "sandbox",
    who: "admin",
    action: "bedrock:InvokeModelWithResponseStream",
    resource: PROFILE(`eu.${OPUS}`),
    expect: "ExplicitlyDenied",
    deniedBy: "bedrock-model-allowlist",
  },
  {
    name: "buying Bedrock provisioned throughput in dev",
    account: "dev",
    who: "admin",
    action: "bedrock:CreateProvisionedModelThroughput",
    resource: MODEL(HAIKU),
    expect: "ExplicitlyDenied",
    deniedBy: "deny-expensive-services",
  },
  {
    name: "leaving the organization from stage",
    account: "stage",
    who: "admin",
    action: "organizations:LeaveOrganization",
    resource: "*",
    region: "us-east-1",
    expect: "ExplicitlyDenied",
    deniedBy: "deny-leave-organization",
  },
  {
    name: "leaving the organization even as break-glass",
    account: "prod",
    who: "breakGlass",
    action: "organizations:LeaveOrganization",
    resource: "*",
    region: "us-east-1",
    expect: "ExplicitlyDenied",
    deniedBy: "deny-leave-organization",
  },
  // No scenario protects the organization trail, the budget alert topic or the budget-action role:
  // they live in the management account, where SCPs never apply (protect-guardrails says so).
  {
    name: "deleting the trail bucket",
    account: "log-archive",
    who: "admin",
    action: "s3:DeleteBucket",
    resource: TRAIL_BUCKET,
    expect: "ExplicitlyDenied",
    deniedBy: "protect-guardrails",
  },
  {
    name: "replacing the trail bucket policy",
    account: "log-archive",
    who: "admin",
    action: "s3:PutBucketPolicy",
    resource: TRAIL_BUCKET,
    expect: "ExplicitlyDenied",
    deniedBy: "protect-guardrails",
  },
  {
    name: "shortening the trail bucket lifecycle",
    account: "log-archive",
    who: "admin",
    action: "s3:PutLifecycleConfiguration",
    resource: TRAIL_BUCKET,
    expect: "ExplicitlyDenied",
    deniedBy: "protect-guardrails",
  },
  {
    name: "deleting a log object from the trail bucket",
    account: "log-archive",
    who: "admin",
    action: "s3:DeleteObject",
    resource: `${TRAIL_BUCKET}/AWSLogs/o-abc/210000000004/CloudTrail/eu-central-1/2026/01/01/x.gz`,
    expect: "ExplicitlyDenied",
    deniedBy: "protect-guardrails",
  },
  {
    name: "disabling the trail key",
    account: "log-archive",
    who: "admin",
    action: "kms:DisableKey",
    resource: TRAIL_KEY,
    context: { "kms:ResourceAliases": ["alias/platform-org-trail"] },
    resourcePolicy: DEFAULT_KEY_POLICY("log-archive"),
    expect: "ExplicitlyDenied",
    deniedBy: "protect-guardrails",
  },
  {
    name: "scheduling deletion of the trail key",
    account: "log-archive",
    who: "admin",
    action: "kms:ScheduleKeyDeletion",
    resource: TRAIL_KEY,
    context: { "kms:ResourceAliases": ["alias/platform-org-trail"] },
    resourcePolicy: DEFAULT_KEY_POLICY("log-archive"),
    expect: "ExplicitlyDenied",
    deniedBy: "protect-guardrails",
  },
  {
    name: "moving the trail key alias off the key",
    account: "log-archive",
    who: "admin",
    action: "kms:UpdateAlias",
    resource: "arn:aws:kms:{region}:{acct}:alias/platform-org-trail",
    expect: "ExplicitlyDenied",
    deniedBy: "protect-guardrails",
  },
  {
    name: "deleting the break-glass role",
    account: "prod",
    who: "deploy",
    action: "iam:DeleteRole",
    resource: "arn:aws:iam::{acct}:role/platform-break-glass",
    region: "us-east-1",
    expect: "ExplicitlyDenied",
    deniedBy: "protect-guardrails",
  },
  {
    name: "the agent widening the deploy role in dev",
    account: "dev",
    who: "agent",
    action: "iam:PutRolePolicy",
    resource: "arn:aws:iam::{acct}:role/platform-deploy",
    region: "us-east-1",
    expect: "ExplicitlyDenied",
    deniedBy: "protect-guardrails",
  },
  {
    name: "the agent rewriting its permissions boundary in dev",
    account: "dev",
    who: "agent",
    action: "iam:CreatePolicyVersion",
    resource: "arn:aws:iam::{acct}:policy/platform-agent-boundary",
    region: "us-east-1",
    expect: "ExplicitlyDenied",
    deniedBy: "protect-guardrails",
  },
  {
    name: "the agent removing its own permissions boundary in dev",
    account: "dev",
    who: "agent",
    action: "iam:DeleteRolePermissionsBoundary",
    resource: "arn:aws:iam::{acct}:role/platform-automation-agent",
    region: "us-east-1",
    expect: "ExplicitlyDenied",
    deniedBy: "protect-guardrails",
  },
  {
    name: "the deploy role attaching a policy to the agent role in dev",
    account: "dev",
    who: "deploy",
    action: "iam:AttachRolePolicy",
    resource: "arn:aws:iam::{acct}:role/platform-automation-agent",
    region: "us-east-1",
    expect: "ExplicitlyDenied",
    deniedBy: "protect-guardrails",
  },
  {
    name: "the deploy role rewriting the agent role's trust in dev",
    account: "dev",
    who: "deploy",
    action: "iam:UpdateAssumeRolePolicy",
    resource: "arn:aws:iam::{acct}:role/platform-automation-agent",
    region: "us-east-1",
    expect: "ExplicitlyDenied",
    deniedBy: "protect-guardrails",
  },
  {
    // An invited account has no OrganizationAccountAccessRole until someone makes one; whoever
    // did would hold every exemption the SCPs give it.
    name: "an administrator pre-planting OrganizationAccountAccessRole in sandbox",
    account: "sandbox",
    who: "admin",
    action: "iam:CreateRole",
    resource: "arn:aws:iam::{acct}:role/OrganizationAccountAccessRole",
    region: "us-east-1",
    expect: "ExplicitlyDenied",
    deniedBy: "protect-guardrails",
  },
  {
    name: "the deploy role pre-planting a break-glass role in prod",
    account: "prod",
    who: "deploy",
    action: "iam:CreateRole",
    resource: "arn:aws:iam::{acct}:role/platform-break-glass",
    region: "us-east-1",
    expect: "ExplicitlyDenied",
    deniedBy: "protect-guardrails",
  },
  {
    name: "the deploy role creating a workload role in prod",
    account: "prod",
    who: "deploy",
    action: "iam:CreateRole",
    resource: "arn:aws:iam::{acct}:role/openems-prod-worker",
    region: "us-east-1",
    expect: "Allowed",
  },
  {
    name: "the root user acting in a member account",
    account: "dev",
    who: "root",
    action: "ec2:DescribeInstances",
    resource: "*",
    expect: "ExplicitlyDenied",
    deniedBy: "deny-root-user",
  },
  {
    name: "the root user creating access keys in prod",
    account: "prod",
    who: "root",
    action: "iam:CreateAccessKey",
    resource: "arn:aws:iam::{acct}:user/someone",
    region: "us-east-1",
    expect: "ExplicitlyDenied",
    deniedBy: "deny-root-user",
  },
  {
    name: "the agent role reading buckets in stage",
    account: "stage",
    who: "agent",
    action: "s3:ListAllMyBuckets",
    resource: "*",
    region: "us-east-1",
    expect: "ExplicitlyDenied",
    deniedBy: "deny-agent-role",
  },
  {
    name: "the agent role launching an instance in stage",
    account: "stage",
    who: "agent",
    action: "ec2:RunInstances",
    resource: INSTANCE,
    context: { "ec2:InstanceType": "t3.micro" },
    expect: "ExplicitlyDenied",
    deniedBy: "deny-agent-role",
  },
  {
    name: "the agent role describing instances in prod",
    account: "prod",
    who: "agent",
    action: "ec2:DescribeInstances",
    resource: "*",
    expect: "ExplicitlyDenied",
    deniedBy: "deny-agent-role",
  },
  {
    name: "creating a SageMaker endpoint in dev",
    account: "dev",
    who: "admin",
    action: "sagemaker:CreateEndpoint",
    resource: "arn:aws:sagemaker:{region}:{acct}:endpoint/demo",
    expect: "ExplicitlyDenied",
    deniedBy: "deny-expensive-services",
  },
  {
    name: "creating an EKS cluster in sandbox",
    account: "sandbox",
    who: "admin",
    action: "eks:CreateCluster",
    resource: "*",
    expect: "ExplicitlyDenied",
    deniedBy: "deny-expensive-services",
  },
  {
    name: "creating a Redshift cluster in stage",
    account: "stage",
    who: "deploy",
    action: "redshift:CreateCluster",
    resource: "arn:aws:redshift:{region}:{acct}:cluster:analytics",
    expect: "ExplicitlyDenied",
    deniedBy: "deny-expensive-services",
  },
  {
    name: "creating a memory-optimised database instance in sandbox",
    account: "sandbox",
    who: "admin",
    action: "rds:CreateDBInstance",
    resource: "arn:aws:rds:{region}:{acct}:db:odoo",
    context: { "rds:DatabaseClass": "db.r6g.4xlarge" },
    expect: "ExplicitlyDenied",
    deniedBy: "deny-expensive-services",
  },
  {
    name: "a Lambda function URL without auth in dev",
    account: "dev",
    who: "admin",
    action: "lambda:CreateFunctionUrlConfig",
    resource: FUNCTION,
    context: { "lambda:FunctionUrlAuthType": "NONE" },
    expect: "ExplicitlyDenied",
    deniedBy: "lambda-url-iam-auth",
  },
  {
    name: "switching the prod proxy URL to auth NONE",
    account: "prod",
    who: "deploy",
    action: "lambda:UpdateFunctionUrlConfig",
    resource: FUNCTION,
    context: { "lambda:FunctionUrlAuthType": "NONE" },
    expect: "ExplicitlyDenied",
    deniedBy: "lambda-url-iam-auth",
  },
  {
    name: "granting public invocation through a function URL in sandbox",
    account: "sandbox",
    who: "admin",
    action: "lambda:AddPermission",
    resource: FUNCTION,
    context: { "lambda:FunctionUrlAuthType": "NONE", "lambda:Principal": "*" },
    expect: "ExplicitlyDenied",
    deniedBy: "lambda-url-iam-auth",
  },
  {
    name: "the deploy role working while dev is frozen",
    account: "dev",
    frozen: true,
    who: "deploy",
    action: "s3:ListBucket",
    resource: "arn:aws:s3:::openems-dev-data",
    expect: "ExplicitlyDenied",
    deniedBy: "freeze",
  },
  {
    name: "an administrator launching a small instance while sandbox is frozen",
    account: "sandbox",
    frozen: true,
    who: "admin",
    action: "ec2:RunInstances",
    resource: INSTANCE,
    context: { "ec2:InstanceType": "t3.micro" },
    expect: "ExplicitlyDenied",
    deniedBy: "freeze",
  },
  {
    name: "the agent role while dev is frozen",
    account: "dev",
    frozen: true,
    who: "agent",
    action: "bedrock:InvokeModel",
    resource: MODEL(HAIKU),
    expect: "ExplicitlyDenied",
    deniedBy: "freeze",
  },
  {
    name: "the root user while dev is frozen",
    account: "dev",
    frozen: true,
    who: "root",
    action: "organizations:DescribeOrganization",
    resource: "*",
    region: "us-east-1",
    expect: "ExplicitlyDenied",
    deniedBy: "freeze",
  },

  {
    name: "invoking an approved model directly in a region outside the allowlist",
    account: "dev",
    who: "agent",
    action: "bedrock:InvokeModel",
    resource: MODEL(HAIKU),
    region: "eu-west-3",
    expect: "ExplicitlyDenied",
    deniedBy: "region-lock",
  },
  {
    name: "invoking an inference profile from a source region outside the allowlist",
    account: "prod",
    who: "deploy",
    action: "bedrock:InvokeModel",
    resource: PROFILE(`apac.${OPUS}`),
    region: "ap-southeast-1",
    context: { "bedrock:InferenceProfileArn": PROFILE(`apac.${OPUS}`) },
    expect: "ExplicitlyDenied",
    deniedBy: "region-lock",
  },

  // --- Every other action a Deny statement names (the guardrail coverage check asks for each) ---
  // Resource ARN formats: Service Authorization Reference, "Resource types defined by <service>".
  ...[
    ["sagemaker:CreateCluster", "arn:aws:sagemaker:{region}:{acct}:cluster/hyperpod-1"],
    [
      "sagemaker:CreateHyperParameterTuningJob",
      "arn:aws:sagemaker:{region}:{acct}:hyper-parameter-tuning-job/forecast-hpo",
    ],
    [
      "sagemaker:CreateNotebookInstance",
      "arn:aws:sagemaker:{region}:{acct}:notebook-instance/analysis",
    ],
    ["sagemaker:CreateProcessingJob", "arn:aws:sagemaker:{region}:{acct}:processing-job/prep"],
    ["sagemaker:CreateTrainingJob", "arn:aws:sagemaker:{region}:{acct}:training-job/forecast"],
    ["sagemaker:CreateTransformJob", "arn:aws:sagemaker:{region}:{acct}:transform-job/batch"],
    [
      "bedrock:CreateModelCustomizationJob",
      "arn:aws:bedrock:{region}:{acct}:custom-model/tariff-forecaster",
    ],
    [
      "redshift-serverless:CreateWorkgroup",
      "arn:aws:redshift-serverless:{region}:{acct}:workgroup/4f1c2d3e-5a6b-7c8d-9e0f-1a2b3c4d5e6f",
    ],
    ["es:CreateDomain", "arn:aws:es:{region}:{acct}:domain/search"],
    ["es:CreateElasticsearchDomain", "arn:aws:es:{region}:{acct}:domain/legacy-search"],
    ["aoss:CreateCollection", "*"],
    ["elasticmapreduce:RunJobFlow", "*"],
    ["emr-serverless:CreateApplication", "*"],
    ["glue:CreateDevEndpoint", "*"],
    ["glue:CreateJob", "arn:aws:glue:{region}:{acct}:job/etl"],
    ["kinesis:CreateStream", "arn:aws:kinesis:{region}:{acct}:stream/telemetry"],
    [
      "kafka:CreateCluster",
      "arn:aws:kafka:{region}:{acct}:cluster/events/2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091-1",
    ],
    [
      "kafka:CreateClusterV2",
      "arn:aws:kafka:{region}:{acct}:cluster/events-v2/3c4d5e6f-7081-4923-8b4c-5d6e7f809102-2",
    ],
    ["elasticache:CreateCacheCluster", "arn:aws:elasticache:{region}:{acct}:cluster:cache-1"],
    [
      "elasticache:CreateReplicationGroup",
      "arn:aws:elasticache:{region}:{acct}:replicationgroup:cache-rg",
    ],
    [
      "elasticache:CreateServerlessCache",
      "arn:aws:elasticache:{region}:{acct}:serverlesscache:cache-sls",
    ],
    ["memorydb:CreateCluster", "arn:aws:memorydb:{region}:{acct}:acl/open-access"],
    ["rds:CreateDBCluster", "arn:aws:rds:{region}:{acct}:cluster:odoo-aurora"],
    ["ec2:AllocateHosts", "arn:aws:ec2:{region}:{acct}:dedicated-host/h-0123456789abcdef0"],
    [
      "ec2:PurchaseHostReservation",
      "arn:aws:ec2:{region}:{acct}:dedicated-host/h-0fedcba9876543210",
    ],
    ["ec2:PurchaseReservedInstancesOffering", "*"],
    ["rds:PurchaseReservedDBInstancesOffering", "arn:aws:rds:{region}:{acct}:ri:odoo-ri"],
  ].map(([action, resource], i): Scenario => ({
    name: `${action} in ${(["dev", "stage", "sandbox"] as const)[i % 3]}`,
    account: (["dev", "stage", "sandbox"] as const)[i % 3],
    who: i % 2 === 0 ? "admin" : "deploy",
    action,
    resource,
    expect: "ExplicitlyDenied",
    deniedBy: "deny-expensive-services",
  })),
  // Savings Plans and Shield Advanced are global: called in us-east-1, exempt from the region lock.
  {
    name: "committing to a Savings Plan from sandbox",
    account: "sandbox",
    who: "admin",
    action: "savingsplans:CreateSavingsPlan",
    resource: "*",
    region: "us-east-1",
    expect: "ExplicitlyDenied",
    deniedBy: "deny-expensive-services",
  },
  {
    name: "subscribing to Shield Advanced from dev",
    account: "dev",
    who: "admin",
    action: "shield:CreateSubscription",
    resource: "*",
    region: "us-east-1",
    expect: "ExplicitlyDenied",
    deniedBy: "deny-expensive-services",
  },
  {
    name: "an Auto Scaling group update overriding to a large type in dev",
    account: "dev",
    who: "deploy",
    action: "autoscaling:UpdateAutoScalingGroup",
    resource: ASG,
    // The Service Authorization Reference types this key as String, and the evaluator follows it,
    // so a mixed list of overrides cannot be given here; one large override is.
    context: { "autoscaling:InstanceTypes": "c6i.4xlarge" },
    expect: "ExplicitlyDenied",
    deniedBy: "ec2-instance-type-allowlist",
  },
  {
    name: "a launch configuration with a large type in stage",
    account: "stage",
    who: "admin",
    action: "autoscaling:CreateLaunchConfiguration",
    resource:
      "arn:aws:autoscaling:{region}:{acct}:launchConfiguration:" +
      "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b:launchConfigurationName/legacy-large",
    context: { "autoscaling:InstanceType": "m5.8xlarge" },
    expect: "ExplicitlyDenied",
    deniedBy: "ec2-instance-type-allowlist",
  },
  {
    name: "streaming from an approved model directly in a region outside the allowlist",
    account: "sandbox",
    who: "admin",
    action: "bedrock:InvokeModelWithResponseStream",
    resource: MODEL(HAIKU),
    region: "us-west-2",
    expect: "ExplicitlyDenied",
    deniedBy: "region-lock",
  },
  ...(
    [
      ["s3:DeleteBucketPolicy", TRAIL_BUCKET],
      ["s3:PutBucketAcl", TRAIL_BUCKET],
      ["s3:PutBucketObjectLockConfiguration", TRAIL_BUCKET],
      ["s3:PutBucketOwnershipControls", TRAIL_BUCKET],
      ["s3:PutBucketPublicAccessBlock", TRAIL_BUCKET],
      ["s3:PutBucketVersioning", TRAIL_BUCKET],
      ["s3:PutEncryptionConfiguration", TRAIL_BUCKET],
      ["s3:DeleteObjectVersion", `${TRAIL_BUCKET}/AWSLogs/o-abc/210000000002/CloudTrail/x.gz`],
      ["kms:DeleteAlias", "arn:aws:kms:{region}:{acct}:alias/platform-org-trail"],
    ] as const
  ).map(([action, resource]): Scenario => ({
    name: `${action} on the org trail's bucket or key in log-archive`,
    account: "log-archive",
    who: "admin",
    action,
    resource,
    expect: "ExplicitlyDenied",
    deniedBy: "protect-guardrails",
  })),
  ...(["kms:DisableKeyRotation", "kms:PutKeyPolicy"] as const).map((action): Scenario => ({
    name: `${action} on the trail key by an administrator`,
    account: "log-archive",
    who: "admin",
    action,
    resource: TRAIL_KEY,
    context: { "kms:ResourceAliases": ["alias/platform-org-trail"] },
    resourcePolicy: DEFAULT_KEY_POLICY("log-archive"),
    expect: "ExplicitlyDenied",
    deniedBy: "protect-guardrails",
  })),
  ...(
    [
      ["iam:AttachRolePolicy", "arn:aws:iam::{acct}:role/platform-deploy"],
      ["iam:DetachRolePolicy", "arn:aws:iam::{acct}:role/platform-break-glass"],
      ["iam:UpdateAssumeRolePolicy", "arn:aws:iam::{acct}:role/platform-break-glass"],
      ["iam:PutRolePermissionsBoundary", "arn:aws:iam::{acct}:role/platform-automation-agent"],
      ["iam:DeletePolicy", "arn:aws:iam::{acct}:policy/platform-agent-boundary"],
      ["iam:DeletePolicyVersion", "arn:aws:iam::{acct}:policy/platform-agent-boundary"],
      ["iam:SetDefaultPolicyVersion", "arn:aws:iam::{acct}:policy/platform-agent-boundary"],
    ] as const
  ).map(([action, resource]): Scenario => ({
    name: `${action} on ${resource.split("/").pop()} by an administrator in dev`,
    account: "dev",
    who: "admin",
    action,
    resource,
    region: "us-east-1",
    expect: "ExplicitlyDenied",
    deniedBy: "protect-guardrails",
  })),

  // --- Legitimate work that must stay allowed -------------------------------------------------
  {
    name: "launching a small instance in an allowed region in dev",
    account: "dev",
    who: "admin",
    action: "ec2:RunInstances",
    resource: INSTANCE,
    context: { "ec2:InstanceType": "t3.micro" },
    expect: "Allowed",
  },
  {
    name: "launching a small Graviton instance in sandbox",
    account: "sandbox",
    who: "admin",
    action: "ec2:RunInstances",
    resource: INSTANCE,
    region: "eu-west-1",
    context: { "ec2:InstanceType": "t4g.small" },
    expect: "Allowed",
  },
  {
    name: "the deploy role launching a small instance in stage",
    account: "stage",
    who: "deploy",
    action: "ec2:RunInstances",
    resource: INSTANCE,
    context: { "ec2:InstanceType": "t3.medium" },
    expect: "Allowed",
  },
  {
    name: "creating an IAM role (global endpoint in us-east-1) from dev",
    account: "dev",
    who: "deploy",
    action: "iam:CreateRole",
    resource: "arn:aws:iam::{acct}:role/openems-backend",
    region: "us-east-1",
    expect: "Allowed",
  },
  {
    name: "calling STS from a region outside the allowlist",
    account: "prod",
    who: "admin",
    action: "sts:GetCallerIdentity",
    resource: "*",
    region: "ap-south-1",
    expect: "Allowed",
  },
  {
    name: "reading the organization from us-east-1 in stage",
    account: "stage",
    who: "admin",
    action: "organizations:DescribeOrganization",
    resource: "*",
    region: "us-east-1",
    expect: "Allowed",
  },
  {
    name: "reading budgets in us-east-1 from sandbox",
    account: "sandbox",
    who: "admin",
    action: "budgets:ViewBudget",
    resource: "arn:aws:budgets::{acct}:budget/sandbox-monthly",
    region: "us-east-1",
    expect: "Allowed",
  },
  {
    name: "resizing an instance to another allowed type in dev",
    account: "dev",
    who: "admin",
    action: "ec2:ModifyInstanceAttribute",
    resource: INSTANCE,
    context: { "ec2:InstanceType": "t3.micro", "ec2:Attribute/InstanceType": "t3.medium" },
    expect: "Allowed",
  },
  {
    name: "changing an unrelated attribute of a large legacy instance in stage",
    account: "stage",
    who: "admin",
    action: "ec2:ModifyInstanceAttribute",
    resource: INSTANCE,
    context: { "ec2:InstanceType": "m5.xlarge", "ec2:Attribute/DisableApiTermination": "true" },
    expect: "Allowed",
  },
  {
    name: "invoking an approved foundation model in dev",
    account: "dev",
    who: "agent",
    action: "bedrock:InvokeModel",
    resource: MODEL(HAIKU),
    expect: "Allowed",
  },
  {
    name: "invoking an approved model through its EU inference profile in sandbox",
    account: "sandbox",
    who: "admin",
    action: "bedrock:InvokeModelWithResponseStream",
    resource: PROFILE(`eu.${HAIKU}`),
    expect: "Allowed",
  },
  {
    // The second authorization of a cross-region inference call: the destination region's model,
    // with the profile the caller invoked in eu-central-1.
    name: "a call routed by an EU inference profile to a destination outside the allowlist",
    account: "dev",
    who: "agent",
    action: "bedrock:InvokeModel",
    resource: MODEL(HAIKU),
    region: "eu-west-3",
    context: {
      "bedrock:InferenceProfileArn": `arn:aws:bedrock:eu-central-1:{acct}:${EU_HAIKU_PROFILE}`,
    },
    expect: "Allowed",
  },
  {
    name: "invoking a premium model in prod (no allowlist there)",
    account: "prod",
    who: "deploy",
    action: "bedrock:InvokeModel",
    resource: MODEL(OPUS),
    expect: "Allowed",
  },
  {
    name: "the agent role doing its work in dev",
    account: "dev",
    who: "agent",
    action: "lambda:UpdateFunctionCode",
    resource: FUNCTION,
    expect: "Allowed",
  },
  {
    name: "prod creating a SageMaker endpoint (expensive services allowed in prod)",
    account: "prod",
    who: "deploy",
    action: "sagemaker:CreateEndpoint",
    resource: "arn:aws:sagemaker:{region}:{acct}:endpoint/forecast",
    expect: "Allowed",
  },
  {
    name: "prod launching a large instance",
    account: "prod",
    who: "deploy",
    action: "ec2:RunInstances",
    resource: INSTANCE,
    context: { "ec2:InstanceType": "m6i.2xlarge" },
    expect: "Allowed",
  },
  {
    name: "a burstable database instance in sandbox",
    account: "sandbox",
    who: "admin",
    action: "rds:CreateDBInstance",
    resource: "arn:aws:rds:{region}:{acct}:db:odoo",
    context: { "rds:DatabaseClass": "db.t4g.micro" },
    expect: "Allowed",
  },
  {
    name: "the MBE proxy function URL with AWS_IAM auth in prod",
    account: "prod",
    who: "deploy",
    action: "lambda:CreateFunctionUrlConfig",
    resource: FUNCTION,
    context: { "lambda:FunctionUrlAuthType": "AWS_IAM" },
    expect: "Allowed",
  },
  {
    // terraform-provider-aws (function_url.go, resourceFunctionURLUpdate) sends AuthType on
    // UpdateFunctionUrlConfig only when it changes: a CORS or invoke-mode update carries no key.
    name: "updating the prod proxy URL's CORS without sending its auth type",
    account: "prod",
    who: "deploy",
    action: "lambda:UpdateFunctionUrlConfig",
    resource: FUNCTION,
    expect: "Allowed",
  },
  {
    name: "updating the prod proxy URL with its AWS_IAM auth type",
    account: "prod",
    who: "deploy",
    action: "lambda:UpdateFunctionUrlConfig",
    resource: FUNCTION,
    context: { "lambda:FunctionUrlAuthType": "AWS_IAM" },
    expect: "Allowed",
  },
  {
    name: "granting IAM-authenticated URL invocation to the MBE role in dev",
    account: "dev",
    who: "deploy",
    action: "lambda:AddPermission",
    resource: FUNCTION,
    context: {
      "lambda:FunctionUrlAuthType": "AWS_IAM",
      "lambda:Principal": "arn:aws:iam::210000000002:role/mbe-vercel",
    },
    expect: "Allowed",
  },
  {
    name: "the deploy role deploying in prod",
    account: "prod",
    who: "deploy",
    action: "ec2:CreateSecurityGroup",
    resource: "arn:aws:ec2:{region}:{acct}:security-group/sg-0123456789abcdef0",
    expect: "Allowed",
  },
  {
    name: "the deploy role changing an application bucket policy in dev",
    account: "dev",
    who: "deploy",
    action: "s3:PutBucketPolicy",
    resource: "arn:aws:s3:::openems-dev-backups",
    expect: "Allowed",
  },
  {
    name: "disabling a key that is not the trail key",
    account: "dev",
    who: "admin",
    action: "kms:DisableKey",
    resource: TRAIL_KEY,
    context: { "kms:ResourceAliases": ["alias/openems-dev-data"] },
    resourcePolicy: DEFAULT_KEY_POLICY("dev"),
    expect: "Allowed",
  },
  {
    name: "the break-glass role working while dev is frozen",
    account: "dev",
    frozen: true,
    who: "breakGlass",
    action: "ec2:StopInstances",
    resource: INSTANCE,
    expect: "Allowed",
  },
  {
    name: "OrganizationAccountAccessRole working while sandbox is frozen",
    account: "sandbox",
    frozen: true,
    who: "orgAccess",
    action: "iam:ListRoles",
    resource: "*",
    region: "us-east-1",
    expect: "Allowed",
  },
  {
    name: "the break-glass role outside the allowed regions",
    account: "prod",
    who: "breakGlass",
    action: "ec2:DescribeInstances",
    resource: "*",
    region: "ap-southeast-2",
    expect: "Allowed",
  },
  {
    name: "the break-glass role rotating the trail key policy",
    account: "log-archive",
    who: "breakGlass",
    action: "kms:PutKeyPolicy",
    resource: TRAIL_KEY,
    context: { "kms:ResourceAliases": ["alias/platform-org-trail"] },
    resourcePolicy: DEFAULT_KEY_POLICY("log-archive"),
    expect: "Allowed",
  },
  {
    name: "OrganizationAccountAccessRole updating the deploy role's trust policy",
    account: "prod",
    who: "orgAccess",
    action: "iam:UpdateAssumeRolePolicy",
    resource: "arn:aws:iam::{acct}:role/platform-deploy",
    region: "us-east-1",
    expect: "Allowed",
  },
  // Truly global services stay reachable through their us-east-1 endpoints.
  {
    name: "creating an IAM role through the global IAM endpoint",
    account: "dev",
    who: "deploy",
    action: "iam:CreateRole",
    resource: "arn:aws:iam::{acct}:role/openems-dev-worker",
    region: "us-east-1",
    expect: "Allowed",
  },
  {
    name: "changing a Route 53 record through the global endpoint",
    account: "prod",
    who: "deploy",
    action: "route53:ChangeResourceRecordSets",
    resource: "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ",
    region: "us-east-1",
    expect: "Allowed",
  },
  {
    name: "reading the cost of an account through Cost Explorer",
    account: "sandbox",
    who: "admin",
    action: "ce:GetCostAndUsage",
    resource: "arn:aws:billing::{acct}:billingview/primary",
    region: "us-east-1",
    expect: "Allowed",
  },
  {
    name: "creating a KMS key in an allowed region",
    account: "dev",
    who: "deploy",
    action: "kms:CreateKey",
    resource: "*",
    region: "eu-west-1",
    expect: "Allowed",
  },
  // One allowed request for each conditional statement's actions (the coverage check asks for it).
  {
    name: "an Auto Scaling group overriding to a small type in sandbox",
    account: "sandbox",
    who: "admin",
    action: "autoscaling:CreateAutoScalingGroup",
    resource: ASG,
    context: { "autoscaling:InstanceTypes": "t3.small" },
    expect: "Allowed",
  },
  {
    name: "a launch configuration with a small type in dev",
    account: "dev",
    who: "deploy",
    action: "autoscaling:CreateLaunchConfiguration",
    resource:
      "arn:aws:autoscaling:{region}:{acct}:launchConfiguration:" +
      "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d:launchConfigurationName/openems-small",
    context: { "autoscaling:InstanceType": "t3.micro" },
    expect: "Allowed",
  },
  {
    name: "stopping an application trail that is not the organization trail in dev",
    account: "dev",
    who: "admin",
    action: "cloudtrail:StopLogging",
    resource: "arn:aws:cloudtrail:{region}:{acct}:trail/openems-dev-debug",
    expect: "Allowed",
  },
  {
    name: "the deploy role pruning an old backup object in dev",
    account: "dev",
    who: "deploy",
    action: "s3:DeleteObject",
    resource: "arn:aws:s3:::openems-dev-backups/postgres/2026-01-01.dump",
    expect: "Allowed",
  },
  {
    name: "deleting an application key alias in dev",
    account: "dev",
    who: "admin",
    action: "kms:DeleteAlias",
    resource: "arn:aws:kms:{region}:{acct}:alias/openems-dev-scratch",
    expect: "Allowed",
  },
  {
    name: "the deploy role setting a boundary on an application role in dev",
    account: "dev",
    who: "deploy",
    action: "iam:PutRolePermissionsBoundary",
    resource: "arn:aws:iam::{acct}:role/openems-backend",
    region: "us-east-1",
    expect: "Allowed",
  },
  {
    name: "the deploy role publishing a new version of an application policy in stage",
    account: "stage",
    who: "deploy",
    action: "iam:CreatePolicyVersion",
    resource: "arn:aws:iam::{acct}:policy/openems-backend-access",
    region: "us-east-1",
    expect: "Allowed",
  },
  {
    name: "the deploy role changing an application alarm topic in prod",
    account: "prod",
    who: "deploy",
    action: "sns:SetTopicAttributes",
    resource: "arn:aws:sns:{region}:{acct}:openems-prod-alarms",
    expect: "Allowed",
  },
  {
    name: "the deploy role working in dev when not frozen",
    account: "dev",
    who: "deploy",
    action: "s3:ListBucket",
    resource: "arn:aws:s3:::openems-dev-data",
    expect: "Allowed",
  },
];

const ADMINISTRATOR_ACCESS = FULL_AWS_ACCESS;

function fill(template: string, account: AccountKey, region: string): string {
  return template.replace(/\{acct\}/g, ACCOUNT_IDS[account]).replace(/\{region\}/g, region);
}

/** Builds the simulation for one scenario from the loaded SCP files and the account's chain. */
export function buildSimulation(s: Scenario, scps: readonly ScpDocument[]): Simulation {
  const byName = new Map(scps.map((p) => [p.name, p.document]));
  const region = s.region ?? "eu-central-1";
  const { principal, principalArn } = principalOf(s.who, s.account);
  const levels = effectiveScpLevels(
    s.account,
    DEFAULT_ORG_LAYOUT.accounts[s.account],
    DEFAULT_SCP_ATTACHMENTS,
    s.frozen ?? false,
  );
  return {
    request: {
      principal,
      action: s.action,
      resource: {
        resource: fill(s.resource, s.account, region),
        accountId: ACCOUNT_IDS[s.account],
      },
      contextVariables: {
        "aws:PrincipalArn": principalArn,
        "aws:PrincipalAccount": ACCOUNT_IDS[s.account],
        "aws:RequestedRegion": region,
        ...Object.fromEntries(
          Object.entries(s.context ?? {}).map(([k, v]) => [
            k,
            typeof v === "string" ? fill(v, s.account, region) : v,
          ]),
        ),
      },
    },
    identityPolicies:
      s.who === "root" ? [] : [{ name: "AdministratorAccess", policy: ADMINISTRATOR_ACCESS }],
    serviceControlPolicies: scpChain(levels, byName),
    resourceControlPolicies: [],
    ...(s.resourcePolicy ? { resourcePolicy: s.resourcePolicy } : {}),
  };
}

/** The SCP statements the evaluator reports as denying the request (policy name and Sid). */
function denyingStatements(
  response: Awaited<ReturnType<typeof runSimulation>>,
): { policy: string; sid: string }[] {
  if (response.resultType !== "single") return [];
  return (response.result.analysis.scpAnalysis?.ouAnalysis ?? []).flatMap((ou) =>
    ou.denyStatements.map((st) => ({
      policy: st.policyId,
      sid: st.statement.sid() ?? `#${st.statement.index()}`,
    })),
  );
}

/**
 * Evaluates every denial scenario and records which statements denied it, for the coverage check.
 * A scenario the evaluator does not deny contributes no reason (its own test fails on that).
 */
async function denialOutcomes(
  scenarios: readonly Scenario[],
  scps: readonly ScpDocument[],
): Promise<DenialOutcome[]> {
  const outcomes: DenialOutcome[] = [];
  // eslint-disable-next-line suite/no-unchecked-loop -- a helper: empty on purpose in the test that leaves out every denial; its callers assert on the outcomes
  for (const s of scenarios.filter((x) => x.expect === "ExplicitlyDenied")) {
    const response = await runSimulation(buildSimulation(s, scps), {});
    outcomes.push({ scenario: s.name, action: s.action, deniedBy: denyingStatements(response) });
  }
  return outcomes;
}

function describeGaps(report: CoverageReport): string {
  return (
    `${report.uncoveredStatements.length} of ${report.statements} SCP Deny statements are the ` +
    `reason for no denial scenario; add a scenario in org/test/scp-scenarios.test.ts for each:\n  ` +
    report.uncoveredStatements.join("\n  ")
  );
}

describe("SCP scenarios (iam-simulate on the real policies/scp files)", () => {
  let scps: ScpDocument[];

  before(() => {
    scps = loadScps(SCP_DIR, CTX);
  });

  it("has at least 40 scenarios, denials and allowances, on every member account", async () => {
    assertScenarioTable(SCENARIOS, Object.keys(ACCOUNT_IDS), 40);
  });

  for (const s of SCENARIOS) {
    const frozen = s.frozen ? ", frozen" : "";
    const verb = s.expect === "Allowed" ? "allows" : "denies";
    it(`${verb} ${s.name} (${s.account}${frozen}: ${s.action})`, async () => {
      const response = await runSimulation(buildSimulation(s, scps), {});
      assert.notStrictEqual(
        response.resultType,
        "error",
        `simulation rejected the input: ${JSON.stringify(
          response.resultType === "error" ? response.errors : "",
        )}`,
      );
      assert.strictEqual(response.resultType, "single");
      if (response.resultType !== "single") return;
      // A context key that does not apply to the action would be dropped silently and make the
      // scenario prove nothing, so every key given must be one AWS sends for this action.
      assert.deepStrictEqual(
        response.result.ignoredContextKeys,
        [],
        "context keys not used by this action",
      );
      assert.strictEqual(response.overallResult, s.expect);
      const denying = denyingStatements(response).map((d) => d.policy);
      if (s.expect === "Allowed") {
        assert.deepStrictEqual(denying, []);
      } else {
        assert.ok(s.deniedBy, "a denial scenario must name the SCP expected to deny");
        assert.ok(
          denying.includes(s.deniedBy),
          `expected ${s.deniedBy} to deny; denying SCPs: ${JSON.stringify(denying)}`,
        );
      }
    });
  }

  describe("guardrail coverage", () => {
    // What the evaluator says denied each denial scenario, computed once for the checks below.
    let outcomes: DenialOutcome[];
    before(async () => {
      outcomes = await denialOutcomes(SCENARIOS, scps);
    });

    it("makes every Deny statement of every SCP file the reason for at least one denial", async () => {
      const report = guardrailCoverage(scps, outcomes);
      assert.deepStrictEqual(report.uncoveredStatements, [], describeGaps(report));
    });

    it("denies every action an SCP names in at least one scenario, through that statement", async () => {
      const report = guardrailCoverage(scps, outcomes);
      assert.deepStrictEqual(
        report.uncoveredActions,
        [],
        `${report.uncoveredActions.length} denied actions are exercised by no scenario:\n  ` +
          report.uncoveredActions.join("\n  "),
      );
    });

    it("names a statement the evaluated policies lose, and one no scenario reaches any more", async () => {
      const statements = denyStatementsOf(scps);
      assert.ok(statements.length >= 2, "the SCP files hold fewer than two Deny statements");
      // Data-driven: the first and the last Deny statement, whatever the files hold.
      for (const victim of [statements[0], statements[statements.length - 1]]) {
        const name = `${victim.policy}/${victim.sid}`;
        // 1. The statement filtered out of a copy of its SCP (what a loader or file edit that drops
        // it does): the scenarios still run, the files still hold it, the check names it.
        const withoutVictim = scps.map((scp) =>
          scp.name !== victim.policy
            ? scp
            : {
                ...scp,
                document: {
                  ...scp.document,
                  Statement: scp.document.Statement.filter((st) => st.Sid !== victim.sid),
                },
              },
        );
        const lost = guardrailCoverage(scps, await denialOutcomes(SCENARIOS, withoutVictim));
        assert.deepStrictEqual(lost.uncoveredStatements, [name]);
        assert.ok(describeGaps(lost).includes(name), describeGaps(lost));
        // 2. The scenarios it denies removed from the table: the same statement is named.
        const fewer = outcomes.filter(
          (o) => !o.deniedBy.some((d) => d.policy === victim.policy && d.sid === victim.sid),
        );
        assert.ok(fewer.length < outcomes.length, `no scenario is denied by ${name}`);
        assert.deepStrictEqual(guardrailCoverage(scps, fewer).uncoveredStatements, [name]);
      }
    });

    it("lets legitimate work through every conditional Deny statement in at least one scenario", async () => {
      // Only what the evaluator allowed counts, not what a scenario claims.
      const allowed: { scenario: string; action: string }[] = [];
      for (const s of nonEmpty(
        SCENARIOS.filter((x) => x.expect === "Allowed"),
        "SCENARIOS.filter((x) => x.expect === ...",
      )) {
        const response = await runSimulation(buildSimulation(s, scps), {});
        if (response.resultType === "single" && response.overallResult === "Allowed") {
          allowed.push({ scenario: s.name, action: s.action });
        }
      }
      const gaps = unexercisedExemptions(scps, allowed);
      assert.deepStrictEqual(
        gaps,
        [],
        `${gaps.length} conditional SCP statements have no allowed scenario requesting their ` +
          `actions, so nothing proves they let legitimate work through:\n  ${gaps.join("\n  ")}`,
      );
    });

    it("refuses an empty scenario list instead of calling it covered", async () => {
      assert.throws(
        () => guardrailCoverage(scps, []),
        /no scenario was denied; the scenario list is empty/,
      );
      const onlyAllowed = SCENARIOS.filter((s) => s.expect === "Allowed");
      assert.ok(onlyAllowed.length > 0);
      await assert.rejects(
        async () => guardrailCoverage(scps, await denialOutcomes(onlyAllowed, scps)),
        /the scenario list is empty/,
      );
    });
  });
});
