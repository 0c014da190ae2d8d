/**
 * Defaults of the pack's configuration, read from the repository so that `pulumi preview
 * --policy-pack policies/pack` runs without a config file and agrees with what the stacks and the
 * SCPs were built from: the break-glass role and the agent boundary are named by the org stack's
 * prefix exactly as lib/names.ts names them, and the required tags are the platform's cost
 * allocation tags.
 */
import { validateOrgConfig } from "../../lib/config/org";
import { ORG_STACK_FILE, readStackFile } from "../../lib/repo";
import { TAG_KEYS } from "../../lib/tags";
import { guardrailContext } from "../../lib/names";
import { DEFAULT_VPN_PORT } from "../../lib/ports";

export interface PackDefaults {
  /** IAM role that may hold every action on every resource (org/Pulumi.management.yaml prefix). */
  readonly breakGlassRoleName: string;
  /** Managed policies that are permissions boundaries: a ceiling, never a grant. */
  readonly boundaryPolicyNames: readonly string[];
  /** Tag keys every taggable resource carries (lib/tags.ts). */
  readonly requiredTagKeys: readonly string[];
  /** The one port the internet may reach, over UDP, on the VPN server's group. */
  readonly vpnPort: number;
}

let cached: PackDefaults | undefined;

/** The defaults for this repository; the org stack file is read once per process. */
export function repositoryDefaults(): PackDefaults {
  if (cached) return cached;
  let ctx: ReturnType<typeof guardrailContext>;
  try {
    ctx = guardrailContext(
      validateOrgConfig(readStackFile(ORG_STACK_FILE), "org/management (read by the policy pack)"),
    );
  } catch (err) {
    throw new Error(
      `policy pack defaults: ${ORG_STACK_FILE} could not be read: ${(err as Error).message}`,
    );
  }
  cached = {
    breakGlassRoleName: ctx.breakGlassRoleName,
    boundaryPolicyNames: [ctx.agentBoundaryName],
    requiredTagKeys: Object.values(TAG_KEYS),
    vpnPort: DEFAULT_VPN_PORT,
  };
  return cached;
}
