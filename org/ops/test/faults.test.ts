import * as assert from "assert";
import {
  AccessDeniedException as OrgAccessDenied,
  AWSOrganizationsNotInUseException,
  OrganizationsServiceException,
  TooManyRequestsException,
} from "@aws-sdk/client-organizations";
import {
  AccessDeniedException as BudgetsAccessDenied,
  BudgetsServiceException,
  ThrottlingException,
} from "@aws-sdk/client-budgets";
import { ExpiredTokenException, STSClient, STSServiceException } from "@aws-sdk/client-sts";
import { AwsCalls, classifyAwsError, OpsError } from "../aws";
import { identifyCaller } from "../live";
import { ACCOUNT_IDS, ORG_ID } from "./fake-aws";
import { fakeOrg, repositoryExpected, run } from "./harness";

const meta = (httpStatusCode: number) => ({
  $metadata: { httpStatusCode, requestId: "3f0c1a2b-0000-4000-8000-000000000001" },
});

/** What the default credential chain throws: no profile, no SSO, no keys, no instance role. */
function noCredentials(): Error {
  return Object.assign(new Error("Could not load credentials from any providers"), {
    name: "CredentialsProviderError",
    tryNextLink: false,
  });
}

const throttledOrg = () =>
  new TooManyRequestsException({
    message:
      "AWS Organizations can't complete your request because another request is already in progress. Try again later.",
    Type: "TooManyRequests",
    ...meta(400),
  });
const throttledBudgets = () => new ThrottlingException({ message: "Rate exceeded", ...meta(400) });

const COMMANDS: [string, string[]][] = [
  ["freeze status", ["freeze", "status"]],
  ["unfreeze", ["unfreeze", "dev", "--reason", "FIN-42", "--yes"]],
  ["scp drift", ["scp", "drift"]],
  ["budgets", ["budgets"]],
];

