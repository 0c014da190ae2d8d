import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GuardrailContext } from "../lib/names";
import { TrustingRole } from "../lib/config/identity";
import { MANAGED_BY, TAG_KEYS } from "../lib/tags";
import { checkManagedPolicySize } from "./guardrails/quotas";
import { ORGANIZATION_ACCESS_ROLE, OrganizationAccessRole } from "./access-role";

export { ORGANIZATION_ACCESS_ROLE };

/**
 * The roles Identity Center provisions in an account for the named permission sets, and nothing
 * else: `AWSReservedSSO_<set>_<unique suffix>` under `aws-reserved/sso.amazonaws.com/`, with the
 * instance's region in the path or (instances enabled before regional paths) without ("Referencing
 * permission sets in resource policies, Amazon EKS, and AWS KMS", IAM Identity Center User Guide:
 * https://docs.aws.amazon.com/singlesignon/latest/userguide/referencingpermissionsets.html). The
 * suffix is 16 characters, matched with one `?` each (IAM's single-character wildcard), so a set
 * whose name merely starts with `<set>_` (`AdministratorAccess_Contractors`) does not match.
 */
export const PERMISSION_SET_SUFFIX_LENGTH = 16;

export function permissionSetRoleArns(
  accountId: string,
  region: string,
  names: readonly string[],
): string[] {
  const suffix = "?".repeat(PERMISSION_SET_SUFFIX_LENGTH);
  const base = `arn:aws:iam::${accountId}:role/aws-reserved/sso.amazonaws.com`;
  return names.flatMap((n) => [
    `${base}/AWSReservedSSO_${n}_${suffix}`,
    `${base}/${region}/AWSReservedSSO_${n}_${suffix}`,
  ]);
}

/**
 * Who may assume each platform role: the roles Identity Center provisions in the management account
 * for the permission sets platform:identity.trust names (in the instance's region), plus any
 * further principals of platform:organization.adminPrincipalArns.
 */
export function trustedPrincipals(
  managementAccountId: string,
  identityRegion: string,
  trust: Readonly<Record<TrustingRole, readonly string[]>>,
  extra: readonly string[],
): Record<TrustingRole, string[]> {
  const of = (role: TrustingRole) => [
    ...permissionSetRoleArns(managementAccountId, identityRegion, trust[role]),
    ...extra,
  ];
  return { breakGlass: of("breakGlass"), deploy: of("deploy"), agent: of("agent") };
}

/**
 * Trust for roles that people in the management account assume: only the configured admins. With
 * `requireSourceIdentity` the caller must set a source identity (`aws sts assume-role
 * --source-identity <who>`): it is recorded with every event of the session and of any role it
 * chains to, and cannot be changed afterwards ("Monitor and control actions taken with assumed
 * roles", IAM User Guide:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html).
 */
export function adminTrustPolicy(
  managementAccountId: pulumi.Input<string>,
  adminPrincipalArns: string[],
  requireSourceIdentity = false,
): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ManagementAdminsOnly",
        Effect: "Allow",
        Principal: { AWS: pulumi.interpolate`arn:aws:iam::${managementAccountId}:root` },
        Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
        Condition: {
          ArnLike: { "aws:PrincipalArn": adminPrincipalArns },
          ...(requireSourceIdentity ? { Null: { "sts:SourceIdentity": "false" } } : {}),
        },
      },
    ],
  });
}

/**
 * The roles only the org stack makes and changes (through OrganizationAccountAccessRole): the
 * guardrail roles, and the two the SCPs exempt (break-glass, OrganizationAccountAccessRole), so a
 * role of that name created early in an account that lacks it (an invited account has no
 * OrganizationAccountAccessRole) would carry the exemption.
 */
export function platformRoleNames(ctx: GuardrailContext): string[] {
  return [
    ctx.breakGlassRoleName,
    ctx.deployRoleName,
    ctx.agentRoleName,
    ctx.budgetActionRoleName,
    ORGANIZATION_ACCESS_ROLE,
  ];
}

/**
 * What the deploy role may do: everything the stacks build, short of account-level identity. It
 * manages roles and policies for workloads but never creates IAM users or access keys, never gives
 * an existing user or group a policy, and never creates or changes a platform role or the agent's
 * boundary.
 */
