import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { OrgConfig, OU_PATHS, OuPath } from "../lib/config/org";
import { TAG_KEYS } from "../lib/tags";

export interface OrganizationStructureArgs {
  /** Validated org config: accounts and their OUs. */
  readonly config: OrgConfig;
  /** Service principals given trusted access; default: what the org stack itself needs. */
  readonly serviceAccessPrincipals?: string[];
}

/**
 * Trusted access only for services something in the estate uses: the organization trail and tag
 * policies' compliance reports. Nothing deploys StackSets or SSM's organization-wide features
 * (Explorer, OpsCenter, Quick Setup), so their principals are not enabled.
 */
export const SERVICE_ACCESS_PRINCIPALS = [
  "cloudtrail.amazonaws.com",
  "tagpolicies.tag.amazonaws.com",
];

/**
 * The organization, its OU tree and member accounts. Accounts are protected and never closed on
 * delete: removing one from config or a refactor of this component must not close an account, and
 * renaming one only changes config, never the account (name and email are ignored after creation
 * because the provider would otherwise replace the account).
 */
export class OrganizationStructure extends pulumi.ComponentResource {
  readonly organization: aws.organizations.Organization;
  readonly rootId: pulumi.Output<string>;
  readonly ous: Record<OuPath, aws.organizations.OrganizationalUnit>;
  readonly accounts: Record<string, aws.organizations.Account>;

  constructor(
    name: string,
    args: OrganizationStructureArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("platform:org:OrganizationStructure", name, {}, opts);
    const child = { parent: this };
    this.organization = new aws.organizations.Organization(
      `${name}-organization`,
      {
        featureSet: "ALL",
        enabledPolicyTypes: ["SERVICE_CONTROL_POLICY", "TAG_POLICY"],
        awsServiceAccessPrincipals: args.serviceAccessPrincipals ?? SERVICE_ACCESS_PRINCIPALS,
      },
      { ...child, protect: true, retainOnDelete: true },
    );
    this.rootId = this.organization.roots.apply((roots) => roots[0].id);

    const ous = {} as Record<OuPath, aws.organizations.OrganizationalUnit>;
    // OU_PATHS lists parents before children, so each parent exists when its child is built.
    for (const path of OU_PATHS) {
      const parentPath = path.includes("/")
        ? (path.slice(0, path.lastIndexOf("/")) as OuPath)
        : undefined;
      const leaf = path.split("/").pop()!;
      ous[path] = new aws.organizations.OrganizationalUnit(
        `${name}-ou-${path.replace(/\//g, "-")}`,
        {
          name: leaf.charAt(0).toUpperCase() + leaf.slice(1),
          parentId: parentPath ? ous[parentPath].id : this.rootId,
        },
        { ...child, protect: true, retainOnDelete: true },
      );
    }
    this.ous = ous;

    this.accounts = {};
    for (const [key, account] of Object.entries(args.config["platform:accounts"])) {
      this.accounts[key] = new aws.organizations.Account(
        `${name}-account-${key}`,
        {
          name: account.name,
          email: account.email,
          parentId: ous[account.ou].id,
          closeOnDeletion: false,
          iamUserAccessToBilling: "DENY",
          roleName: "OrganizationAccountAccessRole",
          // The management provider's default tags say environment=management; each account
          // carries its own environment (or its key), as its own provider tags its resources.
          tags: { [TAG_KEYS.environment]: account.environment ?? key },
        },
        {
          ...child,
          protect: true,
          retainOnDelete: true,
          ignoreChanges: ["name", "email", "roleName", "iamUserAccessToBilling"],
        },
      );
    }
    this.registerOutputs({ organizationId: this.organization.id, rootId: this.rootId });
  }
}
