import type { ReadinessRule } from "../rule";
import { alarmBreachingOnDeploy } from "./alarm-breaching-on-deploy";
import { costAllocationTagKeysInUse } from "./cost-allocation-tag-keys-in-use";
import { noDeprecatedInputs } from "./no-deprecated-inputs";
import { instanceTypeOfferedInZone } from "./instance-type-offered-in-zone";
import { fixedNameReplaceable } from "./fixed-name-replaceable";
import { orgPoliciesAfterOrganization } from "./org-policies-after-organization";
import { retainedFixedNameAdoptable } from "./retained-fixed-name-adoptable";
import { tagPolicyEnforceableTypes } from "./tag-policy-enforceable-types";
import { tagsComplyWithTagPolicy } from "./tags-comply-with-tag-policy";
import { trailKeyPolicy } from "./trail-key-policy";
import { waitsForPermissions } from "./waits-for-permissions";

/** Every readiness rule, in the order the plan reports them. */
export const rules: readonly ReadinessRule[] = [
  orgPoliciesAfterOrganization,
  tagPolicyEnforceableTypes,
  tagsComplyWithTagPolicy,
  fixedNameReplaceable,
  waitsForPermissions,
  trailKeyPolicy,
  alarmBreachingOnDeploy,
  noDeprecatedInputs(),
  instanceTypeOfferedInZone(),
  costAllocationTagKeysInUse,
  retainedFixedNameAdoptable,
];
