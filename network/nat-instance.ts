/**
 * Boot script of the NAT instance (Amazon Linux 2023): forward and masquerade what the private
 * subnets send. The security groups decide what may pass (HTTP and HTTPS out); the script only
 * translates. Safe to run again.
 */
export function renderNatUserData(vpcCidr: string): string {
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(vpcCidr)) {
    throw new Error(
      `renderNatUserData: 'vpcCidr' is ${JSON.stringify(vpcCidr)}: expected an IPv4 CIDR block`,
    );
  }
  return `#!/bin/bash
# NAT instance of the environment's private subnets (Amazon Linux 2023). Rendered by
# network/nat-instance.ts.
set -euo pipefail

dnf install -y nftables

printf 'net.ipv4.ip_forward = 1\\n' > /etc/sysctl.d/90-nat.conf
sysctl -q -p /etc/sysctl.d/90-nat.conf

# The interface that holds the default route (ens5 on Nitro instances).
uplink="$(ip -o -4 route show to default | awk '{print $5; exit}')"
if [ -z "\${uplink}" ]; then
  echo "no default route; cannot set up NAT" >&2
  exit 1
fi

cat > /etc/nftables/nat.nft <<NFT
table ip nat_instance
delete table ip nat_instance
table ip nat_instance {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr ${vpcCidr} oifname "\${uplink}" masquerade
  }
}
NFT
printf 'include "/etc/nftables/nat.nft"\\n' > /etc/sysconfig/nftables.conf
systemctl enable nftables.service
systemctl restart nftables.service
`;
}
