import * as assert from "assert";
import type { PlannedResource } from "../../stack-plan";
import { estimateEnvironment, estimateStack } from "../estimate";
import { loadPrices } from "../prices";
import { DEFAULT_USAGE, Usage, usageSection } from "../usage";
import { awsProvider, fixtureArn, planned, PlannedOptions, stackPlan } from "../../testing/planned";

/** A planned resource whose outputs carry an ARN: the rules join backups and groups by ARN. */
const res = (
  type: string,
  name: string,
  inputs: Record<string, any> = {},
  opts: PlannedOptions = {},
): PlannedResource =>
  planned(type, name, inputs, { state: { ...inputs, arn: fixtureArn(name) }, ...opts });

const prices = loadPrices();

function usageWith(edit: (u: any) => void): Usage {
  const raw: any = {};
  edit(raw);
  return usageSection.parse(raw);
}

/** The items one resource produced: [price key, quantity, monthly USD]. */
function itemsOf(resources: PlannedResource[], name: string, usage: Usage = DEFAULT_USAGE) {
  const est = estimateStack(stackPlan(resources), usage, prices);
  return {
    items: est.items
      .filter((i) => i.resource === name)
      .map((i) => [i.priceKey, i.quantity, i.monthlyUsd] as const),
    descriptions: est.items.filter((i) => i.resource === name).map((i) => i.description),
    unpriced: est.unpriced.filter((u) => u.resource === name),
    free: est.free,
    total: est.totalUsd,
  };
}

interface Case {
  what: string;
  resources: PlannedResource[];
  name: string;
  usage?: Usage;
  items: (readonly [string, number, number])[];
  /** A fragment every description-joined text must contain: how the quantity was derived. */
  says?: string;
}

