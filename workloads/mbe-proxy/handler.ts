/**
 * MBE → OpenEMS B2B proxy: MBE stays on Vercel and reads OpenEMS through this function.
 *
 * A Lambda inside the VPC, behind a Function URL with AWS_IAM auth. It accepts one JSON-RPC 2.0
 * request per call, checks it as OpenEMS 2026.1.0 would and against the allowlist, and forwards it
 * with HTTP Basic auth to the OpenEMS Backend's Backend2Backend.Rest endpoint (`POST /jsonrpc`) on
 * its private address.
 *
 * This is the bundle's entry (package.ts bundles it with esbuild at deploy time). The work is done
 * by the modules it re-exports: request.ts (validation), allowlist.ts, credentials.ts,
 * upstream.ts (HTTP client), response.ts (checks on the answer), log.ts (logging and scrubbing),
 * proxy.ts (the handler), env.ts (the Lambda's environment).
 */
import { FunctionUrlEvent, FunctionUrlResult } from "./contract";
import { createHandlerFromEnv } from "./env";
import { ProxyHandler } from "./proxy";

export * from "./contract";
export { validateAllowedMethods } from "./allowlist";
export {
  createSecretsManagerSource,
  parseCredentials,
  type Clock,
  type OpenemsCredentials,
  type SecretSource,
  type SecretsManagerModule,
} from "./credentials";
export {
  createHandlerFromEnv,
  loadProxyConfigFromEnv,
  type Environment,
  type ProxyEnvConfig,
} from "./env";
export { type LogSink } from "./log";
export { createHandler, type ProxyDeps, type ProxyHandler } from "./proxy";
export { MAX_JSON_DEPTH, validateJsonRpcRequest } from "./request";
export { validateUpstreamUrl } from "./upstream";

let defaultHandler: ProxyHandler | undefined;

/** The Lambda entry point (`handler.handler`). */
export const handler = (event: FunctionUrlEvent): Promise<FunctionUrlResult> => {
  defaultHandler ??= createHandlerFromEnv(process.env);
  return defaultHandler(event);
};

// In Lambda, build at init so a bad environment fails the cold start with a message naming the
// variable, instead of failing every request. Elsewhere (tests, embedders) importing this file has
// no side effects.
if (process.env.AWS_LAMBDA_FUNCTION_NAME) {
  defaultHandler = createHandlerFromEnv(process.env);
}
