/**
 * Service Control Policies: loading the JSON files in `policies/scp/`, substituting config
 * values, checking them against the AWS Organizations quotas, and working out which policies reach
 * an account.
 *
 * Pure: no Pulumi imports, no AWS calls. The org program wires the results into resources; the
 * tests call these functions directly and prove the documents with an independent IAM policy
 * evaluator.
 */
import * as fs from "fs";
import * as path from "path";

/** Config values that the SCP files reference as `{{token}}`. Field names are the token names. */
export interface GuardrailContext {
  /** Regions where regional services may be used, e.g. `["eu-central-1"]`. Non-empty. */
  readonly allowedRegions: readonly string[];
  /** EC2 instance types allowed in non-production accounts; `t4g.*` style wildcards allowed. */
  readonly allowedInstanceTypes: readonly string[];
  /** Bedrock foundation-model ids allowed in non-production accounts (no wildcards). */
  readonly allowedBedrockModels: readonly string[];
  /** Break-glass role: exempt from region lock, guardrail protection and freeze. */
  readonly breakGlassRoleName: string;
  /** Role that environment stacks assume to deploy. */
  readonly deployRoleName: string;
  /** Automation / AI agent role, allowed in dev only. */
  readonly agentRoleName: string;
  /** Managed policy used as the agent role's permissions boundary. */
  readonly agentBoundaryName: string;
  /** Role AWS Budgets uses to attach the freeze SCP. */
  readonly budgetActionRoleName: string;
  /** Name of the organization CloudTrail trail. */
  readonly trailName: string;
  /** Prefix of the trail bucket name (the bucket is `<prefix><accountid>`). */
  readonly trailBucketPrefix: string;
  /** Alias of the KMS key that encrypts the trail, including the `alias/` prefix. */
  readonly trailKeyAlias: string;
  /** SNS topic that receives budget alerts. */
  readonly alertTopicName: string;
}

type GuardrailNames = Omit<
  GuardrailContext,
  "allowedRegions" | "allowedInstanceTypes" | "allowedBedrockModels"
>;

/** Default names of the roles and guardrail resources; config may override each one. */
export const GUARDRAIL_NAME_DEFAULTS: GuardrailNames = {
  breakGlassRoleName: "platform-break-glass",
  deployRoleName: "platform-deploy",
  agentRoleName: "platform-automation-agent",
  agentBoundaryName: "platform-agent-boundary",
  budgetActionRoleName: "platform-budget-action",
  trailName: "platform-org-trail",
  trailBucketPrefix: "platform-org-trail-",
  trailKeyAlias: "alias/platform-org-trail",
  alertTopicName: "platform-budget-alerts",
};

/** The IAM policy language version every SCP file must declare. */
export const POLICY_VERSION = "2012-10-17";

/** Name of the SCP that the budget action attaches; never attached statically. */
export const FREEZE_POLICY_NAME = "freeze";

/** The AWS-managed allow-all SCP on every root, OU and account; it counts towards the quota. */
export const FULL_AWS_ACCESS_POLICY_NAME = "FullAWSAccess";

/**
 * One-sentence intent of each SCP file, keyed by file name without `.json`. The loader refuses a
 * file without an intent (and an intent without a file), so the auditors' README can be generated
 * from here.
 */
export const SCP_INTENTS: Readonly<Record<string, string>> = {
  "deny-leave-organization":
    "Keeps every member account inside the organization, so it cannot shed its guardrails, trail and budgets by leaving.",
  "region-lock":
    "Denies regional services outside the allowed regions (documented global services, the break-glass role, OrganizationAccountAccessRole and Bedrock calls routed by an inference profile invoked in an allowed region exempt), so nothing is created or runs in a forgotten region.",
  "deny-root-user":
    "Denies every action to the root user of member accounts, so people work through roles whose use is logged and scoped.",
  "protect-guardrails":
    "Stops anyone but the break-glass role and OrganizationAccountAccessRole from stopping or changing the organization trail, its bucket, log objects and KMS key, the platform roles, the agent permissions boundary and the budget alert topic.",
  "deny-expensive-services":
    "Denies services and purchases that can outrun a non-production budget in hours: ML training and hosting, analytics and streaming clusters, cache and database clusters, non-burstable database instances, EKS control planes and long-term commitments.",
  "ec2-instance-type-allowlist":
    "Limits EC2 launches, resizes and Auto Scaling instance-type overrides in non-production accounts to the allowed instance types.",
  "bedrock-model-allowlist":
    "Limits Bedrock model invocation in non-production accounts to the approved foundation models and their cross-region inference profiles.",
  "lambda-url-iam-auth":
    "Requires IAM (SigV4) authentication on every Lambda function URL and forbids granting public invocation through a URL.",
  "deny-agent-role":
    "Denies everything to the automation / AI agent role wherever it is attached, so the agent can only act in the dev account.",
  freeze:
    "Attached by the budget action when an account overspends: denies everything except the break-glass role and OrganizationAccountAccessRole, so people can investigate and lift it.",
};

