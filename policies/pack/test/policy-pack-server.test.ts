/**
 * Runs the pack the way `pulumi preview --policy-pack policies/pack` does: its index.ts in a child
 * process, where `new PolicyPack` starts @pulumi/policy's analyzer gRPC server on 127.0.0.1 and
 * prints the port. The test then plays the engine: it asks for the pack's metadata and sends
 * Analyze and AnalyzeStack requests, and compares the server's answers with the in-process
 * evaluation of the same resources. The child is killed after a minute at most.
 */
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { PlannedResource } from "../../../tooling/stack-plan";
import { evaluatePolicies } from "../../../tooling/pack/evaluate";
import { catalogue, policies } from "../policies";
import { awsProvider, edited, planned, stackPlan } from "../../../tooling/testing/planned";
import { privateBucket } from "./s3.fixtures";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const analyzerpb = require("@pulumi/pulumi/proto/analyzer_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AnalyzerClient } = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { convertEnforcementLevel } = require("@pulumi/policy/protoutil");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownStringValue } = require("@pulumi/policy/proxy");

const PACK_DIR = path.join(__dirname, "..");
const LIFETIME_MS = process.env.POLICY_PACK_HOST === "pulumi" ? 180_000 : 60_000;

interface Diagnostic {
  policy: string;
  level: string;
  urn: string;
  message: string;
}

/**
 * How to start the pack. By default with ts-node in transpile-only mode, which starts in a few
 * seconds. POLICY_PACK_HOST=pulumi uses the Pulumi CLI's own Node.js policy host
 * (@pulumi/pulumi/cmd/run-policy-pack), which also type-checks the pack with policies/pack/tsconfig.json
 * and takes half a minute or more.
 */
function hostCommand(): string[] {
  if (process.env.POLICY_PACK_HOST === "pulumi") {
    return [require.resolve("@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:0", "."];
  }
  return ["-r", "ts-node/register/transpile-only", "index.ts"];
}

function startPack(): Promise<{ child: ChildProcess; port: number }> {
  // The child is killed after LIFETIME_MS whatever happens, so it never outlives the test run.
  const child = spawn(process.execPath, hostCommand(), {
    cwd: PACK_DIR,
    stdio: ["ignore", "pipe", "pipe"],
    timeout: LIFETIME_MS,
    killSignal: "SIGKILL",
    env: { ...process.env, TS_NODE_PROJECT: path.join(PACK_DIR, "tsconfig.json") },
  });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const limit = LIFETIME_MS / 2;
    const timer = setTimeout(
      () =>
        reject(
          new Error(`policy pack did not print its port within ${limit / 1000} s; stderr: ${err}`),
        ),
      limit,
    );
    child.stdout!.on("data", (chunk) => {
      out += chunk;
      const line = /^(\d+)\s*$/m.exec(out);
      if (line) {
        clearTimeout(timer);
        resolve({ child, port: Number(line[1]) });
      }
    });
    child.stderr!.on("data", (chunk) => (err += chunk));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`policy pack exited with ${code} before serving; stderr: ${err}`));
    });
  });
}

function call<T>(client: any, method: string, request: unknown): Promise<T> {
  return new Promise((resolve, reject) =>
    client[method](request, { deadline: Date.now() + 10_000 }, (e: Error | null, r: T) =>
      e ? reject(e) : resolve(r),
    ),
  );
}

function options(r: PlannedResource) {
  const o = new analyzerpb.AnalyzerResourceOptions();
  o.setProtect(r.protect);
  if (r.parent) o.setParent(r.parent);
  return o;
}

function providerMessage(p: PlannedResource) {
  const m = new analyzerpb.AnalyzerProviderResource();
  m.setType(p.type);
  m.setName(p.name);
  m.setUrn(p.urn);
  m.setProperties(Struct.fromJavaScript(p.inputs as any));
  return m;
}

