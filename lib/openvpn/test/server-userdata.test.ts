import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { staticAddressAt, vpnAddressPlan } from "../address-plan";
import { ccdObjectKey, renderCcdEntry } from "../ccd";
import { renderMetricsPublisher } from "../metrics-script";
import { renderServerConfig, ServerConfigOptions } from "../server-config";
import {
  renderIsolationRuleset,
  renderServerUserData,
  ServerUserDataOptions,
  USER_DATA_LIMIT_BYTES,
} from "../server-userdata";
import { requirePrerequisites, shellcheck } from "../../../tooling/testing/tools";

const configOptions: ServerConfigOptions = {
  clientCidr: "10.100.0.0/20",
  pushRoutes: ["10.0.0.0/16"],
};

const base: ServerUserDataOptions = {
  serverConfig: renderServerConfig(configOptions),
  ssmParameters: {
    caCert: "/openems/dev/vpn/ca-cert",
    serverCert: "/openems/dev/vpn/server-cert",
    serverKey: "/openems/dev/vpn/server-key",
    tlsCryptKey: "/openems/dev/vpn/tls-crypt-key",
  },
  ccdSource: { bucket: "openems-dev-vpn-ccd", prefix: "ccd/" },
  metrics: { namespace: "OpenEMS/VPN", dimensions: { Environment: "dev" } },
};

/** The body of the here-document that writes `file`. */
function heredocBody(script: string, file: string): string {
  const escaped = file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const match = new RegExp(`cat > '${escaped}' <<'(\\w+)'\\n([\\s\\S]*?)\\n\\1\\n`).exec(script);
  assert.ok(match, `no here-document for ${file}`);
  return `${match[2]}\n`;
}

