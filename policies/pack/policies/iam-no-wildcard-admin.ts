import * as aws from "@pulumi/aws";
import { ReportViolation, ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { repositoryDefaults } from "../defaults";
import { settings, stringListProperty, stringProperty } from "../lib/config";
import { ADMINISTRATOR_ACCESS } from "../lib/conventions";
import { isPolicyNamed, wildcardGrants } from "../lib/iam";
import { asList, read, show } from "../lib/values";

export const appliesTo = [
  "aws:iam/role:Role",
  "aws:iam/policy:Policy",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  "aws:iam/groupPolicy:GroupPolicy",
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
  "aws:iam/policyAttachment:PolicyAttachment",
] as const;

interface Config {
  /** The one role allowed every action on every resource: break-glass administration. */
  breakGlassRoleName: string;
  /** Managed policies used only as permissions boundaries (a ceiling, never a grant). */
  boundaryPolicyNames: string[];
}

const defaults = (): Config => ({
  breakGlassRoleName: repositoryDefaults().breakGlassRoleName,
  boundaryPolicyNames: [...repositoryDefaults().boundaryPolicyNames],
});

/** Reports a document's `"*"` on `"*"` statements. */
function checkDocument(document: () => unknown, what: string, report: ReportViolation) {
  const grants = wildcardGrants(read(document));
  if (grants.length) {
    report(
      `${what} allows "*" on "*" (${grants.join(", ")}); grant the actions and resources the principal needs.`,
    );
  }
}

/** Reports AdministratorAccess, or a boundary policy used as a grant, among attached policy ARNs. */
function checkAttached(arns: unknown[], c: Config, what: string, report: ReportViolation) {
  for (const arn of arns) {
    if (typeof arn !== "string") continue;
    if (ADMINISTRATOR_ACCESS.test(arn)) {
      report(
        `${what} attaches ${arn}, which allows "*" on "*"; only the break-glass role ${c.breakGlassRoleName} may.`,
      );
    } else if (isPolicyNamed(arn, c.boundaryPolicyNames)) {
      report(
        `${what} attaches the permissions boundary ${arn} as a permission policy; it allows "*" and may only be a boundary.`,
      );
    }
  }
}

const isBreakGlass = (role: unknown, c: Config) => read(() => role) === c.breakGlassRoleName;
const name = (get: () => unknown, fallback: string | number) => show(read(get) ?? fallback);

export const policy: ResourceValidationPolicy = {
  name: "iam-no-wildcard-admin",
  description:
    'Checks that no IAM identity policy allows "*" actions on "*" resources (inline, managed or ' +
    "AdministratorAccess), except on the break-glass role.",
  enforcementLevel: "mandatory",
  severity: "critical",
  configSchema: {
    properties: {
      breakGlassRoleName: stringProperty(
        "Name of the break-glass role, the only principal allowed every action.",
        defaults().breakGlassRoleName,
      ),
      boundaryPolicyNames: stringListProperty(
        "Managed policies used only as permissions boundaries: their Allow * is a ceiling, not a grant.",
        defaults().boundaryPolicyNames,
      ),
    },
  },
  validateResource: [
    validateResourceOfType(aws.iam.Role, (role, args, report) => {
      const c = settings(args, defaults());
      if (isBreakGlass(role.name, c)) return;
      const what = `role ${name(() => role.name, args.name)}`;
      asList(read(() => role.inlinePolicies)).forEach((p, i) =>
        checkDocument(() => p.policy, `${what} inline policy ${name(() => p.name, i)}`, report),
      );
      checkAttached(asList(read(() => role.managedPolicyArns)), c, what, report);
    }),
    validateResourceOfType(aws.iam.Policy, (policy, args, report) => {
      const c = settings(args, defaults());
      const policyName = read(() => policy.name);
      // A boundary's Allow * is the documented pattern: the effective permissions are the
      // intersection with the role's own policies, minus the boundary's Denies.
      if (typeof policyName === "string" && c.boundaryPolicyNames.includes(policyName)) return;
      checkDocument(
        () => policy.policy,
        `managed policy ${name(() => policyName, args.name)}`,
        report,
      );
    }),
    validateResourceOfType(aws.iam.RolePolicy, (p, args, report) => {
      if (isBreakGlass(p.role, settings(args, defaults()))) return;
      checkDocument(
        () => p.policy,
        `inline policy ${args.name} of role ${name(() => p.role, "?")}`,
        report,
      );
    }),
    validateResourceOfType(aws.iam.RolePolicyAttachment, (a, args, report) => {
      const c = settings(args, defaults());
      if (isBreakGlass(a.role, c)) return;
      checkAttached(
        [read(() => a.policyArn)],
        c,
        `attachment ${args.name} to role ${name(() => a.role, "?")}`,
        report,
      );
    }),
    validateResourceOfType(aws.iam.UserPolicy, (p, args, report) =>
      checkDocument(
        () => p.policy,
        `inline policy ${args.name} of user ${name(() => p.user, "?")}`,
        report,
      ),
    ),
    validateResourceOfType(aws.iam.UserPolicyAttachment, (a, args, report) => {
      const what = `attachment ${args.name} to user ${name(() => a.user, "?")}`;
      checkAttached([read(() => a.policyArn)], settings(args, defaults()), what, report);
    }),
    validateResourceOfType(aws.iam.GroupPolicy, (p, args, report) =>
      checkDocument(
        () => p.policy,
        `inline policy ${args.name} of group ${name(() => p.group, "?")}`,
        report,
      ),
    ),
    validateResourceOfType(aws.iam.GroupPolicyAttachment, (a, args, report) => {
      const what = `attachment ${args.name} to group ${name(() => a.group, "?")}`;
      checkAttached([read(() => a.policyArn)], settings(args, defaults()), what, report);
    }),
    validateResourceOfType(aws.iam.PolicyAttachment, (a, args, report) => {
      const c = settings(args, defaults());
      const roles = asList(read(() => a.roles)).filter((r) => !isBreakGlass(r, c));
      const principals = [
        ...roles,
        ...asList(read(() => a.users)),
        ...asList(read(() => a.groups)),
      ];
      if (principals.length === 0) return;
      const what = `attachment ${args.name} (to ${principals.map((p) => show(p)).join(", ")})`;
      checkAttached([read(() => a.policyArn)], c, what, report);
    }),
  ],
};
