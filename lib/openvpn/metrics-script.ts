// The small publisher that turns OpenVPN's status file into CloudWatch metrics. Rendered as its
// own script (instead of inline in the boot script) so tests can run it against a real status
// file with a stand-in `aws` command.

/**
 * CloudWatch namespace of the VPN server's connection metrics: the network stack publishes into it
 * and the edge stack's fleet alarms read it.
 */
export const VPN_METRICS_NAMESPACE = "OpenEMS/VPN";

export interface MetricsPublisherOptions {
  /** OpenVPN status file (status-version 3). */
  readonly statusFile: string;
  /** How often OpenVPN rewrites it; older files are treated as "server down, nobody connected". */
  readonly statusIntervalSeconds: number;
  /** The client-config-dir: every file in it is a known device. */
  readonly ccdDir: string;
  /** CloudWatch namespace, e.g. "OpenEMS/VPN". */
  readonly namespace: string;
  /** Dimensions on every metric, e.g. { Environment: "dev" }. At most 29 ("Device" is added). */
  readonly dimensions: Readonly<Record<string, string>>;
  /**
   * Publish `DeviceConnected` (1/0) per known device (default true). Each device is a separate
   * custom metric, billed per metric and month, so very large fleets may turn this off and keep
   * only `ConnectedDevices`.
   */
  readonly perDeviceMetrics?: boolean;
  /**
   * Publish `DevicesAway`: how many known devices have not been connected for this many seconds
   * (a device is first "seen" when its ccd entry appears). One fleet-level metric, so the alarm on
   * it costs the same for ten devices as for ten thousand. Admin profiles (admin-*) never count.
   */
  readonly awayAfterSeconds?: number;
  /** Where the last-seen time of each device is kept (default /var/lib/openvpn-metrics). */
  readonly stateDir?: string;
}

// CloudWatch allows 1,000 metrics per PutMetricData call; half of that keeps each request far
// below the 1 MB payload limit.
export const METRICS_PER_REQUEST = 500;

