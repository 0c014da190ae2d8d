// The agent's apply step for real: the rendered script, run by bash with jq, in a sandbox root,
// against a stand-in for SSM and S3 on 127.0.0.1 and a systemctl that records what it is asked.
import { nonEmpty } from "../../../tooling/testing/non-empty";
import { strict as assert } from "assert";
import * as fs from "fs";
import { renderAgentScript } from "../agent-script";
import { contentDigest, HostManifest, renderHostManifest } from "../manifest";
import { renderAgentService, renderAgentTimer, renderHostUserData } from "../user-data";
import { AwsStandIn } from "../../../tooling/testing/aws-standin";
import { AgentSandbox } from "./sandbox";
import { verifyUnits } from "./systemd";
import { requirePrerequisites, shellcheck } from "../../../tooling/testing/tools";

const MANIFEST = "/test/hosts/web/manifest";
const BUCKET = "test-config-bucket";
const KEY_PEM = "-----BEGIN PRIVATE KEY-----\nTOP-SECRET-KEY-BYTES\n-----END PRIVATE KEY-----\n";
const KEY_PEM_2 = "-----BEGIN PRIVATE KEY-----\nROTATED-SECRET-BYTES\n-----END PRIVATE KEY-----\n";
const SCRIPT_BODY = "#!/bin/sh\necho from s3\n";
// Accepts only files whose whole content is "ok <name>".
const CHECK = ["/bin/sh", "-c", 'test "$(cat "$1")" = "ok $2"', "check", "{}", "{name}"];

function manifest(overrides: Partial<HostManifest> = {}): HostManifest {
  return {
    directories: [{ path: "/etc/web", mode: "0750", owner: "root", group: "root" }],
    files: [
      {
        path: "/etc/web/web.conf",
        source: { inline: "listen 8080\n" },
        onChange: { reload: ["web.service"] },
      },
      {
        path: "/etc/web/tls.key",
        source: { ssmParameter: "/test/web/tls-key", decrypt: true },
        // The validator prints the file: a secret's validator output must never reach the log.
        validate: ["/bin/sh", "-c", 'cat "$1"; grep -q "BEGIN PRIVATE KEY" "$1"', "v", "{}"],
        onChange: { restart: ["web.service"] },
      },
      {
        path: "/etc/web/greeting",
        source: { ssmParameter: "/test/web/greeting" },
        onChange: { restart: ["greeter.service"] },
      },
      {
        path: "/usr/local/bin/hello",
        source: { s3Object: { bucket: BUCKET, key: "host/hello" } },
        sha256: contentDigest(SCRIPT_BODY),
        mode: "0755",
      },
      {
        path: "/etc/web/extra.key",
        source: { ssmParameter: "/test/web/not-yet", decrypt: true },
        onChange: { restart: ["late.service"] },
      },
    ],
    trees: [
      {
        path: "/etc/web/entries",
        source: { s3Prefix: { bucket: BUCKET, prefix: "entries/" } },
        validate: CHECK,
      },
    ],
    units: [
      { name: "sshd.service", state: "masked" },
      { name: "web.service", state: "running", requires: ["/etc/web/tls.key"] },
      { name: "greeter.service", state: "running" },
      { name: "late.service", state: "running", requires: ["/etc/web/extra.key"] },
    ],
    ...overrides,
  };
}

