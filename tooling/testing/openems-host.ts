/**
 * What the OpenEMS backend host's tests start from (the apply step, the desired state, the
 * end-to-end convergence): host options as the workloads stack passes them, and the values of the
 * host's secret. The values are test values that pass the secret rule of workloads/openems/secrets.ts.
 */
import * as crypto from "crypto";
import type { HostSecretKey } from "../../workloads/openems/secrets";
import type { HostOptions } from "../../workloads/openems/userdata";

export const TEST_SECRET_ARN =
  "arn:aws:secretsmanager:eu-central-1:123456789012:secret:openems/dev/host-AbCdEf";

/** The options BackendHost passes, for the dev environment in eu-central-1. */
export const TEST_HOST_OPTIONS: HostOptions = {
  compose: { logGroupName: "/openems/dev/backend", region: "eu-central-1" },
  dataVolumeId: "vol-0123456789abcdef0",
  secretArn: TEST_SECRET_ARN,
};

/** One value per key of the host's secret (the influx token holds every allowed punctuation). */
export const TEST_HOST_SECRETS: Record<HostSecretKey, string> = {
  postgresPassword: "Pg0Password0123456789",
  odooMasterPassword: "Odoo0Master0123456789",
  odooAdminPassword: "Odoo0Admin0123456789",
  influxdbAdminPassword: "Influx0Password012345",
  influxdbAdminToken: "Influx0Token0abc+/=_~.-xyz",
};

/** sha256 in hex, as the manifest and host.json name content. */
export const sha256 = (s: string | Buffer): string =>
  crypto.createHash("sha256").update(s).digest("hex");
