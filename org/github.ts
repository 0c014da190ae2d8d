import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GithubConfig } from "../lib/config/org";
import { GuardrailContext } from "../lib/names";

/** GitHub Actions' OIDC issuer and the audience aws-actions/configure-aws-credentials asks for. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_AUDIENCE = "sts.amazonaws.com";

export interface CiRoleNames {
  readonly preview: string;
  readonly deploy: string;
  /** The read-only twin of the deploy role in each environment account. */
  readonly environmentPreview: string;
}

export function ciRoleNames(ctx: GuardrailContext): CiRoleNames {
  const prefix = ctx.deployRoleName.replace(/-deploy$/, "");
  return {
    preview: `${prefix}-ci-preview`,
    deploy: `${prefix}-ci-deploy`,
    environmentPreview: `${ctx.deployRoleName}-preview`,
  };
}

/**
 * Trust for the preview role: pull requests of the repository and pushes to its branch. The `sub`
 * claim is `repo:<owner>/<name>:pull_request` for pull requests and
 * `repo:<owner>/<name>:ref:refs/heads/<branch>` for pushes (GitHub, "About security hardening with
 * OpenID Connect"); `repository` is checked as well, a claim STS also exposes as a condition key.
 */
export function previewTrustPolicy(providerArn: string, gh: GithubConfig): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "GithubPullRequestsAndBranch",
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_AUDIENCE,
            [`${GITHUB_OIDC_HOST}:sub`]: [
              `repo:${gh.repository}:pull_request`,
              `repo:${gh.repository}:ref:refs/heads/${gh.branch}`,
            ],
            [`${GITHUB_OIDC_HOST}:repository`]: gh.repository,
          },
        },
      },
    ],
  };
}

/**
 * Trust for the deploy role: the deploy jobs of the repository, which run in a GitHub environment
 * (its approval gates them), so `sub` is `repo:<owner>/<name>:environment:<env>`; the `ref` claim
 * must be the branch, so a job started from any other branch is refused even if the environment's
 * own branch rule were loosened.
 */
export function deployTrustPolicy(
  providerArn: string,
  gh: GithubConfig,
  environments: readonly string[],
): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "GithubDeployJobsOnBranch",
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_AUDIENCE,
            [`${GITHUB_OIDC_HOST}:sub`]: environments.map(
              (env) => `repo:${gh.repository}:environment:${env}`,
            ),
            [`${GITHUB_OIDC_HOST}:repository`]: gh.repository,
            [`${GITHUB_OIDC_HOST}:ref`]: `refs/heads/${gh.branch}`,
          },
        },
      },
    ],
  };
}

/** Pulumi's self-managed backend: read state, keep the lock files, use the bootstrap's keys. */
function stateAccess(prefix: string, write: boolean): object[] {
  const bucket = `arn:aws:s3:::${prefix}-pulumi-state-*`;
  return [
    {
      Sid: "ListState",
      Effect: "Allow",
      Action: ["s3:ListBucket", "s3:GetBucketLocation"],
      Resource: bucket,
    },
    {
      Sid: "ReadState",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion"],
      Resource: `${bucket}/*`,
    },
    {
      Sid: write ? "WriteState" : "LockState",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:DeleteObject"],
      Resource: write ? `${bucket}/*` : `${bucket}/.pulumi/locks/*`,
    },
    {
      Sid: "StateAndSecretsKeys",
      Effect: "Allow",
      Action: write
        ? ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
        : ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
      Resource: "*",
      Condition: {
        "ForAnyValue:StringEquals": {
          "kms:ResourceAliases": [`alias/${prefix}-pulumi-state`, `alias/${prefix}-pulumi-secrets`],
        },
      },
    },
  ];
}

/** Preview role: read-only everywhere, and may assume only the read-only twins in the accounts. */
export function previewPolicy(
  prefix: string,
  names: CiRoleNames,
  accountIds: readonly string[],
): object {
  return {
    Version: "2012-10-17",
    Statement: [
      ...stateAccess(prefix, false),
      {
        Sid: "EnvironmentPreviewRoles",
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Resource: accountIds.map((id) => `arn:aws:iam::${id}:role/${names.environmentPreview}`),
      },
    ],
  };
}

/** Deploy role: the state, and the existing deploy roles of the environment accounts, nothing else. */
export function deployPolicy(
  prefix: string,
  deployRoleName: string,
  accountIds: readonly string[],
): object {
  return {
    Version: "2012-10-17",
    Statement: [
      ...stateAccess(prefix, true),
      {
        Sid: "EnvironmentDeployRoles",
        Effect: "Allow",
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Resource: accountIds.map((id) => `arn:aws:iam::${id}:role/${deployRoleName}`),
      },
    ],
  };
}

