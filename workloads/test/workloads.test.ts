import * as assert from "assert";
import { nonEmpty } from "../../tooling/testing/non-empty";
import { architectureOf, AL2023_AMI_PARAMETERS } from "../../lib/images";
import { vercelOidc } from "../mbe";
import { bundleHandler } from "../mbe-proxy/package";
import { shellcheck, requirePrerequisites } from "../../tooling/testing/tools";
import { StackPlan } from "../../tooling/plan/run";
import { waitsFor } from "../../tooling/readiness/rule";
import { ENVIRONMENTS } from "../../lib/repo";
import {
  byType,
  editedConfig,
  one,
  planExpectingError,
  planOne,
  repositoryPlan,
  secretValue,
  stackOf,
  upstreamOutputs,
} from "../../tooling/testing/harness";

const INSTANCE = "aws:ec2/instance:Instance";
const ENI = "aws:ec2/networkInterface:NetworkInterface";
const PARAMETER = "aws:ssm/parameter:Parameter";
function parameter(plan: StackPlan, name: string) {
  const found = byType(plan, PARAMETER).filter((p) => p.inputs.name === name);
  assert.strictEqual(found.length, 1, `one parameter ${name}`);
  return found[0];
}

function workloadsConfig(env: string): any {
  return editedConfig("workloads", env, () => undefined)["platform:workloads"];
}
function networkOf(env: string) {
  return stackOf("network", env);
}
function keyArn(plan: StackPlan): string {
  return one(plan, "aws:kms/key:Key").state.arn;
}
async function planWorkloads(env: string, edit: (c: any) => void): Promise<StackPlan> {
  return planOne("workloads", env, editedConfig("workloads", env, edit), await upstreamOutputs());
}

before(async function () {
  this.timeout(180000);
  await repositoryPlan();
});

