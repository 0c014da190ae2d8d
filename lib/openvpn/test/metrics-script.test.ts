import { nonEmpty } from "../../../tooling/testing/non-empty";
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MetricsPublisherOptions, renderMetricsPublisher } from "../metrics-script";
import { requirePrerequisites, shellcheck } from "../../../tooling/testing/tools";

// Written by OpenVPN 2.6.14 (status-version 3) with pi-001 and pi-002 connected.
const STATUS_FIXTURE = path.join(__dirname, "fixtures", "status-v3-two-clients.log");

interface Datum {
  MetricName: string;
  Value: number;
  Unit: string;
  Dimensions: Array<{ Name: string; Value: string }>;
}

interface Call {
  args: string;
  data: Datum[];
}

describe("renderMetricsPublisher run by bash with a stand-in aws CLI", function () {
  let dir: string;

  before(function () {
    requirePrerequisites(this, { tools: ["shellcheck", "bash", "awk", "split"] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "openvpn-metrics-"));
  });

  after(() => {
    if (dir) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  /** Renders the script for a scratch ccd dir and status file, runs it with a stand-in aws CLI. */
  function run(opts: {
    devices: readonly string[];
    status?: "fresh" | "stale" | "missing";
    perDeviceMetrics?: boolean;
    dimensions?: Record<string, string>;
    /** Seconds since each device was last seen, as left by earlier runs. */
    lastSeenSecondsAgo?: Record<string, number>;
    awayAfterSeconds?: number;
  }): Call[] {
    const work = fs.mkdtempSync(path.join(dir, "run-"));
    const ccdDir = path.join(work, "ccd");
    const calls = path.join(work, "calls");
    const bin = path.join(work, "bin");
    fs.mkdirSync(ccdDir);
    fs.mkdirSync(calls);
    fs.mkdirSync(bin);
    for (const device of nonEmpty(opts.devices, "opts.devices")) {
      fs.writeFileSync(path.join(ccdDir, device), "ifconfig-push 10.100.1.1 255.255.252.0\n");
    }
    const statusFile = path.join(work, "status.log");
    if ((opts.status ?? "fresh") !== "missing") {
      fs.copyFileSync(STATUS_FIXTURE, statusFile);
      if (opts.status === "stale") {
        const tenMinutesAgo = new Date(Date.now() - 600_000);
        fs.utimesSync(statusFile, tenMinutesAgo, tenMinutesAgo);
      }
    }
    fs.writeFileSync(
      path.join(bin, "aws"),
      [
        "#!/bin/bash",
        'n="$(find "$CALLS" -name "*.args" | wc -l)"',
        'printf "%s\\n" "$*" > "$CALLS/$n.args"',
        'for a in "$@"; do',
        '  if [[ $a == file://* ]]; then cp "${a#file://}" "$CALLS/$n.json"; fi',
        "done",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    const stateDir = path.join(work, "state");
    fs.mkdirSync(stateDir);
    // Most runs start with no state at all; a run that asks for state must name some.
    const lastSeen = opts.lastSeenSecondsAgo;
    if (lastSeen !== undefined) {
      for (const [device, ago] of nonEmpty(Object.entries(lastSeen), "lastSeenSecondsAgo")) {
        fs.writeFileSync(path.join(stateDir, device), "");
        const then = new Date(Date.now() - ago * 1000);
        fs.utimesSync(path.join(stateDir, device), then, then);
      }
    }
    const options: MetricsPublisherOptions = {
      stateDir,
      awayAfterSeconds: opts.awayAfterSeconds,
      statusFile,
      statusIntervalSeconds: 30,
      ccdDir,
      namespace: "OpenEMS/VPN",
      dimensions: opts.dimensions ?? { Environment: "dev", Stack: "network-dev" },
      perDeviceMetrics: opts.perDeviceMetrics,
    };
    const script = path.join(work, "publish");
    fs.writeFileSync(script, renderMetricsPublisher(options), { mode: 0o755 });
    execFileSync(script, {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, CALLS: calls },
      stdio: "pipe",
      timeout: 15000,
    });
    const argFiles = fs
      .readdirSync(calls)
      .filter((f) => f.endsWith(".args"))
      .sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
    return argFiles.map((f) => ({
      args: fs.readFileSync(path.join(calls, f), "utf8").trim(),
      data: JSON.parse(fs.readFileSync(path.join(calls, f.replace(".args", ".json")), "utf8")),
    }));
  }

  const deviceName = (d: Datum) => d.Dimensions.find((x) => x.Name === "Device")?.Value;
  const deviceValue = (data: Datum[], cn: string) =>
    data.find((d) => d.MetricName === "DeviceConnected" && deviceName(d) === cn)?.Value;

  it("passes shellcheck", async () => {
    const variants: Array<Record<string, string>> = [{ Environment: "dev" }, {}];
    for (const dimensions of variants) {
      const result = shellcheck(
        renderMetricsPublisher({
          statusFile: "/run/openvpn-server/status-server.log",
          statusIntervalSeconds: 30,
          ccdDir: "/etc/openvpn/server/ccd",
          namespace: "OpenEMS/VPN",
          dimensions,
        }),
      );
      assert.equal(result.status, 0, result.output);
    }
  });

  it("counts connected devices and reports each known device as 1 or 0", async () => {
    const [call, ...rest] = run({ devices: ["pi-001", "pi-002", "pi-003"] });
    assert.equal(rest.length, 0);
    assert.match(
      call.args,
      /^cloudwatch put-metric-data --namespace OpenEMS\/VPN --metric-data file:/,
    );
    const connected = call.data.find((d) => d.MetricName === "ConnectedDevices");
    assert.deepEqual(connected, {
      MetricName: "ConnectedDevices",
      Value: 2,
      Unit: "Count",
      Dimensions: [
        { Name: "Environment", Value: "dev" },
        { Name: "Stack", Value: "network-dev" },
      ],
    });
    assert.equal(deviceValue(call.data, "pi-001"), 1);
    assert.equal(deviceValue(call.data, "pi-002"), 1);
    assert.equal(deviceValue(call.data, "pi-003"), 0);
    const device = call.data.find((d) => d.MetricName === "DeviceConnected");
    assert.deepEqual(
      device?.Dimensions.map((x) => x.Name),
      ["Environment", "Stack", "Device"],
    );
  });

  it("ignores files in the ccd directory that are not device names", async () => {
    const [call] = run({ devices: ["pi-003", "README.md", "Pi-Upper", ".hidden"] });
    const devices = call.data.filter((d) => d.MetricName === "DeviceConnected").map(deviceName);
    assert.deepEqual(devices, ["pi-003"]);
  });

  it("reports nobody connected when OpenVPN stopped rewriting its status file", async () => {
    for (const status of ["stale", "missing"] as const) {
      const [call] = run({ devices: ["pi-001", "pi-002"], status });
      assert.equal(call.data.find((d) => d.MetricName === "ConnectedDevices")?.Value, 0, status);
      assert.equal(deviceValue(call.data, "pi-001"), 0, status);
    }
  });

  it("splits a large fleet into requests of at most 500 metrics", async () => {
    const devices = Array.from({ length: 1200 }, (_, i) => `pi-${String(i).padStart(4, "0")}`);
    const calls = run({ devices });
    assert.deepEqual(
      calls.map((c) => c.data.length),
      [500, 500, 201],
    );
    const all = calls.flatMap((c) => c.data);
    assert.equal(all.filter((d) => d.MetricName === "DeviceConnected").length, 1200);
  });

  it("counts devices away longer than the threshold, never admins or newly registered devices", async () => {
    // pi-001 and pi-002 are in the status fixture; pi-003 was last seen an hour ago, pi-004 ten
    // minutes ago, pi-005 is new; admin-ops is an admin profile that is not connected.
    const [call] = run({
      devices: ["pi-001", "pi-002", "pi-003", "pi-004", "pi-005", "admin-ops"],
      perDeviceMetrics: false,
      awayAfterSeconds: 1800,
      lastSeenSecondsAgo: {
        "pi-001": 7200,
        "pi-003": 3600,
        "pi-004": 600,
        "admin-ops": 9999,
        "gone-device": 9999,
      },
    });
    const away = call.data.find((d) => d.MetricName === "DevicesAway");
    assert.equal(
      away?.Value,
      1,
      "only pi-003: pi-001 is connected again, pi-004 and pi-005 are within the threshold",
    );
  });

  it("publishes no DevicesAway metric unless a threshold is set", async () => {
    const [call] = run({
      devices: ["pi-003"],
      perDeviceMetrics: false,
      lastSeenSecondsAgo: { "pi-003": 99999 },
    });
    assert.equal(
      call.data.find((d) => d.MetricName === "DevicesAway"),
      undefined,
    );
  });

  it("publishes only ConnectedDevices when per-device metrics are off", async () => {
    const [call] = run({ devices: ["pi-001"], perDeviceMetrics: false, dimensions: {} });
    assert.deepEqual(call.data, [
      { MetricName: "ConnectedDevices", Value: 2, Unit: "Count", Dimensions: [] },
    ]);
  });
});

describe("renderMetricsPublisher validation", () => {
  const base: MetricsPublisherOptions = {
    statusFile: "/run/openvpn-server/status-server.log",
    statusIntervalSeconds: 30,
    ccdDir: "/etc/openvpn/server/ccd",
    namespace: "OpenEMS/VPN",
    dimensions: {},
  };
  const invalid: Array<[string, Partial<MetricsPublisherOptions>, RegExp]> = [
    [
      "an AWS namespace",
      { namespace: "AWS/EC2" },
      /'namespace' is "AWS\/EC2": .*not start with AWS\//,
    ],
    ["a namespace with a quote", { namespace: "x'y" }, /'namespace' is "x'y"/],
    [
      "a dimension value with a quote",
      { dimensions: { Env: 'd"ev' } },
      /'dimensions\.Env' is "d\\"ev"/,
    ],
    [
      "a base dimension named Device",
      { dimensions: { Device: "x" } },
      /'dimensions\.Device' is "Device"/,
    ],
    ["a relative status file", { statusFile: "status.log" }, /'statusFile' is "status\.log"/],
    [
      "too many dimensions",
      { dimensions: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`D${i}`, "x"])) },
      /at most 29 dimensions/,
    ],
  ];
  for (const [what, opts, message] of invalid) {
    it(`rejects ${what}`, async () => {
      assert.throws(() => renderMetricsPublisher({ ...base, ...opts }), message);
    });
  }
});