/** Trust of the read-only twin in an environment account: only the management CI preview role. */
export function environmentPreviewTrust(
  managementAccountId: string,
  previewRoleName: string,
): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "CiPreviewOnly",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${managementAccountId}:root` },
        Action: "sts:AssumeRole",
        Condition: {
          ArnEquals: {
            "aws:PrincipalArn": `arn:aws:iam::${managementAccountId}:role/${previewRoleName}`,
          },
        },
      },
    ],
  };
}

export interface GithubCiArgs {
  readonly ctx: GuardrailContext;
  readonly prefix: string;
  readonly github: GithubConfig;
  readonly managementAccountId: string;
  /** Environment name to its account id and that account's provider. */
  readonly environments: Record<
    string,
    { accountId: pulumi.Input<string>; provider: aws.Provider }
  >;
}

/**
 * GitHub Actions' way into AWS without stored keys: the OIDC provider and, in the management
 * account, a read-only preview role and a deploy role that can only assume the existing deploy
 * roles; in each environment account, a read-only twin of the deploy role for previews.
 */
export class GithubCi extends pulumi.ComponentResource {
  readonly oidcProvider: aws.iam.OpenIdConnectProvider;
  readonly previewRole: aws.iam.Role;
  readonly deployRole: aws.iam.Role;

  constructor(name: string, args: GithubCiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:org:GithubCi", name, {}, opts);
    const names = ciRoleNames(args.ctx);
    const envs = Object.keys(args.environments);
    const ids = pulumi.all(envs.map((e) => args.environments[e].accountId));
    this.oidcProvider = new aws.iam.OpenIdConnectProvider(
      `${name}-oidc`,
      // AWS trusts GitHub's certificate authority itself; the thumbprint is no longer used for it.
      { url: `https://${GITHUB_OIDC_HOST}`, clientIdLists: [GITHUB_AUDIENCE] },
      { parent: this },
    );
    this.previewRole = new aws.iam.Role(
      `${name}-preview`,
      {
        name: names.preview,
        description: `Pull-request previews of ${args.github.repository}: read-only`,
        assumeRolePolicy: this.oidcProvider.arn.apply((arn) =>
          JSON.stringify(previewTrustPolicy(arn, args.github)),
        ),
        maxSessionDuration: 3600,
      },
      { parent: this },
    );
    // Policies as their own resources: a role's managedPolicyArns and inlinePolicies are deprecated
    // (terraform-provider-aws v5.68.0/v5.72.0; readiness rule no-deprecated-inputs).
    new aws.iam.RolePolicyAttachment(
      `${name}-preview-read-only`,
      { role: this.previewRole.name, policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-preview`,
      {
        role: this.previewRole.name,
        name: "state-and-previews",
        policy: ids.apply((a) => JSON.stringify(previewPolicy(args.prefix, names, a))),
      },
      { parent: this },
    );
    this.deployRole = new aws.iam.Role(
      `${name}-deploy`,
      {
        name: names.deploy,
        description: `Deploys of ${args.github.repository}@${args.github.branch} through the environments' deploy roles`,
        assumeRolePolicy: this.oidcProvider.arn.apply((arn) =>
          JSON.stringify(deployTrustPolicy(arn, args.github, envs)),
        ),
        maxSessionDuration: 3600,
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-deploy`,
      {
        role: this.deployRole.name,
        name: "state-and-deploy-roles",
        policy: ids.apply((a) =>
          JSON.stringify(deployPolicy(args.prefix, args.ctx.deployRoleName, a)),
        ),
      },
      { parent: this },
    );
    for (const env of envs) {
      const twin = new aws.iam.Role(
        `${name}-${env}-preview`,
        {
          name: names.environmentPreview,
          description: "Read-only twin of the deploy role, for CI previews",
          assumeRolePolicy: JSON.stringify(
            environmentPreviewTrust(args.managementAccountId, names.preview),
          ),
          maxSessionDuration: 3600,
        },
        { parent: this, provider: args.environments[env].provider },
      );
      new aws.iam.RolePolicyAttachment(
        `${name}-${env}-preview-read-only`,
        { role: twin.name, policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
        { parent: this, provider: args.environments[env].provider },
      );
    }
    this.registerOutputs({});
  }
}