/**
 * Where each SCP is attached: `root`, `ou:<path>` or `account:<key>`. `freeze` is absent on
 * purpose: the budget action attaches it. `lambda-url-iam-auth` sits on `ou:workloads` and
 * `ou:sandbox` rather than the root because the root already carries FullAWSAccess plus four
 * policies (quota 5).
 */
export const DEFAULT_SCP_ATTACHMENTS: Readonly<Record<string, readonly string[]>> = {
  "deny-leave-organization": ["root"],
  "region-lock": ["root"],
  "deny-root-user": ["root"],
  "protect-guardrails": ["root"],
  "lambda-url-iam-auth": ["ou:workloads", "ou:sandbox"],
  "deny-expensive-services": ["ou:workloads/nonprod", "ou:sandbox"],
  "ec2-instance-type-allowlist": ["ou:workloads/nonprod", "ou:sandbox"],
  "bedrock-model-allowlist": ["ou:workloads/nonprod", "ou:sandbox"],
  "deny-agent-role": ["account:stage", "ou:workloads/prod"],
};

/** OUs (by path) and accounts (by key, with the path of their OU). */
export interface OrgLayout {
  readonly ouPaths: readonly string[];
  readonly accounts: Readonly<Record<string, string>>;
}

/** The fixed organization model the org program builds. */
export const DEFAULT_ORG_LAYOUT: OrgLayout = {
  ouPaths: ["security", "workloads", "workloads/prod", "workloads/nonprod", "sandbox"],
  accounts: {
    "log-archive": "security",
    dev: "workloads/nonprod",
    stage: "workloads/nonprod",
    prod: "workloads/prod",
    sandbox: "sandbox",
  },
};

/** Every attachment target of a layout: `root`, then `ou:<path>` and `account:<key>` for each. */
export function scpTargetsForLayout(layout: OrgLayout): string[] {
  return [
    "root",
    ...layout.ouPaths.map((p) => `ou:${p}`),
    ...Object.keys(layout.accounts).map((k) => `account:${k}`),
  ];
}

export interface ScpLimits {
  /** Largest minified SCP document, in characters. AWS default 5,120 (10,240 since 2026). */
  readonly maxPolicyChars: number;
  /** Most SCPs attached directly to one root, OU or account, FullAWSAccess included. Default 5. */
  readonly maxPoliciesPerTarget: number;
}

/** Conservative defaults: the pre-2026 quotas, which every organization still honours. */
export const DEFAULT_SCP_LIMITS: ScpLimits = { maxPolicyChars: 5120, maxPoliciesPerTarget: 5 };

/** The raised 2026 quotas: configured limits above these would only fail at deploy time. */
export const AWS_SCP_QUOTA_CEILING: ScpLimits = { maxPolicyChars: 10240, maxPoliciesPerTarget: 10 };

export type PolicyValue = string | readonly string[];

export interface ScpStatement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action?: PolicyValue;
  readonly NotAction?: PolicyValue;
  readonly Resource?: PolicyValue;
  readonly NotResource?: PolicyValue;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, PolicyValue>>>>;
}

export interface ScpPolicyDocument {
  readonly Version: typeof POLICY_VERSION;
  readonly Statement: readonly ScpStatement[];
}

