// The backend host's convergence end to end: the real host agent (lib/host-agent) reads the
// manifest the planned workloads stack publishes, from a stand-in SSM on 127.0.0.1, installs the
// apply step, host.json and compose.yaml into a sandbox root and starts openems-apply.service,
// which runs the installed apply step chrooted into that root (so it writes /opt/openems,
// /run/openems and /data of the sandbox, not of this machine). Docker, systemctl and the
// CloudWatch agent are stand-ins that record their calls; everything else is the real thing.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { AwsStandIn } from "../../tooling/testing/aws-standin";
import { sha256 as sha, TEST_HOST_SECRETS } from "../../tooling/testing/openems-host";
import {
  byType,
  editedConfig,
  planOne,
  stackOf,
  upstreamOutputs,
} from "../../tooling/testing/harness";
import { nonEmpty } from "../../tooling/testing/non-empty";
import { requirePrerequisites } from "../../tooling/testing/tools";
import { StackPlan } from "../../tooling/plan/run";
import { AgentSandbox } from "../../lib/host-agent/test/sandbox";
import { fastAwsCli } from "../openems/test/fast-aws-cli";
import type { HostManifest } from "../../lib/host-agent";

const MANIFEST = "/openems/dev/hosts/openems-backend/manifest";
const COMPOSE = "/openems/dev/backend/compose.yaml";
const HOST_JSON = "/openems/dev/backend/host.json";
const UNIT = "openems-apply.service";
const NEW_ODOO = "odoo:16.0-20250910";

/** Every SSM parameter value the plan publishes, by name. */
function publishedParameters(plan: StackPlan): Map<string, string> {
  const found = byType(plan, "aws:ssm/parameter:Parameter").filter(
    (p) => typeof p.inputs.insecureValue === "string",
  );
  return new Map(nonEmpty(found, "parameter").map((p) => [p.inputs.name, p.inputs.insecureValue]));
}