/** The server's diagnostics; for Analyze the engine fills in the resource's URN, so does `urn`. */
function diagnostics(response: any, urn = ""): Diagnostic[] {
  return response.getDiagnosticsList().map((d: any) => ({
    policy: d.getPolicyname(),
    level: convertEnforcementLevel(d.getEnforcementlevel()),
    urn: d.getUrn() || urn,
    message: d.getMessage(),
  }));
}

const isStackPolicy = (name: string) =>
  catalogue.some((m) => m.policy.name === name && "validateStack" in m.policy);

/** What the in-process evaluation says, in the server's form: description, newline, message. */
function expected(
  resources: PlannedResource[],
  provider: PlannedResource,
  kind: "resource" | "stack",
): Diagnostic[] {
  const byName = new Map(policies.map((p) => [p.name, p.description]));
  return evaluatePolicies(stackPlan(resources, { provider }))
    .filter((v) => isStackPolicy(v.policy) === (kind === "stack"))
    .map((v) => ({
      policy: v.policy,
      level: v.enforcementLevel,
      urn: v.urn ?? "",
      message: `${byName.get(v.policy)}\n${v.message}`,
    }));
}

const sort = (ds: Diagnostic[]) =>
  [...ds].sort((a, b) =>
    `${a.urn}${a.policy}${a.message}`.localeCompare(`${b.urn}${b.policy}${b.message}`),
  );