export interface ScpDocument {
  /** File name without `.json`; also the SCP's name in AWS Organizations. */
  readonly name: string;
  /** Path of the source file. */
  readonly file: string;
  /** The intent from SCP_INTENTS. */
  readonly description: string;
  /** The document with every token substituted. */
  readonly document: ScpPolicyDocument;
  /** `JSON.stringify(document)`: what is sent to AWS and measured against maxPolicyChars. */
  readonly minified: string;
}

/**
 * Resource ARNs that `{{allowedBedrockModels}}` expands to. `bedrock:ModelId` (used by some
 * published examples) is not a condition key AWS evaluates, so the allowlist is a Deny with
 * NotResource. A model is reached either directly (`foundation-model/<id>`, no account) or through
 * a system cross-region inference profile `<geo>.<id>` (`us.`, `eu.`, `apac.`, `global.`); for a
 * profile AWS authorizes the profile and the foundation model in each destination region, so both
 * forms are listed. The Converse APIs have no IAM actions of their own: they are authorized as
 * InvokeModel / InvokeModelWithResponseStream.
 */
export function bedrockModelResourceArns(modelIds: readonly string[]): string[] {
  return modelIds.flatMap((id) => [
    `arn:aws:bedrock:*::foundation-model/${id}`,
    `arn:aws:bedrock:*:*:inference-profile/*.${id}`,
  ]);
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.(\*|[a-z0-9-]+)$/;
const BEDROCK_MODEL_ID = /^[a-z0-9][a-z0-9.:_-]*$/;
// IAM role and policy names: up to 64 (role) / 128 (policy) of [\w+=,.@-]; no paths, because the
// SCPs match `role/<name>` exactly and a `*` there would also match other roles' names.
const IAM_NAME = /^[\w+=,.@-]{1,64}$/;
const TRAIL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/;
const BUCKET_PREFIX = /^[a-z0-9][a-z0-9.-]{0,49}$/;
const KMS_ALIAS = /^alias\/[A-Za-z0-9/_-]{1,250}$/;
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;

function checkList(key: string, value: unknown, pattern: RegExp, allowed: string): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    return [`'${key}' must be a non-empty list of ${allowed}; got ${JSON.stringify(value)}`];
  }
  const problems: string[] = [];
  value.forEach((item, i) => {
    if (typeof item !== "string" || !pattern.test(item)) {
      problems.push(`'${key}[${i}]' must be ${allowed}; got ${JSON.stringify(item)}`);
    }
  });
  const dupes = value.filter((v, i) => value.indexOf(v) !== i);
  if (dupes.length > 0) {
    problems.push(`'${key}' lists ${JSON.stringify(dupes[0])} more than once`);
  }
  return problems;
}

function checkName(key: string, value: unknown, pattern: RegExp, allowed: string): string[] {
  return typeof value === "string" && pattern.test(value)
    ? []
    : [`'${key}' must be ${allowed}; got ${JSON.stringify(value)}`];
}

/**
 * Validates every field of a GuardrailContext before it reaches a policy: a malformed value would
 * widen a Deny silently (an empty region list, a `*` in a model id), so it is refused here.
 */
export function validateGuardrailContext(ctx: GuardrailContext): void {
  const problems = [
    ...checkList("allowedRegions", ctx.allowedRegions, REGION, "region codes such as eu-central-1"),
    ...checkList(
      "allowedInstanceTypes",
      ctx.allowedInstanceTypes,
      INSTANCE_TYPE,
      "instance types such as t3.micro or t4g.*",
    ),
    ...checkList(
      "allowedBedrockModels",
      ctx.allowedBedrockModels,
      BEDROCK_MODEL_ID,
      "Bedrock model ids without wildcards, such as anthropic.claude-3-haiku-20240307-v1:0",
    ),
  ];
  const iamNames: (keyof GuardrailNames)[] = [
    "breakGlassRoleName",
    "deployRoleName",
    "agentRoleName",
    "agentBoundaryName",
    "budgetActionRoleName",
  ];
  for (const key of iamNames) {
    problems.push(...checkName(key, ctx[key], IAM_NAME, "an IAM name of 1-64 [A-Za-z0-9+=,.@_-]"));
  }
  problems.push(
    ...checkName("trailName", ctx.trailName, TRAIL_NAME, "a CloudTrail trail name (3-128 chars)"),
    ...checkName(
      "trailBucketPrefix",
      ctx.trailBucketPrefix,
      BUCKET_PREFIX,
      "a lower-case S3 bucket name prefix of at most 50 chars",
    ),
    ...checkName("trailKeyAlias", ctx.trailKeyAlias, KMS_ALIAS, "a KMS alias starting with alias/"),
    ...checkName("alertTopicName", ctx.alertTopicName, TOPIC_NAME, "an SNS topic name"),
  );
  if (problems.length > 0) {
    throw new Error(`Invalid guardrail config: ${problems.join("; ")}`);
  }
}

