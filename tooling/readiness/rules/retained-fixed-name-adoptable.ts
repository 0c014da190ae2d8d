import { RETAINED_NAMES } from "../../../lib/config/retained";
import { Finding, ReadinessRule, eachResource } from "../rule";

const NAME = "retained-fixed-name-adoptable";

/** Retained types whose physical name is unique in the account and region, and how they import. */
const CLASS: Readonly<Record<string, { kind: keyof typeof RETAINED_NAMES; error: string }>> = {
  "aws:cloudwatch/logGroup:LogGroup": {
    kind: "logGroups",
    error: "CreateLogGroup: ResourceAlreadyExistsException",
  },
  "aws:secretsmanager/secret:Secret": {
    kind: "secrets",
    error:
      "CreateSecret: ResourceExistsException; a deleted secret's name stays taken for its recovery window, up to 30 days",
  },
};

export const retainedFixedNameAdoptable: ReadinessRule = {
  name: NAME,
  description:
    "A log group or secret kept on delete (retainOnDelete) under a fixed name outlives its stack, " +
    "so creating it again after a destroy, a rename without an alias or in a new stack fails " +
    "(https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html; " +
    "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html; " +
    "RecoveryWindowInDays: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html). " +
    "Each must be adoptable: listed in lib/config/retained.ts, so that platform:adopt in the " +
    "environment file imports it (log groups by name, secrets by ARN).",
  check(plans) {
    const findings: Finding[] = [];
    for (const { plan, stack, resource: r } of eachResource(plans)) {
      const spec = CLASS[r.type];
      const name = r.inputs.name;
      if (!spec || !r.retainOnDelete || typeof name !== "string" || r.import) continue;
      if (RETAINED_NAMES[spec.kind](plan.stack).includes(name)) continue;
      findings.push({
        rule: NAME,
        stack,
        urn: r.urn,
        message: `"${name}" is kept on delete under a fixed name; re-creating it fails (${spec.error}), and platform:adopt cannot import it`,
        fix: `add it to RETAINED_NAMES.${spec.kind} in lib/config/retained.ts and pass retainedOptions(...) as its options, or let it be auto-named`,
      });
    }
    return findings;
  },
};
