import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EncryptionKey } from "../lib/components/kms";

/** The role Organizations creates in every account it creates (aws.organizations.Account roleName). */
export const ORGANIZATION_ACCESS_ROLE = "OrganizationAccountAccessRole";

/**
 * The trust Organizations gives the role it creates in a new account: every principal of the
 * management account whose own policies allow sts:AssumeRole ("Accessing member accounts in your
 * organization", AWS Organizations User Guide:
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_access.html).
 * The first deploy imports the role with exactly this, because an import must match the resource
 * as it is (the `import` resource option, https://www.pulumi.com/docs/iac/concepts/options/import/).
 */
export function organizationsDefaultTrust(managementAccountId: string): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${managementAccountId}:root` },
        Action: "sts:AssumeRole",
      },
    ],
  };
}

/**
 * The narrowed trust: only the principals that run the org stack (the Identity Center roles of the
 * sets that hold break-glass, and platform:organization.adminPrincipalArns). CI roles are not among
 * them: they deploy the environments through the deploy roles and never the org stack.
 */
export function organizationAccessTrust(
  managementAccountId: string,
  orgStackPrincipals: readonly string[],
): object {
  if (orgStackPrincipals.length === 0)
    throw new Error(
      "organizationAccessTrust: got no principals; expected the roles that run the org stack (an empty list would lock the org stack out of every member account)",
    );
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "OrgStackOperatorsOnly",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${managementAccountId}:root` },
        Action: "sts:AssumeRole",
        Condition: { ArnLike: { "aws:PrincipalArn": [...orgStackPrincipals] } },
      },
    ],
  };
}

export interface OrganizationAccessRoleArgs {
  readonly managementAccountId: string;
  readonly orgStackPrincipals: readonly string[];
  /** `import`: take the role over as Organizations made it; `narrowed`: the narrowed trust. */
  readonly mode: "import" | "narrowed";
}

/**
 * OrganizationAccountAccessRole of one member account, held by the org stack through the provider
 * that assumes it. Imported (never created: Organizations made it with the account), protected,
 * and kept on delete, so neither a destroy nor a refactor of this component can remove the org
 * stack's way into the account. Its inline AdministratorAccess policy stays as Organizations made
 * it; only the trust is managed.
 */
export class OrganizationAccessRole extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;

  constructor(
    name: string,
    args: OrganizationAccessRoleArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("platform:org:OrganizationAccessRole", name, {}, opts);
    const trust =
      args.mode === "narrowed"
        ? organizationAccessTrust(args.managementAccountId, args.orgStackPrincipals)
        : organizationsDefaultTrust(args.managementAccountId);
    this.role = new aws.iam.Role(
      `${name}-role`,
      { name: ORGANIZATION_ACCESS_ROLE, assumeRolePolicy: JSON.stringify(trust) },
      {
        parent: this,
        import: ORGANIZATION_ACCESS_ROLE,
        protect: true,
        retainOnDelete: true,
        // Organizations sets none of these; the provider's default tags would make the import
        // differ from the role as it is.
        ignoreChanges: ["tags", "tagsAll", "description", "maxSessionDuration", "path"],
      },
    );
    this.registerOutputs({ arn: this.role.arn });
  }
}

/**
 * The EventBridge pattern of every AssumeRole of OrganizationAccountAccessRole in any account, as
 * CloudTrail records it in the caller's account (the management account: only its principals are
 * trusted). AssumeRole is a read-only management event, which a rule receives only in the state
 * ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS ("Receiving read-only management events from AWS
 * services", Amazon EventBridge User Guide:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail-management.html).
 */
export function accessRoleUsePattern(): object {
  return {
    source: ["aws.sts"],
    "detail-type": ["AWS API Call via CloudTrail"],
    detail: {
      eventSource: ["sts.amazonaws.com"],
      eventName: ["AssumeRole"],
      requestParameters: {
        roleArn: [{ wildcard: `arn:aws:iam::*:role/${ORGANIZATION_ACCESS_ROLE}` }],
      },
    },
  };
}

export interface AccessRoleAlarmArgs {
  readonly prefix: string;
  readonly managementAccountId: string;
  readonly subscribers: readonly string[];
}

/**
 * Mails every use of OrganizationAccountAccessRole (who, from where, into which account) to the
 * platform's subscribers, from the management account's default event bus in the home region.
 * The org stack's own deploys use the role too, so each deploy sends one mail per account: the
 * point is that no other use goes unseen. An AssumeRole sent to the STS endpoint of another region
 * is recorded (and matched) in that region only; this rule covers the home region, where the org
 * stack's providers call STS.
 */
export class AccessRoleAlarm extends pulumi.ComponentResource {
  readonly rule: aws.cloudwatch.EventRule;
  readonly topic: aws.sns.Topic;

  constructor(name: string, args: AccessRoleAlarmArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:org:AccessRoleAlarm", name, {}, opts);
    const child = { parent: this };
    const key = new EncryptionKey(
      `${name}-key`,
      {
        description: "Alerts on the use of OrganizationAccountAccessRole",
        alias: `${args.prefix}-security-alerts`,
        servicePrincipals: ["events.amazonaws.com"],
      },
      child,
    );
    this.topic = new aws.sns.Topic(
      `${name}-topic`,
      { name: `${args.prefix}-security-alerts`, kmsMasterKeyId: key.arn },
      child,
    );
    this.rule = new aws.cloudwatch.EventRule(
      `${name}-rule`,
      {
        name: `${args.prefix}-organization-access-role-use`,
        description: "Every AssumeRole of OrganizationAccountAccessRole, from CloudTrail",
        eventPattern: JSON.stringify(accessRoleUsePattern()),
        state: "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
      },
      child,
    );
    const policy = new aws.sns.TopicPolicy(
      `${name}-topic`,
      {
        arn: this.topic.arn,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "OnlyTheAccessRoleRulePublishes",
              Effect: "Allow",
              Principal: { Service: "events.amazonaws.com" },
              Action: "SNS:Publish",
              Resource: this.topic.arn,
              Condition: { ArnEquals: { "aws:SourceArn": this.rule.arn } },
            },
          ],
        }),
      },
      child,
    );
    new aws.cloudwatch.EventTarget(
      `${name}-target`,
      { rule: this.rule.name, arn: this.topic.arn },
      { ...child, dependsOn: [policy] },
    );
    args.subscribers.forEach(
      (address, i) =>
        new aws.sns.TopicSubscription(
          `${name}-mail-${i}`,
          { topic: this.topic.arn, protocol: "email", endpoint: address },
          child,
        ),
    );
    this.registerOutputs({ topicArn: this.topic.arn, ruleArn: this.rule.arn });
  }
}
