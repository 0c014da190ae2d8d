import { vpnAddressPlan } from "../openvpn/address-plan";
import { intToIp, ipToInt, parseCidr } from "./ipv4";

/**
 * The VPN client range as security groups see it. The address plan puts the server and the
 * dynamic pool (admin profiles, which have ccd entries without a fixed address) in the first
 * quarter, and device addresses in the other three quarters: the second quarter and the second
 * half, two CIDR blocks.
 */
export interface VpnRanges {
  readonly clientCidr: string;
  readonly adminCidr: string;
  readonly deviceCidrs: readonly string[];
}

export function vpnRanges(clientCidr: string): VpnRanges {
  const plan = vpnAddressPlan(clientCidr);
  const { first, prefix } = parseCidr(clientCidr);
  const quarter = 2 ** (32 - prefix) / 4;
  // The plan's default pool ends exactly at the end of the first quarter; the CIDRs below rely on it.
  if (ipToInt(plan.staticRange.first) !== first + quarter) {
    throw new Error(
      `vpnRanges: the static range of ${clientCidr} does not start at its second quarter`,
    );
  }
  return {
    clientCidr,
    adminCidr: `${intToIp(first)}/${prefix + 2}`,
    deviceCidrs: [
      `${intToIp(first + quarter)}/${prefix + 2}`,
      `${intToIp(first + 2 * quarter)}/${prefix + 1}`,
    ],
  };
}
