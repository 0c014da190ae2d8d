/**
 * A stand-in for AWS STS AssumeRoleWithWebIdentity on 127.0.0.1, with the checks AWS documents
 * for OIDC federation (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html,
 * IAM "Create a role for OIDC federation", condition keys `<provider host>:aud` / `:sub`):
 *
 * - the token is a JWT signed by a key of the registered issuer (here: a local RSA key, RS256);
 * - `iss` names an IAM OIDC provider registered in the account (the provider URL without
 *   https://), and `aud` is in that provider's client id list;
 * - `exp` is in the future (else ExpiredTokenException), `nbf`/`iat` not in the future;
 * - the role's trust policy allows `sts:AssumeRoleWithWebIdentity` to `Federated: <provider ARN>`
 *   and every condition holds (StringEquals / StringLike on `<host>:aud` and `<host>:sub`);
 * - the requested DurationSeconds is within 900..the role's MaxSessionDuration.
 *
 * Answers are the STS Query protocol (form-encoded POST, XML) that @aws-sdk/client-sts parses. The
 * credentials it issues are remembered so the Function URL stand-in can verify signatures.
 */
import * as crypto from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface OidcProvider {
  /** `https://oidc.vercel.com/<team>` */
  readonly url: string;
  readonly clientIds: readonly string[];
  readonly arn: string;
}
export interface FederatedRole {
  readonly arn: string;
  /** The trust policy JSON exactly as the workloads program writes it. */
  readonly assumeRolePolicy: string;
  readonly maxSessionDuration: number;
}
export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
  readonly roleArn: string;
  readonly assumedRoleArn: string;
  readonly sessionName: string;
}

/** A local OIDC issuer: signs JWTs the way Vercel does (RS256), with a key only the test has. */
export class TestIssuer {
  readonly keys = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  readonly kid = crypto.randomUUID();
  sign(claims: Record<string, unknown>, key: crypto.KeyObject = this.keys.privateKey): string {
    const b64 = (v: object | Buffer) =>
      (Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v))).toString("base64url");
    const head = b64({ alg: "RS256", typ: "JWT", kid: this.kid });
    const body = b64(claims);
    const sig = crypto.sign("RSA-SHA256", Buffer.from(`${head}.${body}`), key);
    return `${head}.${body}.${b64(sig)}`;
  }
}

class StsFault extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