const NAMESPACE = /^[A-Za-z0-9._\/#:-]{1,255}$/;
const DIMENSION_TEXT = /^[A-Za-z0-9._:@\/-]{1,255}$/;
const DIMENSION_RULE = "1-255 characters of letters, digits and . _ : @ / -";
const SAFE_PATH = /^\/[A-Za-z0-9._\/-]+$/;

function fail(key: string, value: unknown, allowed: string): never {
  throw new Error(`renderMetricsPublisher: '${key}' is ${JSON.stringify(value)}: ${allowed}.`);
}

export function validateMetricsPublisherOptions(opts: MetricsPublisherOptions): void {
  if (
    opts.awayAfterSeconds !== undefined &&
    (!Number.isInteger(opts.awayAfterSeconds) || opts.awayAfterSeconds < 60)
  ) {
    fail("awayAfterSeconds", opts.awayAfterSeconds, "it must be an integer of at least 60");
  }
  for (const key of ["statusFile", "ccdDir", "stateDir"] as const) {
    if (key === "stateDir" && opts.stateDir === undefined) continue;
    if (!SAFE_PATH.test(opts[key] as string)) {
      fail(key, opts[key], "it must be an absolute path of letters, digits, '.', '_', '-', '/'");
    }
  }
  if (!Number.isInteger(opts.statusIntervalSeconds) || opts.statusIntervalSeconds < 1) {
    fail("statusIntervalSeconds", opts.statusIntervalSeconds, "it must be a positive integer");
  }
  if (!NAMESPACE.test(opts.namespace) || /^AWS\//i.test(opts.namespace)) {
    fail(
      "namespace",
      opts.namespace,
      "it must be 1-255 characters of letters, digits and . _ / # : - and not start with AWS/",
    );
  }
  const entries = Object.entries(opts.dimensions);
  if (entries.length > 29) {
    fail("dimensions", opts.dimensions, "at most 29 dimensions (CloudWatch's 30 minus Device)");
  }
  for (const [name, value] of entries) {
    if (!DIMENSION_TEXT.test(name) || name === "Device") {
      fail(`dimensions.${name}`, name, `dimension names must be ${DIMENSION_RULE} and not Device`);
    }
    if (!DIMENSION_TEXT.test(value)) {
      fail(`dimensions.${name}`, value, `dimension values must be ${DIMENSION_RULE}`);
    }
  }
}

/** A bash script that publishes `ConnectedDevices` and, per known device, `DeviceConnected`. */
export function renderMetricsPublisher(opts: MetricsPublisherOptions): string {
  validateMetricsPublisherOptions(opts);
  // Values are restricted to characters that need no escaping in JSON or single quotes.
  const dimensions = Object.entries(opts.dimensions)
    .map(([name, value]) => `{"Name":"${name}","Value":"${value}"}`)
    .join(",");
  const maxAge = 3 * opts.statusIntervalSeconds;
  return `#!/bin/bash
# Publishes OpenVPN connection metrics to CloudWatch; run every minute by openvpn-metrics.timer.
# Rendered by network/openvpn/metrics-script.ts.
set -euo pipefail

readonly STATUS_FILE='${opts.statusFile}'
readonly CCD_DIR='${opts.ccdDir}'
readonly NAMESPACE='${opts.namespace}'
readonly DIMENSIONS='${dimensions}'
readonly DEVICE_DIMENSIONS_PREFIX='${dimensions === "" ? "" : `${dimensions},`}'
readonly PER_DEVICE=${opts.perDeviceMetrics === false ? 0 : 1}
# OpenVPN rewrites the file every ${opts.statusIntervalSeconds}s; an older file means it is down.
readonly MAX_STATUS_AGE_SECONDS=${maxAge}
readonly METRICS_PER_REQUEST=${METRICS_PER_REQUEST}
readonly AWAY_AFTER_SECONDS=${opts.awayAfterSeconds ?? 0}
readonly STATE_DIR='${opts.stateDir ?? "/var/lib/openvpn-metrics"}'

work="$(mktemp -d)"
trap 'rm -rf "\${work}"' EXIT

: > "\${work}/connected"
if [[ -f "\${STATUS_FILE}" ]]; then
  age=$(( $(date +%s) - $(stat -c %Y "\${STATUS_FILE}") ))
  if (( age <= MAX_STATUS_AGE_SECONDS )); then
    # status-version 3 is tab-separated: CLIENT_LIST, common name, real address, ...
    awk -F'\\t' '$1 == "CLIENT_LIST" && $2 != "UNDEF" { print $2 }' "\${STATUS_FILE}" \\
      | sort -u > "\${work}/connected"
  fi
fi

: > "\${work}/known"
if [[ -d "\${CCD_DIR}" ]]; then
  # Only names that are valid common names: anything else synced into the directory is ignored.
  find "\${CCD_DIR}" -mindepth 1 -maxdepth 1 -type f -printf '%f\\n' \\
    | grep -E '^[a-z0-9]([a-z0-9-]*[a-z0-9])?$' | sort -u > "\${work}/known" || true
fi

connected_count="$(wc -l < "\${work}/connected")"

# Last-seen times, one empty file per device: touched while connected, created when a device is
# first known (a new device is not "away" before it had a chance to connect), dropped with it.
away_count=0
if (( AWAY_AFTER_SECONDS > 0 )); then
  mkdir -p "\${STATE_DIR}"
  grep -v '^admin-' "\${work}/known" > "\${work}/devices" || true
  while IFS= read -r device; do
    if [[ ! -e "\${STATE_DIR}/\${device}" ]] || grep -qxF "\${device}" "\${work}/connected"; then
      touch "\${STATE_DIR}/\${device}"
    fi
  done < "\${work}/devices"
  find "\${STATE_DIR}" -mindepth 1 -maxdepth 1 -type f -printf '%f\n' | while IFS= read -r seen; do
    grep -qxF "\${seen}" "\${work}/devices" || rm -f "\${STATE_DIR}/\${seen}"
  done
  now="$(date +%s)"
  while IFS= read -r device; do
    if (( now - $(stat -c %Y "\${STATE_DIR}/\${device}") > AWAY_AFTER_SECONDS )); then
      away_count=$(( away_count + 1 ))
    fi
  done < "\${work}/devices"
fi

{
  printf '{"MetricName":"ConnectedDevices","Value":%d,"Unit":"Count","Dimensions":[%s]}\\n' \\
    "\${connected_count}" "\${DIMENSIONS}"
  if (( AWAY_AFTER_SECONDS > 0 )); then
    printf '{"MetricName":"DevicesAway","Value":%d,"Unit":"Count","Dimensions":[%s]}\n' \
      "\${away_count}" "\${DIMENSIONS}"
  fi
  if (( PER_DEVICE == 1 )); then
    awk -v prefix="\${DEVICE_DIMENSIONS_PREFIX}" '
      FILENAME == ARGV[1] { up[$0] = 1; next }
      {
        printf "{\\"MetricName\\":\\"DeviceConnected\\",\\"Value\\":%d,", ($0 in up) ? 1 : 0
        printf "\\"Unit\\":\\"Count\\",\\"Dimensions\\":[%s", prefix
        printf "{\\"Name\\":\\"Device\\",\\"Value\\":\\"%s\\"}]}\\n", $0
      }' "\${work}/connected" "\${work}/known"
  fi
} > "\${work}/data"

split -l "\${METRICS_PER_REQUEST}" -d -a 4 "\${work}/data" "\${work}/batch-"
for batch in "\${work}"/batch-*; do
  awk 'BEGIN { printf "[" } NR > 1 { printf "," } { printf "%s", $0 } END { print "]" }' \\
    "\${batch}" > "\${batch}.json"
  aws cloudwatch put-metric-data --namespace "\${NAMESPACE}" --metric-data "file://\${batch}.json"
done
`;
}
