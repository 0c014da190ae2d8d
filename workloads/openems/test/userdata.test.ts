import { nonEmpty } from "../../../tooling/testing/non-empty";
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderCompose } from "../compose";
import { felixConfigFiles, renderFelixFile } from "../felix";
import { applyScriptFiles, renderApplyScript } from "../apply";
import { renderHostManifest } from "../../../lib/host-agent";
import {
  DEFAULT_COMPOSE_PLUGIN,
  HostOptions,
  renderCloudWatchAgentConfig,
  renderDesiredState,
  backendHostManifest,
  validateHostOptions,
} from "../userdata";
import { bashFunction, requireTool, run } from "../../../tooling/testing/tools";
import {
  TEST_HOST_OPTIONS as BASE,
  TEST_HOST_SECRETS as SECRETS,
} from "../../../tooling/testing/openems-host";

describe("backendHostManifest", () => {
  const desired = renderDesiredState(BASE);
  const manifest = backendHostManifest("/openems/dev/backend", desired);
  const json = renderHostManifest(manifest);

  it("fits the standard tier and names every file with the sha256 of what is published", async () => {
    assert.ok(Buffer.byteLength(json) <= 4096, `${Buffer.byteLength(json)} bytes`);
    const files = JSON.parse(json).files as { path: string; sha256: string; source: any }[];
    const published: Record<string, string> = {
      "/etc/openems/desired/host.json": desired.hostJson,
      "/etc/openems/desired/compose.yaml": desired.composeYaml,
      ...Object.fromEntries(applyScriptFiles().map((f) => [f.path, f.content])),
    };
    for (const [p, content] of nonEmpty(Object.entries(published), "Object.entries(published)")) {
      const f = files.find((x) => x.path === p)!;
      assert.ok(f, p);
      assert.strictEqual(f.sha256, crypto.createHash("sha256").update(content).digest("hex"), p);
    }
    assert.deepStrictEqual(
      files.find((x) => x.path === "/etc/openems/desired/compose.yaml")!.source,
      { ssmParameter: "/openems/dev/backend/compose.yaml" },
    );
  });

  it("masks sshd and starts the apply unit only once every file is in place", async () => {
    const units = JSON.parse(json).units as { name: string; state: string; requires?: string[] }[];
    assert.deepStrictEqual(
      units.filter((u) => u.state === "masked").map((u) => u.name),
      ["sshd.service", "sshd.socket"],
    );
    const apply = units.find((u) => u.name === "openems-apply.service")!;
    assert.strictEqual(apply.state, "running");
    assert.strictEqual(apply.requires!.length, (manifest.files ?? []).length);
    for (const f of manifest.files ?? [])
      assert.deepStrictEqual(f.onChange, { restart: ["openems-apply.service"] }, f.path);
  });

  it("carries no secret value", async () => {
    for (const v of nonEmpty(Object.values(SECRETS), "Object.values(SECRETS)"))
      assert.ok(!json.includes(v));
  });
});

