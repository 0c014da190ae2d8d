import { HostManifest, NO_SSH_UNITS } from "../lib/host-agent";

export const NAT_UNIT = "nat-masquerade.service";
const RULESET = "/etc/nftables/nat-instance.nft";

function checkCidr(vpcCidr: string): void {
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(vpcCidr)) {
    throw new Error(
      `natHostManifest: vpcCidr: got ${JSON.stringify(vpcCidr)}; expected an IPv4 CIDR block`,
    );
  }
}

/**
 * The NAT instance as a host-agent manifest (Amazon Linux 2023): forward and masquerade what the
 * private subnets send to anywhere outside the VPC. The security groups decide what may pass (HTTP
 * and HTTPS out); the ruleset only translates. It names no interface (the instance has one), so it
 * is the same on every instance and small enough to travel inline.
 */
export function natHostManifest(vpcCidr: string): HostManifest {
  checkCidr(vpcCidr);
  const ruleset = [
    "# NAT of the private subnets. Rendered by network/nat-instance.ts.",
    "table ip nat_instance",
    "delete table ip nat_instance",
    "table ip nat_instance {",
    "  chain postrouting {",
    "    type nat hook postrouting priority srcnat; policy accept;",
    `    ip saddr ${vpcCidr} ip daddr != ${vpcCidr} masquerade`,
    "  }",
    "}",
    "",
  ].join("\n");
  const unit = `[Unit]
Description=Masquerade the private subnets (NAT instance)
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/sbin/nft -f ${RULESET}
ExecReload=/usr/sbin/nft -f ${RULESET}
ExecStop=/usr/sbin/nft delete table ip nat_instance

[Install]
WantedBy=multi-user.target
`;
  return {
    packages: ["nftables"],
    files: [
      {
        path: "/etc/sysctl.d/90-nat.conf",
        source: { inline: "net.ipv4.ip_forward = 1\n" },
        onChange: { restart: ["systemd-sysctl.service"] },
      },
      {
        path: RULESET,
        source: { inline: ruleset },
        validate: ["/usr/sbin/nft", "-c", "-f", "{}"],
        onChange: { reload: [NAT_UNIT] },
      },
      { path: `/etc/systemd/system/${NAT_UNIT}`, source: { inline: unit } },
    ],
    units: [...NO_SSH_UNITS, { name: NAT_UNIT, state: "running", requires: [RULESET] }],
  };
}