describe("renderServerUserData", () => {
  const script = renderServerUserData(base);

  it("is a strict bash script", async () => {
    assert.match(script, /^#!\/bin\/bash\n/);
    assert.match(script, /^set -euo pipefail$/m);
  });

  it("stays under EC2's 16 KB user-data limit with a 1,000-device fleet", async () => {
    const plan = vpnAddressPlan(configOptions.clientCidr);
    const fleet = Array.from({ length: 1000 }, (_, i) => ({
      commonName: `pi-${String(i).padStart(4, "0")}`,
      address: staticAddressAt(plan, i),
    }));
    // The fleet lives in S3, one ccd object per device; none of it reaches the user data.
    const objects = fleet.map((d) => ({
      key: ccdObjectKey(base.ccdSource.prefix, d.commonName),
      body: renderCcdEntry({ ...d, netmask: plan.netmask, plan }),
    }));
    assert.equal(objects.length, 1000);
    const bytes = Buffer.byteLength(script);
    assert.ok(bytes < USER_DATA_LIMIT_BYTES, `${bytes} bytes`);
    for (const device of [fleet[0], fleet[999]]) {
      assert.ok(!script.includes(device.commonName), device.commonName);
    }
    assert.ok(!objects.some((o) => script.includes(o.key) || script.includes(o.body)));
    assert.doesNotMatch(script, /^ifconfig-push /m);
    assert.equal(USER_DATA_LIMIT_BYTES, 16384);
  });

  it("refuses to render user data above the limit", async () => {
    const padded = `${base.serverConfig}${"# padding\n".repeat(1700)}`;
    assert.throws(
      () => renderServerUserData({ ...base, serverConfig: padded }),
      /'serverConfig' is "\d+ bytes of user data": EC2 accepts less than 16384 bytes/,
    );
  });

  it("installs openvpn from the Amazon Linux 2023 repository", async () => {
    assert.match(script, /^dnf install -y openvpn awscli-2 nftables$/m);
    const commands = script.split("\n").filter((l) => !l.trimStart().startsWith("#"));
    assert.ok(!commands.some((l) => /epel|amazon-linux-extras|apt-get|yum /i.test(l)));
  });

  it("asks IMDSv2 for the region, with a session token on every metadata request", async () => {
    // Continuation lines joined, so each command is one line.
    const commands = script.replace(/\\\n\s*/g, " ").split("\n");
    assert.ok(commands.some((c) => /curl -fsS --retry 5 -X PUT \S+\/latest\/api\/token/.test(c)));
    const metadata = commands.filter((c) => c.includes("169.254.169.254/latest/meta-data"));
    assert.equal(metadata.length, 1);
    assert.match(metadata[0], /-H "X-aws-ec2-metadata-token: \$\{imds_token\}"/);
    assert.match(metadata[0], /\/latest\/meta-data\/placement\/region\)"$/);
  });

  it("enables IP forwarding persistently", async () => {
    assert.match(script, /net\.ipv4\.ip_forward = 1/);
    assert.match(script, /sysctl -q -p \/etc\/sysctl\.d\/90-openvpn-forwarding\.conf/);
  });

  it("reads the key material from SSM SecureStrings into the server config's paths", async () => {
    for (const [name, file] of [
      ["/openems/dev/vpn/ca-cert", "/etc/openvpn/server/ca.crt"],
      ["/openems/dev/vpn/server-cert", "/etc/openvpn/server/server.crt"],
      ["/openems/dev/vpn/server-key", "/etc/openvpn/server/server.key"],
      ["/openems/dev/vpn/tls-crypt-key", "/etc/openvpn/server/tls-crypt.key"],
    ]) {
      assert.match(script, new RegExp(`^fetch_parameter '${name}' '${file}'$`, "m"));
    }
    assert.match(script, /aws ssm get-parameter --name "\$\{name\}" --with-decryption/);
  });

  it("follows the server config when its paths change", async () => {
    const custom = renderServerConfig({
      ...configOptions,
      paths: { key: "/etc/openvpn/keys/vpn.key", ccdDir: "/etc/openvpn/clients" },
      group: "nobody",
    });
    const other = renderServerUserData({ ...base, serverConfig: custom });
    assert.match(other, /^fetch_parameter '\S+\/server-key' '\/etc\/openvpn\/keys\/vpn\.key'$/m);
    assert.match(other, /aws s3 sync --delete --only-show-errors \S+ \/etc\/openvpn\/clients\n/);
    assert.match(other, /^readonly OPENVPN_GROUP='nobody'$/m);
  });

  it("never carries key material", async () => {
    assert.doesNotMatch(script, /PRIVATE KEY|BEGIN CERTIFICATE|OpenVPN Static key/);
    const key = "<key>\n-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n</key>\n";
    assert.throws(
      () => renderServerUserData({ ...base, serverConfig: `${base.serverConfig}${key}` }),
      /'serverConfig' is "\(contains key material\)": it must reference key files by path/,
    );
    assert.throws(
      () => renderServerUserData({ ...base, serverConfig: `${base.serverConfig}<ca>\nx\n</ca>\n` }),
      /'serverConfig' is "<ca> block": inline blocks are not allowed/,
    );
  });

  it("installs the rendered server config verbatim as openvpn-server@server's config", async () => {
    assert.equal(heredocBody(script, "/etc/openvpn/server/server.conf"), base.serverConfig);
    assert.match(script, /^systemctl enable openvpn-server@server\.service$/m);
    assert.match(script, /^systemctl restart openvpn-server@server\.service$/m);
  });

  it("syncs the ccd directory from S3 every minute, deleting removed devices", async () => {
    const service = heredocBody(script, "/etc/systemd/system/openvpn-ccd-sync.service");
    const sync = "aws s3 sync --delete --only-show-errors s3://openems-dev-vpn-ccd/ccd/";
    assert.ok(service.includes(`\nExecStart=/usr/bin/${sync} /etc/openvpn/server/ccd\n`), service);
    assert.match(service, /^EnvironmentFile=\/etc\/sysconfig\/openvpn-aws$/m);
    const timer = heredocBody(script, "/etc/systemd/system/openvpn-ccd-sync.timer");
    assert.match(timer, /^OnUnitActiveSec=60s$/m);
    assert.match(script, /^systemctl enable --now openvpn-ccd-sync\.timer openvpn-metrics\.timer/m);
  });

  it("embeds the metrics publisher for the config's status file and ccd directory", async () => {
    const embedded = heredocBody(script, "/usr/local/sbin/openvpn-publish-metrics");
    assert.equal(
      embedded,
      renderMetricsPublisher({
        statusFile: "/run/openvpn-server/status-server.log",
        statusIntervalSeconds: 30,
        ccdDir: "/etc/openvpn/server/ccd",
        namespace: "OpenEMS/VPN",
        dimensions: { Environment: "dev" },
      }),
    );
    assert.match(
      heredocBody(script, "/etc/systemd/system/openvpn-metrics.service"),
      /^ExecStart=\/usr\/local\/sbin\/openvpn-publish-metrics$/m,
    );
  });

  it("converges when run again (no appends, no one-shot creations)", async () => {
    assert.doesNotMatch(script, />>/);
    assert.doesNotMatch(script, /\buseradd\b|\bgroupadd\b/);
    for (const line of script.split("\n").filter((l) => /^\s*mkdir\b/.test(l))) {
      assert.match(line, /mkdir -p /, line);
    }
    assert.match(renderIsolationRuleset(), /^table inet (\w+)\ndelete table inet \1\n/);
  });

  const invalid: Array<[string, Partial<ServerUserDataOptions>, RegExp]> = [
    [
      "an SSM name with a space",
      { ssmParameters: { ...base.ssmParameters, serverKey: "/openems/dev/server key" } },
      /'ssmParameters\.serverKey' is "\/openems\/dev\/server key"/,
    ],
    [
      "a reserved SSM prefix",
      { ssmParameters: { ...base.ssmParameters, caCert: "/aws/reference/x" } },
      /'ssmParameters\.caCert' is "\/aws\/reference\/x"/,
    ],
    [
      "an upper-case bucket",
      { ccdSource: { bucket: "OpenEMS", prefix: "" } },
      /'ccdSource\.bucket' is "OpenEMS"/,
    ],
    [
      "a prefix with a space",
      { ccdSource: { bucket: "openems-ccd", prefix: "a b" } },
      /'ccdSource\.prefix' is "a b"/,
    ],
    [
      "a sync interval of 1 s",
      { ccdSyncIntervalSeconds: 1 },
      /'ccdSyncIntervalSeconds' is 1: it must be an integer from 10 to 3600/,
    ],
    [
      "a config without a status file",
      { serverConfig: base.serverConfig.replace(/^status .*$/m, "") },
      /'serverConfig' is "status": expected exactly one 'status' directive, found 0/,
    ],
    [
      "an AWS metrics namespace",
      { metrics: { namespace: "AWS/VPN", dimensions: {} } },
      /'namespace' is "AWS\/VPN"/,
    ],
  ];
  for (const [what, opts, message] of invalid) {
    it(`rejects ${what}`, async () => {
      assert.throws(() => renderServerUserData({ ...base, ...opts }), message);
    });
  }
});

describe("server user data checked by real tools", function () {
  before(function () {
    requirePrerequisites(this, { tools: ["shellcheck"] });
  });

  it("passes shellcheck, including the embedded metrics publisher", async () => {
    const script = renderServerUserData(base);
    const result = shellcheck(script);
    assert.equal(result.status, 0, result.output);
    const embedded = shellcheck(heredocBody(script, "/usr/local/sbin/openvpn-publish-metrics"));
    assert.equal(embedded.status, 0, embedded.output);
  });

  it("passes shellcheck with per-device metrics off and custom intervals", async () => {
    const result = shellcheck(
      renderServerUserData({
        ...base,
        metrics: { ...base.metrics, perDeviceMetrics: false },
        ccdSyncIntervalSeconds: 30,
        metricsIntervalSeconds: 300,
      }),
    );
    assert.equal(result.status, 0, result.output);
  });
});

describe("device isolation ruleset checked by nft", function () {
  before(function () {
    // `nft -c` validates against the kernel's netlink interface, which needs root.
    requirePrerequisites(this, { tools: ["nft"], root: true });
  });

  it("is valid nftables syntax and can be loaded twice", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "openvpn-nft-"));
    try {
      const file = path.join(dir, "isolation.nft");
      fs.writeFileSync(file, renderIsolationRuleset());
      const check = spawnSync("nft", ["-c", "-f", file], { encoding: "utf8", timeout: 10000 });
      assert.equal(check.status, 0, check.stderr);
      // A second copy in the same transaction is what running the boot script twice amounts to.
      fs.writeFileSync(file, renderIsolationRuleset().repeat(2));
      const twice = spawnSync("nft", ["-c", "-f", file], { encoding: "utf8", timeout: 10000 });
      assert.equal(twice.status, 0, twice.stderr);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
