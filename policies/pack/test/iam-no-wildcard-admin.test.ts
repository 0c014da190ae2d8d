import { repositoryDefaults } from "../defaults";
import { policy } from "../policies/iam-no-wildcard-admin";
import { assertClean, assertOneViolation } from "./violations";
import { edited, planned } from "../../../tooling/testing/planned";

const BREAK_GLASS = repositoryDefaults().breakGlassRoleName;
const BOUNDARY = repositoryDefaults().boundaryPolicyNames[0];
const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";
const doc = (statements: object[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement: statements });
const EVERYTHING = { Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" };

const breakGlass = planned("aws:iam/role:Role", "access-dev-break-glass", {
  name: BREAK_GLASS,
  assumeRolePolicy: "{}",
  managedPolicyArns: [ADMIN],
});
const deploy = planned("aws:iam/role:Role", "access-dev-deploy", {
  name: "platform-deploy",
  assumeRolePolicy: "{}",
  managedPolicyArns: ["arn:aws:iam::aws:policy/PowerUserAccess"],
  inlinePolicies: [
    {
      name: "workload-identities",
      policy: doc([{ Sid: "ManageRoles", Effect: "Allow", Action: ["iam:*Role*"], Resource: "*" }]),
    },
  ],
});
const boundary = planned("aws:iam/policy:Policy", "access-dev-agent-boundary", {
  name: BOUNDARY,
  policy: doc([
    { Sid: "CeilingIsEverythingBelow", Effect: "Allow", Action: "*", Resource: "*" },
    { Sid: "NoKeys", Effect: "Deny", Action: "iam:CreateAccessKey", Resource: "*" },
  ]),
});
const appliancePolicy = planned("aws:iam/rolePolicy:RolePolicy", "dev-vpn", {
  role: "dev-vpn-1a2b3c",
  policy: doc([
    { Sid: "Metrics", Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*" },
    { Effect: "Deny", Action: "*", Resource: "*" },
  ]),
});
const ssmAttachment = planned("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "dev-vpn-ssm", {
  role: "dev-vpn-1a2b3c",
  policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
});
const HAPPY = [breakGlass, deploy, boundary, appliancePolicy, ssmAttachment];

describe("iam-no-wildcard-admin", () => {
  it("passes the break-glass role's AdministratorAccess, scoped grants, Denies on * and the agent boundary", async () => {
    assertClean(policy, HAPPY);
  });

  const cases: { what: string; resource: ReturnType<typeof planned>; expect: RegExp[] }[] = [
    {
      what: "AdministratorAccess on a role that is not break-glass",
      resource: edited(deploy, (r) => r.inputs.managedPolicyArns.push(ADMIN)),
      expect: [
        /role platform-deploy attaches arn:aws:iam::aws:policy\/AdministratorAccess/,
        new RegExp(`only the break-glass role ${BREAK_GLASS}`),
      ],
    },
    {
      what: "an inline policy with * on *",
      resource: edited(deploy, (r) => (r.inputs.inlinePolicies[0].policy = doc([EVERYTHING]))),
      expect: [
        /role platform-deploy inline policy workload-identities allows "\*" on "\*" \(statement "Everything"\)/,
      ],
    },
    {
      what: "a managed policy with *:* on * (not a boundary)",
      resource: edited(boundary, (r) =>
        Object.assign(r.inputs, {
          name: "ops-admin",
          policy: doc([{ Effect: "Allow", Action: ["s3:GetObject", "*:*"], Resource: ["*"] }]),
        }),
      ),
      expect: [/managed policy ops-admin allows "\*" on "\*" \(statement 0\)/],
    },
    {
      what: "a role policy resource with * on *",
      resource: edited(appliancePolicy, (r) => (r.inputs.policy = doc([EVERYTHING]))),
      expect: [/inline policy dev-vpn of role dev-vpn-1a2b3c allows "\*" on "\*"/],
    },
    {
      what: "an attachment of AdministratorAccess to another role",
      resource: edited(ssmAttachment, (r) => (r.inputs.policyArn = ADMIN)),
      expect: [/attachment dev-vpn-ssm to role dev-vpn-1a2b3c attaches .*AdministratorAccess/],
    },
    {
      what: "the agent boundary attached as a permission policy",
      resource: edited(deploy, (r) =>
        r.inputs.managedPolicyArns.push(`arn:aws:iam::136345661854:policy/${BOUNDARY}`),
      ),
      expect: [
        new RegExp(
          `attaches the permissions boundary arn:aws:iam::136345661854:policy/${BOUNDARY} as a permission policy`,
        ),
      ],
    },
  ];
  for (const c of cases) {
    it(`reports ${c.what}`, async () => {
      const others = HAPPY.filter((r) => r.name !== c.resource.name);
      assertOneViolation(policy, [...others, c.resource], c.resource.urn, c.expect);
    });
  }

  it("reports users and groups whatever their name", async () => {
    const user = planned("aws:iam/userPolicyAttachment:UserPolicyAttachment", "fallback-admin", {
      user: BREAK_GLASS,
      policyArn: ADMIN,
    });
    assertOneViolation(policy, [user], user.urn, [new RegExp(`to user ${BREAK_GLASS} attaches`)]);
    const group = planned("aws:iam/groupPolicy:GroupPolicy", "admins", {
      group: "admins",
      policy: doc([EVERYTHING]),
    });
    assertOneViolation(policy, [group], group.urn, [/inline policy admins of group admins allows/]);
  });

  it("reads the break-glass role's name from the pack's config", async () => {
    assertOneViolation(policy, [breakGlass], breakGlass.urn, [/AdministratorAccess/], {
      [policy.name]: { breakGlassRoleName: "acme-break-glass" },
    });
  });
});
