import * as assert from "assert";
import * as crypto from "crypto";
import { nonEmpty } from "../../tooling/testing/non-empty";
import { accessRules, vpnRanges } from "../../lib/net/access";

/** What EC2 accepts in a security group rule description (AuthorizeSecurityGroupIngress, 255 at most). */
const AWS_RULE_DESCRIPTION = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]{1,255}$/;
import { natHostManifest } from "../nat-instance";
import { vpnParameterNames } from "../vpn";
import { shellcheck, requirePrerequisites } from "../../tooling/testing/tools";
import { USER_DATA_LIMIT_BYTES } from "../../lib/openvpn";
import { networkSection } from "../../lib/config/network";
import { PlannedResource } from "../../tooling/plan/mocks";
import { StackPlan } from "../../tooling/plan/run";
import { ENVIRONMENTS } from "../../lib/repo";
import { fleetSites } from "../../tooling/testing/fleet";
import {
  byType,
  editedConfig,
  one,
  planOne,
  secretValue,
  stackOf,
  upstreamOutputs,
} from "../../tooling/testing/harness";

const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const INSTANCE = "aws:ec2/instance:Instance";

function groupRole(plan: StackPlan, groupId: string): string {
  const group = byType(plan, SG).find((g) => g.id === groupId);
  assert.ok(group, `rule refers to unknown group ${groupId}`);
  return group.inputs.tags.role;
}

/** Every planned ingress rule as "role <- source proto/port". */
function ingressTable(plan: StackPlan): string[] {
  return byType(plan, INGRESS)
    .map((r) => {
      const source =
        r.inputs.cidrIpv4 ??
        r.inputs.cidrIpv6 ??
        `sg:${groupRole(plan, r.inputs.referencedSecurityGroupId)}`;
      return `${groupRole(plan, r.inputs.securityGroupId)} <- ${source} ${r.inputs.ipProtocol}/${r.inputs.fromPort}`;
    })
    .sort();
}

/** Every planned egress rule as "role -> destination proto/port". */
function egressTable(plan: StackPlan): string[] {
  return byType(plan, EGRESS)
    .map((r) => {
      const destination =
        r.inputs.cidrIpv4 ??
        r.inputs.cidrIpv6 ??
        r.inputs.prefixListId ??
        `sg:${groupRole(plan, r.inputs.referencedSecurityGroupId)}`;
      const ports =
        r.inputs.fromPort === r.inputs.toPort
          ? `${r.inputs.fromPort}`
          : `${r.inputs.fromPort}-${r.inputs.toPort}`;
      return `${groupRole(plan, r.inputs.securityGroupId)} -> ${destination} ${r.inputs.ipProtocol}/${ports}`;
    })
    .sort();
}

/** What the VPN server, the MBE proxy and the backend may reach whatever the environment. */
const COMMON_EGRESS = [
  "mbe-proxy -> sg:openems-backend tcp/8082",
  "vpn-server -> 0.0.0.0/0 tcp/443",
  "vpn-server -> sg:openems-backend tcp/10016",
  "vpn-server -> sg:openems-backend tcp/4200",
  "vpn-server -> sg:openems-backend tcp/8081",
  "vpn-server -> sg:openems-backend tcp/8086",
];

/** The host-agent manifest a planned SSM parameter holds. */
function manifestOf(plan: StackPlan, name: string): any {
  // The provider marks every parameter value secret, String ones too.
  return JSON.parse(secretValue(one(plan, "aws:ssm/parameter:Parameter", name).inputs.value));
}

async function planNetwork(env: string, edit: (c: any) => void): Promise<StackPlan> {
  return planOne("network", env, editedConfig("network", env, edit), await upstreamOutputs());
}

