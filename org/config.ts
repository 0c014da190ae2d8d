import * as pulumi from "@pulumi/pulumi";
import { currentStackConfig } from "../lib/config/stack";
import { OrgConfig, validateOrgConfig } from "../lib/config/org";
import { ConfigError } from "../lib/config/errors";

export const ORG_STACK = "management";

/** Reads and validates the org stack's config once, before any resource is registered. */
export function loadOrgConfig(): OrgConfig {
  const where = `${pulumi.getProject()}/${pulumi.getStack()}`;
  if (pulumi.getStack() !== ORG_STACK) {
    throw new ConfigError(where, [
      `stack name: got "${pulumi.getStack()}"; expected "${ORG_STACK}" (the org project has one stack, run in the management account)`,
    ]);
  }
  return validateOrgConfig(currentStackConfig(), where);
}