describe("renderDesiredState", () => {
  const desired = renderDesiredState(BASE);

  it("publishes the Compose file verbatim with its sha256, and no secret value anywhere", async () => {
    assert.strictEqual(desired.composeYaml, renderCompose(BASE.compose));
    assert.strictEqual(
      desired.host.composeSha256,
      crypto.createHash("sha256").update(desired.composeYaml).digest("hex"),
    );
    assert.deepStrictEqual(JSON.parse(desired.hostJson), desired.host);
    for (const v of nonEmpty(Object.values(SECRETS), "Object.values(SECRETS)")) {
      assert.ok(!desired.hostJson.includes(v));
      assert.ok(!desired.composeYaml.includes(v));
    }
  });

  it("names the volume, the secret and where each secret key goes", async () => {
    const h = desired.host;
    assert.deepStrictEqual(
      [h.dataVolumeId, h.secretArn, h.mountPoint, h.secretsDir, h.composeDir, h.felixDir],
      [
        BASE.dataVolumeId,
        BASE.secretArn,
        "/data",
        "/run/openems",
        "/opt/openems",
        "/data/openems/config",
      ],
    );
    assert.deepStrictEqual(h.envFiles, [
      { path: "/run/openems/postgres.env", vars: [["POSTGRES_PASSWORD", "postgresPassword"]] },
      {
        path: "/run/openems/odoo.env",
        vars: [
          ["PASSWORD", "postgresPassword"],
          ["ODOO_MASTER_PASSWORD", "odooMasterPassword"],
        ],
      },
      {
        path: "/run/openems/influxdb.env",
        vars: [
          ["DOCKER_INFLUXDB_INIT_PASSWORD", "influxdbAdminPassword"],
          ["DOCKER_INFLUXDB_INIT_ADMIN_TOKEN", "influxdbAdminToken"],
        ],
      },
    ]);
    const influx = h.felix.find((f) => f.path.startsWith("Timedata/InfluxDB/"))!;
    assert.strictEqual(influx.mode, "always");
    assert.ok(
      influx.lines.some(
        (l) => typeof l === "object" && l.key === "apiKey" && l.secret === "influxdbAdminToken",
      ),
    );
    assert.strictEqual(h.felix.find((f) => f.path === "Edge/Websocket.config")!.mode, "keep");
    assert.ok(h.dataDirs.includes("/data/postgres"));
    // docker/compose release v2.40.3: docker-compose-linux-{x86_64,aarch64}.sha256 of that release.
    assert.deepStrictEqual(h.composePlugin, {
      version: "2.40.3",
      sha256: {
        x86_64: "dba9d98e1ba5bfe11d88c99b9bd32fc4a0624a30fafe68eea34d61a3e42fd372",
        aarch64: "d26373b19e89160546d15407516cc59f453030d9bc5b43ba7faf16f7b4980137",
      },
    });
  });

  it("carries the CloudWatch agent config only when asked", async () => {
    assert.deepStrictEqual(
      desired.host.cloudWatchAgent,
      JSON.parse(renderCloudWatchAgentConfig("/data")),
    );
    assert.strictEqual(
      renderDesiredState({ ...BASE, cloudWatchAgent: false }).host.cloudWatchAgent,
      null,
    );
  });

  it("changes with an image", async () => {
    const other = renderDesiredState({
      ...BASE,
      compose: { ...BASE.compose, images: { odoo: "odoo:16.0-20250910" } },
    });
    assert.notStrictEqual(other.host.composeSha256, desired.host.composeSha256);
    assert.match(other.composeYaml, /image: odoo:16\.0-20250910/);
  });
});

describe("renderCloudWatchAgentConfig", () => {
  it("collects disk_used_percent for the data volume and root, and memory, per instance", async () => {
    const cfg = JSON.parse(renderCloudWatchAgentConfig("/data"));
    assert.deepStrictEqual(cfg.metrics.metrics_collected.disk, {
      measurement: ["used_percent"],
      resources: ["/data", "/"],
      drop_device: true,
    });
    assert.deepStrictEqual(cfg.metrics.append_dimensions, { InstanceId: "${aws:InstanceId}" });
  });
});