describe("workloads: OpenEMS backend host", () => {
  for (const env of nonEmpty(ENVIRONMENTS, "ENVIRONMENTS")) {
    it(`${env}: runs privately, hardened, with the file's type and monitoring`, async () => {
      const plan = await stackOf("workloads", env);
      const network = await networkOf(env);
      const cfg = workloadsConfig(env).openems;
      const host = one(plan, INSTANCE);
      const eni = one(plan, ENI);
      assert.strictEqual(host.inputs.instanceType, cfg.instanceType);
      // Launched onto its own interface in the first private subnet: EC2 gives an interface made
      // beforehand no public address, and nothing in the stack attaches an Elastic IP to it.
      assert.deepStrictEqual(host.inputs.primaryNetworkInterface, { networkInterfaceId: eni.id });
      assert.strictEqual(eni.inputs.subnetId, (network.outputs.privateSubnetIds as string[])[0]);
      assert.deepStrictEqual(eni.inputs.securityGroups, [
        (network.outputs.securityGroupIds as any).openemsBackend,
      ]);
      assert.strictEqual(byType(plan, "aws:ec2/eip:Eip").length, 0);
      assert.strictEqual(host.inputs.subnetId, undefined);
      assert.strictEqual(host.inputs.metadataOptions.httpTokens, "required");
      assert.strictEqual(host.inputs.keyName, undefined);
      assert.strictEqual(host.inputs.monitoring, cfg.detailedMonitoring);
      assert.deepStrictEqual(
        [host.inputs.rootBlockDevice.encrypted, host.inputs.rootBlockDevice.kmsKeyId],
        [true, keyArn(plan)],
      );
    });

    it(`${env}: keeps every database on a protected, encrypted data volume in the host's zone`, async () => {
      const plan = await stackOf("workloads", env);
      const cfg = workloadsConfig(env).openems;
      const volume = one(plan, "aws:ebs/volume:Volume");
      assert.ok(volume.protect && volume.retainOnDelete, "protected and retained");
      assert.deepStrictEqual(
        [volume.inputs.size, volume.inputs.type, volume.inputs.encrypted, volume.inputs.kmsKeyId],
        [cfg.dataVolumeGb, "gp3", true, keyArn(plan)],
      );
      assert.strictEqual(
        volume.inputs.availabilityZone,
        ((await networkOf(env)).outputs.availabilityZones as string[])[0],
      );
      const attachment = one(plan, "aws:ec2/volumeAttachment:VolumeAttachment");
      assert.deepStrictEqual(
        [attachment.inputs.volumeId, attachment.inputs.instanceId],
        [volume.id, one(plan, INSTANCE).id],
      );
      const dlm = one(plan, "aws:dlm/lifecyclePolicy:LifecyclePolicy");
      assert.strictEqual(
        dlm.inputs.policyDetails.schedules[0].retainRule.count,
        cfg.snapshotRetentionDays,
      );
      assert.deepStrictEqual(dlm.inputs.policyDetails.targetTags, {
        "snapshot-schedule": "openems-daily",
      });
      assert.strictEqual(volume.inputs.tags["snapshot-schedule"], "openems-daily");
    });
  }

  it("picks the image of the instance type's architecture", () => {
    const table: [string, keyof typeof AL2023_AMI_PARAMETERS][] = [
      ["t3.medium", "x86_64"],
      ["t3a.large", "x86_64"],
      ["t4g.small", "arm64"],
      ["m7g.large", "arm64"],
      ["c7gn.xlarge", "arm64"],
      ["g5.xlarge", "x86_64"],
      ["m6i.large", "x86_64"],
    ];
    for (const [type, arch] of table) assert.strictEqual(architectureOf(type), arch, type);
  });

  it("generates the host's passwords into one protected secret, never into user data", async () => {
    const plan = await stackOf("workloads", "prod");
    const secret = byType(plan, "aws:secretsmanager/secret:Secret").find(
      (s) => s.inputs.name === "openems/prod/backend-host",
    );
    assert.ok(secret && secret.protect && secret.retainOnDelete);
    assert.strictEqual(secret.inputs.kmsKeyId, keyArn(plan));
    const version = byType(plan, "aws:secretsmanager/secretVersion:SecretVersion").find(
      (v) => v.inputs.secretId === secret.id,
    );
    const values = JSON.parse(secretValue(version!.inputs.secretString, "the secret string"));
    assert.deepStrictEqual(Object.keys(values).sort(), [
      "influxdbAdminPassword",
      "influxdbAdminToken",
      "odooAdminPassword",
      "odooMasterPassword",
      "postgresPassword",
    ]);
    const userData: string = one(plan, INSTANCE).inputs.userData;
    const hostJson: string = parameter(plan, "/openems/prod/backend/host.json").inputs
      .insecureValue;
    const compose: string = parameter(plan, "/openems/prod/backend/compose.yaml").inputs
      .insecureValue;
    for (const v of nonEmpty(Object.values(values) as string[], "secret value")) {
      assert.ok(!userData.includes(v), "no password in user data");
      assert.ok(!hostJson.includes(v) && !compose.includes(v), "no password in the desired state");
    }
    const desired = JSON.parse(hostJson);
    assert.deepStrictEqual(
      [desired.secretArn, desired.dataVolumeId],
      [secret.state.arn, one(plan, "aws:ebs/volume:Volume").id],
    );
    assert.ok(Buffer.byteLength(userData) < 16384, "EC2 user data is at most 16 KB");
    for (const p of nonEmpty(
      byType(plan, "random:index/randomPassword:RandomPassword"),
      "password",
    ))
      assert.ok(p.protect, `${p.name} is protected`);
  });

  it("grants the host only its secret, its log group, its metrics and Session Manager", async () => {
    const plan = await stackOf("workloads", "dev");
    const policy = JSON.parse(
      byType(plan, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "dev-openems-host")!
        .inputs.policy,
    );
    const secret = byType(plan, "aws:secretsmanager/secret:Secret").find(
      (s) => s.inputs.name === "openems/dev/backend-host",
    )!;
    const group = byType(plan, "aws:cloudwatch/logGroup:LogGroup").find(
      (g) => g.inputs.name === "/openems/dev/backend",
    )!;
    const bySid = Object.fromEntries(policy.Statement.map((s: any) => [s.Sid, s]));
    assert.strictEqual(bySid.ReadOwnSecret.Resource, secret.state.arn);
    assert.deepStrictEqual(bySid.ReadDesiredState.Resource, [
      parameter(plan, "/openems/dev/hosts/openems-backend/manifest").state.arn,
      parameter(plan, "/openems/dev/backend/host.json").state.arn,
      parameter(plan, "/openems/dev/backend/compose.yaml").state.arn,
      parameter(plan, "/openems/dev/backend/apply/openems-apply").state.arn,
      parameter(plan, "/openems/dev/backend/apply/host.sh").state.arn,
      parameter(plan, "/openems/dev/backend/apply/stack.sh").state.arn,
    ]);
    assert.strictEqual(bySid.ReadDesiredState.Action, "ssm:GetParameter");
    assert.deepStrictEqual(bySid.WriteOwnLogs.Resource, [
      group.state.arn,
      `${group.state.arn}:log-stream:*`,
    ]);
    assert.strictEqual(
      bySid.PublishHostMetrics.Condition.StringEquals["cloudwatch:namespace"],
      "CWAgent",
    );
    assert.ok(
      policy.Statement.every((s: any) => s.Resource !== "*" || s.Condition),
      "no unconditioned wildcard",
    );
    assert.deepStrictEqual(
      byType(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").find(
        (a) => a.name === "dev-openems-host-ssm",
      )!.inputs.policyArn,
      "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    );
  });

  it("recovers or reboots on failed status checks and alarms on CPU, memory and the data disk", async () => {
    const plan = await stackOf("workloads", "dev");
    const topic = one(plan, "aws:sns/topic:Topic");
    const alarms = Object.fromEntries(
      byType(plan, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => [
        a.name.replace("dev-openems-", ""),
        a.inputs,
      ]),
    );
    assert.deepStrictEqual(Object.keys(alarms).sort(), [
      "cpu",
      "data-disk",
      "instance-check",
      "memory",
      "system-check",
    ]);
    assert.deepStrictEqual(alarms["system-check"].alarmActions, [
      "arn:aws:automate:us-east-1:ec2:recover",
      topic.state.arn,
    ]);
    assert.deepStrictEqual(alarms["instance-check"].alarmActions, [
      "arn:aws:automate:us-east-1:ec2:reboot",
      topic.state.arn,
    ]);
    for (const a of nonEmpty(Object.values(alarms), "alarm"))
      assert.ok(a.alarmActions.includes(topic.state.arn));
    assert.deepStrictEqual(alarms["data-disk"].dimensions, {
      InstanceId: one(plan, INSTANCE).id,
      path: "/data",
      fstype: "xfs",
    });
    assert.strictEqual(topic.inputs.kmsMasterKeyId, keyArn(plan));
  });

  it("encrypts every log group with the workloads key and keeps it for the file's retention", async () => {
    for (const env of nonEmpty(ENVIRONMENTS, "ENVIRONMENTS")) {
      const plan = await stackOf("workloads", env);
      for (const g of nonEmpty(byType(plan, "aws:cloudwatch/logGroup:LogGroup"), "log group")) {
        assert.deepStrictEqual(
          [g.inputs.kmsKeyId, g.inputs.retentionInDays],
          [keyArn(plan), workloadsConfig(env).logRetentionDays],
          `${env} ${g.name}`,
        );
      }
    }
  });
});

describe("workloads: the edge endpoint", () => {
  for (const env of nonEmpty(ENVIRONMENTS, "ENVIRONMENTS")) {
    it(`${env}: devices' address is the backend's own protected interface, which no instance replacement changes`, async () => {
      const plan = await stackOf("workloads", env);
      const eni = one(plan, ENI);
      assert.ok(eni.protect && eni.retainOnDelete, "protected and retained");
      const url = parameter(plan, `/openems/${env}/backend/edge-websocket-url`);
      assert.strictEqual(url.inputs.insecureValue, `ws://${eni.state.privateIp}:8081`);
      assert.strictEqual(plan.outputs.edgeWebsocketUrl, url.inputs.insecureValue);
      assert.ok(!plan.secretOutputs.includes("edgeWebsocketUrl"));
      // What the address is computed from: the interface and what the interface needs, never an
      // instance (replaceable by design) and nothing that is not protected.
      const from = [...waitsFor(plan)(url.urn)].map((u) =>
        plan.resources.find((r) => r.urn === u)!,
      );
      assert.ok(
        from.some((r) => r.urn === eni.urn),
        "derived from the interface",
      );
      for (const r of nonEmpty(from, "dependency"))
        assert.ok(
          r.type !== INSTANCE && (r.protect || r.type === "pulumi:pulumi:StackReference"),
          `${r.urn}`,
        );
      // The interface itself depends only on the network stack's outputs.
      assert.deepStrictEqual(
        [...waitsFor(plan)(eni.urn)].filter((u) => !u.includes("pulumi:pulumi:StackReference")),
        [],
      );
      assert.strictEqual((plan.outputs.backend as any).privateIp, eni.state.privateIp);
    });
  }

  it("dev: every device's settings hold exactly that address", async () => {
    const plan = await stackOf("workloads", "dev");
    const url = parameter(plan, "/openems/dev/backend/edge-websocket-url").inputs.insecureValue;
    const edge = await stackOf("edge", "dev");
    for (const p of nonEmpty(
      byType(edge, PARAMETER).filter((p) => p.name.endsWith("-settings")),
      "device settings",
    )) {
      const settings = JSON.parse(secretValue(p.inputs.value, "the settings"));
      assert.strictEqual(settings["Controller.Api.Backend"].uri, url);
    }
  });

  it("the instance is launched onto the interface and replaced delete-first, the interface kept", async () => {
    const plan = await stackOf("workloads", "dev");
    const host = one(plan, INSTANCE);
    assert.strictEqual(host.deleteBeforeReplace, true);
    assert.strictEqual(host.inputs.userDataReplaceOnChange, true);
    assert.strictEqual(host.inputs.primaryNetworkInterface.networkInterfaceId, one(plan, ENI).id);
  });
});

describe("workloads: configuration reaches the running host without touching its instance", () => {
  const edits: [string, (c: any) => void][] = [
    [
      "an image override (the Compose file)",
      (c) => (c["platform:workloads"].openems.images = { odoo: "odoo:16.0-20250910" }),
    ],
    ["the log retention", (c) => (c["platform:workloads"].logRetentionDays = 90)],
    ["the data volume size", (c) => (c["platform:workloads"].openems.dataVolumeGb = 60)],
  ];
  for (const [what, edit] of edits) {
    it(`${what} leaves the backend's user data byte-identical`, async () => {
      const before = await stackOf("workloads", "dev");
      const after = await planWorkloads("dev", edit);
      assert.strictEqual(
        one(after, INSTANCE).inputs.userData,
        one(before, INSTANCE).inputs.userData,
      );
    });
  }

  it("an image override changes the published Compose file and its sha256 in host.json", async () => {
    const before = await stackOf("workloads", "dev");
    const after = await planWorkloads(
      "dev",
      (c) => (c["platform:workloads"].openems.images = { odoo: "odoo:16.0-20250910" }),
    );
    const compose = (p: StackPlan) =>
      parameter(p, "/openems/dev/backend/compose.yaml").inputs.insecureValue as string;
    const host = (p: StackPlan) =>
      JSON.parse(parameter(p, "/openems/dev/backend/host.json").inputs.insecureValue);
    assert.match(compose(after), /image: odoo:16\.0-20250910/);
    assert.doesNotMatch(compose(before), /odoo:16\.0-20250910/);
    assert.notStrictEqual(host(after).composeSha256, host(before).composeSha256);
  });

  it("refuses an image override the Compose stack cannot run, before any resource exists", async () => {
    const r = await planExpectingError(
      "workloads",
      "dev",
      editedConfig("workloads", "dev", (c) => {
        c["platform:workloads"].openems.images = {
          odoo: "odoo:latest",
          "openems-backend": "openems/backend:2026.4.0",
        };
      }),
    );
    assert.match(
      r.message,
      /platform:workloads\.openems\.images\.odoo: tag "latest" of "odoo:latest" is not pinned/,
    );
    assert.match(
      r.message,
      /platform:workloads\.openems\.images\.openems-backend: OpenEMS 2026\.4\.0 is newer than 2026\.1\.0/,
    );
    assert.strictEqual(r.registered.filter((x) => x.custom && x.type.startsWith("aws:")).length, 0);
  });
});

describe("workloads: a new instance type is the same host, resized", () => {
  it("keeps user data, image, interface, address, data volume and desired state; only the type changes", async () => {
    const before = await stackOf("workloads", "dev");
    assert.strictEqual(one(before, INSTANCE).inputs.instanceType, "t3.medium");
    const after = await planWorkloads("dev", (c) => {
      c["platform:workloads"].openems.instanceType = "t3.small";
    });
    // EC2 changes the type of a stopped instance (stop, modify, start: instance_type is not
    // ForceNew in terraform-provider-aws internal/service/ec2/ec2_instance.go); the agent runs
    // again at that boot. Nothing that would make it a new host differs.
    const [b, a] = [one(before, INSTANCE), one(after, INSTANCE)];
    assert.strictEqual(a.inputs.instanceType, "t3.small");
    assert.strictEqual(a.inputs.userData, b.inputs.userData);
    assert.strictEqual(a.inputs.ami, b.inputs.ami);
    assert.deepStrictEqual(a.inputs.primaryNetworkInterface, b.inputs.primaryNetworkInterface);
    const inputs = (p: StackPlan, type: string) =>
      nonEmpty(byType(p, type), type).map((r) => [r.urn, r.inputs]);
    for (const type of [ENI, "aws:ebs/volume:Volume", "aws:secretsmanager/secret:Secret"])
      assert.deepStrictEqual(inputs(after, type), inputs(before, type), type);
    for (const name of [
      "/openems/dev/backend/edge-websocket-url",
      "/openems/dev/backend/host.json",
      "/openems/dev/backend/compose.yaml",
      "/openems/dev/hosts/openems-backend/manifest",
    ])
      assert.strictEqual(
        parameter(after, name).inputs.insecureValue,
        parameter(before, name).inputs.insecureValue,
        name,
      );
  });
});

describe("workloads: boot script", function () {
  before(function () {
    requirePrerequisites(this, { tools: ["shellcheck"] });
  });
  it("passes shellcheck as planned", async () => {
    const result = shellcheck(one(await stackOf("workloads", "stage"), INSTANCE).inputs.userData);
    assert.strictEqual(result.status, 0, result.output);
  });
});

describe("workloads: MBE proxy", () => {
  it("runs in the private subnets with the proxy's group and calls B2B on the host's address", async () => {
    const plan = await stackOf("workloads", "dev");
    const network = await networkOf("dev");
    const fn = one(plan, "aws:lambda/function:Function");
    const cfg = workloadsConfig("dev").mbe;
    assert.strictEqual(fn.inputs.runtime, "nodejs24.x");
    assert.deepStrictEqual(fn.inputs.vpcConfig.subnetIds, network.outputs.privateSubnetIds);
    assert.deepStrictEqual(fn.inputs.vpcConfig.securityGroupIds, [
      (network.outputs.securityGroupIds as any).mbeProxy,
    ]);
    const vars = fn.inputs.environment.variables;
    assert.strictEqual(
      vars.OPENEMS_B2B_URL,
      `http://${one(plan, ENI).state.privateIp}:8082/jsonrpc`,
    );
    const waits = waitsFor(plan)(fn.urn);
    assert.ok(waits.has(one(plan, ENI).urn));
    assert.ok(!waits.has(one(plan, INSTANCE).urn), "the proxy's address is not the instance's");
    assert.strictEqual(vars.ALLOWED_METHODS, cfg.allowedMethods.join(","));
    assert.strictEqual(
      vars.OPENEMS_CREDENTIALS_SECRET_ARN,
      byType(plan, "aws:secretsmanager/secret:Secret").find(
        (s) => s.inputs.name === "openems/dev/mbe-proxy-b2b",
      )!.state.arn,
    );
    assert.strictEqual(fn.inputs.timeout, Math.ceil(cfg.upstreamTimeoutMs / 1000) + 3);
  });

  it("packages the handler from the repository's source", async () => {
    const fn = one(await stackOf("workloads", "dev"), "aws:lambda/function:Function");
    // The plan records the archive's members (tooling/plan/assets.ts): exactly the bundle.
    const { code, sha256 } = bundleHandler();
    assert.deepStrictEqual(fn.inputs.code, {
      kind: "AssetArchive",
      assets: { "handler.js": { kind: "StringAsset", sha256, text: code } },
    });
    assert.match(code, /OPENEMS_B2B_URL/);
    assert.strictEqual(fn.inputs.handler, "handler.handler");
  });

  it("lets only MBE's role invoke the IAM-authenticated URL", async () => {
    const plan = await stackOf("workloads", "dev");
    assert.strictEqual(
      one(plan, "aws:lambda/functionUrl:FunctionUrl").inputs.authorizationType,
      "AWS_IAM",
    );
    const role = byType(plan, "aws:iam/role:Role").find((r) => r.name === "dev-mbe-proxy-mbe")!;
    const permissions = byType(plan, "aws:lambda/permission:Permission");
    assert.deepStrictEqual(permissions.map((p) => [p.inputs.action, p.inputs.principal]).sort(), [
      ["lambda:InvokeFunction", role.state.arn],
      ["lambda:InvokeFunctionUrl", role.state.arn],
    ]);
    assert.strictEqual(
      permissions.find((p) => p.inputs.action === "lambda:InvokeFunctionUrl")!.inputs
        .functionUrlAuthType,
      "AWS_IAM",
    );
    assert.strictEqual(
      permissions.find((p) => p.inputs.action === "lambda:InvokeFunction")!.inputs
        .invokedViaFunctionUrl,
      true,
    );
    const policy = JSON.parse(
      byType(plan, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "dev-mbe-proxy-mbe")!
        .inputs.policy,
    );
    assert.deepStrictEqual(
      policy.Statement.map((s: any) => s.Resource),
      [one(plan, "aws:lambda/function:Function").state.arn],
    );
    assert.strictEqual(
      byType(plan, "aws:iam/user:User").length,
      0,
      "no long-lived keys unless asked",
    );
  });

  it("trusts only Vercel tokens of the configured team, project and environment", async () => {
    const plan = await stackOf("workloads", "prod");
    const cfg = workloadsConfig("prod").mbe.vercel;
    const oidc = vercelOidc(cfg);
    assert.deepStrictEqual(oidc, {
      url: "https://oidc.vercel.com/example-team",
      host: "oidc.vercel.com/example-team",
      audience: "https://vercel.com/example-team",
      subject: "owner:example-team:project:mbe:environment:production",
    });
    const provider = one(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    assert.deepStrictEqual(
      [provider.inputs.url, provider.inputs.clientIdLists],
      [oidc.url, [oidc.audience]],
    );
    const trust = JSON.parse(
      byType(plan, "aws:iam/role:Role").find((r) => r.name === "prod-mbe-proxy-mbe")!.inputs
        .assumeRolePolicy,
    );
    assert.deepStrictEqual(trust.Statement[0].Principal, { Federated: provider.state.arn });
    assert.deepStrictEqual(trust.Statement[0].Condition, {
      StringEquals: { [`${oidc.host}:aud`]: oidc.audience, [`${oidc.host}:sub`]: oidc.subject },
    });
  });

  it("creates no IAM user or access key: MBE's only way in is the OIDC role", async () => {
    for (const env of nonEmpty(ENVIRONMENTS, "environments")) {
      const plan = await stackOf("workloads", env);
      assert.strictEqual(byType(plan, "aws:iam/user:User").length, 0, env);
      assert.strictEqual(byType(plan, "aws:iam/accessKey:AccessKey").length, 0, env);
      assert.strictEqual(byType(plan, "aws:lambda/permission:Permission").length, 2, env);
    }
  });

  it("refuses the removed mbe.accessKeyUser, naming the OIDC role that replaces it, before any resource", async () => {
    for (const value of [true, false]) {
      const config = editedConfig(
        "workloads",
        "dev",
        (c) => (c["platform:workloads"].mbe.accessKeyUser = value),
      );
      const { message, registered } = await planExpectingError("workloads", "dev", config);
      assert.match(message, /Pulumi\.dev\.yaml/);
      assert.match(message, /platform:workloads\.mbe\.accessKeyUser: removed: MBE calls the proxy/);
      assert.match(message, /OIDC/);
      assert.doesNotMatch(message, /unknown key "accessKeyUser"/);
      assert.strictEqual(registered.length, 0);
    }
  });
});

describe("workloads: HTTPS for people", () => {
  it("has no load balancer where the file says none (dev)", async () => {
    const plan = await stackOf("workloads", "dev");
    assert.strictEqual(byType(plan, "aws:lb/loadBalancer:LoadBalancer").length, 0);
    assert.strictEqual(plan.outputs.https, null);
  });

  for (const env of ["stage", "prod"]) {
    it(`${env}: serves the UI and Odoo over TLS 1.2+ to allowlisted admins only, HTTP redirected`, async () => {
      const plan = await stackOf("workloads", env);
      const cfg = workloadsConfig(env).https;
      const lb = one(plan, "aws:lb/loadBalancer:LoadBalancer");
      assert.deepStrictEqual(lb.inputs.subnets, (await networkOf(env)).outputs.publicSubnetIds);
      const planned = byType(plan, "aws:lb/listener:Listener");
      assert.deepStrictEqual(planned.map((l) => l.inputs.port).sort(), [443, 80]);
      const listeners = Object.fromEntries(planned.map((l) => [l.inputs.port, l.inputs]));
      for (const l of planned) assert.strictEqual(l.inputs.loadBalancerArn, lb.state.arn);
      // TLS 1.3 and 1.2 only, forward secrecy (ELB's recommended policy; AWS, "Security
      // policies for your Application Load Balancer").
      assert.strictEqual(listeners[443].protocol, "HTTPS");
      assert.strictEqual(listeners[443].sslPolicy, "ELBSecurityPolicy-TLS13-1-2-2021-06");
      const cert = one(plan, "aws:acm/certificate:Certificate");
      assert.strictEqual(listeners[443].certificateArn, cert.state.arn);
      assert.deepStrictEqual(
        listeners[443].defaultActions.map((a: any) => [a.type, a.fixedResponse?.statusCode]),
        [["fixed-response", "404"]],
      );
      // Port 80 only redirects: nothing is ever served in the clear.
      assert.strictEqual(listeners[80].protocol, "HTTP");
      assert.strictEqual(listeners[80].sslPolicy, undefined);
      assert.deepStrictEqual(
        listeners[80].defaultActions.map((a: any) => [a.type, a.redirect]),
        [["redirect", { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" }]],
      );
      assert.deepStrictEqual(
        [cert.inputs.domainName, cert.inputs.subjectAlternativeNames, cert.inputs.validationMethod],
        [cfg.uiName, [cfg.odooName], "DNS"],
      );
      const rules = byType(plan, "aws:lb/listenerRule:ListenerRule")
        .map((r) => r.inputs.conditions[0].hostHeader.values[0])
        .sort();
      assert.deepStrictEqual(rules, [cfg.odooName, cfg.uiName].sort());
      const albGroup = one(plan, "aws:ec2/securityGroup:SecurityGroup", `${env}-admin-alb`);
      const ingress = byType(
        plan,
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      ).filter((r) => r.inputs.securityGroupId === albGroup.id);
      const allowlist = (editedConfig("network", env, () => undefined)["platform:network"] as any)
        .adminAllowlist;
      assert.deepStrictEqual(
        ingress.map((r) => `${r.inputs.cidrIpv4}:${r.inputs.fromPort}`).sort(),
        allowlist.flatMap((c: string) => [`${c}:443`, `${c}:80`]).sort(),
      );
      assert.deepStrictEqual(plan.outputs.https, {
        ui: `https://${cfg.uiName}`,
        odoo: `https://${cfg.odooName}`,
      });
      const backendFromAlb = byType(
        plan,
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      ).filter((r) => r.inputs.referencedSecurityGroupId === albGroup.id);
      assert.deepStrictEqual(backendFromAlb.map((r) => r.inputs.fromPort).sort(), [10016, 4200]);
    });
  }

  it("refuses names outside the hosted zone and a load balancer nobody may reach", async () => {
    let r = await planExpectingError(
      "workloads",
      "stage",
      editedConfig(
        "workloads",
        "stage",
        (c) => (c["platform:workloads"].https.uiName = "openems.example.org"),
      ),
    );
    assert.match(
      r.message,
      /platform:workloads\.https\.uiName: got "openems\.example\.org"; expected a name inside the hosted zone example\.com/,
    );
    assert.strictEqual(r.registered.filter((x) => x.custom && x.type.startsWith("aws:")).length, 0);
    r = await planExpectingError(
      "workloads",
      "stage",
      editedConfig("workloads", "stage", (c) => (c["platform:network"].adminAllowlist = [])),
    );
    assert.match(
      r.message,
      /platform:workloads\.https\.mode: got "alb" with an empty platform:network\.adminAllowlist/,
    );
  });
});
