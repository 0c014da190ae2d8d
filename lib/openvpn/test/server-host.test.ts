import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { staticAddressAt, vpnAddressPlan } from "../address-plan";
import { renderAdminCcdEntry, renderCcdEntry } from "../ccd";
import { renderCcdChecker } from "../ccd-check";
import { renderCertExpiryPublisher } from "../cert-expiry-script";
import { renderServerFirewall, tunnelGrants } from "../firewall";
import { renderServerConfig } from "../server-config";
import { KeyMaterial, vpnServerHost, VpnServerHostOptions } from "../server-host";
import { accessRules } from "../../net/access";
import { networkSection } from "../../config/network";
import { renderHostManifest } from "../../host-agent/manifest";
import { verifyUnits } from "../../host-agent/test/systemd";
import { requirePrerequisites, run, shellcheck } from "../../../tooling/testing/tools";

const plan = vpnAddressPlan("10.100.0.0/22");
const keyMaterial: KeyMaterial[] = [
  {
    path: "/etc/openvpn/server/client-ca.crt",
    parameter: "/openems/dev/vpn/client-ca-bundle",
    kind: "certificate",
    expiryMetric: "client-ca",
  },
  {
    path: "/etc/openvpn/server/server.crt",
    parameter: "/openems/dev/vpn/server-cert",
    kind: "certificate",
    expiryMetric: "server",
  },
  {
    path: "/etc/openvpn/server/server.key",
    parameter: "/openems/dev/vpn/server-key",
    kind: "private-key",
  },
  {
    path: "/etc/openvpn/server/tls-crypt-v2-server.key",
    parameter: "/openems/dev/vpn/tls-crypt-v2-server-key",
    kind: "static-key",
  },
];
const firewall = renderServerFirewall({
  destinations: ["10.0.0.0/16"],
  grants: [
    { source: "10.100.1.0/24", port: 8081 },
    { source: "10.100.2.0/23", port: 8081 },
    { source: "10.100.0.0/24", port: 4200 },
  ],
});
const options: VpnServerHostOptions = {
  serverConfig: renderServerConfig({ clientCidr: plan.cidr, pushRoutes: ["10.0.0.0/16"] }),
  keyMaterial,
  plan,
  adminCommonNames: ["admin-ops"],
  firewall,
  ccdPrefix: "ccd/",
  hostPrefix: "host/vpn-server/",
  region: "eu-central-1",
  metrics: { namespace: "OpenEMS/VPN", dimensions: { Environment: "dev" }, awayAfterSeconds: 1800 },
  earliestDeviceParameter: "/openems/dev/edge/earliest-cert-expiry",
};

