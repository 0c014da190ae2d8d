import * as assert from "assert";
import { mockClient } from "aws-sdk-client-mock";
import * as s3 from "@aws-sdk/client-s3";
import * as kms from "@aws-sdk/client-kms";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { runBootstrap } from "../cli";
import { editedConfig } from "../../testing/harness";

const MANAGEMENT = "123456789012";

/**
 * A small in-memory AWS behind aws-sdk-client-mock: keys, aliases and buckets persist between
 * runs, so a second run reads back what the first wrote. S3's error names and status codes follow
 * the API reference (HeadBucket 404/403, BucketAlreadyExists vs BucketAlreadyOwnedByYou,
 * NoSuchBucketPolicy, ...).
 */
class FakeAws {
  caller = MANAGEMENT;
  callerError: Error | undefined;
  readonly keys = new Map<string, { arn: string; rotation: boolean }>();
  readonly aliases = new Map<string, string>();
  readonly buckets = new Map<
    string,
    { owner: string; region: string; settings: Map<string, any> }
  >();
  readonly writes: string[] = [];
  readonly s3 = mockClient(s3.S3Client);
  readonly kms = mockClient(kms.KMSClient);
  readonly sts = mockClient(STSClient);

  constructor(readonly region = "eu-central-1") {
    const fail = (name: string, status: number) =>
      Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
    this.sts.on(GetCallerIdentityCommand).callsFake(async () => {
      if (this.callerError) throw this.callerError;
      return { Account: this.caller, Arn: `arn:aws:sts::${this.caller}:assumed-role/Admin/me` };
    });
    this.kms.on(kms.DescribeKeyCommand).callsFake(async (i) => {
      const arn = this.aliases.get(i.KeyId!) ?? (this.keys.has(i.KeyId!) ? i.KeyId : undefined);
      if (!arn) throw fail("NotFoundException", 400);
      return { KeyMetadata: { Arn: arn, KeyId: arn.split("/")[1], KeyState: "Enabled" } };
    });
    this.kms.on(kms.CreateKeyCommand).callsFake(async () => {
      this.writes.push("CreateKey");
      const arn = `arn:aws:kms:${this.region}:${this.caller}:key/k-${this.keys.size + 1}`;
      this.keys.set(arn, { arn, rotation: false });
      return { KeyMetadata: { Arn: arn, KeyId: arn.split("/")[1] } };
    });
    this.kms.on(kms.CreateAliasCommand).callsFake(async (i) => {
      this.writes.push(`CreateAlias ${i.AliasName}`);
      this.aliases.set(i.AliasName!, i.TargetKeyId!);
      return {};
    });
    this.kms.on(kms.GetKeyRotationStatusCommand).callsFake(async (i) => ({
      KeyRotationEnabled: this.keys.get(i.KeyId!)!.rotation,
    }));
    this.kms.on(kms.EnableKeyRotationCommand).callsFake(async (i) => {
      this.writes.push("EnableKeyRotation");
      this.keys.get(i.KeyId!)!.rotation = true;
      return {};
    });
    this.s3.on(s3.HeadBucketCommand).callsFake(async (i) => {
      const b = this.buckets.get(i.Bucket!);
      if (!b) throw fail("NotFound", 404);
      if (b.owner !== i.ExpectedBucketOwner) throw fail("Forbidden", 403);
      if (b.region !== this.region) throw fail("301", 301);
      return {};
    });
    this.s3.on(s3.CreateBucketCommand).callsFake(async (i) => {
      this.writes.push("CreateBucket");
      const constraint = i.CreateBucketConfiguration?.LocationConstraint;
      if (this.region === "us-east-1" && constraint) throw fail("InvalidLocationConstraint", 400);
      if (this.region !== "us-east-1" && constraint !== this.region)
        throw fail("IllegalLocationConstraintException", 400);
      const b = this.buckets.get(i.Bucket!);
      if (b)
        throw fail(
          b.owner === this.caller ? "BucketAlreadyOwnedByYou" : "BucketAlreadyExists",
          409,
        );
      this.buckets.set(i.Bucket!, { owner: this.caller, region: this.region, settings: new Map() });
      return {};
    });
    const setting = (
      get: any,
      put: any,
      key: string,
      missing: string | undefined,
      field: string,
    ) => {
      this.s3.on(get).callsFake(async (i: any) => {
        const v = this.buckets.get(i.Bucket)!.settings.get(key);
        if (v === undefined) {
          if (missing) throw fail(missing, 404);
          return {};
        }
        return { [field]: v };
      });
      this.s3.on(put).callsFake(async (i: any) => {
        this.writes.push(`Put ${key}`);
        this.buckets
          .get(i.Bucket)!
          .settings.set(key, i[field === "Status" ? "VersioningConfiguration" : field]);
        return {};
      });
    };
    setting(
      s3.GetBucketOwnershipControlsCommand,
      s3.PutBucketOwnershipControlsCommand,
      "ownership",
      "OwnershipControlsNotFoundError",
      "OwnershipControls",
    );
    setting(
      s3.GetPublicAccessBlockCommand,
      s3.PutPublicAccessBlockCommand,
      "pab",
      "NoSuchPublicAccessBlockConfiguration",
      "PublicAccessBlockConfiguration",
    );
    setting(
      s3.GetBucketEncryptionCommand,
      s3.PutBucketEncryptionCommand,
      "encryption",
      "ServerSideEncryptionConfigurationNotFoundError",
      "ServerSideEncryptionConfiguration",
    );
    setting(
      s3.GetBucketPolicyCommand,
      s3.PutBucketPolicyCommand,
      "policy",
      "NoSuchBucketPolicy",
      "Policy",
    );
    this.s3.on(s3.GetBucketVersioningCommand).callsFake(async (i) => ({
      Status: this.buckets.get(i.Bucket!)!.settings.get("versioning")?.Status,
    }));
    this.s3.on(s3.PutBucketVersioningCommand).callsFake(async (i) => {
      this.writes.push("Put versioning");
      this.buckets.get(i.Bucket!)!.settings.set("versioning", i.VersioningConfiguration);
      return {};
    });
  }