describe("the apply step's functions, run for real", function () {
  let dir: string;
  const script = renderApplyScript();

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "openems-boot-"));
  });
  afterEach(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Runs ensure_filesystem on an image file with the real blkid; mkfs.xfs is a stub on PATH that
   * records its call and makes an ext4 filesystem (xfsprogs is not needed on the test machine).
   */
  function ensureFilesystem(image: string) {
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin, { recursive: true });
    const calls = path.join(dir, "mkfs-calls");
    fs.writeFileSync(
      path.join(bin, "mkfs.xfs"),
      `#!/bin/bash\necho "$*" >> ${calls}\nexec mkfs.ext4 -q -F "\${@: -1}"\n`,
      { mode: 0o755 },
    );
    const prog = [
      bashFunction(script, "log"),
      bashFunction(script, "die"),
      bashFunction(script, "ensure_filesystem"),
      `ensure_filesystem "$1"`,
    ].join("\n");
    const r = run("bash", ["-euo", "pipefail", "-c", prog, "boot", image], {
      env: { PATH: `${bin}:/usr/sbin:/sbin:${process.env.PATH}` },
    });
    return { ...r, mkfsCalls: fs.existsSync(calls) ? fs.readFileSync(calls, "utf8") : "" };
  }

  const sha = (f: string) => crypto.createHash("sha256").update(fs.readFileSync(f)).digest("hex");
  const blank = (name: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, "");
    fs.truncateSync(f, 8 * 1024 * 1024);
    return f;
  };

  function tools(ctx: Mocha.Context) {
    requireTool(ctx, "bash", ["-c", "true"], "bash");
    requireTool(ctx, "blkid", ["--version"], "util-linux");
    requireTool(ctx, "mkfs.ext4", ["-V"], "e2fsprogs");
  }

  it("formats a blank volume", async function () {
    tools(this);
    const img = blank("blank.img");
    const r = ensureFilesystem(img);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.mkfsCalls, /^-q -L openems-data .*blank\.img\n$/);
    assert.strictEqual(r.stdout, "ext4\n");
  });

  it("never formats a volume that already holds a filesystem, and leaves its bytes untouched", async function () {
    tools(this);
    const img = blank("data.img");
    assert.strictEqual(run("mkfs.ext4", ["-q", "-F", img]).status, 0);
    const before = sha(img);
    const r = ensureFilesystem(img);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(r.mkfsCalls, "");
    assert.strictEqual(r.stdout, "ext4\n");
    assert.strictEqual(sha(img), before);
  });

  it("refuses a volume that holds only a partition table", async function () {
    tools(this);
    const img = blank("parted.img");
    const mbr = Buffer.alloc(512);
    mbr[446 + 4] = 0x83;
    mbr.writeUInt32LE(2048, 446 + 8);
    mbr.writeUInt32LE(4096, 446 + 12);
    mbr[510] = 0x55;
    mbr[511] = 0xaa;
    const fd = fs.openSync(img, "r+");
    fs.writeSync(fd, mbr, 0, 512, 0);
    fs.closeSync(fd);
    const before = sha(img);
    const r = ensureFilesystem(img);
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /holds a signature but no filesystem .*refusing to format/);
    assert.strictEqual(r.mkfsCalls, "");
    assert.strictEqual(sha(img), before);
  });

  it("refuses a device it cannot read instead of taking blkid's 'nothing found' for blank", async function () {
    tools(this);
    const r = ensureFilesystem(path.join(dir, "missing.img"));
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /cannot read .*missing\.img; refusing to format it/);
    assert.strictEqual(r.mkfsCalls, "");
  });

  it("installs the downloaded compose plugin only when its sha256 matches the pin", async function () {
    requireTool(this, "bash", ["-c", "true"], "bash");
    requireTool(this, "sha256sum", ["--version"], "coreutils");
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    const payload = path.join(dir, "payload");
    const urls = path.join(dir, "urls");
    // curl stand-in: records the URL and "downloads" the payload file to the -o target.
    fs.writeFileSync(
      path.join(bin, "curl"),
      `#!/bin/bash\nwhile [ $# -gt 0 ]; do case $1 in -o) out=$2; shift 2 ;; http*) echo "$1" >> ${urls}; shift ;; *) shift ;; esac; done\ncp ${payload} "$out"\n`,
      { mode: 0o755 },
    );
    fs.writeFileSync(path.join(bin, "uname"), "#!/bin/bash\necho aarch64\n", { mode: 0o755 });
    const plugin = path.join(dir, "cli-plugins", "docker-compose");
    const install = (content: string, pinnedAarch64: string) => {
      fs.writeFileSync(payload, content);
      const prog = [
        `PLUGIN_PATH='${plugin}' PLUGIN_VERSION='2.40.3' RETRY_DELAY=0`,
        `PLUGIN_SHA256_X86_64='${"0".repeat(64)}' PLUGIN_SHA256_AARCH64='${pinnedAarch64}'`,
        bashFunction(script, "log"),
        bashFunction(script, "die"),
        bashFunction(script, "retry"),
        bashFunction(script, "install_compose_plugin"),
        "install_compose_plugin",
      ].join("\n");
      return run("bash", ["-euo", "pipefail", "-c", prog], {
        env: { PATH: `${bin}:${process.env.PATH}` },
      });
    };
    const good = "#!/bin/sh\necho compose\n";
    const goodSum = crypto.createHash("sha256").update(good).digest("hex");

    const tampered = install("tampered binary", goodSum);
    assert.notStrictEqual(tampered.status, 0);
    assert.match(
      tampered.stderr,
      /docker-compose-linux-aarch64 v2\.40\.3 does not match its pinned sha256; not installing it/,
    );
    assert.ok(!fs.existsSync(plugin), "a binary with the wrong checksum was installed");

    fs.rmSync(urls);
    const ok = install(good, goodSum);
    assert.strictEqual(ok.status, 0, ok.stderr);
    assert.strictEqual(fs.readFileSync(plugin, "utf8"), good);
    assert.strictEqual(fs.statSync(plugin).mode & 0o777, 0o755);
    assert.strictEqual(
      fs.readFileSync(urls, "utf8"),
      "https://github.com/docker/compose/releases/download/v2.40.3/docker-compose-linux-aarch64\n",
    );

    // Already installed with the right checksum: no second download.
    assert.strictEqual(install(good, goodSum).status, 0);
    assert.strictEqual(fs.readFileSync(urls, "utf8").split("\n").length - 1, 1);

    // An installed binary that no longer matches (older release, tampering) is replaced.
    fs.writeFileSync(plugin, "old release");
    assert.strictEqual(install(good, goodSum).status, 0);
    assert.strictEqual(fs.readFileSync(plugin, "utf8"), good);
    assert.strictEqual(fs.readFileSync(urls, "utf8").split("\n").length - 1, 2);
  });

  it("puts the design's ports into Felix: edge websocket 8081, B2B REST 8082, UI websocket 8083", async () => {
    const byPath = Object.fromEntries(
      felixConfigFiles(validateHostOptions(BASE).compose).map((f) => [
        f.path,
        renderFelixFile(f, SECRETS),
      ]),
    );
    assert.match(byPath["Edge/Websocket.config"], /^port=I"8081"$/m);
    assert.match(byPath["Ui/Websocket.config"], /^port=I"8083"$/m);
    const b2b = Object.entries(byPath).find(([p]) => p.startsWith("Backend2Backend/Rest/"))!;
    assert.match(b2b[1], /^port=I"8082"$/m);
    assert.match(b2b[1], /^service.factoryPid="Backend2Backend.Rest"$/m);
  });
});

