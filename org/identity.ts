import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  AccessGrant,
  accessGrants,
  accountsOfPermissionSet,
  AccountRef,
  createdPolicies,
  CustomerManagedPolicy,
  IdentityConfig,
  MANAGEMENT_KEY,
  PermissionSetConfig,
  PolicyDocument,
} from "../lib/config/identity";

/** The organization's IAM Identity Center instance, as the SSO Admin API lists it. */
export interface IdentityCenterInstance {
  readonly arn: string;
  readonly identityStoreId: string;
  readonly region: string;
}

/** Raised when the management account has no Identity Center instance in the configured region. */
export class IdentityCenterMissing extends Error {
  constructor(region: string) {
    super(
      `IAM Identity Center is not enabled in ${region} for this organization, so the org stack cannot ` +
        "create its permission sets, groups and assignments. Enable it once, by hand: sign in to the " +
        "management account's console, open IAM Identity Center, choose Enable and pick the " +
        `organization instance (not an account instance), in region ${region}. An instance enabled ` +
        "in another region: set platform:identity.region in org/Pulumi.management.yaml to that region. " +
        "Identity Center cannot be enabled through the API for an organization instance, so no program " +
        "does it for you.",
    );
    this.name = "IdentityCenterMissing";
  }
}

/**
 * The instance from `ListInstances` (aws.ssoadmin.getInstances). An organization has at most one
 * organization instance; with none the plan and deploy stop here, before any resource.
 */
export function instanceFrom(
  result: { arns: readonly string[]; identityStoreIds: readonly string[] },
  region: string,
): IdentityCenterInstance {
  if (!result.arns?.length || !result.identityStoreIds?.length)
    throw new IdentityCenterMissing(region);
  return { arn: result.arns[0], identityStoreId: result.identityStoreIds[0], region };
}

/** Reads the Identity Center instance through the management provider (in the instance's region). */
export async function readIdentityCenter(
  provider: aws.Provider,
  region: string,
): Promise<IdentityCenterInstance> {
  return instanceFrom(await aws.ssoadmin.getInstances({}, { provider }), region);
}

/** The statements `readsAuditTrail` adds: list and read the trail bucket, decrypt its log files. */
export function auditTrailStatements(bucketArn: string, keyArn: string): object[] {
  return [
    {
      Sid: "ReadTheOrganizationTrail",
      Effect: "Allow",
      Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:GetObject", "s3:GetObjectVersion"],
      Resource: [bucketArn, `${bucketArn}/*`],
    },
    {
      Sid: "DecryptTheOrganizationTrail",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: keyArn,
    },
  ];
}

/** The permission set's inline policy: its own statements and, when asked, the trail's. */
export function inlinePolicyOf(
  ps: PermissionSetConfig,
  trail: { bucketArn: string; keyArn: string },
): PolicyDocument | undefined {
  if (!ps.inlinePolicy && !ps.readsAuditTrail) return undefined;
  return {
    Version: "2012-10-17",
    Statement: [
      ...(ps.readsAuditTrail ? auditTrailStatements(trail.bucketArn, trail.keyArn) : []),
      ...(ps.inlinePolicy?.Statement ?? []),
    ] as PolicyDocument["Statement"],
  };
}

