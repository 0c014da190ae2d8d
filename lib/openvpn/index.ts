// OpenVPN server, client and ccd rendering: pure functions, no Pulumi imports.
export * from "./address-plan";
export * from "./ccd";
export * from "./client-profile";
export * from "./crypto-policy";
export * from "./metrics-script";
export * from "./pki";
export {
  DEFAULT_SERVER_PATHS,
  renderServerConfig,
  validateServerConfigOptions,
} from "./server-config";
export type { ResolvedServerConfig, ServerConfigOptions, ServerPaths } from "./server-config";
export * from "./server-host";
export * from "./firewall";
export * from "./ccd-check";
export * from "./cert-expiry-script";
export { USER_DATA_LIMIT_BYTES } from "../ec2-limits";
export { parseDirectives, singleDirective } from "./directives";
export type { Directive } from "./directives";
export * from "./tls-crypt-v2";
