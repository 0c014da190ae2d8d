/**
 * The Lambda's environment: read and checked once at cold start; every error names the variable
 * and its value (never a URL that carries credentials).
 */
import { ProxyError } from "./contract";
import { validateAllowedMethods } from "./allowlist";
import { createSecretsManagerSource } from "./credentials";
import { createHandler, MAX_FUNCTION_URL_BODY, ProxyDeps, ProxyHandler } from "./proxy";
import { validateUpstreamUrl } from "./upstream";

/** `process.env`, or any map of the same shape. */
export type Environment = Readonly<Record<string, string | undefined>>;

export interface ProxyEnvConfig {
  readonly upstreamUrl: string;
  readonly allowedMethods: string[];
  readonly maxBodyBytes: number;
  readonly upstreamTimeoutMs: number;
  readonly credentialsTtlMs: number;
  readonly secretArn: string;
}

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

function envInteger(
  env: Environment,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
    throw new ProxyError(
      `${name} must be an integer from ${min} to ${max}; got ${JSON.stringify(raw.slice(0, 40))}`,
    );
  }
  return Number(raw);
}

function envRequired(env: Environment, name: string): string {
  const raw = env[name]?.trim();
  if (!raw) {
    throw new ProxyError(
      `${name} is required and was ${env[name] === undefined ? "not set" : "empty"}`,
    );
  }
  return raw;
}

/** Reads and checks the Lambda's environment. */
export function loadProxyConfigFromEnv(env: Environment): ProxyEnvConfig {
  const upstreamUrl = envRequired(env, "OPENEMS_B2B_URL");
  validateUpstreamUrl(upstreamUrl, "OPENEMS_B2B_URL");
  const allowedMethods = validateAllowedMethods(
    envRequired(env, "ALLOWED_METHODS")
      .split(",")
      .map((s) => s.trim()),
    "ALLOWED_METHODS",
  );
  const secretArn = envRequired(env, "OPENEMS_CREDENTIALS_SECRET_ARN");
  if (!SECRET_ARN.test(secretArn)) {
    throw new ProxyError(
      `OPENEMS_CREDENTIALS_SECRET_ARN must be a Secrets Manager secret ARN ` +
        `(arn:aws:secretsmanager:<region>:<account>:secret:<name>); ` +
        `got ${JSON.stringify(secretArn.slice(0, 200))}`,
    );
  }
  return {
    upstreamUrl,
    allowedMethods,
    secretArn,
    maxBodyBytes: envInteger(env, "MAX_BODY_BYTES", 262_144, 1, MAX_FUNCTION_URL_BODY),
    upstreamTimeoutMs: envInteger(env, "UPSTREAM_TIMEOUT_MS", 10_000, 1, 900_000),
    credentialsTtlMs: envInteger(env, "CREDENTIALS_CACHE_TTL_MS", 300_000, 0, 86_400_000),
  };
}

/** Builds the production handler from the environment; `overrides` replaces any dependency. */
export function createHandlerFromEnv(
  env: Environment,
  overrides: Partial<ProxyDeps> = {},
): ProxyHandler {
  const config = loadProxyConfigFromEnv(env);
  return createHandler({
    upstreamUrl: config.upstreamUrl,
    allowedMethods: config.allowedMethods,
    maxBodyBytes: config.maxBodyBytes,
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    credentialsTtlMs: config.credentialsTtlMs,
    secretSource: createSecretsManagerSource(config.secretArn),
    ...overrides,
  });
}
