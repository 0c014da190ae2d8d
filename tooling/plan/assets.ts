import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

/**
 * Assets and archives in a resource's inputs, as the plan JSON shows them: what a Lambda's code
 * really is. The runtime hands the mocks `pulumi.asset` objects whose contents sit behind promises,
 * which JSON.stringify drops (`{"__pulumiArchive": true, "assets": {}}`).
 *
 * - StringAsset: `{kind, text, sha256}`; FileAsset / FileArchive: `{kind, path, sha256}` (path as
 *   given, relative paths resolved against the working directory for hashing); RemoteAsset /
 *   RemoteArchive: `{kind, uri}`; AssetArchive: `{kind, assets}` with its members by name, sorted.
 */
export type PlannedAsset =
  | { kind: "StringAsset"; text: string; sha256: string }
  | { kind: "FileAsset" | "FileArchive"; path: string; sha256: string | null }
  | { kind: "RemoteAsset" | "RemoteArchive"; uri: string }
  | { kind: "AssetArchive"; assets: Record<string, PlannedAsset> };

function sha256(data: string | Buffer): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}

function fileHash(file: string): string | null {
  try {
    const stat = fs.statSync(path.resolve(file));
    // A directory archive has no single content to hash; its path is what the plan shows.
    return stat.isFile() ? sha256(fs.readFileSync(path.resolve(file))) : null;
  } catch {
    return null;
  }
}

/** True when `value` holds an asset or archive anywhere (cheap: most inputs have none). */
export function hasAssets(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value)) return true;
  return Object.values(value).some(hasAssets);
}

async function describeAsset(value: any): Promise<PlannedAsset> {
  if (value instanceof pulumi.asset.StringAsset || (value.text && !value.path && !value.uri)) {
    const text = await value.text;
    return { kind: "StringAsset", text, sha256: sha256(text) };
  }
  if (value.path !== undefined) {
    const file = await value.path;
    return { kind: "FileAsset", path: file, sha256: fileHash(file) };
  }
  return { kind: "RemoteAsset", uri: await value.uri };
}

async function describeArchive(value: any): Promise<PlannedAsset> {
  if (value.assets !== undefined) {
    const members: Record<string, unknown> = await value.assets;
    const assets: Record<string, PlannedAsset> = {};
    for (const name of Object.keys(members).sort()) {
      assets[name] = (await plainAssets(members[name])) as PlannedAsset;
    }
    return { kind: "AssetArchive", assets };
  }
  if (value.path !== undefined) {
    const file = await value.path;
    return { kind: "FileArchive", path: file, sha256: fileHash(file) };
  }
  return { kind: "RemoteArchive", uri: await value.uri };
}

/** A copy of `value` with every asset and archive replaced by its {@link PlannedAsset}. */
export async function plainAssets(value: unknown): Promise<unknown> {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return Promise.all(value.map(plainAssets));
  if (pulumi.asset.Asset.isInstance(value)) return describeAsset(value);
  if (pulumi.asset.Archive.isInstance(value)) return describeArchive(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = await plainAssets(v);
  return out;
}