describe("network: security groups", () => {
  for (const env of nonEmpty(ENVIRONMENTS, "ENVIRONMENTS")) {
    it(`${env}: implements the access table of the README and nothing else`, async () => {
      const plan = await stackOf("network", env);
      const net = (await import("../../lib/repo")).readStackFile(
        (await import("../../lib/repo")).environmentFile(env),
      )["platform:network"] as any;
      const ranges = vpnRanges(net.vpn.clientCidr);
      const expected = [
        `vpn-server <- 0.0.0.0/0 udp/${net.vpn.port}`,
        ...ranges.deviceCidrs.map((c) => `openems-backend <- ${c} tcp/8081`),
        ...[4200, 10016, 8086].flatMap((port) =>
          [ranges.adminCidr, ...net.adminAllowlist].map(
            (c: string) => `openems-backend <- ${c} tcp/${port}`,
          ),
        ),
        "openems-backend <- sg:mbe-proxy tcp/8082",
        ...(net.interfaceEndpoints ? [`interface-endpoints <- ${net.vpcCidr} tcp/443`] : []),
        ...(net.natStrategy === "instance"
          ? [80, 443].map((p) => `nat-instance <- ${net.vpcCidr} tcp/${p}`)
          : []),
      ].sort();
      assert.deepStrictEqual(ingressTable(plan), expected);
    });
  }

  // The egress half of the access table, written out per environment: what each group may reach.
  const egressByEnv: [string, string[]][] = [
    [
      "dev",
      [
        "mbe-proxy -> 0.0.0.0/0 tcp/443",
        "nat-instance -> 0.0.0.0/0 tcp/443",
        "nat-instance -> 0.0.0.0/0 tcp/80",
        "openems-backend -> 0.0.0.0/0 tcp/443",
      ],
    ],
    [
      "stage",
      [
        "mbe-proxy -> 0.0.0.0/0 tcp/443",
        "nat-instance -> 0.0.0.0/0 tcp/443",
        "nat-instance -> 0.0.0.0/0 tcp/80",
        "openems-backend -> 0.0.0.0/0 tcp/443",
      ],
    ],
    ["prod", ["mbe-proxy -> 0.0.0.0/0 tcp/443", "openems-backend -> 0.0.0.0/0 tcp/443"]],
  ];
  it("plans an egress table for every environment", () => {
    assert.deepStrictEqual(
      egressByEnv.map(([env]) => env),
      ["dev", "stage", "prod"],
    );
  });
  for (const [env, own] of egressByEnv) {
    it(`${env}: lets each group reach only its own destinations, port by port`, async () => {
      const plan = await stackOf("network", env);
      assert.deepStrictEqual(egressTable(plan), [...COMMON_EGRESS, ...own].sort());
    });
  }

  it("keeps the backend inside the VPC without a NAT, and the proxy inside with endpoints", async () => {
    const plan = await planNetwork("dev", (c) => {
      c["platform:network"].natStrategy = "none";
      c["platform:network"].interfaceEndpoints = true;
    });
    assert.deepStrictEqual(
      egressTable(plan),
      [
        ...COMMON_EGRESS,
        "mbe-proxy -> 10.10.0.0/16 tcp/443",
        "openems-backend -> 10.10.0.0/16 tcp/443",
      ].sort(),
    );
  });

  it("never opens port 22, in any direction, in any environment", async () => {
    for (const env of nonEmpty(ENVIRONMENTS, "ENVIRONMENTS")) {
      const plan = await stackOf("network", env);
      for (const r of nonEmpty([...byType(plan, INGRESS), ...byType(plan, EGRESS)], "rule")) {
        assert.ok(!(r.inputs.fromPort <= 22 && 22 <= r.inputs.toPort), `${env} ${r.name} opens 22`);
        assert.notStrictEqual(r.inputs.ipProtocol, "-1", `${env} ${r.name} allows every protocol`);
      }
      for (const g of nonEmpty(byType(plan, SG), "security group")) {
        assert.strictEqual(g.inputs.ingress, undefined, `${g.name} has inline ingress`);
        assert.strictEqual(g.inputs.egress, undefined, `${g.name} has inline egress`);
      }
    }
  });

  it("gives every rule a description AWS accepts", async () => {
    for (const env of nonEmpty(ENVIRONMENTS, "ENVIRONMENTS")) {
      for (const r of nonEmpty(
        [
          ...byType(await stackOf("network", env), INGRESS),
          ...byType(await stackOf("network", env), EGRESS),
        ],
        `${env} rule`,
      )) {
        assert.match(r.inputs.description, AWS_RULE_DESCRIPTION, `${env} ${r.name}`);
      }
    }
  });

  it("opens the internet only to the VPN port, and only the allowlist when one is set", async () => {
    for (const env of nonEmpty(ENVIRONMENTS, "ENVIRONMENTS")) {
      const open = byType(await stackOf("network", env), INGRESS).filter(
        (r) => r.inputs.cidrIpv4 === "0.0.0.0/0" || r.inputs.cidrIpv6 === "::/0",
      );
      assert.deepStrictEqual(
        open.map((r) => `${r.inputs.ipProtocol}/${r.inputs.fromPort}`),
        ["udp/1194"],
      );
    }
    const plan = await planNetwork(
      "dev",
      (c) => (c["platform:network"].vpn.allowlist = ["192.0.2.0/24", "198.51.100.7/32"]),
    );
    const vpn = ingressTable(plan).filter((row) => row.startsWith("vpn-server"));
    assert.deepStrictEqual(vpn, [
      "vpn-server <- 192.0.2.0/24 udp/1194",
      "vpn-server <- 198.51.100.7/32 udp/1194",
    ]);
  });

  it("lets devices reach only 8081 and admin profiles only the admin ports", () => {
    const net = networkSection.parse({
      vpcCidr: "10.10.0.0/16",
      natStrategy: "gateway",
      vpn: { clientCidr: "10.200.0.0/22" },
    });
    const ranges = vpnRanges("10.200.0.0/22");
    assert.deepStrictEqual(ranges, {
      clientCidr: "10.200.0.0/22",
      adminCidr: "10.200.0.0/24",
      deviceCidrs: ["10.200.1.0/24", "10.200.2.0/23"],
    });
    const backendIn = accessRules(net).filter(
      (r) => r.group === "openems-backend" && r.direction === "ingress",
    );
    for (const cidr of nonEmpty(ranges.deviceCidrs, "ranges.deviceCidrs")) {
      assert.deepStrictEqual(
        backendIn.filter((r) => "cidr" in r.peer && r.peer.cidr === cidr).map((r) => r.port),
        [8081],
      );
    }
    assert.deepStrictEqual(
      backendIn
        .filter((r) => "cidr" in r.peer && r.peer.cidr === ranges.adminCidr)
        .map((r) => r.port),
      [4200, 10016, 8086],
    );
  });
});

