import type { PlannedResource, StackPlan } from "../../stack-plan";
import { Finding, ReadinessRule, stackKey, waitsFor } from "../rule";

const NAME = "waits-for-permissions";

const ROLE = "aws:iam/role:Role";
const ROLE_POLICIES = new Set([
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
]);
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";

/** The role a resource hands to a service, as role ARN or name, and why it matters at create. */
const ROLE_USERS: Readonly<Record<string, { role: (r: PlannedResource) => unknown; why: string }>> =
  {
    "aws:ec2/instance:Instance": {
      role: (r) => r.inputs.iamInstanceProfile,
      why: "the first boot runs with the profile's role; its script does not retry",
    },
    "aws:lambda/function:Function": {
      role: (r) => (r.inputs.vpcConfig ? r.inputs.role : undefined),
      why: "CreateFunction with vpcConfig checks the role may create network interfaces",
    },
    "aws:ec2/flowLog:FlowLog": {
      role: (r) => r.inputs.iamRoleArn,
      why: "delivery fails until the role may write the log group",
    },
  };

/** The SNS topics a resource publishes to, which need the topic's policy to allow it. */
const TOPIC_USERS: Readonly<Record<string, (r: PlannedResource) => unknown[]>> = {
  "aws:budgets/budget:Budget": (r) =>
    (r.inputs.notifications ?? []).flatMap((n: any) => n.subscriberSnsTopicArns ?? []),
  "aws:costexplorer/anomalySubscription:AnomalySubscription": (r) =>
    (r.inputs.subscribers ?? []).filter((s: any) => s.type === "SNS").map((s: any) => s.address),
};

function permissionsIndex(plan: StackPlan) {
  const roleByRef = new Map<unknown, PlannedResource>();
  for (const r of plan.resources.filter((r) => r.type === ROLE)) {
    roleByRef.set(r.id, r);
    roleByRef.set(r.state.arn, r);
    if (r.state.name) roleByRef.set(r.state.name, r);
  }
  // An instance names its profile; the profile names its role.
  for (const p of plan.resources.filter(
    (r) => r.type === "aws:iam/instanceProfile:InstanceProfile",
  )) {
    const role = roleByRef.get(p.inputs.role);
    if (!role) continue;
    for (const ref of [p.id, p.state.name, p.state.arn]) if (ref) roleByRef.set(ref, role);
  }
  const policiesOf = new Map<string, PlannedResource[]>();
  for (const r of plan.resources.filter((r) => ROLE_POLICIES.has(r.type))) {
    const role = roleByRef.get(r.inputs.role);
    if (role) policiesOf.set(role.urn, [...(policiesOf.get(role.urn) ?? []), r]);
  }
  const topicPolicies = new Map<unknown, PlannedResource[]>();
  for (const r of plan.resources.filter((r) => r.type === TOPIC_POLICY))
    topicPolicies.set(r.inputs.arn, [...(topicPolicies.get(r.inputs.arn) ?? []), r]);
  return { roleByRef, policiesOf, topicPolicies };
}

export const waitsForPermissions: ReadinessRule = {
  name: NAME,
  description:
    "A resource that hands a role to a service or publishes to a topic waits for the policies that " +
    "grant it: IAM and resource policies are not in place until their own create completes, and " +
    "the engine runs creates in parallel unless a dependency orders them " +
    "(https://www.pulumi.com/docs/iac/concepts/options/dependson/). Instances wait for their " +
    "profile role's policies, VPC Lambdas for their role's (https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions), " +
    "flow logs for their delivery role's (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html), " +
    "budgets and anomaly subscriptions for the SNS topic policy (https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html).",
  check(plans) {
    const findings: Finding[] = [];
    for (const plan of plans) {
      const { roleByRef, policiesOf, topicPolicies } = permissionsIndex(plan);
      const before = waitsFor(plan);
      const report = (r: PlannedResource, missing: PlannedResource[], why: string) => {
        const absent = missing.filter((p) => !before(r.urn).has(p.urn));
        if (absent.length)
          findings.push({
            rule: NAME,
            stack: stackKey(plan),
            urn: r.urn,
            message: `may be created before ${absent.map((p) => `${p.type.split(":").pop()} ${p.name}`).join(", ")}: ${why}`,
            fix: `add ${absent.length > 1 ? "them" : "it"} to the resource's dependsOn (or to a resource it already waits for)`,
          });
      };
      for (const r of plan.resources) {
        const roleUser = ROLE_USERS[r.type];
        if (roleUser) {
          const role = roleByRef.get(roleUser.role(r));
          if (role) report(r, policiesOf.get(role.urn) ?? [], roleUser.why);
        }
        const topics = TOPIC_USERS[r.type]?.(r) ?? [];
        const policies = [...new Set(topics)].flatMap((t) => topicPolicies.get(t) ?? []);
        report(r, policies, "the service cannot publish until the topic policy allows it");
      }
    }
    return findings;
  },
};
