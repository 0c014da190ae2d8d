import * as aws from "@pulumi/aws";
import { ReportViolation, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { read, UNKNOWN } from "../lib/values";

export const appliesTo = [
  "aws:ec2/instance:Instance",
  "aws:ec2/launchTemplate:LaunchTemplate",
] as const;

/**
 * IMDSv2 is required when `httpTokens` is `required`; with the endpoint `disabled` there is no
 * metadata service to abuse at all. Anything else (absent included: AWS then defaults to the AMI's
 * setting, usually optional) lets an SSRF in a workload read the instance role's credentials.
 */
function check(metadataOptions: () => unknown, what: string, report: ReportViolation) {
  const opts = read(metadataOptions) as Record<string, unknown> | undefined | typeof UNKNOWN;
  if (opts === UNKNOWN) return;
  const tokens = opts ? read(() => opts.httpTokens) : undefined;
  const endpoint = opts ? read(() => opts.httpEndpoint) : undefined;
  if (tokens === "required" || tokens === UNKNOWN || endpoint === "disabled") return;
  const got = tokens === undefined ? "not set" : JSON.stringify(tokens);
  report(`${what} metadataOptions.httpTokens is ${got}; expected "required" (IMDSv2 only).`);
}

export const policy: ResourceValidationPolicy = {
  name: "ec2-imdsv2-required",
  description:
    "Checks that every EC2 instance and launch template requires IMDSv2 (metadataOptions.httpTokens = required).",
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: [
    validateResourceOfType(aws.ec2.Instance, (instance, _args, report) =>
      check(() => instance.metadataOptions, "instance", report),
    ),
    validateResourceOfType(aws.ec2.LaunchTemplate, (template, _args, report) =>
      check(() => template.metadataOptions, "launch template", report),
    ),
  ],
};
