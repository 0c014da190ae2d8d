import * as assert from "assert";
import { nonEmpty } from "../../tooling/testing/non-empty";
import { edgeSection } from "../../lib/config/edge";
import { bundleParameters, renderEdgeSettings } from "../device";
import { planFleet } from "../../lib/config/fleet";
import {
  formatTlsCryptV2ServerKey,
  renderCcdEntry,
  renderClientProfile,
  vpnAddressPlan,
  wrapTlsCryptV2ClientKey,
} from "../../lib/openvpn";
// A Standard-tier SSM parameter holds at most 4 KB (Systems Manager quotas).
const SSM_STANDARD_LIMIT_BYTES = 4096;
import { checkOutputs, edgeContract } from "../../lib/contracts";
import { fleetSites } from "../../tooling/testing/fleet";
import {
  byType,
  editedConfig,
  one,
  planExpectingError,
  planOne,
  repositoryPlan,
  secretValue,
  stackOf,
  upstreamOutputs,
} from "../../tooling/testing/harness";

const PARAM = "aws:ssm/parameter:Parameter";

function fleetOf(sites: unknown[]) {
  return edgeSection.parse({ sites });
}

before(async function () {
  this.timeout(180000);
  await repositoryPlan();
});

describe("edge: fleet registry", () => {
  const cidr = "10.200.0.0/22"; // devices 10.200.1.0-10.200.3.254, admin pool 10.200.0.2-10.200.0.255

  const BAD: [string, unknown[], string[]][] = [
    [
      "an address outside the range",
      [{ id: "s", devices: [{ id: "a", address: "10.9.1.1" }] }],
      ["platform:edge.sites[0].devices[0].address", '"10.9.1.1"', "10.200.1.0-10.200.3.254"],
    ],
    [
      "the server's address",
      [{ id: "s", devices: [{ id: "a", address: "10.200.0.1" }] }],
      ['"10.200.0.1"', "the server's own address"],
    ],
    [
      "an address in the admin pool",
      [{ id: "s", devices: [{ id: "a", address: "10.200.0.77" }] }],
      ['"10.200.0.77"', "the admin pool 10.200.0.2-10.200.0.255"],
    ],
    [
      "an address given twice",
      [
        {
          id: "s",
          devices: [
            { id: "a", address: "10.200.1.5" },
            { id: "b", address: "10.200.1.5" },
          ],
        },
      ],
      ["platform:edge.sites[0].devices[1].address", "also at platform:edge.sites[0].devices[0]"],
    ],
    [
      "not an address",
      [{ id: "s", devices: [{ id: "a", address: "10.200.1" }] }],
      ['"10.200.1"', "an IPv4 address"],
    ],
    [
      "an id that looks like an admin profile",
      [{ id: "s", devices: [{ id: "admin-ops" }] }],
      ["platform:edge.sites[0].devices[0].id", '"admin-ops"', "reserved for admin VPN profiles"],
    ],
  ];
  for (const [what, sites, fragments] of BAD) {
    it(`refuses ${what}, naming the entry`, () => {
      const { problems, devices } = planFleet(fleetOf(sites), cidr);
      assert.strictEqual(devices.length, 0);
      const text = problems.join("\n");
      for (const f of nonEmpty(fragments, "fragments"))
        assert.ok(text.includes(f), `${JSON.stringify(f)} in:\n${text}`);
    });
  }

  it("refuses a fleet larger than the range's device addresses", () => {
    const { problems } = planFleet(fleetOf(fleetSites(768, cidr)), cidr);
    assert.match(
      problems[0],
      /got 768 devices; expected at most 767, the static addresses of platform:network\.vpn\.clientCidr 10\.200\.0\.0\/22/,
    );
  });

  it("accepts an empty fleet", () => {
    assert.deepStrictEqual(planFleet(fleetOf([]), cidr), { devices: [], problems: [] });
  });

  it("keeps every device's address when devices are added or the file is reordered", () => {
    const before = planFleet(fleetOf(fleetSites(200, cidr)), cidr).devices;
    assert.strictEqual(before.length, 200);
    const grown = fleetSites(300, cidr);
    const after = planFleet(fleetOf([...grown].reverse()), cidr).devices;
    const at = new Map(after.map((d) => [d.id, d.address]));
    for (const d of before) assert.strictEqual(at.get(d.id), d.address, d.id);
    assert.strictEqual(new Set(after.map((d) => d.address)).size, 300, "no address is given twice");
    const plan = vpnAddressPlan(cidr);
    for (const d of after)
      renderCcdEntry({ commonName: d.id, address: d.address, netmask: plan.netmask, plan });
  });

  it("keeps a pinned address, and derives an unpinned one from the id alone", () => {
    const { devices } = planFleet(
      fleetOf([{ id: "s", devices: [{ id: "pinned", address: "10.200.3.254" }, { id: "free" }] }]),
      cidr,
    );
    assert.deepStrictEqual(
      devices.map((d) => [d.id, d.pinned]),
      [
        ["pinned", true],
        ["free", false],
      ],
    );
    assert.strictEqual(devices[0].address, "10.200.3.254");
    assert.notStrictEqual(devices[1].address, "10.200.3.254");
  });

  it("keeps test-pi-002 at 10.200.2.95 when test-1316, which derives the same address, is added", async () => {
    // The README's promise: adding a device never moves another. test-1316 hashes onto test-pi-002's
    // address, so it must be pinned; before, it silently took it and pushed test-pi-002 onwards.
    const shipped = (await stackOf("edge", "dev")).outputs.devices as any[];
    assert.deepStrictEqual(
      shipped.map((d) => [d.id, d.address, d.pinned]),
      [
        ["test-pi-001", "10.200.1.10", true],
        ["test-pi-002", "10.200.2.95", false],
      ],
    );
    const r = await planExpectingError(
      "edge",
      "dev",
      editedConfig("edge", "dev", (c) =>
        c["platform:edge"].sites[0].devices.push({ id: "test-1316" }),
      ),
    );
    assert.match(
      r.message,
      /platform:edge\.sites\[0\]\.devices\[2\]\.address: got nothing, and "test-1316" derives 10\.200\.2\.95 from its id, which "test-pi-002" \(platform:edge\.sites\[0\]\.devices\[1\]\) also claims; expected a pinned address .*for example address: 10\.200\.\d\.\d+/,
    );
    assert.strictEqual(r.registered.filter((x) => x.type.startsWith("aws:")).length, 0);
    const suggested = /devices\[2\]\.address:.*for example address: (10\.200\.\d\.\d+)/.exec(
      r.message,
    )![1];
    const grown = await planOne(
      "edge",
      "dev",
      editedConfig("edge", "dev", (c) =>
        c["platform:edge"].sites[0].devices.push({ id: "test-1316", address: suggested }),
      ),
      await upstreamOutputs(),
    );
    assert.deepStrictEqual(
      (grown.outputs.devices as any[]).map((d) => [d.id, d.address]),
      [
        ["test-pi-001", "10.200.1.10"],
        ["test-pi-002", "10.200.2.95"],
        ["test-1316", suggested],
      ],
    );
  });

  it("refuses bad fleets before any resource exists", async () => {
    const r = await planExpectingError(
      "edge",
      "dev",
      editedConfig(
        "edge",
        "dev",
        (c) => (c["platform:edge"].sites[0].devices[1].address = "10.200.0.9"),
      ),
    );
    assert.match(
      r.message,
      /platform:edge\.sites\[0\]\.devices\[1\]\.address: got "10\.200\.0\.9", the admin pool/,
    );
    assert.strictEqual(r.registered.filter((x) => x.custom && x.type.startsWith("aws:")).length, 0);
  });
});

