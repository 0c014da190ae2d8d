import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { OrgConfig, OU_PATHS, OuPath } from "../lib/config/org";
import { ConfigError } from "../lib/config/errors";
import { TAG_KEYS } from "../lib/tags";
import { ORGANIZATION_ACCESS_ROLE } from "./access-role";

export interface OrganizationStructureArgs {
  /** Validated org config: accounts and their OUs. */
  readonly config: OrgConfig;
  /** Service principals given trusted access; default: what the org stack itself needs. */
  readonly serviceAccessPrincipals?: string[];
  /** What the existing organization uses, when platform:adopt names one (see {@link adoptionPlan}). */
  readonly adoption?: AdoptionPlan;
}

/**
 * The policy types the platform's guardrails need enabled on the root: SCPs, RCPs (policies/rcp/)
 * and tag policies. The Organization resource enables them (EnablePolicyType on the root).
 */
export const PLATFORM_POLICY_TYPES = [
  "RESOURCE_CONTROL_POLICY",
  "SERVICE_CONTROL_POLICY",
  "TAG_POLICY",
];

/** What `aws.organizations.getOrganization` reports about the organization being adopted. */
export interface ExistingOrganization {
  readonly id: string;
  readonly featureSet: string;
  readonly masterAccountId: string;
  readonly awsServiceAccessPrincipals: readonly string[];
  readonly enabledPolicyTypes: readonly string[];
  readonly roots: readonly {
    id: string;
    policyTypes: readonly { type: string; status: string }[];
  }[];
  readonly accounts: readonly { id: string; name: string; status: string }[];
}

/** How the Organization resource is imported and what the platform adds to it. */
export interface AdoptionPlan {
  readonly organizationId: string;
  /** Trusted-access principals after adoption: everything already enabled plus the platform's. */
  readonly servicePrincipals: string[];
  readonly policyTypes: string[];
  /** What the first `pulumi up` enables; nothing already enabled is ever disabled. */
  readonly addedServicePrincipals: string[];
  readonly addedPolicyTypes: string[];
  readonly ous: Partial<Record<OuPath, string>>;
  readonly accounts: Record<string, string>;
}

/**
 * Where each adopted OU must sit for the import to need no replacement (parentId is ForceNew in
 * organizational_unit.go): directly under the root, or under the adopted OU of its parent path.
 * `childrenOf` lists the OU ids directly under a parent (getOrganizationalUnits).
 */
export function adoptedOuProblems(
  ous: Partial<Record<OuPath, string>>,
  rootId: string,
  childrenOf: (parentId: string) => readonly string[],
): string[] {
  const problems: string[] = [];
  for (const [path, id] of Object.entries(ous) as [OuPath, string][]) {
    const parentPath = path.includes("/")
      ? (path.slice(0, path.lastIndexOf("/")) as OuPath)
      : undefined;
    const parentId = parentPath ? ous[parentPath] : rootId;
    if (!parentId) continue; // adoptProblems already refuses an adopted OU under a created one
    if (!childrenOf(parentId).includes(id))
      problems.push(
        `platform:adopt.ous.${path}: got "${id}", which is not directly under ${parentPath ? `the OU of ${parentPath} (${parentId})` : `the root (${rootId})`}; expected the OU there (an OU cannot be moved without replacing it)`,
      );
  }
  return problems;
}

/**
 * The Organization resource owns its trusted-access principals and root policy types exclusively:
 * on update the provider disables every one the inputs do not list (resourceOrganizationUpdate in
 * terraform-provider-aws internal/service/organizations/organization.go: DisableAWSServiceAccess and
 * DisablePolicyType for `old - new`). Adopting an organization therefore lists what it already uses
 * (Identity Center's sso.amazonaws.com, backup policies, ...) beside what the platform needs, so
 * the diff of the import is additions only. Checks the lookup against config first.
 */
