import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { hasAssets, plainAssets } from "../assets";

const sha = (s: string | Buffer) => crypto.createHash("sha256").update(s).digest("hex");

describe("plan assets", () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-assets-"))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("shows string assets by text and hash, file assets by path and content hash", async () => {
    const file = path.join(dir, "layer.zip");
    fs.writeFileSync(file, "zip-bytes");
    const inputs = {
      runtime: "nodejs24.x",
      code: new pulumi.asset.AssetArchive({
        "index.js": new pulumi.asset.StringAsset("exports.handler = 1;"),
        "data/blob.bin": new pulumi.asset.FileAsset(file),
        nested: new pulumi.asset.AssetArchive({ "a.txt": new pulumi.asset.StringAsset("a") }),
      }),
      layers: [new pulumi.asset.FileArchive(file), new pulumi.asset.RemoteAsset("https://x/y")],
    };
    assert.ok(hasAssets(inputs));
    assert.deepStrictEqual(await plainAssets(inputs), {
      runtime: "nodejs24.x",
      code: {
        kind: "AssetArchive",
        assets: {
          "data/blob.bin": { kind: "FileAsset", path: file, sha256: sha("zip-bytes") },
          "index.js": {
            kind: "StringAsset",
            text: "exports.handler = 1;",
            sha256: sha("exports.handler = 1;"),
          },
          nested: {
            kind: "AssetArchive",
            assets: { "a.txt": { kind: "StringAsset", text: "a", sha256: sha("a") } },
          },
        },
      },
      layers: [
        { kind: "FileArchive", path: file, sha256: sha("zip-bytes") },
        { kind: "RemoteAsset", uri: "https://x/y" },
      ],
    });
  });

  it("leaves inputs without assets as they are", async () => {
    const inputs = { name: "x", tags: { a: "b" }, list: [1, { c: null }] };
    assert.strictEqual(hasAssets(inputs), false);
    assert.deepStrictEqual(await plainAssets(inputs), inputs);
  });

  it("hashes a missing file as null rather than failing the plan", async () => {
    const missing = path.join(dir, "nope.zip");
    assert.deepStrictEqual(await plainAssets(new pulumi.asset.FileAsset(missing)), {
      kind: "FileAsset",
      path: missing,
      sha256: null,
    });
  });
});
