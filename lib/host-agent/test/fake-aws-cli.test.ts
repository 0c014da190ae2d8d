// The stand-in CLI the sandbox uses is only as good as its likeness to the real AWS CLI: both run
// here against the same stand-in server, for each call the agent makes, and must agree on what the
// agent reads from them (the JSON fields, the object bytes, the error code, a non-zero status).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FAKE_AWS_CLI } from "./fake-aws-cli";
import { AwsStandIn, standInAwsEnv } from "../../../tooling/testing/aws-standin";
import { requirePrerequisites, runAsync, which } from "../../../tooling/testing/tools";

describe("the stand-in AWS CLI (compared with the real AWS CLI)", function () {
  this.timeout(120000);
  let aws: AwsStandIn;
  let endpoint: string;
  let dir: string;

  before(async function () {
    requirePrerequisites(this, { tools: ["aws", "node"] });
    aws = new AwsStandIn();
    endpoint = await aws.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "aws-cli-"));
    fs.writeFileSync(path.join(dir, "fake"), FAKE_AWS_CLI, { mode: 0o755 });
    fs.writeFileSync(
      path.join(dir, "real"),
      `#!/bin/sh\nexec ${which("aws")} --endpoint-url "$FAKE_AWS_ENDPOINT" "$@"\n`,
      { mode: 0o755 },
    );
    aws.parameters.set("/t/secure", { type: "SecureString", value: "line one\nline two  \n" });
    for (const k of ["a", "b", "c", "d", "e"]) aws.objects.set(`bkt-1/p/${k}`, `body ${k}\n`);
  });
  after(async () => {
    await aws?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Runs one call with both CLIs at once (the real one takes seconds). */
  async function both(args: (which: string) => string[]) {
    const env = { ...process.env, ...standInAwsEnv(endpoint) };
    const [fake, real] = await Promise.all(
      ["fake", "real"].map((w) => runAsync(path.join(dir, w), args(w), { env })),
    );
    return { fake, real };
  }

  it("ssm get-parameter --with-decryption: the same value, byte for byte", async () => {
    const { fake, real } = await both(() => [
      ...["ssm", "get-parameter", "--name", "/t/secure", "--output", "json", "--with-decryption"],
    ]);
    assert.equal(real.status, 0, real.stderr);
    assert.equal(fake.status, 0, fake.stderr);
    assert.equal(JSON.parse(fake.stdout).Parameter.Value, "line one\nline two  \n");
    assert.equal(JSON.parse(real.stdout).Parameter.Value, JSON.parse(fake.stdout).Parameter.Value);
  });

  it("ssm get-parameter of a missing name: both fail naming ParameterNotFound", async () => {
    const { fake, real } = await both(() => [
      "ssm",
      "get-parameter",
      "--name",
      "/t/none",
      "--output",
      "json",
    ]);
    for (const r of [fake, real]) {
      assert.notEqual(r.status, 0);
      assert.match(
        r.stderr,
        /An error occurred \(ParameterNotFound\) when calling the GetParameter operation/,
      );
    }
  });

  it("s3api get-object: the same bytes in the outfile; a missing key fails with NoSuchKey", async () => {
    const { fake, real } = await both((w) => [
      ...["s3api", "get-object", "--bucket", "bkt-1", "--key", "p/c", path.join(dir, `${w}.out`)],
    ]);
    assert.equal(real.status, 0, real.stderr);
    assert.equal(fake.status, 0, fake.stderr);
    assert.equal(fs.readFileSync(path.join(dir, "fake.out"), "utf8"), "body c\n");
    assert.equal(fs.readFileSync(path.join(dir, "real.out"), "utf8"), "body c\n");
    const missing = await both((w) => [
      ...["s3api", "get-object", "--bucket", "bkt-1", "--key", "p/zz", path.join(dir, `${w}.out`)],
    ]);
    for (const r of [missing.fake, missing.real]) {
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /\(NoSuchKey\)/);
    }
  });

  it("s3api list-objects-v2: the same keys and ETags over every page, and no Contents when empty", async () => {
    const pages = aws.count("ListObjectsV2");
    const { fake, real } = await both(() => [
      ...["s3api", "list-objects-v2", "--bucket", "bkt-1", "--prefix", "p/", "--output", "json"],
    ]);
    assert.equal(real.status, 0, real.stderr);
    assert.equal(fake.status, 0, fake.stderr);
    const rows = (out: string) =>
      ((JSON.parse(out) as { Contents?: { Key: string; ETag: string }[] }).Contents ?? []).map(
        (c) => `${c.Key} ${c.ETag}`,
      );
    assert.equal(rows(fake.stdout).length, 5);
    assert.deepEqual(rows(real.stdout), rows(fake.stdout));
    assert.equal(aws.count("ListObjectsV2") - pages, 6, "three pages of two keys, for each CLI");
    const empty = await both(() => [
      ...["s3api", "list-objects-v2", "--bucket", "bkt-1", "--prefix", "q/", "--output", "json"],
    ]);
    assert.deepEqual(rows(empty.real.stdout), []);
    assert.deepEqual(rows(empty.fake.stdout), []);
  });
});
