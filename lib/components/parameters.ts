import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** SSM standard parameters hold 4 KB for free; anything larger would need the paid tier. */
export const SSM_STANDARD_LIMIT_BYTES = 4096;

export interface SecureParameterArgs {
  /** The parameter's path, e.g. /openems/dev/vpn/server-cert. */
  readonly name: string;
  readonly value: pulumi.Input<string>;
  /** Customer-managed key the value is encrypted with. */
  readonly keyId: pulumi.Input<string>;
  readonly description: string;
  readonly tags?: Record<string, string>;
}

/**
 * A free (standard tier) SecureString parameter holding a Pulumi secret. A value over the
 * standard tier's 4 KB fails the deployment with the parameter's name, instead of silently
 * needing the paid tier.
 */
export function secureParameter(
  resourceName: string,
  args: SecureParameterArgs,
  opts: pulumi.CustomResourceOptions,
): aws.ssm.Parameter {
  // An Output is used as it is: `pulumi.output` of an Output would add one more apply per parameter.
  const input = pulumi.Output.isInstance(args.value) ? args.value : pulumi.output(args.value);
  const value = input.apply((text) => {
    const bytes = Buffer.byteLength(text);
    if (bytes > SSM_STANDARD_LIMIT_BYTES) {
      throw new Error(
        `SSM parameter ${args.name}: ${bytes} bytes exceed the ${SSM_STANDARD_LIMIT_BYTES}-byte standard tier`,
      );
    }
    return text;
  });
  return new aws.ssm.Parameter(
    resourceName,
    {
      name: args.name,
      type: "SecureString",
      tier: "Standard",
      keyId: args.keyId,
      // @pulumi/aws wraps `value` in pulumi.secret itself (ssm/parameter.js) and lists it in
      // additionalSecretOutputs, so the value is secret in state without a second wrapper here.
      value,
      description: args.description,
      tags: args.tags,
    },
    opts,
  );
}
