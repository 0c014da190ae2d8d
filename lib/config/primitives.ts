import { z } from "zod";
import { parseCidr, tryParseCidr, Cidr } from "../net/ipv4";

/** An IPv4 CIDR block with host bits clear and a prefix inside [min, max]. */
export function cidr(opts: { min?: number; max?: number; what?: string } = {}) {
  const min = opts.min ?? 0;
  const max = opts.max ?? 32;
  return z.string().superRefine((text, ctx) => {
    let parsed: Cidr;
    try {
      parsed = parseCidr(text);
    } catch (e) {
      ctx.addIssue({
        code: "custom",
        message: `expected ${opts.what ?? "an IPv4 CIDR block"}: ${(e as Error).message}`,
      });
      return;
    }
    if (parsed.prefix < min || parsed.prefix > max) {
      ctx.addIssue({
        code: "custom",
        message: `expected ${opts.what ?? "an IPv4 CIDR block"} with a prefix from /${min} to /${max}`,
      });
    }
  });
}

/** A private (RFC 1918) IPv4 block, as VPCs and VPN client ranges must be. */
export function privateCidr(opts: { min: number; max: number; what: string }) {
  const rfc1918 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map(parseCidr);
  return cidr(opts).refine(
    (text) => {
      const c = tryParseCidr(text);
      return !c || rfc1918.some((r) => r.first <= c.first && c.last <= r.last);
    },
    {
      message: `expected ${opts.what} inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)`,
    },
  );
}

export const awsRegion = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, {
  message: "expected an AWS region code such as us-east-1",
});

export const email = z.string().regex(/^[^\s@]+@[^\s@]+\.[a-z]{2,}$/i, {
  message: "expected an e-mail address such as aws+dev@example.com",
});

export const accountKey = z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, {
  message: "expected a lowercase account key such as dev (letters, digits, dashes)",
});

export const accountId = z
  .string()
  .regex(/^\d{12}$/, { message: "expected a 12-digit AWS account id" });

/** Lowercase DNS-label-like identifier, safe in resource names, hostnames and file names. */
export const slug = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
  message: "expected lowercase letters, digits and inner dashes (at most 63 characters)",
});

export const positiveAmount = z.number().positive({ message: "expected an amount greater than 0" });

export const currency = z.enum(["USD"], { message: "expected USD (AWS Budgets bills in USD)" });

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;
export const logRetentionDays = z
  .number()
  .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
    message: `expected one of the retention periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")}`,
  });

// An EC2 instance type is <family>.<size>: families such as t4g, m7i-flex or u-6tb1, sizes such as
// small, 24xlarge or metal-24xl (EC2 User Guide, "Amazon EC2 instance type naming conventions").
const INSTANCE_FAMILY = "[a-z][a-z0-9-]*";
const INSTANCE_SIZE = "[a-z0-9]+(?:-[a-z0-9]+)*";
const EXACT_INSTANCE_TYPE = new RegExp(`^${INSTANCE_FAMILY}\\.${INSTANCE_SIZE}$`);
const INSTANCE_FAMILY_WILDCARD = new RegExp(`^${INSTANCE_FAMILY}\\.\\*$`);

/** One exact instance type, as an instance is launched with. */
export const ec2InstanceType = z.string().regex(EXACT_INSTANCE_TYPE, {
  message: "expected an EC2 instance type such as t4g.small",
});

/**
 * One entry of an instance-type allowlist: an exact type, or a whole family as `<family>.*`. The
 * entries become the value of a `StringNotLike` condition on `ec2:InstanceType` (policies/scp/
 * ec2-instance-type-allowlist.json), where `*` matches any run of characters; only the family
 * form is accepted so that an entry never reaches further than one family (`t*` would also allow
 * every t2 to t4g, `*.small` every family, `*` everything).
 */
export const instanceTypePattern = z.string().refine(isInstanceTypePattern, {
  message:
    "expected an EC2 instance type such as t4g.small, or a whole family such as t4g.* (no other wildcard)",
});

/** True for an exact instance type or a whole family (`t4g.*`): see {@link instanceTypePattern}. */
export function isInstanceTypePattern(text: string): boolean {
  return EXACT_INSTANCE_TYPE.test(text) || INSTANCE_FAMILY_WILDCARD.test(text);
}

/**
 * Whether an allowlist of {@link instanceTypePattern} entries admits `type`, as IAM's StringLike
 * does: an exact entry matches itself, `<family>.*` matches every `<family>.<size>`.
 */
export function instanceTypeAllowed(type: string, allowlist: readonly string[]): boolean {
  return allowlist.some((entry) =>
    entry.endsWith(".*") ? type.startsWith(entry.slice(0, -1)) : entry === type,
  );
}