export function deployPolicy(ctx: GuardrailContext): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ManageWorkloadIdentities",
        Effect: "Allow",
        Action: [
          "iam:*Role*",
          "iam:*RolePolicy",
          "iam:*InstanceProfile*",
          "iam:*Policy",
          "iam:*PolicyVersion*",
          "iam:*OpenIDConnectProvider*",
          "iam:PassRole",
          "iam:Get*",
          "iam:List*",
          "iam:CreateServiceLinkedRole",
        ],
        Resource: "*",
      },
      {
        Sid: "NoLongLivedCredentials",
        Effect: "Deny",
        Action: [
          "iam:CreateUser",
          "iam:CreateAccessKey",
          "iam:CreateLoginProfile",
          "iam:UpdateLoginProfile",
          // `iam:*Policy` above would match these: users and groups gain nothing from deploys.
          "iam:*UserPolicy",
          "iam:*GroupPolicy",
          "iam:AddUserToGroup",
        ],
        Resource: "*",
      },
      {
        Sid: "NoPlatformRoles",
        Effect: "Deny",
        Action: [
          "iam:CreateRole",
          "iam:Attach*",
          "iam:Detach*",
          "iam:Put*",
          "iam:Delete*",
          "iam:Update*",
          "iam:Tag*",
          "iam:Untag*",
          "iam:CreatePolicyVersion",
          "iam:SetDefaultPolicyVersion",
        ],
        Resource: [
          ...platformRoleNames(ctx).map((r) => `arn:aws:iam::*:role/${r}`),
          `arn:aws:iam::*:policy/${ctx.agentBoundaryName}`,
        ],
      },
    ],
  });
}

/**
 * What the agent may not touch in dev, by the names and tags the environment programs write:
 * the VPN key material and the device bundles in SSM (network/vpn.ts `/openems/<env>/vpn/...`,
 * edge/device.ts `/openems/<env>/edge/<device>/...`), the keys that encrypt them (network/index.ts
 * alias `openems-<env>-network`, edge/index.ts `openems-<env>-edge`), the bucket of ccd entries
 * (network/vpn.ts, auto-named `<env>-vpn-ccd-<suffix>`) and everything the stacks deployed, which
 * carries the provider default tag `managed-by=pulumi` (lib/tags.ts). org/test checks each
 * against the planned stacks, so a rename there fails here.
 */
export const AGENT_OFF_LIMITS = {
  keyMaterialParameters: ["parameter/openems/*/vpn*", "parameter/openems/*/edge*"],
  keyAliases: ["alias/openems-*-network", "alias/openems-*-edge"],
  ccdBucket: "arn:aws:s3:::*-vpn-ccd-*",
  platformTag: { key: TAG_KEYS.managedBy, value: MANAGED_BY },
} as const;

/**
 * The ceiling of the automation / AI agent role in dev: whatever its own policies allow (today
 * PowerUserAccess; the statements hold as well with AdministratorAccess attached), never
 * long-lived credentials or identity providers, never the guardrails, never a role without this
 * same boundary, never leaving its account, never the VPN's key material, shell access to or the
 * network rules of what the stacks deployed. What it creates itself (untagged by the platform) it
 * may run, change and delete.
 */
