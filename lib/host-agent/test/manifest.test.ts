import { strict as assert } from "assert";
import * as crypto from "crypto";
import * as zlib from "zlib";
import { HostManifest, normalizeHostManifest, renderHostManifest } from "../manifest";
import { renderAgentScript } from "../agent-script";
import { renderHostUserData } from "../user-data";

const ok: HostManifest = {
  files: [{ path: "/etc/a.conf", source: { inline: "a\n" }, onChange: { restart: ["a.service"] } }],
  units: [{ name: "a.service", state: "running" }],
};

describe("renderHostManifest", () => {
  it("renders the same bytes for the same manifest, with defaults and the inline digest filled in", () => {
    const json = renderHostManifest(ok);
    assert.equal(renderHostManifest(ok), json);
    const doc = JSON.parse(json);
    assert.equal(doc.version, 1);
    assert.deepEqual(doc.files[0], {
      path: "/etc/a.conf",
      source: { inline: "a\n" },
      mode: "0644",
      sha256: crypto.createHash("sha256").update("a\n").digest("hex"),
      onChange: { restart: ["a.service"] },
    });
    assert.deepEqual(doc.units, [{ name: "a.service", state: "running" }]);
    assert.deepEqual([doc.packages, doc.directories, doc.trees], [[], [], []]);
  });

  it("keeps non-default ownership and makes decrypted SSM files secret and private by default", () => {
    const kept = JSON.parse(
      renderHostManifest({
        files: [{ path: "/a", source: { inline: "" }, owner: "nobody", group: "nogroup" }],
      }),
    );
    assert.deepEqual([kept.files[0].owner, kept.files[0].group], ["nobody", "nogroup"]);
    const doc = normalizeHostManifest({
      files: [{ path: "/etc/k.pem", source: { ssmParameter: "/x/key", decrypt: true } }],
    });
    assert.equal(doc.files[0].mode, "0600");
    assert.equal(doc.files[0].secret, true);
  });

  const bad: [string, HostManifest, RegExp][] = [
    [
      "a relative path",
      { files: [{ path: "etc/a", source: { inline: "" } }] },
      /files\[0\]\.path: got "etc\/a"/,
    ],
    [
      "a path with ..",
      { files: [{ path: "/etc/../a", source: { inline: "" } }] },
      /files\[0\]\.path/,
    ],
    [
      "two sources",
      { files: [{ path: "/a", source: { inline: "", ssmParameter: "/x" } as never }] },
      /exactly one of inline/,
    ],
    [
      "an /aws parameter",
      { files: [{ path: "/a", source: { ssmParameter: "/aws/x" } }] },
      /ssmParameter: got "\/aws\/x"/,
    ],
    [
      "a bad mode",
      { files: [{ path: "/a", source: { inline: "" }, mode: "644x" }] },
      /files\[0\]\.mode/,
    ],
    [
      "a bad unit",
      { files: [{ path: "/a", source: { inline: "" }, onChange: { restart: ["a b"] } }] },
      /onChange\.restart\[0\]: got "a b"/,
    ],
    [
      "a digest on a secret",
      {
        files: [
          { path: "/a", source: { ssmParameter: "/x", decrypt: true }, sha256: "0".repeat(64) },
        ],
      },
      /sha256/,
    ],
    [
      "inline key material",
      { files: [{ path: "/a", source: { inline: "-----BEGIN PRIVATE KEY-----" } }] },
      /no key material inline/,
    ],
    [
      "a path twice",
      {
        files: [
          { path: "/a", source: { inline: "" } },
          { path: "/a", source: { inline: "" } },
        ],
      },
      /each path managed once/,
    ],
    [
      "a prefix without /",
      { trees: [{ path: "/d", source: { s3Prefix: { bucket: "bkt-1", prefix: "ccd" } } }] },
      /a prefix ending in \//,
    ],
    [
      "an unknown unit state",
      { units: [{ name: "a.service", state: "on" as never }] },
      /units\[0\]\.state: got "on"/,
    ],
    [
      "a relative validator",
      { files: [{ path: "/a", source: { inline: "" }, validate: ["nft", "-c"] }] },
      /validate\[0\]/,
    ],
  ];
  for (const [what, manifest, error] of bad) {
    it(`refuses ${what}, naming the key and the value`, () => {
      assert.throws(() => renderHostManifest(manifest), error);
      assert.throws(
        () => renderHostManifest(manifest),
        /^Error: host manifest: .*: got .*; expected /,
      );
    });
  }

  it("refuses a manifest larger than SSM's standard tier", () => {
    const big = { files: [{ path: "/a", source: { inline: "x".repeat(5000) } }] };
    assert.throws(
      () => renderHostManifest(big),
      /\(whole manifest\): got "\d+ bytes"; expected at most 4096 bytes/,
    );
  });
});

describe("renderHostUserData", () => {
  it("holds the agent (packed) and the manifest parameter name, nothing else host-specific", () => {
    const a = renderHostUserData({ manifestParameter: "/openems/dev/hosts/a/manifest" });
    const b = renderHostUserData({ manifestParameter: "/openems/dev/hosts/b/manifest" });
    assert.equal(a.replace(/\/hosts\/a\//g, "/hosts/b/"), b);
    const packed = /base64 -d > \/tmp\/host-agent.gz <<'HOST_AGENT'\n([\s\S]*?)\nHOST_AGENT\n/.exec(
      a,
    );
    assert.ok(packed);
    assert.equal(
      zlib.gunzipSync(Buffer.from(packed[1], "base64")).toString("utf8"),
      renderAgentScript(),
    );
  });

  it("refuses a manifest parameter that is not an SSM name", () => {
    assert.throws(
      () => renderHostUserData({ manifestParameter: "x'; rm -rf /" }),
      /manifestParameter: got "x'; rm -rf \/"; expected an SSM parameter name/,
    );
  });
});
