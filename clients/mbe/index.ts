/**
 * MBE's client for the OpenEMS proxy, for Vercel Functions. See README.md in this folder.
 */
export { MbeClient, regionOfFunctionUrl } from "./client";
export type { CallOptions, MbeClientOptions } from "./client";
export {
  OIDC_TOKEN_ENV,
  OIDC_TOKEN_HEADER,
  RoleCredentials,
  tokenFromHeaders,
  vercelTokenSource,
} from "./credentials";
export type { AwsCredentials, HeadersLike, TokenSource } from "./credentials";
export {
  CredentialsError,
  JsonRpcError,
  MbeError,
  RequestValidationError,
  TransportError,
} from "./errors";
export type { TransportFailure } from "./errors";
export * from "./types";
