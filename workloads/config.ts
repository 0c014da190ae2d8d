import { z } from "zod";
import { EnvironmentContext, loadEnvironmentContext, parseSection } from "../platform/config/environment";
import { ec2InstanceType, logRetentionDays } from "../platform/config/primitives";

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
  }),
  mbe: z.strictObject({
    /** JSON-RPC methods the proxy forwards; anything else is refused without reaching OpenEMS. */
    allowedMethods: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9_.]*$/, { message: "expected a JSON-RPC method name" })).min(1, { message: "expected at least one method" }),
    upstreamTimeoutMs: z.number().int().min(100).max(29000).default(10000),
    maxBodyBytes: z.number().int().min(1024).max(6 * 1024 * 1024).default(262144),
  }),
  logRetentionDays: logRetentionDays.default(30),
});
export type WorkloadsConfig = z.output<typeof workloadsSection>;

export interface WorkloadsSettings {
  readonly env: EnvironmentContext;
  readonly workloads: WorkloadsConfig;
}

export function loadWorkloadsConfig(): WorkloadsSettings {
  const env = loadEnvironmentContext();
  return { env, workloads: parseSection(env, "platform:workloads", workloadsSection) };
}