export function adoptionPlan(
  config: OrgConfig,
  existing: ExistingOrganization,
  callerAccountId: string,
  needed: { principals: readonly string[]; policyTypes: readonly string[] },
  where = "org/management",
): AdoptionPlan {
  const adopt = config["platform:adopt"];
  if (!adopt) throw new Error("adoptionPlan: platform:adopt is not set");
  const problems: string[] = [];
  if (existing.id !== adopt.organizationId)
    problems.push(
      `platform:adopt.organizationId: got "${adopt.organizationId}"; expected "${existing.id}", the organization the credentials' account belongs to`,
    );
  if (existing.masterAccountId !== callerAccountId)
    problems.push(
      `platform:adopt.organizationId: got "${adopt.organizationId}", managed from account ${existing.masterAccountId}; expected credentials of that management account (these are of ${callerAccountId})`,
    );
  if (existing.featureSet !== "ALL")
    problems.push(
      `platform:adopt.organizationId: got an organization with feature set ${existing.featureSet}; expected ALL (enable all features in the Organizations console first: SCPs and trusted access need it)`,
    );
  const members = new Map(existing.accounts.map((a) => [a.id, a]));
  for (const [key, id] of Object.entries(adopt.accounts)) {
    const member = members.get(id);
    if (id === existing.masterAccountId)
      problems.push(
        `platform:adopt.accounts.${key}: got "${id}", the management account of ${existing.id}; expected a member account (the org stack runs in the management account, it is not one of its accounts)`,
      );
    else if (!member)
      problems.push(
        `platform:adopt.accounts.${key}: got "${id}"; expected an account of ${existing.id} (${existing.accounts.map((a) => a.id).join(", ") || "none listed"})`,
      );
    else if (member.status !== "ACTIVE")
      problems.push(
        `platform:adopt.accounts.${key}: got "${id}" with status ${member.status}; expected an ACTIVE account`,
      );
  }
  if (problems.length) throw new ConfigError(where, problems);
  // The data source derives enabledPolicyTypes from the root; read the root too, so a type enabled
  // there is never missed.
  const rootTypes = (existing.roots[0]?.policyTypes ?? [])
    .filter((p) => p.status === "ENABLED")
    .map((p) => p.type);
  const hadPrincipals = new Set(existing.awsServiceAccessPrincipals);
  const hadTypes = new Set([...existing.enabledPolicyTypes, ...rootTypes]);
  return {
    organizationId: existing.id,
    servicePrincipals: [...new Set([...hadPrincipals, ...needed.principals])].sort(),
    policyTypes: [...new Set([...hadTypes, ...needed.policyTypes])].sort(),
    addedServicePrincipals: needed.principals.filter((p) => !hadPrincipals.has(p)),
    addedPolicyTypes: needed.policyTypes.filter((t) => !hadTypes.has(t)),
    ous: adopt.ous as Partial<Record<OuPath, string>>,
    accounts: adopt.accounts,
  };
}

/**
 * Trusted access only for services something in the estate uses: the organization trail, tag
 * policies' compliance reports, and IAM Identity Center (platform:identity). Identity Center's is
 * enabled by its own console when the instance is created, as AWS recommends; it is listed here
 * because the Organization resource owns the list exclusively and would otherwise disable it on the
 * next update. Nothing deploys StackSets or SSM's organization-wide features (Explorer, OpsCenter,
 * Quick Setup), so their principals are not enabled.
 */
export const SERVICE_ACCESS_PRINCIPALS = [
  "cloudtrail.amazonaws.com",
  "sso.amazonaws.com",
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
    const adoption = args.adoption;
    // With `import`, Pulumi reads the existing resource and takes it over instead of creating one.
    const imported = (id: string | undefined) => (id ? { import: id } : {});
    this.organization = new aws.organizations.Organization(
      `${name}-organization`,
      {
        featureSet: "ALL",
        enabledPolicyTypes: adoption?.policyTypes ?? PLATFORM_POLICY_TYPES,
        awsServiceAccessPrincipals:
          adoption?.servicePrincipals ?? args.serviceAccessPrincipals ?? SERVICE_ACCESS_PRINCIPALS,
      },
      { ...child, protect: true, retainOnDelete: true, ...imported(adoption?.organizationId) },
    );
    this.rootId = this.organization.roots.apply((roots) => roots[0].id);

    const ous = {} as Record<OuPath, aws.organizations.OrganizationalUnit>;
    // OU_PATHS lists parents before children, so each parent exists when its child is built.
    for (const path of OU_PATHS) {
      const parentPath = path.includes("/")
        ? (path.slice(0, path.lastIndexOf("/")) as OuPath)
        : undefined;
      const leaf = path.split("/").pop()!;
      const existing = adoption?.ous[path];
      ous[path] = new aws.organizations.OrganizationalUnit(
        `${name}-ou-${path.replace(/\//g, "-")}`,
        {
          name: leaf.charAt(0).toUpperCase() + leaf.slice(1),
          parentId: parentPath ? ous[parentPath].id : this.rootId,
        },
        {
          ...child,
          protect: true,
          retainOnDelete: true,
          // An adopted OU keeps the name its organization gave it.
          ...(existing ? { import: existing, ignoreChanges: ["name"] } : {}),
        },
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
          // Organizations creates this role with the account; AccountAccess imports it, narrows its
          // trust and never deletes it.
          roleName: ORGANIZATION_ACCESS_ROLE,
          // The management provider's default tags say environment=management; each account
          // carries its own environment (or its key), as its own provider tags its resources.
          tags: { [TAG_KEYS.environment]: account.environment ?? key },
        },
        {
          ...child,
          protect: true,
          retainOnDelete: true,
          // ForceNew in account.go, and never read back on import: ignoring them keeps an
          // adopted account from being replaced.
          ignoreChanges: ["name", "email", "roleName", "iamUserAccessToBilling"],
          ...imported(adoption?.accounts[key]),
        },
      );
    }
    this.registerOutputs({ organizationId: this.organization.id, rootId: this.rootId });
  }
}
