import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Lets SSM Session Manager in (the only way onto a host) and the agent report inventory. */
export const SSM_CORE_POLICY_ARN = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";

/** A trust policy that lets one AWS service assume the role, optionally under conditions. */
export function serviceTrust(
  service: string,
  condition?: Record<string, unknown>,
): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        ...(condition ? { Condition: condition } : {}),
      },
    ],
  });
}

export interface InstanceRoleArgs {
  readonly description: string;
  /** The role's own permissions, beside Session Manager's managed policy. */
  readonly policy?: pulumi.Input<string>;
  readonly tags?: Record<string, string>;
}

/**
 * The role and instance profile of an EC2 host: Session Manager's managed policy plus an inline
 * policy with only what the host itself needs.
 */
export class InstanceRole extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;
  readonly profile: aws.iam.InstanceProfile;

  constructor(name: string, args: InstanceRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:security:InstanceRole", name, {}, opts);
    const child = { parent: this };
    this.role = new aws.iam.Role(
      name,
      {
        description: args.description,
        assumeRolePolicy: serviceTrust("ec2.amazonaws.com"),
        tags: args.tags,
      },
      child,
    );
    const grants: pulumi.Resource[] = [
      new aws.iam.RolePolicyAttachment(
        `${name}-ssm`,
        { role: this.role.name, policyArn: SSM_CORE_POLICY_ARN },
        child,
      ),
    ];
    if (args.policy)
      grants.push(
        new aws.iam.RolePolicy(name, { role: this.role.name, policy: args.policy }, child),
      );
    // The profile waits for the role's permissions, so an instance launched with it (which waits
    // for the profile) boots with them: the first-boot scripts do not retry.
    this.profile = new aws.iam.InstanceProfile(
      name,
      { role: this.role.name, tags: args.tags },
      { ...child, dependsOn: grants },
    );
    this.registerOutputs({ roleArn: this.role.arn });
  }
}
