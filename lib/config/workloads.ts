import { z } from "zod";
import { Checked, parseSection } from "./errors";
import { ec2InstanceType, email, logRetentionDays } from "./primitives";
import type { NetworkConfig } from "./network";
import { allowlistProblem, DEFAULT_ALLOWED_METHODS } from "../openems/b2b-methods";

const dnsName = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
    message: "expected a lower-case DNS name such as openems.example.com",
  });
const vercelSlug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,98}[a-z0-9]$/, {
  message: "expected a Vercel slug: a-z, 0-9 and '-'",
});

/** The allowlist rule: each entry a read method of the OpenEMS B2B catalogue, no duplicates. */
export const allowedMethods = z
  .array(
    z.string().superRefine((entry, ctx) => {
      const problem = allowlistProblem(entry);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  )
  .min(1, { message: "expected at least one method" })
  .superRefine((entries, ctx) => {
    const seen = new Set<string>();
    entries.forEach((entry, i) => {
      if (seen.has(entry))
        ctx.addIssue({ code: "custom", path: [i], message: `expected each method once` });
      seen.add(entry);
    });
  });

const imageRef = z.string().regex(/^[^\s:@]+(:[^\s:@/]+)(@sha256:[0-9a-f]{64})?$/, {
  message: 'expected "name:tag" or "name:tag@sha256:<64 hex>"',
});

export const workloadsSection = z.strictObject({
  openems: z.strictObject({
    /** The backend host's type; non-prod accounts may only use the SCP's allowed types. */
    instanceType: ec2InstanceType,
    /** Size of the separate data volume that holds every database (GiB). */
    dataVolumeGb: z.number().int().min(8).max(16384).default(30),
    /** Days of daily snapshots kept. */
    snapshotRetentionDays: z.number().int().min(1).max(365).default(7),
    /** One-minute EC2 metrics (about $2.10/month per instance). */
    detailedMonitoring: z.boolean().default(false),
    /**
     * Image overrides of the Compose services (`name:tag` or `name:tag@sha256:<64 hex>`); the
     * others keep their pins (workloads/openems/compose.ts). Reaches the running host in place.
     */
    images: z
      .strictObject({
        "openems-backend": imageRef.optional(),
        "openems-ui": imageRef.optional(),
        odoo: imageRef.optional(),
        postgres: imageRef.optional(),
        influxdb: imageRef.optional(),
      })
      .optional(),
  }),
  mbe: z.strictObject({
    /**
     * B2B methods the proxy forwards, as OpenEMS names them (`getEdgesStatus`,
     * `edgeRpc/queryHistoricTimeseriesEnergy`); anything else is refused without reaching OpenEMS.
     * Only read methods of the pinned release are accepted (lib/openems/b2b-methods.ts).
     */
    allowedMethods: allowedMethods.default([...DEFAULT_ALLOWED_METHODS]),
    upstreamTimeoutMs: z.number().int().min(100).max(29000).default(10000),
    maxBodyBytes: z
      .number()
      .int()
      .min(1024)
      .max(6 * 1024 * 1024)
      .default(262144),
    /** Odoo user the proxy authenticates to OpenEMS B2B as; an admin creates it (README). */
    b2bUsername: z
      .string()
      .regex(/^[a-z][a-z0-9._-]{2,63}$/, {
        message: "expected 3-64 characters of a-z, 0-9, . _ -, starting with a letter",
      })
      .default("mbe-proxy"),
    /** The Vercel deployment allowed to call the proxy, through Vercel's OIDC tokens. */
    vercel: z.strictObject({
      /** Team slug: the issuer is https://oidc.vercel.com/<team>, the audience https://vercel.com/<team>. */
      team: vercelSlug,
      project: vercelSlug,
      environment: z.enum(["production", "preview", "development"], {
        message: "expected production, preview or development",
      }),
    }),
  }),
  /**
   * How people reach the UI and Odoo. none: plain HTTP from the admin VPN range (and allowlisted
   * addresses where they route to the VPC). alb: an HTTPS load balancer for allowlisted addresses.
   */
  https: z.discriminatedUnion(
    "mode",
    [
      z.strictObject({ mode: z.literal("none") }),
      z.strictObject({
        mode: z.literal("alb"),
        /** Public hosted zone in this account where the certificate is validated and the names live. */
        hostedZone: dnsName,
        /** Host names of the UI and of Odoo; the load balancer routes by host name. */
        uiName: dnsName,
        odooName: dnsName,
      }),
    ],
    { message: "expected mode: none, or mode: alb with hostedZone, uiName and odooName" },
  ),
  /** Who receives the host's alarms; default: the organization's budget subscribers. */
  alarmEmails: z.array(email).optional(),
  logRetentionDays: logRetentionDays.default(30),
});
export type WorkloadsConfig = z.output<typeof workloadsSection>;

/**
 * Rules across keys: the HTTPS names must sit in the hosted zone, and the load balancer needs
 * admin sources (platform:network.adminAllowlist, skipped when the network section is invalid).
 */
export function crossCheckWorkloads(w: WorkloadsConfig, network?: NetworkConfig): string[] {
  const problems: string[] = [];
  if (w.https.mode === "alb") {
    for (const key of ["uiName", "odooName"] as const) {
      const name = w.https[key];
      if (!name.endsWith(`.${w.https.hostedZone}`)) {
        problems.push(
          `platform:workloads.https.${key}: got "${name}"; expected a name inside the hosted zone ${w.https.hostedZone}`,
        );
      }
    }
    if (network && network.adminAllowlist.length === 0)
      problems.push(
        `platform:workloads.https.mode: got "alb" with an empty platform:network.adminAllowlist; expected at least one admin source (the load balancer admits nobody else) or mode: none`,
      );
    if (w.https.uiName === w.https.odooName)
      problems.push(
        `platform:workloads.https.odooName: got "${w.https.odooName}"; expected a name different from uiName (the load balancer routes by host name)`,
      );
  }
  return problems;
}

/**
 * Keys that were once valid and are now refused with what replaces them, rather than as unknown
 * keys: whoever still has one in a file learns why it went.
 */
const REMOVED_MBE_KEYS: Record<string, string> = {
  // The deploy role denies iam:CreateUser and iam:CreateAccessKey (org/access.ts,
  // NoLongLivedCredentials), so a stack with this user could never deploy.
  accessKeyUser:
    "removed: MBE calls the proxy with the role it assumes through Vercel's OIDC tokens (platform:workloads.mbe.vercel; output mbeRoleArn), and the deploy role may not create IAM users or access keys; delete the key",
};

/** The section without removed keys, and one problem for each removed key it held. */
function withoutRemovedKeys(value: unknown): { value: unknown; problems: string[] } {
  const mbe = (value as { mbe?: unknown } | null | undefined)?.mbe;
  if (!mbe || typeof mbe !== "object" || Array.isArray(mbe)) return { value, problems: [] };
  const problems: string[] = [];
  const kept: Record<string, unknown> = { ...(mbe as Record<string, unknown>) };
  for (const [key, why] of Object.entries(REMOVED_MBE_KEYS)) {
    if (!(key in kept)) continue;
    problems.push(`platform:workloads.mbe.${key}: ${why}`);
    delete kept[key];
  }
  return { value: { ...(value as object), mbe: kept }, problems };
}

/** Refuses a malformed workloads section (instance type, volume, JSON-RPC allowlist, Vercel identity, HTTPS) and breaks of the cross-key rules. */
export function validateWorkloads(
  value: unknown,
  network?: NetworkConfig,
): Checked<WorkloadsConfig> {
  const removed = withoutRemovedKeys(value);
  const parsed = parseSection("platform:workloads", workloadsSection, removed.value);
  if (!parsed.value) return { problems: [...removed.problems, ...parsed.problems] };
  return {
    value: parsed.value,
    problems: [...removed.problems, ...crossCheckWorkloads(parsed.value, network)],
  };
}
