import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { renderCompose } from "../compose";
import { SERVICE_SECRET_ENV } from "../secrets";
import { RunResult, requireTool, run, runAsync } from "../../../tooling/testing/tools";

/**
 * The rendered file through the real Compose parsers: docker-compose 1.29 (Debian 12's
 * `docker-compose` package, Python, YAML 1.1) and, where installed, the Compose v2 plugin that the
 * host runs. Both refuse a file whose env_file is missing, so dummy env files are written into a
 * temporary directory and the env_file paths pointed there.
 */
describe("renderCompose with the real Compose parser", function () {
  let dir: string;
  let file: string;
  // The three docker-compose runs start together in before(): each costs about a second of Python
  // start-up, and this keeps the file within its time budget.
  let results: { quiet: RunResult; full: RunResult; missingEnv: RunResult } | undefined;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "openems-compose-"));
    const text = renderCompose({ logGroupName: "/openems/test/backend", region: "eu-central-1" });
    file = path.join(dir, "compose.yaml");
    fs.writeFileSync(file, text.replace(/\/run\/openems\//g, `${dir}/`));
    for (const [service, vars] of Object.entries(SERVICE_SECRET_ENV)) {
      const body = Object.keys(vars)
        .map((v) => `${v}=DummyValue0123456789`)
        .join("\n");
      fs.writeFileSync(path.join(dir, `${service}.env`), `${body}\n`, { mode: 0o600 });
    }
    // A second copy whose odoo.env is missing: docker-compose must refuse it.
    const broken = path.join(dir, "broken");
    fs.mkdirSync(broken);
    fs.writeFileSync(
      path.join(broken, "compose.yaml"),
      text.replace(/\/run\/openems\//g, `${broken}/`),
    );
    for (const service of ["postgres", "influxdb"])
      fs.copyFileSync(path.join(dir, `${service}.env`), path.join(broken, `${service}.env`));

    if (run("sh", ["-c", "command -v docker-compose"]).status !== 0) return;
    const [quiet, full, missingEnv] = await Promise.all([
      runAsync("docker-compose", ["-f", file, "-p", "openems", "config", "-q"], { cwd: dir }),
      runAsync("docker-compose", ["-f", file, "-p", "openems", "config"], { cwd: dir }),
      runAsync(
        "docker-compose",
        ["-f", path.join(broken, "compose.yaml"), "-p", "openems", "config", "-q"],
        { cwd: broken },
      ),
    ]);
    results = { quiet, full, missingEnv };
  });

  after(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function compose(ctx: Mocha.Context) {
    requireTool(ctx, "docker-compose", ["version"], "docker-compose");
    assert.ok(results, "docker-compose appeared after before() ran");
    return results;
  }

  it("is accepted by docker-compose 1.29 (config -q)", async function () {
    const { quiet } = compose(this);
    assert.strictEqual(quiet.status, 0, `docker-compose config -q failed:\n${quiet.stderr}`);
  });

  it("is refused by docker-compose when an env file is missing (so the check above is real)", async function () {
    const { missingEnv } = compose(this);
    assert.notStrictEqual(missingEnv.status, 0);
    assert.match(missingEnv.stderr, /odoo\.env/);
  });

  it("reads back the same ports, restart policies and log options docker-compose resolves", async function () {
    const { full } = compose(this);
    assert.strictEqual(full.status, 0, full.stderr);
    const resolved = YAML.parse(full.stdout) as { services: Record<string, any> };
    const ports = Object.fromEntries(
      Object.entries(resolved.services).map(([n, s]) => [
        n,
        ((s.ports ?? []) as { published: number; target: number }[]).map(
          (p) => `${p.published}:${p.target}`,
        ),
      ]),
    );
    assert.deepStrictEqual(ports, {
      "openems-backend": ["8081:8081", "8082:8082"],
      "openems-ui": ["4200:80"],
      odoo: ["10016:8069"],
      influxdb: ["8086:8086"],
      postgres: [],
    });
    for (const s of Object.values(resolved.services)) {
      assert.strictEqual(s.restart, "unless-stopped");
      assert.strictEqual(s.logging.options["awslogs-group"], "/openems/test/backend");
    }
    // Env-file values end up in the resolved environment: proof the files are the secrets' path.
    assert.strictEqual(
      resolved.services.postgres.environment.POSTGRES_PASSWORD,
      "DummyValue0123456789",
    );
  });

  it("writes Odoo's master password from the env file into its config after Compose interpolation", async function () {
    const { full } = compose(this);
    requireTool(this, "bash", ["-c", "true"], "bash");
    const entrypoint = (YAML.parse(full.stdout) as { services: { odoo: { entrypoint: string[] } } })
      .services.odoo.entrypoint;
    assert.deepStrictEqual(entrypoint.slice(0, 2), ["/bin/bash", "-c"]);
    // `config` prints the file re-escaped ($$); Compose turns $$ into $ when it creates the
    // container. Run the wrapper that way, with the image's entrypoint replaced by a probe that
    // prints the config file and checks the variable is gone.
    const conf = path.join(dir, "odoo.conf");
    const script = entrypoint[2]
      .replace(/\$\$/g, "$")
      .replace(/\/tmp\/odoo\.conf/g, conf)
      .replace("exec /entrypoint.sh odoo", 'cat "$ODOO_RC"; echo "left:${ODOO_MASTER_PASSWORD:-}"');
    const out = run("bash", ["-c", script], {
      env: { PATH: process.env.PATH, ODOO_MASTER_PASSWORD: "Master0Password0123" },
    });
    assert.strictEqual(out.status, 0, out.stderr);
    assert.strictEqual(
      out.stdout,
      "[options]\naddons_path = /mnt/extra-addons\ndata_dir = /var/lib/odoo\nadmin_passwd = Master0Password0123\nleft:\n",
    );
    assert.strictEqual(fs.statSync(conf).mode & 0o777, 0o600);
  });

  it("is accepted by the Compose v2 plugin when it is installed", async function () {
    const probe = spawnSync("docker", ["compose", "version"], { encoding: "utf8", timeout: 10000 });
    if (probe.error !== undefined || probe.status !== 0) {
      // v2 is what the host runs, but CI installs only Debian's docker-compose; not a failure.
      console.warn("      skipped: `docker compose` (v2 plugin) is not installed here");
      this.skip();
    }
    const r = run("docker", ["compose", "-f", file, "-p", "openems", "config", "-q"], { cwd: dir });
    assert.strictEqual(r.status, 0, r.stderr);
  });
});
