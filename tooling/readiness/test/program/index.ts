// A tiny program the plan-fields test plans: one of each option the plan JSON records.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

class Box extends pulumi.ComponentResource {
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("platform:test:Box", name, {}, opts);
    new aws.sns.Topic(`${name}-inner`, {}, { parent: this });
    this.registerOutputs({});
  }
}

export = async () => {
  const provider = new aws.Provider("fixture", { region: "eu-central-1" });
  const topic = new aws.sns.Topic("first", {}, { provider });
  const box = new Box("box", { dependsOn: [topic], providers: { aws: provider } });
  new aws.sns.TopicPolicy(
    "second",
    { arn: topic.arn, policy: "{}" },
    {
      provider,
      dependsOn: [box],
      deleteBeforeReplace: true,
      replaceOnChanges: ["arn"],
      ignoreChanges: ["policy"],
      import: "arn:aws:sns:eu-central-1:111111111111:first",
    },
  );
  return {};
};
