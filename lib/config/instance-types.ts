import { OrgConfig } from "./org";
import { DEFAULT_SCP_ATTACHMENTS } from "./scp-attachments";
import { instanceTypeAllowed } from "./primitives";
import type { NetworkConfig } from "./network";
import type { WorkloadsConfig } from "./workloads";

/** The SCP file that limits instance types (policies/scp/ec2-instance-type-allowlist.json). */
export const INSTANCE_TYPE_SCP = "ec2-instance-type-allowlist";

/** Where that SCP is attached when `platform:guardrails.attachments` does not say otherwise. */
export const INSTANCE_TYPE_SCP_DEFAULT_TARGETS: readonly string[] =
  DEFAULT_SCP_ATTACHMENTS[INSTANCE_TYPE_SCP];

/**
 * Whether the instance-type SCP reaches an account: attached to the root, to the account's OU or
 * one above it, or to the account itself. `attachments`, when configured, replaces every default.
 */
export function instanceTypeScpReaches(org: OrgConfig, accountKey: string): boolean {
  const account = org["platform:accounts"][accountKey];
  if (!account) return false;
  const configured = org["platform:guardrails"].attachments;
  const targets = configured
    ? (configured[INSTANCE_TYPE_SCP] ?? [])
    : INSTANCE_TYPE_SCP_DEFAULT_TARGETS;
  const segments = account.ou.split("/");
  const reached = [
    "root",
    ...segments.map((_, i) => `ou:${segments.slice(0, i + 1).join("/")}`),
    `account:${accountKey}`,
  ];
  return targets.some((t) => reached.includes(t));
}

/**
 * Refuses an instance type the organization's instance-type SCP would deny in this environment's
 * account, understanding `<family>.*` entries as the SCP's StringNotLike does; without this the
 * mistake shows only as an AccessDenied halfway through `pulumi up`.
 */
export function checkInstanceTypes(
  accountKey: string,
  org: OrgConfig,
  network: NetworkConfig,
  workloads: WorkloadsConfig,
): string[] {
  if (!instanceTypeScpReaches(org, accountKey)) return [];
  const allowed = org["platform:guardrails"].allowedInstanceTypes;
  const configured: [string, string][] = [
    ["platform:network.vpn.instanceType", network.vpn.instanceType],
    ["platform:workloads.openems.instanceType", workloads.openems.instanceType],
  ];
  return configured
    .filter(([, type]) => !instanceTypeAllowed(type, allowed))
    .map(
      ([key, type]) =>
        `${key}: got "${type}"; expected a type the ${INSTANCE_TYPE_SCP} SCP allows in account ${accountKey} (platform:guardrails.allowedInstanceTypes in org/Pulumi.management.yaml: ${allowed.join(", ")})`,
    );
}
