// The server's check of a ccd entry before the agent installs it: the entry must be byte for byte
// what ccd.ts renders for that common name. A device entry is one `ifconfig-push` of an address in
// the static device range with the range's netmask; an admin entry (only for the admin profiles
// the network stack issues) is renderAdminCcdEntry's comment. Anything else (an admin-pool address,
// pushed routes, iroute, extra directives, a different netmask) is refused.
import { VpnAddressPlan } from "./address-plan";
import { renderAdminCcdEntry, validateCommonName } from "./ccd";
import { parseIpv4 } from "../net/ipv4";

export interface CcdCheckOptions {
  readonly plan: VpnAddressPlan;
  /** Common names of the admin profiles (admin-<name>). */
  readonly adminCommonNames: readonly string[];
}

/** A bash script: `openvpn-ccd-check <common name> <file>`; exit 0 accepts, 1 refuses (saying why). */
export function renderCcdChecker(opts: CcdCheckOptions): string {
  opts.adminCommonNames.forEach((cn, i) => validateCommonName(cn, `adminCommonNames[${i}]`));
  const { plan } = opts;
  const first = parseIpv4(plan.staticRange.first) as number;
  const last = parseIpv4(plan.staticRange.last) as number;
  const admins = opts.adminCommonNames
    .map(
      (cn) => `  ${cn}) expected=${JSON.stringify(renderAdminCcdEntry(cn).replace(/\n$/, ""))} ;;`,
    )
    .join("\n");
  return `#!/bin/bash
# Accepts a ccd entry only if it is exactly what the platform writes for that common name.
# Rendered by lib/openvpn/ccd-check.ts for ${plan.cidr}.
set -euo pipefail
name="$1"
file="$2"
refuse() { echo "ccd entry $name refused: $*"; exit 1; }

[[ "$name" =~ ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ && "$name" != default ]] || refuse "not a common name"
# Exactly one line ending in a newline: no second directive, no missing or extra line break.
[[ "$(wc -l < "$file")" == 1 && "$(tail -c 1 "$file" | od -An -c | tr -d ' ')" == '\\n' ]] \\
  || refuse "must be exactly one line"
line="$(head -n 1 "$file")"

expected=""
case "$name" in
${admins}
  admin-*) refuse "admin-* names are reserved for the admin profiles this server issues" ;;
esac
if [[ -n "$expected" ]]; then
  [[ "$line" == "$expected" ]] || refuse "an admin entry must be the platform's comment, nothing else"
  exit 0
fi

[[ "$line" =~ ^ifconfig-push\\ ([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})\\ ([0-9.]+)$ ]] \\
  || refuse "a device entry must be one ifconfig-push <address> <netmask>"
octets=("\${BASH_REMATCH[@]:1:4}")
mask="\${BASH_REMATCH[5]}"
[[ "$mask" == "${plan.netmask}" ]] || refuse "netmask $mask is not ${plan.netmask}"
value=0
for o in "\${octets[@]}"; do
  if [[ ! "$o" =~ ^(0|[1-9][0-9]*)$ ]] || (( o > 255 )); then refuse "not a dotted-quad address"; fi
  value=$(( value * 256 + o ))
done
(( value >= ${first} && value <= ${last} )) \\
  || refuse "address outside the device range ${plan.staticRange.first}-${plan.staticRange.last}"
exit 0
`;
}