/**
 * Inference-profile ARN patterns in the allowed regions. A cross-region inference profile invoked in
 * an allowed (source) region routes the request to destination regions that may lie outside the
 * allowlist; AWS authorizes that routed call with `aws:RequestedRegion` set to the destination and
 * `bedrock:InferenceProfileArn` set to the source-region profile, so region-lock exempts exactly the
 * calls whose profile lives in an allowed region.
 */
export function inferenceProfileArnsInRegions(regions: readonly string[]): string[] {
  return regions.map((region) => `arn:aws:bedrock:${region}:*:inference-profile/*`);
}

/**
 * The value of each `{{token}}`: one per GuardrailContext field, with the same name, plus the
 * derived `allowedRegionInferenceProfiles` (see inferenceProfileArnsInRegions).
 */
export function guardrailTokens(ctx: GuardrailContext): Record<string, PolicyValue> {
  return {
    allowedRegions: [...ctx.allowedRegions],
    allowedRegionInferenceProfiles: inferenceProfileArnsInRegions(ctx.allowedRegions),
    allowedInstanceTypes: [...ctx.allowedInstanceTypes],
    allowedBedrockModels: bedrockModelResourceArns(ctx.allowedBedrockModels),
    breakGlassRoleName: ctx.breakGlassRoleName,
    deployRoleName: ctx.deployRoleName,
    agentRoleName: ctx.agentRoleName,
    agentBoundaryName: ctx.agentBoundaryName,
    budgetActionRoleName: ctx.budgetActionRoleName,
    trailName: ctx.trailName,
    trailBucketPrefix: ctx.trailBucketPrefix,
    trailKeyAlias: ctx.trailKeyAlias,
    alertTopicName: ctx.alertTopicName,
  };
}

const WHOLE_TOKEN = /^\{\{([^{}]*)\}\}$/;
const ANY_TOKEN = /\{\{([^{}]*)\}\}/g;

function lookupToken(
  tokens: Record<string, PolicyValue>,
  name: string,
  file: string,
  where: string,
): PolicyValue {
  if (!Object.prototype.hasOwnProperty.call(tokens, name)) {
    throw new Error(
      `${file}: unknown token "{{${name}}}" at ${where}; ` +
        `known tokens: ${Object.keys(tokens).join(", ")}`,
    );
  }
  return tokens[name];
}

function substituteString(
  text: string,
  tokens: Record<string, PolicyValue>,
  file: string,
  where: string,
): PolicyValue {
  const whole = WHOLE_TOKEN.exec(text);
  if (whole) {
    const value = lookupToken(tokens, whole[1], file, where);
    return Array.isArray(value) ? [...value] : value;
  }
  return text.replace(ANY_TOKEN, (_match, name: string) => {
    const value = lookupToken(tokens, name, file, where);
    if (typeof value !== "string") {
      throw new Error(
        `${file}: token "{{${name}}}" holds a list and cannot be embedded in the longer string ` +
          `${JSON.stringify(text)} at ${where}; write it as the whole string "{{${name}}}"`,
      );
    }
    return value;
  });
}

function substitute(
  value: unknown,
  tokens: Record<string, PolicyValue>,
  file: string,
  where: string,
): unknown {
  if (typeof value === "string") {
    return substituteString(value, tokens, file, where);
  }
  if (Array.isArray(value)) {
    // A list token inside a list is spliced in, so `["{{allowedRegions}}", "x"]` stays flat.
    return value.flatMap((item, i) => {
      const out = substitute(item, tokens, file, `${where}[${i}]`);
      return Array.isArray(out) && typeof item === "string" ? out : [out];
    });
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      out[key] = substitute(child, tokens, file, where ? `${where}.${key}` : key);
    }
    return out;
  }
  return value;
}

