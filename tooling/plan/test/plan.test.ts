import { nonEmpty } from "../../testing/non-empty";
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { planScriptArgs } from "../../bench";
import * as pulumi from "@pulumi/pulumi";
import { PlatformMocks } from "../mocks";
import { planDocument, renderPlan } from "../render";
import { repositoryPlan, stackOf } from "../../testing/harness";
import { REPO_ROOT } from "../../../lib/repo";
import { parseCidr, containsIp } from "../../../lib/net/ipv4";

describe("Offline plan", () => {
  it("prints one JSON document in the documented shape, limited by --env", function () {
    this.timeout(60000);
    // The command `npm run plan` runs, from package.json (node, its flags and the esbuild loader).
    const { flags, cli } = planScriptArgs(
      JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).scripts,
    );
    const out = execFileSync(process.execPath, [...flags, ...cli, "--env", "dev", "--json"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    const doc = JSON.parse(out);
    assert.deepStrictEqual(
      doc.stacks.map((s: any) => `${s.project}/${s.stack}`),
      ["org/management", "network/dev", "workloads/dev", "edge/dev"],
    );
    for (const stack of doc.stacks) {
      for (const r of nonEmpty<any>(stack.resources, "stack.resources")) {
        assert.deepStrictEqual(Object.keys(r), [
          "type",
          "name",
          "urn",
          "id",
          "parent",
          "protect",
          "retainOnDelete",
          "provider",
          "dependencies",
          "deleteBeforeReplace",
          "replaceOnChanges",
          "ignoreChanges",
          "import",
          "inputs",
          "state",
        ]);
      }
    }
    const org = doc.stacks[0];
    const attachments = org.resources.filter(
      (r: any) => r.type === "aws:organizations/account:Account",
    );
    const ous = new Set(
      org.resources
        .filter((r: any) => r.type === "aws:organizations/organizationalUnit:OrganizationalUnit")
        .map((r: any) => r.id),
    );
    for (const a of nonEmpty<any>(attachments, "attachments"))
      assert.ok(ous.has(a.inputs.parentId), `account ${a.name} points at an OU the plan holds`);
  });

  it("renders a tree, counts by type and a summary line for people", async () => {
    const text = renderPlan(await repositoryPlan());
    assert.match(text, /org\/management: \d+ resources would be created/);
    assert.match(
      text,
      /[├└]─ aws:organizations\/account:Account org-account-prod {2}\[protected, retained\]/,
    );
    assert.match(text, /by type:\n/);
    assert.match(text, /\n {4}\s*5 {2}aws:organizations\/account:Account\n/);
    assert.match(text, /Plan: 10 stacks, \d+ resources, no AWS account used\./);
  });

  it("redacts secret outputs in both forms", async () => {
    const plan = { ...(await stackOf("edge", "dev")), secretOutputs: ["kmsKeyArn"] };
    assert.strictEqual((planDocument([plan]).stacks[0].outputs as any).kmsKeyArn, "[secret]");
    assert.match(renderPlan([plan]), /kmsKeyArn: \[secret\]/);
  });

  it("redacts secret inputs and secret state as it redacts secret outputs", async function () {
    this.timeout(120000);
    const plan = await stackOf("edge", "dev");
    const text = JSON.stringify(planDocument([plan]));
    // Every private key and API key the plan holds, as the program passed it.
    const keys = plan.resources.filter((r) => r.type === "tls:index/privateKey:PrivateKey");
    assert.ok(keys.length > 0, "the edge plan holds private keys");
    const profiles = plan.resources.filter(
      (r) => r.type === "aws:ssm/parameter:Parameter" && /\.ovpn$/.test(r.inputs.name),
    );
    assert.ok(profiles.length > 0, "the edge plan holds device profiles");
    for (const p of profiles) {
      const raw = JSON.stringify(p.inputs.value);
      assert.match(raw, /PRIVATE KEY/, `${p.name}: the planned input holds the key`);
    }
    assert.doesNotMatch(text, /PRIVATE KEY-----/);
    assert.doesNotMatch(text, /OpenVPN tls-crypt-v2 (server|client) key-----/);
    const doc = planDocument([plan]).stacks[0].resources;
    const profile = doc.find((r) => r.urn === profiles[0].urn);
    assert.strictEqual((profile?.inputs as any).value, "[secret]");
    assert.strictEqual((profile?.state as any).value, "[secret]");
    // Non-secret inputs stay readable.
    assert.strictEqual((profile?.inputs as any).name, profiles[0].inputs.name);
    // State the provider marks secret (tls.PrivateKey's privateKeyPem) is redacted too.
    const key = doc.find((r) => r.urn === keys[0].urn);
    assert.ok(keys[0].additionalSecretOutputs?.includes("privateKeyPem"));
    assert.strictEqual((key?.state as any).privateKeyPem, "[secret]");
  });
});

describe("PlatformMocks", () => {
  const mocks = () =>
    new PlatformMocks({ defaultAccountId: "123456789012", defaultRegion: "us-west-2" });

  it("fails loudly, naming the token, on a data source it does not know", async () => {
    await assert.rejects(
      mocks().call({ token: "aws:rds/getEngineVersion:getEngineVersion", inputs: {} } as any),
      /Mock not implemented: aws:rds\/getEngineVersion:getEngineVersion/,
    );
  });

  it("answers in the account and region the resource's provider points at", async () => {
    await pulumi.runtime.setMocks(mocks(), "p", "s", false);
    const m = mocks();
    const role = await m.newResource({
      type: "aws:iam/role:Role",
      name: "r",
      inputs: { name: "deployer" },
      custom: true,
    } as any);
    assert.strictEqual(role.state.arn, "arn:aws:iam::123456789012:role/deployer");
    const key = await m.newResource({
      type: "aws:kms/key:Key",
      name: "k",
      inputs: {},
      custom: true,
    } as any);
    assert.match(key.state.arn, /^arn:aws:kms:us-west-2:123456789012:key\/[0-9a-f-]{36}$/);
  });

  it("gives Elastic IPs public addresses and instances private addresses inside their subnet", async () => {
    await pulumi.runtime.setMocks(mocks(), "p", "s", false);
    const m = mocks();
    const eip = await m.newResource({
      type: "aws:ec2/eip:Eip",
      name: "e",
      inputs: {},
      custom: true,
    } as any);
    assert.match(eip.state.publicIp, /^54\.\d+\.\d+\.\d+$/);
    const vpc = await m.newResource({
      type: "awsx:ec2:Vpc",
      name: "v",
      inputs: {
        availabilityZoneNames: ["us-west-2a", "us-west-2b"],
        subnetSpecs: [{ type: "Private", cidrBlocks: ["10.9.0.0/18", "10.9.64.0/18"] }],
      },
      custom: false,
    } as any);
    const subnet = vpc.state.privateSubnetIds[1];
    const vm = await m.newResource({
      type: "aws:ec2/instance:Instance",
      name: "i",
      inputs: { subnetId: subnet },
      custom: true,
    } as any);
    assert.ok(containsIp(parseCidr("10.9.64.0/18"), vm.state.privateIp), vm.state.privateIp);
    assert.strictEqual(vm.state.availabilityZone, "us-west-2b");
    await assert.rejects(
      m.newResource({
        type: "aws:ec2/instance:Instance",
        name: "j",
        inputs: { subnetId: "subnet-nowhere" },
        custom: true,
      } as any),
      /not a subnet the plan created/,
    );
  });

  it("gives the same document on every run, under the stock runtime as under the plan-time one", async function () {
    // Ids are hashes, so plans can be compared; the plan-time runtime settings (runtime.ts) must
    // not move a resource or change a byte.
    this.timeout(120000);
    const lean = planDocument(await repositoryPlan());
    const { planAll } = await import("../run");
    const stock = planDocument(await planAll({ stockRuntime: true }));
    assert.strictEqual(lean.stacks.length, 10);
    assert.strictEqual(JSON.stringify(stock, null, 2), JSON.stringify(lean, null, 2));
  });
});