  clients() {
    return {
      s3: new s3.S3Client({ region: this.region }),
      kms: new kms.KMSClient({ region: this.region }),
      sts: new STSClient({ region: this.region }),
    };
  }

  restore() {
    this.s3.restore();
    this.kms.restore();
    this.sts.restore();
  }
}

function orgConfig(region: string, managementAccountId: string | undefined = MANAGEMENT) {
  return editedConfig("org", "management", (c) => {
    c["platform:organization"].homeRegion = region;
    c["platform:organization"].allowedRegions = [region];
    if (managementAccountId) c["platform:organization"].managementAccountId = managementAccountId;
  });
}

async function run(aws: FakeAws, argv: string[] = [], config = orgConfig(aws.region)) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runBootstrap(
    argv,
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    () => aws.clients(),
    () => config,
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("Bootstrap", () => {
  let aws: FakeAws;
  afterEach(() => aws.restore());

  it("creates a versioned, KMS-encrypted, TLS-only, private state bucket and a secrets key", async () => {
    aws = new FakeAws("eu-central-1");
    const r = await run(aws);
    assert.strictEqual(r.code, 0, r.err);
    const bucket = aws.buckets.get(`platform-pulumi-state-${MANAGEMENT}-eu-central-1`);
    assert.ok(bucket, "bucket created");
    const s = bucket.settings;
    assert.deepStrictEqual(s.get("versioning"), { Status: "Enabled" });
    assert.deepStrictEqual(s.get("ownership"), {
      Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }],
    });
    assert.deepStrictEqual(Object.values(s.get("pab")), [true, true, true, true]);
    const rule = s.get("encryption").Rules[0];
    const stateKey = aws.aliases.get("alias/platform-pulumi-state");
    assert.strictEqual(rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm, "aws:kms");
    assert.strictEqual(rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID, stateKey);
    assert.strictEqual(rule.BucketKeyEnabled, true);
    const policy = JSON.parse(s.get("policy"));
    assert.deepStrictEqual(policy.Statement[0].Condition, {
      Bool: { "aws:SecureTransport": "false" },
    });
    assert.strictEqual(policy.Statement[0].Effect, "Deny");
    const secretsKey = aws.aliases.get("alias/platform-pulumi-secrets");
    assert.ok(secretsKey && secretsKey !== stateKey, "a key of its own for secrets");
    assert.ok(
      [...aws.keys.values()].every((k) => k.rotation),
      "rotation on both keys",
    );
    assert.match(
      r.out,
      /pulumi login 's3:\/\/platform-pulumi-state-123456789012-eu-central-1\?region=eu-central-1&awssdk=v2'/,
    );
    assert.match(r.out, /awskms:\/\/alias\/platform-pulumi-secrets\?region=eu-central-1/);
  });

  it("changes nothing on a second run and says everything is already in place", async () => {
    aws = new FakeAws("eu-central-1");
    assert.strictEqual((await run(aws)).code, 0);
    const firstWrites = aws.writes.length;
    assert.ok(firstWrites >= 10, `first run wrote ${firstWrites} times`);
    const again = await run(aws);
    assert.strictEqual(again.code, 0, again.err);
    assert.deepStrictEqual(aws.writes.slice(firstWrites), [], "no write on the second run");
    assert.match(again.out, /Everything was already in place/);
    assert.ok(!/created|updated/.test(again.out.split("Log in")[0]), again.out);
  });

  // HeadBucket can miss a bucket created moments ago; CreateBucket's answer then decides.
  const races: { name: string; owner: string; code: number; expect: RegExp }[] = [
    {
      name: "BucketAlreadyOwnedByYou as already in place",
      owner: MANAGEMENT,
      code: 0,
      expect: /already in place\s+state bucket/,
    },
    {
      name: "BucketAlreadyExists as a name taken by another account",
      owner: "999999999999",
      code: 1,
      expect: /already taken by another AWS account/,
    },
  ];
  for (const race of races) {
    it(`reads CreateBucket's ${race.name}`, async () => {
      aws = new FakeAws("eu-central-1");
      const name = `platform-pulumi-state-${MANAGEMENT}-eu-central-1`;
      aws.buckets.set(name, { owner: race.owner, region: aws.region, settings: new Map() });
      aws.s3.on(s3.HeadBucketCommand).rejects(
        Object.assign(new Error("NotFound"), {
          name: "NotFound",
          $metadata: { httpStatusCode: 404 },
        }),
      );
      const r = await run(aws);
      assert.strictEqual(r.code, race.code, r.err);
      assert.match(r.code ? r.err : r.out, race.expect);
      assert.strictEqual(aws.s3.commandCalls(s3.CreateBucketCommand).length, 1);
    });
  }

  it("creates the bucket in us-east-1 without a LocationConstraint", async () => {
    aws = new FakeAws("us-east-1");
    const r = await run(aws);
    assert.strictEqual(r.code, 0, r.err);
    const create = aws.s3.commandCalls(s3.CreateBucketCommand)[0].args[0].input;
    assert.strictEqual(create.CreateBucketConfiguration, undefined);
  });

  it("passes the region as LocationConstraint elsewhere", async () => {
    aws = new FakeAws("eu-central-1");
    await run(aws);
    const create = aws.s3.commandCalls(s3.CreateBucketCommand)[0].args[0].input;
    assert.strictEqual(create.CreateBucketConfiguration?.LocationConstraint, "eu-central-1");
  });

  const failures: {
    name: string;
    arrange: (aws: FakeAws) => void;
    argv?: string[];
    config?: (region: string) => Record<string, unknown>;
    expect: RegExp;
  }[] = [
    {
      name: "a bucket name another account owns",
      arrange: (aws) =>
        aws.buckets.set("taken-name", {
          owner: "999999999999",
          region: aws.region,
          settings: new Map(),
        }),
      argv: ["--bucket", "taken-name"],
      expect: /bucket name taken-name is already taken by another AWS account.*--bucket/,
    },
    {
      name: "missing credentials",
      arrange: (aws) =>
        (aws.callerError = Object.assign(
          new Error("Could not load credentials from any providers"),
          {
            name: "CredentialsProviderError",
          },
        )),
      expect: /no AWS credentials found.*aws sso login/,
    },
    {
      name: "credentials of another account",
      arrange: (aws) => (aws.caller = "210987654321"),
      expect:
        /credentials are of account 210987654321.*expected the management account 123456789012/,
    },
    {
      name: "no management account id in org config",
      arrange: () => {},
      config: (region) => orgConfig(region, ""),
      expect: /platform:organization.managementAccountId: got nothing/,
    },
    {
      name: "an unknown option",
      arrange: () => {},
      argv: ["--bukket", "x"],
      expect: /Unknown option '--bukket'[\s\S]*usage: npm run bootstrap/,
    },
  ];
  for (const f of failures) {
    it(`ends with a clear message, no stack trace, on ${f.name}`, async () => {
      aws = new FakeAws("eu-central-1");
      f.arrange(aws);
      const r = await run(aws, f.argv, f.config?.(aws.region));
      assert.notStrictEqual(r.code, 0);
      assert.match(r.err, f.expect);
      assert.ok(!/\n\s+at /.test(r.err), `stack trace in:\n${r.err}`);
      assert.deepStrictEqual(aws.writes, [], "nothing created or changed");
    });
  }
});
