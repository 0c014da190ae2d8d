/**
 * The platform's cost allocation tag keys. They are applied to every resource through provider
 * default tags, activated in billing by the org stack and constrained by its tag policy, so the
 * three places read this one list.
 */
export const TAG_KEYS = {
  project: "project",
  environment: "environment",
  owner: "owner",
  costCenter: "cost-center",
  managedBy: "managed-by",
} as const;

export const MANAGED_BY = "pulumi";

export interface OrgTagValues {
  readonly project: string;
  readonly owner: string;
  readonly costCenter: string;
}

/** The default tags of every provider in a stack of `environment` ("management" for the org stack). */
export function platformTags(org: OrgTagValues, environment: string): Record<string, string> {
  return {
    [TAG_KEYS.project]: org.project,
    [TAG_KEYS.environment]: environment,
    [TAG_KEYS.owner]: org.owner,
    [TAG_KEYS.costCenter]: org.costCenter,
    [TAG_KEYS.managedBy]: MANAGED_BY,
  };
}
