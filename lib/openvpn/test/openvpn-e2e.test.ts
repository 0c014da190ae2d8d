// The real proof: Debian's OpenVPN 2.6 runs the rendered server config and client profiles on
// 127.0.0.1 with real TUN devices, with certificates issued by openssl using the same key usages
// as the Pulumi program. Needs root, /dev/net/tun, openvpn, openssl and iproute2.
import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { staticAddressAt, vpnAddressPlan, VpnAddressPlan } from "../address-plan";
import { renderAdminCcdEntry, renderCcdEntry } from "../ccd";
import { parseIpv4 } from "../../net/ipv4";
import { renderClientProfile } from "../client-profile";
import { renderMetricsPublisher } from "../metrics-script";
import { CA_ALLOWED_USES, CLIENT_ALLOWED_USES, SERVER_ALLOWED_USES } from "../pki";
import { renderServerConfig } from "../server-config";
import { formatTlsCryptV2ServerKey, wrapTlsCryptV2ClientKey } from "../tls-crypt-v2";
import { renderTlsCryptV2Verifier } from "../tls-crypt-v2-verify";
import { randomBytes } from "crypto";
import { freeUdpPort, OPENVPN, OpenvpnProcess, TestPki, waitUntil } from "./openvpn-harness";
import { requirePrerequisites } from "../../../tooling/testing/tools";

const SERVER_CN = "vpn.test.internal";
const CONNECTED = /Initialization Sequence Completed/;
const AUTH_FAILED = /AUTH: Received control message: AUTH_FAILED/;
const refused = (cn: string) =>
  new RegExp(`--client-config-dir authentication failed for common name '${cn}'`);
// The tls-crypt-v2-verify script's refusal and OpenVPN's own line for it (tls_crypt.c).
const keyRefused = (reason: string) =>
  new RegExp(`tls-crypt-v2 key refused: ${reason}[^]*TLS CRYPT V2 VERIFY SCRIPT ERROR`);

/**
 * Server log lines since `offset` of sessions that were not there before it: a device connected
 * earlier renegotiates every few seconds (reneg-sec 3) and logs its own VERIFY OK lines.
 */
function newSessionLog(log: string, offset: number): string {
  const peer = /^\S+ \S+ (\S+\/\d+\.\d+\.\d+\.\d+:\d+) /;
  const known = new Set(
    log
      .slice(0, offset)
      .split("\n")
      .map((l) => peer.exec(l)?.[1])
      .filter((p) => p !== undefined),
  );
  return log
    .slice(offset)
    .split("\n")
    .filter((l) => !known.has(peer.exec(l)?.[1] ?? ""))
    .join("\n");
}

/** A /24 in 10.200-10.250 unused by this host's routes, so the test TUNs collide with nothing. */
function unusedClientCidr(): string {
  const routes = execFileSync("ip", ["-4", "route", "show", "table", "all"], { encoding: "utf8" });
  for (let second = 200; second <= 250; second++) {
    if (!routes.includes(`10.${second}.`)) {
      return `10.${second}.0.0/24`;
    }
  }
  throw new Error("no unused 10.200-250.0.0/24 range on this host");
}

/** The unprivileged group of this distribution: Debian has nogroup, Fedora and AL2023 nobody. */
function unprivilegedGroup(): string {
  return spawnSync("getent", ["group", "nogroup"]).status === 0 ? "nogroup" : "nobody";
}

/** CLIENT_LIST rows of a status-version 3 file: common name -> virtual address. */
function connectedClients(statusFile: string): Map<string, string> {
  const rows = fs.existsSync(statusFile) ? fs.readFileSync(statusFile, "utf8").split("\n") : [];
  return new Map(
    rows
      .map((row) => row.split("\t"))
      .filter((cols) => cols[0] === "CLIENT_LIST")
      .map((cols) => [cols[1], cols[3]] as [string, string]),
  );
}