describe("ops under faults", () => {
  for (const [name, argv] of COMMANDS) {
    describe(name, () => {
      it("says how to sign in when there are no credentials, and calls nothing else", async () => {
        const fake = fakeOrg({ frozen: ["dev"] }).failAlways("GetCallerIdentity", noCredentials());
        const r = await run(fake, argv);
        assert.strictEqual(r.code, 2);
        assert.match(
          r.stderr,
          /^error: No AWS credentials found \(calling sts:GetCallerIdentity: CredentialsProviderError: Could not load credentials from any providers\)\. To fix: sign in to the management account \(`aws sso login --profile <profile>`/,
        );
        assert.deepStrictEqual(
          fake.calls.map((c) => c.op),
          ["GetCallerIdentity"],
        );
      });

      it("says the credentials expired and how to renew them", async () => {
        const expired = new STSServiceException({
          name: "ExpiredToken",
          $fault: "client",
          message: "The security token included in the request is expired",
          ...meta(403),
        });
        const fake = fakeOrg({ frozen: ["dev"] }).failAlways("GetCallerIdentity", expired);
        const r = await run(fake, argv);
        assert.strictEqual(r.code, 2);
        assert.match(
          r.stderr,
          /Your AWS credentials have expired \(calling sts:GetCallerIdentity: ExpiredToken: The security token included in the request is expired\)\. To fix: sign in/,
        );
      });

      it("refuses a caller outside the management account before reading anything else", async () => {
        const fake = fakeOrg({
          frozen: ["dev"],
          edit: (s) =>
            (s.caller = {
              ...s.caller,
              Account: ACCOUNT_IDS.dev,
              Arn: `arn:aws:sts::${ACCOUNT_IDS.dev}:assumed-role/platform-deploy/ci`,
            }),
        });
        const r = await run(fake, argv);
        assert.strictEqual(r.code, 2);
        assert.match(
          r.stderr,
          new RegExp(
            `You are signed in to account ${ACCOUNT_IDS.dev} \\(arn:aws:sts::${ACCOUNT_IDS.dev}:assumed-role/platform-deploy/ci\\), a member of organization ${ORG_ID} whose management account is 111111111111\\. Run the tool with credentials of the management account 111111111111`,
          ),
        );
        assert.deepStrictEqual(
          fake.calls.map((c) => c.op),
          ["GetCallerIdentity", "DescribeOrganization"],
        );
      });

      it("retries throttled calls with growing delays and then succeeds", async () => {
        const fake = fakeOrg({ frozen: ["dev"] })
          .failNext("DescribeOrganization", throttledOrg(), throttledOrg(), throttledOrg())
          .failNext("DescribeBudgets", throttledBudgets());
        const r = await run(fake, argv);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.deepStrictEqual(
          r.sleeps.slice(0, 3),
          [188, 375, 750],
          "250 ms doubling, with jitter fixed at half",
        );
      });

      it("gives up after the last attempt with a message saying to wait", async () => {
        const fake = fakeOrg({ frozen: ["dev"] }).failAlways(
          "DescribeOrganization",
          throttledOrg(),
        );
        const r = await run(fake, argv);
        assert.strictEqual(r.code, 2);
        assert.match(
          r.stderr,
          /AWS kept throttling organizations:DescribeOrganization \(6 attempts with backoff\)\. Wait a minute and run the command again\./,
        );
        assert.strictEqual(fake.callsOf("DescribeOrganization").length, 6);
        assert.deepStrictEqual(fake.writes(), []);
      });

      it("prints the error as JSON with --json", async () => {
        const fake = fakeOrg({ frozen: ["dev"] }).failAlways("GetCallerIdentity", noCredentials());
        const r = await run(fake, [...argv, "--json"]);
        assert.strictEqual(r.code, 2);
        assert.match(JSON.parse(r.stdout).error, /^No AWS credentials found/);
      });
    });
  }

  it("names the denied permission when one call is denied", async () => {
    const denied = new OrgAccessDenied({
      message: "You don't have permissions to access this resource.",
      ...meta(400),
    });
    const fake = fakeOrg({ frozen: ["dev"] }).failAlways("ListTargetsForPolicy", denied);
    const r = await run(fake, ["freeze", "status"]);
    assert.strictEqual(r.code, 2);
    assert.match(
      r.stderr,
      /AWS denied organizations:ListTargetsForPolicy \(AccessDeniedException: You don't have permissions to access this resource\.\)\. Run the tool with a role of the management account that allows organizations:ListTargetsForPolicy/,
    );
  });

  it("names budgets:ViewBudget, the permission DescribeBudgets needs, when it is denied", async () => {
    const denied = new BudgetsAccessDenied({
      Message:
        "User: arn:aws:sts::111111111111:assumed-role/ReadOnly/bob is not authorized to perform: budgets:ViewBudget",
      message:
        "User: arn:aws:sts::111111111111:assumed-role/ReadOnly/bob is not authorized to perform: budgets:ViewBudget",
      ...meta(400),
    });
    const r = await run(fakeOrg().failAlways("DescribeBudgets", denied), ["budgets"]);
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /AWS denied budgets:ViewBudget/);
  });

  it("changes nothing when a read needed by unfreeze is denied", async () => {
    const denied = new BudgetsAccessDenied({ Message: "denied", message: "denied", ...meta(400) });
    const fake = fakeOrg({ frozen: ["dev"] }).failAlways("DescribeBudgetActionsForAccount", denied);
    const r = await run(fake, ["unfreeze", "dev", "--reason", "FIN-42", "--yes"]);
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /AWS denied budgets:DescribeBudgetActionsForAccount/);
    assert.deepStrictEqual(fake.writes(), []);
    assert.deepStrictEqual(fake.policyByName("platform-freeze").targets, [ACCOUNT_IDS.dev]);
  });

  it("says nothing changed when the reversal itself is denied", async () => {
    const denied = new BudgetsAccessDenied({
      Message: "denied",
      message: "not authorized to perform: budgets:ExecuteBudgetAction",
      ...meta(400),
    });
    const fake = fakeOrg({ frozen: ["dev"] }).failAlways("ExecuteBudgetAction", denied);
    const r = await run(fake, ["unfreeze", "dev", "--reason", "FIN-42", "--yes"]);
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /AWS denied budgets:ExecuteBudgetAction .* Nothing was changed\.$/);
    assert.strictEqual(fake.callsOf("ExecuteBudgetAction").length, 1);
    assert.deepStrictEqual(fake.policyByName("platform-freeze").targets, [ACCOUNT_IDS.dev]);
    assert.strictEqual(
      fake.state.actions.find((a) => a.BudgetName === "platform-dev-monthly")!.Status,
      "EXECUTION_SUCCESS",
    );
  });

  it("retries a throttled reversal (AWS refused it before running it) and reverses once", async () => {
    const fake = fakeOrg({ frozen: ["dev"] }).failNext("ExecuteBudgetAction", throttledBudgets());
    const r = await run(fake, ["unfreeze", "dev", "--reason", "FIN-42", "--yes"]);
    assert.strictEqual(r.code, 0, r.stderr);
    assert.strictEqual(fake.callsOf("ExecuteBudgetAction").length, 2);
    assert.deepStrictEqual(fake.policyByName("platform-freeze").targets, []);
  });

  it("does not repeat a detach that failed with a server error, and says to check the state", async () => {
    const boom = new OrganizationsServiceException({
      name: "ServiceException",
      $fault: "server",
      message:
        "AWS Organizations can't complete your request because of an internal service error.",
      ...meta(500),
    });
    const fake = fakeOrg({
      edit: (s) =>
        s.policies.find((p) => p.Name === "platform-freeze")!.targets.push(ACCOUNT_IDS.stage),
    }).failNext("DetachPolicy", boom);
    const r = await run(fake, ["unfreeze", "stage", "--reason", "FIN-42", "--yes"]);
    assert.strictEqual(r.code, 2);
    assert.strictEqual(fake.callsOf("DetachPolicy").length, 1);
    assert.match(
      r.stderr,
      /organizations:DetachPolicy failed after 1 attempt\(s\) .* AWS may or may not have applied it\. Run `npm run ops -- freeze status`/,
    );
  });

  it("retries reads that fail with a server error", async () => {
    const boom = new BudgetsServiceException({
      name: "InternalErrorException",
      $fault: "server",
      message: "internal",
      ...meta(500),
    });
    const r = await run(fakeOrg().failNext("DescribeBudgets", boom, boom), ["budgets"]);
    assert.strictEqual(r.code, 0, r.stderr);
  });

  it("says so when the account is not in an organization", async () => {
    const r = await run(
      fakeOrg().failAlways(
        "DescribeOrganization",
        new AWSOrganizationsNotInUseException({
          message: "Your account is not a member of an organization.",
          ...meta(400),
        }),
      ),
      ["budgets"],
    );
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /The signed-in account is not in an AWS Organization/);
  });

  it("refuses the management account of another organization than the stack file pins", async () => {
    const base = repositoryExpected();
    const pinned = {
      ...base,
      config: {
        ...base.config,
        "platform:organization": {
          ...base.config["platform:organization"],
          managementAccountId: "999999999999",
        },
      },
    };
    const r = await run(fakeOrg(), ["budgets"], { expected: pinned });
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /pins platform:organization\.managementAccountId 999999999999/);
  });

  it("maps the credential chain's expired SSO session to the expired-credentials message", () => {
    const sso = Object.assign(
      new Error(
        "The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile.",
      ),
      { name: "CredentialsProviderError" },
    );
    const table: [unknown, string][] = [
      [sso, "expired-credentials"],
      [noCredentials(), "no-credentials"],
      [new ExpiredTokenException({ message: "expired", ...meta(400) }), "expired-credentials"],
      [new OrgAccessDenied({ message: "x", ...meta(400) }), "access-denied"],
      [throttledOrg(), "throttled"],
      [throttledBudgets(), "throttled"],
      [Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), "transient"],
      [new Error("something else"), "other"],
    ];
    for (const [err, fault] of table)
      assert.strictEqual(classifyAwsError(err), fault, (err as Error).message);
  });

  it("reports missing credentials from a real SDK client, not only from the mock", async () => {
    // An unmocked client: the SDK resolves credentials before any network call and fails there.
    const sts = new STSClient({
      region: "us-east-1",
      credentials: async () => Promise.reject(noCredentials()),
    });
    const aws = new AwsCalls({ ...fakeOrg().clients, sts });
    await assert.rejects(identifyCaller(aws, repositoryExpected().config), (err: unknown) => {
      assert.ok(err instanceof OpsError);
      assert.match(err.message, /^No AWS credentials found \(calling sts:GetCallerIdentity/);
      return true;
    });
  });

  it("stops when a paginated call hands back a page token it already gave", async () => {
    const aws = new AwsCalls(fakeOrg().clients);
    let n = 0;
    await assert.rejects(
      aws.collect(
        "organizations:ListAccounts",
        async () => ({ Items: [n++], NextToken: "same" }),
        (r) => r.Items,
      ),
      /returned the page token "same" twice; stopping/,
    );
    assert.strictEqual(n, 2);
  });
});