// What the chrooted apply step sees of this machine: its programs and libraries, read-only. Its
// /etc, /usr/local, /opt, /run, /var and /data are the sandbox root's.
const HOST_DIRS = ["/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib64", "/usr/libexec", "/usr/share"];
const HOST_FILES = ["/etc/ld.so.cache", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf"];

/**
 * openems-apply.service as systemd starts it on the host: the installed script, as root, on the
 * sandbox root as `/`, in a private mount namespace (every mount ends with the run).
 */
function applyUnit(root: string, endpoint: string): string {
  const setup = [
    ...HOST_DIRS.map(
      (d) =>
        `if [ -d ${d} ]; then mkdir -p "$r${d}"; mount --bind ${d} "$r${d}"; mount -o remount,bind,ro "$r${d}"; fi`,
    ),
    ...HOST_FILES.map((f) => `if [ -e ${f} ]; then touch "$r${f}"; mount --bind ${f} "$r${f}"; fi`),
    ...["bin", "sbin", "lib", "lib64"].map((l) => `ln -sfn usr/${l} "$r/${l}"`),
    'mkdir -p "$r/dev" "$r/proc" "$r/tmp" "$r/root"',
    'mount --rbind /dev "$r/dev"',
    'mount -t proc proc "$r/proc"',
  ].join("\n");
  const env = [
    "PATH=/sandbox/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin",
    "HOME=/root",
    "AWS_REGION=eu-central-1",
    `AWS_ENDPOINT_URL=${endpoint}`,
    "RETRY_DELAY=0",
    "CWAGENT_CTL=/sandbox/bin/cwagent-ctl",
  ].join(" ");
  return `#!/bin/bash
set -euo pipefail
exec unshare --mount --propagation private bash -c '
set -euo pipefail
r=$1
${setup.replace(/'/g, "'\\''")}
exec chroot "$r" /usr/bin/env -i ${env} /usr/local/sbin/openems-apply
' ${UNIT} '${root}'
`;
}

/** Stand-ins for what the sandbox cannot run, inside the sandbox root at /sandbox/bin. */
function hostTools(root: string): void {
  const bin = path.join(root, "sandbox/bin");
  fs.mkdirSync(bin, { recursive: true });
  const tool = (name: string, body: string) =>
    fs.writeFileSync(path.join(bin, name), `#!/bin/bash\n${body}`, { mode: 0o755 });
  const record = (name: string) => `printf '%s\\n' "$*" >>/sandbox/${name}.log\n`;
  // docker compose: records each call, and for `up` the sha256 of the Compose file it was given.
  tool(
    "docker",
    record("docker") +
      `if [ "$1 $6 $7" = "compose up -d" ]; then sha256sum <"$5" | cut -d" " -f1 >>/sandbox/compose-up.log; fi\n`,
  );
  tool("systemctl", record("systemctl"));
  tool("cwagent-ctl", record("cwagent"));
  // The data volume is taken as mounted: /data is a directory of the sandbox root.
  tool("mountpoint", "exit 0\n");
  tool("uname", "echo x86_64\n");
  // The compose plugin comes from GitHub, out of the sandbox's reach; a file stands in for it and
  // its pin check passes (the pin check itself is proven in workloads/openems/test/apply.test.ts).
  // Every other sha256sum call is the real one.
  tool(
    "sha256sum",
    `if [ "$*" = "-c --status" ]; then line=$(cat)
  if [ "\${line#*  }" = /usr/local/lib/docker/cli-plugins/docker-compose ]; then exit 0; fi
  printf '%s\\n' "$line" | exec /usr/bin/sha256sum -c --status; fi
exec /usr/bin/sha256sum "$@"\n`,
  );
  fs.writeFileSync(path.join(bin, "aws"), fastAwsCli("/sandbox/aws.log"), { mode: 0o755 });
  const plugin = path.join(root, "usr/local/lib/docker/cli-plugins/docker-compose");
  fs.mkdirSync(path.dirname(plugin), { recursive: true });
  fs.writeFileSync(plugin, "#!/bin/sh\n", { mode: 0o755 });
}

describe("backend host: the real agent installs the planned manifest and the apply step converges", function () {
  this.timeout(120000);
  let aws: AwsStandIn;
  let box: AgentSandbox;
  let planned: Map<string, string>;
  const log = (name: string) => {
    const file = box.path(`/sandbox/${name}.log`);
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
  };
  const publish = (values: Map<string, string>) => {
    for (const [name, value] of nonEmpty(values, "parameters"))
      aws.parameters.set(name, { type: "String", value });
  };
  const manifest = () => JSON.parse(planned.get(MANIFEST)!) as HostManifest;

  before(async function () {
    requirePrerequisites(this, {
      tools: ["jq", "node", "flock", "sha256sum", "cmp", "curl", "unshare", "chroot", "mount"],
      root: true,
    });
    planned = publishedParameters(await stackOf("workloads", "dev"));
    aws = new AwsStandIn();
    const endpoint = await aws.start();
    publish(planned);
    const host = JSON.parse(planned.get(HOST_JSON)!);
    aws.secrets.set(host.secretArn, JSON.stringify(TEST_HOST_SECRETS));
    box = new AgentSandbox(endpoint, MANIFEST);
    // The image's packages are there already (rpm -q succeeds), so dnf never runs.
    box.tool("rpm", "#!/bin/sh\nexit 0\n");
    box.tool("dnf", "#!/bin/sh\necho 'dnf must not run' >&2; exit 1\n");
    box.oneshot(UNIT, applyUnit(box.root, endpoint));
    hostTools(box.root);
  });
  after(async () => {
    box?.remove();
    await aws?.stop();
  });

  it("first run: installs every file the manifest names byte for byte and applies, `compose up -d` once with the rendered file", async () => {
    const r = await box.apply();
    assert.strictEqual(r.status, 0, r.stderr);
    const files = nonEmpty(manifest().files ?? [], "manifest file");
    for (const f of files) {
      const source = f.source as { ssmParameter?: string; inline?: string };
      const expected = source.ssmParameter ? planned.get(source.ssmParameter) : source.inline;
      assert.strictEqual(box.read(f.path), expected, f.path);
    }
    assert.ok(r.actions.includes(`start ${UNIT}`), r.actions.join("\n"));
    assert.ok(box.isMasked("sshd.service"));
    assert.strictEqual(box.read("/opt/openems/compose.yaml"), planned.get(COMPOSE));
    assert.deepStrictEqual(log("compose-up"), [sha(planned.get(COMPOSE)!)]);
    assert.strictEqual(log("docker").filter((c) => / up -d /.test(`${c} `)).length, 1);
    assert.ok(fs.existsSync(box.path("/run/openems/postgres.env")));
    assert.ok(fs.statSync(box.path("/data/postgres")).isDirectory());
  });

  it("second run without a change: the apply step runs again and calls Compose not at all", async () => {
    const docker = log("docker").length;
    const r = await box.apply();
    assert.strictEqual(r.status, 0, r.stderr);
    // A oneshot is inactive between runs: the agent starts it, never restarts it here.
    assert.deepStrictEqual(r.actions, [`start ${UNIT}`]);
    assert.deepStrictEqual(log("docker").slice(docker), []);
    assert.strictEqual(log("compose-up").length, 1);
  });

  it("a re-planned image tag reaches the host and triggers exactly one `compose up -d`", async () => {
    const after = await planOne(
      "workloads",
      "dev",
      editedConfig("workloads", "dev", (c) => {
        c["platform:workloads"].openems.images = { odoo: NEW_ODOO };
      }),
      await upstreamOutputs(),
    );
    const changed = publishedParameters(after);
    assert.notStrictEqual(changed.get(COMPOSE), planned.get(COMPOSE));
    planned = changed;
    publish(planned);
    const r = await box.apply();
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stderr, /installed: \/etc\/openems\/desired\/compose\.yaml/);
    assert.match(box.read("/opt/openems/compose.yaml"), new RegExp(`image: ${NEW_ODOO}`));
    assert.strictEqual(box.read("/opt/openems/compose.yaml"), planned.get(COMPOSE));
    const ups = log("compose-up");
    assert.strictEqual(ups.length, 2);
    assert.strictEqual(ups[1], sha(planned.get(COMPOSE)!));
  });

  it("refuses content that does not match the manifest's sha256, a tampered value or a wrong pin, keeping the installed file", async () => {
    const installed = box.read("/etc/openems/desired/compose.yaml");
    const docker = log("docker").length;
    // A value in SSM the manifest does not name.
    aws.parameters.set(COMPOSE, { type: "String", value: `${planned.get(COMPOSE)}# tampered\n` });
    let r = await box.apply();
    assert.match(
      r.stderr,
      /waiting: \/etc\/openems\/desired\/compose\.yaml: SSM parameter \/openems\/dev\/backend\/compose\.yaml does not hold the content the manifest names yet/,
    );
    assert.strictEqual(box.read("/etc/openems/desired/compose.yaml"), installed);
    assert.ok(!r.actions.includes(`restart ${UNIT}`));
    // The right value, and a manifest whose pin for it is wrong.
    aws.parameters.set(COMPOSE, { type: "String", value: planned.get(COMPOSE)! });
    const m = manifest();
    aws.parameters.set(MANIFEST, {
      type: "String",
      value: JSON.stringify({
        ...m,
        files: m.files!.map((f) =>
          f.path.endsWith("/compose.yaml") ? { ...f, sha256: sha("something else") } : f,
        ),
      }),
    });
    r = await box.apply();
    assert.match(r.stderr, /compose\.yaml does not hold the content the manifest names yet/);
    assert.strictEqual(box.read("/etc/openems/desired/compose.yaml"), installed);
    assert.deepStrictEqual(log("docker").slice(docker), [], "nothing reached Compose");
    assert.strictEqual(box.read("/opt/openems/compose.yaml"), installed);
  });
});