const STATEMENT_KEYS = new Set([
  "Sid",
  "Effect",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Condition",
]);
// AWS allows only alphanumerics in an SCP Sid; PascalCase makes it read as "what this prevents".
const SID = /^[A-Z][A-Za-z0-9]*$/;

function isPolicyValue(value: unknown): boolean {
  if (typeof value === "string") return value.length > 0;
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((v) => typeof v === "string" && v.length > 0)
  );
}

/** Structural checks of one SCP document after substitution; throws an Error naming the file. */
export function validateScpDocument(doc: unknown, file: string): asserts doc is ScpPolicyDocument {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new Error(`${file}: an SCP must be a JSON object with Version and Statement`);
  }
  const record = doc as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== "Version" && key !== "Statement") {
      throw new Error(`${file}: unexpected top-level key "${key}"; allowed: Version, Statement`);
    }
  }
  if (record.Version !== POLICY_VERSION) {
    throw new Error(
      `${file}: Version must be "${POLICY_VERSION}"; got ${JSON.stringify(record.Version)}`,
    );
  }
  const statements = record.Statement;
  if (!Array.isArray(statements) || statements.length === 0) {
    throw new Error(`${file}: Statement must be a non-empty list of statements`);
  }
  const sidAt = new Map<string, number>();
  statements.forEach((raw: unknown, i) => {
    const at = `${file}: Statement[${i}]`;
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      throw new Error(`${at} must be an object`);
    }
    const st = raw as Record<string, unknown>;
    for (const key of Object.keys(st)) {
      if (!STATEMENT_KEYS.has(key)) {
        throw new Error(
          `${at} has unsupported key "${key}"; ` +
            `SCP statements allow ${[...STATEMENT_KEYS].join(", ")}`,
        );
      }
    }
    if (st.Sid === undefined) {
      throw new Error(
        `${at} has no Sid; every statement needs a PascalCase Sid that says what it prevents`,
      );
    }
    if (typeof st.Sid !== "string" || !SID.test(st.Sid)) {
      throw new Error(
        `${at} Sid must be PascalCase letters and digits; got ${JSON.stringify(st.Sid)}`,
      );
    }
    const previous = sidAt.get(st.Sid);
    if (previous !== undefined) {
      throw new Error(
        `${file}: duplicate Sid "${st.Sid}" in Statement[${previous}] and Statement[${i}]`,
      );
    }
    sidAt.set(st.Sid, i);
    if (st.Effect !== "Allow" && st.Effect !== "Deny") {
      throw new Error(
        `${at} (${st.Sid}) Effect must be Allow or Deny; got ${JSON.stringify(st.Effect)}`,
      );
    }
    for (const [a, b] of [
      ["Action", "NotAction"],
      ["Resource", "NotResource"],
    ] as const) {
      const has = [a, b].filter((k) => st[k] !== undefined);
      if (has.length !== 1) {
        throw new Error(`${at} (${st.Sid}) needs exactly one of ${a} or ${b}; got ${has.length}`);
      }
      if (!isPolicyValue(st[has[0]])) {
        throw new Error(
          `${at} (${st.Sid}) ${has[0]} must be a non-empty string or list of strings; ` +
            `got ${JSON.stringify(st[has[0]])}`,
        );
      }
    }
    if (st.Condition !== undefined) {
      const cond = st.Condition;
      if (cond === null || typeof cond !== "object" || Array.isArray(cond)) {
        throw new Error(`${at} (${st.Sid}) Condition must be an object of operators`);
      }
      for (const [op, block] of Object.entries(cond as Record<string, unknown>)) {
        if (block === null || typeof block !== "object" || Array.isArray(block)) {
          throw new Error(`${at} (${st.Sid}) Condition.${op} must map condition keys to values`);
        }
        for (const [key, v] of Object.entries(block as Record<string, unknown>)) {
          if (!isPolicyValue(v)) {
            throw new Error(
              `${at} (${st.Sid}) Condition.${op}.${key} must be a non-empty string or list; ` +
                `got ${JSON.stringify(v)}`,
            );
          }
        }
      }
    }
  });
}

