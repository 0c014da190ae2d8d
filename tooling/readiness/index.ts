/**
 * The readiness check `npm run plan` runs beside the policy pack: every rule in ./rules over every
 * planned stack. The pack says what the platform allows; readiness says what AWS would refuse.
 */
import type { StackPlan } from "../stack-plan";
import { Finding, ReadinessRule, shortUrn } from "./rule";
import { rules as allRules } from "./rules";

export type { Finding, ReadinessRule };
export { allRules as rules };

export interface ReadinessReport {
  readonly rules: { name: string; description: string }[];
  readonly findings: Finding[];
}

export function evaluateReadiness(
  plans: readonly StackPlan[],
  rules: readonly ReadinessRule[] = allRules,
): ReadinessReport {
  return {
    rules: rules.map((r) => ({ name: r.name, description: r.description })),
    findings: rules.flatMap((r) => r.check(plans)),
  };
}

/** Human output: each finding with its stack, resource and fix, then one summary line. */
export function renderReadiness(report: ReadinessReport): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    lines.push(`\n[readiness] ${f.rule}  ${f.stack}  ${shortUrn(f.urn)}`);
    lines.push(`      ${f.message}`);
    lines.push(`      fix: ${f.fix}`);
  }
  lines.push(
    report.findings.length === 0
      ? `\nReadiness: ${report.rules.length} rules, no findings.`
      : `\nReadiness: ${report.findings.length} finding(s) from ${report.rules.length} rules.`,
  );
  return lines.join("\n");
}
