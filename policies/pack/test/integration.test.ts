/**
 * The whole pack against every stack of every environment, planned under the mocks from the
 * repository's own files (the harness plans them once per test run).
 */
import { nonEmpty } from "../../../tooling/testing/non-empty";
import * as assert from "assert";
import {
  editedConfig,
  planOne,
  repositoryPlan,
  upstreamOutputs,
} from "../../../tooling/testing/harness";
import {
  evaluateAll,
  evaluatePolicies,
  evaluateStack,
  renderViolations,
} from "../../../tooling/pack/evaluate";
import { catalogue } from "../policies";

describe("policy pack on the repository's stacks", function () {
  this.timeout(60_000);

  it("plans org plus network, workloads and edge for every environment", async () => {
    const plans = await repositoryPlan();
    const expected = [
      "org/management",
      ...["dev", "stage", "prod"].flatMap((e) =>
        ["network", "workloads", "edge"].map((p) => `${p}/${e}`),
      ),
    ];
    assert.deepStrictEqual(plans.map((p) => `${p.project}/${p.stack}`).sort(), expected.sort());
  });

  it("finds no violation in any stack", async () => {
    const results = evaluateAll(await repositoryPlan());
    const total = results.reduce((n, r) => n + r.violations.length, 0);
    assert.strictEqual(total, 0, renderViolations(results));
  });

  it("examines every resource type it has a policy for, so no violations is not nothing checked", async () => {
    const plans = await repositoryPlan();
    const checked = new Map<string, number>();
    for (const plan of nonEmpty(plans, "plans")) {
      for (const [name, n] of nonEmpty(evaluateStack(plan).checked, "evaluateStack(plan).checked"))
        checked.set(name, (checked.get(name) ?? 0) + n);
    }
    const types = new Set(plans.flatMap((p) => p.resources.map((r) => r.type)));
    for (const { policy, appliesTo } of nonEmpty(catalogue, "catalogue")) {
      const present = appliesTo.some((t) => types.has(t) || t.startsWith("every "));
      if (present)
        assert.ok(
          (checked.get(policy.name) ?? 0) > 0,
          `${policy.name} examined nothing although the plan has ${appliesTo.filter((t) => types.has(t)).join(", ")}`,
        );
    }
    // The cost allocation tags reach more than the handful of resources that set tags themselves.
    assert.ok(
      (checked.get("required-tags") ?? 0) > 100,
      `required-tags examined ${checked.get("required-tags")}`,
    );
  });

  it("catches an environment file that moves the VPN to another port: config allows it, the pack does not", async () => {
    // lib/config/network.ts accepts any port from 1024; the guardrail is that the internet reaches UDP
    // 1194 on the VPN server and nothing else, so the new rule from 0.0.0.0/0 is the violation.
    const config = editedConfig("network", "dev", (c) => (c["platform:network"].vpn.port = 1195));
    const plan = await planOne("network", "dev", config, await upstreamOutputs());
    const found = evaluatePolicies(plan);
    assert.strictEqual(
      found.length,
      1,
      renderViolations([
        { project: "network", stack: "dev", stackName: plan.stackName, violations: found },
      ]),
    );
    const [v] = found;
    assert.strictEqual(v.policy, "security-group-no-public-ingress");
    assert.strictEqual(v.enforcementLevel, "mandatory");
    const rule = plan.resources.find((r) => r.urn === v.urn)!;
    assert.strictEqual(rule.type, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
    assert.deepStrictEqual(
      [rule.inputs.ipProtocol, rule.inputs.fromPort, rule.inputs.cidrIpv4, rule.inputs.tags.role],
      ["udp", 1195, "0.0.0.0/0", "vpn-server"],
    );
    assert.match(
      v.message,
      /admits udp 1195 from 0\.0\.0\.0\/0; only udp 1194 may be open to the internet on the VPN server's group/,
    );
  });
});
