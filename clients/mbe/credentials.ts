import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { CredentialsError } from "./errors";

/**
 * Where a Vercel function finds its OIDC token (https://vercel.com/docs/oidc/reference): the
 * `x-vercel-oidc-token` header of the incoming request in Vercel Functions, the
 * `VERCEL_OIDC_TOKEN` environment variable in builds and local development (`vercel env pull`).
 */
export const OIDC_TOKEN_HEADER = "x-vercel-oidc-token";
export const OIDC_TOKEN_ENV = "VERCEL_OIDC_TOKEN";

export type HeadersLike =
  { get(name: string): string | null } | Readonly<Record<string, string | string[] | undefined>>;

/** The token from a request's headers (a `Headers` object or Node's `IncomingHttpHeaders`). */
export function tokenFromHeaders(headers: HeadersLike | undefined): string | undefined {
  if (!headers) return undefined;
  const raw =
    typeof (headers as { get?: unknown }).get === "function"
      ? (headers as { get(name: string): string | null }).get(OIDC_TOKEN_HEADER)
      : (headers as Record<string, string | string[] | undefined>)[OIDC_TOKEN_HEADER];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value ? value : undefined;
}

/** A source of the current OIDC token; called whenever credentials have to be (re)fetched. */
export type TokenSource = () => string | undefined | Promise<string | undefined>;

/** Header first (Vercel Functions), then the environment variable (builds, `vercel dev`). */
export function vercelTokenSource(
  headers?: HeadersLike,
  env: Readonly<Record<string, string | undefined>> = process.env,
): TokenSource {
  return () => tokenFromHeaders(headers) ?? (env[OIDC_TOKEN_ENV] || undefined);
}

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

export interface CredentialsOptions {
  /** The MBE role (workloads output `mbeRoleArn`). */
  readonly roleArn: string;
  /** STS region; the proxy's region keeps the call regional. */
  readonly region: string;
  /** Used when a call brings no token of its own. Default: {@link vercelTokenSource}(). */
  readonly token?: TokenSource;
  /** Shows up in CloudTrail as the assumed-role session name. Default `mbe`. */
  readonly sessionName?: string;
  /** Requested lifetime; the role allows up to 3600 s (workloads/mbe.ts maxSessionDuration). */
  readonly durationSeconds?: number;
  /** Credentials are renewed this long before they expire. Default 5 minutes. */
  readonly refreshBeforeMs?: number;
  /** Only for tests: an STS stand-in. */
  readonly stsEndpoint?: string;
  readonly now?: () => number;
}

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/**
 * Exchanges the Vercel OIDC token for the MBE role's temporary credentials and keeps them until
 * shortly before they expire. Concurrent callers share one STS call; a failed call is not cached.
 * AssumeRoleWithWebIdentity is an unsigned STS call, so no AWS credentials are needed to make it.
 */
export class RoleCredentials {
  private cached: AwsCredentials | undefined;
  private inflight: Promise<AwsCredentials> | undefined;
  private readonly sts: STSClient;
  private readonly now: () => number;
  private readonly refreshBeforeMs: number;
  private readonly sessionName: string;
  /** How many times STS was called; tests read it to prove the cache works. */
  stsCalls = 0;

  constructor(private readonly options: CredentialsOptions) {
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(options.roleArn)) {
      throw new CredentialsError(
        `roleArn: got ${JSON.stringify(options.roleArn)}; expected an IAM role ARN ` +
          `(arn:aws:iam::<account>:role/<name>, the workloads output mbeRoleArn)`,
      );
    }
    this.sessionName = options.sessionName ?? "mbe";
    if (!SESSION_NAME.test(this.sessionName)) {
      throw new CredentialsError(
        `sessionName: got ${JSON.stringify(this.sessionName)}; expected 2 to 64 of [A-Za-z0-9_+=,.@-]`,
      );
    }
    this.now = options.now ?? Date.now;
    this.refreshBeforeMs = options.refreshBeforeMs ?? 5 * 60_000;
    this.sts = new STSClient({
      region: options.region,
      ...(options.stsEndpoint ? { endpoint: options.stsEndpoint } : {}),
      maxAttempts: 2,
    });
  }

  /**
   * Cached credentials, or new ones for `token` (the current request's OIDC token) or, when it is
   * absent, for what the configured token source returns.
   */
  get(token?: string): Promise<AwsCredentials> {
    const c = this.cached;
    if (c && c.expiration.getTime() - this.refreshBeforeMs > this.now()) return Promise.resolve(c);
    this.inflight ??= this.assume(token).finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  /** Drops the cached credentials (e.g. after the Function URL refused them). */
  invalidate(): void {
    this.cached = undefined;
  }

  private async assume(fromRequest: string | undefined): Promise<AwsCredentials> {
    const token = fromRequest ?? (await (this.options.token ?? vercelTokenSource())());
    if (!token) {
      throw new CredentialsError(
        `no Vercel OIDC token: expected the ${OIDC_TOKEN_HEADER} request header (Vercel ` +
          `Functions) or ${OIDC_TOKEN_ENV} (vercel env pull); enable "Secure backend access with ` +
          `OIDC federation" (team issuer mode) in the Vercel project's settings`,
      );
    }
    this.stsCalls += 1;
    let out;
    try {
      out = await this.sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: this.options.roleArn,
          RoleSessionName: this.sessionName,
          WebIdentityToken: token,
          DurationSeconds: this.options.durationSeconds ?? 3600,
        }),
      );
    } catch (err) {
      // The SDK's message is STS's own text (it never contains the token); keep it for the admin.
      const e = err as { name?: string; message?: string };
      throw new CredentialsError(
        `AssumeRoleWithWebIdentity on ${this.options.roleArn} failed: ${e.name ?? "Error"}: ` +
          `${e.message ?? String(err)}`,
        e.name,
      );
    }
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new CredentialsError("AssumeRoleWithWebIdentity answered without credentials");
    }
    this.cached = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
    return this.cached;
  }
}