export function agentBoundaryPolicy(ctx: GuardrailContext, accountId: string): string {
  const guarded = [
    ctx.breakGlassRoleName,
    ctx.deployRoleName,
    ctx.agentRoleName,
    ctx.budgetActionRoleName,
  ].map((r) => `arn:aws:iam::${accountId}:role/${r}`);
  const boundaryArn = `arn:aws:iam::${accountId}:policy/${ctx.agentBoundaryName}`;
  const off = AGENT_OFF_LIMITS;
  const policy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "CeilingIsEverythingBelow", Effect: "Allow", Action: "*", Resource: "*" },
      {
        Sid: "NoLongLivedCredentials",
        Effect: "Deny",
        Action: [
          "iam:CreateUser",
          "iam:CreateAccessKey",
          "iam:CreateLoginProfile",
          "iam:UpdateLoginProfile",
          "iam:CreateServiceSpecificCredential",
          // Users and groups that exist already gain nothing either.
          "iam:AttachUserPolicy",
          "iam:PutUserPolicy",
          "iam:AttachGroupPolicy",
          "iam:PutGroupPolicy",
          "iam:AddUserToGroup",
        ],
        Resource: "*",
      },
      {
        // A new identity provider (or a changed one) would let an outside issuer into the account.
        Sid: "NoIdentityProviders",
        Effect: "Deny",
        Action: ["iam:*OpenIDConnectProvider*", "iam:*SAMLProvider*"],
        Resource: "*",
      },
      {
        Sid: "NoChangesToGuardrailRoles",
        Effect: "Deny",
        Action: [
          "iam:Delete*",
          "iam:Update*",
          "iam:Put*",
          "iam:Attach*",
          "iam:Detach*",
          "iam:Tag*",
          "iam:Untag*",
        ],
        Resource: [...guarded, boundaryArn],
      },
      {
        // iam:PermissionsBoundary is the boundary the role has (or is given): roles the agent did
        // not make with this boundary (the workload roles, the MBE role and its OIDC trust) cannot
        // be widened, stripped of a Deny, or made to trust someone else.
        Sid: "NoRoleWithoutThisBoundary",
        Effect: "Deny",
        Action: [
          "iam:CreateRole",
          "iam:PutRolePermissionsBoundary",
          "iam:AttachRolePolicy",
          "iam:DetachRolePolicy",
          "iam:PutRolePolicy",
          "iam:DeleteRolePolicy",
          "iam:UpdateAssumeRolePolicy",
        ],
        Resource: "*",
        Condition: { StringNotEquals: { "iam:PermissionsBoundary": boundaryArn } },
      },
      {
        Sid: "NoRemovingBoundaries",
        Effect: "Deny",
        Action: ["iam:DeleteRolePermissionsBoundary"],
        Resource: "*",
      },
      {
        // Another account's secret, key or bucket stays out of reach even where its own policy
        // names dev (and nothing of dev's can be copied out into one).
        Sid: "NoLeavingTheAccount",
        Effect: "Deny",
        Action: [
          "organizations:*",
          "account:*",
          "sts:AssumeRole",
          "secretsmanager:*",
          "kms:*",
          "s3:*",
        ],
        Resource: "*",
        Condition: { StringNotEquals: { "aws:ResourceAccount": accountId } },
      },
      {
        // The ownership marker: only the deploy role's providers write it, so it tells the
        // platform's resources from the agent's own.
        Sid: "NoForgingPlatformOwnership",
        Effect: "Deny",
        Action: "*",
        Resource: "*",
        Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": [off.platformTag.key] } },
      },
      {
        // Shell on the VPN server (root beside every device tunnel) or the backend, network rules,
        // flow logs, platform keys and functions, and passing the platform's unbounded roles.
        Sid: "NoTouchingPlatformResources",
        Effect: "Deny",
        Action: [
          "ssm:SendCommand",
          "ssm:StartSession",
          "ssm:CreateAssociation",
          "ec2-instance-connect:Send*",
          "ec2:AuthorizeSecurityGroup*",
          "ec2:RevokeSecurityGroup*",
          "ec2:ModifySecurityGroupRules",
          "ec2:DeleteSecurityGroup",
          "ec2:ModifyInstanceAttribute",
          "ec2:TerminateInstances",
          "ec2:DeleteFlowLogs",
          "logs:Delete*",
          "logs:PutRetentionPolicy",
          "logs:DisassociateKmsKey",
          "kms:ScheduleKeyDeletion",
          "kms:DisableKey",
          "kms:PutKeyPolicy",
          "lambda:Update*",
          "lambda:Delete*",
          "lambda:AddPermission",
          "lambda:CreateFunctionUrlConfig",
          "iam:PassRole",
          // A customer managed policy the stacks attach would widen its roles by a new version.
          "iam:CreatePolicyVersion",
          "iam:SetDefaultPolicyVersion",
        ],
        Resource: "*",
        Condition: {
          StringEquals: { [`aws:ResourceTag/${off.platformTag.key}`]: off.platformTag.value },
        },
      },
      {
        // The stacks' instances keep untagged network interfaces: none of them gets the agent's
        // groups (its own instances change theirs through ModifyInstanceAttribute).
        Sid: "NoSwappingInterfaceGroups",
        Effect: "Deny",
        Action: "ec2:ModifyNetworkInterfaceAttribute",
        Resource: "*",
      },
      {
        Sid: "NoVpnKeyMaterial",
        Effect: "Deny",
        Action: ["ssm:GetParameter*", "ssm:PutParameter", "ssm:DeleteParameter*"],
        Resource: off.keyMaterialParameters.map((p) => `arn:aws:ssm:*:${accountId}:${p}`),
      },
      {
        // Without these keys the parameters above and the ccd objects stay ciphertext, whatever
        // path reaches them (SSM and S3 decrypt as the caller).
        Sid: "NoNetworkOrEdgeKeys",
        Effect: "Deny",
        Action: ["kms:Decrypt", "kms:ReEncrypt*", "kms:CreateGrant"],
        Resource: "*",
        Condition: { "ForAnyValue:StringLike": { "kms:ResourceAliases": [...off.keyAliases] } },
      },
      {
        // The aliases stay on the keys, so the statement above keeps finding them.
        Sid: "NoAliasMoves",
        Effect: "Deny",
        Action: ["kms:DeleteAlias", "kms:UpdateAlias"],
        Resource: off.keyAliases.map((a) => `arn:aws:kms:*:${accountId}:${a}`),
      },
      {
        Sid: "NoWritingCcdEntries",
        Effect: "Deny",
        Action: ["s3:Put*", "s3:Delete*", "s3:Replicate*", "s3:RestoreObject"],
        Resource: [off.ccdBucket, `${off.ccdBucket}/*`],
      },
      {
        // Unset keys make StringNotLike true, so each line holds for its own action only: no
        // function grant (a URL's resource policy) or key grant to a principal outside dev.
        Sid: "NoGrantsOutsideTheAccount",
        Effect: "Deny",
        Action: ["lambda:AddPermission", "kms:CreateGrant"],
        Resource: "*",
        Condition: {
          StringNotLike: {
            "lambda:Principal": [accountId, `arn:aws:iam::${accountId}:*`, "*.amazonaws.com"],
            "kms:GranteePrincipal": [`arn:aws:iam::${accountId}:*`, "*.amazonaws.com"],
          },
        },
      },
    ],
  });
  checkManagedPolicySize(ctx.agentBoundaryName, policy);
  return policy;
}

