import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { scpPolicyName } from "../lib/names";
import { FREEZE_POLICY_NAME, PolicyKind, RCP_KIND, ScpDocument, SCP_KIND } from "./guardrails";
import { RcpPlan, ScpPlan } from "./guardrail-plans";

export interface GuardrailsArgs {
  readonly plan: ScpPlan;
  readonly rcps: RcpPlan;
  readonly prefix: string;
  /** Resolves `root`, `ou:<path>` and `account:<key>` to the organization's ids. */
  readonly targetId: (target: string) => pulumi.Input<string>;
  /**
   * CreatePolicy fails before the organization exists, and the component's own `dependsOn` does not
   * reach its children (pulumi/pulumi#8721): each policy depends on the Organization itself.
   * The Organization also enables the root policy types (enabledPolicyTypes), so an attachment
   * that depends on it finds its type enabled (AttachPolicy fails with PolicyTypeNotEnabled else).
   */
  readonly organization: aws.organizations.Organization;
}

/** One Organizations policy per SCP and RCP file, attached where the plans say; `freeze` is only created. */
export class Guardrails extends pulumi.ComponentResource {
  /** The SCPs by file name. */
  readonly policies: Record<string, aws.organizations.Policy> = {};
  /** The RCPs by file name. */
  readonly rcps: Record<string, aws.organizations.Policy> = {};

  constructor(name: string, args: GuardrailsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:org:Guardrails", name, {}, opts);
    this.addKind(
      name,
      SCP_KIND,
      args,
      this.policies,
      args.plan.policies,
      args.plan.attachments,
      (n) => args.plan.policies.find((p) => p.name === n)!.minified,
    );
    const rendered = args.organization.id.apply((id) =>
      Object.fromEntries(args.rcps.render(id).map((p) => [p.name, p.minified])),
    );
    this.addKind(name, RCP_KIND, args, this.rcps, args.rcps.policies, args.rcps.attachments, (n) =>
      rendered.apply((r) => r[n]),
    );
    this.registerOutputs({});
  }

  /**
   * The policies of one kind and their attachments. Each policy and each attachment depends on the
   * Organization, which enables the kind's root policy type: a child does not inherit the
   * component's dependsOn (pulumi/pulumi#8721).
   */
  private addKind(
    name: string,
    kind: PolicyKind,
    args: GuardrailsArgs,
    into: Record<string, aws.organizations.Policy>,
    policies: readonly ScpDocument[],
    attachments: Readonly<Record<string, readonly string[]>>,
    content: (policy: string) => pulumi.Input<string>,
  ): void {
    // SCPs keep the resource names they had before RCPs existed; RCPs carry `rcp-`.
    const stem = kind === SCP_KIND ? name : `${name}-${kind.folder}`;
    for (const doc of policies) {
      into[doc.name] = new aws.organizations.Policy(
        `${stem}-${doc.name}`,
        {
          name: scpPolicyName(args.prefix, doc.name),
          description: doc.description.slice(0, 512),
          type: kind.policyType,
          content: content(doc.name),
        },
        { parent: this, dependsOn: [args.organization] },
      );
    }
    for (const [policy, targets] of Object.entries(attachments)) {
      // The budget action attaches freeze; the stack only creates it.
      if (kind === SCP_KIND && policy === FREEZE_POLICY_NAME) continue;
      for (const target of targets) {
        new aws.organizations.PolicyAttachment(
          `${stem}-${policy}-${target.replace(/[:/]/g, "-")}`,
          { policyId: into[policy].id, targetId: args.targetId(target) },
          // An attachment waits for the Organization through its policy's id already; RCP
          // attachments also name it, since it is what enables their policy type. SCP attachments
          // keep the dependencies they were deployed with.
          {
            parent: into[policy],
            ...(kind === SCP_KIND ? {} : { dependsOn: [args.organization] }),
          },
        );
      }
    }
  }
}
