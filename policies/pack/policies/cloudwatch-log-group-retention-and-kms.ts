import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isSet, read, show, UNKNOWN } from "../lib/values";

export const appliesTo = ["aws:cloudwatch/logGroup:LogGroup"] as const;

export const policy: ResourceValidationPolicy = {
  name: "cloudwatch-log-group-retention-and-kms",
  description:
    "Checks that every CloudWatch log group has a retention period and is encrypted with a KMS key.",
  enforcementLevel: "mandatory",
  severity: "medium",
  validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, _args, report) => {
    // 0 (or nothing) means "never expire": logs, and their cost, grow forever.
    const retention = read(() => group.retentionInDays);
    if (retention !== UNKNOWN && !(typeof retention === "number" && retention > 0)) {
      report(
        `log group has retentionInDays ${show(retention)}; expected a retention period in days ` +
          "(0 or unset keeps logs forever).",
      );
    }
    if (!isSet(read(() => group.kmsKeyId))) {
      report(
        "log group has no kmsKeyId; expected a customer-managed KMS key " +
          "(its key policy must allow logs.<region>.amazonaws.com).",
      );
    }
  }),
};
