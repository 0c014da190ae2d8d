/**
 * Building blocks of the IAM evaluator (@cloud-copilot/iam-simulate) scenarios that every
 * scenario table shares: AWS's FullAWSAccess policy, an account's SCP and RCP chains, and one
 * request against a role's trust policy.
 */
import * as assert from "assert";
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";

/** The management account of the offline plan (the account tooling/plan/mocks.ts gives the org stack). */
export const MANAGEMENT_ACCOUNT_ID = "111111111111";

/** AWS's FullAWSAccess (the SCP Organizations attaches everywhere; also AdministratorAccess). */
export const FULL_AWS_ACCESS = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
};

/** The SCPs of one level of an account's chain: its target and the policy names attached there. */
export interface ScpLevel {
  readonly target: string;
  readonly policies: readonly string[];
}

/**
 * The evaluator's `serviceControlPolicies` for a chain: FullAWSAccess plus the named policies at
 * every level, each looked up in `documents`; a name with no document fails the scenario.
 */
export function scpChain(levels: readonly ScpLevel[], documents: ReadonlyMap<string, object>) {
  return levels.map((level) => ({
    orgIdentifier: level.target,
    policies: [
      { name: "FullAWSAccess", policy: FULL_AWS_ACCESS },
      ...level.policies.map((name) => {
        const policy = documents.get(name);
        assert.ok(policy, `SCP ${name} attached to ${level.target} was not planned or loaded`);
        return { name, policy };
      }),
    ],
  }));
}

/**
 * The evaluator's `resourceControlPolicies` for a chain: the named RCPs at every level, looked up in
 * `documents`. The evaluator adds RCPFullAWSAccess at every level itself, as Organizations does.
 */
export function rcpChain(levels: readonly ScpLevel[], documents: ReadonlyMap<string, object>) {
  return levels.map((level) => ({
    orgIdentifier: level.target,
    policies: level.policies.map((name) => {
      const policy = documents.get(name);
      assert.ok(policy, `RCP ${name} attached to ${level.target} was not planned or loaded`);
      return { name, policy };
    }),
  }));
}

/** One call to assume a role: who, how, with which request context and their own policies. */
export interface TrustRequest {
  readonly principal: string;
  readonly action: string;
  readonly roleArn: string;
  /** The account of the role. */
  readonly account: string;
  readonly contextVariables: Record<string, string>;
  /** The caller's identity policies; default none (a federated principal has none). */
  readonly identityPolicies?: Simulation["identityPolicies"];
}

/**
 * The evaluator's decision ("Allowed", "ImplicitlyDenied", "ExplicitlyDenied") for `request`
 * against the role's `trust` policy, with no SCP or RCP in the way. Fails the scenario unless the
 * evaluator gave one result and used every context key given: an ignored key proves nothing.
 */
export async function trustDecision(request: TrustRequest, trust: object): Promise<string> {
  const response = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.roleArn, accountId: request.account },
        contextVariables: request.contextVariables,
      },
      identityPolicies: request.identityPolicies ?? [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: trust,
    },
    {},
  );
  assert.strictEqual(response.resultType, "single", JSON.stringify(response).slice(0, 400));
  if (response.resultType !== "single") return "error";
  assert.deepStrictEqual(response.result.ignoredContextKeys ?? [], [], "unused context keys");
  return response.overallResult;
}

/**
 * What a scenario table must be before its rows prove anything: at least `min` scenarios, each name
 * once (a test title is the scenario's name), and at least one scenario on every account listed.
 */
export function assertScenarioTable(
  scenarios: readonly { readonly name: string; readonly account: string }[],
  accounts: readonly string[],
  min: number,
): void {
  assert.ok(scenarios.length >= min, `only ${scenarios.length} scenarios`);
  const names = scenarios.map((s) => s.name);
  assert.deepStrictEqual(
    names.filter((n, i) => names.indexOf(n) !== i),
    [],
  );
  assert.ok(accounts.length > 0, "no accounts to cover");
  for (const account of accounts)
    assert.ok(
      scenarios.some((s) => s.account === account),
      `no scenario for ${account}`,
    );
}
