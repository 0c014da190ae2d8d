import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { OrgConfig, Threshold } from "../lib/config/org";
import { EncryptionKey } from "../lib/components/kms";
import { TAG_KEYS } from "../lib/tags";
import { BudgetSummary } from "../lib/contracts";
import { budgetName, GuardrailContext } from "../lib/names";

/** The `budgets` output, from config and the account ids: pure, so its shape is tested directly. */
export function budgetSummaries(
  config: OrgConfig,
  accountIds: Record<string, string>,
  managementAccountId: string,
): BudgetSummary[] {
  const b = config["platform:budgets"];
  const prefix = config["platform:organization"].prefix;
  const thresholds = b.thresholds.map((t) => ({ percent: t.percent, type: t.type }));
  const rows: BudgetSummary[] = [
    {
      name: budgetName(prefix, "organization"),
      scope: "organization",
      accountName: "organization (all accounts)",
      accountId: managementAccountId,
      limit: b.organization.amount,
      currency: b.currency,
      thresholds,
      subscribers: b.subscribers,
      freezes: false,
      freezeAtPercent: null,
    },
  ];
  for (const [key, ab] of Object.entries(b.accounts)) {
    rows.push({
      name: budgetName(prefix, key),
      scope: "account",
      accountName: config["platform:accounts"][key].name,
      accountId: accountIds[key],
      limit: ab.amount,
      currency: b.currency,
      thresholds,
      subscribers: b.subscribers,
      freezes: ab.freezeAtPercent !== undefined,
      freezeAtPercent: ab.freezeAtPercent ?? null,
    });
  }
  return rows;
}

/** Values a cost allocation tag may take, enforced by the tag policy. */
export function tagPolicyDocument(allowed: Record<string, string[]>): string {
  const tags: Record<string, unknown> = {};
  for (const [key, values] of Object.entries(allowed)) {
    tags[key] = {
      tag_key: { "@@assign": key },
      tag_value: { "@@assign": values },
      enforced_for: {
        "@@assign": [
          "ec2:instance",
          "ec2:volume",
          "s3:bucket",
          "lambda:function",
          "kms:key",
          "secretsmanager:secret",
        ],
      },
    };
  }
  return JSON.stringify({ tags });
}

/** The `environment` tag values the platform applies: management, then each account's. */
export function environmentTagValues(config: OrgConfig): string[] {
  const accounts = Object.entries(config["platform:accounts"]);
  return [...new Set(["management", ...accounts.map(([key, a]) => a.environment ?? key)])];
}

export interface MoneyArgs {
  readonly config: OrgConfig;
  readonly ctx: GuardrailContext;
  readonly accountIds: Record<string, pulumi.Input<string>>;
  readonly managementAccountId: pulumi.Input<string>;
  readonly freezePolicyId: pulumi.Input<string>;
  readonly freezePolicyArn: pulumi.Input<string>;
  readonly rootId: pulumi.Input<string>;
  /** The tag policy is created after it: CreatePolicy fails before the organization exists. */
  readonly organization: pulumi.Resource;
}

/**
 * Budgets with alerts and automatic freeze, the alert topic, cost allocation tags and their tag
 * policy, and cost anomaly detection: everything that keeps spend visible and bounded.
 */
export class Money extends pulumi.ComponentResource {
  readonly topic: aws.sns.Topic;