describe("validateHostOptions", () => {
  const cases: { name: string; opts: Record<string, unknown>; expect: RegExp }[] = [
    {
      name: "a malformed volume id",
      opts: { dataVolumeId: "vol-xyz" },
      expect:
        /dataVolumeId: got "vol-xyz"; expected an EBS volume id such as "vol-0123456789abcdef0"/,
    },
    {
      name: "a secret name instead of an ARN",
      opts: { secretArn: "openems/dev/host" },
      expect: /secretArn: got "openems\/dev\/host"; expected a Secrets Manager secret ARN/,
    },
    {
      name: "a secret in another region",
      opts: { secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf" },
      expect: /secretArn: the secret is in us-east-1 but the host runs in eu-central-1/,
    },
    {
      name: "a compose plugin version with a v",
      opts: { composePlugin: { ...DEFAULT_COMPOSE_PLUGIN, version: "v2.40.3" } },
      expect: /composePlugin.version: got "v2.40.3"; expected a release such as "2.40.3"/,
    },
    {
      name: "a short checksum",
      opts: {
        composePlugin: {
          ...DEFAULT_COMPOSE_PLUGIN,
          sha256: { ...DEFAULT_COMPOSE_PLUGIN.sha256, aarch64: "abc" },
        },
      },
      expect: /composePlugin.sha256.aarch64: got "abc"; expected 64 lowercase hex characters/,
    },
    {
      name: "a relative compose dir",
      opts: { composeDir: "opt/openems" },
      expect: /composeDir: got "opt\/openems"; expected an absolute path/,
    },
    {
      name: "invalid compose options",
      opts: { compose: { logGroupName: "x", region: "nowhere" } },
      expect: /compose: Invalid OpenEMS compose options:\n\s+- region: got "nowhere"/,
    },
    {
      name: "an unknown option",
      opts: { volumeId: "vol-0123456789abcdef0" },
      expect: /unknown option "volumeId"; allowed: compose, dataVolumeId/,
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.name}, naming the key, the value and what is allowed`, async () => {
      assert.throws(
        () => renderDesiredState({ ...BASE, ...c.opts } as HostOptions),
        (e: Error) => {
          assert.match(e.message, /^Invalid OpenEMS host options:/);
          assert.match(e.message, c.expect);
          return true;
        },
      );
    });
  }

  it("accepts an 8-hex-digit volume id and an arm64-only override of the plugin", async () => {
    const r = validateHostOptions({ ...BASE, dataVolumeId: "vol-0123abcd" });
    assert.strictEqual(r.dataVolumeId, "vol-0123abcd");
    assert.strictEqual(r.cloudWatchAgent, true);
    assert.strictEqual(r.composeDir, "/opt/openems");
  });
});
