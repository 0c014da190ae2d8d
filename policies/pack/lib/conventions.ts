/**
 * Tags by which the stacks tell the pack what a resource is for. A policy cannot see which subnet
 * an instance sits in or which group a rule belongs to, so the stacks state it on the resource:
 * the security group, its ingress rules and the instance carry the same `role`.
 */
export const ROLE_TAG = "role";

/** Tag that marks buckets whose objects are evidence or recovery points. */
export const DATA_CLASS_TAG = "data-class";

/** Values of the `role` tag that the stacks use. */
export const ROLES = {
  /** The OpenVPN server: its group may admit the internet on UDP to the VPN port. */
  vpnServer: "vpn-server",
  /** The OpenEMS backend host: a workload host, never publicly addressed. */
  openemsBackend: "openems-backend",
  /** The dev NAT instance: needs a public address to translate for the private subnets. */
  natInstance: "nat-instance",
} as const;

/** `data-class` values whose buckets must keep every version of every object. */
export const VERSIONED_DATA_CLASSES = ["audit", "backup"] as const;

/** The AWS-managed policy that grants every action on every resource. */
export const ADMINISTRATOR_ACCESS = /^arn:aws[a-z-]*:iam::aws:policy\/AdministratorAccess$/;