function xmlEscape(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** IAM's StringLike: `*` any run, `?` one character. */
function stringLike(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`).test(value);
}

function conditionHolds(
  condition: Record<string, Record<string, string | string[]>> | undefined,
  context: Record<string, string>,
): boolean {
  for (const [operator, entries] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(entries)) {
      const actual = context[key];
      const values = Array.isArray(expected) ? expected : [expected];
      if (actual === undefined) return false;
      if (operator === "StringEquals" && !values.includes(actual)) return false;
      else if (operator === "StringLike" && !values.some((p) => stringLike(p, actual)))
        return false;
      else if (operator !== "StringEquals" && operator !== "StringLike") return false;
    }
  }
  return true;
}

export interface StsStandin {
  readonly url: string;
  readonly issued: Map<string, IssuedCredentials>;
  /** Every refusal, as `Code: message`, for tests to assert on. */
  readonly refusals: string[];
  calls: number;
  /** The stand-in's clock (ms); tests move it to expire tokens and credentials. */
  now: () => number;
  close(): Promise<void>;
}

export async function startStsStandin(opts: {
  readonly issuer: TestIssuer;
  readonly provider: OidcProvider;
  readonly roles: readonly FederatedRole[];
}): Promise<StsStandin> {
  const issued = new Map<string, IssuedCredentials>();
  const refusals: string[] = [];
  const state: StsStandin = {
    url: "",
    issued,
    refusals,
    calls: 0,
    now: Date.now,
    close: () => new Promise((r) => server.close(() => r())),
  };

  function verifyToken(token: string): Record<string, unknown> {
    const parts = token.split(".");
    if (parts.length !== 3) throw new StsFault("InvalidIdentityToken", "Token is not a JWT");
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8"));
      claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    } catch {
      throw new StsFault("InvalidIdentityToken", "Token is not a JWT");
    }
    const providerHost = opts.provider.url.replace(/^https:\/\//, "");
    if (claims.iss !== opts.provider.url) {
      throw new StsFault(
        "InvalidIdentityToken",
        `No OpenIDConnect provider found in your account for ${String(claims.iss)}`,
      );
    }
    if (header.alg !== "RS256" || header.kid !== opts.issuer.kid) {
      throw new StsFault("InvalidIdentityToken", "Incorrect token signature");
    }
    const ok = crypto.verify(
      "RSA-SHA256",
      Buffer.from(`${parts[0]}.${parts[1]}`),
      opts.issuer.keys.publicKey,
      Buffer.from(parts[2], "base64url"),
    );
    if (!ok) throw new StsFault("InvalidIdentityToken", "Incorrect token signature");
    const nowSec = Math.floor(state.now() / 1000);
    if (typeof claims.exp !== "number" || claims.exp <= nowSec) {
      throw new StsFault(
        "ExpiredTokenException",
        "Token expired: current date/time must be before the expiration date/time",
      );
    }
    if (typeof claims.nbf === "number" && claims.nbf > nowSec) {
      throw new StsFault("InvalidIdentityToken", "Token is not yet valid");
    }
    const aud =
      typeof claims.aud === "string" ? [claims.aud] : ((claims.aud as string[] | undefined) ?? []);
    if (!aud.some((a) => opts.provider.clientIds.includes(a))) {
      throw new StsFault(
        "InvalidIdentityToken",
        `Incorrect token audience (provider ${providerHost} has no client id ${JSON.stringify(aud)})`,
      );
    }
    return claims;
  }

  function assume(form: URLSearchParams): string {
    if (
      form.get("Action") !== "AssumeRoleWithWebIdentity" ||
      form.get("Version") !== "2011-06-15"
    ) {
      throw new StsFault("InvalidAction", `Could not find operation ${form.get("Action")}`);
    }
    const roleArn = form.get("RoleArn") ?? "";
    const sessionName = form.get("RoleSessionName") ?? "";
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      throw new StsFault("ValidationError", "1 validation error detected: roleSessionName");
    }
    const claims = verifyToken(form.get("WebIdentityToken") ?? "");
    const role = opts.roles.find((r) => r.arn === roleArn);
    const denied = new StsFault(
      "AccessDenied",
      "Not authorized to perform sts:AssumeRoleWithWebIdentity",
      403,
    );
    if (!role) throw denied;
    const host = opts.provider.url.replace(/^https:\/\//, "");
    const context: Record<string, string> = {
      [`${host}:aud`]: String(claims.aud),
      [`${host}:sub`]: String(claims.sub),
    };
    const policy = JSON.parse(role.assumeRolePolicy) as {
      Statement: {
        Effect: string;
        Principal?: { Federated?: string | string[] };
        Action: string | string[];
        Condition?: Record<string, Record<string, string | string[]>>;
      }[];
    };
    const allowed = policy.Statement.some((s) => {
      const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
      const feds = [s.Principal?.Federated ?? []].flat();
      return (
        s.Effect === "Allow" &&
        actions.includes("sts:AssumeRoleWithWebIdentity") &&
        feds.includes(opts.provider.arn) &&
        conditionHolds(s.Condition, context)
      );
    });
    if (!allowed) throw denied;
    const duration = Number(form.get("DurationSeconds") ?? 3600);
    if (!Number.isInteger(duration) || duration < 900 || duration > role.maxSessionDuration) {
      throw new StsFault(
        "ValidationError",
        `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`,
      );
    }
    const roleName = roleArn.split("/").pop()!;
    const account = roleArn.split(":")[4];
    const creds: IssuedCredentials = {
      accessKeyId: `ASIA${crypto.randomBytes(8).toString("hex").toUpperCase()}`,
      secretAccessKey: crypto.randomBytes(30).toString("base64"),
      sessionToken: crypto.randomBytes(48).toString("base64"),
      expiration: new Date(Math.floor(state.now() / 1000) * 1000 + duration * 1000),
      roleArn,
      assumedRoleArn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
      sessionName,
    };
    issued.set(creds.accessKeyId, creds);
    return (
      `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">` +
      `<AssumeRoleWithWebIdentityResult>` +
      `<SubjectFromWebIdentityToken>${xmlEscape(String(claims.sub))}</SubjectFromWebIdentityToken>` +
      `<Audience>${xmlEscape(String(claims.aud))}</Audience>` +
      `<AssumedRoleUser><Arn>${xmlEscape(creds.assumedRoleArn)}</Arn>` +
      `<AssumedRoleId>AROA${crypto.randomBytes(8).toString("hex").toUpperCase()}:${xmlEscape(sessionName)}</AssumedRoleId></AssumedRoleUser>` +
      `<Credentials><SessionToken>${xmlEscape(creds.sessionToken)}</SessionToken>` +
      `<SecretAccessKey>${xmlEscape(creds.secretAccessKey)}</SecretAccessKey>` +
      `<Expiration>${creds.expiration.toISOString()}</Expiration>` +
      `<AccessKeyId>${creds.accessKeyId}</AccessKeyId></Credentials>` +
      `<Provider>${xmlEscape(host)}</Provider>` +
      `</AssumeRoleWithWebIdentityResult>` +
      `<ResponseMetadata><RequestId>${crypto.randomUUID()}</RequestId></ResponseMetadata>` +
      `</AssumeRoleWithWebIdentityResponse>`
    );
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      state.calls += 1;
      try {
        if (req.method !== "POST") throw new StsFault("InvalidAction", "POST only");
        const xml = assume(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
        res.writeHead(200, { "content-type": "text/xml" }).end(xml);
      } catch (err) {
        const f = err instanceof StsFault ? err : new StsFault("InternalFailure", String(err), 500);
        refusals.push(`${f.code}: ${f.message}`);
        res
          .writeHead(f.status, { "content-type": "text/xml" })
          .end(
            `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>` +
              `<Type>Sender</Type><Code>${f.code}</Code><Message>${xmlEscape(f.message)}</Message>` +
              `</Error><RequestId>${crypto.randomUUID()}</RequestId></ErrorResponse>`,
          );
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  (state as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
