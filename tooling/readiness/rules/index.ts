import type { ReadinessRule } from "../rule";
import { orgPoliciesAfterOrganization } from "./org-policies-after-organization";

/** Every readiness rule, in the order the plan reports them. */
export const rules: readonly ReadinessRule[] = [orgPoliciesAfterOrganization];
