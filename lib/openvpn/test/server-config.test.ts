import { strict as assert } from "assert";
import { Directive, parseDirectives } from "../directives";
import { renderServerConfig, ServerConfigOptions } from "../server-config";

const base: ServerConfigOptions = {
  clientCidr: "10.100.0.0/22",
  pushRoutes: ["10.0.0.0/16", "10.1.0.0/16"],
};

function directives(opts: Partial<ServerConfigOptions> = {}): Directive[] {
  return parseDirectives(renderServerConfig({ ...base, ...opts }));
}

function args(ds: Directive[], name: string): string[][] {
  return ds.filter((d) => d.name === name).map((d) => [...d.args]);
}

describe("renderServerConfig", () => {
  it("renders an OpenVPN 2.6 UDP tun server with topology subnet", async () => {
    const ds = directives();
    assert.deepEqual(args(ds, "proto"), [["udp"]]);
    assert.deepEqual(args(ds, "port"), [["1194"]]);
    assert.deepEqual(args(ds, "dev"), [["tun"]]);
    assert.deepEqual(args(ds, "topology"), [["subnet"]]);
  });

  it("keeps static device addresses out of the dynamic pool", async () => {
    const ds = directives();
    assert.deepEqual(args(ds, "server"), [["10.100.0.0", "255.255.252.0", "nopool"]]);
    assert.deepEqual(args(ds, "ifconfig-pool"), [["10.100.0.2", "10.100.0.255", "255.255.252.0"]]);
    assert.deepEqual(args(ds, "max-clients"), [["1021"]]);
  });

  it("pushes each VPC CIDR as a route and never the default gateway", async () => {
    const ds = directives();
    assert.deepEqual(args(ds, "push"), [
      ["route 10.0.0.0 255.255.0.0"],
      ["route 10.1.0.0 255.255.0.0"],
    ]);
    assert.equal(ds.filter((d) => d.name === "redirect-gateway").length, 0);
    assert.ok(!ds.some((d) => d.args.some((a) => /redirect-gateway|dhcp-option/.test(a))));
  });

  it("requires a certificate and a ccd entry from every client", async () => {
    const ds = directives();
    assert.deepEqual(args(ds, "verify-client-cert"), [["require"]]);
    assert.deepEqual(args(ds, "remote-cert-tls"), [["client"]]);
    assert.deepEqual(args(ds, "client-config-dir"), [["/etc/openvpn/server/ccd"]]);
    assert.deepEqual(args(ds, "ccd-exclusive"), [[]]);
    assert.deepEqual(args(ds, "reneg-sec"), [["3600"]]);
  });

  it("checks each device's tls-crypt-v2 key against the ccd directory before TLS", async () => {
    const ds = directives({ paths: { ccdDir: "/srv/ccd" } });
    assert.deepEqual(args(ds, "tls-crypt-v2-verify"), [
      ["/usr/local/libexec/openvpn-tls-crypt-v2-verify /srv/ccd"],
    ]);
    // OpenVPN refuses to run any external program below level 2, which would refuse every key.
    assert.deepEqual(args(ds, "script-security"), [["2"]]);
    // Level 2 admits the programs the config names; it names no other script.
    for (const name of ["up", "down", "client-connect", "client-disconnect", "tls-verify"]) {
      assert.equal(args(ds, name).length, 0, name);
    }
  });

  it("uses modern TLS and AEAD only, with tls-crypt-v2 and no DH parameters", async () => {
    const ds = directives();
    assert.deepEqual(args(ds, "tls-version-min"), [["1.2"]]);
    assert.deepEqual(args(ds, "data-ciphers"), [["AES-256-GCM"]]);
    assert.deepEqual(args(ds, "tls-crypt-v2"), [["/etc/openvpn/server/tls-crypt-v2-server.key"]]);
    assert.deepEqual(args(ds, "tls-crypt"), []);
    assert.deepEqual(args(ds, "dh"), [["none"]]);
    const absent = ["data-ciphers-fallback", "cipher", "auth", "tls-auth", "comp-lzo", "compress"];
    for (const name of absent) {
      assert.equal(args(ds, name).length, 0, name);
    }
  });

  it("forbids client-to-client, duplicate-cn and SSH-looking ports", async () => {
    const text = renderServerConfig(base);
    for (const absent of ["client-to-client", "duplicate-cn", "redirect-gateway"]) {
      assert.equal(args(parseDirectives(text), absent).length, 0, absent);
    }
    assert.doesNotMatch(text, /^port 22$/m);
  });

  it("drops privileges to the AL2023 openvpn account by default, keeping key and tun", async () => {
    const ds = directives();
    assert.deepEqual(args(ds, "user"), [["openvpn"]]);
    assert.deepEqual(args(ds, "group"), [["openvpn"]]);
    assert.deepEqual(args(ds, "persist-key"), [[]]);
    assert.deepEqual(args(ds, "persist-tun"), [[]]);
    const debian = directives({ user: "nobody", group: "nogroup" });
    assert.deepEqual(args(debian, "group"), [["nogroup"]]);
  });

  it("writes a tab-separated status file and keeps clients alive", async () => {
    const ds = directives();
    assert.deepEqual(args(ds, "status"), [["/run/openvpn-server/status-server.log", "30"]]);
    assert.deepEqual(args(ds, "status-version"), [["3"]]);
    assert.deepEqual(args(ds, "keepalive"), [["10", "60"]]);
    assert.deepEqual(args(ds, "explicit-exit-notify"), [["1"]]);
  });

  it("references key material by path only", async () => {
    const text = renderServerConfig(base);
    assert.ok(parseDirectives(text).every((d) => d.inline === undefined));
    assert.doesNotMatch(text, /BEGIN/);
    // Debian's openvpn-server@.service runs in /etc/openvpn/server (WorkingDirectory) and writes
    // /run/openvpn-server/status-%i.log; the files are the server's own, by name.
    const FILES = { ca: "client-ca.crt", cert: "server.crt", key: "server.key" };
    for (const name of ["ca", "cert", "key"] as const) {
      assert.deepEqual(args(parseDirectives(text), name), [[`/etc/openvpn/server/${FILES[name]}`]]);
    }
  });

  it("binds to a given address and port and honours overrides", async () => {
    const ds = directives({
      listenAddress: "127.0.0.1",
      port: 41194,
      paths: { ccdDir: "/tmp/x/ccd" },
      statusIntervalSeconds: 1,
      keepalive: { intervalSeconds: 5, timeoutSeconds: 30 },
      renegotiateSeconds: 900,
    });
    assert.deepEqual(args(ds, "local"), [["127.0.0.1"]]);
    assert.deepEqual(args(ds, "port"), [["41194"]]);
    assert.deepEqual(args(ds, "client-config-dir"), [["/tmp/x/ccd"]]);
    assert.deepEqual(args(ds, "ca"), [["/etc/openvpn/server/client-ca.crt"]]);
    assert.deepEqual(args(ds, "keepalive"), [["5", "30"]]);
    assert.deepEqual(args(ds, "reneg-sec"), [["900"]]);
  });

  const invalid: Array<[string, Partial<ServerConfigOptions>, RegExp]> = [
    [
      "a malformed client CIDR",
      { clientCidr: "10.100.0.0/33" },
      /'clientCidr' is "10\.100\.0\.0\/33": not an IPv4 CIDR/,
    ],
    [
      "a client CIDR with host bits",
      { clientCidr: "10.100.0.7/22" },
      /'clientCidr' is "10\.100\.0\.7\/22": host bits are set/,
    ],
    [
      "a port above 65535",
      { port: 70000 },
      /'port' is 70000: it must be an integer from 1 to 65535/,
    ],
    ["port 0", { port: 0 }, /'port' is 0/],
    ["port 22", { port: 22 }, /'port' is 22: port 22 is reserved for SSH/],
    ["no pushed routes", { pushRoutes: [] }, /'pushRoutes' is \[\]: at least one VPC CIDR/],
    [
      "a pushed route overlapping the client range",
      { pushRoutes: ["10.100.2.0/24"] },
      /'pushRoutes\[0\]' is "10\.100\.2\.0\/24": it overlaps the VPN client range 10\.100\.0\.0\/22/,
    ],
    [
      "a pushed route containing the client range",
      { pushRoutes: ["10.0.0.0/16", "10.96.0.0/12"] },
      /'pushRoutes\[1\]' is "10\.96\.0\.0\/12": it overlaps/,
    ],
    [
      "a default route in disguise",
      { pushRoutes: ["0.0.0.0/1"] },
      /'pushRoutes\[0\]' is "0\.0\.0\.0\/1": the prefix must be \/8 or longer \(split tunnel only\)/,
    ],
    [
      "a duplicate route",
      { pushRoutes: ["10.0.0.0/16", "10.0.0.0/16"] },
      /'pushRoutes\[1\]' .*listed twice/,
    ],
    [
      "a bad route",
      { pushRoutes: ["10.0.0.0"] },
      /'pushRoutes\[0\]' is "10\.0\.0\.0": not an IPv4 CIDR/,
    ],
    ["a bad listen address", { listenAddress: "localhost" }, /'listenAddress' is "localhost"/],
    ["a user with a space", { user: "open vpn" }, /'user' is "open vpn"/],
    [
      "a relative path",
      { paths: { key: "server.key" } },
      /'paths\.key' is "server\.key": it must be an absolute path/,
    ],
    [
      "a path with a space",
      { paths: { ccdDir: "/etc/open vpn/ccd" } },
      /'paths\.ccdDir' is "\/etc\/open vpn\/ccd"/,
    ],
    [
      "a keepalive timeout shorter than two pings",
      { keepalive: { intervalSeconds: 10, timeoutSeconds: 15 } },
      /'keepalive\.timeoutSeconds' is 15: it must be at least twice keepalive\.intervalSeconds \(10\)/,
    ],
    [
      "a pool that leaves no static addresses",
      { clientCidr: "10.8.0.0/24", dynamicPoolSize: 253 },
      /'dynamicPoolSize' is 253/,
    ],
    ["a zero renegotiation interval", { renegotiateSeconds: 0 }, /'renegotiateSeconds' is 0/],
  ];
  for (const [what, opts, message] of invalid) {
    it(`rejects ${what}, naming the key and the value`, async () => {
      assert.throws(() => renderServerConfig({ ...base, ...opts }), message);
    });
  }
});
