import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GuardrailContext } from "../lib/names";
import { permissionSetRolePatterns, TrustingRole } from "../lib/config/identity";

/**
 * Who may assume each platform role: the roles Identity Center provisions in the management account
 * for the permission sets platform:identity.trust names, plus any further principals of
 * platform:organization.adminPrincipalArns.
 */
export function trustedPrincipals(
  managementAccountId: string,
  trust: Readonly<Record<TrustingRole, readonly string[]>>,
  extra: readonly string[],
): Record<TrustingRole, string[]> {
  const of = (role: TrustingRole) => [
    ...permissionSetRolePatterns(managementAccountId, trust[role]),
    ...extra,
  ];
  return { breakGlass: of("breakGlass"), deploy: of("deploy"), agent: of("agent") };
}

/** Trust for roles that people in the management account assume: only the configured admins. */
export function adminTrustPolicy(
  managementAccountId: pulumi.Input<string>,
  adminPrincipalArns: string[],
): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ManagementAdminsOnly",
        Effect: "Allow",
        Principal: { AWS: pulumi.interpolate`arn:aws:iam::${managementAccountId}:root` },
        Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
        Condition: { ArnLike: { "aws:PrincipalArn": adminPrincipalArns } },
      },
    ],
  });
}

/**
 * What the deploy role may do: everything the stacks build, short of account-level identity. It
 * manages roles and policies for workloads but never creates IAM users or access keys.
 */
export function deployPolicy(): string {
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
        ],
        Resource: "*",
      },
    ],
  });
}

/**
 * The ceiling of the automation / AI agent role in dev: whatever its own policies allow, never
 * long-lived credentials, never the guardrails, never a role without this same boundary, never
 * leaving its account.
 */
export function agentBoundaryPolicy(ctx: GuardrailContext, accountId: string): string {
  const guarded = [
    ctx.breakGlassRoleName,
    ctx.deployRoleName,
    ctx.agentRoleName,
    ctx.budgetActionRoleName,
  ].map((r) => `arn:aws:iam::${accountId}:role/${r}`);
  const boundaryArn = `arn:aws:iam::${accountId}:policy/${ctx.agentBoundaryName}`;
  return JSON.stringify({
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
        ],
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
        Sid: "NoRoleWithoutThisBoundary",
        Effect: "Deny",
        Action: ["iam:CreateRole", "iam:PutRolePermissionsBoundary"],
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
        Sid: "NoLeavingTheAccount",
        Effect: "Deny",
        Action: ["organizations:*", "account:*", "sts:AssumeRole"],
        Resource: "*",
        Condition: { StringNotEquals: { "aws:ResourceAccount": accountId } },
      },
    ],
  });
}

export interface AccountAccessArgs {
  readonly ctx: GuardrailContext;
  readonly accountId: pulumi.Input<string>;
  readonly managementAccountId: pulumi.Input<string>;
  /** `aws:PrincipalArn` patterns each role trusts ({@link trustedPrincipals}). */
  readonly trust: Readonly<Record<TrustingRole, string[]>>;
  /** Create the deploy role (environment accounts). */
  readonly deployRole: boolean;
  /** Create the automation / AI agent role and its boundary (dev only). */
  readonly agentRole: boolean;
}

/** The roles the platform keeps in one member account: break-glass, and where asked deploy and agent. */
export class AccountAccess extends pulumi.ComponentResource {
  readonly breakGlassRole: aws.iam.Role;
  readonly deployRole?: aws.iam.Role;
  readonly agentRole?: aws.iam.Role;

  constructor(name: string, args: AccountAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:org:AccountAccess", name, {}, opts);
    const trust = (role: TrustingRole) =>
      adminTrustPolicy(args.managementAccountId, args.trust[role]);
    const keep = { parent: this, protect: true, retainOnDelete: true };
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
        { role: this.deployRole.name, name: "workload-identities", policy: deployPolicy() },
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
