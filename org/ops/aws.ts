/**
 * The AWS side of the ops tool: the three SDK clients, one retry policy for every call, pagination,
 * and the translation of SDK errors into messages that tell a person what to do next.
 *
 * Every AWS call of the tool goes through {@link AwsCalls.call}, named by the IAM action it needs
 * (`organizations:ListPolicies`), so an AccessDenied names the permission to ask for.
 */
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { BudgetsClient } from "@aws-sdk/client-budgets";
import { STSClient } from "@aws-sdk/client-sts";

export interface AwsClients {
  readonly organizations: OrganizationsClient;
  readonly budgets: BudgetsClient;
  readonly sts: STSClient;
}

/**
 * Real clients with the caller's normal credential chain (AWS_PROFILE, SSO, environment keys).
 * The SDK's own retries are off (`maxAttempts: 1`): {@link AwsCalls} retries with backoff itself,
 * so throttling follows one tested policy instead of the SDK's attempts multiplied by ours.
 * Organizations and Budgets are global services; the region only picks the STS endpoint.
 */
export function createAwsClients(region: string): AwsClients {
  const options = { region, maxAttempts: 1 };
  return {
    organizations: new OrganizationsClient(options),
    budgets: new BudgetsClient(options),
    sts: new STSClient(options),
  };
}

/** A failure the tool explains itself; the CLI prints the message and exits with `exitCode`. */
export class OpsError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
    /** The SDK error's name when an AWS call failed, for callers that handle one case. */
    readonly awsErrorName?: string,
  ) {
    super(message);
    this.name = "OpsError";
  }
}

export interface RetryOptions {
  /** Attempts per call, the first included. Default 6. */
  readonly maxAttempts: number;
  /** Delay before the first retry; doubles on each further retry. Default 250 ms. */
  readonly baseDelayMs: number;
  /** Ceiling of one delay. Default 8 s. */
  readonly maxDelayMs: number;
  /** Waits; tests pass one that records the delay and returns at once. */
  readonly sleep: (ms: number) => Promise<void>;
  /** 0 <= x < 1, for jitter; default Math.random. */
  readonly random: () => number;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 6,
  baseDelayMs: 250,
  maxDelayMs: 8000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

export type AwsFault =
  | "no-credentials"
  | "expired-credentials"
  | "invalid-credentials"
  | "access-denied"
  | "throttled"
  | "transient"
  | "not-in-organization"
  | "other";

const THROTTLING = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "ThrottledException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
]);
const EXPIRED = new Set([
  "ExpiredToken",
  "ExpiredTokenException",
  "RequestExpired",
  "TokenRefreshRequired",
]);
const INVALID = new Set([
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "SignatureDoesNotMatch",
  "IncompleteSignature",
  "InvalidSignatureException",
  "AuthFailure",
]);
const DENIED = new Set(["AccessDeniedException", "AccessDenied", "UnauthorizedOperation"]);
const NETWORK = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $fault?: string;
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
}

function shape(err: unknown): SdkErrorShape {
  return err !== null && typeof err === "object"
    ? (err as SdkErrorShape)
    : { message: String(err) };
}

/** Sorts an SDK error by what the person running the tool has to do about it. */
export function classifyAwsError(err: unknown): AwsFault {
  const e = shape(err);
  const name = e.name ?? "";
  const message = e.message ?? "";
  // The credential chain reports both "no credentials anywhere" and "SSO session expired" under
  // the same names; only the message tells them apart.
  if (name === "CredentialsProviderError" || name === "TokenProviderError") {
    return /expired|refresh/i.test(message) ? "expired-credentials" : "no-credentials";
  }
  if (EXPIRED.has(name)) return "expired-credentials";
  if (INVALID.has(name)) return "invalid-credentials";
  if (DENIED.has(name)) return "access-denied";
  if (name === "AWSOrganizationsNotInUseException") return "not-in-organization";
  if (
    THROTTLING.has(name) ||
    e.$retryable?.throttling === true ||
    e.$metadata?.httpStatusCode === 429
  ) {
    return "throttled";
  }
  const status = e.$metadata?.httpStatusCode;
  if (
    (status !== undefined && status >= 500) ||
    e.$fault === "server" ||
    name === "TimeoutError" ||
    NETWORK.has(e.code ?? "") ||
    NETWORK.has(name)
  ) {
    return "transient";
  }
  return "other";
}

const SIGN_IN =
  "sign in to the management account (`aws sso login --profile <profile>` and " +
  "`export AWS_PROFILE=<profile>`, or set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and " +
  "AWS_SESSION_TOKEN) and run the command again";