describe("vpnServerHost", () => {
  const host = vpnServerHost(options);
  const manifest = host.manifest("openems-dev-vpn-ccd");

  it("delivers every key file the server config names from its SSM parameter, decrypted and checked", () => {
    for (const k of keyMaterial) {
      const f = manifest.files!.find((x) => x.path === k.path)!;
      assert.deepEqual(f.source, { ssmParameter: k.parameter, decrypt: true });
      assert.ok(f.validate && f.validate.length > 0, `${k.path} is checked before it is installed`);
      assert.deepEqual(f.onChange, { restart: ["openvpn-server@server.service"] });
    }
  });

  it("refuses a server config whose key files the list does not deliver, naming the file", () => {
    assert.throws(
      () => vpnServerHost({ ...options, keyMaterial: keyMaterial.slice(0, 3) }),
      /vpnServerHost: keyMaterial: got .*; expected an entry for \/etc\/openvpn\/server\/tls-crypt-v2-server.key \(the config's tls-crypt-v2\)/,
    );
  });

  it("installs the tls-crypt-v2 key check the config runs, before OpenVPN starts", () => {
    const f = manifest.files!.find(
      (x) => x.path === "/usr/local/libexec/openvpn-tls-crypt-v2-verify",
    )!;
    assert.ok(f, "the verifier is a managed file");
    assert.equal(f.mode, "0755");
    const object = host.objects.find(
      (o) => o.key === "host/vpn-server/openvpn-tls-crypt-v2-verify",
    );
    assert.match(object!.content, /^#!\/bin\/sh\n/);
    const unit = manifest.units!.find((u) => u.name === "openvpn-server@server.service")!;
    assert.ok(unit.requires!.includes("/usr/local/libexec/openvpn-tls-crypt-v2-verify"));
  });

  it("refuses a server config without the key check or with one for another ccd directory", () => {
    const without = options.serverConfig.replace(/^tls-crypt-v2-verify .*\n/m, "");
    assert.throws(
      () => vpnServerHost({ ...options, serverConfig: without }),
      /vpnServerHost: serverConfig: got "tls-crypt-v2-verify"; expected .*exactly one 'tls-crypt-v2-verify' directive, found 0/,
    );
    const elsewhere = options.serverConfig.replace(
      /^(tls-crypt-v2-verify "\S+) \S+"$/m,
      '$1 /tmp/ccd"',
    );
    assert.notEqual(elsewhere, options.serverConfig);
    assert.throws(
      () => vpnServerHost({ ...options, serverConfig: elsewhere }),
      /serverConfig: got "tls-crypt-v2-verify \/usr\/local\/libexec\/openvpn-tls-crypt-v2-verify \/tmp\/ccd"; expected .*\/etc\/openvpn\/server\/ccd" \(the client-config-dir\)/,
    );
    const noScripts = options.serverConfig.replace(/^script-security 2\n/m, "script-security 1\n");
    assert.notEqual(noScripts, options.serverConfig);
    assert.throws(
      () => vpnServerHost({ ...options, serverConfig: noScripts }),
      /serverConfig: got "script-security"; expected 2/,
    );
  });

  it("lets a new list entry (material another stack publishes) hold OpenVPN back until it exists", () => {
    const more = vpnServerHost({
      ...options,
      keyMaterial: [
        ...keyMaterial,
        {
          path: "/etc/openvpn/server/server-ca.crt",
          parameter: "/openems/dev/vpn/server-ca-cert",
          kind: "certificate",
          expiryMetric: "server-ca",
        },
      ],
    }).manifest("openems-dev-vpn-ccd");
    const unit = more.units!.find((u) => u.name === "openvpn-server@server.service")!;
    assert.ok(unit.requires!.includes("/etc/openvpn/server/server-ca.crt"));
  });

  it("puts the bucket into every S3 source and fits the advanced tier", () => {
    const json = renderHostManifest(manifest, { limitBytes: 8192 });
    assert.doesNotMatch(json, /\\u0000/);
    assert.equal(
      (json.match(/"bucket":"openems-dev-vpn-ccd"/g) ?? []).length,
      host.objects.length + 1,
    );
  });
});

describe("VPN server host files (shellcheck, nft -c, systemd-analyze)", function () {
  const host = vpnServerHost(options);
  const object = (name: string) =>
    host.objects.find((o) => o.key === `host/vpn-server/${name}`)!.content;

  before(function () {
    requirePrerequisites(this, { tools: ["shellcheck", "nft", "systemd-analyze"], root: true });
  });

  for (const script of [
    "openvpn-ccd-check",
    "openvpn-publish-metrics",
    "openvpn-publish-cert-expiry",
  ]) {
    it(`${script} passes shellcheck`, () => {
      const r = shellcheck(object(script));
      assert.equal(r.status, 0, r.output);
    });
  }

  it("the firewall ruleset passes nft -c, and a broken one does not", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nft-"));
    try {
      fs.writeFileSync(path.join(dir, "ok.nft"), object("openvpn-filter.nft"));
      const ok = run("nft", ["-c", "-f", path.join(dir, "ok.nft")]);
      assert.equal(ok.status, 0, ok.stderr);
      fs.writeFileSync(
        path.join(dir, "bad.nft"),
        object("openvpn-filter.nft").replace("tcp dport", "tcp dprot"),
      );
      assert.notEqual(run("nft", ["-c", "-f", path.join(dir, "bad.nft")]).status, 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("every unit passes systemd-analyze verify, OpenVPN's drop-in with it", () => {
    const manifest = host.manifest("openems-dev-vpn-ccd");
    const unitFiles = manifest.files!.filter((f) => f.path.startsWith("/etc/systemd/system/"));
    assert.equal(unitFiles.length, 6);
    const content = (f: (typeof unitFiles)[number]) =>
      "inline" in f.source ? f.source.inline : object(f.path.split("/").pop()!);
    const exec = [
      "/usr/local/sbin/openvpn-publish-metrics",
      "/usr/local/sbin/openvpn-publish-cert-expiry",
    ];
    const r = verifyUnits(
      [
        ...unitFiles.map((f) => ({ path: f.path, content: content(f) })),
        ...exec.map((p) => ({ path: p, content: "#!/bin/sh\n", mode: 0o755 })),
        { path: "/etc/sysconfig/openvpn-aws", content: "AWS_REGION=eu-central-1\n" },
        // The distribution's unit, from this machine's openvpn package, with the drop-in beside it.
        { path: "/usr/sbin/openvpn", content: "#!/bin/sh\n", mode: 0o755 },
        { path: "/usr/sbin/nft", content: "#!/bin/sh\n", mode: 0o755 },
      ],
      unitFiles
        .filter((f) => !f.path.includes(".d/"))
        .map((f) => f.path)
        .concat("openvpn-server@server.service"),
    );
    assert.equal(r.status, 0, r.output);
    assert.equal(r.output, "");
  });
});

describe("renderServerFirewall", () => {
  it("takes its grants from the access table: device ranges to 8081, the admin range to the admin ports", () => {
    const net = networkSection.parse({
      vpcCidr: "10.0.0.0/16",
      availabilityZones: 2,
      natStrategy: "none",
      vpn: { clientCidr: "10.100.0.0/22", adminProfiles: ["ops"] },
    } as never);
    const grants = tunnelGrants(accessRules(net), "10.100.0.0/22")
      .map((g) => `${g.source}:${g.port}`)
      .sort();
    assert.deepEqual(grants, [
      "10.100.0.0/24:10016",
      "10.100.0.0/24:4200",
      "10.100.0.0/24:8086",
      "10.100.1.0/24:8081",
      "10.100.2.0/23:8081",
    ]);
  });

  it("filters input from the tunnel to replies only, and never forwards between clients", () => {
    const lines = firewall.split("\n").map((l) => l.trim());
    const input = lines.slice(lines.indexOf("chain input {"), lines.indexOf("chain forward {"));
    assert.deepEqual(
      input.filter((l) => l.startsWith("iifname")),
      [
        'iifname "tun*" ct state established,related accept',
        'iifname "tun*" limit rate 10/minute log prefix "openvpn-drop input: " counter drop',
        'iifname "tun*" counter drop',
      ],
    );
    assert.ok(lines.includes('iifname "tun*" oifname "tun*" counter drop'));
  });

  it("refuses port 22 and an empty grant list", () => {
    assert.throws(
      () =>
        renderServerFirewall({
          destinations: ["10.0.0.0/16"],
          grants: [{ source: "10.100.1.0/24", port: 22 }],
        }),
      /grants\[0\]\.port: got 22; expected a TCP port from 1 to 65535, never 22/,
    );
    assert.throws(
      () => renderServerFirewall({ destinations: ["10.0.0.0/16"], grants: [] }),
      /grants: got \[\]/,
    );
  });
});

describe("the ccd check (real bash)", function () {
  let dir: string;
  let checker: string;
  before(function () {
    requirePrerequisites(this, { tools: ["bash"] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ccd-check-"));
    checker = path.join(dir, "check");
    fs.writeFileSync(checker, renderCcdChecker({ plan, adminCommonNames: ["admin-ops"] }), {
      mode: 0o755,
    });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const check = (name: string, content: string) => {
    const file = path.join(dir, "entry");
    fs.writeFileSync(file, content);
    return run(checker, [name, file]);
  };
  const device = (address: string) =>
    renderCcdEntry({ commonName: "pi-1", address, netmask: plan.netmask, plan });

  it("accepts exactly what ccd.ts renders: device entries across the static range, the admin entry", () => {
    for (const i of [0, 1, 400, plan.staticRange.size - 1]) {
      const r = check("pi-1", device(staticAddressAt(plan, i)));
      assert.equal(r.status, 0, r.stdout);
    }
    assert.equal(check("admin-ops", renderAdminCcdEntry("admin-ops")).status, 0);
  });

  const tampered: [string, string, string, RegExp][] = [
    [
      "an admin-pool address",
      "pi-1",
      `ifconfig-push 10.100.0.7 ${plan.netmask}\n`,
      /outside the device range/,
    ],
    [
      "the server's address",
      "pi-1",
      `ifconfig-push 10.100.0.1 ${plan.netmask}\n`,
      /outside the device range/,
    ],
    [
      "the broadcast address",
      "pi-1",
      `ifconfig-push 10.100.3.255 ${plan.netmask}\n`,
      /outside the device range/,
    ],
    [
      "a pushed route",
      "pi-1",
      `ifconfig-push 10.100.1.5 ${plan.netmask}\npush "route 0.0.0.0 0.0.0.0"\n`,
      /exactly one line/,
    ],
    [
      "an iroute",
      "pi-1",
      `ifconfig-push 10.100.1.5 ${plan.netmask}\niroute 192.168.0.0 255.255.0.0\n`,
      /exactly one line/,
    ],
    ["a directive instead", "pi-1", `push "redirect-gateway def1"\n`, /one ifconfig-push/],
    [
      "another netmask",
      "pi-1",
      "ifconfig-push 10.100.1.5 255.255.255.0\n",
      /netmask 255.255.255.0 is not/,
    ],
    ["no final newline", "pi-1", `ifconfig-push 10.100.1.5 ${plan.netmask}`, /exactly one line/],
    ["a CRLF line", "pi-1", `ifconfig-push 10.100.1.5 ${plan.netmask}\r\n`, /one ifconfig-push/],
    [
      "a trailing space",
      "pi-1",
      `ifconfig-push 10.100.1.5 ${plan.netmask} \n`,
      /one ifconfig-push/,
    ],
    ["a leading zero", "pi-1", `ifconfig-push 10.100.01.5 ${plan.netmask}\n`, /dotted-quad/],
    [
      "an empty entry for a device (pool address)",
      "pi-1",
      renderAdminCcdEntry("pi-1"),
      /one ifconfig-push/,
    ],
    [
      "an admin entry for an unknown admin",
      "admin-eve",
      renderAdminCcdEntry("admin-eve"),
      /reserved for the admin profiles/,
    ],
    [
      "a device entry for an admin",
      "admin-ops",
      device("10.100.1.5"),
      /must be the platform's comment/,
    ],
    ["a bad name", "DEFAULT", device("10.100.1.5"), /not a common name/],
  ];
  for (const [what, name, content, reason] of tampered) {
    it(`refuses ${what}`, () => {
      const r = check(name, content);
      assert.equal(r.status, 1, r.stdout);
      assert.match(r.stdout, reason);
    });
  }
});

describe("the certificate-expiry publisher (real openssl, stand-in aws)", function () {
  let dir: string;
  before(function () {
    requirePrerequisites(this, { tools: ["openssl", "jq"] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cert-expiry-"));
    const cert = (name: string, days: number) =>
      execFileSync(
        "openssl",
        [
          "req",
          "-x509",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:P-256",
          "-nodes",
          "-keyout",
          path.join(dir, `${name}.key`),
          "-subj",
          `/CN=${name}`,
          "-days",
          String(days),
          "-out",
          path.join(dir, `${name}.crt`),
        ],
        { stdio: "pipe" },
      );
    cert("server", 100);
    cert("old-ca", 20);
    cert("new-ca", 3000);
    // A rollover bundle: the CA that expires first is what the metric reports.
    fs.writeFileSync(
      path.join(dir, "bundle.crt"),
      fs.readFileSync(path.join(dir, "new-ca.crt"), "utf8") +
        fs.readFileSync(path.join(dir, "old-ca.crt"), "utf8"),
    );
    fs.mkdirSync(path.join(dir, "bin"));
    // The CLI calls: ssm get-parameter answers from $DEVICE_EXPIRY (or ParameterNotFound); put-metric-data
    // copies its file.
    fs.writeFileSync(
      path.join(dir, "bin", "aws"),
      `#!/bin/bash
if [[ "$1 $2" == "ssm get-parameter" ]]; then
  if [[ -z "\${DEVICE_EXPIRY:-}" ]]; then echo "An error occurred (ParameterNotFound) when calling the GetParameter operation: " >&2; exit 254; fi
  printf '{"Parameter":{"Value":"%s"}}' "$DEVICE_EXPIRY"; exit 0
fi
for a in "$@"; do [[ "$a" == file://* ]] && cp "\${a#file://}" "$OUT"; done
echo "$*" > "$OUT.args"
`,
      { mode: 0o755 },
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function publish(
    env: Record<string, string>,
    certificates = [
      { file: path.join(dir, "server.crt"), name: "server" },
      { file: path.join(dir, "bundle.crt"), name: "ca" },
    ],
  ) {
    const script = path.join(dir, "publish");
    fs.writeFileSync(
      script,
      renderCertExpiryPublisher({
        namespace: "OpenEMS/VPN",
        dimensions: { Environment: "dev" },
        certificates,
        earliestDeviceParameter: "/openems/dev/edge/earliest-cert-expiry",
      }),
      { mode: 0o755 },
    );
    const out = path.join(dir, "metrics.json");
    fs.rmSync(out, { force: true });
    const r = run(script, [], {
      env: {
        ...process.env,
        PATH: `${path.join(dir, "bin")}:${process.env.PATH}`,
        OUT: out,
        ...env,
      },
    });
    const data = fs.existsSync(out) ? (JSON.parse(fs.readFileSync(out, "utf8")) as any[]) : [];
    return {
      r,
      byName: new Map(
        data.map((d) => [d.Dimensions.find((x: any) => x.Name === "Certificate").Value, d]),
      ),
      args: fs.existsSync(`${out}.args`) ? fs.readFileSync(`${out}.args`, "utf8") : "",
    };
  }

  it("publishes days to expiry of the server certificate and the earliest CA of the bundle, and of the earliest device", () => {
    const inTen = new Date(Date.now() + 10 * 86400e3 + 3600e3).toISOString();
    const { r, byName, args } = publish({ DEVICE_EXPIRY: inTen });
    assert.equal(r.status, 0, r.stderr);
    assert.match(args, /cloudwatch put-metric-data --namespace OpenEMS\/VPN/);
    const days = (n: string) => byName.get(n).Value as number;
    assert.ok(days("server") > 99 && days("server") <= 100, `server ${days("server")}`);
    assert.ok(days("ca") > 19 && days("ca") <= 20, `ca ${days("ca")}`);
    assert.ok(
      days("earliest-device") >= 10 && days("earliest-device") < 10.1,
      `device ${days("earliest-device")}`,
    );
    assert.deepEqual(byName.get("ca").Dimensions, [
      { Name: "Environment", Value: "dev" },
      { Name: "Certificate", Value: "ca" },
    ]);
    assert.equal(byName.get("ca").MetricName, "CertificateDaysToExpiry");
  });

  it("publishes no device value while the edge stack has not written one, and still the others", () => {
    const { r, byName } = publish({ DEVICE_EXPIRY: "" });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual([...byName.keys()].sort(), ["ca", "server"]);
  });

  it("says which certificate is missing and fails, publishing what it has", () => {
    const { r, byName } = publish({}, [
      { file: path.join(dir, "server.crt"), name: "server" },
      { file: path.join(dir, "absent.crt"), name: "ca" },
    ]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no certificate in .*absent.crt/);
    assert.deepEqual([...byName.keys()], ["server"]);
  });
});
