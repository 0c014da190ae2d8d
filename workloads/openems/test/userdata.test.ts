import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderCompose } from "../compose";
import { felixConfigFiles, renderFelixFile } from "../felix";
import { HOST_SECRET_KEYS, HostSecretKey } from "../secrets";
import {
  DEFAULT_COMPOSE_PLUGIN,
  HostUserDataOptions,
  USER_DATA_LIMIT_BYTES,
  assertUserDataSize,
  renderCloudWatchAgentConfig,
  renderHostUserData,
  validateHostUserDataOptions,
} from "../userdata";
import { bashFunction, requireTool, run } from "../../../tooling/testing/tools";

const BASE: HostUserDataOptions = {
  compose: { logGroupName: "/openems/dev/backend", region: "eu-central-1" },
  dataVolumeId: "vol-0123456789abcdef0",
  secretArn: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:openems/dev/host-AbCdEf",
};

const SECRETS: Record<HostSecretKey, string> = {
  postgresPassword: "Pg0Password0123456789",
  odooMasterPassword: "Odoo0Master0123456789",
  odooAdminPassword: "Odoo0Admin0123456789",
  influxdbAdminPassword: "Influx0Password012345",
  influxdbAdminToken: "Influx0Token0abc+/=_~.-xyz",
};

describe("renderHostUserData", () => {
  const script = renderHostUserData(BASE);

  it("is a bash script with strict mode, below the 16 KB EC2 user-data limit", async () => {
    assert.ok(script.startsWith("#!/bin/bash\n"));
    assert.match(script, /^set -euo pipefail$/m);
    assert.ok(
      Buffer.byteLength(script) < USER_DATA_LIMIT_BYTES,
      `${Buffer.byteLength(script)} bytes`,
    );
    assert.strictEqual(USER_DATA_LIMIT_BYTES, 16384);
  });

  it("passes shellcheck", async function () {
    requireTool(this, "shellcheck", ["--version"], "shellcheck");
    for (const opts of [BASE, { ...BASE, cloudWatchAgent: false }]) {
      const r = run("shellcheck", ["-s", "bash", "-"], { input: renderHostUserData(opts) });
      assert.strictEqual(r.status, 0, `shellcheck:\n${r.stdout}${r.stderr}`);
    }
  });

  it("is valid bash syntax (bash -n)", async function () {
    requireTool(this, "bash", ["-c", "true"], "bash");
    const r = run("bash", ["-n"], { input: script });
    assert.strictEqual(r.status, 0, r.stderr);
  });

  it("guards mkfs with blkid: formats only on exit status 2, after a read test", async () => {
    const fn = bashFunction(script, "ensure_filesystem");
    const read = fn.indexOf('dd if="$dev"');
    const probe = fn.indexOf('blkid -p "$dev"');
    const mkfs = fn.indexOf("mkfs.xfs");
    assert.ok(read >= 0 && probe > read && mkfs > probe, "expected dd, then blkid -p, then mkfs");
    assert.match(fn, /\n\s+2\) log "no filesystem on \$dev: creating xfs"; mkfs\.xfs /);
    const mkfsLines = script.split("\n").filter((l) => /\bmkfs/.test(l) && !/^\s*#/.test(l));
    assert.deepStrictEqual(mkfsLines.length, 1, "mkfs must be run only inside the guard");
  });

  it("finds the data volume by its NVMe serial under /dev/disk/by-id and mounts it by UUID with nofail", async () => {
    assert.match(script, /readonly DATA_VOLUME_ID='vol-0123456789abcdef0'/);
    assert.match(
      script,
      /\/dev\/disk\/by-id\/nvme-Amazon_Elastic_Block_Store_\$\{DATA_VOLUME_ID\/\/-\/\}/,
    );
    assert.match(script, /printf 'UUID=%s %s %s defaults,nofail,/);
    assert.match(script, /RequiresMountsFor=%s/);
  });

  it("installs the pinned compose plugin only after its sha256 matches", async () => {
    const fn = bashFunction(script, "install_compose_plugin");
    assert.match(
      script,
      new RegExp(`COMPOSE_SHA256_X86_64='${DEFAULT_COMPOSE_PLUGIN.sha256.x86_64}'`),
    );
    assert.match(
      script,
      new RegExp(`COMPOSE_SHA256_AARCH64='${DEFAULT_COMPOSE_PLUGIN.sha256.aarch64}'`),
    );
    assert.match(fn, /releases\/download\/v\$COMPOSE_VERSION\/docker-compose-linux-\$arch/);
    assert.ok(fn.indexOf("sha256sum -c --status; then") < fn.indexOf('install -D -m 0755 "$tmp"'));
  });

  it("fetches the secret with the instance role in the IMDSv2 region", async () => {
    const fn = bashFunction(script, "load_secrets");
    assert.match(
      fn,
      /-X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' http:\/\/169\.254\.169\.254\/latest\/api\/token/,
    );
    assert.match(fn, /meta-data\/placement\/region/);
    assert.match(
      fn,
      /aws secretsmanager get-secret-value --region "\$region" --secret-id "\$SECRET_ARN"/,
    );
  });

  it("embeds the rendered compose file verbatim and holds no secret value", async () => {
    assert.ok(script.includes(renderCompose(BASE.compose).replace(/\n$/, "")));
    for (const v of Object.values(SECRETS)) assert.ok(!script.includes(v));
    assert.ok(!/set -x/.test(script), "tracing would print secrets to the cloud-init log");
  });

  it("writes the CloudWatch agent config only when asked", async () => {
    assert.ok(script.includes(renderCloudWatchAgentConfig("/data")));
    assert.match(script, /dnf install -y docker jq amazon-cloudwatch-agent/);
    const without = renderHostUserData({ ...BASE, cloudWatchAgent: false });
    assert.ok(!without.includes("amazon-cloudwatch-agent"));
  });

  it("stops with a clear error when the result would exceed the limit", async () => {
    assert.throws(
      () => assertUserDataSize("x".repeat(USER_DATA_LIMIT_BYTES)),
      /16384 bytes; EC2 accepts less than 16384 bytes \(16 KB raw\)/,
    );
    assert.doesNotThrow(() => assertUserDataSize("x".repeat(USER_DATA_LIMIT_BYTES - 1)));
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

describe("the boot script's functions, run for real", function () {
  let dir: string;
  const script = renderHostUserData(BASE);

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
    const fn = bashFunction(script, "install_compose_plugin").replace(
      "/usr/local/lib/docker/cli-plugins/docker-compose",
      plugin,
    );
    const header = script
      .split("\n")
      .filter((l) => /^readonly COMPOSE_/.test(l))
      .join("\n");
    const install = (content: string, pinnedAarch64: string) => {
      fs.writeFileSync(payload, content);
      const prog = [
        header.replace(
          /COMPOSE_SHA256_AARCH64='[0-9a-f]+'/,
          `COMPOSE_SHA256_AARCH64='${pinnedAarch64}'`,
        ),
        bashFunction(script, "log"),
        bashFunction(script, "die"),
        fn,
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

  it("writes the Felix config exactly as renderFelixFile describes, secrets from the SECRET array", async function () {
    requireTool(this, "bash", ["-c", "true"], "bash");
    const assignments = HOST_SECRET_KEYS.map((k) => `SECRET[${k}]='${SECRETS[k]}'`).join("\n");
    const prog = [
      "declare -A SECRET=()",
      assignments,
      "FELIX_CHANGED=0",
      bashFunction(script, "felix_file"),
      bashFunction(script, "write_felix_config"),
      'write_felix_config "$1"',
      'echo "changed=$FELIX_CHANGED"',
    ].join("\n");
    const conf = path.join(dir, "config");
    const first = run("bash", ["-euo", "pipefail", "-c", prog, "boot", conf]);
    assert.strictEqual(first.status, 0, first.stderr);
    assert.strictEqual(first.stdout, "changed=0\n", "first run creates files: no restart needed");
    const files = felixConfigFiles({ ...validateHostUserDataOptions(BASE).compose });
    for (const f of files) {
      const p = path.join(conf, f.path);
      assert.strictEqual(fs.readFileSync(p, "utf8"), renderFelixFile(f, SECRETS), f.path);
      assert.strictEqual(fs.statSync(p).mode & 0o777, 0o600, f.path);
    }
    // Second run: console edits to "keep" files survive; secret-bearing files are re-rendered,
    // and a changed secret asks for a backend restart.
    const edge = path.join(conf, "Edge/Websocket.config");
    fs.appendFileSync(edge, 'edited="by console"\n');
    const same = run("bash", ["-euo", "pipefail", "-c", prog, "boot", conf]);
    assert.strictEqual(same.stdout, "changed=0\n");
    assert.match(fs.readFileSync(edge, "utf8"), /edited="by console"/);
    const rotated = run("bash", [
      "-euo",
      "pipefail",
      "-c",
      prog.replace(SECRETS.influxdbAdminToken, "Rotated0Token0123456"),
      "boot",
      conf,
    ]);
    assert.strictEqual(rotated.stdout, "changed=1\n");
    assert.match(
      fs.readFileSync(path.join(conf, files[3].path), "utf8"),
      /apiKey="Rotated0Token0123456"/,
    );
  });

  it("puts the design's ports into Felix: edge websocket 8081, B2B REST 8082, UI websocket 8083", async () => {
    const byPath = Object.fromEntries(
      felixConfigFiles(validateHostUserDataOptions(BASE).compose).map((f) => [
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

  it("writes one 0600 env file per service with exactly its secrets", async function () {
    requireTool(this, "bash", ["-c", "true"], "bash");
    const secretsDir = path.join(dir, "run");
    const fn = bashFunction(script, "write_env_files").replace(
      /'\/run\/openems\//g,
      `'${secretsDir}/`,
    );
    const prog = [
      "declare -A SECRET=()",
      HOST_SECRET_KEYS.map((k) => `SECRET[${k}]='${SECRETS[k]}'`).join("\n"),
      `SECRETS_DIR='${secretsDir}'`,
      fn,
      "write_env_files",
    ].join("\n");
    const r = run("bash", ["-euo", "pipefail", "-c", prog]);
    assert.strictEqual(r.status, 0, r.stderr);
    const read = (s: string) => fs.readFileSync(path.join(secretsDir, `${s}.env`), "utf8");
    assert.strictEqual(read("postgres"), `POSTGRES_PASSWORD=${SECRETS.postgresPassword}\n`);
    assert.strictEqual(
      read("odoo"),
      `PASSWORD=${SECRETS.postgresPassword}\nODOO_MASTER_PASSWORD=${SECRETS.odooMasterPassword}\n`,
    );
    assert.strictEqual(
      read("influxdb"),
      `DOCKER_INFLUXDB_INIT_PASSWORD=${SECRETS.influxdbAdminPassword}\nDOCKER_INFLUXDB_INIT_ADMIN_TOKEN=${SECRETS.influxdbAdminToken}\n`,
    );
    for (const s of ["postgres", "odoo", "influxdb"])
      assert.strictEqual(fs.statSync(path.join(secretsDir, `${s}.env`)).mode & 0o777, 0o600);
    assert.strictEqual(fs.statSync(secretsDir).mode & 0o777, 0o700);
  });

  it("refuses secret values it could not write safely, naming the key but not the value", async function () {
    requireTool(this, "bash", ["-c", "true"], "bash");
    requireTool(this, "jq", ["--version"], "jq");
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    // Stand-ins for curl (IMDSv2) and the AWS CLI; the secret JSON comes from a file.
    const json = path.join(dir, "secret.json");
    fs.writeFileSync(path.join(bin, "curl"), "#!/bin/bash\necho eu-central-1\n", { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "aws"), `#!/bin/bash\ncat ${json}\n`, { mode: 0o755 });
    const header = script
      .split("\n")
      .filter((l) => /^(readonly |declare -gA )/.test(l))
      .join("\n");
    const prog = [
      header,
      bashFunction(script, "log"),
      bashFunction(script, "die"),
      bashFunction(script, "load_secrets"),
      "load_secrets",
      'echo "ok ${#SECRET[@]}"',
    ].join("\n");
    const env = { PATH: `${bin}:${process.env.PATH}` };

    fs.writeFileSync(json, JSON.stringify(SECRETS));
    const good = run("bash", ["-euo", "pipefail", "-c", prog], { env });
    assert.strictEqual(good.status, 0, good.stderr);
    assert.strictEqual(good.stdout, `ok ${HOST_SECRET_KEYS.length}\n`);

    for (const [value, why] of [
      ['Has"Quote0123456789', "a quote"],
      ["Dollar$Sign0123456789", "a dollar"],
      ["short", "too short"],
    ] as const) {
      fs.writeFileSync(json, JSON.stringify({ ...SECRETS, odooMasterPassword: value }));
      const bad = run("bash", ["-euo", "pipefail", "-c", prog], { env });
      assert.notStrictEqual(bad.status, 0, why);
      assert.match(
        bad.stderr,
        /key "odooMasterPassword" of arn:aws:secretsmanager:.* is missing or not 16-256 characters/,
        why,
      );
      assert.ok(!bad.stderr.includes(value), `${why}: the value was printed`);
    }
    const { influxdbAdminToken: _dropped, ...missing } = SECRETS;
    fs.writeFileSync(json, JSON.stringify(missing));
    const absent = run("bash", ["-euo", "pipefail", "-c", prog], { env });
    assert.match(absent.stderr, /key "influxdbAdminToken" .* is missing/);
  });
});

describe("validateHostUserDataOptions", () => {
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
        () => renderHostUserData({ ...BASE, ...c.opts } as HostUserDataOptions),
        (e: Error) => {
          assert.match(e.message, /^Invalid OpenEMS host user data options:/);
          assert.match(e.message, c.expect);
          return true;
        },
      );
    });
  }

  it("accepts an 8-hex-digit volume id and an arm64-only override of the plugin", async () => {
    const r = validateHostUserDataOptions({ ...BASE, dataVolumeId: "vol-0123abcd" });
    assert.strictEqual(r.dataVolumeId, "vol-0123abcd");
    assert.strictEqual(r.cloudWatchAgent, true);
    assert.strictEqual(r.composeDir, "/opt/openems");
  });
});
