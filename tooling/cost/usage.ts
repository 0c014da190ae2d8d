import { z } from "zod";
import { ConfigError, describeIssues } from "../../lib/config/errors";

/**
 * Usage assumptions: what prices need that the plan cannot know (log volume, snapshot size,
 * requests). They live in each environment file under `platform:cost`, so a trade-off is a visible,
 * reviewed line in that file; every key has a documented default, and a missing section means
 * "all defaults".
 */

export const USAGE_KEY = "platform:cost";

const amount = (what: string) => z.number().min(0, { message: `expected ${what} of 0 or more` });
const share = z
  .number()
  .min(0, { message: "expected a share from 0 to 1" })
  .max(1, { message: "expected a share from 0 to 1" });

export const usageSection = z.strictObject({
  /** Share of the environment's monthly budget above which `npm run plan` warns; default 0.8 (80 %). */
  warnShare: z
    .number()
    .gt(0, { message: "expected a share above 0" })
    .max(1, { message: "expected a share of at most 1 (100 % of the budget)" })
    .default(0.8),
  logs: z
    .strictObject({
      /** GB ingested per month by each log group the plan creates (host, service and Lambda logs); default 0.5. */
      ingestGbPerGroup: amount("GB").default(0.5),
      /** GB of records per month written by each VPC flow log; default 1. */
      flowLogGbPerMonth: amount("GB").default(1),
      /** Months a log group without retention has accumulated, in the estimated month; default 12. */
      neverExpireMonths: z
        .number()
        .positive({ message: "expected a number of months above 0" })
        .default(12),
    })
    .prefault({}),
  ebs: z
    .strictObject({
      /** Root volume size when the program leaves it to the AMI (Amazon Linux 2023: 8 GiB); default 8. */
      rootVolumeGb: z
        .number()
        .int()
        .positive({ message: "expected a size in GB above 0" })
        .default(8),
      /** Share of a volume's provisioned size that holds data, i.e. the size of its first snapshot; default 0.5. */
      snapshotUsedShare: share.default(0.5),
      /** Share of that data changed per day: what each further retained (incremental) snapshot stores; default 0.03. */
      snapshotDailyChangeShare: share.default(0.03),
    })
    .prefault({}),
  network: z
    .strictObject({
      /** GB processed per month by each NAT gateway (OS updates, container images, API calls); default 20. */
      natGbPerGateway: amount("GB").default(20),
      /** GB processed per month by each interface endpoint; default 1. */
      endpointGbPerEndpoint: amount("GB").default(1),
      /** Average load balancer capacity units (LCU or NLCU) per hour per load balancer; default 1. */
      lcuPerLoadBalancer: amount("capacity units").default(1),
    })
    .prefault({}),
  lambda: z
    .strictObject({
      /** Invocations per month per function; default 100,000 (MBE's proxy traffic with headroom). */
      requestsPerFunction: amount("requests").default(100_000),
      /** Average billed duration per invocation in milliseconds; default 300 (one upstream round trip). */
      averageDurationMs: amount("milliseconds").default(300),
    })
    .prefault({}),
  s3: z
    .strictObject({
      /** GB stored per bucket (all versions); default 1. */
      gbPerBucket: amount("GB").default(1),
      /** PUT, COPY, POST and LIST requests per bucket per month; default 10,000. */
      putRequestsPerBucket: amount("requests").default(10_000),
      /** GET requests per bucket per month; default 100,000 (the VPN server syncs its ccd prefix every minute). */
      getRequestsPerBucket: amount("requests").default(100_000),
    })
    .prefault({}),
  kms: z
    .strictObject({
      /** Requests per month per customer managed key; default 10,000. */ requestsPerKey:
        amount("requests").default(10_000),
    })
    .prefault({}),
  secrets: z
    .strictObject({
      /** API calls per month per secret; default 10,000. */ apiCallsPerSecret:
        amount("calls").default(10_000),
    })
    .prefault({}),
  cloudwatch: z
    .strictObject({
      /**
       * Custom metrics hosts publish that no planned resource declares: the VPN server's
       * ConnectedDevices and DevicesAway, the backend's disk (data and root) and memory; default 5.
       */
      hostMetrics: amount("metrics").default(5),
      /** Custom metrics per edge device; default 0 (the VPN server publishes fleet-level metrics only). */
      metricsPerEdgeDevice: amount("metrics").default(0),
    })
    .prefault({}),
  notifications: z
    .strictObject({
      /** Publishes per month per SNS topic; default 1,000. */
      publishesPerTopic: amount("publishes").default(1_000),
      /** E-mails per month per e-mail subscription; default 100. */
      emailsPerSubscription: amount("e-mails").default(100),
    })
    .prefault({}),
  dns: z
    .strictObject({
      /** Standard queries per month per hosted zone; default 1,000,000. */ queriesPerZone:
        amount("queries").default(1_000_000),
    })
    .prefault({}),
  audit: z
    .strictObject({
      /** Management events per month recorded by each trail after the first (the first copy is free); default 500,000. */
      managementEventsPerTrail: amount("events").default(500_000),
    })
    .prefault({}),
});
export type Usage = z.output<typeof usageSection>;

/** Every default, as the org stack and environments without a `platform:cost` section use them. */
export const DEFAULT_USAGE: Usage = usageSection.parse({});

/**
 * Reads the usage assumptions from a stack file's config object (namespaced keys, typed values);
 * a missing section means every default. Throws a ConfigError naming the key, the value and what is
 * allowed.
 */
export function usageFromConfig(config: Record<string, unknown>, where: string): Usage {
  const raw = config[USAGE_KEY];
  if (raw === undefined || raw === null) return DEFAULT_USAGE;
  const r = usageSection.safeParse(raw);
  if (!r.success)
    throw new ConfigError(where, describeIssues(USAGE_KEY, usageSection, raw, r.error.issues));
  return r.data;
}