const POLICY_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * Loads every `<kebab-name>.json` in `dir`, substitutes `{{tokens}}` from `ctx`, validates the
 * result and pairs it with its intent. Throws an Error naming the file on anything unexpected: a
 * non-JSON file, invalid JSON, an unknown token, a missing or duplicate Sid, a missing intent; and
 * naming the policy when an intent has no file.
 */
export function loadScps(
  dir: string,
  ctx: GuardrailContext,
  intents: Readonly<Record<string, string>> = SCP_INTENTS,
): ScpDocument[] {
  validateGuardrailContext(ctx);
  const tokens = guardrailTokens(ctx);
  const entries = fs.readdirSync(dir).sort();
  const loaded: ScpDocument[] = [];
  for (const entry of entries) {
    const file = path.join(dir, entry);
    if (!entry.endsWith(".json") || !fs.statSync(file).isFile()) {
      throw new Error(`${file}: ${dir} must hold SCP JSON files only (<kebab-name>.json)`);
    }
    const name = entry.slice(0, -".json".length);
    if (!POLICY_NAME.test(name)) {
      throw new Error(`${file}: SCP file names must be kebab-case; got "${name}"`);
    }
    const description = intents[name];
    if (description === undefined) {
      throw new Error(
        `${file}: policy "${name}" has no intent; add a one-sentence entry to SCP_INTENTS`,
      );
    }
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
      throw new Error(`${file}: not valid JSON: ${(err as Error).message}`);
    }
    const document = substitute(raw, tokens, file, "");
    validateScpDocument(document, file);
    const minified = JSON.stringify(document);
    const leftover = /\{\{[^}]*\}\}/.exec(minified);
    if (leftover) {
      // Tokens are only substituted in string values; one left over sits in a key or is malformed.
      throw new Error(
        `${file}: token ${leftover[0]} was not substituted (tokens work in values only)`,
      );
    }
    loaded.push({ name, file, description, document, minified });
  }
  const names = new Set(loaded.map((p) => p.name));
  const orphans = Object.keys(intents).filter((n) => !names.has(n));
  if (orphans.length > 0) {
    throw new Error(
      `SCP_INTENTS names ${orphans.map((n) => `"${n}"`).join(", ")} but ${dir} has no such file`,
    );
  }
  return loaded;
}

function checkLimits(limits: ScpLimits): void {
  for (const key of ["maxPolicyChars", "maxPoliciesPerTarget"] as const) {
    const value = limits[key];
    const ceiling = AWS_SCP_QUOTA_CEILING[key];
    if (!Number.isInteger(value) || value < 1 || value > ceiling) {
      throw new Error(
        `SCP limit '${key}' must be an integer from 1 to ${ceiling} (the AWS quota); got ${value}`,
      );
    }
  }
}

/**
 * Checks the SCPs and their attachments against the Organizations quotas before anything is
 * deployed: the minified size of every policy, and the number of policies directly attached to each
 * target, counting FullAWSAccess and, for `freezeTargets`, the slot the budget action needs for
 * `freeze`. Also refuses attachments to unknown policies or targets, and a static `freeze`.
 */
