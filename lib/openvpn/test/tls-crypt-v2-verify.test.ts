import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderTlsCryptV2Verifier } from "../tls-crypt-v2-verify";
import { requirePrerequisites } from "../../../tooling/testing/tools";

// The script as OpenVPN runs it: /bin/sh, an environment of metadata_type and metadata_file only
// (no PATH), the metadata bytes in a file. The e2e test runs it from a real server.
describe("tls-crypt-v2-verify script", function () {
  let dir: string;
  let script: string;
  let ccdDir: string;

  before(function () {
    requirePrerequisites(this, { tools: ["shellcheck", "sh"] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tc2-verify-"));
    script = path.join(dir, "verify");
    fs.writeFileSync(script, renderTlsCryptV2Verifier(), { mode: 0o755 });
    ccdDir = path.join(dir, "ccd");
    fs.mkdirSync(ccdDir);
    fs.writeFileSync(path.join(ccdDir, "pi-001"), "ifconfig-push 10.100.1.0 255.255.252.0\n");
    fs.writeFileSync(path.join(ccdDir, "admin-ops"), "# admin-ops: admin profile\n");
    fs.writeFileSync(path.join(ccdDir, "a".repeat(63)), "ifconfig-push 10.100.1.1 255.255.252.0\n");
    fs.writeFileSync(path.join(ccdDir, "a".repeat(64)), "ifconfig-push 10.100.1.2 255.255.252.0\n");
    fs.writeFileSync(path.join(ccdDir, "default"), "ifconfig-push 10.100.1.3 255.255.252.0\n");
    // A file the name "../secret" would reach if the metadata were used as a path.
    fs.writeFileSync(path.join(dir, "secret"), "x\n");
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  function verify(metadata: Buffer | string, type = "0", args = [ccdDir]) {
    const file = path.join(dir, "metadata");
    fs.writeFileSync(file, metadata);
    const r = spawnSync("/bin/sh", [script, ...args], {
      env: { metadata_type: type, metadata_file: file },
      encoding: "utf8",
      timeout: 10000,
    });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  }

  it("passes shellcheck as POSIX sh", () => {
    const r = spawnSync("shellcheck", ["-s", "sh", script], { encoding: "utf8", timeout: 15000 });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });

  it("accepts a device or admin with a ccd entry, and the longest common name", () => {
    for (const name of ["pi-001", "admin-ops", "a".repeat(63)]) {
      const r = verify(name);
      assert.equal(r.status, 0, `${name}: ${r.output}`);
      assert.equal(r.output, "");
    }
  });

  it("refuses a common name without a ccd entry (unknown or removed device)", () => {
    const r = verify("pi-002");
    assert.equal(r.status, 1);
    assert.equal(
      r.output,
      "tls-crypt-v2 key refused: no ccd entry for pi-002 (unknown or removed device)\n",
    );
  });

  it("refuses metadata that is not a common name, even where a file of that name exists", () => {
    const cases: Array<[string | Buffer, RegExp]> = [
      ["../secret", /is not a common name/],
      ["../ccd/pi-001", /is not a common name/],
      ["/etc/passwd", /is not a common name/],
      [".", /is not a common name/],
      ["", /is not a common name/],
      ["PI-001", /is not a common name/],
      ["-pi-001", /is not a common name/],
      ["pi-001-", /is not a common name/],
      ["pi 001", /is not a common name/],
      ["default", /is not a common name/],
      ["pi-001*", /is not a common name/],
      ["a".repeat(64), /longer than 63 characters/],
      ["pi-001\n", /has a line break/],
      ["pi-001\nadmin-ops", /has a line break/],
      [Buffer.from("pi-001\0x"), /is not a common name/],
      [Buffer.from("pi-001\0"), /is not a common name/],
      [Buffer.from("pi-\u00e9", "utf8"), /is not a common name/],
    ];
    assert.ok(cases.length > 0);
    for (const [metadata, reason] of cases) {
      const r = verify(metadata);
      assert.equal(r.status, 1, `${JSON.stringify(metadata.toString())}: ${r.output}`);
      assert.match(r.output, reason, JSON.stringify(metadata.toString()));
    }
  });

  it("refuses a timestamp key, a missing metadata file and a relative ccd directory", () => {
    assert.match(verify("pi-001", "1").output, /metadata type '1' is not user data \(0\)/);
    assert.equal(verify("pi-001", "1").status, 1);
    const missing = spawnSync("/bin/sh", [script, ccdDir], {
      env: { metadata_type: "0", metadata_file: path.join(dir, "absent") },
      encoding: "utf8",
    });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no metadata file/);
    const relative = verify("pi-001", "0", ["ccd"]);
    assert.equal(relative.status, 1);
    assert.match(relative.output, /absolute path/);
    assert.equal(verify("pi-001", "0", []).status, 1);
  });
});
