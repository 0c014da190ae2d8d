import type { PlannedResource } from "../../stack-plan";
import { Finding, ReadinessRule, decoded, stackKey } from "../rule";

const NAME = "trail-key-policy";
const CLOUDTRAIL = "cloudtrail.amazonaws.com";

const asList = (v: unknown): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v as string];
const matches = (pattern: string, action: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i").test(
    action,
  );

/** Allow statements for CloudTrail that cover `action`, with their condition keys. */
function grants(policy: any, action: string): { conditionKeys: string[] }[] {
  return asList(policy?.Statement)
    .map((s: any) => s)
    .filter(
      (s: any) =>
        s.Effect === "Allow" &&
        asList(s.Principal?.Service).includes(CLOUDTRAIL) &&
        asList(s.Action).some((a) => matches(a, action)),
    )
    .map((s: any) => ({
      conditionKeys: Object.values<any>(s.Condition ?? {}).flatMap((c) => Object.keys(c)),
    }));
}

export const trailKeyPolicy: ReadinessRule = {
  name: NAME,
  description:
    "The KMS key of a trail lets CloudTrail GenerateDataKey*, DescribeKey (a call that carries no " +
    "encryption context, so a kms:EncryptionContext condition never matches it) and, when the " +
    "bucket uses an S3 Bucket Key, Decrypt, which CreateTrail and UpdateTrail need " +
    "(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html).",
  check(plans) {
    const findings: Finding[] = [];
    for (const plan of plans) {
      const keys = new Map<unknown, PlannedResource>();
      for (const k of plan.resources.filter((r) => r.type === "aws:kms/key:Key"))
        for (const ref of [k.id, k.state.arn, k.state.keyId]) if (ref) keys.set(ref, k);
      const bucketKeyBuckets = new Set(
        plan.resources
          .filter((r) => r.type.startsWith("aws:s3/bucketServerSideEncryptionConfiguration"))
          .filter((r) => (r.inputs.rules ?? []).some((x: any) => x.bucketKeyEnabled))
          .map((r) => r.inputs.bucket),
      );
      for (const trail of plan.resources.filter((r) => r.type === "aws:cloudtrail/trail:Trail")) {
        const key = keys.get(trail.inputs.kmsKeyId);
        if (!key) continue;
        const policy = decoded(key.inputs.policy);
        const missing: string[] = [];
        if (!grants(policy, "kms:GenerateDataKey").length) missing.push("kms:GenerateDataKey*");
        const describe = grants(policy, "kms:DescribeKey");
        if (
          !describe.some((g) => !g.conditionKeys.some((c) => c.startsWith("kms:EncryptionContext")))
        )
          missing.push("kms:DescribeKey without an encryption-context condition");
        if (
          bucketKeyBuckets.has(trail.inputs.s3BucketName) &&
          !grants(policy, "kms:Decrypt").length
        )
          missing.push("kms:Decrypt (the bucket uses an S3 Bucket Key)");
        if (missing.length)
          findings.push({
            rule: NAME,
            stack: stackKey(plan),
            urn: key.urn,
            message: `the key of trail ${trail.inputs.name} does not let CloudTrail ${missing.join(", ")}: creating the trail fails`,
            fix: "add Allow statements for the cloudtrail.amazonaws.com principal, scoped with aws:SourceArn to the trail",
          });
      }
    }
    return findings;
  },
};