describe("edge: devices", () => {
  it("issues each device a client certificate from its own client CA, valid and renewed as configured", async () => {
    const plan = await stackOf("edge", "dev");
    const cfg = editedConfig("edge", "dev", () => undefined)["platform:edge"] as any;
    const ca = one(plan, "tls:index/selfSignedCert:SelfSignedCert", "dev-client-ca-1");
    const caKey = one(plan, "tls:index/privateKey:PrivateKey", "dev-client-ca-1");
    assert.ok(ca.protect && caKey.protect, "the client CA is protected");
    const certs = byType(plan, "tls:index/locallySignedCert:LocallySignedCert").filter((c) =>
      c.name.startsWith("dev-test-pi-"),
    );
    assert.strictEqual(certs.length, 2);
    for (const c of certs) {
      assert.deepStrictEqual(c.inputs.allowedUses, ["digital_signature", "client_auth"]);
      assert.strictEqual(c.inputs.validityPeriodHours, cfg.certValidityDays * 24);
      assert.strictEqual(c.inputs.earlyRenewalHours, cfg.renewBeforeDays * 24);
      assert.strictEqual(c.inputs.caCertPem, ca.state.certPem);
      assert.strictEqual(
        secretValue(c.inputs.caPrivateKeyPem, "the CA key"),
        caKey.state.privateKeyPem,
      );
    }
    const csr = byType(plan, "tls:index/certRequest:CertRequest")
      .map((r) => r.inputs.subject.commonName)
      .sort();
    assert.deepStrictEqual(csr, ["admin-ops", "test-pi-001", "test-pi-002"]);
    // No stack reads a signing key from another: the edge stack holds its own.
    assert.doesNotMatch(JSON.stringify((await stackOf("network", "dev")).outputs), /PRIVATE KEY/);
  });

  it("gives each device its own tls-crypt-v2 key, wrapped by the server key it publishes for the server", async () => {
    const plan = await stackOf("edge", "dev");
    const server = byType(plan, PARAM).find(
      (p) => p.inputs.name === "/openems/dev/vpn/tls-crypt-v2-server-key",
    )!;
    const serverKeyPem = secretValue(server.inputs.value);
    assert.match(serverKeyPem, /^-----BEGIN OpenVPN tls-crypt-v2 server key-----\n/);
    assert.ok(one(plan, "random:index/randomBytes:RandomBytes", "dev-tls-crypt-v2-server").protect);
    const keyOf = (id: string) => {
      const profile = secretValue(
        byType(plan, PARAM).find((p) => p.inputs.name === `/openems/dev/edge/${id}/vpn.ovpn`)!
          .inputs.value,
      );
      return (/<tls-crypt-v2>\n([\s\S]*?)\n<\/tls-crypt-v2>/.exec(profile) ?? [])[1];
    };
    const kc = (id: string) =>
      one(plan, "random:index/randomBytes:RandomBytes", `dev-${id}-tls-crypt-v2`).state.hex;
    for (const id of ["test-pi-001", "test-pi-002"]) {
      // Recomputed independently of the program: the device's own bytes, its id as metadata.
      assert.strictEqual(
        `${keyOf(id)}\n`,
        wrapTlsCryptV2ClientKey({ serverKeyPem, clientKeyHex: kc(id), metadata: id }),
      );
    }
    assert.notStrictEqual(keyOf("test-pi-001"), keyOf("test-pi-002"));
  });

  it("publishes the client CA bundle for the server and trusts two generations during a rollover", async () => {
    const plan = await planOne(
      "edge",
      "dev",
      editedConfig("edge", "dev", (c) => (c["platform:edge"].clientCaGenerations = ["1", "2"])),
      await upstreamOutputs(),
    );
    const ca = (gen: string) =>
      one(plan, "tls:index/selfSignedCert:SelfSignedCert", `dev-client-ca-${gen}`).state.certPem;
    const bundle = byType(plan, PARAM).find(
      (p) => p.inputs.name === "/openems/dev/vpn/client-ca-bundle",
    )!;
    assert.strictEqual(secretValue(bundle.inputs.value), `${ca("2")}${ca("1")}`);
    for (const c of nonEmpty(
      byType(plan, "tls:index/locallySignedCert:LocallySignedCert"),
      "device certificates",
    ))
      assert.strictEqual(c.inputs.caCertPem, ca("2"), `${c.name} is signed by the newest`);
    const refused = await planExpectingError(
      "edge",
      "dev",
      editedConfig("edge", "dev", (c) => (c["platform:edge"].clientCaGenerations = ["1", "1"])),
    );
    assert.match(refused.message, /platform:edge\.clientCaGenerations\[1\]/);
    assert.match(refused.message, /got "1" twice; expected each CA generation once/);
  });

  it("writes the earliest device certificate expiry where the VPN server reads it", async () => {
    const plan = await stackOf("edge", "dev");
    const network = await stackOf("network", "dev");
    const p = one(plan, PARAM, "dev-earliest-cert-expiry");
    assert.strictEqual(p.inputs.type, "String");
    // The name the server's cert-expiry script and its role policy use.
    const script = network.resources.find(
      (r) => r.name === "dev-vpn-host-openvpn-publish-cert-expiry",
    )!.inputs.content;
    assert.ok(script.includes(`'${p.inputs.name}'`), p.inputs.name);
    const ends = byType(plan, "tls:index/locallySignedCert:LocallySignedCert")
      .filter((c) => c.name.startsWith("dev-test-pi-"))
      .map((c) => Date.parse(c.state.validityEndTime));
    assert.strictEqual(ends.length, 2);
    assert.strictEqual(Date.parse(secretValue(p.inputs.value)), Math.min(...ends));
    const alarm = one(plan, "aws:cloudwatch/metricAlarm:MetricAlarm", "dev-device-cert-expiry");
    assert.deepStrictEqual(alarm.inputs.dimensions, {
      Environment: "dev",
      Certificate: "earliest-device",
    });
    assert.strictEqual(alarm.inputs.threshold, 30);
    assert.strictEqual(alarm.inputs.treatMissingData, "notBreaching");
  });

  it("publishes each device's ccd entry, with its fixed address, where the network server syncs from", async () => {
    const plan = await stackOf("edge", "dev");
    const vpn = (await stackOf("network", "dev")).outputs.vpn as any;
    const ccd = one(plan, "aws:s3/bucketObjectv2:BucketObjectv2", "dev-test-pi-001");
    assert.strictEqual(ccd.inputs.bucket, vpn.ccdBucket);
    assert.strictEqual(ccd.inputs.key, `${vpn.ccdPrefix}/test-pi-001`);
    assert.strictEqual(ccd.inputs.content, "ifconfig-push 10.200.1.10 255.255.252.0\n");
    assert.deepStrictEqual(plan.outputs.devices, [
      {
        id: "test-pi-001",
        site: "test-site",
        address: "10.200.1.10",
        pinned: true,
        ...bundleRefs("test-pi-001"),
      },
      {
        id: "test-pi-002",
        site: "test-site",
        address: (plan.outputs.devices as any)[1].address,
        pinned: false,
        ...bundleRefs("test-pi-002"),
      },
    ]);
    checkOutputs(edgeContract, "organization/edge/dev", plan.outputs);
  });

  it("stores each bundle encrypted in free SSM parameters: the complete profile and the OpenEMS settings", async () => {
    const plan = await stackOf("edge", "dev");
    const network = (await stackOf("network", "dev")).outputs as any;
    const workloads = (await stackOf("workloads", "dev")).outputs as any;
    const params = byType(plan, PARAM);
    assert.strictEqual(params.length, 8);
    for (const p of nonEmpty(
      params.filter((p) => p.name !== "dev-earliest-cert-expiry"),
      "bundle parameters",
    )) {
      assert.deepStrictEqual(
        [p.inputs.type, p.inputs.tier, p.inputs.keyId],
        ["SecureString", "Standard", one(plan, "aws:kms/key:Key").state.arn],
      );
      assert.ok(
        Buffer.byteLength(secretValue(p.inputs.value, p.inputs.name)) <= SSM_STANDARD_LIMIT_BYTES,
        p.inputs.name,
      );
    }
    const profile = params.find((p) => p.inputs.name === "/openems/dev/edge/test-pi-001/vpn.ovpn")!
      .inputs.value.value;
    assert.match(
      profile,
      new RegExp(`^remote ${network.vpn.host.replace(/\./g, "\\.")} ${network.vpn.port}$`, "m"),
    );
    assert.match(profile, /<ca>[\s\S]*<cert>[\s\S]*<key>[\s\S]*<tls-crypt-v2>/);
    // Devices verify the server by the server CA, never by their own client CA.
    assert.ok(profile.includes(network.vpn.serverCaPem.trim()));
    const settings = JSON.parse(
      params.find((p) => p.inputs.name === "/openems/dev/edge/test-pi-001/openems.json")!.inputs
        .value.value,
    );
    assert.strictEqual(settings["Controller.Api.Backend"].uri, workloads.edgeWebsocketUrl);
    assert.match(settings["Controller.Api.Backend"].apikey, /^mock-/);
    assert.deepStrictEqual(settings.labels, { meter: "simulated" });
    assert.ok(
      !JSON.stringify(plan.outputs).includes(settings["Controller.Api.Backend"].apikey),
      "outputs name where bundles live, never their content",
    );
  });

  it("refuses labels that could overflow the settings parameter before any resource", async () => {
    const r = await planExpectingError(
      "edge",
      "dev",
      editedConfig(
        "edge",
        "dev",
        (c) => (c["platform:edge"].sites[0].devices[0].labels = { note: "x".repeat(5000) }),
      ),
    );
    assert.match(r.message, /platform:edge\.sites\[0\]\.devices\[0\]\.labels\.note: /);
    assert.deepStrictEqual(r.registered, []);
  });

  it("refuses a bundle that would not fit a free SSM parameter, naming it", async () => {
    // What config cannot bound: an upstream value (here the backend's address) grown too large.
    const upstream = await upstreamOutputs();
    const workloads = [...upstream.keys()].find((k) => k.endsWith("/workloads/dev"))!;
    upstream.set(workloads, {
      ...upstream.get(workloads),
      edgeWebsocketUrl: `ws://${"x".repeat(5000)}:8081`,
    });
    const r = await planExpectingError(
      "edge",
      "dev",
      editedConfig("edge", "dev", () => {}),
      upstream,
    );
    assert.match(
      r.message,
      /SSM parameter \/openems\/dev\/edge\/test-pi-001\/openems\.json: \d+ bytes exceed the 4096-byte standard tier/,
    );
  });

  it("removes a device's ccd entry and bundle when it leaves the file", async () => {
    const plan = await planOne(
      "edge",
      "dev",
      editedConfig("edge", "dev", (c) => c["platform:edge"].sites[0].devices.pop()),
      await upstreamOutputs(),
    );
    assert.ok(!plan.resources.some((r) => r.name.startsWith("dev-test-pi-002")));
    assert.strictEqual(byType(plan, "aws:s3/bucketObjectv2:BucketObjectv2").length, 1);
    assert.deepStrictEqual(
      byType(plan, PARAM)
        .map((p) => p.inputs.name)
        .filter((n) => n.includes("/test-pi-"))
        .sort(),
      ["/openems/dev/edge/test-pi-001/openems.json", "/openems/dev/edge/test-pi-001/vpn.ovpn"],
    );
    // That the server then refuses the device is shown with the real OpenVPN in
    // lib/openvpn/test/openvpn-e2e.test.ts, case (d), with the same renderCcdEntry output.
  });

  it("alarms to the environment's topic when a device is away too long or the fleet is offline", async () => {
    const plan = await stackOf("edge", "dev");
    const topic = (await stackOf("workloads", "dev")).outputs.alarmTopicArn;
    const all = byType(plan, "aws:cloudwatch/metricAlarm:MetricAlarm");
    assert.deepStrictEqual(all.map((a) => a.inputs.metricName).sort(), [
      "CertificateDaysToExpiry",
      "ConnectedDevices",
      "DevicesAway",
    ]);
    // The certificate alarm (its own dimension) is checked with the earliest expiry above.
    const alarms = all.filter((a) => a.inputs.metricName !== "CertificateDaysToExpiry");
    for (const a of nonEmpty(alarms, "fleet alarms")) {
      assert.deepStrictEqual(
        [a.inputs.namespace, a.inputs.dimensions, a.inputs.alarmActions],
        ["OpenEMS/VPN", { Environment: "dev" }, [topic]],
      );
    }
    assert.strictEqual(
      byType(await stackOf("edge", "stage"), "aws:cloudwatch/metricAlarm:MetricAlarm").length,
      0,
      "no fleet, no alarms",
    );
  });

  it("keeps every artefact of a 1,000-device fleet under its AWS limit", () => {
    // The full 1,000-device plan runs in `npm run bench` (about 30 s); here the same renderers run
    // on every device of that fixture, with real-sized key material.
    const { devices, problems } = planFleet(fleetOf(fleetSites(1000)), "10.220.0.0/21");
    assert.deepStrictEqual(problems, []);
    const pem = (label: string, bytes: number) =>
      `-----BEGIN ${label}-----\n${"A".repeat(bytes)}\n-----END ${label}-----\n`;
    const serverKeyPem = formatTlsCryptV2ServerKey("ab".repeat(128));
    for (const d of nonEmpty(devices, "devices")) {
      const profile = renderClientProfile({
        remoteHost: "203.0.113.200",
        remotePort: 1194,
        serverCommonName: "openems-prod-vpn-server",
        // A rollover: two server CA generations in the bundle.
        // Real P-256 PEM files with the longest names the config allows (openssl): a CA is 782
        // bytes, a device certificate without organizational unit 810 (here 40 more for its
        // authority key id), a SEC1 key 227; the bodies below are those sizes or more.
        caCertPem: pem("CERTIFICATE", 730) + pem("CERTIFICATE", 730),
        clientCertPem: pem("CERTIFICATE", 800),
        clientKeyPem: pem("EC PRIVATE KEY", 180),
        tlsCryptV2Key: wrapTlsCryptV2ClientKey({
          serverKeyPem,
          clientKeyHex: "cd".repeat(256),
          // The longest id the config allows: the metadata grows the wrapped key.
          metadata: d.id.padEnd(63, "x"),
        }),
      });
      assert.ok(
        Buffer.byteLength(profile) <= SSM_STANDARD_LIMIT_BYTES,
        `${d.id}: ${Buffer.byteLength(profile)} bytes`,
      );
      const settings = renderEdgeSettings(d, "ws://10.30.1.10:8081", "x".repeat(32));
      assert.ok(Buffer.byteLength(settings) <= SSM_STANDARD_LIMIT_BYTES);
    }
  });

  it("plans a 100-device fleet with the same resources per device", async function () {
    this.timeout(60000);
    const plan = await planOne(
      "edge",
      "prod",
      editedConfig("edge", "prod", (c) => (c["platform:edge"].sites = fleetSites(100))),
      await upstreamOutputs(),
    );
    assert.strictEqual(plan.outputs.deviceCount, 100);
    assert.strictEqual(byType(plan, "platform:edge:Device").length, 100);
    // Per device a profile and settings; per environment the client CA bundle, the tls-crypt-v2
    // server key and the earliest certificate expiry.
    assert.strictEqual(byType(plan, PARAM).length, 203);
    assert.strictEqual(new Set((plan.outputs.devices as any[]).map((d) => d.address)).size, 100);
    for (const p of nonEmpty(byType(plan, PARAM), "parameter"))
      assert.ok(Buffer.byteLength(p.inputs.value.value) <= SSM_STANDARD_LIMIT_BYTES);
  });
});

function bundleRefs(id: string) {
  const p = bundleParameters("dev", id);
  return { profileParameter: p.profile, settingsParameter: p.settings };
}
