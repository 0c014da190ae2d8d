import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface EnvironmentProviderArgs {
  /** The member account; the provider refuses to act on any other. */
  readonly accountId: pulumi.Input<string>;
  /** The deploy role the org stack created in that account. */
  readonly deployRoleArn: pulumi.Input<string>;
  readonly region: string;
  /** Default tags applied to every taggable resource (cost allocation tags). */
  readonly tags: pulumi.Input<Record<string, string>>;
  /** Names the assumed-role session so CloudTrail shows which stack acted. */
  readonly sessionName: string;
}

/**
 * The provider of an environment stack. It assumes the deploy role rather than trusting ambient
 * credentials, and pins the account, so a shell pointed at the wrong account fails instead of
 * deploying there.
 */
export function environmentProvider(
  name: string,
  args: EnvironmentProviderArgs,
  opts?: pulumi.ResourceOptions,
): aws.Provider {
  return new aws.Provider(
    name,
    {
      region: args.region as aws.Region,
      allowedAccountIds: [args.accountId],
      assumeRoles: [{ roleArn: args.deployRoleArn, sessionName: args.sessionName.slice(0, 64) }],
      defaultTags: { tags: args.tags },
    },
    opts,
  );
}