/**
 * The message for an error that ended a call, naming the IAM action and what to do. `write` marks
 * the one changing call of `unfreeze`: the message then says whether anything changed.
 */
export function explainAwsError(
  action: string,
  err: unknown,
  attempts: number,
  write = false,
): OpsError {
  const e = shape(err);
  const what = `${e.name ?? "Error"}: ${e.message ?? ""}`.trim();
  const unchanged = write ? " Nothing was changed." : "";
  const message = describeFault(classifyAwsError(err), action, what, attempts, write, unchanged);
  return new OpsError(message, 2, e.name);
}

function describeFault(
  fault: AwsFault,
  action: string,
  what: string,
  attempts: number,
  write: boolean,
  unchanged: string,
): string {
  switch (fault) {
    case "no-credentials":
      return `No AWS credentials found (calling ${action}: ${what}). To fix: ${SIGN_IN}.`;
    case "expired-credentials":
      return (
        `Your AWS credentials have expired (calling ${action}: ${what}). ` +
        `To fix: ${SIGN_IN}.${unchanged}`
      );
    case "invalid-credentials":
      return (
        `AWS did not accept your credentials (calling ${action}: ${what}). Check that AWS_PROFILE ` +
        `or AWS_ACCESS_KEY_ID name a live key; to fix: ${SIGN_IN}.${unchanged}`
      );
    case "access-denied":
      return (
        `AWS denied ${action} (${what}). Run the tool with a role of the management account that ` +
        `allows ${action} (the administrator permission set does), or ask an admin to grant it.` +
        unchanged
      );
    case "not-in-organization":
      return (
        `The signed-in account is not in an AWS Organization (calling ${action}). Run the tool with ` +
        `credentials of the management account of the organization the org stack manages.`
      );
    case "throttled":
      return (
        `AWS kept throttling ${action} (${attempts} attempts with backoff). Wait a minute and run ` +
        `the command again.${unchanged}`
      );
    case "transient":
      return write
        ? `${action} failed after ${attempts} attempt(s) with a network or AWS service error ` +
            `(${what}); AWS may or may not have applied it. Run \`npm run ops -- freeze status\` ` +
            `to see the account's state before trying again.`
        : `${action} failed after ${attempts} attempts with a network or AWS service error ` +
            `(${what}). Run the command again in a minute.`;
    default:
      return `${action} failed: ${what}.${unchanged}`;
  }
}

/**
 * Calls AWS with backoff. Read calls retry on throttling and on transient (5xx, network) errors.
 * A write (`write: true`) retries only on throttling: a throttled request was refused before it
 * ran, whereas a write that timed out may have been applied and is not safe to repeat blindly.
 */
export class AwsCalls {
  readonly retry: RetryOptions;

  constructor(
    readonly clients: AwsClients,
    retry: Partial<RetryOptions> = {},
  ) {
    this.retry = { ...DEFAULT_RETRY, ...retry };
  }

  /** Exponential backoff with "equal jitter": half of each delay fixed, half random, capped. */
  delayFor(retryIndex: number): number {
    const { baseDelayMs, maxDelayMs, random } = this.retry;
    const exp = Math.min(maxDelayMs, baseDelayMs * 2 ** retryIndex);
    return Math.round(exp / 2 + (exp / 2) * random());
  }

  async call<T>(action: string, fn: () => Promise<T>, opts: { write?: boolean } = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof OpsError) throw err;
        const fault = classifyAwsError(err);
        const retryable = fault === "throttled" || (fault === "transient" && !opts.write);
        if (!retryable || attempt >= this.retry.maxAttempts) {
          throw explainAwsError(action, err, attempt, opts.write);
        }
        await this.retry.sleep(this.delayFor(attempt - 1));
      }
    }
  }

  /**
   * Every item of a paginated list: follows NextToken until AWS stops returning one. A token seen
   * twice, or more than `maxPages` pages, is an error rather than an endless loop.
   */
  async collect<R extends { NextToken?: string }, T>(
    action: string,
    page: (nextToken: string | undefined) => Promise<R>,
    items: (response: R) => readonly T[] | undefined,
    maxPages = 1000,
  ): Promise<T[]> {
    const all: T[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    for (let n = 0; n < maxPages; n++) {
      const response = await this.call(action, () => page(token));
      all.push(...(items(response) ?? []));
      token = response.NextToken || undefined;
      if (token === undefined) return all;
      if (seen.has(token)) {
        throw new OpsError(
          `${action} returned the page token ${JSON.stringify(token)} twice; stopping.`,
        );
      }
      seen.add(token);
    }
    throw new OpsError(`${action} returned more than ${maxPages} pages; stopping.`);
  }
}