const vpc = (natGateways: Record<string, any> | undefined, extra: Record<string, any> = {}) =>
  res(
    "awsx:ec2:Vpc",
    "vpc",
    {
      availabilityZoneNames: ["us-east-1a", "us-east-1b", "us-east-1c"],
      subnetSpecs: [
        { type: "Private", cidrBlocks: ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"] },
        { type: "Public", cidrBlocks: ["10.0.96.0/22", "10.0.100.0/22", "10.0.104.0/22"] },
      ],
      ...(natGateways ? { natGateways } : {}),
      ...extra,
    },
    {
      custom: false,
      id: null,
      state: {
        publicSubnetIds: ["subnet-pub-a", "subnet-pub-b", "subnet-pub-c"],
        privateSubnetIds: ["subnet-priv-a"],
      },
    },
  );

const CASES: Case[] = [
  {
    what: "an instance: hours of its type and its declared root volume",
    resources: [
      res("aws:ec2/instance:Instance", "vpn", {
        instanceType: "t4g.nano",
        rootBlockDevice: { volumeType: "gp3", volumeSize: 8 },
      }),
    ],
    name: "vpn",
    items: [
      ["ec2.instance.t4g.nano", 730, 3.07],
      ["ebs.gp3.storage", 8, 0.64],
    ],
  },
  {
    what: "an instance whose root size is left to the AMI: the usage assumption",
    resources: [res("aws:ec2/instance:Instance", "host", { instanceType: "t3.medium" })],
    name: "host",
    usage: usageWith((u) => (u.ebs = { rootVolumeGb: 20 })),
    items: [
      ["ec2.instance.t3.medium", 730, 30.37],
      ["ebs.gp3.storage", 20, 1.6],
    ],
    says: "platform:cost.ebs.rootVolumeGb",
  },
  {
    what: "an instance with detailed monitoring, extra volumes and an explicit public address",
    resources: [
      res("aws:ec2/instance:Instance", "host", {
        instanceType: "t3.large",
        monitoring: true,
        associatePublicIpAddress: true,
        rootBlockDevice: { volumeSize: 10 },
        ebsBlockDevices: [
          {
            deviceName: "/dev/sdf",
            volumeSize: 100,
            volumeType: "gp3",
            iops: 4000,
            throughput: 250,
          },
        ],
      }),
    ],
    name: "host",
    items: [
      ["ec2.instance.t3.large", 730, 60.74],
      ["ebs.gp3.storage", 10, 0.8],
      ["ebs.gp3.storage", 100, 8],
      ["ebs.gp3.iops", 1000, 5],
      ["ebs.gp3.throughput", 125, 5],
      ["cloudwatch.metric", 7, 2.1],
      ["vpc.public-ipv4", 730, 3.65],
    ],
  },
  {
    what: "an instance launched into an awsx public subnet gets a public IPv4 it pays for",
    resources: [
      vpc({ strategy: "None" }),
      res("aws:ec2/instance:Instance", "bastion", {
        instanceType: "t4g.micro",
        rootBlockDevice: { volumeSize: 8 },
        subnetId: "subnet-pub-b",
      }),
    ],
    name: "bastion",
    items: [
      ["ec2.instance.t4g.micro", 730, 6.13],
      ["ebs.gp3.storage", 8, 0.64],
      ["vpc.public-ipv4", 730, 3.65],
    ],
    says: "public subnet",
  },
  {
    what: "an instance whose interface carries an Elastic IP pays for that address only once, on the Eip",
    resources: [
      vpc({ strategy: "None" }),
      res("aws:ec2/networkInterface:NetworkInterface", "eni", { subnetId: "subnet-pub-a" }),
      res("aws:ec2/eip:Eip", "eip", { domain: "vpc", networkInterface: "eni-id" }),
      res("aws:ec2/instance:Instance", "nat", {
        instanceType: "t4g.nano",
        rootBlockDevice: { volumeSize: 8 },
        primaryNetworkInterface: { networkInterfaceId: "eni-id" },
      }),
    ],
    name: "nat",
    items: [
      ["ec2.instance.t4g.nano", 730, 3.07],
      ["ebs.gp3.storage", 8, 0.64],
    ],
  },
  {
    what: "an Elastic IP",
    resources: [res("aws:ec2/eip:Eip", "eip", { domain: "vpc" })],
    name: "eip",
    items: [["vpc.public-ipv4", 730, 3.65]],
  },
  {
    what: "a gp3 volume with IOPS and throughput above the free baseline",
    resources: [
      res("aws:ebs/volume:Volume", "data", { size: 30, type: "gp3", iops: 3000, throughput: 125 }),
    ],
    name: "data",
    items: [["ebs.gp3.storage", 30, 2.4]],
  },
  {
    what: "a volume without a type: AWS's default gp2",
    resources: [res("aws:ebs/volume:Volume", "old", { size: 50 })],
    name: "old",
    items: [["ebs.gp2.storage", 50, 5]],
    says: "default gp2",
  },
  {
    what: "a NAT gateway: hours and the processed-GB assumption",
    resources: [res("aws:ec2/natGateway:NatGateway", "nat", { subnetId: "s" })],
    name: "nat",
    items: [
      ["vpc.nat-gateway.hour", 730, 32.85],
      ["vpc.nat-gateway.gb", 20, 0.9],
    ],
  },
  {
    what: "awsx VPC, strategy Single: one NAT gateway and its public IPv4, derived from the component's arguments",
    resources: [vpc({ strategy: "Single" })],
    name: "vpc",
    items: [
      ["vpc.nat-gateway.hour", 730, 32.85],
      ["vpc.nat-gateway.gb", 20, 0.9],
      ["vpc.public-ipv4", 730, 3.65],
    ],
    says: "awsx natGateways.strategy Single",
  },
  {
    what: "awsx VPC, strategy OnePerAz: one NAT gateway per zone",
    resources: [vpc({ strategy: "OnePerAz" })],
    name: "vpc",
    items: [
      ["vpc.nat-gateway.hour", 2190, 98.55],
      ["vpc.nat-gateway.gb", 60, 2.7],
      ["vpc.public-ipv4", 2190, 10.95],
    ],
    says: "3 zones",
  },
  {
    what: "awsx VPC without natGateways and with public and private subnets: awsx's default is one per zone",
    resources: [vpc(undefined)],
    name: "vpc",
    items: [
      ["vpc.nat-gateway.hour", 2190, 98.55],
      ["vpc.nat-gateway.gb", 60, 2.7],
      ["vpc.public-ipv4", 2190, 10.95],
    ],
    says: "awsx default",
  },
  {
    what: "awsx VPC, strategy None: a zero line that says so",
    resources: [vpc({ strategy: "None" })],
    name: "vpc",
    items: [["vpc.nat-gateway.hour", 0, 0]],
    says: "NAT gateways: 0",
  },
  {
    what: "awsx VPC with given Elastic IPs (priced on their Eip) and an interface endpoint spec",
    resources: [
      vpc(
        { strategy: "Single", elasticIpAllocationIds: ["eipalloc-1"] },
        {
          vpcEndpointSpecs: [
            {
              serviceName: "com.amazonaws.us-east-1.ssm",
              vpcEndpointType: "Interface",
              subnetIds: ["a", "b"],
            },
          ],
        },
      ),
    ],
    name: "vpc",
    items: [
      ["vpc.nat-gateway.hour", 730, 32.85],
      ["vpc.nat-gateway.gb", 20, 0.9],
      ["vpc.interface-endpoint.hour", 1460, 14.6],
      ["vpc.interface-endpoint.gb", 1, 0.01],
    ],
  },
  {
    what: "an interface endpoint: per zone-hour, zones from its subnets",
    resources: [
      res("aws:ec2/vpcEndpoint:VpcEndpoint", "ssm", {
        vpcEndpointType: "Interface",
        serviceName: "com.amazonaws.us-east-1.ssm",
        subnetIds: ["a", "b"],
      }),
    ],
    name: "ssm",
    items: [
      ["vpc.interface-endpoint.hour", 1460, 14.6],
      ["vpc.interface-endpoint.gb", 1, 0.01],
    ],
    says: "2 zone(s)",
  },
  {
    what: "an internet-facing application load balancer: hours, capacity units and one public IPv4 per subnet",
    resources: [res("aws:lb/loadBalancer:LoadBalancer", "alb", { subnets: ["a", "b"] })],
    name: "alb",
    items: [
      ["elb.alb.hour", 730, 16.43],
      ["elb.alb.lcu", 730, 5.84],
      ["vpc.public-ipv4", 1460, 7.3],
    ],
  },
  {
    what: "an internal network load balancer: no public address",
    resources: [
      res("aws:lb/loadBalancer:LoadBalancer", "nlb", {
        loadBalancerType: "network",
        internal: true,
        subnets: ["a", "b"],
      }),
    ],
    name: "nlb",
    items: [
      ["elb.nlb.hour", 730, 16.43],
      ["elb.nlb.nlcu", 730, 4.38],
    ],
  },
  {
    what: "a KMS key and its requests",
    resources: [res("aws:kms/key:Key", "key", { enableKeyRotation: true })],
    name: "key",
    items: [
      ["kms.key", 1, 1],
      ["kms.requests", 1, 0.03],
    ],
    says: "rotation",
  },
  {
    what: "a secret with a replica",
    resources: [
      res("aws:secretsmanager/secret:Secret", "s", { replicas: [{ region: "us-west-2" }] }),
    ],
    name: "s",
    items: [
      ["secretsmanager.secret", 2, 0.8],
      ["secretsmanager.api", 1, 0.05],
    ],
  },
  {
    what: "an advanced SSM parameter",
    resources: [res("aws:ssm/parameter:Parameter", "p", { tier: "Advanced", value: "x" })],
    name: "p",
    items: [["ssm.parameter.advanced", 1, 0.05]],
  },
  {
    what: "an Intelligent-Tiering parameter over 4 KB is advanced",
    resources: [
      res("aws:ssm/parameter:Parameter", "big", {
        tier: "Intelligent-Tiering",
        value: "x".repeat(5000),
      }),
    ],
    name: "big",
    items: [["ssm.parameter.advanced", 1, 0.05]],
  },
  {
    what: "a log group: ingestion assumption and storage over its retention",
    resources: [
      res("aws:cloudwatch/logGroup:LogGroup", "app", {
        name: "/openems/app",
        retentionInDays: 365,
      }),
    ],
    name: "app",
    usage: usageWith((u) => (u.logs = { ingestGbPerGroup: 2 })),
    items: [
      ["logs.ingestion.standard", 2, 1],
      ["logs.storage", 24, 0.72],
    ],
    says: "365 days retention",
  },
  {
    what: "a log group that receives a VPC flow log uses the flow-log volume",
    resources: [
      res("aws:cloudwatch/logGroup:LogGroup", "flows", { name: "/vpc/flows", retentionInDays: 0 }),
      res("aws:ec2/flowLog:FlowLog", "flow", {
        logDestination: "arn:aws:fixture:us-east-1:222222222222:flows",
        vpcId: "v",
      }),
    ],
    name: "flows",
    usage: usageWith((u) => (u.logs = { flowLogGbPerMonth: 3, neverExpireMonths: 6 })),
    items: [
      ["logs.ingestion.standard", 3, 1.5],
      ["logs.storage", 18, 0.54],
    ],
    says: "never expires",
  },
  {
    what: "a standard alarm",
    resources: [
      res("aws:cloudwatch/metricAlarm:MetricAlarm", "a", {
        period: 300,
        metricName: "CPUUtilization",
      }),
    ],
    name: "a",
    items: [["cloudwatch.alarm.standard", 1, 0.1]],
  },
  {
    what: "a high-resolution alarm",
    resources: [res("aws:cloudwatch/metricAlarm:MetricAlarm", "a", { period: 10 })],
    name: "a",
    items: [["cloudwatch.alarm.high-resolution", 1, 0.3]],
  },
  {
    what: "an anomaly detection alarm counts three metrics",
    resources: [
      res("aws:cloudwatch/metricAlarm:MetricAlarm", "a", {
        metricQueries: [
          { id: "m1", metric: { metricName: "X", period: 300 } },
          { id: "ad", expression: "ANOMALY_DETECTION_BAND(m1)" },
        ],
      }),
    ],
    name: "a",
    items: [["cloudwatch.alarm.standard", 3, 0.3]],
  },
  {
    what: "a Lambda function: requests, GB-seconds and the log group Lambda creates when no program does",
    resources: [
      res("aws:lambda/function:Function", "proxy", {
        name: "mbe-proxy",
        memorySize: 256,
        architectures: ["arm64"],
      }),
    ],
    name: "proxy",
    usage: usageWith(
      (u) => (u.lambda = { requestsPerFunction: 1_000_000, averageDurationMs: 100 }),
    ),
    items: [
      ["lambda.requests", 1, 0.2],
      ["lambda.gb-second.arm", 25000, 0.33],
      ["logs.ingestion.standard", 0.5, 0.25],
      ["logs.storage", 6, 0.18],
    ],
    says: "/aws/lambda/mbe-proxy",
  },
  {
    what: "a Lambda function whose log group is in the plan adds no log line of its own",
    resources: [
      res("aws:lambda/function:Function", "proxy", { name: "mbe-proxy" }),
      res("aws:cloudwatch/logGroup:LogGroup", "proxy-logs", {
        name: "/aws/lambda/mbe-proxy",
        retentionInDays: 30,
      }),
    ],
    name: "proxy",
    items: [
      ["lambda.requests", 0.1, 0.02],
      ["lambda.gb-second.x86", 3750, 0.06],
    ],
  },
  {
    what: "an S3 bucket: stored GB and requests",
    resources: [res("aws:s3/bucketV2:BucketV2", "ccd", {})],
    name: "ccd",
    items: [
      ["s3.standard.storage", 1, 0.02],
      ["s3.put", 10, 0.05],
      ["s3.get", 100, 0.04],
    ],
  },
  {
    what: "a DLM policy: snapshots of the volumes its target tags match, kept as its retain rule says",
    resources: [
      res("aws:ebs/volume:Volume", "data", { size: 100, type: "gp3", tags: { Backup: "daily" } }),
      res("aws:ebs/volume:Volume", "scratch", {
        size: 500,
        type: "gp3",
        tags: { Backup: "never" },
      }),
      res("aws:dlm/lifecyclePolicy:LifecyclePolicy", "daily", {
        policyDetails: {
          resourceTypes: ["VOLUME"],
          targetTags: { Backup: "daily" },
          schedules: [
            { createRule: { interval: 24, intervalUnit: "HOURS" }, retainRule: { count: 11 } },
          ],
        },
      }),
    ],
    name: "daily",
    items: [["ebs.snapshot.standard", 65, 3.25]],
    says: "data (100 GB)",
  },
  {
    what: "an AWS Backup selection: recovery points of the instances it names, kept deleteAfter days",
    resources: [
      res("aws:ec2/instance:Instance", "host", {
        instanceType: "t3.small",
        rootBlockDevice: { volumeSize: 20 },
      }),
      res("aws:backup/plan:Plan", "plan", {
        rules: [
          {
            ruleName: "daily",
            targetVaultName: "v",
            schedule: "cron(0 3 * * ? *)",
            lifecycle: { deleteAfter: 35 },
          },
        ],
      }),
      res("aws:backup/selection:Selection", "sel", {
        planId: "plan-id",
        resources: ["arn:aws:fixture:us-east-1:222222222222:host"],
      }),
    ],
    name: "sel",
    usage: usageWith((u) => (u.ebs = { snapshotUsedShare: 0.5, snapshotDailyChangeShare: 0.02 })),
    items: [["ebs.snapshot.standard", 16.8, 0.84]],
    says: "35 kept",
  },
  {
    what: "an auto scaling group: its launch template's instances times the desired capacity",
    resources: [
      res("aws:ec2/launchTemplate:LaunchTemplate", "lt", {
        instanceType: "t4g.small",
        blockDeviceMappings: [
          { deviceName: "/dev/xvda", ebs: { volumeSize: 10, volumeType: "gp3" } },
        ],
      }),
      res("aws:autoscaling/group:Group", "asg", {
        desiredCapacity: 2,
        minSize: 1,
        maxSize: 3,
        launchTemplate: { id: "lt-id", version: "$Latest" },
      }),
    ],
    name: "asg",
    items: [
      ["ec2.instance.t4g.small", 1460, 24.53],
      ["ebs.gp3.storage", 20, 1.6],
    ],
  },
  {
    what: "a second trail pays for its copy of management events; the first is free",
    resources: [
      res("aws:cloudtrail/trail:Trail", "a-org", { isOrganizationTrail: true }),
      res("aws:cloudtrail/trail:Trail", "b-extra", {}),
    ],
    name: "b-extra",
    items: [["cloudtrail.management-additional", 5, 10]],
  },
  {
    what: "a third action-enabled budget is billed beyond the 62 free budget-days",
    resources: ["a", "b", "c"].map((n) =>
      res("aws:budgets/budgetAction:BudgetAction", `act-${n}`, { budgetName: `budget-${n}` }),
    ),
    name: "act-c",
    items: [["budgets.action-enabled", 29.25, 2.93]],
  },
  {
    what: "an e-mail subscription",
    resources: [
      res("aws:sns/topicSubscription:TopicSubscription", "mail", {
        protocol: "email",
        endpoint: "finance@example.com",
      }),
    ],
    name: "mail",
    usage: usageWith((u) => (u.notifications = { emailsPerSubscription: 100_000 })),
    items: [["sns.email", 1, 2]],
  },
  {
    what: "a hosted zone",
    resources: [res("aws:route53/zone:Zone", "zone", { name: "example.com" })],
    name: "zone",
    items: [
      ["route53.hosted-zone", 1, 0.5],
      ["route53.queries", 1, 0.4],
    ],
  },
];

describe("Pricing rules", () => {
  for (const c of CASES) {
    it(`prices ${c.what}`, async () => {
      const got = itemsOf(c.resources, c.name, c.usage);
      assert.deepStrictEqual(
        got.unpriced,
        [],
        `unexpectedly unpriced: ${JSON.stringify(got.unpriced)}`,
      );
      assert.deepStrictEqual(got.items, c.items, got.descriptions.join("\n"));
      if (c.says)
        assert.ok(
          got.descriptions.join("\n").includes(c.says),
          `expected the item text to say "${c.says}":\n${got.descriptions.join("\n")}`,
        );
    });
  }

  const FREE: [string, PlannedResource[], string, RegExp][] = [
    [
      "a standard SSM parameter",
      [res("aws:ssm/parameter:Parameter", "p", { value: "x" })],
      "aws:ssm/parameter:Parameter",
      /standard tier/,
    ],
    [
      "a gateway endpoint",
      [res("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", { vpcEndpointType: "Gateway" })],
      "aws:ec2/vpcEndpoint:VpcEndpoint",
      /gateway endpoints/,
    ],
    [
      "a security group",
      [res("aws:ec2/securityGroup:SecurityGroup", "sg")],
      "aws:ec2/securityGroup:SecurityGroup",
      /no charge/,
    ],
    ["an IAM role", [res("aws:iam/role:Role", "r")], "aws:iam/role:Role", /IAM/],
    [
      "a generated password",
      [res("random:index/randomPassword:RandomPassword", "pw")],
      "random:index/randomPassword:RandomPassword",
      /no cloud resource/,
    ],
    [
      "a component with children",
      [
        res("platform:network:Thing", "c", {}, { custom: false }),
        res(
          "aws:iam/role:Role",
          "child",
          {},
          { parent: "urn:pulumi:dev::fixture::platform:network:Thing::c" },
        ),
      ],
      "platform:network:Thing",
      /child resources are itemised/,
    ],
  ];
  for (const [what, resources, type, reason] of FREE) {
    it(`lists ${what} as free, with the reason`, async () => {
      const est = estimateStack(stackPlan(resources), DEFAULT_USAGE, prices);
      const f = est.free.find((x) => x.type === type);
      assert.ok(f, `no free entry for ${type}: ${JSON.stringify(est)}`);
      assert.match(f.reason, reason);
      assert.deepStrictEqual(est.unpriced, []);
    });
  }

  const UNPRICED: [string, PlannedResource[], string, RegExp][] = [
    [
      "a type without a rule",
      [res("aws:wafv2/webAcl:WebAcl", "waf")],
      "waf",
      /no pricing rule for this type/,
    ],
    [
      "a remote component whose resources are not registered",
      [res("awsx:lb:ApplicationLoadBalancer", "lb", {}, { custom: false })],
      "lb",
      /remote component/,
    ],
    [
      "an instance type the table does not hold",
      [res("aws:ec2/instance:Instance", "big", { instanceType: "m7i.48xlarge" })],
      "big",
      /no price "ec2\.instance\.m7i\.48xlarge" in tooling\/cost\/prices\.us-east-1\.json/,
    ],
    [
      "a volume type the table does not hold",
      [res("aws:ebs/volume:Volume", "fast", { size: 100, type: "io2", iops: 10000 })],
      "fast",
      /no price "ebs\.io2\.storage"/,
    ],
    [
      "a snapshot policy that matches no volume",
      [
        res("aws:dlm/lifecyclePolicy:LifecyclePolicy", "p", {
          policyDetails: {
            resourceTypes: ["VOLUME"],
            targetTags: { Backup: "x" },
            schedules: [{ retainRule: { count: 7 } }],
          },
        }),
      ],
      "p",
      /no volume in this environment matches it/,
    ],
    [
      "a trail with data events",
      [
        res("aws:cloudtrail/trail:Trail", "t", {
          eventSelectors: [
            { dataResources: [{ type: "AWS::S3::Object", values: ["arn:aws:s3"] }] },
          ],
        }),
      ],
      "t",
      /data events/,
    ],
    [
      "flow logs into S3",
      [
        res("aws:ec2/flowLog:FlowLog", "f", {
          logDestinationType: "s3",
          logDestination: "arn:aws:s3:::b",
        }),
      ],
      "f",
      /s3 are not modelled/,
    ],
  ];
  for (const [what, resources, name, reason] of UNPRICED) {
    it(`lists ${what} as unpriced, never as zero`, async () => {
      const got = itemsOf(resources, name);
      assert.deepStrictEqual(got.items, []);
      assert.strictEqual(got.unpriced.length, 1, JSON.stringify(got));
      assert.match(got.unpriced[0].reason, reason);
      assert.strictEqual(got.total, 0);
    });
  }

  it("prices a resource in another region from that region's table, and lists it as unpriced where there is none", async () => {
    const instance = [
      res("aws:ec2/instance:Instance", "vm", {
        instanceType: "t4g.nano",
        rootBlockDevice: { volumeSize: 8 },
      }),
    ];
    assert.strictEqual(
      estimateStack(
        stackPlan(instance, { provider: awsProvider({ region: "us-west-2" }) }),
        DEFAULT_USAGE,
        prices,
      ).items[0].region,
      "us-west-2",
    );
    const est = estimateStack(
      stackPlan(instance, { provider: awsProvider({ region: "eu-west-1" }) }),
      DEFAULT_USAGE,
      prices,
    );
    assert.deepStrictEqual(est.items, []);
    assert.match(est.unpriced[0].reason, /prices\.eu-west-1\.json/);
  });
});

describe("estimateEnvironment", () => {
  const network = stackPlan([
    res("aws:ec2/instance:Instance", "vpn", {
      instanceType: "t3.medium",
      rootBlockDevice: { volumeSize: 8 },
    }),
    res("aws:ec2/eip:Eip", "eip", {}),
  ]);
  const edge = stackPlan([res("aws:kms/key:Key", "key", {})], {
    project: "edge",
    outputs: { deviceCount: 4 },
  });
  const budget = {
    name: "platform-dev-monthly",
    scope: "account" as const,
    accountName: "openems-dev",
    accountId: "222222222222",
    limit: 50,
    currency: "USD",
    thresholds: [{ percent: 80, type: "actual" as const }],
    subscribers: [],
    freezes: true,
    freezeAtPercent: 100,
  };

  it("adds up the rounded items, compares them with the budget and warns above the warning share", async () => {
    const est = estimateEnvironment("dev", [network, edge], DEFAULT_USAGE, prices, budget);
    const expected = est.items.reduce((s, i) => s + Math.round(i.monthlyUsd * 100), 0) / 100;
    assert.strictEqual(est.totalUsd, expected);
    // t3.medium 30.37 + root 0.64 + EIP 3.65 + key 1.03 + 5 custom metrics (1 host + 4 devices) 1.50
    assert.strictEqual(est.totalUsd, 37.19);
    assert.strictEqual(est.budget!.share, 37.19 / 50);
    assert.strictEqual(est.budget!.overWarn, false);
    const strict = estimateEnvironment(
      "dev",
      [network, edge],
      usageWith((u) => (u.warnShare = 0.5)),
      prices,
      budget,
    );
    assert.strictEqual(strict.budget!.overWarn, true);
    assert.match(
      strict.warnings.join("\n"),
      /dev: estimate \$37\.19 a month is 74\.4 % of budget platform-dev-monthly \(\$50\.00\); the warning share is 50 %/,
    );
  });

  it("charges the metrics hosts publish per edge device, from the edge stack's deviceCount", async () => {
    const est = estimateEnvironment("dev", [network, edge], DEFAULT_USAGE, prices, budget);
    const metrics = est.items.find((i) => i.type === "usage");
    assert.ok(metrics);
    assert.strictEqual(metrics.quantity, 5);
    assert.match(metrics.description, /4 edge device\(s\)/);
  });

  it("says when an environment has no budget", async () => {
    const est = estimateEnvironment("dev", [network], DEFAULT_USAGE, prices, undefined);
    assert.strictEqual(est.budget, null);
    assert.match(est.warnings.join("\n"), /no account budget/);
  });
});
