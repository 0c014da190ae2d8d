import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadOrgConfig } from "./config";
import { OrganizationStructure } from "./structure";
import { Exports, orgContract } from "../platform/contracts";
import { platformTags } from "../platform/tags";
import { ENVIRONMENTS } from "../platform/repo";

export = async (): Promise<Exports<typeof orgContract>> => {
  const config = loadOrgConfig();
  const org = config["platform:organization"];
  const tags = config["platform:tags"];
  const provider = new aws.Provider("management", {
    region: org.homeRegion as aws.Region,
    allowedAccountIds: org.managementAccountId ? [org.managementAccountId] : undefined,
    defaultTags: { tags: platformTags(tags, "management") },
  });
  const structure = new OrganizationStructure("org", { config }, { provider });

  const accounts = config["platform:accounts"];
  const environments = Object.fromEntries(
    ENVIRONMENTS.map((env) => {
      const key = Object.keys(accounts).find((k) => accounts[k].environment === env)!;
      const account = structure.accounts[key];
      return [
        env,
        {
          accountId: account.id,
          accountName: accounts[key].name,
          deployRoleArn: pulumi.interpolate`arn:aws:iam::${account.id}:role/${org.prefix}-deploy`,
        },
      ];
    }),
  );
  return {
    environments: environments as any,
    tags: { project: tags.project, owner: tags.owner, costCenter: tags.costCenter },
    allowedRegions: org.allowedRegions,
    organizationId: structure.organization.id,
  };
};