describe("host-agent apply (real bash and jq, stand-in SSM and S3)", function () {
  let aws: AwsStandIn;
  let box: AgentSandbox;
  const publish = (m: HostManifest) =>
    aws.parameters.set(MANIFEST, { type: "String", value: renderHostManifest(m) });

  before(async function () {
    requirePrerequisites(this, { tools: ["jq", "node", "flock", "sha256sum"], root: true });
    aws = new AwsStandIn();
    const endpoint = await aws.start();
    aws.parameters.set("/test/web/tls-key", { type: "SecureString", value: KEY_PEM });
    aws.parameters.set("/test/web/greeting", { type: "String", value: "hello\n" });
    aws.objects.set(`${BUCKET}/host/hello`, SCRIPT_BODY);
    for (const name of ["a", "b", "c", "d", "e"])
      aws.objects.set(`${BUCKET}/entries/${name}`, `ok ${name}`);
    publish(manifest());
    box = new AgentSandbox(endpoint, MANIFEST);
  });
  after(async () => {
    box?.remove();
    await aws?.stop();
  });

  it("installs every file with its mode, masks sshd and starts units once their files exist", async () => {
    const r = await box.apply();
    assert.equal(r.status, 0, r.stderr);
    assert.equal(box.read("/etc/web/web.conf"), "listen 8080\n");
    assert.equal(box.read("/etc/web/tls.key"), KEY_PEM);
    assert.equal(fs.statSync(box.path("/etc/web/tls.key")).mode & 0o777, 0o600);
    assert.equal(fs.statSync(box.path("/usr/local/bin/hello")).mode & 0o777, 0o755);
    assert.equal(fs.statSync(box.path("/etc/web")).mode & 0o777, 0o750);
    assert.equal(box.read("/usr/local/bin/hello"), SCRIPT_BODY);
    assert.deepEqual(fs.readdirSync(box.path("/etc/web/entries")).sort(), [
      "a",
      "b",
      "c",
      "d",
      "e",
    ]);
    // The SecureString was asked for decrypted; the key is read, never shown.
    assert.ok(aws.requests.some((q) => q.target === "/test/web/tls-key" && q.decrypt === true));
    assert.doesNotMatch(r.stderr + r.stdout, /TOP-SECRET/);
    assert.deepEqual(r.actions, [
      "mask --now sshd.service",
      "enable web.service",
      "start web.service",
      "enable greeter.service",
      "start greeter.service",
    ]);
    // Material not there yet is a waiting state, not a failure.
    assert.match(
      r.stderr,
      /waiting: \/etc\/web\/extra.key: SSM parameter \/test\/web\/not-yet does not exist yet/,
    );
    assert.match(
      r.stderr,
      /waiting: late.service is not started until \/etc\/web\/extra.key exists/,
    );
    assert.equal(box.isActive("late.service"), false);
  });

  it("changes nothing on a second run and does not fetch unchanged S3 entries again, retrying transient errors", async () => {
    const gets = aws.count("GetObject");
    // IAM propagation right after boot, then throttling: retried, not fatal.
    aws.faults.GetParameter.push("AccessDeniedException", "ThrottlingException");
    aws.faults.ListObjectsV2.push("AccessDenied");
    const r = await box.apply();
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.actions, []);
    assert.match(r.stderr, /retrying .*AccessDeniedException/);
    assert.match(r.stderr, /retrying .*ThrottlingException/);
    // Only the S3 object file is fetched again (its content is compared), no tree entry.
    assert.equal(aws.count("GetObject") - gets, 1);
  });

  it("restarts only the unit whose file changed, reloads for a reload change, and starts a unit whose material appeared", async () => {
    aws.parameters.set("/test/web/greeting", { type: "String", value: "hello again\n" });
    aws.parameters.set("/test/web/not-yet", { type: "SecureString", value: KEY_PEM_2 });
    let r = await box.apply();
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.actions, [
      "restart greeter.service",
      "enable late.service",
      "start late.service",
    ]);
    assert.equal(box.read("/etc/web/extra.key"), KEY_PEM_2);

    const m = manifest();
    publish({
      ...m,
      files: [{ ...m.files![0], source: { inline: "listen 8081\n" } }, ...m.files!.slice(1)],
    });
    r = await box.apply();
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.actions, ["reload web.service"]);
  });

  it("refuses content its validator rejects, keeps the installed file and withholds a secret validator's output", async () => {
    aws.parameters.set("/test/web/tls-key", {
      type: "SecureString",
      value: "TOP-SECRET but not a key\n",
    });
    const r = await box.apply();
    assert.equal(r.status, 1);
    assert.match(r.stderr, /refused: \/etc\/web\/tls.key: validation failed/);
    assert.match(r.stderr, /output withheld: secret/);
    assert.doesNotMatch(r.stderr + r.stdout, /TOP-SECRET/);
    assert.equal(box.read("/etc/web/tls.key"), KEY_PEM);
    assert.deepEqual(r.actions, []);
    aws.parameters.set("/test/web/tls-key", { type: "SecureString", value: KEY_PEM });
  });

  it("mirrors a prefix across pages: removes what disappeared, refuses and removes a tampered entry", async () => {
    aws.objects.delete(`${BUCKET}/entries/b`);
    aws.objects.set(`${BUCKET}/entries/c`, "ok c\npush route 0.0.0.0 0.0.0.0");
    aws.objects.set(`${BUCKET}/entries/f`, "ok f");
    aws.objects.set(`${BUCKET}/entries/sub/g`, "ok g");
    const r = await box.apply();
    assert.equal(r.status, 1, "a refused entry makes the run fail visibly");
    assert.deepEqual(fs.readdirSync(box.path("/etc/web/entries")).sort(), ["a", "d", "e", "f"]);
    assert.match(r.stderr, /removed: \/etc\/web\/entries\/b/);
    assert.match(
      r.stderr,
      /refused: \/etc\/web\/entries\/c: s3:\/\/test-config-bucket\/entries\/c is not what the platform writes/,
    );
    assert.match(r.stderr, /skipped: s3:\/\/test-config-bucket\/entries\/sub\/g/);
    aws.objects.set(`${BUCKET}/entries/c`, "ok c");
    const again = await box.apply();
    assert.equal(again.status, 0, again.stderr);
    assert.ok(box.exists("/etc/web/entries/c"));
  });

  it("waits while an S3 object does not hold the digest the manifest names, and keeps the old file", async () => {
    aws.objects.set(`${BUCKET}/host/hello`, "#!/bin/sh\necho tampered\n");
    const r = await box.apply();
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      /waiting: \/usr\/local\/bin\/hello: s3:\/\/test-config-bucket\/host\/hello does not hold the content the manifest names yet/,
    );
    assert.equal(box.read("/usr/local/bin/hello"), SCRIPT_BODY);
    aws.objects.set(`${BUCKET}/host/hello`, SCRIPT_BODY);
  });

  it("gives up after its attempts, failing the run without deleting anything", async () => {
    aws.faults.ListObjectsV2.push(...Array(4).fill("SlowDown"));
    const r = await box.apply();
    assert.equal(r.status, 1);
    assert.match(r.stderr, /failed 4 times, giving up/);
    assert.match(r.stderr, /cannot list s3:\/\/test-config-bucket\/entries\/; nothing removed/);
    assert.deepEqual(fs.readdirSync(box.path("/etc/web/entries")).sort(), [
      "a",
      "c",
      "d",
      "e",
      "f",
    ]);
  });

  it("fails when the manifest parameter is missing or not a version 1 manifest", async () => {
    const saved = aws.parameters.get(MANIFEST)!;
    aws.parameters.delete(MANIFEST);
    assert.equal((await box.apply()).status, 1);
    aws.parameters.set(MANIFEST, {
      type: "String",
      value: JSON.stringify({ version: 2, files: [] }),
    });
    const r = await box.apply();
    assert.equal(r.status, 1);
    assert.match(r.stderr, /is not a version 1 host manifest/);
    aws.parameters.set(MANIFEST, saved);
  });
});

describe("host-agent scripts and units (shellcheck, systemd-analyze)", function () {
  before(function () {
    requirePrerequisites(this, { tools: ["shellcheck", "systemd-analyze"] });
  });

  const scripts = {
    agent: renderAgentScript(),
    "user data": renderHostUserData({
      manifestParameter: "/openems/dev/hosts/vpn-server/manifest",
    }),
  };
  for (const [name, text] of nonEmpty(Object.entries(scripts), "Object.entries(scripts)")) {
    it(`the ${name} passes shellcheck`, () => {
      const r = shellcheck(text);
      assert.equal(r.status, 0, r.output);
    });
  }

  it("the agent's service and timer pass systemd-analyze verify", () => {
    const r = verifyUnits(
      [
        { path: "/etc/systemd/system/host-agent.service", content: renderAgentService() },
        { path: "/etc/systemd/system/host-agent.timer", content: renderAgentTimer() },
        { path: "/usr/local/sbin/host-agent", content: renderAgentScript(), mode: 0o755 },
      ],
      ["/etc/systemd/system/host-agent.service", "/etc/systemd/system/host-agent.timer"],
    );
    assert.equal(r.status, 0, r.output);
    assert.equal(r.output, "");
  });
});
