/**
 * Building blocks of the IAM evaluator (@cloud-copilot/iam-simulate) scenarios that every
 * scenario table shares: AWS's FullAWSAccess policy and an account's SCP and RCP chains.
 */
import * as assert from "assert";

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
