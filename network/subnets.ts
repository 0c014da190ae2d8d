import { parseCidr, subdivide } from "../lib/net/ipv4";

export interface SubnetPlan {
  /** One private block per zone, in zone order: a quarter of the VPC each, where the hosts live. */
  readonly private: string[];
  /** One public block per zone, carved from the last quarter: only the VPN server and NAT live there. */
  readonly public: string[];
}

/**
 * Lays subnets out explicitly rather than letting awsx choose: the blocks are then known from the
 * program's own arguments, which is what the offline plan, the cost model and the policy checks
 * read (awsx's VPC is a remote component, so its subnets never appear under the mocks).
 */
export function planSubnets(vpcCidr: string, zones: number): SubnetPlan {
  const vpc = parseCidr(vpcCidr);
  const quarters = subdivide(vpc, vpc.prefix + 2, 4);
  return {
    private: quarters.slice(0, zones).map((c) => c.text),
    public: subdivide(quarters[3], vpc.prefix + 4, zones).map((c) => c.text),
  };
}
