import { Policies, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import * as cloudwatchLogGroupRetentionAndKms from "./cloudwatch-log-group-retention-and-kms";
import * as ebsEncryptedWithKms from "./ebs-encrypted-with-kms";
import * as ec2Imdsv2Required from "./ec2-imdsv2-required";
import * as ec2WorkloadHostsNoPublicIp from "./ec2-workload-hosts-no-public-ip";
import * as iamNoWildcardAdmin from "./iam-no-wildcard-admin";
import * as kmsKeyRotationEnabled from "./kms-key-rotation-enabled";
import * as lambdaFunctionUrlIamAuth from "./lambda-function-url-iam-auth";
import * as requiredTags from "./required-tags";
import * as s3AuditBucketVersioned from "./s3-audit-bucket-versioned";
import * as s3BucketEncrypted from "./s3-bucket-encrypted";
import * as s3BucketPublicAccessBlocked from "./s3-bucket-public-access-blocked";
import * as securityGroupNoPublicIngress from "./security-group-no-public-ingress";
import * as securityGroupNoSshIngress from "./security-group-no-ssh-ingress";
import * as statefulResourcesProtected from "./stateful-resources-protected";

/** One policy file: the policy and the resource types it looks at (for the control matrix). */
export interface PolicyModule {
  readonly policy: ResourceValidationPolicy | StackValidationPolicy;
  readonly appliesTo: readonly string[];
}

/** Every policy of the pack with what it applies to, in the order the pack reports them. */
export const catalogue: readonly PolicyModule[] = [
  securityGroupNoPublicIngress,
  securityGroupNoSshIngress,
  ec2Imdsv2Required,
  ec2WorkloadHostsNoPublicIp,
  ebsEncryptedWithKms,
  s3BucketPublicAccessBlocked,
  s3BucketEncrypted,
  s3AuditBucketVersioned,
  kmsKeyRotationEnabled,
  cloudwatchLogGroupRetentionAndKms,
  lambdaFunctionUrlIamAuth,
  iamNoWildcardAdmin,
  requiredTags,
  statefulResourcesProtected,
];

/** The pack's policies: what `new PolicyPack` serves and what the offline plan evaluates. */
export const policies: Policies = catalogue.map((m) => m.policy);
