import { policy } from "../policies/ec2-imdsv2-required";
import { assertClean, assertOneViolation } from "./violations";
import { edited, planned } from "../../../tooling/testing/planned";

const instance = planned("aws:ec2/instance:Instance", "dev-vpn", {
  ami: "ami-1",
  instanceType: "t4g.nano",
  metadataOptions: { httpTokens: "required", httpEndpoint: "enabled", httpPutResponseHopLimit: 1 },
  tags: { role: "vpn-server" },
});
const template = planned("aws:ec2/launchTemplate:LaunchTemplate", "dev-backend", {
  imageId: "ami-1",
  metadataOptions: { httpTokens: "required" },
});
const noMetadataService = planned("aws:ec2/instance:Instance", "dev-batch", {
  ami: "ami-1",
  instanceType: "t4g.nano",
  metadataOptions: { httpEndpoint: "disabled" },
});
const HAPPY = [instance, template, noMetadataService];

describe("ec2-imdsv2-required", () => {
  it("passes instances and launch templates that require tokens, and an instance without a metadata service", async () => {
    assertClean(policy, HAPPY);
  });

  const cases: { what: string; resource: ReturnType<typeof planned>; expect: RegExp[] }[] = [
    {
      what: "an instance with optional tokens (IMDSv1)",
      resource: edited(instance, (r) => (r.inputs.metadataOptions.httpTokens = "optional")),
      expect: [/instance metadataOptions.httpTokens is "optional"; expected "required"/],
    },
    {
      what: "an instance without metadataOptions",
      resource: edited(instance, (r) => delete r.inputs.metadataOptions),
      expect: [/instance metadataOptions.httpTokens is not set/],
    },
    {
      what: "a launch template with optional tokens",
      resource: edited(template, (r) => (r.inputs.metadataOptions.httpTokens = "optional")),
      expect: [/launch template metadataOptions.httpTokens is "optional"/],
    },
  ];
  for (const c of cases) {
    it(`reports ${c.what}`, async () => {
      const others = HAPPY.filter((r) => r.name !== c.resource.name);
      assertOneViolation(policy, [...others, c.resource], c.resource.urn, c.expect);
    });
  }
});
