// Days until the certificates on the VPN server expire, as CloudWatch metrics the network stack
// alarms on: one value per certificate file (the earliest notAfter of every certificate in it, so
// a CA bundle during a rollover reports the CA that expires first), and the earliest device
// certificate when the edge stack publishes its date in SSM.
import { validateMetricsPublisherOptions } from "./metrics-script";

export const CERT_EXPIRY_METRIC = "CertificateDaysToExpiry";

export interface CertExpiryOptions {
  readonly namespace: string;
  /** Fleet dimensions (e.g. { Environment: "dev" }); "Certificate" is added per value. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** Certificate files and the value of their Certificate dimension ("server", "ca", ...). */
  readonly certificates: readonly { readonly file: string; readonly name: string }[];
  /** SSM parameter holding the earliest device certificate's notAfter (ISO 8601), if published. */
  readonly earliestDeviceParameter?: string;
}

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const SSM_NAME = /^\/[A-Za-z0-9_.\-\/]{1,1010}$/;

/** A bash script publishing CertificateDaysToExpiry (needs openssl, jq, date and the AWS CLI). */
export function renderCertExpiryPublisher(opts: CertExpiryOptions): string {
  validateMetricsPublisherOptions({
    statusFile: "/x",
    ccdDir: "/x",
    statusIntervalSeconds: 1,
    namespace: opts.namespace,
    dimensions: { ...opts.dimensions },
  });
  if ("Certificate" in opts.dimensions) {
    throw new Error(
      `renderCertExpiryPublisher: dimensions.Certificate: got a value; expected none (it is added per certificate)`,
    );
  }
  if (opts.certificates.length === 0) {
    throw new Error(
      `renderCertExpiryPublisher: certificates: got []; expected at least one certificate file`,
    );
  }
  opts.certificates.forEach((c, i) => {
    if (!/^\/[A-Za-z0-9._\/-]+$/.test(c.file)) {
      throw new Error(
        `renderCertExpiryPublisher: certificates[${i}].file: got ${JSON.stringify(c.file)}; expected an absolute path`,
      );
    }
    if (!NAME.test(c.name) || c.name === "earliest-device") {
      throw new Error(
        `renderCertExpiryPublisher: certificates[${i}].name: got ${JSON.stringify(c.name)}; expected lower-case letters, digits and - (not earliest-device)`,
      );
    }
  });
  const p = opts.earliestDeviceParameter;
  if (p !== undefined && !SSM_NAME.test(p)) {
    throw new Error(
      `renderCertExpiryPublisher: earliestDeviceParameter: got ${JSON.stringify(p)}; expected an SSM parameter name`,
    );
  }
  const dims = Object.entries(opts.dimensions)
    .map(([k, v]) => `{"Name":"${k}","Value":"${v}"}`)
    .join(",");
  return `#!/bin/bash
# Publishes ${CERT_EXPIRY_METRIC}; run hourly by openvpn-cert-expiry.timer. Rendered by
# lib/openvpn/cert-expiry-script.ts.
set -euo pipefail
readonly NAMESPACE='${opts.namespace}'
readonly DIMENSIONS='${dims}${dims === "" ? "" : ","}'
now="$(date +%s)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
problems=0

# metric NAME EPOCH: one datum, days from now to EPOCH (negative once expired), one decimal.
metric() {
  awk -v n="$1" -v t="$2" -v now="$now" -v d="$DIMENSIONS" 'BEGIN {
    printf "{\\"MetricName\\":\\"${CERT_EXPIRY_METRIC}\\",\\"Value\\":%.1f,\\"Unit\\":\\"None\\",", (t - now) / 86400
    printf "\\"Dimensions\\":[%s{\\"Name\\":\\"Certificate\\",\\"Value\\":\\"%s\\"}]}\\n", d, n }' >> "$work/data"
}

# earliest FILE: the earliest notAfter (epoch) of every certificate in FILE.
earliest() {
  local file="$1" cert best=""
  rm -f "$work"/cert-*
  awk -v dir="$work" '/-----BEGIN CERTIFICATE-----/ { n++ } n { print > (dir "/cert-" n) }' "$file"
  for cert in "$work"/cert-*; do
    [[ -e "$cert" ]] || continue
    local end
    end="$(date -d "$(openssl x509 -noout -enddate -in "$cert" | cut -d= -f2)" +%s)"
    if [[ -z "$best" ]] || (( end < best )); then best="$end"; fi
  done
  [[ -n "$best" ]] && echo "$best"
}

: > "$work/data"
${opts.certificates
  .map(
    (c) => `if [[ -f '${c.file}' ]] && end="$(earliest '${c.file}')"; then metric '${c.name}' "$end"
else echo "no certificate in ${c.file} (not delivered yet?)" >&2; problems=$(( problems + 1 )); fi`,
  )
  .join("\n")}
${
  p === undefined
    ? ""
    : `err="$(mktemp)"
if aws ssm get-parameter --name '${p}' --output json > "$work/device.json" 2> "$err"; then
  if end="$(date -d "$(jq -r '.Parameter.Value' "$work/device.json")" +%s)"; then metric earliest-device "$end"
  else echo "${p} is not a timestamp" >&2; problems=$(( problems + 1 )); fi
elif ! grep -q ParameterNotFound "$err"; then
  echo "cannot read ${p}: $(head -c 200 "$err")" >&2; problems=$(( problems + 1 ))
fi
rm -f "$err"`
}
if [[ -s "$work/data" ]]; then
  awk 'BEGIN { printf "[" } NR > 1 { printf "," } { printf "%s", $0 } END { print "]" }' "$work/data" > "$work/batch.json"
  aws cloudwatch put-metric-data --namespace "$NAMESPACE" --metric-data "file://$work/batch.json"
fi
exit $(( problems > 0 ))
`;
}
