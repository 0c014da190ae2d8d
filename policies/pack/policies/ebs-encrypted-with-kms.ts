import * as aws from "@pulumi/aws";
import { ReportViolation, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { asList, isSet, read, show, UNKNOWN } from "../lib/values";

export const appliesTo = [
  "aws:ebs/volume:Volume",
  "aws:ec2/instance:Instance",
  "aws:ec2/launchTemplate:LaunchTemplate",
] as const;

/**
 * A device passes when it is encrypted and names a KMS key. Without `kmsKeyId` AWS uses the
 * account's `aws/ebs` key, whose policy the platform does not control and which cannot be shared
 * for cross-account backup copies; the platform's own keys rotate and are retained.
 */
function check(device: Record<string, unknown> | undefined, what: string, report: ReportViolation) {
  if (!device) {
    report(
      `${what} is not declared, so it is encrypted only if the account's default EBS encryption happens to be ` +
        "on; declare it with encrypted: true and a kmsKeyId.",
    );
    return;
  }
  const encrypted = read(() => device.encrypted);
  // Launch templates take the flag as the string "true".
  if (encrypted !== true && encrypted !== "true" && encrypted !== UNKNOWN) {
    report(
      `${what} is not encrypted (encrypted: ${show(encrypted)}); expected true with a kmsKeyId.`,
    );
    return;
  }
  if (!isSet(read(() => device.kmsKeyId))) {
    report(
      `${what} is encrypted with the AWS-managed aws/ebs key; set kmsKeyId to a customer-managed KMS key.`,
    );
  }
}

const objectAt = (get: () => unknown) => {
  const v = read(get);
  return v && v !== UNKNOWN && typeof v === "object" ? (v as Record<string, unknown>) : undefined;
};

export const policy: ResourceValidationPolicy = {
  name: "ebs-encrypted-with-kms",
  description:
    "Checks that every EBS volume, instance root device and attached block device is encrypted with a " +
    "customer-managed KMS key.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: [
    validateResourceOfType(aws.ebs.Volume, (volume, _args, report) =>
      check(volume as Record<string, unknown>, "volume", report),
    ),
    validateResourceOfType(aws.ec2.Instance, (instance, _args, report) => {
      check(
        objectAt(() => instance.rootBlockDevice),
        "root device (rootBlockDevice)",
        report,
      );
      asList(read(() => instance.ebsBlockDevices)).forEach((d, i) =>
        check(
          d as Record<string, unknown>,
          `ebsBlockDevices[${i}] (${show(read(() => d.deviceName))})`,
          report,
        ),
      );
    }),
    validateResourceOfType(aws.ec2.LaunchTemplate, (template, _args, report) => {
      asList(read(() => template.blockDeviceMappings)).forEach((m, i) => {
        const ebs = objectAt(() => m.ebs);
        if (ebs) check(ebs, `blockDeviceMappings[${i}].ebs`, report);
      });
    }),
  ],
};
