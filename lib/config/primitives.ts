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

/**
 * Allowlist entries are source ranges that reach admin ports. The widest permitted prefix is a
 * parameter because it is the environment file's own choice; the whole internet is never allowed here.
 */
export function allowlist(widestPrefix: number) {
  return z.array(
    z.string().superRefine((text, ctx) => {
      if (text === "0.0.0.0/0" || text === "::/0") {
        ctx.addIssue({
          code: "custom",
          message: "the whole internet is never allowed on an allowlist; list the admin addresses",
        });
        return;
      }
      const c = tryParseCidr(text);
      if (!c) {
        ctx.addIssue({
          code: "custom",
          message: "expected an IPv4 CIDR block such as 203.0.113.10/32 (host bits clear)",
        });
      } else if (c.prefix < widestPrefix) {
        ctx.addIssue({
          code: "custom",
          message: `expected a range no wider than /${widestPrefix} (see maxAllowlistPrefix)`,
        });
      }
    }),
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

export const ec2InstanceType = z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, {
  message: "expected an EC2 instance type such as t4g.small",
});
