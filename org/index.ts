import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadOrgConfig } from "./config";
import { OrganizationStructure } from "./structure";
import { guardrailContext } from "../lib/names";
import { Guardrails, planScps } from "./scps";
import { AccountAccess } from "./access";
import { AuditTrail } from "./trail";
import { budgetSummaries, Money } from "./money";
import { FREEZE_POLICY_NAME } from "./guardrails";
import { BudgetSummary, Exports, orgContract } from "../lib/contracts";
import { platformTags } from "../lib/tags";
import { ENVIRONMENTS } from "../lib/repo";
import { OuPath } from "../lib/config/org";

export = async (): Promise<Exports<typeof orgContract> & Record<string, unknown>> => {
  // Everything that can be wrong with config or the SCP files fails here, before any resource.
  const config = loadOrgConfig();
  const ctx = guardrailContext(config);
  const scps = planScps(config, ctx);

  const org = config["platform:organization"];
  const tagValues = config["platform:tags"];
  const accounts = config["platform:accounts"];
  const tags = platformTags(tagValues, "management");
  const provider = new aws.Provider("management", {
    region: org.homeRegion as aws.Region,
    allowedAccountIds: org.managementAccountId ? [org.managementAccountId] : undefined,
    defaultTags: { tags },
  });
  const managementAccountId = (await aws.getCallerIdentity({}, { provider })).accountId;

  const structure = new OrganizationStructure("org", { config }, { provider });
  const targetId = (target: string): pulumi.Input<string> => {
    if (target === "root") return structure.rootId;
    const [kind, ref] = target.split(":");
    return kind === "ou" ? structure.ous[ref as OuPath].id : structure.accounts[ref].id;
  };
  const guardrails = new Guardrails(
    "guardrails",
    { plan: scps, prefix: org.prefix, targetId, organization: structure.organization },
    { provider, dependsOn: [structure] },
  );

  // Each member account is reached through the role Organizations created in it.
  const accountProviders: Record<string, aws.Provider> = {};
  const access: Record<string, AccountAccess> = {};
  for (const [key, account] of Object.entries(accounts)) {
    const id = structure.accounts[key].id;
    accountProviders[key] = new aws.Provider(`account-${key}`, {
      region: org.homeRegion as aws.Region,
      allowedAccountIds: [id],
      assumeRoles: [
        {
          roleArn: pulumi.interpolate`arn:aws:iam::${id}:role/OrganizationAccountAccessRole`,
          sessionName: "pulumi-org",
        },
      ],
      defaultTags: { tags: platformTags(tagValues, account.environment ?? key) },
    });
    access[key] = new AccountAccess(
      `access-${key}`,
      {
        ctx,
        accountId: id,
        managementAccountId,
        adminPrincipalArns: org.adminPrincipalArns,
        deployRole: account.environment !== undefined,
        agentRole: account.environment === "dev",
      },
      { provider: accountProviders[key] },
    );
  }

  const archiveKey = Object.keys(accounts).find((k) => accounts[k].ou === "security");
  const trail = new AuditTrail(
    "audit",
    {
      ctx,
      organizationId: structure.organization.id,
      managementAccountId,
      archiveAccountId: archiveKey ? structure.accounts[archiveKey].id : managementAccountId,
      homeRegion: org.homeRegion,
      archiveAfterDays: config["platform:trail"].archiveAfterDays,
      expireAfterDays: config["platform:trail"].expireAfterDays,
      archiveProvider: archiveKey ? accountProviders[archiveKey] : provider,
    },
    { provider },
  );

  const accountIds = Object.fromEntries(
    Object.keys(accounts).map((k) => [k, structure.accounts[k].id]),
  );
  const freeze = guardrails.policies[FREEZE_POLICY_NAME];
  const money = new Money(
    "money",
    {
      config,
      ctx,
      accountIds,
      managementAccountId,
      freezePolicyId: freeze.id,
      freezePolicyArn: freeze.arn,
      rootId: structure.rootId,
      organization: structure.organization,
    },
    { provider },
  );

  const environments = Object.fromEntries(
    ENVIRONMENTS.map((env) => {
      const key = Object.keys(accounts).find((k) => accounts[k].environment === env)!;
      return [
        env,
        {
          accountId: structure.accounts[key].id,
          accountName: accounts[key].name,
          deployRoleArn: access[key].deployRole!.arn,
        },
      ];
    }),
  );
  const budgets: pulumi.Output<BudgetSummary[]> = pulumi
    .all(accountIds)
    .apply((ids) => budgetSummaries(config, ids as Record<string, string>, managementAccountId));

  return {
    environments: environments as any,
    tags: { project: tagValues.project, owner: tagValues.owner, costCenter: tagValues.costCenter },
    allowedRegions: org.allowedRegions,
    organizationId: structure.organization.id,
    budgets,
    alertTopicArn: money.topic.arn,
    trail: { name: trail.trail.name, bucket: trail.bucket.id, keyArn: trail.key.arn },
    guardrails: Object.fromEntries(Object.entries(guardrails.policies).map(([n, p]) => [n, p.id])),
  };
};
