import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadOrgConfig } from "./config";
import {
  AdoptionPlan,
  OrganizationStructure,
  PLATFORM_POLICY_TYPES,
  SERVICE_ACCESS_PRINCIPALS,
  adoptedOuProblems,
  adoptionPlan,
} from "./structure";
import { ConfigError } from "../lib/config/errors";
import { guardrailContext } from "../lib/names";
import { planRcps, planScps } from "./guardrail-plans";
import { Guardrails } from "./scps";
import { AccountAccess, ORGANIZATION_ACCESS_ROLE, trustedPrincipals } from "./access";
import { AccessRoleAlarm } from "./access-role";
import { IdentityCenter, readIdentityCenter } from "./identity";
import { AuditTrail } from "./trail";
import { budgetSummaries, Money } from "./money";
import { FREEZE_POLICY_NAME } from "./guardrails";
import { BudgetSummary, Exports, orgContract } from "../lib/contracts";
import { platformTags } from "../lib/tags";
import { ENVIRONMENTS } from "../lib/repo";
import { OuPath } from "../lib/config/org";
import { MANAGEMENT_KEY } from "../lib/config/identity";
import { AGENT_ENVIRONMENTS } from "../lib/config/edge";
import { ciRoleNames, GithubCi } from "./github";

export = async (): Promise<Exports<typeof orgContract> & Record<string, unknown>> => {
  // Everything that can be wrong with config or the SCP files fails here, before any resource.
  const config = loadOrgConfig();
  const ctx = guardrailContext(config);
  const scps = planScps(config, ctx);
  const rcps = planRcps(config, ctx);

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
  // Identity Center can only be enabled by hand; without an instance nothing else is created.
  const identity = config["platform:identity"];
  const identityRegion = identity.region ?? org.homeRegion;
  const identityProvider =
    identityRegion === org.homeRegion
      ? provider
      : new aws.Provider("identity-center", {
          region: identityRegion as aws.Region,
          allowedAccountIds: org.managementAccountId ? [org.managementAccountId] : undefined,
          defaultTags: { tags },
        });
  const instance = await readIdentityCenter(identityProvider, identityRegion);
  const trust = trustedPrincipals(
    managementAccountId,
    identityRegion,
    identity.trust,
    org.adminPrincipalArns,
  );

  // Adopting: read what the organization already uses before anything is registered, so the
  // import keeps it (see adoptionPlan) and a wrong id fails here with a config error.
  let adoption: AdoptionPlan | undefined;
  if (config["platform:adopt"]) {
    const existing = await aws.organizations.getOrganization({}, { provider });
    adoption = adoptionPlan(config, existing, managementAccountId, {
      principals: SERVICE_ACCESS_PRINCIPALS,
      policyTypes: PLATFORM_POLICY_TYPES,
    });
    const rootId = existing.roots[0]?.id ?? "";
    const parents = [
      ...new Set(
        Object.keys(adoption.ous).map((p) =>
          p.includes("/") ? adoption!.ous[p.slice(0, p.lastIndexOf("/")) as OuPath] : rootId,
        ),
      ),
    ].filter((p): p is string => Boolean(p));
    const children = new Map<string, string[]>();
    for (const parentId of parents) {
      const found = await aws.organizations.getOrganizationalUnits({ parentId }, { provider });
      children.set(
        parentId,
        found.children.map((c) => c.id),
      );
    }
    const misplaced = adoptedOuProblems(adoption.ous, rootId, (p) => children.get(p) ?? []);
    if (misplaced.length) throw new ConfigError("org/management", misplaced);
    pulumi.log.info(
      `adopting ${adoption.organizationId}: enables ${[...adoption.addedServicePrincipals, ...adoption.addedPolicyTypes].join(", ") || "nothing new"}; keeps everything already enabled`,
    );
  }
  const structure = new OrganizationStructure("org", { config, adoption }, { provider });
  const targetId = (target: string): pulumi.Input<string> => {
    if (target === "root") return structure.rootId;
    const [kind, ref] = target.split(":");
    return kind === "ou" ? structure.ous[ref as OuPath].id : structure.accounts[ref].id;
  };
  const guardrails = new Guardrails(
    "guardrails",
    { plan: scps, rcps, prefix: org.prefix, targetId, organization: structure.organization },
    { provider, dependsOn: [structure] },
  );

  // With platform:github, the CI deploy role may assume the environments' deploy roles too.
  const github = config["platform:github"];
  const ciDeployArn = github
    ? [`arn:aws:iam::${managementAccountId}:role/${ciRoleNames(ctx).deploy}`]
    : [];
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
          roleArn: pulumi.interpolate`arn:aws:iam::${id}:role/${ORGANIZATION_ACCESS_ROLE}`,
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
        trust: ciDeployArn.length ? { ...trust, deploy: [...trust.deploy, ...ciDeployArn] } : trust,
        deployRole: account.environment !== undefined,
        agentRole: AGENT_ENVIRONMENTS.includes(account.environment ?? ""),
        accessRole: account.accessRole,
      },
      { provider: accountProviders[key] },
    );
  }

  // Every use of OrganizationAccountAccessRole, the org stack's own included, is mailed.
  new AccessRoleAlarm(
    "access-alarm",
    {
      prefix: org.prefix,
      managementAccountId,
      subscribers: config["platform:budgets"].subscribers,
    },
    { provider },
  );

  const ci = github
    ? new GithubCi(
        "ci",
        {
          ctx,
          prefix: org.prefix,
          github,
          managementAccountId,
          environments: Object.fromEntries(
            Object.entries(accounts)
              .filter(([, a]) => a.environment !== undefined)
              .map(([key, a]) => [
                a.environment!,
                { accountId: structure.accounts[key].id, provider: accountProviders[key] },
              ]),
          ),
        },
        { provider, dependsOn: Object.values(access) },
      )
    : undefined;

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
      objectLock: config["platform:trail"].objectLock,
      archiveProvider: archiveKey ? accountProviders[archiveKey] : provider,
    },
    { provider },
  );

  const accountIds = Object.fromEntries(
    Object.keys(accounts).map((k) => [k, structure.accounts[k].id]),
  );
  const identityCenter = new IdentityCenter(
    "identity",
    {
      identity,
      instance,
      accounts,
      accountIds: { ...accountIds, [MANAGEMENT_KEY]: managementAccountId },
      accountProviders: { ...accountProviders, [MANAGEMENT_KEY]: provider },
      trail: { bucketArn: trail.bucket.arn, keyArn: trail.key.arn },
    },
    { provider: identityProvider, dependsOn: [structure] },
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
    access: identityCenter.access({
      accounts,
      accountIds: { ...accountIds, [MANAGEMENT_KEY]: managementAccountId },
    }),
    guardrails: Object.fromEntries(Object.entries(guardrails.policies).map(([n, p]) => [n, p.id])),
    ...(ci ? { ci: { previewRoleArn: ci.previewRole.arn, deployRoleArn: ci.deployRole.arn } } : {}),
    // Only when adopting: what the import takes over and what it adds (nothing is disabled).
    ...(adoption
      ? {
          adoption: {
            organizationId: adoption.organizationId,
            importedOus: adoption.ous,
            importedAccounts: adoption.accounts,
            addsServicePrincipals: adoption.addedServicePrincipals,
            addsPolicyTypes: adoption.addedPolicyTypes,
          },
        }
      : {}),
  };
};