describe("network: VPN server", () => {
  for (const env of nonEmpty(ENVIRONMENTS, "ENVIRONMENTS")) {
    it(`${env}: runs on a hardened Graviton instance in a public subnet behind a kept Elastic IP`, async () => {
      const plan = await stackOf("network", env);
      const vm = one(plan, INSTANCE, `${env}-vpn-server`);
      assert.match(vm.inputs.instanceType, /^t4g\./);
      assert.strictEqual(vm.inputs.metadataOptions.httpTokens, "required");
      assert.strictEqual(vm.inputs.keyName, undefined);
      assert.strictEqual(vm.inputs.rootBlockDevice.encrypted, true);
      assert.strictEqual(
        vm.inputs.rootBlockDevice.kmsKeyId,
        one(plan, "aws:kms/key:Key").state.arn,
      );
      const eni = one(plan, "aws:ec2/networkInterface:NetworkInterface", `${env}-vpn-server`);
      assert.strictEqual(vm.inputs.primaryNetworkInterface.networkInterfaceId, eni.id);
      assert.strictEqual(eni.inputs.sourceDestCheck, false);
      assert.strictEqual(eni.inputs.subnetId, (plan.outputs.publicSubnetIds as string[])[0]);
      const eip = one(plan, "aws:ec2/eip:Eip", `${env}-vpn-server`);
      assert.strictEqual(eip.inputs.networkInterface, eni.id);
      assert.ok(eip.protect && eip.retainOnDelete, "the VPN address is protected and retained");
      assert.strictEqual((plan.outputs.vpn as any).host, eip.state.publicIp);
    });
  }

  it("routes the VPN client range to the server's interface from every private subnet", async () => {
    for (const env of nonEmpty(ENVIRONMENTS, "ENVIRONMENTS")) {
      const plan = await stackOf("network", env);
      const eni = one(plan, "aws:ec2/networkInterface:NetworkInterface", `${env}-vpn-server`);
      const routes = byType(plan, "aws:ec2/route:Route").filter(
        (r) => r.inputs.networkInterfaceId === eni.id,
      );
      assert.strictEqual(routes.length, (plan.outputs.privateSubnetIds as string[]).length);
      for (const r of routes)
        assert.strictEqual(r.inputs.destinationCidrBlock, (plan.outputs.vpn as any).clientCidr);
      assert.strictEqual(new Set(routes.map((r) => r.inputs.routeTableId)).size, routes.length);
    }
  });

  it("keeps key material out of user data and in SecureString parameters under the network key", async () => {
    const plan = await stackOf("network", "dev");
    const userData: string = one(plan, INSTANCE, "dev-vpn-server").inputs.userData;
    assert.doesNotMatch(userData, /PRIVATE KEY|OpenVPN|BEGIN CERTIFICATE/);
    // The user data names only the manifest; the manifest names the key material.
    assert.ok(userData.includes("'/openems/dev/hosts/vpn-server/manifest'"));
    const files = manifestOf(plan, "dev-vpn-manifest").files;
    const names = vpnParameterNames("dev");
    const manifestFile = (name: string) => {
      assert.ok(!userData.includes(name), `user data does not name ${name}`);
      const file = files.find((f: any) => f.source.ssmParameter === name);
      assert.ok(file, `the manifest delivers ${name}`);
      assert.deepStrictEqual([file.source.decrypt, file.mode, file.secret], [true, "0600", true]);
    };
    for (const name of [names.serverCaCert, names.serverCert, names.serverKey]) {
      manifestFile(name);
      const p = byType(plan, "aws:ssm/parameter:Parameter").find((r) => r.inputs.name === name);
      assert.ok(p, name);
      assert.strictEqual(p.inputs.type, "SecureString");
      assert.strictEqual(p.inputs.keyId, one(plan, "aws:kms/key:Key").state.arn);
      secretValue(p.inputs.value);
    }
    // What the edge stack publishes: delivered once it exists, never written here.
    for (const name of [names.clientCaBundle, names.tlsCryptV2ServerKey]) {
      manifestFile(name);
      assert.ok(!byType(plan, "aws:ssm/parameter:Parameter").some((r) => r.inputs.name === name));
    }
  });

  it("exports no signing material: only the server CA's certificates cross the stack boundary", async () => {
    for (const env of ["dev", "prod"]) {
      const plan = await stackOf("network", env);
      assert.deepStrictEqual(plan.secretOutputs, [], `${env}: no output is secret`);
      const text = JSON.stringify(plan.outputs);
      assert.doesNotMatch(text, /PRIVATE KEY|OpenVPN/);
      const vpn = plan.outputs.vpn as any;
      const ca = one(plan, "tls:index/selfSignedCert:SelfSignedCert", `${env}-vpn-server-ca-1`);
      assert.strictEqual(vpn.serverCaPem, ca.state.certPem);
      // The server certificate chains to the server CA, the only CA this stack holds.
      const server = one(
        plan,
        "tls:index/locallySignedCert:LocallySignedCert",
        `${env}-vpn-server`,
      );
      assert.strictEqual(server.inputs.caCertPem, ca.state.certPem);
      assert.deepStrictEqual(
        byType(plan, "tls:index/locallySignedCert:LocallySignedCert").map((r) => r.name),
        [`${env}-vpn-server`],
        "the network stack signs no client certificate",
      );
    }
  });

  it("trusts two server CA generations at once and signs with the oldest until it is removed", async () => {
    const plan = await planNetwork(
      "dev",
      (c) => (c["platform:network"].vpn.serverCaGenerations = ["2026", "2031"]),
    );
    const ca = (gen: string) =>
      one(plan, "tls:index/selfSignedCert:SelfSignedCert", `dev-vpn-server-ca-${gen}`);
    for (const gen of ["2026", "2031"]) {
      assert.ok(ca(gen).protect, `generation ${gen} is protected`);
      assert.ok(one(plan, "tls:index/privateKey:PrivateKey", `dev-vpn-server-ca-${gen}`).protect);
    }
    const vpn = plan.outputs.vpn as any;
    assert.strictEqual(vpn.serverCaPem, `${ca("2031").state.certPem}${ca("2026").state.certPem}`);
    const server = one(plan, "tls:index/locallySignedCert:LocallySignedCert", "dev-vpn-server");
    // Devices learn 2031 only from a re-fetched profile: 2026 keeps signing until it is removed.
    assert.strictEqual(server.inputs.caCertPem, ca("2026").state.certPem);
    const bundle = byType(plan, "aws:ssm/parameter:Parameter").find(
      (r) => r.inputs.name === "/openems/dev/vpn/server-ca-cert",
    );
    assert.strictEqual(secretValue(bundle!.inputs.value), vpn.serverCaPem);
    const after = await planNetwork(
      "dev",
      (c) => (c["platform:network"].vpn.serverCaGenerations = ["2031"]),
    );
    assert.strictEqual(
      one(after, "tls:index/locallySignedCert:LocallySignedCert", "dev-vpn-server").inputs
        .caCertPem,
      one(after, "tls:index/selfSignedCert:SelfSignedCert", "dev-vpn-server-ca-2031").state.certPem,
    );
  });

  it("grants the instance role only its parameters, its ccd prefix and its metric namespace", async () => {
    const plan = await stackOf("network", "dev");
    const policy = JSON.parse(
      byType(plan, "aws:iam/rolePolicy:RolePolicy").find((r) => r.name === "dev-vpn-server")!.inputs
        .policy,
    );
    const actions = policy.Statement.flatMap((s: any) => [s.Action].flat());
    assert.deepStrictEqual(actions.sort(), [
      "cloudwatch:PutMetricData",
      "kms:Decrypt",
      "kms:Decrypt",
      "s3:GetObject",
      "s3:ListBucket",
      "ssm:GetParameter",
    ]);
    for (const s of nonEmpty<any>(policy.Statement, "statement")) {
      if (s.Resource === "*") assert.ok(s.Condition, `${s.Sid} on every resource has a condition`);
    }
    const ssm = policy.Statement.find((s: any) => s.Action === "ssm:GetParameter");
    assert.deepStrictEqual(
      ssm.Resource.map((arn: string) => arn.replace(/^arn:aws:ssm:[a-z0-9-]+:\d+:parameter/, "")),
      [
        "/openems/dev/hosts/vpn-server/manifest",
        "/openems/dev/vpn/client-ca-bundle",
        "/openems/dev/vpn/server-cert",
        "/openems/dev/vpn/server-key",
        "/openems/dev/vpn/tls-crypt-v2-server-key",
        "/openems/dev/vpn/server-ca-cert",
        "/openems/dev/edge/earliest-cert-expiry",
      ],
    );
    // The edge key, by its alias, through SSM, for exactly the two parameters edge publishes.
    const edgeKey = policy.Statement.find((s: any) => s.Sid === "DecryptEdgePublishedKeyMaterial");
    assert.match(edgeKey.Resource, /^arn:aws:kms:[a-z0-9-]+:\d{12}:key\/\*$/);
    assert.deepStrictEqual(edgeKey.Condition["ForAnyValue:StringEquals"], {
      "kms:ResourceAliases": "alias/openems-dev-edge",
    });
    assert.match(
      edgeKey.Condition.StringEquals["kms:ViaService"],
      /^ssm\.[a-z0-9-]+\.amazonaws\.com$/,
    );
    assert.deepStrictEqual(
      edgeKey.Condition.StringEquals["kms:EncryptionContext:PARAMETER_ARN"].map((arn: string) =>
        arn.replace(/^arn:aws:ssm:[a-z0-9-]+:\d+:parameter/, ""),
      ),
      ["/openems/dev/vpn/client-ca-bundle", "/openems/dev/vpn/tls-crypt-v2-server-key"],
    );
    const edge = await stackOf("edge", "dev");
    assert.ok(
      byType(edge, "aws:kms/alias:Alias").some((a) => a.inputs.name === "alias/openems-dev-edge"),
      "the edge stack's key carries the alias the server's role names",
    );
    for (const name of [
      "/openems/dev/vpn/client-ca-bundle",
      "/openems/dev/vpn/tls-crypt-v2-server-key",
    ]) {
      const p = byType(edge, "aws:ssm/parameter:Parameter").find((r) => r.inputs.name === name);
      assert.ok(p, `edge publishes ${name}`);
      assert.strictEqual(p.inputs.keyId, one(edge, "aws:kms/key:Key").state.arn);
    }
    const s3 = policy.Statement.find((s: any) => s.Action === "s3:GetObject");
    assert.deepStrictEqual(
      s3.Resource.map((arn: string) => arn.replace(/^arn:aws:s3:::[^/]+/, "")),
      ["/ccd/*", "/host/vpn-server/*"],
    );
    assert.ok(
      !ssm.Resource.some((arn: string) => arn.includes("admins")),
      "the server cannot read admin profiles",
    );
  });

  it("keeps the server's identity: server CA, ccd bucket and network key are protected", async () => {
    const plan = await stackOf("network", "prod");
    const mustKeep = (r: PlannedResource) =>
      assert.ok(r.protect, `${r.type} ${r.name} is protected`);
    mustKeep(one(plan, "tls:index/privateKey:PrivateKey", "prod-vpn-server-ca-1"));
    mustKeep(one(plan, "tls:index/selfSignedCert:SelfSignedCert", "prod-vpn-server-ca-1"));
    const bucket = one(plan, "aws:s3/bucket:Bucket", "prod-vpn-ccd");
    assert.ok(bucket.protect && bucket.retainOnDelete);
    const key = one(plan, "aws:kms/key:Key");
    assert.ok(key.protect && key.retainOnDelete && key.inputs.enableKeyRotation);
  });

  it("admits admin profiles through an empty ccd entry, and issues none itself", async () => {
    const plan = await stackOf("network", "dev");
    assert.ok(
      !byType(plan, "aws:ssm/parameter:Parameter").some((r) => /admins/.test(r.inputs.name)),
    );
    const ccd = one(plan, "aws:s3/bucketObjectv2:BucketObjectv2", "dev-vpn-admin-ops");
    assert.strictEqual(ccd.inputs.key, "ccd/admin-ops");
    assert.doesNotMatch(ccd.inputs.content, /ifconfig-push/);
  });

  it("keeps the user data the same, and under 16 KB, whatever the size of the fleet", async () => {
    const shipped: string = one(await stackOf("network", "prod"), INSTANCE, "prod-vpn-server")
      .inputs.userData;
    const big = await planNetwork("prod", (c) => (c["platform:edge"].sites = fleetSites(1000)));
    assert.strictEqual(one(big, INSTANCE, "prod-vpn-server").inputs.userData, shipped);
    assert.ok(
      Buffer.byteLength(shipped) < USER_DATA_LIMIT_BYTES,
      `${Buffer.byteLength(shipped)} bytes`,
    );
  });
});