/** A resource-name-safe form of a managed policy ARN: `job-function/Billing` → `job-function-Billing`. */
const policyKey = (arn: string) =>
  arn.replace(/^arn:aws:iam::aws:policy\//, "").replace(/\//g, "-");

export interface IdentityCenterArgs {
  readonly identity: IdentityConfig;
  readonly instance: IdentityCenterInstance;
  readonly accounts: Readonly<Record<string, AccountRef & { name: string }>>;
  /** Account ids by account key, `management` included. */
  readonly accountIds: Readonly<Record<string, pulumi.Input<string>>>;
  /** Providers by account key, `management` included: customer managed policies are made there. */
  readonly accountProviders: Readonly<Record<string, aws.Provider>>;
  readonly trail: { bucketArn: pulumi.Input<string>; keyArn: pulumi.Input<string> };
}

/** One row of the `access` output: which group holds which permission set in which account. */
export interface AccessEntry {
  group: string;
  permissionSet: string;
  account: string;
  accountName: string;
  accountId: pulumi.Input<string>;
}

/**
 * Identity Center from config: the groups, the permission sets with their policies, the customer
 * managed policies in every account a set is assigned to, and one account assignment per group,
 * permission set and account. Ordering follows the SSO Admin API: a customer managed policy must
 * exist in an account before the set is provisioned there, and attaching a policy re-provisions
 * every account the set already has (terraform-provider-aws internal/service/ssoadmin
 * customer_managed_policy_attachment.go), so the policies come first, then the attachments, then
 * the assignments.
 */
export class IdentityCenter extends pulumi.ComponentResource {
  readonly groupIds: Record<string, pulumi.Output<string>> = {};
  readonly permissionSets: Record<string, aws.ssoadmin.PermissionSet> = {};
  readonly assignments: aws.ssoadmin.AccountAssignment[] = [];
  readonly grants: AccessGrant[];

  constructor(name: string, args: IdentityCenterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:org:IdentityCenter", name, {}, opts);
    const { identity, instance } = args;
    const here = { parent: this };
    this.grants = accessGrants(identity, args.accounts);

    for (const [groupName, g] of Object.entries(identity.groups)) {
      if ("groupId" in g) {
        this.groupIds[groupName] = pulumi.output(g.groupId);
      } else if ("external" in g) {
        this.groupIds[groupName] = aws.identitystore
          .getGroupOutput(
            {
              identityStoreId: instance.identityStoreId,
              alternateIdentifier: {
                uniqueAttribute: { attributePath: "DisplayName", attributeValue: groupName },
              },
            },
            { parent: this },
          )
          .apply((r) => r.groupId);
      } else {
        // Memberships live on the group and are managed by people, not by this program: deleting
        // the group would lose them, so it is protected and kept if removed from config.
        this.groupIds[groupName] = new aws.identitystore.Group(
          `${name}-group-${groupName}`,
          {
            identityStoreId: instance.identityStoreId,
            displayName: groupName,
            description: g.description,
          },
          { ...here, protect: true, retainOnDelete: true },
        ).groupId;
      }
    }

    for (const [psName, ps] of Object.entries(identity.permissionSets)) {
      // The name is ForceNew in the provider: renaming replaces the set and re-creates its roles.
      const set = new aws.ssoadmin.PermissionSet(
        `${name}-${psName}`,
        {
          instanceArn: instance.arn,
          name: psName,
          description: ps.description,
          sessionDuration: ps.sessionDuration,
          relayState: ps.relayState,
        },
        here,
      );
      this.permissionSets[psName] = set;
      const inSet = { parent: set };
      const accounts = accountsOfPermissionSet(this.grants, psName);

      // Customer managed policies (and a customer managed boundary), in every assigned account.
      const made: Record<string, aws.iam.Policy[]> = {};
      const createIn = (p: CustomerManagedPolicy) =>
        accounts.map(
          (account) =>
            new aws.iam.Policy(
              `${name}-${psName}-policy-${p.name}-${account}`,
              {
                name: p.name,
                path: p.path,
                description: p.description ?? `Part of the ${psName} permission set`,
                policy: JSON.stringify(p.document),
              },
              { parent: set, provider: args.accountProviders[account] },
            ),
        );
      for (const p of createdPolicies(ps)) made[`${p.path}${p.name}`] = createIn(p);

      const parts: pulumi.Resource[] = [];
      for (const arn of ps.managedPolicies) {
        parts.push(
          new aws.ssoadmin.ManagedPolicyAttachment(
            `${name}-${psName}-managed-${policyKey(arn)}`,
            { instanceArn: instance.arn, permissionSetArn: set.arn, managedPolicyArn: arn },
            inSet,
          ),
        );
      }
      for (const p of ps.customerManagedPolicies) {
        parts.push(
          new aws.ssoadmin.CustomerManagedPolicyAttachment(
            `${name}-${psName}-customer-${p.name}`,
            {
              instanceArn: instance.arn,
              permissionSetArn: set.arn,
              customerManagedPolicyReference: { name: p.name, path: p.path },
            },
            { ...inSet, dependsOn: made[`${p.path}${p.name}`] },
          ),
        );
      }
      const inline = pulumi
        .all([args.trail.bucketArn, args.trail.keyArn])
        .apply(([bucketArn, keyArn]) => inlinePolicyOf(ps, { bucketArn, keyArn }));
      if (ps.inlinePolicy || ps.readsAuditTrail) {
        parts.push(
          new aws.ssoadmin.PermissionSetInlinePolicy(
            `${name}-${psName}-inline`,
            {
              instanceArn: instance.arn,
              permissionSetArn: set.arn,
              inlinePolicy: inline.apply((d) => JSON.stringify(d)),
            },
            inSet,
          ),
        );
      }
      const boundary = ps.permissionsBoundary;
      if (boundary) {
        const cm = "customerManaged" in boundary ? boundary.customerManaged : undefined;
        parts.push(
          new aws.ssoadmin.PermissionsBoundaryAttachment(
            `${name}-${psName}-boundary`,
            {
              instanceArn: instance.arn,
              permissionSetArn: set.arn,
              permissionsBoundary: cm
                ? { customerManagedPolicyReference: { name: cm.name, path: cm.path } }
                : { managedPolicyArn: (boundary as { managedPolicyArn: string }).managedPolicyArn },
            },
            { ...inSet, dependsOn: cm ? made[`${cm.path}${cm.name}`] : [] },
          ),
        );
      }

      // An assignment provisions the set into the account with what is attached at that moment.
      for (const grant of this.grants.filter((g) => g.permissionSet === psName)) {
        this.assignments.push(
          new aws.ssoadmin.AccountAssignment(
            `${name}-${grant.group}-${psName}-${grant.account}`,
            {
              instanceArn: instance.arn,
              permissionSetArn: set.arn,
              principalType: "GROUP",
              principalId: this.groupIds[grant.group],
              targetType: "AWS_ACCOUNT",
              targetId: args.accountIds[grant.account],
            },
            { parent: set, dependsOn: parts },
          ),
        );
      }
    }
    this.registerOutputs({});
  }

  /** The `access` output: every grant with the account's name and id. */
  access(args: Pick<IdentityCenterArgs, "accounts" | "accountIds">): AccessEntry[] {
    return this.grants.map((g) => ({
      group: g.group,
      permissionSet: g.permissionSet,
      account: g.account,
      accountName: g.account === MANAGEMENT_KEY ? "management" : args.accounts[g.account].name,
      accountId: args.accountIds[g.account],
    }));
  }
}