describe("OpenVPN 2.6 end to end (real server and devices on 127.0.0.1)", function () {
  let dir: string;
  let pki: TestPki;
  let plan: VpnAddressPlan;
  let port: number;
  let server: OpenvpnProcess;
  let ccdDir: string;
  let statusFile: string;
  let tlsCryptV2ServerKey: string;
  const processes: OpenvpnProcess[] = [];

  /** A device's own tls-crypt-v2 key, wrapped (in TypeScript) by `serverKey`. */
  function deviceKey(commonName: string, serverKey = tlsCryptV2ServerKey): string {
    return wrapTlsCryptV2ClientKey({
      serverKeyPem: serverKey,
      clientKeyHex: randomBytes(256).toString("hex"),
      metadata: commonName,
    });
  }

  function startDevice(
    commonName: string,
    label = commonName,
    tlsCryptV2Key = deviceKey(commonName),
  ): OpenvpnProcess {
    const profile = renderClientProfile({
      remoteHost: "127.0.0.1",
      remotePort: port,
      serverCommonName: SERVER_CN,
      caCertPem: pki.read("server-ca-bundle.crt"),
      clientCertPem: pki.read(`${commonName}.crt`),
      clientKeyPem: pki.read(`${commonName}.key`),
      tlsCryptV2Key,
    });
    // Test-only addition: keep the pushed VPC route out of this host's routing table. The TUN
    // itself is configured for real, so the device's address can be read back with `ip`.
    const file = path.join(dir, `${label.replace(/\W+/g, "-")}.ovpn`);
    fs.writeFileSync(file, `${profile}pull-filter ignore "route "\n`, { mode: 0o600 });
    const proc = new OpenvpnProcess(label, ["--config", file], dir);
    processes.push(proc);
    return proc;
  }

  before(async function () {
    requirePrerequisites(this, { tools: [OPENVPN, "openssl", "ip"], root: true, tun: true });
    this.timeout(30000);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "openvpn-e2e-"));
    // The server drops to an unprivileged account, as in production, and must then still read
    // its ccd entries: the directory has to be traversable like /etc/openvpn/server is.
    fs.chmodSync(dir, 0o755);
    ccdDir = path.join(dir, "ccd");
    fs.mkdirSync(ccdDir, { mode: 0o755 });
    statusFile = path.join(dir, "status.log");

    pki = new TestPki(path.join(dir, "pki"));
    // Separate trust, as the stacks issue it: the server CA (network) signs only the server
    // certificate; the client CA (edge) only devices. Two client CA generations are trusted at
    // once (a rollover): pi-old was signed by the previous one.
    pki.createCa("server-ca", CA_ALLOWED_USES);
    pki.createCa("client-ca-1", CA_ALLOWED_USES);
    pki.createCa("client-ca-2", CA_ALLOWED_USES);
    pki.createCa("foreign-ca", CA_ALLOWED_USES);
    pki.issue(SERVER_CN, "server-ca", SERVER_ALLOWED_USES);
    for (const device of ["pi-001", "pi-002", "pi-003", "admin-ops"]) {
      pki.issue(device, "client-ca-2", CLIENT_ALLOWED_USES);
    }
    pki.issue("pi-old", "client-ca-1", CLIENT_ALLOWED_USES);
    pki.issue("pi-666", "foreign-ca", CLIENT_ALLOWED_USES);
    // A device certificate from the server CA: valid, but the server trusts no device by it.
    pki.issue("pi-server-ca", "server-ca", CLIENT_ALLOWED_USES);
    fs.writeFileSync(
      pki.file("client-ca-bundle.crt"),
      pki.read("client-ca-2.crt") + pki.read("client-ca-1.crt"),
    );
    fs.writeFileSync(pki.file("server-ca-bundle.crt"), pki.read("server-ca.crt"));
    tlsCryptV2ServerKey = formatTlsCryptV2ServerKey(randomBytes(128).toString("hex"));
    fs.writeFileSync(pki.file("tls-crypt-v2-server.key"), tlsCryptV2ServerKey, { mode: 0o644 });
    const verifier = path.join(dir, "tls-crypt-v2-verify");
    fs.writeFileSync(verifier, renderTlsCryptV2Verifier(), { mode: 0o755 });

    const clientCidr = unusedClientCidr();
    plan = vpnAddressPlan(clientCidr);
    port = await freeUdpPort();
    const config = renderServerConfig({
      clientCidr,
      pushRoutes: ["10.254.0.0/16"],
      port,
      listenAddress: "127.0.0.1",
      user: "nobody",
      group: unprivilegedGroup(),
      paths: {
        ca: pki.file("client-ca-bundle.crt"),
        cert: pki.file(`${SERVER_CN}.crt`),
        key: pki.file(`${SERVER_CN}.key`),
        tlsCryptV2: pki.file("tls-crypt-v2-server.key"),
        tlsCryptV2Verify: verifier,
        ccdDir,
        status: statusFile,
      },
      statusIntervalSeconds: 1,
      // Production keeps OpenVPN's 3600 s; a short interval lets case (d) show that a live
      // session is cut at the next renegotiation within the test's time budget.
      renegotiateSeconds: 3,
    });
    fs.writeFileSync(path.join(dir, "server.conf"), config);
    server = new OpenvpnProcess("server", ["--config", "server.conf"], dir);
    processes.push(server);
    await server.waitForLog(CONNECTED, 10000);
  });

  after(async function () {
    this.timeout(20000);
    await Promise.all(processes.map((p) => p.stop()));
    if (dir) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("starts the rendered server config and drops privileges", async () => {
    assert.match(server.log, /UID set to nobody/);
    assert.match(server.log, new RegExp(`TUN/TAP device \\S+ opened`));
  });

  it("(a) gives a registered device the static address from its ccd entry", async () => {
    const address = staticAddressAt(plan, 0);
    fs.writeFileSync(
      path.join(ccdDir, "pi-001"),
      renderCcdEntry({ commonName: "pi-001", address, netmask: plan.netmask, plan }),
    );
    const device = startDevice("pi-001");
    await device.waitForLog(CONNECTED, 10000);

    const tun = (device.log.match(/TUN\/TAP device (\S+) opened/) ?? [])[1];
    assert.ok(tun, "the device opened a TUN device");
    const ipAddr = execFileSync("ip", ["-4", "-o", "addr", "show", "dev", tun], {
      encoding: "utf8",
    });
    assert.match(ipAddr, new RegExp(`inet ${address.replace(/\./g, "\\.")}/${plan.prefixLength} `));

    const seen = await waitUntil(
      "pi-001 in the status file",
      5000,
      () => connectedClients(statusFile).get("pi-001"),
      () => server.tail(),
    );
    assert.equal(seen, address);
  });

  it("publishes ConnectedDevices and DeviceConnected from the live status file", async () => {
    assert.ok(connectedClients(statusFile).has("pi-001"), "case (a) left pi-001 connected");
    // pi-002 is known (has a ccd entry) but not connected; the entry is removed again below.
    fs.writeFileSync(path.join(ccdDir, "pi-002"), "ifconfig-push 10.0.0.1 255.255.255.0\n");
    const stubDir = path.join(dir, "stub-bin");
    fs.mkdirSync(stubDir, { recursive: true });
    const captured = path.join(dir, "put-metric-data.json");
    // Stand-in for the aws CLI: saves the metric data file it was given.
    const stub = [
      "#!/bin/bash",
      'for a in "$@"; do',
      `  if [[ $a == file://* ]]; then cat "\${a#file://}" >> '${captured}'; fi`,
      "done",
      "",
    ];
    fs.writeFileSync(path.join(stubDir, "aws"), stub.join("\n"), { mode: 0o755 });
    const script = path.join(dir, "publish-metrics");
    fs.writeFileSync(
      script,
      renderMetricsPublisher({
        statusFile,
        statusIntervalSeconds: 1,
        ccdDir,
        namespace: "OpenEMS/VPN",
        dimensions: { Environment: "test" },
      }),
      { mode: 0o755 },
    );
    try {
      execFileSync(script, {
        env: { ...process.env, PATH: `${stubDir}:${process.env.PATH}` },
        timeout: 10000,
        stdio: "pipe",
      });
    } finally {
      fs.rmSync(path.join(ccdDir, "pi-002"));
    }
    const data = JSON.parse(fs.readFileSync(captured, "utf8")) as Array<{
      MetricName: string;
      Value: number;
      Dimensions: Array<{ Name: string; Value: string }>;
    }>;
    const byDevice = (cn: string) =>
      data.find(
        (d) => d.MetricName === "DeviceConnected" && d.Dimensions.some((x) => x.Value === cn),
      );
    assert.equal(data.find((d) => d.MetricName === "ConnectedDevices")?.Value, 1);
    assert.equal(byDevice("pi-001")?.Value, 1);
    assert.equal(byDevice("pi-002")?.Value, 0);
  });

  it("(b) refuses the key of a device without a ccd entry before TLS (tls-crypt-v2-verify)", async () => {
    const before = server.log.length;
    const device = startDevice("pi-002");
    await waitUntil(
      "the server to refuse pi-002's key",
      10000,
      () => server.log.slice(before).match(keyRefused("no ccd entry for pi-002")) ?? undefined,
      () => server.tail(),
    );
    await device.stop();
    const seen = newSessionLog(server.log, before);
    // Dropped before the TLS stack: no certificate was ever looked at.
    assert.doesNotMatch(seen, /VERIFY OK|VERIFY ERROR/);
    assert.doesNotMatch(device.log, CONNECTED);
    assert.doesNotMatch(device.log, AUTH_FAILED);
  });

  it("refuses a key whose metadata climbs out of the ccd directory, though the file exists", async () => {
    assert.ok(fs.existsSync(path.join(ccdDir, "..", "ccd", "pi-001")), "case (a) wrote pi-001");
    const before = server.log.length;
    const device = startDevice("pi-001", "pi-001-traversal", deviceKey("../ccd/pi-001"));
    await waitUntil(
      "the server to refuse the ../ metadata",
      10000,
      () =>
        server.log.slice(before).match(keyRefused("the metadata is not a common name")) ??
        undefined,
      () => server.tail(),
    );
    await device.stop();
    assert.doesNotMatch(newSessionLog(server.log, before), /VERIFY OK: depth=0, CN=pi-001/);
    assert.doesNotMatch(device.log, CONNECTED);
  });

  it("refuses with ccd-exclusive a device whose certificate has no ccd entry, though its key's has", async () => {
    // pi-002's certificate with pi-001's key: the key check passes (pi-001 has an entry), and
    // ccd-exclusive still refuses the certificate's common name after TLS. OpenVPN 2.6 gives no
    // script both names, so this is the layer that refuses a key lent to a revoked device.
    const before = server.log.length;
    const device = startDevice("pi-002", "pi-002-with-pi-001-key", deviceKey("pi-001"));
    await device.waitForLog(AUTH_FAILED, 10000);
    await server.waitForLog(refused("pi-002"), 5000);
    await device.waitForExit(5000);
    assert.match(server.log.slice(before), /TLS CRYPT V2 VERIFY SCRIPT OK/);
    assert.doesNotMatch(device.log, CONNECTED);
  });

  it("connects a device with its own tls-crypt-v2 key (wrapped in TypeScript)", async () => {
    const address = staticAddressAt(plan, 2);
    fs.writeFileSync(
      path.join(ccdDir, "pi-002"),
      renderCcdEntry({ commonName: "pi-002", address, netmask: plan.netmask, plan }),
    );
    try {
      const device = startDevice("pi-002", "pi-002-own-key");
      await device.waitForLog(CONNECTED, 10000);
      assert.match(server.log, /Control Channel: using tls-crypt-v2 key/);
      await device.stop();
    } finally {
      fs.rmSync(path.join(ccdDir, "pi-002"));
    }
  });

  it("refuses a device key wrapped for another server before any TLS", async () => {
    const foreignServer = formatTlsCryptV2ServerKey(randomBytes(128).toString("hex"));
    const before = server.log.length;
    const device = startDevice("pi-001", "pi-001-foreign-key", deviceKey("pi-001", foreignServer));
    await server.waitForLog(/Can not unwrap tls-crypt-v2 client key/, 10000);
    await device.stop();
    assert.doesNotMatch(device.log, CONNECTED);
    assert.doesNotMatch(newSessionLog(server.log, before), /VERIFY OK: depth=0, CN=pi-001/);
  });

  it("refuses a device key whose wrapping was tampered with", async () => {
    // Another device's key with one byte of its wrapped part changed: the server's tag check
    // fails, so no one can derive a working key from another device's.
    const pem = deviceKey("pi-001");
    const body = Buffer.from(pem.split("\n").slice(1, -2).join(""), "base64");
    body[300] ^= 1;
    const lines = body.toString("base64").match(/.{1,64}/g) as string[];
    const tampered = [pem.split("\n")[0], ...lines, pem.split("\n").at(-2), ""].join("\n");
    const device = startDevice("pi-001", "pi-001-tampered-key", tampered);
    await server.waitForLog(/client key authentication error/, 10000);
    await device.stop();
    assert.doesNotMatch(device.log, CONNECTED);
  });

  it("connects a device signed by the previous client CA generation (rollover bundle)", async () => {
    fs.writeFileSync(
      path.join(ccdDir, "pi-old"),
      renderCcdEntry({
        commonName: "pi-old",
        address: staticAddressAt(plan, 3),
        netmask: plan.netmask,
        plan,
      }),
    );
    try {
      const device = startDevice("pi-old");
      await device.waitForLog(CONNECTED, 10000);
      await device.stop();
    } finally {
      fs.rmSync(path.join(ccdDir, "pi-old"));
    }
  });

  it("trusts no device certificate the server CA signed (separate trust)", async () => {
    fs.writeFileSync(
      path.join(ccdDir, "pi-server-ca"),
      renderCcdEntry({
        commonName: "pi-server-ca",
        address: staticAddressAt(plan, 4),
        netmask: plan.netmask,
        plan,
      }),
    );
    try {
      const device = startDevice("pi-server-ca");
      await server.waitForLog(
        // The device sends the server CA along (OpenSSL completes its chain from the device's trust
        // store); the server trusts only client CAs.
        /VERIFY ERROR: depth=1, error=self-signed certificate in certificate chain: CN=server-ca,/,
        10000,
      );
      await device.stop();
      await server.waitForLog(/TLS Error: TLS handshake failed/, 5000);
      assert.doesNotMatch(device.log, CONNECTED);
      assert.ok(!connectedClients(statusFile).has("pi-server-ca"));
    } finally {
      fs.rmSync(path.join(ccdDir, "pi-server-ca"));
    }
  });

  it("(c) rejects a device certificate from another CA in the TLS handshake", async () => {
    // This device even holds a valid tls-crypt-v2 key (a leaked key) of a name with a ccd entry:
    // certificate verification is what stops it.
    fs.writeFileSync(
      path.join(ccdDir, "pi-666"),
      renderCcdEntry({
        commonName: "pi-666",
        address: staticAddressAt(plan, 5),
        netmask: plan.netmask,
        plan,
      }),
    );
    try {
      const device = startDevice("pi-666");
      await server.waitForLog(
        /VERIFY ERROR: depth=0, error=unable to get local issuer certificate: CN=pi-666/,
        10000,
      );
      await server.waitForLog(/TLS Error: TLS handshake failed/, 5000);
      await device.stop();
      assert.doesNotMatch(device.log, CONNECTED);
      assert.ok(!connectedClients(statusFile).has("pi-666"));
    } finally {
      fs.rmSync(path.join(ccdDir, "pi-666"));
    }
  });

  it("(d) cuts a device off when its ccd entry is removed and refuses it afterwards", async () => {
    const entry = path.join(ccdDir, "pi-003");
    fs.writeFileSync(
      entry,
      renderCcdEntry({
        commonName: "pi-003",
        address: staticAddressAt(plan, 1),
        netmask: plan.netmask,
        plan,
      }),
    );
    const device = startDevice("pi-003");
    await device.waitForLog(CONNECTED, 10000);

    fs.rmSync(entry);
    // The live session is re-checked at the next TLS renegotiation (reneg-sec) and ends there.
    await device.waitForLog(AUTH_FAILED, 10000);
    await server.waitForLog(refused("pi-003"), 5000);
    await device.waitForExit(5000);

    // Its key is refused from now on, before TLS: the server drops its packets unanswered.
    const before = server.log.length;
    const again = startDevice("pi-003", "pi-003-reconnect");
    await waitUntil(
      "the server to refuse pi-003's key",
      10000,
      () => server.log.slice(before).match(keyRefused("no ccd entry for pi-003")) ?? undefined,
      () => server.tail(),
    );
    await again.stop();
    assert.doesNotMatch(newSessionLog(server.log, before), /VERIFY OK: depth=0, CN=pi-003/);
    assert.doesNotMatch(again.log, CONNECTED);
  });

  it("(e) gives an admin profile, whose ccd entry pushes nothing, an address from the pool", async () => {
    fs.writeFileSync(path.join(ccdDir, "admin-ops"), renderAdminCcdEntry("admin-ops"));
    const admin = startDevice("admin-ops");
    await admin.waitForLog(CONNECTED, 10000);
    const address = await waitUntil(
      "admin-ops in the status file",
      5000,
      () => connectedClients(statusFile).get("admin-ops"),
      () => server.tail(),
    );
    const [first, last] = [plan.dynamicPool.first, plan.dynamicPool.last].map(
      (ip) => parseIpv4(ip) as number,
    );
    const value = parseIpv4(address) as number;
    assert.ok(
      value >= first && value <= last,
      `${address} is in the pool ${plan.dynamicPool.first}-${plan.dynamicPool.last}`,
    );
    await admin.stop();
  });
});