describe("network: VPC services", () => {
  for (const env of nonEmpty(ENVIRONMENTS, "ENVIRONMENTS")) {
    it(`${env}: sends every flow to an encrypted log group with the file's retention`, async () => {
      const plan = await stackOf("network", env);
      const net = editedConfig("network", env, () => undefined)["platform:network"] as any;
      const group = one(plan, "aws:cloudwatch/logGroup:LogGroup");
      assert.strictEqual(group.inputs.retentionInDays, net.flowLogRetentionDays);
      assert.strictEqual(group.inputs.kmsKeyId, one(plan, "aws:kms/key:Key").state.arn);
      const flow = one(plan, "aws:ec2/flowLog:FlowLog");
      assert.strictEqual(flow.inputs.trafficType, "ALL");
      assert.strictEqual(flow.inputs.vpcId, plan.outputs.vpcId);
      assert.strictEqual(flow.inputs.logDestination, group.state.arn);
      assert.strictEqual(plan.outputs.flowLogGroup, group.state.name);
    });
  }

  it("lets CloudWatch Logs use the network key only for this account's log groups", async () => {
    const plan = await stackOf("network", "dev");
    const policy = JSON.parse(one(plan, "aws:kms/key:Key").inputs.policy);
    const logs = policy.Statement.find((s: any) => s.Sid === "LogsEncryptLogGroupsOfThisAccount");
    assert.deepStrictEqual(logs.Principal.Service, ["logs.us-east-1.amazonaws.com"]);
    // CloudWatch (the certificate alarms' encrypted topic) only for this account.
    const others = policy.Statement.find((s: any) => s.Sid === "ServicesEncryptInThisAccount");
    assert.deepStrictEqual(others.Principal.Service, ["cloudwatch.amazonaws.com"]);
    assert.match(others.Condition.StringEquals["aws:SourceAccount"], /^\d{12}$/);
    assert.match(
      logs.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"],
      /^arn:aws:logs:us-east-1:\d{12}:log-group:\*$/,
    );
  });

  it("adds the free S3 gateway endpoint everywhere and interface endpoints where the file asks", async () => {
    for (const env of nonEmpty(ENVIRONMENTS, "ENVIRONMENTS")) {
      const plan = await stackOf("network", env);
      const net = editedConfig("network", env, () => undefined)["platform:network"] as any;
      const endpoints = byType(plan, "aws:ec2/vpcEndpoint:VpcEndpoint");
      const s3 = endpoints.filter((e) => e.inputs.vpcEndpointType === "Gateway");
      assert.deepStrictEqual(
        s3.map((e) => e.inputs.serviceName),
        ["com.amazonaws.us-east-1.s3"],
      );
      assert.strictEqual(
        s3[0].inputs.routeTableIds.length,
        2 * (plan.outputs.privateSubnetIds as string[]).length,
      );
      const interfaces = endpoints.filter((e) => e.inputs.vpcEndpointType === "Interface");
      assert.strictEqual(
        interfaces.length,
        // ssm, ssmmessages, ec2messages (Session Manager without internet access, AWS Systems
        // Manager User Guide "Improve the security of EC2 instances by using VPC endpoints"),
        // secretsmanager and logs.
        net.interfaceEndpoints ? 5 : 0,
        env,
      );
      for (const e of interfaces) {
        assert.strictEqual(e.inputs.privateDnsEnabled, true);
        assert.deepStrictEqual(e.inputs.subnetIds, plan.outputs.privateSubnetIds);
      }
    }
  });

  it("plans interface endpoints with private DNS, their own group and every private subnet when the file asks", async () => {
    const plan = await planNetwork(
      "prod",
      (c) => (c["platform:network"].interfaceEndpoints = true),
    );
    const interfaces = byType(plan, "aws:ec2/vpcEndpoint:VpcEndpoint").filter(
      (e) => e.inputs.vpcEndpointType === "Interface",
    );
    assert.deepStrictEqual(interfaces.map((e) => e.inputs.serviceName).sort(), [
      "com.amazonaws.us-east-1.ec2messages",
      "com.amazonaws.us-east-1.logs",
      "com.amazonaws.us-east-1.secretsmanager",
      "com.amazonaws.us-east-1.ssm",
      "com.amazonaws.us-east-1.ssmmessages",
    ]);
    const group = byType(plan, SG).filter((g) => g.inputs.tags.role === "interface-endpoints");
    assert.strictEqual(group.length, 1, "one security group for the endpoints");
    // Auto-named from a prefix, so a replacement can be created before the old group goes.
    assert.strictEqual(group[0].inputs.namePrefix, "openems-prod-interface-endpoints-");
    const privateSubnets = plan.outputs.privateSubnetIds as string[];
    assert.strictEqual(privateSubnets.length, 2, "two zones, two private subnets");
    const publicSubnets = plan.outputs.publicSubnetIds as string[];
    for (const e of interfaces) {
      assert.strictEqual(e.inputs.privateDnsEnabled, true, e.name);
      assert.strictEqual(e.inputs.vpcId, plan.outputs.vpcId, e.name);
      assert.deepStrictEqual(e.inputs.securityGroupIds, [group[0].id], e.name);
      assert.deepStrictEqual(e.inputs.subnetIds, privateSubnets, e.name);
      assert.ok(!e.inputs.subnetIds.some((s: string) => publicSubnets.includes(s)), e.name);
    }
    // The endpoints' group admits HTTPS from the VPC and nothing else; it reaches nothing.
    assert.deepStrictEqual(
      ingressTable(plan).filter((row) => row.startsWith("interface-endpoints")),
      ["interface-endpoints <- 10.30.0.0/16 tcp/443"],
    );
    assert.deepStrictEqual(
      egressTable(plan).filter((row) => row.startsWith("interface-endpoints")),
      [],
    );
    // With the endpoints, the MBE proxy's HTTPS stays inside the VPC.
    assert.deepStrictEqual(
      egressTable(plan).filter((row) => row.startsWith("mbe-proxy")),
      ["mbe-proxy -> 10.30.0.0/16 tcp/443", "mbe-proxy -> sg:openems-backend tcp/8082"],
    );
  });

  it("builds the NAT the file chooses: an instance with default routes, or awsx gateways", async () => {
    const dev = await stackOf("network", "dev");
    const nat = one(dev, INSTANCE, "dev-nat");
    assert.strictEqual(nat.inputs.metadataOptions.httpTokens, "required");
    const eni = one(dev, "aws:ec2/networkInterface:NetworkInterface", "dev-nat");
    const defaults = byType(dev, "aws:ec2/route:Route").filter(
      (r) => r.inputs.destinationCidrBlock === "0.0.0.0/0",
    );
    assert.strictEqual(defaults.length, 2);
    for (const r of defaults) assert.strictEqual(r.inputs.networkInterfaceId, eni.id);
    assert.strictEqual(one(dev, "awsx:ec2:Vpc").inputs.natGateways.strategy, "None");
    const prod = await stackOf("network", "prod");
    assert.strictEqual(byType(prod, INSTANCE).filter((r) => r.name === "prod-nat").length, 0);
    assert.strictEqual(one(prod, "awsx:ec2:Vpc").inputs.natGateways.strategy, "Single");
    const perAz = await planNetwork(
      "prod",
      (c) => (c["platform:network"].natStrategy = "gateway-per-az"),
    );
    assert.strictEqual(one(perAz, "awsx:ec2:Vpc").inputs.natGateways.strategy, "OnePerAz");
  });

  it("exports the contract workloads and edge read", async () => {
    const plan = await stackOf("network", "stage");
    const vpn = plan.outputs.vpn as any;
    assert.deepStrictEqual(Object.keys(plan.outputs.securityGroupIds as object).sort(), [
      "mbeProxy",
      "openemsBackend",
      "vpnServer",
    ]);
    assert.strictEqual(vpn.port, 1194);
    assert.strictEqual(vpn.ccdPrefix, "ccd");
    assert.strictEqual(vpn.ccdBucket, one(plan, "aws:s3/bucket:Bucket").state.bucket);
    assert.match(vpn.serverCaPem, /BEGIN CERTIFICATE/);
    assert.ok(!("vpnSigning" in plan.outputs));
  });
});

