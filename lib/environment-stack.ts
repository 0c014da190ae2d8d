import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { EnvironmentContext } from "./config/environment";
import { orgContract, readUpstream, stackRefName, Upstream } from "./contracts";
import { environmentProvider } from "./providers";
import { platformTags } from "./tags";

export interface EnvironmentStack {
  readonly org: Upstream<typeof orgContract>;
  readonly provider: aws.Provider;
  readonly tags: pulumi.Output<Record<string, string>>;
  /**
   * Every provider the stack's components need, for `{ providers }`: the AWS one plus explicit
   * tls and random providers (default providers are disabled in every stack file).
   */
  readonly providers: pulumi.ProviderResource[];
}

/** The org stack's name for this environment's stacks, from the one naming helper. */
export function orgStackName(env: EnvironmentContext): string {
  return stackRefName(
    env.org["platform:organization"].pulumiOrg,
    "org",
    "management",
    env.section.stackRefs.org,
  );
}

/**
 * What every environment stack starts with: the org stack's outputs and an AWS provider that assumes
 * the environment's deploy role in its account, tagging everything with the cost allocation tags.
 */
export function environmentStack(env: EnvironmentContext): EnvironmentStack {
  const org = readUpstream(orgContract, orgStackName(env));
  const account = org.environments.apply((environments) => {
    const a = environments[env.name];
    if (!a)
      throw new Error(
        `Upstream stack ${orgStackName(env)}: output "environments.${env.name}" is missing`,
      );
    return a;
  });
  const tags = org.tags.apply((t) => platformTags(t, env.name));
  const provider = environmentProvider(env.name, {
    accountId: account.accountId,
    // CI previews of pull requests (PLATFORM_CI_READ_ONLY=true) assume the deploy role's read-only
    // twin, which the org stack creates with platform:github (org/github.ts).
    deployRoleArn:
      process.env.PLATFORM_CI_READ_ONLY === "true"
        ? pulumi.interpolate`${account.deployRoleArn}-preview`
        : account.deployRoleArn,
    region: env.section.region,
    tags,
    sessionName: `pulumi-${pulumi.getProject()}-${env.name}`,
  });
  const local = [new tls.Provider("tls"), new random.Provider("random")];
  return { org, provider, tags, providers: [provider, ...local] };
}