export function checkScpLimits(
  policies: readonly ScpDocument[],
  attachments: Readonly<Record<string, readonly string[]>>,
  limits: ScpLimits,
  freezeTargets: readonly string[],
  knownTargets: readonly string[],
): void {
  checkLimits(limits);
  for (const p of policies) {
    if (p.minified.length > limits.maxPolicyChars) {
      throw new Error(
        `SCP "${p.name}" (${p.file}) is ${p.minified.length} characters minified; ` +
          `the limit maxPolicyChars is ${limits.maxPolicyChars}`,
      );
    }
  }
  const policyNames = new Set(policies.map((p) => p.name));
  const known = new Set(knownTargets);
  const byTarget = new Map<string, string[]>();
  for (const [policy, targets] of Object.entries(attachments)) {
    if (policy === FREEZE_POLICY_NAME) {
      throw new Error(
        `SCP "${FREEZE_POLICY_NAME}" must not be attached statically ` +
          `(targets ${JSON.stringify(targets)}); the budget action attaches it, ` +
          `list the accounts in freezeTargets instead`,
      );
    }
    if (!policyNames.has(policy)) {
      const hint =
        policy === FULL_AWS_ACCESS_POLICY_NAME
          ? "; FullAWSAccess is attached by AWS and always counted, do not list it"
          : "";
      throw new Error(
        `SCP attachments name unknown policy "${policy}"; ` +
          `loaded policies: ${[...policyNames].join(", ")}${hint}`,
      );
    }
    targets.forEach((target) => {
      if (!known.has(target)) {
        throw new Error(
          `SCP "${policy}" is attached to unknown target "${target}"; ` +
            `known targets: ${knownTargets.join(", ")}`,
        );
      }
      const list = byTarget.get(target) ?? [];
      if (list.includes(policy)) {
        throw new Error(`SCP "${policy}" is attached to target "${target}" more than once`);
      }
      byTarget.set(target, [...list, policy]);
    });
  }
  if (freezeTargets.length > 0 && !policyNames.has(FREEZE_POLICY_NAME)) {
    throw new Error(
      `freezeTargets ${JSON.stringify(freezeTargets)} need the "${FREEZE_POLICY_NAME}" SCP, ` +
        `which was not loaded`,
    );
  }
  for (const target of freezeTargets) {
    if (!known.has(target)) {
      throw new Error(
        `freeze target "${target}" is unknown; known targets: ${knownTargets.join(", ")}`,
      );
    }
  }
  for (const target of knownTargets) {
    const attached = byTarget.get(target) ?? [];
    const counted = [FULL_AWS_ACCESS_POLICY_NAME, ...attached];
    if (freezeTargets.includes(target)) {
      counted.push(`${FREEZE_POLICY_NAME} (slot reserved for the budget action)`);
    }
    if (counted.length > limits.maxPoliciesPerTarget) {
      throw new Error(
        `SCP target "${target}" would carry ${counted.length} policies: ${counted.join(", ")}; ` +
          `the limit maxPoliciesPerTarget is ${limits.maxPoliciesPerTarget} ` +
          `(FullAWSAccess counts, and freeze-enabled targets keep a slot free for freeze)`,
      );
    }
  }
}

/** The SCPs directly attached at one level of an account's chain. */
export interface ScpLevel {
  readonly target: string;
  readonly policies: readonly string[];
}

const PATH_SEGMENT = /^[a-z0-9][a-z0-9-]*$/;

/**
 * The chain of levels whose SCPs all apply to an account, root first: root, each OU from the top
 * (`workloads`, then `workloads/prod`), then the account, with `freeze` on the account when frozen.
 * FullAWSAccess is implied at every level and not listed.
 */
export function effectiveScpLevels(
  accountKey: string,
  ouPathOfAccount: string,
  attachments: Readonly<Record<string, readonly string[]>>,
  frozen: boolean,
): ScpLevel[] {
  if (!PATH_SEGMENT.test(accountKey)) {
    throw new Error(
      `accountKey must be a kebab-case account key; got ${JSON.stringify(accountKey)}`,
    );
  }
  const segments = ouPathOfAccount.split("/");
  if (ouPathOfAccount !== "" && !segments.every((s) => PATH_SEGMENT.test(s))) {
    throw new Error(
      `ouPathOfAccount must be an OU path such as "workloads/prod" (or "" for the root); ` +
        `got ${JSON.stringify(ouPathOfAccount)}`,
    );
  }
  const targets = [
    "root",
    ...(ouPathOfAccount === ""
      ? []
      : segments.map((_s, i) => `ou:${segments.slice(0, i + 1).join("/")}`)),
    `account:${accountKey}`,
  ];
  const entries = Object.entries(attachments);
  return targets.map((target) => {
    const policies = entries.filter(([, ts]) => ts.includes(target)).map(([name]) => name);
    if (frozen && target === `account:${accountKey}`) {
      policies.push(FREEZE_POLICY_NAME);
    }
    return { target, policies };
  });
}

/** Every SCP (besides FullAWSAccess) that applies to an account, in chain order. */
export function effectiveScps(
  accountKey: string,
  ouPathOfAccount: string,
  attachments: Readonly<Record<string, readonly string[]>>,
  frozen: boolean,
): string[] {
  return effectiveScpLevels(accountKey, ouPathOfAccount, attachments, frozen).flatMap((l) => [
    ...l.policies,
  ]);
}