describe("network: hosts converge through host-agent", () => {
  const HOSTS = ["dev-vpn-server", "dev-nat"];
  const userDataOf = (plan: StackPlan) => HOSTS.map((h) => one(plan, INSTANCE, h).inputs.userData);
  const objectsOf = (plan: StackPlan) =>
    new Map(
      byType(plan, "aws:s3/bucketObjectv2:BucketObjectv2")
        .filter((o) => o.inputs.key.startsWith("host/"))
        .map((o) => [o.inputs.key, o.inputs.content as string]),
    );

  it("leaves every host's user data identical when an edge setting or the server config changes; the manifest changes instead", async () => {
    const base = await stackOf("network", "dev");
    const away = await planNetwork("dev", (c) => (c["platform:edge"].awayAlarmMinutes = 45));
    const port = await planNetwork("dev", (c) => (c["platform:network"].vpn.port = 1195));
    for (const changed of [away, port]) {
      assert.deepStrictEqual(userDataOf(changed), userDataOf(base));
      assert.notDeepStrictEqual(
        manifestOf(changed, "dev-vpn-manifest"),
        manifestOf(base, "dev-vpn-manifest"),
      );
    }
    // Where each change lands: the metrics script says 45 minutes, the server config port 1195.
    assert.match(
      objectsOf(away).get("host/vpn-server/openvpn-publish-metrics")!,
      /AWAY_AFTER_SECONDS=2700$/m,
    );
    assert.match(
      objectsOf(base).get("host/vpn-server/openvpn-publish-metrics")!,
      /AWAY_AFTER_SECONDS=1800$/m,
    );
    assert.match(objectsOf(port).get("host/vpn-server/server.conf")!, /^port 1195$/m);
    assert.strictEqual(
      objectsOf(away).get("host/vpn-server/server.conf"),
      objectsOf(base).get("host/vpn-server/server.conf"),
    );
  });

  it("names every S3 file of the manifest with the digest of the object the stack writes", async () => {
    const plan = await stackOf("network", "dev");
    const objects = objectsOf(plan);
    const s3Files = manifestOf(plan, "dev-vpn-manifest").files.filter(
      (f: any) => f.source.s3Object,
    );
    for (const f of nonEmpty<any>(s3Files, "S3 files")) {
      const content = objects.get(f.source.s3Object.key);
      assert.ok(content !== undefined, `${f.source.s3Object.key} is written`);
      assert.strictEqual(f.sha256, crypto.createHash("sha256").update(content).digest("hex"));
    }
    assert.strictEqual(s3Files.length, objects.size);
  });

  it("masks sshd on the VPN server and the NAT instance, and replaces a host only when its agent changes", async () => {
    const plan = await stackOf("network", "dev");
    for (const manifest of [
      manifestOf(plan, "dev-vpn-manifest"),
      manifestOf(plan, "dev-nat-manifest"),
    ]) {
      const masked = manifest.units
        .filter((u: any) => u.state === "masked")
        .map((u: any) => u.name);
      assert.deepStrictEqual(masked, ["sshd.service", "sshd.socket"]);
    }
    for (const host of HOSTS) {
      const instance = one(plan, INSTANCE, host);
      assert.strictEqual(instance.inputs.userDataReplaceOnChange, true, host);
      assert.strictEqual(
        instance.deleteBeforeReplace,
        true,
        `${host}: its interface moves to the new instance`,
      );
      assert.match(instance.inputs.userData, /systemctl mask --now sshd.service sshd.socket/);
    }
  });

  it("makes OpenVPN require the firewall and start only once its config and key material exist", async () => {
    const m = manifestOf(await stackOf("network", "dev"), "dev-vpn-manifest");
    const dropIn = m.files.find((f: any) =>
      f.path.endsWith("openvpn-server@server.service.d/10-firewall.conf"),
    );
    assert.match(dropIn.source.inline, /^Requires=openvpn-firewall.service$/m);
    assert.match(dropIn.source.inline, /^After=openvpn-firewall.service$/m);
    const openvpn = m.units.find((u: any) => u.name === "openvpn-server@server.service");
    assert.deepStrictEqual(openvpn.requires, [
      "/etc/openvpn/server/server.conf",
      "/usr/local/libexec/openvpn-tls-crypt-v2-verify",
      "/etc/openvpn/server/client-ca.crt",
      "/etc/openvpn/server/server.crt",
      "/etc/openvpn/server/server.key",
      "/etc/openvpn/server/tls-crypt-v2-server.key",
      "/etc/openvpn/server/server-ca.crt",
    ]);
    const tree = m.trees.find((t: any) => t.path === "/etc/openvpn/server/ccd");
    assert.deepStrictEqual(tree.validate, ["/usr/local/libexec/openvpn-ccd-check", "{name}", "{}"]);
    // The key check the server config runs before TLS comes from the host prefix, executable.
    const verifier = m.files.find(
      (f: any) => f.path === "/usr/local/libexec/openvpn-tls-crypt-v2-verify",
    );
    assert.equal(verifier.mode, "0755");
    assert.equal(verifier.source.s3Object.key, "host/vpn-server/openvpn-tls-crypt-v2-verify");
  });

  it("alarms 30 days before the server or CA certificate expires, without paging on a fresh deploy", async () => {
    const plan = await stackOf("network", "dev");
    const alarms = byType(plan, "aws:cloudwatch/metricAlarm:MetricAlarm").filter(
      (a) => a.inputs.metricName === "CertificateDaysToExpiry",
    );
    assert.deepStrictEqual(
      alarms
        .map((a) => a.inputs.dimensions)
        .sort((a, b) => a.Certificate.localeCompare(b.Certificate)),
      [
        { Environment: "dev", Certificate: "client-ca" },
        { Environment: "dev", Certificate: "server" },
        { Environment: "dev", Certificate: "server-ca" },
      ],
    );
    const topic = one(plan, "aws:sns/topic:Topic", "dev-network-alarms");
    for (const a of alarms) {
      assert.deepStrictEqual(
        [
          a.inputs.namespace,
          a.inputs.threshold,
          a.inputs.comparisonOperator,
          a.inputs.treatMissingData,
        ],
        ["OpenEMS/VPN", 30, "LessThanThreshold", "notBreaching"],
      );
      assert.deepStrictEqual(a.inputs.alarmActions, [topic.state.arn]);
    }
  });
});

describe("network: boot scripts", function () {
  before(function () {
    requirePrerequisites(this, { tools: ["shellcheck"] });
  });

  it("passes shellcheck for the VPN server and the NAT instance as planned", async () => {
    const dev = await stackOf("network", "dev");
    for (const name of ["dev-vpn-server", "dev-nat"]) {
      const result = shellcheck(one(dev, INSTANCE, name).inputs.userData);
      assert.strictEqual(result.status, 0, `${name}:\n${result.output}`);
    }
  });

  it("refuses a NAT manifest for something that is not a CIDR", () => {
    assert.throws(
      () => natHostManifest("10.0.0.0/16; rm -rf /"),
      /natHostManifest: vpcCidr: got "10.0.0.0\/16; rm -rf \/"; expected an IPv4 CIDR block/,
    );
  });
});
