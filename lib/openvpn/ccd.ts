import { validateDeviceAddress, VpnAddressPlan } from "./address-plan";
import { parseIpv4, prefixOfNetmask } from "../net/ipv4";

// A device's common name is its identity in three places at once: the certificate subject, the
// ccd file name OpenVPN looks up (/etc/openvpn/server/ccd/<cn>) and the S3 object key the server
// syncs that file from. One DNS label in lower case is safe in all three: no '/', no "." or "..",
// no case-only differences between an S3 key and a file name, no spaces for the status file.
const COMMON_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// OpenVPN treats a ccd file named DEFAULT specially (and ccd-exclusive refuses that CN outright).
const RESERVED_NAMES = new Set(["default"]);

/** Throws unless `cn` is a lower-case hostname label usable as certificate CN and ccd file name. */
export function validateCommonName(cn: string, key = "commonName"): void {
  if (typeof cn !== "string" || !COMMON_NAME.test(cn)) {
    throw new Error(
      `'${key}' is ${JSON.stringify(cn)}: it must be 1-63 characters of a-z, 0-9 and '-', ` +
        `starting and ending with a letter or digit (it is used as the certificate CN, the ccd ` +
        `file name and an S3 key).`,
    );
  }
  if (RESERVED_NAMES.has(cn)) {
    throw new Error(`'${key}' is "${cn}": this name is reserved by OpenVPN's client-config-dir.`);
  }
}

export interface CcdEntryOptions {
  /** The device's certificate common name; it becomes the ccd file name. */
  readonly commonName: string;
  /** The device's static VPN address. */
  readonly address: string;
  /** Netmask of the VPN client range (topology subnet pushes a mask, not a peer address). */
  readonly netmask: string;
  /** When given, the address must lie in the plan's static range and the netmask must match it. */
  readonly plan?: VpnAddressPlan;
}

/** The content of /etc/openvpn/server/ccd/<commonName>. */
export function renderCcdEntry(opts: CcdEntryOptions): string {
  validateCommonName(opts.commonName);
  if (parseIpv4(opts.address) === undefined) {
    throw new Error(
      `renderCcdEntry: 'address' is "${opts.address}": not a dotted-quad IPv4 address.`,
    );
  }
  const prefix = prefixOfNetmask(opts.netmask);
  if (prefix === undefined || prefix < 16 || prefix > 30) {
    throw new Error(
      `renderCcdEntry: 'netmask' is "${opts.netmask}": it must be a contiguous netmask from ` +
        `255.255.0.0 to 255.255.255.252.`,
    );
  }
  if (opts.plan) {
    if (opts.netmask !== opts.plan.netmask) {
      throw new Error(
        `renderCcdEntry: 'netmask' is "${opts.netmask}": it must be ${opts.plan.netmask}, the ` +
          `netmask of the VPN client range ${opts.plan.cidr}.`,
      );
    }
    validateDeviceAddress(opts.plan, opts.address);
  }
  return `ifconfig-push ${opts.address} ${opts.netmask}\n`;
}

/** The S3 key of a device's ccd entry under the prefix the server syncs from. */
export function ccdObjectKey(prefix: string, commonName: string): string {
  validateCommonName(commonName);
  const trimmed = prefix.replace(/^\/+|\/+$/g, "");
  return trimmed === "" ? commonName : `${trimmed}/${commonName}`;
}

/**
 * The ccd entry of an admin profile: present, so ccd-exclusive admits it, but pushing no address,
 * so the server gives it one from the dynamic pool (the admin range of the security groups).
 */
export function renderAdminCcdEntry(commonName: string): string {
  validateCommonName(commonName);
  return `# ${commonName}: admin profile, address from the dynamic pool\n`;
}
