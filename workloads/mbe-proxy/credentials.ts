/**
 * The B2B credentials: parsed from the Secrets Manager secret, cached as a ready Basic auth
 * header, and re-read when OpenEMS refuses them. No message written here quotes the secret.
 */
import { isObject, ProxyError } from "./contract";

export interface OpenemsCredentials {
  readonly username: string;
  readonly password: string;
}

/** Where the OpenEMS credentials come from: the raw SecretString of the secret. */
export interface SecretSource {
  getSecretString(): Promise<string>;
}

export interface Clock {
  now(): number;
}

const SHAPE = '{"username": "...", "password": "..."}';

/**
 * Parses the secret `{"username": "...", "password": "..."}`. Error messages never quote the
 * secret: `JSON.parse`'s own message would echo part of it, which is why it is not passed on.
 */
export function parseCredentials(secretString: string): OpenemsCredentials {
  let value: unknown;
  try {
    value = JSON.parse(secretString);
  } catch {
    throw new ProxyError(`the OpenEMS credentials secret is not JSON; expected ${SHAPE}`);
  }
  if (!isObject(value)) {
    throw new ProxyError(`the OpenEMS credentials secret must be a JSON object ${SHAPE}`);
  }
  const bad = ["username", "password"].filter(
    (k) => typeof value[k] !== "string" || value[k] === "",
  );
  if (bad.length > 0) {
    const keys = Object.keys(value).map((k) => JSON.stringify(k.slice(0, 40)));
    throw new ProxyError(
      `the OpenEMS credentials secret lacks a non-empty string ` +
        `${bad.map((k) => `"${k}"`).join(" and ")}; keys present: ${keys.join(", ") || "none"}`,
    );
  }
  const username = value.username as string;
  const password = value.password as string;
  // OpenEMS splits "user:password" at the first colon and trims both halves
  // (io.openems.backend.b2brest/RestHandler.java authenticate), so a colon in the username or
  // whitespace at either end of a value can never log in.
  if (username.includes(":")) {
    throw new ProxyError(
      'the OpenEMS credentials secret "username" must not contain ":" (HTTP Basic auth)',
    );
  }
  for (const [key, v] of [
    ["username", username],
    ["password", password],
  ] as const) {
    if (v.trim() !== v) {
      throw new ProxyError(
        `the OpenEMS credentials secret "${key}" starts or ends with whitespace, which OpenEMS trims away`,
      );
    }
  }
  return { username, password };
}

export interface CredentialEntry {
  readonly authorization: string;
  readonly generation: number;
}

/**
 * The values a log line must never contain once these credentials are known: the password, the
 * base64 token and `user:password`. Not the username alone: it is an ordinary word (the shipped
 * one is "mbe-proxy", also in the function's name and its callers' role ARNs).
 */
export function secretValues(c: OpenemsCredentials): string[] {
  const pair = `${c.username}:${c.password}`;
  return [c.password, Buffer.from(pair, "utf8").toString("base64"), pair];
}

/**
 * Caches the Basic auth header built from the secret for `ttlMs`. Concurrent callers share one
 * fetch; a failed fetch is not cached. `invalidate(generation)` drops the entry only if it is still
 * the one the caller used, so a burst of rejected requests triggers one re-fetch, not one each.
 */
export class CredentialCache {
  private entry: (CredentialEntry & { readonly fetchedAt: number }) | undefined;
  private inflight: Promise<CredentialEntry> | undefined;
  private generation = 0;

  constructor(
    private readonly source: SecretSource,
    private readonly ttlMs: number,
    private readonly clock: Clock,
    private readonly onSecret: (values: string[]) => void,
  ) {}

  get(): Promise<CredentialEntry> {
    const entry = this.entry;
    if (entry && this.clock.now() - entry.fetchedAt < this.ttlMs) return Promise.resolve(entry);
    this.inflight ??= this.fetch().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  invalidate(generation: number): void {
    if (this.entry?.generation === generation) this.entry = undefined;
  }

  private async fetch(): Promise<CredentialEntry> {
    const secretString = await this.source.getSecretString();
    const credentials = parseCredentials(secretString);
    this.onSecret(secretValues(credentials));
    const token = Buffer.from(`${credentials.username}:${credentials.password}`, "utf8");
    this.generation += 1;
    const entry = {
      authorization: `Basic ${token.toString("base64")}`,
      generation: this.generation,
    };
    this.entry = { ...entry, fetchedAt: this.clock.now() };
    return entry;
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProxyError(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The part of `@aws-sdk/client-secrets-manager` this proxy uses. */
export interface SecretsManagerModule {
  SecretsManagerClient: new (config: Record<string, unknown>) => {
    send(command: unknown): Promise<{ SecretString?: string; SecretBinary?: Uint8Array }>;
  };
  GetSecretValueCommand: new (input: { SecretId: string }) => unknown;
}

function loadSecretsManagerSdk(): SecretsManagerModule {
  try {
    // Required here rather than imported at the top so the bundle loads (and tests run) where the
    // SDK is absent; in Lambda the Node.js runtime provides it, and the bundle keeps it external.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("@aws-sdk/client-secrets-manager") as SecretsManagerModule;
  } catch {
    throw new ProxyError(
      "cannot load @aws-sdk/client-secrets-manager: the Lambda Node.js runtime provides it; " +
        "package this handler with @aws-sdk/* external",
    );
  }
}

/** The production SecretSource: Secrets Manager GetSecretValue with the Lambda's own role. */
export function createSecretsManagerSource(
  secretId: string,
  loadSdk: () => SecretsManagerModule = loadSecretsManagerSdk,
): SecretSource {
  let client: InstanceType<SecretsManagerModule["SecretsManagerClient"]> | undefined;
  let sdk: SecretsManagerModule | undefined;
  return {
    async getSecretString(): Promise<string> {
      sdk ??= loadSdk();
      client ??= new sdk.SecretsManagerClient({});
      const out = await client.send(new sdk.GetSecretValueCommand({ SecretId: secretId }));
      if (typeof out.SecretString === "string") return out.SecretString;
      if (out.SecretBinary) return Buffer.from(out.SecretBinary).toString("utf8");
      throw new ProxyError(`secret ${secretId} has neither SecretString nor SecretBinary`);
    },
  };
}