  constructor(name: string, args: MoneyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:org:Money", name, {}, opts);
    const { config, ctx } = args;
    const b = config["platform:budgets"];
    const prefix = config["platform:organization"].prefix;
    const child = { parent: this };

    const key = new EncryptionKey(
      `${name}-alerts`,
      {
        description: "Budget and cost anomaly alerts topic",
        alias: `${prefix}-budget-alerts`,
        servicePrincipals: ["budgets.amazonaws.com", "costalerts.amazonaws.com"],
      },
      child,
    );
    this.topic = new aws.sns.Topic(
      `${name}-alerts`,
      { name: ctx.alertTopicName, kmsMasterKeyId: key.arn },
      { ...child, protect: true },
    );
    // Budgets and Cost Anomaly Detection publish only once the topic policy allows them: each
    // waits for it (https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html).
    const topicPolicy = new aws.sns.TopicPolicy(
      `${name}-alerts`,
      {
        arn: this.topic.arn,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "BudgetsAndAnomalyDetectionPublish",
              Effect: "Allow",
              Principal: { Service: ["budgets.amazonaws.com", "costalerts.amazonaws.com"] },
              Action: "SNS:Publish",
              Resource: this.topic.arn,
              Condition: { StringEquals: { "aws:SourceAccount": args.managementAccountId } },
            },
          ],
        }),
      },
      child,
    );
    b.subscribers.forEach(
      (address, i) =>
        new aws.sns.TopicSubscription(
          `${name}-alerts-${i}`,
          { topic: this.topic.arn, protocol: "email", endpoint: address },
          child,
        ),
    );

    const notifications = (thresholds: Threshold[]) =>
      thresholds.map((t) => ({
        comparisonOperator: "GREATER_THAN",
        threshold: t.percent,
        thresholdType: "PERCENTAGE",
        notificationType: t.type === "actual" ? "ACTUAL" : "FORECASTED",
        subscriberSnsTopicArns: [this.topic.arn],
      }));
    new aws.budgets.Budget(
      `${name}-organization`,
      {
        name: budgetName(prefix, "organization"),
        budgetType: "COST",
        limitAmount: String(b.organization.amount),
        limitUnit: b.currency,
        timeUnit: "MONTHLY",
        notifications: notifications(b.thresholds),
      },
      { ...child, dependsOn: [topicPolicy] },
    );

    const freezing = Object.entries(b.accounts).filter(
      ([, ab]) => ab.freezeAtPercent !== undefined,
    );
    // Budgets may attach and detach the freeze policy, and only on the accounts marked to freeze.
    const actionRole = freezing.length
      ? new aws.iam.Role(
          `${name}-budget-action`,
          {
            name: ctx.budgetActionRoleName,
            description: "AWS Budgets attaches the freeze SCP to accounts over budget",
            assumeRolePolicy: pulumi.jsonStringify({
              Version: "2012-10-17",
              Statement: [
                {
                  Sid: "BudgetsOnly",
                  Effect: "Allow",
                  Principal: { Service: "budgets.amazonaws.com" },
                  Action: "sts:AssumeRole",
                  Condition: { StringEquals: { "aws:SourceAccount": args.managementAccountId } },
                },
              ],
            }),
          },
          { ...child, protect: true },
        )
      : undefined;
    // Its own resource: `inlinePolicies` on a role is deprecated in the v7 provider.
    const actionGrant = actionRole
      ? new aws.iam.RolePolicy(
          `${name}-budget-action`,
          {
            role: actionRole.name,
            name: "attach-freeze-only",
            policy: pulumi.jsonStringify({
              Version: "2012-10-17",
              Statement: [
                {
                  Sid: "FreezePolicyOnFreezableAccounts",
                  Effect: "Allow",
                  Action: ["organizations:AttachPolicy", "organizations:DetachPolicy"],
                  Resource: [
                    args.freezePolicyArn,
                    ...freezing.map(
                      ([k]) =>
                        pulumi.interpolate`arn:aws:organizations::${args.managementAccountId}:account/*/${args.accountIds[k]}`,
                    ),
                  ],
                },
                {
                  Sid: "ReadOrganization",
                  Effect: "Allow",
                  Action: [
                    "organizations:ListPolicies",
                    "organizations:DescribePolicy",
                    "organizations:ListTargetsForPolicy",
                  ],
                  Resource: "*",
                },
              ],
            }),
          },
          { ...child, protect: true },
        )
      : undefined;

    for (const [accountKey, ab] of Object.entries(b.accounts)) {
      const budget = new aws.budgets.Budget(
        `${name}-${accountKey}`,
        {
          name: budgetName(prefix, accountKey),
          budgetType: "COST",
          limitAmount: String(ab.amount),
          limitUnit: b.currency,
          timeUnit: "MONTHLY",
          costFilters: [{ name: "LinkedAccount", values: [args.accountIds[accountKey]] }],
          notifications: notifications(b.thresholds),
        },
        { ...child, dependsOn: [topicPolicy] },
      );
      if (ab.freezeAtPercent !== undefined && actionRole) {
        new aws.budgets.BudgetAction(
          `${name}-${accountKey}-freeze`,
          {
            budgetName: budget.name,
            actionType: "APPLY_SCP_POLICY",
            approvalModel: "AUTOMATIC",
            notificationType: "ACTUAL",
            actionThreshold: {
              actionThresholdType: "PERCENTAGE",
              actionThresholdValue: ab.freezeAtPercent,
            },
            definition: {
              scpActionDefinition: {
                policyId: args.freezePolicyId,
                targetIds: [args.accountIds[accountKey]],
              },
            },
            executionRoleArn: actionRole.arn,
            subscribers: b.subscribers.map((address) => ({ address, subscriptionType: "EMAIL" })),
          },
          { parent: budget, dependsOn: actionGrant ? [actionGrant] : [] },
        );
      }
    }

    // Cost allocation tags: constrained by a tag policy at the root, and activated in billing once
    // billing knows them. UpdateCostAllocationTagsStatus refuses a key that billing has not seen
    // yet (up to 24 hours after the first tagged usage), and the provider then fails the create
    // (terraform-provider-aws #29068 "empty result", #31442), so the first deploy leaves them out
    // and platform:tags.activateInBilling turns them on later (README, first deploy notes).
    const activated = config["platform:tags"].activateInBilling ? Object.values(TAG_KEYS) : [];
    for (const tagKey of activated) {
      new aws.costexplorer.CostAllocationTag(
        `${name}-tag-${tagKey}`,
        { tagKey, status: "Active" },
        child,
      );
    }
    const tags = config["platform:tags"];
    const tagPolicy = new aws.organizations.Policy(
      `${name}-tag-policy`,
      {
        name: `${prefix}-cost-allocation-tags`,
        description: "Values the platform's cost allocation tags may take",
        type: "TAG_POLICY",
        content: tagPolicyDocument({
          [TAG_KEYS.project]: [tags.project],
          // Every value the platform tags with: each account's provider tags its own
          // environment (or its key), and the tag policy enforces on the trail's bucket and key.
          [TAG_KEYS.environment]: environmentTagValues(config),
          [TAG_KEYS.costCenter]: [tags.costCenter],
          [TAG_KEYS.managedBy]: ["pulumi", "manual"],
        }),
      },
      { ...child, dependsOn: [args.organization] },
    );
    new aws.organizations.PolicyAttachment(
      `${name}-tag-policy-root`,
      { policyId: tagPolicy.id, targetId: args.rootId },
      { parent: tagPolicy },
    );

    // Anomaly detection per linked account, so a runaway account is named in the alert.
    const monitors = Object.entries(args.accountIds).map(
      ([k, id]) =>
        new aws.costexplorer.AnomalyMonitor(
          `${name}-anomaly-${k}`,
          {
            name: `${prefix}-${k}`,
            monitorType: "CUSTOM",
            monitorSpecification: pulumi.jsonStringify({
              Dimensions: { Key: "LINKED_ACCOUNT", Values: [id], MatchOptions: null },
              And: null,
              Or: null,
              Not: null,
              CostCategories: null,
              Tags: null,
            }),
          },
          child,
        ),
    );
    new aws.costexplorer.AnomalySubscription(
      `${name}-anomalies`,
      {
        name: `${prefix}-anomalies`,
        frequency: "IMMEDIATE",
        monitorArnLists: monitors.map((m) => m.arn),
        subscribers: [{ type: "SNS", address: this.topic.arn }],
        thresholdExpression: {
          dimension: {
            key: "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
            matchOptions: ["GREATER_THAN_OR_EQUAL"],
            values: [String(b.anomalyThresholdAmount)],
          },
        },
      },
      { ...child, dependsOn: [...monitors, topicPolicy] },
    );
    this.registerOutputs({ topicArn: this.topic.arn });
  }
}
