import { Finding, ReadinessRule, eachResource } from "../rule";

const NAME = "fixed-name-replaceable";

/**
 * Types whose physical name is unique in its scope and set once: the name property, and what makes
 * the provider replace the resource (ForceNew in terraform-provider-aws, which @pulumi/aws bridges).
 */
const FIXED_NAMES: Readonly<
  Record<string, { name: string; prefix: string; forceNew: string[]; source: string }>
> = {
  // internal/service/ec2/vpc_security_group.go: name, name_prefix, description and vpc_id are
  // ForceNew; CreateSecurityGroup with a name the VPC already has fails InvalidGroup.Duplicate.
  "aws:ec2/securityGroup:SecurityGroup": {
    name: "name",
    prefix: "namePrefix",
    forceNew: ["name", "description", "vpcId"],
    source: "terraform-provider-aws internal/service/ec2/vpc_security_group.go",
  },
};

export const fixedNameReplaceable: ReadinessRule = {
  name: NAME,
  description:
    "A resource with a fixed physical name that can be replaced must be deleteBeforeReplace or " +
    "auto-named: Pulumi creates the replacement first, and a second resource with the same name " +
    "fails (security groups: name and description are ForceNew in terraform-provider-aws " +
    "internal/service/ec2/vpc_security_group.go, a duplicate fails InvalidGroup.Duplicate, " +
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html).",
  check(plans) {
    const findings: Finding[] = [];
    for (const { stack, resource: r } of eachResource(plans)) {
      const spec = FIXED_NAMES[r.type];
      if (!spec || r.inputs[spec.name] === undefined || r.deleteBeforeReplace) continue;
      findings.push({
        rule: NAME,
        stack,
        urn: r.urn,
        message:
          `${spec.name} "${r.inputs[spec.name]}" is fixed, and a change to any of ` +
          `${spec.forceNew.join(", ")} replaces it create-first, which fails on the duplicate name (${spec.source})`,
        fix: `use ${spec.prefix} (auto-naming) instead of ${spec.name}, or set deleteBeforeReplace: true`,
      });
    }
    return findings;
  },
};