export interface AccountAccessArgs {
  readonly ctx: GuardrailContext;
  readonly accountId: pulumi.Input<string>;
  readonly managementAccountId: string;
  /** `aws:PrincipalArn` patterns each role trusts ({@link trustedPrincipals}). */
  readonly trust: Readonly<Record<TrustingRole, string[]>>;
  /** Create the deploy role (environment accounts). */
  readonly deployRole: boolean;
  /** Create the automation / AI agent role and its boundary (dev only). */
  readonly agentRole: boolean;
  /** How OrganizationAccountAccessRole is held (platform:accounts.<key>.accessRole). */
  readonly accessRole: "import" | "narrowed";
}

/**
 * The roles the platform keeps in one member account: OrganizationAccountAccessRole (imported,
 * its trust narrowed to those who run the org stack), break-glass, and where asked deploy and agent.
 */
export class AccountAccess extends pulumi.ComponentResource {
  readonly organizationAccessRole: OrganizationAccessRole;
  readonly breakGlassRole: aws.iam.Role;
  readonly deployRole?: aws.iam.Role;
  readonly agentRole?: aws.iam.Role;

  constructor(name: string, args: AccountAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:org:AccountAccess", name, {}, opts);
    const trust = (role: TrustingRole) =>
      adminTrustPolicy(args.managementAccountId, args.trust[role], role === "agent");
    const keep = { parent: this, protect: true, retainOnDelete: true };
    this.organizationAccessRole = new OrganizationAccessRole(
      `${name}-organization-access`,
      {
        managementAccountId: args.managementAccountId,
        orgStackPrincipals: args.trust.breakGlass,
        mode: args.accessRole,
      },
      { parent: this },
    );
    this.breakGlassRole = new aws.iam.Role(
      `${name}-break-glass`,
      {
        name: args.ctx.breakGlassRoleName,
        description:
          "Break-glass administration; exempt from the freeze SCP so a frozen account can be investigated and lifted",
        assumeRolePolicy: trust("breakGlass"),
        maxSessionDuration: 3600,
      },
      keep,
    );
    // Policies as their own resources: `managedPolicyArns`/`inlinePolicies` are deprecated in v7.
    new aws.iam.RolePolicyAttachment(
      `${name}-break-glass`,
      { role: this.breakGlassRole.name, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
      keep,
    );
    if (args.deployRole) {
      this.deployRole = new aws.iam.Role(
        `${name}-deploy`,
        {
          name: args.ctx.deployRoleName,
          description: "Assumed by the environment stacks (network, workloads, edge) to deploy",
          assumeRolePolicy: trust("deploy"),
          maxSessionDuration: 3600,
        },
        keep,
      );
      new aws.iam.RolePolicyAttachment(
        `${name}-deploy`,
        { role: this.deployRole.name, policyArn: "arn:aws:iam::aws:policy/PowerUserAccess" },
        keep,
      );
      new aws.iam.RolePolicy(
        `${name}-deploy`,
        { role: this.deployRole.name, name: "workload-identities", policy: deployPolicy(args.ctx) },
        keep,
      );
    }
    if (args.agentRole) {
      const boundary = new aws.iam.Policy(
        `${name}-agent-boundary`,
        {
          name: args.ctx.agentBoundaryName,
          description: "Permissions boundary of the automation / AI agent role",
          policy: pulumi.output(args.accountId).apply((id) => agentBoundaryPolicy(args.ctx, id)),
        },
        keep,
      );
      this.agentRole = new aws.iam.Role(
        `${name}-agent`,
        {
          name: args.ctx.agentRoleName,
          description:
            "Automation and AI coding agents in dev, confined by the agent boundary; denied in stage and prod by SCP",
          assumeRolePolicy: trust("agent"),
          maxSessionDuration: 3600,
          permissionsBoundary: boundary.arn,
        },
        keep,
      );
      new aws.iam.RolePolicyAttachment(
        `${name}-agent`,
        { role: this.agentRole.name, policyArn: "arn:aws:iam::aws:policy/PowerUserAccess" },
        keep,
      );
    }
    this.registerOutputs({});
  }
}
