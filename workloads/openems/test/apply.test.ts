import { nonEmpty } from "../../../tooling/testing/non-empty";
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { felixConfigFiles, renderFelixFile } from "../felix";
import { HOST_SECRET_KEYS } from "../secrets";
import { applyScriptFiles, renderApplyScript, renderApplyService } from "../apply";
import { HostOptions, renderDesiredState, validateHostOptions } from "../userdata";
import { RunResult, requirePrerequisites, run, shellcheck } from "../../../tooling/testing/tools";
import { fastAwsCli } from "./fast-aws-cli";
import {
  sha256 as sha,
  TEST_HOST_OPTIONS,
  TEST_HOST_SECRETS as SECRETS,
  TEST_SECRET_ARN as SECRET_ARN,
} from "../../../tooling/testing/openems-host";
import { AwsStandIn, standInAwsEnv } from "../../../tooling/testing/aws-standin";

const PLUGIN = "#!/bin/sh\necho compose\n";

function runAsync(args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 60000);
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe("the backend host's apply step", function () {
  this.timeout(60000);

  it("passes shellcheck as one program, and each installed part on its own", function () {
    requirePrerequisites(this, { tools: ["shellcheck", "bash"] });
    const r = shellcheck(renderApplyScript());
    assert.strictEqual(r.status, 0, r.output);
    const files = applyScriptFiles();
    assert.deepStrictEqual(
      files.map((f) => f.name),
      ["openems-apply", "host.sh", "stack.sh"],
    );
    for (const f of files) {
      const n = run("bash", ["-n"], { input: f.content });
      assert.strictEqual(n.status, 0, `${f.name}: ${n.stderr}`);
      // Each part travels in one SSM parameter: the advanced tier holds 8 KB.
      assert.ok(
        Buffer.byteLength(f.content) <= 8192,
        `${f.name}: ${Buffer.byteLength(f.content)} bytes`,
      );
    }
  });

  it("has units systemd-analyze verify accepts", function () {
    requirePrerequisites(this, { tools: ["systemd-analyze"] });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "openems-units-"));
    try {
      const script = path.join(dir, "openems-apply");
      fs.writeFileSync(script, renderApplyScript(), { mode: 0o755 });
      fs.writeFileSync(path.join(dir, "openems-apply.service"), renderApplyService(script));
      const r = run("systemd-analyze", [
        "verify",
        "--man=no",
        path.join(dir, "openems-apply.service"),
      ]);
      assert.strictEqual(r.status, 0, `${r.stdout}${r.stderr}`);
      // Anything systemd-analyze says about our units is a finding, even when it exits 0.
      assert.doesNotMatch(`${r.stdout}${r.stderr}`, /openems-apply/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("run in a sandbox against a local Secrets Manager on 127.0.0.1", function () {
    let dir: string;
    let aws: AwsStandIn;
    let endpoint: string;
    let env: NodeJS.ProcessEnv;
    const calls = (name: string) =>
      fs.existsSync(path.join(dir, `${name}.log`))
        ? fs
            .readFileSync(path.join(dir, `${name}.log`), "utf8")
            .trim()
            .split("\n")
        : [];
    const clearCalls = () => {
      for (const n of ["docker", "systemctl", "aws", "cwagent"])
        fs.rmSync(path.join(dir, `${n}.log`), { force: true });
    };
    const read = (p: string) => fs.readFileSync(path.join(dir, p), "utf8");

    /** Publishes the desired state as the Pulumi program would, with paths moved into the sandbox. */
    function publish(opts: Partial<HostOptions> = {}, tamperCompose?: (s: string) => string) {
      const sandbox = (s: string) =>
        s
          .replace(/\/run\/openems/g, `${dir}/run`)
          .replace(/\/opt\/openems/g, `${dir}/opt`)
          .replace(/(["' ])\/data\b/g, `$1${dir}/data`);
      const desired = renderDesiredState({
        ...TEST_HOST_OPTIONS,
        composePlugin: { version: "2.40.3", sha256: { x86_64: sha(PLUGIN), aarch64: sha(PLUGIN) } },
        ...opts,
      });
      // The stand-in's compose file points its env files and data at the sandbox too, so the
      // written file can go through docker-compose; host.json names that file's sha256.
      const compose = sandbox(desired.composeYaml);
      const host = JSON.parse(sandbox(desired.hostJson));
      host.composeSha256 = sha(compose);
      // What host-agent installs from the parameters.
      fs.mkdirSync(path.join(dir, "desired"), { recursive: true });
      fs.writeFileSync(path.join(dir, "desired/host.json"), JSON.stringify(host));
      fs.writeFileSync(
        path.join(dir, "desired/compose.yaml"),
        (tamperCompose ?? ((t) => t))(compose),
      );
      return { compose, host };
    }

    function apply() {
      return runAsync([path.join(dir, "openems-apply")], env);
    }

    before(async function () {
      requirePrerequisites(this, {
        tools: ["bash", "jq", "curl", "flock", "sha256sum", "cmp", "docker-compose"],
      });
      aws = new AwsStandIn();
      endpoint = await aws.start();
    });
    after(async () => aws?.stop());

    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "openems-apply-"));
      const bin = path.join(dir, "bin");
      fs.mkdirSync(bin);
      const recorder = (name: string, extra = "") =>
        fs.writeFileSync(
          path.join(bin, name),
          `#!/bin/bash\nprintf '%s\\n' "$*" >>${dir}/${name}.log\n${extra}`,
          { mode: 0o755 },
        );
      // Host tools the sandbox cannot run for real: recorded, succeeding.
      recorder("docker");
      recorder("systemctl");
      recorder("rpm");
      recorder("mountpoint");
      fs.writeFileSync(path.join(bin, "uname"), "#!/bin/bash\necho x86_64\n", { mode: 0o755 });
      fs.writeFileSync(path.join(bin, "aws"), fastAwsCli(path.join(dir, "aws.log")), {
        mode: 0o755,
      });
      fs.writeFileSync(
        path.join(dir, "cwagent"),
        `#!/bin/bash\nprintf '%s\\n' "$*" >>${dir}/cwagent.log\n`,
        { mode: 0o755 },
      );
      // The apply step as installed: the script and the parts it sources.
      fs.mkdirSync(path.join(dir, "lib"));
      for (const f of nonEmpty(applyScriptFiles(), "applyScriptFiles()"))
        fs.writeFileSync(
          f.name === "openems-apply" ? path.join(dir, f.name) : path.join(dir, "lib", f.name),
          f.content,
          { mode: 0o755 },
        );
      fs.mkdirSync(path.join(dir, "plugins"));
      fs.writeFileSync(path.join(dir, "plugins", "docker-compose"), PLUGIN, { mode: 0o755 });
      aws.secrets.clear();
      aws.secrets.set(SECRET_ARN, JSON.stringify(SECRETS));
      aws.faults.GetSecretValue.length = 0;
      aws.requests.length = 0;
      env = {
        PATH: `${bin}:${process.env.PATH}`,
        HOME: dir,
        DESIRED_DIR: path.join(dir, "desired"),
        APPLY_LIB: path.join(dir, "lib"),
        STATE_DIR: path.join(dir, "state"),
        PLUGIN_PATH: path.join(dir, "plugins", "docker-compose"),
        CWAGENT_CTL: path.join(dir, "cwagent"),
        CWAGENT_CONFIG: path.join(dir, "cwagent.json"),
        DOCKER_DROPIN: path.join(dir, "docker.service.d", "10-openems-data.conf"),
        FSTAB: path.join(dir, "fstab"),
        RETRY_DELAY: "0",
        ...standInAwsEnv(endpoint),
      };
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("first run: writes every file exactly (docker-compose accepts them) and starts the stack; a second run touches nothing, keeping console edits", async () => {
      const { compose } = publish();
      const first = await apply();
      assert.strictEqual(first.status, 0, first.stderr);
      assert.strictEqual(read("opt/compose.yaml"), compose);
      assert.strictEqual(
        read("run/postgres.env"),
        `POSTGRES_PASSWORD=${SECRETS.postgresPassword}\n`,
      );
      assert.strictEqual(
        read("run/odoo.env"),
        `PASSWORD=${SECRETS.postgresPassword}\nODOO_MASTER_PASSWORD=${SECRETS.odooMasterPassword}\n`,
      );
      assert.strictEqual(
        read("run/influxdb.env"),
        `DOCKER_INFLUXDB_INIT_PASSWORD=${SECRETS.influxdbAdminPassword}\nDOCKER_INFLUXDB_INIT_ADMIN_TOKEN=${SECRETS.influxdbAdminToken}\n`,
      );
      for (const f of ["postgres", "odoo", "influxdb"])
        assert.strictEqual(fs.statSync(path.join(dir, `run/${f}.env`)).mode & 0o777, 0o600);
      assert.strictEqual(fs.statSync(path.join(dir, "run")).mode & 0o777, 0o700);
      const files = felixConfigFiles(validateHostOptions(TEST_HOST_OPTIONS).compose);
      assert.strictEqual(files.length, 5);
      for (const f of files) {
        const p = path.join(dir, "data/openems/config", f.path);
        assert.strictEqual(fs.readFileSync(p, "utf8"), renderFelixFile(f, SECRETS), f.path);
        assert.strictEqual(fs.statSync(p).mode & 0o777, 0o600, f.path);
      }
      for (const d of ["data/postgres", "data/odoo/data", "data/influxdb/config"])
        assert.ok(fs.statSync(path.join(dir, d)).isDirectory(), d);
      assert.strictEqual(
        read("docker.service.d/10-openems-data.conf"),
        `[Unit]\nRequiresMountsFor=${dir}/data\n`,
      );
      assert.deepStrictEqual(
        JSON.parse(read("cwagent.json")).metrics.metrics_collected.disk.resources,
        [`${dir}/data`, "/"],
      );
      const project = `compose -p openems -f ${dir}/opt/compose.yaml`;
      assert.deepStrictEqual(calls("docker"), [
        `${project} pull --quiet`,
        `${project} run --rm --no-deps --user root --entrypoint chown odoo -R odoo:odoo /var/lib/odoo /mnt/extra-addons`,
        `${project} up -d --remove-orphans`,
      ]);
      assert.deepStrictEqual(calls("systemctl"), ["daemon-reload", "enable --now docker"]);
      assert.deepStrictEqual(calls("cwagent"), [
        `-a fetch-config -m ec2 -s -c file:${dir}/cwagent.json`,
      ]);
      assert.deepStrictEqual(calls("aws"), [
        `secretsmanager get-secret-value --region eu-central-1 --secret-id ${SECRET_ARN} --query SecretString --output text`,
      ]);
      // Nothing secret on the log.
      for (const v of nonEmpty(Object.values(SECRETS), "Object.values(SECRETS)"))
        assert.ok(!first.stderr.includes(v));

      // The files it wrote, through the real Compose parser (docker-compose 1.29, Debian 12).
      const config = run("docker-compose", ["-f", path.join(dir, "opt/compose.yaml"), "config"]);
      assert.strictEqual(config.status, 0, config.stderr);
      assert.match(config.stdout, new RegExp(`POSTGRES_PASSWORD: ${SECRETS.postgresPassword}`));
      assert.match(config.stdout, new RegExp(`- ${dir}/data/postgres:/var/lib/postgresql/data`));

      // Felix console edits to files the platform does not own survive the next run.
      const edge = path.join(dir, "data/openems/config/Edge/Websocket.config");
      fs.appendFileSync(edge, 'edited="by console"\n');
      clearCalls();
      const again = await apply();
      assert.strictEqual(again.status, 0, again.stderr);
      assert.match(fs.readFileSync(edge, "utf8"), /edited="by console"/);
      assert.deepStrictEqual(calls("docker"), [], "nothing changed: no Compose call");
      assert.deepStrictEqual(calls("cwagent"), []);
      assert.deepStrictEqual(calls("systemctl"), ["enable --now docker"]);
    });

    it("a Compose change reaches the running host as `compose up -d` only: nothing stops, nothing restarts", async () => {
      publish();
      assert.strictEqual((await apply()).status, 0);
      clearCalls();
      const { compose } = publish({
        compose: {
          logGroupName: "/openems/dev/backend",
          region: "eu-central-1",
          images: { odoo: "odoo:16.0-20250910" },
        },
      });
      const r = await apply();
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(read("opt/compose.yaml"), /image: odoo:16\.0-20250910/);
      assert.strictEqual(read("opt/compose.yaml"), compose);
      const docker = calls("docker");
      assert.deepStrictEqual(
        docker.map((c) => c.split(" ").slice(5, 7).join(" ")),
        ["pull --quiet", "run --rm", "up -d"],
      );
      assert.ok(!docker.some((c) => / (stop|down|restart) /.test(`${c} `)), docker.join("\n"));
      assert.deepStrictEqual(calls("systemctl"), ["enable --now docker"]);
    });

    it("a rotated secret rewrites the env files and Felix files that hold it and restarts only the backend", async () => {
      publish();
      assert.strictEqual((await apply()).status, 0);
      clearCalls();
      aws.secrets.set(
        SECRET_ARN,
        JSON.stringify({ ...SECRETS, influxdbAdminToken: "Rotated0Token0123456" }),
      );
      const r = await apply();
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(
        read("run/influxdb.env"),
        /DOCKER_INFLUXDB_INIT_ADMIN_TOKEN=Rotated0Token0123456/,
      );
      const influx = fs
        .readdirSync(path.join(dir, "data/openems/config/Timedata/InfluxDB"))
        .map((f) => read(`data/openems/config/Timedata/InfluxDB/${f}`));
      assert.match(influx[0], /^apiKey="Rotated0Token0123456"$/m);
      const project = `compose -p openems -f ${dir}/opt/compose.yaml`;
      assert.deepStrictEqual(calls("docker"), [
        `${project} up -d --remove-orphans`,
        `${project} restart openems-backend`,
      ]);
    });

    it("retries while the instance role is not yet authorized, then converges", async () => {
      publish();
      // A fresh instance role before IAM has propagated.
      aws.faults.GetSecretValue.push(...Array(3).fill("AccessDeniedException"));
      const r = await apply();
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stderr, /aws failed \(attempt 1 of 6\); again in 0s/);
      assert.strictEqual(aws.count("GetSecretValue", SECRET_ARN), 4);
      assert.ok(fs.existsSync(path.join(dir, "opt/compose.yaml")));
    });

    it("stops without touching anything when compose.yaml and host.json are from different updates", async () => {
      publish({}, (s) => s.replace("restart: unless-stopped", "restart: always"));
      const r = await apply();
      assert.notStrictEqual(r.status, 0);
      assert.match(
        r.stderr,
        /compose\.yaml \(sha256 [0-9a-f]{64}\) is not the one host\.json names/,
      );
      assert.ok(!fs.existsSync(path.join(dir, "opt/compose.yaml")));
      assert.ok(!fs.existsSync(path.join(dir, "run")));
      assert.deepStrictEqual(calls("docker"), []);
    });

    it("refuses secret values it could not write safely, naming the key but not the value", async () => {
      publish();
      for (const [value, why] of [
        ['Has"Quote0123456789', "a quote"],
        ["Dollar$Sign0123456789", "a dollar"],
        ["short", "too short"],
      ] as const) {
        aws.secrets.set(SECRET_ARN, JSON.stringify({ ...SECRETS, odooMasterPassword: value }));
        const bad = await apply();
        assert.notStrictEqual(bad.status, 0, why);
        assert.match(
          bad.stderr,
          /key "odooMasterPassword" of arn:aws:secretsmanager:.* is missing or not 16-256 characters/,
          why,
        );
        assert.ok(!bad.stderr.includes(value), `${why}: the value was printed`);
        assert.ok(!fs.existsSync(path.join(dir, "run/odoo.env")), why);
      }
      assert.strictEqual(HOST_SECRET_KEYS.length, Object.keys(SECRETS).length);
    });

    it("reads the secret through the real AWS CLI as well", async function () {
      requirePrerequisites(this, { tools: ["aws"] });
      publish();
      fs.rmSync(path.join(dir, "bin", "aws"));
      const r = await apply();
      assert.strictEqual(r.status, 0, r.stderr);
      assert.deepStrictEqual(
        aws.requests.map((q) => [q.op, q.target]),
        [["GetSecretValue", SECRET_ARN]],
      );
      assert.strictEqual(
        read("run/postgres.env"),
        `POSTGRES_PASSWORD=${SECRETS.postgresPassword}\n`,
      );
    });
  });
});
