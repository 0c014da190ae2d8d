import { policy } from "../policies/ebs-encrypted-with-kms";
import { assertClean, assertOneViolation } from "./violations";
import { edited, planned } from "../../../tooling/testing/planned";

const KEY = "arn:aws:kms:us-east-1:136345661854:key/525007c1-4fdd-df45-b89a-29ba67975a69";

const dataVolume = planned("aws:ebs/volume:Volume", "dev-openems-data", {
  availabilityZone: "us-east-1a",
  size: 30,
  type: "gp3",
  encrypted: true,
  kmsKeyId: KEY,
});
const instance = planned("aws:ec2/instance:Instance", "dev-openems", {
  ami: "ami-1",
  instanceType: "t3.medium",
  rootBlockDevice: { encrypted: true, kmsKeyId: KEY, volumeType: "gp3", volumeSize: 8 },
  ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: true, kmsKeyId: KEY, volumeSize: 10 }],
});
const template = planned("aws:ec2/launchTemplate:LaunchTemplate", "dev-workers", {
  blockDeviceMappings: [
    { deviceName: "/dev/xvda", ebs: { encrypted: "true", kmsKeyId: KEY, volumeSize: 8 } },
    { deviceName: "/dev/sdb", virtualName: "ephemeral0" },
  ],
});
const HAPPY = [dataVolume, instance, template];

describe("ebs-encrypted-with-kms", () => {
  it("passes volumes, root and attached devices and template mappings encrypted with the platform key", async () => {
    assertClean(policy, HAPPY);
  });

  const cases: { what: string; resource: ReturnType<typeof planned>; expect: RegExp[] }[] = [
    {
      what: "an unencrypted data volume",
      resource: edited(dataVolume, (r) => (r.inputs.encrypted = false)),
      expect: [/volume is not encrypted \(encrypted: false\)/],
    },
    {
      what: "a data volume on the AWS-managed key",
      resource: edited(dataVolume, (r) => delete r.inputs.kmsKeyId),
      expect: [/volume is encrypted with the AWS-managed aws\/ebs key/],
    },
    {
      what: "an instance without a declared root device",
      resource: edited(instance, (r) => delete r.inputs.rootBlockDevice),
      expect: [/root device \(rootBlockDevice\) is not declared/],
    },
    {
      what: "an unencrypted attached device",
      resource: edited(instance, (r) => delete r.inputs.ebsBlockDevices[0].encrypted),
      expect: [/ebsBlockDevices\[0\] \(\/dev\/sdf\) is not encrypted \(encrypted: not set\)/],
    },
    {
      what: "a launch template mapping that is not encrypted",
      resource: edited(template, (r) => (r.inputs.blockDeviceMappings[0].ebs.encrypted = "false")),
      expect: [/blockDeviceMappings\[0\]\.ebs is not encrypted/],
    },
  ];
  for (const c of cases) {
    it(`reports ${c.what}`, async () => {
      const others = HAPPY.filter((r) => r.name !== c.resource.name);
      assertOneViolation(policy, [...others, c.resource], c.resource.urn, c.expect);
    });
  }
});