describe("policy pack under @pulumi/policy's analyzer server", function () {
  this.timeout(LIFETIME_MS);
  let child: ChildProcess | undefined;
  let client: any;

  before(async () => {
    const started = await startPack();
    child = started.child;
    client = new AnalyzerClient(`127.0.0.1:${started.port}`, grpc.credentials.createInsecure());
  });

  after(() => {
    client?.close();
    if (child && child.exitCode === null) child.kill();
  });

  it("serves every policy with its description, enforcement level and config defaults", async () => {
    const info = await call<any>(
      client,
      "getAnalyzerInfo",
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- generated protobuf module without types, like the ones above
      new (require("google-protobuf/google/protobuf/empty_pb").Empty)(),
    );
    assert.strictEqual(info.getName(), "openems-platform");
    assert.strictEqual(info.getVersion(), "0.1.0");
    const served = info.getPoliciesList().map((p: any) => ({
      name: p.getName(),
      description: p.getDescription(),
      level: convertEnforcementLevel(p.getEnforcementlevel()),
      config: p.getConfigschema()?.getProperties()?.toJavaScript() ?? {},
    }));
    const ours = catalogue.map(({ policy }) => ({
      name: policy.name,
      description: policy.description,
      level: policy.enforcementLevel,
      config: JSON.parse(JSON.stringify(policy.configSchema?.properties ?? {})),
    }));
    assert.deepStrictEqual(served, ours);
  });

  it("reports for each resource exactly what the in-process evaluation reports", async () => {
    const provider = awsProvider();
    const resources = [
      planned("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "dev-open", {
        securityGroupId: "sg-1",
        ipProtocol: "tcp",
        fromPort: 22,
        toPort: 22,
        cidrIpv4: "0.0.0.0/0",
        tags: { role: "openems-backend" },
      }),
      planned("aws:ec2/instance:Instance", "dev-openems", {
        ami: "ami-1",
        metadataOptions: { httpTokens: "optional" },
        associatePublicIpAddress: true,
        tags: { role: "openems-backend" },
      }),
      planned("aws:kms/key:Key", "dev-key", { enableKeyRotation: false }, { provider: null }),
      planned("aws:iam/role:Role", "dev-admin", {
        name: "ops",
        assumeRolePolicy: "{}",
        managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
      }),
      planned("aws:lambda/functionUrl:FunctionUrl", "dev-url", {
        functionName: "f",
        authorizationType: "NONE",
      }),
    ];
    const got: Diagnostic[] = [];
    for (const r of resources) {
      const req = new analyzerpb.AnalyzeRequest();
      req.setType(r.type);
      req.setName(r.name);
      req.setUrn(r.urn);
      req.setProperties(Struct.fromJavaScript(r.inputs as any));
      req.setOptions(options(r));
      if (r.provider) req.setProvider(providerMessage(provider));
      got.push(...diagnostics(await call(client, "analyze", req), r.urn));
    }
    const want = expected(resources, provider, "resource");
    assert.ok(want.length >= 8, `expected a violation from most policies, got ${want.length}`);
    assert.deepStrictEqual(sort(got), sort(want));
  });

  it("reports for a stack exactly what the in-process evaluation reports", async () => {
    const provider = awsProvider();
    const [bucket, block, , encryption] = privateBucket("dev-ccd", "audit");
    const unprotected = edited(bucket, (r) =>
      Object.assign(r, { protect: false, retainOnDelete: false }),
    );
    const resources = [
      unprotected,
      edited(block, (r) => (r.inputs.blockPublicPolicy = false)),
      encryption,
    ];
    const req = new analyzerpb.AnalyzeStackRequest();
    req.setResourcesList(
      resources.map((r) => {
        const m = new analyzerpb.AnalyzerResource();
        m.setType(r.type);
        m.setName(r.name);
        m.setUrn(r.urn);
        m.setProperties(Struct.fromJavaScript(r.state as any));
        m.setOptions(options(r));
        m.setProvider(providerMessage(provider));
        return m;
      }),
    );
    const got = diagnostics(await call(client, "analyzeStack", req));
    const want = expected(resources, provider, "stack").map((d) =>
      // The engine's protocol has no retainOnDelete, and the policy says so; the plan knows it.
      d.policy === "stateful-resources-protected"
        ? {
            ...d,
            message: d.message.replace(
              "neither protect nor retainOnDelete is set",
              "protect is false (retainOnDelete is not visible to the engine's policy protocol)",
            ),
          }
        : d,
    );
    assert.deepStrictEqual(want.map((d) => d.policy).sort(), [
      "s3-audit-bucket-versioned",
      "s3-bucket-public-access-blocked",
      "stateful-resources-protected",
    ]);
    assert.deepStrictEqual(sort(got), sort(want));
  });

  it("links a new bucket's companions through the engine's property dependencies while its name is unknown", async () => {
    const provider = awsProvider();
    const [bucket, block, versioning, encryption] = privateBucket("dev-backup", "backup");
    const message = (r: PlannedResource, props: Record<string, unknown>, bucketUrn?: string) => {
      const m = new analyzerpb.AnalyzerResource();
      m.setType(r.type);
      m.setName(r.name);
      m.setUrn(r.urn);
      m.setProperties(Struct.fromJavaScript(props as any));
      m.setOptions(options(r));
      m.setProvider(providerMessage(provider));
      if (bucketUrn) {
        const deps = new analyzerpb.AnalyzerPropertyDependencies();
        deps.setUrnsList([bucketUrn]);
        m.getPropertydependenciesMap().set("bucket", deps);
      }
      return m;
    };
    const req = new analyzerpb.AnalyzeStackRequest();
    req.setResourcesList([
      message(bucket, { ...bucket.inputs, bucket: unknownStringValue, arn: unknownStringValue }),
      ...[block, versioning, encryption].map((r) =>
        message(r, { ...r.inputs, bucket: unknownStringValue }, bucket.urn),
      ),
    ]);
    assert.deepStrictEqual(diagnostics(await call(client, "analyzeStack", req)), []);
  });

  it("checks what it can in a preview, where outputs of new resources are unknown", async () => {
    // A data volume encrypted with a key created in the same update: the key's ARN is unknown.
    const req = new analyzerpb.AnalyzeRequest();
    req.setType("aws:ebs/volume:Volume");
    req.setName("dev-data");
    req.setUrn("urn:pulumi:dev::workloads::aws:ebs/volume:Volume::dev-data");
    req.setProperties(
      Struct.fromJavaScript({
        encrypted: true,
        kmsKeyId: unknownStringValue,
        size: 30,
        tags: { Name: unknownStringValue },
      }),
    );
    req.setOptions(new analyzerpb.AnalyzerResourceOptions());
    req.setProvider(providerMessage(awsProvider()));
    assert.deepStrictEqual(diagnostics(await call(client, "analyze", req)), []);
  });
});
