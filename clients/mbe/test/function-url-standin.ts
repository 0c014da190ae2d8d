/**
 * A stand-in for a Lambda Function URL with `AuthType: AWS_IAM` on 127.0.0.1: verifies the SigV4
 * signature (re-computed with @smithy/signature-v4 from the signed headers, as AWS does), the
 * session token and expiry of credentials the STS stand-in issued, the credential scope (region,
 * service `lambda`), the clock skew (AWS allows 5 minutes), and that the caller's role is one the
 * function's resource policy admits. Then it calls the handler with a payload format 2.0 event
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html) and writes back its result.
 * Refusals are 403 `{"Message":"Forbidden"}` like Function URLs; the reason is kept for tests.
 */
import * as crypto from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";
import type { IssuedCredentials } from "./sts-standin";

export interface UrlEvent {
  version: "2.0";
  rawPath: string;
  rawQueryString: string;
  headers: Record<string, string>;
  requestContext: {
    accountId: string;
    requestId: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    authorizer: {
      iam: {
        accessKey: string;
        accountId: string;
        callerId: string;
        userArn: string;
        userId: string;
      };
    };
  };
  body: string;
  isBase64Encoded: boolean;
}
export type UrlHandler = (event: UrlEvent) => Promise<{
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}>;

export interface FunctionUrlStandin {
  readonly url: string;
  readonly refusals: string[];
  invocations: number;
  now: () => number;
  close(): Promise<void>;
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

export async function startFunctionUrlStandin(opts: {
  readonly region: string;
  readonly issued: Map<string, IssuedCredentials>;
  /** Role ARNs the function's resource policy (lambda:InvokeFunctionUrl, AWS_IAM) admits. */
  readonly allowedRoles: readonly string[];
  readonly handler: UrlHandler;
}): Promise<FunctionUrlStandin> {
  const state: FunctionUrlStandin = {
    url: "",
    refusals: [],
    invocations: 0,
    now: Date.now,
    close: () => new Promise((r) => server.close(() => r())),
  };

  async function authenticate(
    req: http.IncomingMessage,
    body: string,
  ): Promise<IssuedCredentials | string> {
    const m = AUTH.exec(String(req.headers.authorization ?? ""));
    if (!m) return "missing or malformed Authorization header";
    const [, akid, day, region, service, signedHeaders, signature] = m;
    const creds = opts.issued.get(akid);
    if (!creds) return "unknown access key";
    if (region !== opts.region || service !== "lambda") {
      return `credential scope ${region}/${service} is not ${opts.region}/lambda`;
    }
    if (req.headers["x-amz-security-token"] !== creds.sessionToken) return "session token mismatch";
    if (creds.expiration.getTime() <= state.now()) return "the security token is expired";
    const amzDate = String(req.headers["x-amz-date"] ?? "");
    const d = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    if (!d || amzDate.slice(0, 8) !== day) return "bad x-amz-date";
    const signingDate = new Date(Date.UTC(+d[1], +d[2] - 1, +d[3], +d[4], +d[5], +d[6]));
    if (Math.abs(signingDate.getTime() - state.now()) > 5 * 60_000)
      return "signature expired (clock skew)";
    const names = signedHeaders.split(";");
    if (!names.includes("host")) return "host is not signed";
    const headers: Record<string, string> = {};
    for (const n of names) {
      // Re-added by the signer; x-amz-content-sha256 is left out so the signer hashes the body
      // it received instead of trusting the header (AWS checks the header against the body).
      if (n === "x-amz-date" || n === "x-amz-security-token" || n === "x-amz-content-sha256")
        continue;
      const v = req.headers[n];
      if (v === undefined) return `signed header ${n} is absent`;
      headers[n] = Array.isArray(v) ? v.join(",") : v;
    }
    const bodyHash = crypto.createHash("sha256").update(body, "utf8").digest("hex");
    const claimed = req.headers["x-amz-content-sha256"];
    if (claimed !== undefined && claimed !== bodyHash) {
      return "x-amz-content-sha256 does not match the body";
    }
    const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
    const signer = new SignatureV4({
      service: "lambda",
      region,
      sha256: Sha256,
      credentials: {
        accessKeyId: creds.accessKeyId,
        secretAccessKey: creds.secretAccessKey,
        sessionToken: creds.sessionToken,
      },
    });
    const expected = await signer.sign(
      {
        method: req.method ?? "",
        protocol: "http:",
        hostname: url.hostname,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        body,
      },
      { signingDate },
    );
    const want = /Signature=([0-9a-f]{64})/.exec(String(expected.headers.authorization))?.[1] ?? "";
    const wantSigned = /SignedHeaders=([^,]+)/.exec(String(expected.headers.authorization))?.[1];
    if (wantSigned !== signedHeaders)
      return `signed headers differ (${wantSigned} vs ${signedHeaders})`;
    if (!crypto.timingSafeEqual(Buffer.from(want), Buffer.from(signature))) {
      return "the request signature does not match";
    }
    if (!opts.allowedRoles.includes(creds.roleArn)) return `role ${creds.roleArn} may not invoke`;
    return creds;
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      void (async () => {
        const who = await authenticate(req, body);
        if (typeof who === "string") {
          state.refusals.push(who);
          res.writeHead(403, { "content-type": "application/json" }).end('{"Message":"Forbidden"}');
          return;
        }
        state.invocations += 1;
        const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) {
          if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(",") : v;
        }
        const account = who.roleArn.split(":")[4];
        const result = await opts.handler({
          version: "2.0",
          rawPath: url.pathname,
          rawQueryString: url.search.slice(1),
          headers,
          requestContext: {
            accountId: account,
            requestId: crypto.randomUUID(),
            http: {
              method: req.method ?? "",
              path: url.pathname,
              protocol: "HTTP/1.1",
              sourceIp: req.socket.remoteAddress ?? "",
              userAgent: headers["user-agent"] ?? "",
            },
            authorizer: {
              iam: {
                accessKey: who.accessKeyId,
                accountId: account,
                callerId: `AROA:${who.sessionName}`,
                userArn: who.assumedRoleArn,
                userId: `AROA:${who.sessionName}`,
              },
            },
          },
          body,
          isBase64Encoded: false,
        });
        res.writeHead(result.statusCode, result.headers ?? {}).end(result.body ?? "");
      })().catch((err) => {
        state.refusals.push(`handler threw: ${String(err)}`);
        res.writeHead(502).end('{"Message":"Internal Server Error"}');
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  (state as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return state;
}
